/*
 * The spawn transport on POSIX: the program re-executes itself (the file
 * /proc/self/exe names) with only the descriptors it needs.
 *
 * The child gets: its standard streams; fd 3, a memfd holding the
 * bootstrap message (named in SCT_BOOTSTRAP_FD, so it is read without
 * blocking and its size is known before reading); fds 4.. the segments,
 * in the order of the message's segment table. Every other descriptor is
 * closed before exec, whether or not it was close-on-exec. A close-on-exec
 * pipe reports a failed exec back to the parent as SCT_ECHILD.
 *
 * The child is made with vfork, as posix_spawn does: it borrows the
 * parent's memory until exec instead of copying its page tables, which
 * made a spawn of a grown program cost a fork on top of an exec. So the
 * child between vfork and exec only calls async-signal-safe functions on
 * values prepared before, writes no memory the parent reads, and runs no
 * signal handler: every signal is blocked across vfork, and the child
 * puts handlers back to their defaults before it restores the mask for
 * the program it executes.
 */
#define _GNU_SOURCE
#include "../process/bootstrap.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define BOOT_ENV "SCT_BOOTSTRAP_FD"
#define BOOT_FD 3
#define FIRST_SEGMENT_FD 4

extern char **environ;

int sct__can_fork(void) {
  return 1;
}

uint64_t sct__child_handle(intptr_t parent_handle, size_t index) {
  (void)parent_handle;
  return FIRST_SEGMENT_FD + (uint64_t)index;
}

/* The environment plus BOOT_ENV, built before fork (the child may only
 * make async-signal-safe calls when the parent has threads). */
static char **child_environment(void) {
  size_t n = 0;
  while (environ && environ[n])
    n++;
  char **env = calloc(n + 2, sizeof *env);
  if (!env)
    return NULL;
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    if (strncmp(environ[i], BOOT_ENV "=", sizeof BOOT_ENV) != 0)
      env[k++] = environ[i];
  env[k] = BOOT_ENV "=3";
  return env;
}

static int message_fd(const void *msg, size_t len) {
  int fd = memfd_create("sct-bootstrap", MFD_CLOEXEC);
  if (fd < 0)
    return -1;
  const char *p = msg;
  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      close(fd);
      return -1;
    }
    p += n;
    len -= (size_t)n;
  }
  return fd;
}

/* In the forked child: moves sources[i] to targets[i] (through numbers
 * above all of them and above the report pipe, so no move overwrites a
 * descriptor not yet moved), closes everything else, and executes the
 * program. The report pipe is moved out of the way first: were a segment
 * placed on its number, a failed exec would write its errno into the
 * segment (shared memory the parent uses) and the parent, reading EOF,
 * would believe the exec succeeded. */
static void exec_child(const char *exe, const int *sources, size_t n,
                       int report, char **argv, char **env,
                       const sigset_t *mask) {
  /* The handler table is the child's own (vfork shares memory, not
   * signal dispositions): no parent handler can run on borrowed memory. */
  struct sigaction dfl;
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; sig++) {
    struct sigaction old;
    if (sigaction(sig, NULL, &old) == 0 && old.sa_handler != SIG_IGN &&
        old.sa_handler != SIG_DFL)
      (void)sigaction(sig, &dfl, NULL);
  }
  (void)pthread_sigmask(SIG_SETMASK, mask, NULL);
  int high = FIRST_SEGMENT_FD + (int)n + 1;
  if (report >= high)
    high = report + 1;
  for (size_t i = 0; i < n; i++)
    if (sources[i] >= high)
      high = sources[i] + 1;
  /* Above every source and every target: no later dup2 lands on it. */
  if (dup2(report, high + (int)n) < 0)
    goto failed;
  report = high + (int)n;
  for (size_t i = 0; i < n; i++)
    if (dup2(sources[i], high + (int)i) < 0)
      goto failed;
  for (size_t i = 0; i < n; i++)
    if (dup2(high + (int)i, BOOT_FD + (int)i) < 0)
      goto failed;
  /* The report pipe goes right after the segments and stays
   * close-on-exec, so a successful exec closes it. */
  if (dup2(report, BOOT_FD + (int)n) < 0 ||
      fcntl(BOOT_FD + (int)n, F_SETFD, FD_CLOEXEC) < 0)
    goto failed;
  report = BOOT_FD + (int)n;
#ifdef SYS_close_range
  if (syscall(SYS_close_range, (unsigned)report + 1, ~0u, 0) != 0)
#endif
  {
    long max = sysconf(_SC_OPEN_MAX);
    for (int fd = report + 1; fd < (max > 0 ? max : 65536); fd++)
      close(fd);
  }
  execve(exe, argv, env);
failed : {
  int err = errno;
  ssize_t ignored = write(report, &err, sizeof err);
  (void)ignored;
  _exit(127);
}
}

/* vfork and exec_child in a frame of their own: no variable of the
 * caller lives across vfork, where the child may clobber it. Returns the
 * child's pid, or -1 with errno. */
SCT__NOINLINE static pid_t start_child(const char *exe, const int *sources,
                                       size_t n, int report, char **argv,
                                       char **env) {
  sigset_t all, mask;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &mask);
  pid_t child = vfork();
  if (child == 0)
    exec_child(exe, sources, n, report, argv, env, &mask);
  int err = errno;
  pthread_sigmask(SIG_SETMASK, &mask, NULL);
  errno = err;
  return child;
}

/* Waits for the child and reports whether exec failed (SCT_ECHILD). */
static int exec_outcome(pid_t child, int report) {
  int err = 0, status;
  ssize_t got;
  while ((got = read(report, &err, sizeof err)) < 0 && errno == EINTR) {
  }
  if (got <= 0)
    return 0; /* the pipe closed on exec */
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  sct__set_os_error(err);
  return SCT_ECHILD;
}

int sct__process_spawn(long *pid, char **argv, const intptr_t *handles,
                       size_t n, const void *msg, size_t len) {
  static char *fallback_argv[] = {"sct-child", NULL};
  int report[2] = {-1, -1};
  int *sources = calloc(n + 1, sizeof *sources);
  char **env = child_environment();
  int boot = -1, rc = 0;
  /* The program's path is read before fork rather than exec'ing
   * /proc/self/exe itself: tools that run programs under an interpreter
   * (valgrind) answer this readlink with the program, not themselves. */
  char exe[PATH_MAX];
  ssize_t exe_len = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (exe_len <= 0)
    strcpy(exe, "/proc/self/exe");
  else
    exe[exe_len] = '\0';
  if (!sources || !env)
    rc = SCT_ENOMEM;
  else if ((boot = message_fd(msg, len)) < 0 || pipe2(report, O_CLOEXEC) != 0)
    rc = sct__os_error();
  if (rc == 0) {
    sources[0] = boot;
    for (size_t i = 0; i < n; i++)
      sources[i + 1] = (int)handles[i];
    pid_t child = start_child(exe, sources, n + 1, report[1],
                              argv && argv[0] ? argv : fallback_argv, env);
    close(report[1]);
    report[1] = -1;
    if (child < 0)
      rc = sct__os_error();
    else if ((rc = exec_outcome(child, report[0])) == 0)
      *pid = (long)child;
  }
  for (int i = 0; i < 2; i++)
    if (report[i] >= 0)
      close(report[i]);
  if (boot >= 0)
    close(boot);
  free(env);
  free(sources);
  return rc;
}

/* Reads a whole (small) descriptor from offset 0. */
static int read_all(int fd, unsigned char *buf, size_t len) {
  size_t done = 0;
  while (done < len) {
    ssize_t n = pread(fd, buf + done, len - done, (off_t)done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return -1;
    done += (size_t)n;
  }
  return 0;
}

int sct__bootstrap_take(unsigned char **msg, size_t *len, char *why,
                        size_t whycap) {
  const char *text = getenv(BOOT_ENV);
  struct stat st;
  if (!text)
    return 0;
  /* Only the standard descriptor number is accepted; the variable is
   * dropped so that programs this child starts do not see it. */
  int ok = strcmp(text, "3") == 0;
  unsetenv(BOOT_ENV);
  if (!ok) {
    snprintf(why, whycap, "%s is not 3", BOOT_ENV);
    return SCT_EINVAL;
  }
  if (fstat(BOOT_FD, &st) != 0 || !S_ISREG(st.st_mode)) {
    snprintf(why, whycap, "descriptor %d is not a message", BOOT_FD);
    return SCT_EINVAL;
  }
  if ((uint64_t)st.st_size > SCT__BOOT_MAX_BYTES) {
    snprintf(why, whycap, "message of %lld bytes is too large",
             (long long)st.st_size);
    close(BOOT_FD);
    return SCT_EINVAL;
  }
  *len = (size_t)st.st_size;
  *msg = malloc(*len ? *len : 1);
  if (!*msg || read_all(BOOT_FD, *msg, *len) != 0) {
    snprintf(why, whycap, "cannot read the message");
    free(*msg);
    close(BOOT_FD);
    return SCT_EINVAL;
  }
  close(BOOT_FD);
  return 1;
}

int sct__segment_attach(sct__segment_t *seg, uint64_t handle, uint64_t size) {
  struct stat st;
  if (handle < FIRST_SEGMENT_FD || handle > INT_MAX || size == 0 ||
      size > SIZE_MAX)
    return SCT_EINVAL;
  int fd = (int)handle;
  if (fstat(fd, &st) != 0)
    return sct__os_error();
  if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size != size)
    return SCT_EINVAL; /* not the segment it claims to be */
  /* Keep it for passing on, but never across an exec of another program. */
  if (fcntl(fd, F_SETFD, FD_CLOEXEC) != 0)
    return sct__os_error();
  void *addr =
      mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (addr == MAP_FAILED)
    return sct__os_error();
  seg->addr = addr;
  seg->size = (size_t)size;
  seg->handle = fd;
  return 0;
}

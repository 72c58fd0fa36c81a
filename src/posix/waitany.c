/*
 * Sleeping on several words and children at once (platform.h:
 * sct__words_wait), for sct_wait_any.
 *
 * Linux 5.16 and later sleep on up to 128 futexes in one call
 * (futex_waitv). A child's end is a pidfd becoming readable (Linux 5.3),
 * and no system call sleeps on futexes and descriptors together; so a
 * wait that has both hands the children to a helper thread, which polls
 * their pidfds and, when one is readable, changes and wakes a private
 * futex that the caller's futex_waitv includes. Without futex_waitv or
 * pidfds (older kernels, other systems) the wait looks every millisecond.
 */
#define _GNU_SOURCE
#include "../base/atomics.h"
#include "../base/internal.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifdef __linux__
#include <sys/eventfd.h>
#include <sys/syscall.h>
/* The number is the same on every architecture sct builds for; older C
 * libraries do not name it. */
#if !defined(SYS_futex_waitv) &&                                               \
    (defined(__x86_64__) || defined(__i386__) || defined(__aarch64__) ||       \
     defined(__arm__) || defined(__riscv))
#define SYS_futex_waitv 449
#endif
#if !defined(SYS_pidfd_open) &&                                                \
    (defined(__x86_64__) || defined(__i386__) || defined(__aarch64__) ||       \
     defined(__arm__) || defined(__riscv))
#define SYS_pidfd_open 434
#endif
#endif

#if defined(SYS_futex_waitv) && defined(SYS_pidfd_open)
#define HAVE_WAITV 1

/* The kernel's struct futex_waitv (linux/futex.h, 5.16). */
typedef struct waitv_entry {
  uint64_t val;
  uint64_t uaddr;
  uint32_t flags;
  uint32_t reserved;
} waitv_entry_t;

#define WAKE_PRIVATE 129 /* FUTEX_WAKE | FUTEX_PRIVATE_FLAG */
#define WAITV_U32 2u       /* FUTEX2_SIZE_U32 */
#define WAITV_PRIVATE 128u /* FUTEX2_PRIVATE */

/* 1 when this kernel has futex_waitv; asked once. */
static int waitv_works(void) {
  static int known; /* 0 unknown, 1 yes, -1 no */
  int k = sct__load_relaxed(&known);
  if (k == 0) {
    /* No entries: EINVAL where the call exists, ENOSYS where not. */
    long r = syscall(SYS_futex_waitv, NULL, 0, 0, NULL, CLOCK_MONOTONIC);
    k = r == -1 && errno == ENOSYS ? -1 : 1;
    sct__store_relaxed(&known, k);
  }
  return k == 1;
}

/* The absolute deadline futex_waitv takes. */
static struct timespec deadline_in(int timeout_ms) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  ts.tv_sec += timeout_ms / 1000;
  ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
  if (ts.tv_nsec >= 1000000000L) {
    ts.tv_sec++;
    ts.tv_nsec -= 1000000000L;
  }
  return ts;
}

static int waitv(const sct__word_watch_t *watch, size_t n, uint32_t *extra,
                 int timeout_ms) {
  waitv_entry_t entries[SCT_WAIT_MAX + 1];
  for (size_t i = 0; i < n; i++) {
    entries[i].val = watch[i].expected;
    entries[i].uaddr = (uint64_t)(uintptr_t)watch[i].word;
    entries[i].flags = WAITV_U32;
    entries[i].reserved = 0;
  }
  if (extra) {
    entries[n].val = 0;
    entries[n].uaddr = (uint64_t)(uintptr_t)extra;
    entries[n].flags = WAITV_U32 | WAITV_PRIVATE;
    entries[n].reserved = 0;
    n++;
  }
  struct timespec until = deadline_in(timeout_ms);
  long r = syscall(SYS_futex_waitv, entries, (unsigned)n, 0, &until,
                   CLOCK_MONOTONIC);
  return r == -1 && errno == ETIMEDOUT ? SCT_ETIMEDOUT : 0;
}

/* The children's pidfds, and one more place for the helper's stop. */
typedef struct children {
  struct pollfd fds[SCT_WAIT_MAX + 1];
  size_t n;
} children_t;

static void close_children(children_t *c) {
  for (size_t i = 0; i < c->n; i++)
    close(c->fds[i].fd);
  c->n = 0;
}

/* -1 when a pidfd cannot be had (an old kernel). */
static int open_children(children_t *c, const long *pids, size_t npids) {
  c->n = 0;
  for (size_t i = 0; i < npids; i++) {
    int fd = (int)syscall(SYS_pidfd_open, (pid_t)pids[i], 0);
    if (fd < 0) {
      if (errno == ESRCH)
        continue; /* reaped already: the caller's try joins it */
      close_children(c);
      return -1;
    }
    c->fds[c->n].fd = fd;
    c->fds[c->n].events = POLLIN;
    c->n++;
  }
  return 0;
}

/* The helper thread of a wait on words and children. */
typedef struct helper {
  children_t *children; /* the last entry is the stop eventfd */
  uint32_t fired;       /* 0, then 1: a child ended (or the stop) */
} helper_t;

static void *helper_main(void *arg) {
  helper_t *h = arg;
  while (poll(h->children->fds, h->children->n, -1) < 0 && errno == EINTR)
    ;
  sct__store_release(&h->fired, 1u);
  (void)syscall(SYS_futex, &h->fired, WAKE_PRIVATE, 1, NULL, NULL, 0);
  return NULL;
}

static int wait_with_helper(const sct__word_watch_t *watch, size_t n,
                            children_t *c, int timeout_ms) {
  helper_t h = {c, 0};
  pthread_t thread;
  int stop = eventfd(0, EFD_CLOEXEC);
  if (stop < 0)
    return SCT_ENOMEM;
  c->fds[c->n].fd = stop;
  c->fds[c->n].events = POLLIN;
  c->n++;
  if (pthread_create(&thread, NULL, helper_main, &h) != 0) {
    c->n--;
    close(stop);
    return SCT_ENOMEM;
  }
  int rc = waitv(watch, n, &h.fired, timeout_ms);
  uint64_t one = 1;
  while (write(stop, &one, sizeof one) < 0 && errno == EINTR)
    ;
  pthread_join(thread, NULL);
  return rc;
}

static int wait_children(children_t *c, int timeout_ms) {
  int r = poll(c->fds, c->n, timeout_ms);
  return r == 0 ? SCT_ETIMEDOUT : 0;
}
#endif /* HAVE_WAITV */

/* Any word changed, or any child ended (not reaped: the caller joins). */
static int anything_changed(const sct__word_watch_t *watch, size_t n,
                            const long *pids, size_t npids) {
  for (size_t i = 0; i < n; i++)
    if (sct__load_acquire(watch[i].word) != watch[i].expected)
      return 1;
  for (size_t i = 0; i < npids; i++) {
    siginfo_t info;
    info.si_pid = 0;
    if (waitid(P_PID, (id_t)pids[i], &info, WEXITED | WNOHANG | WNOWAIT) != 0 ||
        info.si_pid != 0)
      return 1;
  }
  return 0;
}

/* Where nothing sleeps on all of them: a look every millisecond. */
static int poll_every_ms(const sct__word_watch_t *watch, size_t n,
                         const long *pids, size_t npids, int timeout_ms) {
  for (int waited = 0; waited < timeout_ms; waited++) {
    if (anything_changed(watch, n, pids, npids))
      return 0;
    sct__sleep_ms(1);
  }
  return anything_changed(watch, n, pids, npids) ? 0 : SCT_ETIMEDOUT;
}

int sct__words_wait(const sct__word_watch_t *watch, size_t n, const long *pids,
                    size_t npids, int timeout_ms) {
#ifdef HAVE_WAITV
  if (waitv_works()) {
    children_t children;
    if (npids == 0)
      return waitv(watch, n, NULL, timeout_ms);
    if (open_children(&children, pids, npids) == 0) {
      int rc;
      if (children.n < npids)
        rc = 0; /* one ended and was reaped: look again */
      else if (n == 0)
        rc = wait_children(&children, timeout_ms);
      else
        rc = wait_with_helper(watch, n, &children, timeout_ms);
      close_children(&children);
      return rc;
    }
  }
#endif
  return poll_every_ms(watch, n, pids, npids, timeout_ms);
}

int sct__words_wait_polls(void) {
#ifdef HAVE_WAITV
  return !waitv_works();
#else
  return 1;
#endif
}

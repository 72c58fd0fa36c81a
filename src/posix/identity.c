/*
 * Owner identities and liveness on POSIX (Linux /proc).
 *
 * An identity is a pid or thread id plus the low bits of its start time
 * (field 22 of /proc/<id>/stat), because pids are reused: a lock whose
 * owner died must not look owned by a new process that got the same pid.
 * Identities are cached (the lock fast path must not read /proc); a fork
 * bumps a generation counter so the child recomputes its own.
 */
#define _GNU_SOURCE
#include "../atomics.h"
#include "../internal.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static unsigned fork_generation = 1;
static uint64_t process_cache; /* 0, or id | start << 32 */
static unsigned process_generation;
static SCT__THREAD_LOCAL uint64_t thread_cache;
static SCT__THREAD_LOCAL unsigned thread_generation;

/* Reads the state letter and start time of a /proc stat file. Returns 0,
 * or -1 when it cannot be read (the process is gone, or no /proc). */
static int read_stat(const char *path, char *state, uint64_t *start) {
  char text[1024];
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  ssize_t n = read(fd, text, sizeof text - 1);
  close(fd);
  if (n <= 0)
    return -1;
  text[n] = '\0';
  /* The command name (field 2) may hold spaces and parentheses: the
   * fields after it start after the last ')'. */
  char *p = strrchr(text, ')');
  if (!p || p[1] != ' ')
    return -1;
  p += 2;
  *state = *p;
  /* From field 3 (state) to field 22 (starttime): 19 separators. */
  for (int field = 3; field < 22; field++) {
    p = strchr(p, ' ');
    if (!p)
      return -1;
    p++;
  }
  *start = strtoull(p, NULL, 10);
  return 0;
}

static uint32_t start_bits(const char *path) {
  char state;
  uint64_t start = 0;
  if (read_stat(path, &state, &start) != 0)
    return 0; /* no /proc: liveness falls back to kill(pid, 0) */
  return (uint32_t)start & 0x7fffffffu;
}

static sct__ident_t unpack(uint64_t v) {
  sct__ident_t who = {(uint32_t)v, (uint32_t)(v >> 32)};
  return who;
}

sct__ident_t sct__self_process(void) {
  unsigned gen = sct__load_acquire(&fork_generation);
  uint64_t cached = sct__load_acquire(&process_cache);
  if (cached != 0 && sct__load_relaxed(&process_generation) == gen)
    return unpack(cached);
  uint64_t v = (uint64_t)(uint32_t)getpid() |
               (uint64_t)start_bits("/proc/self/stat") << 32;
  sct__store_release(&process_cache, v);
  sct__store_release(&process_generation, gen);
  return unpack(v);
}

sct__ident_t sct__self_thread(void) {
  unsigned gen = sct__load_relaxed(&fork_generation);
  if (thread_cache != 0 && thread_generation == gen)
    return unpack(thread_cache);
  thread_cache = (uint64_t)(uint32_t)syscall(SYS_gettid) |
                 (uint64_t)start_bits("/proc/thread-self/stat") << 32;
  thread_generation = gen;
  return unpack(thread_cache);
}

int sct__ident_alive(sct__ident_t who) {
  char path[64];
  char state;
  uint64_t start;
  snprintf(path, sizeof path, "/proc/%u/stat", (unsigned)who.id);
  if (read_stat(path, &state, &start) != 0) {
    /* Gone, or no /proc at all: ask the kernel directly. */
    return kill((pid_t)who.id, 0) == 0 || errno == EPERM;
  }
  if (state == 'Z' || state == 'X')
    return 0; /* a zombie holds nothing */
  return who.start == 0 || ((uint32_t)start & 0x7fffffffu) == who.start;
}

static void (*core_child)(void);

static void on_fork_child(void) {
  sct__fetch_add(&fork_generation, 1u);
  if (core_child)
    core_child();
}

void sct__install_fork_handlers(void (*prepare)(void), void (*parent)(void),
                                void (*child)(void)) {
  core_child = child;
  pthread_atfork(prepare, parent, on_fork_child);
}

/*
 * Sleeping on a shared word: Linux futexes. The waits are shared (not
 * FUTEX_PRIVATE_FLAG) because the word lives in memory mapped by several
 * processes. Other POSIX systems get a short sleep instead: correct, since
 * every waiter re-checks the word, but slower.
 */
#define _GNU_SOURCE
#include "../base/internal.h"

#include <errno.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>

uint32_t sct__wake_key(void) {
  return 0;
}

#ifdef __linux__
#include <sys/syscall.h>

/* The futex operations are kernel ABI, fixed for every architecture:
 * defined here rather than taken from <linux/futex.h>, which toolchains
 * without kernel headers (musl-gcc) lack. */
#define SCT_FUTEX_WAIT 0
#define SCT_FUTEX_WAKE 1

int sct__word_wait(uint32_t *word, uint32_t expected, int timeout_ms,
                   uint32_t key) {
  (void)key;
  struct timespec ts = {timeout_ms / 1000,
                        (long)(timeout_ms % 1000) * 1000000L};
  long r = syscall(SYS_futex, word, SCT_FUTEX_WAIT, expected, &ts, NULL, 0);
  if (r == -1 && errno == ETIMEDOUT)
    return SCT_ETIMEDOUT;
  return 0; /* woken, EAGAIN (the word changed) or EINTR */
}

int sct__word_wake(uint32_t *word, uint32_t key, int n) {
  (void)key;
  long woken = syscall(SYS_futex, word, SCT_FUTEX_WAKE, n, NULL, NULL, 0);
  return woken >= 0 ? (int)woken : -1;
}

#else

int sct__word_wait(uint32_t *word, uint32_t expected, int timeout_ms,
                   uint32_t key) {
  (void)key;
  (void)word;
  (void)expected;
  /* Report a timeout each time, so the caller's liveness check runs. */
  sct__sleep_ms(timeout_ms < 1 ? timeout_ms : 1);
  return SCT_ETIMEDOUT;
}

int sct__word_wake(uint32_t *word, uint32_t key, int n) {
  (void)key;
  (void)word;
  (void)n;
  return -1;
}

#endif

/* No way to sleep on a futex and a process's end at once: the caller's
 * slices find a dead owner. */
int sct__word_wait_owner(uint32_t *word, uint32_t expected, int timeout_ms,
                         uint32_t key, sct__ident_t owner) {
  (void)owner;
  return sct__word_wait(word, expected, timeout_ms, key);
}

#if defined(__linux__) && defined(SYS_membarrier)
/* linux/membarrier.h, kernel ABI (4.16). */
#define MB_QUERY 0
#define MB_GLOBAL_EXPEDITED (1 << 1)
#define MB_REGISTER_GLOBAL_EXPEDITED (1 << 2)

/* 1: this process may impose the barrier; 0: nobody on this kernel can
 * release lightly (no membarrier, or too old); -1: refused here (a
 * seccomp filter), though other sharers may have it. */
static int barrier_state;

int sct__light_release_setup(void) {
  long cmds = syscall(SYS_membarrier, MB_QUERY, 0);
  if (cmds < 0) {
    barrier_state = errno == ENOSYS ? 0 : -1;
    return 0;
  }
  if (!(cmds & MB_GLOBAL_EXPEDITED) || !(cmds & MB_REGISTER_GLOBAL_EXPEDITED)) {
    barrier_state = 0;
    return 0;
  }
  barrier_state = 1;
  return syscall(SYS_membarrier, MB_REGISTER_GLOBAL_EXPEDITED, 0) == 0;
}

int sct__heavy_barrier(void) {
  if (barrier_state != 1)
    return barrier_state;
  return syscall(SYS_membarrier, MB_GLOBAL_EXPEDITED, 0) == 0 ? 1 : -1;
}
#else
int sct__light_release_setup(void) {
  return 0;
}

int sct__heavy_barrier(void) {
  return 0;
}
#endif

int sct__cpus_available(void) {
#ifdef __linux__
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
    return CPU_COUNT(&set);
#endif
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? (int)n : 1;
}

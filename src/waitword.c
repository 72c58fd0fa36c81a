/*
 * Sleeping on a shared word until it changes: the one way the waiting
 * primitives sleep (sync.h says why no wake-up is lost). Built on the
 * platform's word wait and wake, as the locks are.
 */
#include "atomics.h"
#include "sync.h"

void sct__waitword_init(sct__waitword_t *w, uint32_t value) {
  w->sleepers = 0;
  w->wake_key = sct__wake_key();
  w->reserved = 0;
  sct__store_release(&w->value, value);
}

/* Takes this waiter off the count, which a waker may have cleared
 * meanwhile (see sct__waitword_wake): never below zero. */
static void stop_sleeping(sct__waitword_t *w) {
  uint32_t count = sct__load_relaxed(&w->sleepers);
  while (count > 0 && !sct__cas(&w->sleepers, &count, count - 1))
    ;
}

/* Rounds of 1, 2, 4, ... pause instructions (127 in all, a few
 * microseconds) watching the word before sleeping: a Queue's getter that
 * finds it empty usually sees the next put within that, and a sleep and
 * wake-up cost a system call on each side (sct_bench: queue_*). */
#define SPIN_ROUNDS 7

static int changed_while_spinning(const sct__waitword_t *w, uint32_t expected) {
  for (int round = 0; sct__spin_before_sleep && round < SPIN_ROUNDS; round++) {
    if (sct__load_acquire(&w->value) != expected)
      return 1;
    for (int i = 0; i < (1 << round); i++)
      sct__cpu_relax();
  }
  return 0;
}

int sct__waitword_wait(sct__waitword_t *w, uint32_t expected, int64_t deadline,
                       int slice_ms) {
  int slice = slice_ms;
  if (deadline >= 0) {
    int left = sct__ms_left(deadline);
    if (left == 0)
      return SCT_ETIMEDOUT;
    if (left < slice)
      slice = left;
  }
  if (changed_while_spinning(w, expected))
    return 0;
  sct__fetch_add(&w->sleepers, 1u);
  sct__fence();
  int rc = 0;
  if (sct__load_relaxed(&w->value) == expected)
    rc = sct__word_wait(&w->value, expected, slice, w->wake_key);
  stop_sleeping(w);
  if (rc == SCT_ETIMEDOUT && (deadline < 0 || sct__ms_left(deadline) > 0))
    rc = 0; /* the slice ended, not the wait: the caller looks again */
  return rc;
}

void sct__waitword_wake(sct__waitword_t *w, int n) {
  sct__fence();
  uint32_t sleepers = sct__load_relaxed(&w->sleepers);
  if (sleepers == 0)
    return;
  if (n < 0 || (uint32_t)n > sleepers)
    n = (int)(sleepers > INT32_MAX ? INT32_MAX : sleepers);
  /* Unlike the locks (lockword.c), the count is never cleared when a wake
   * finds nobody asleep: a waiter counted just before that wake may be
   * about to sleep on the new value, and clearing its count would leave
   * it asleep through the next wake, until its slice ends. A waiter killed
   * in its sleep therefore costs every later wake a system call. */
  (void)sct__word_wake(&w->value, w->wake_key, n);
}

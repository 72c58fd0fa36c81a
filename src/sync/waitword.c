/*
 * Sleeping on a shared word until it changes: the one way the waiting
 * primitives sleep (sync.h says why no wake-up is lost). Built on the
 * platform's word wait and wake, as the locks are.
 */
#include "../base/atomics.h"
#include "sync.h"

void sct__waitword_init(sct__waitword_t *w, uint32_t value) {
  w->sleepers = 0;
  w->wake_key = sct__wake_key();
  w->entries = 0;
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

uint32_t sct__waitword_missed;

/* A waiter on its way to sleep: a new entry, which also clears the
 * drained mark. */
static void enter(sct__waitword_t *w) {
  uint32_t seen = sct__load_relaxed(&w->entries);
  while (!sct__cas(&w->entries, &seen, (seen + 2u) & ~1u))
    ;
}

void sct__waitword_enter(sct__waitword_t *w) {
  sct__fetch_add(&w->sleepers, 1u);
  enter(w);
  sct__fence();
}

void sct__waitword_leave(sct__waitword_t *w) {
  stop_sleeping(w);
}

int sct__waitword_wait(sct__waitword_t *w, uint32_t expected, int64_t deadline,
                       int slice_ms) {
  int slice = sct__slice_until(deadline, slice_ms);
  if (slice == 0)
    return SCT_ETIMEDOUT;
  if (changed_while_spinning(w, expected))
    return 0;
  sct__waitword_enter(w);
  int rc = 0;
  if (sct__load_relaxed(&w->value) == expected)
    rc = sct__word_wait(&w->value, expected, slice, w->wake_key);
  if (rc == SCT_ETIMEDOUT && sct__load_relaxed(&w->value) != expected)
    sct__fetch_add(&sct__waitword_missed, 1u);
  sct__waitword_leave(w);
  if (rc == SCT_ETIMEDOUT && (deadline < 0 || sct__ms_left(deadline) > 0))
    rc = 0; /* the slice ended, not the wait: the caller looks again */
  return rc;
}

/* How many of the counted sleepers to wake for @p n (0: none sleeps). */
static int to_wake(const sct__waitword_t *w, int n) {
  sct__fence();
  uint32_t sleepers = sct__load_relaxed(&w->sleepers);
  if (sleepers == 0)
    return 0;
  if (n < 0 || (uint32_t)n > sleepers)
    n = (int)(sleepers > INT32_MAX ? INT32_MAX : sleepers);
  return n;
}

void sct__waitword_wake(sct__waitword_t *w, int n) {
  n = to_wake(w, n);
  if (n == 0)
    return;
  /* Unlike the locks (lockword.c), the count is never cleared when a wake
   * finds nobody asleep: a waiter counted just before that wake may be
   * about to sleep on the new value, and clearing its count would leave
   * it asleep through the next wake, until its slice ends. A waiter killed
   * in its sleep therefore costs every later wake a system call. */
  (void)sct__word_wake(&w->value, w->wake_key, n);
}

/*
 * Why skipping on the drained mark loses no wake-up. A waker reads
 * `entries` (token) before it changes the value and marks the word
 * drained only if its wake found nobody asleep and `entries` still equals
 * the token. Waiters that entered before the token read their expected
 * value before that, so before the change: they cannot sleep any more
 * (the futex compares the value). Waiters entering later change
 * `entries`, and the mark is not made. So while the mark stands, no
 * counted waiter is asleep or can fall asleep. A later waker reads the
 * mark after changing the value (sequentially consistent on both sides):
 * a waiter entering after that read sees the new value and does not
 * sleep; one entering before it has cleared the mark. Where the OS does
 * not say how many it woke (-1), the word is never marked.
 */
uint32_t sct__waitword_bump(sct__waitword_t *w) {
  uint32_t token = sct__load_acquire(&w->entries);
  sct__fetch_add(&w->value, 1u);
  return token;
}

void sct__waitword_wake_bumped(sct__waitword_t *w, int n, uint32_t token) {
  n = to_wake(w, n);
  if (n == 0 || (sct__load_relaxed(&w->entries) & 1u))
    return;
  if (sct__word_wake(&w->value, w->wake_key, n) == 0)
    (void)sct__cas(&w->entries, &token, token | 1u);
}

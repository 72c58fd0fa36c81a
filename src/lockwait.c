/*
 * Waiting for a lock (the algorithm is told at the top of lockword.c):
 * spinning while that pays, then sleeping on the word in slices, one
 * waiter watching the owner for the others, a starving waiter reserving
 * the lock, and a dead owner's lock taken over by exactly one waiter.
 *
 * Why a watcher polls at all, rather than the kernel waking a waiter
 * when the owner dies. A pidfd names a process only in the opener's PID
 * namespace, the very limit the liveness file exists to get past
 * (posix/liveness.c). The kernel's robust futex list has one head per
 * thread and glibc owns it (its robust mutexes): sct's word cannot join
 * it. A thread's clear-tid address (set_tid_address) is written and
 * woken at exit only while its process has other threads, so a
 * single-threaded owner's death wakes nobody, and glibc uses the address
 * for its own joins. A watcher thread in every process would wake once a
 * slice whether or not any lock is waited for. So one waiter per lock
 * pays the slices; the other waiters cost a backstop each.
 */
#include "lockword.h"

/* A death is noticed when the slice it falls in ends: half a slice on
 * average, a whole one at worst. 15 ms keeps the median under 10 ms and
 * the worst under 25 ms with margin (20 ms put the median at 9-12 ms);
 * it costs a blocked waiter about 67 wake-ups a second, each a futex
 * timeout and one liveness query (sct_bench: lock_idle_waiter_wakeups). */
#define SLICE_MS 15
/* The other waiters' slice: a backstop, for a watcher that died. Two
 * seconds keep a hundred waiters at 50 wake-ups a second besides the
 * watcher's 67 (sct_bench: lock_crowd100_wakeups); a watcher's death is
 * made up for within two such slices. */
#define BACKSTOP_SLICE_MS 2000

/*
 * Spinning before sleeping, in rounds of 1, 2, 4, ... pause instructions
 * (a waiter that polls the word less often lets the holder run longer
 * bursts without the line moving, which is where contended throughput
 * comes from). How long a thread spins is learnt from what spinning got
 * it, not tuned for a host: the lock came free while it spun, and its
 * estimate moves a quarter of the way up to MAX_ROUNDS; the rounds ran
 * out and it slept, and the estimate moves a quarter of the way down to
 * MIN_ROUNDS (the holder holds long, or is not running: the spinning
 * burnt a CPU for nothing, as on an oversubscribed machine). One acquire
 * in EXPLORE that would spin less spins MAX_ROUNDS anyway, so a thread
 * pushed down by long holds finds short ones again. MAX_ROUNDS is a
 * bound on what one acquire burns (4,095 pauses, about 100 us at 24 ns a
 * pause), not an optimum: moving it towards the hold times seen (r + 2
 * rounds) was measured too, and polled so often that the holder's bursts
 * shrank (2.1-2.8x the robust mutex against 3.0-3.5x; bench/README.md).
 */
#define MIN_ROUNDS 4
#define MAX_ROUNDS 12
#define EXPLORE 8
#ifdef SCT_LOCK_SPIN_ROUNDS /* a fixed count, for measuring the curve */
#define FIXED_ROUNDS SCT_LOCK_SPIN_ROUNDS
#endif

/* The estimate, in sixteenths of a round; 0 before the thread's first. */
static SCT__THREAD_LOCAL int spin_estimate;
static SCT__THREAD_LOCAL unsigned spin_explore;

static int spin_budget(void) {
#ifdef FIXED_ROUNDS
  return FIXED_ROUNDS;
#else
  if (spin_estimate == 0)
    spin_estimate = MAX_ROUNDS * 16; /* learnt from the first waits */
  if (++spin_explore % EXPLORE == 0)
    return MAX_ROUNDS;
  return (spin_estimate + 8) / 16;
#endif
}

/* After spinning: it paid (the lock came free) or not. */
static void spin_learn(int paid) {
  int target = (paid ? MAX_ROUNDS : MIN_ROUNDS) * 16;
  spin_estimate += (target - spin_estimate) / 4;
}

/* How long an owner seen alive is taken to be alive still, before the
 * first sleep of an acquire that may sleep: asking costs system calls
 * (posix/liveness.c), and a lock handed back and forth between two
 * processes (a Condition ping-pong on one CPU) would pay them on every
 * hand-over. A death in that window is noticed when the first slice
 * ends instead of at once: inside the owner-death bounds. A try
 * (timeout 0) always asks. */
#define ALIVE_FRESH_NS INT64_C(2000000)

static SCT__THREAD_LOCAL struct {
  sct__ident_t who;
  int64_t at;
} last_alive;

static int owner_alive(sct__ident_t who, int before_first_sleep) {
  int64_t now = before_first_sleep ? sct__now_ns() : 0;
  if (before_first_sleep && who == last_alive.who &&
      now - last_alive.at < ALIVE_FRESH_NS)
    return 1;
  if (!sct__ident_alive(who))
    return 0;
  last_alive.who = who;
  last_alive.at = now ? now : sct__now_ns();
  return 1;
}

/* Replaces a dead owner's word @p seen by ours. 1 if we took over. */
static int take_over_if_dead(sct__lockstate_t *s, uint64_t seen, uint64_t me,
                             int before_first_sleep) {
  if (s->kind == SCT__KIND_MUTEX ||
      owner_alive(seen & OWNER_MASK, before_first_sleep))
    return 0;
  return sct__cas(&s->word, &seen, me | WAITERS);
}

/* Takes this waiter off the sleepers count, which a release may have
 * cleared meanwhile (lockword.c, at the top): never below zero. */
static void stop_sleeping(sct__lockstate_t *s) {
  uint32_t v = sct__load_relaxed(&s->sleepers);
  while ((v & COUNT_MASK) > 0 && !sct__cas(&s->sleepers, &v, v - 1))
    ;
}

/* A waiter's roles: watching the owner, and starving. */
typedef struct watch {
  int watching;      /* this waiter is the lock's watcher */
  int full_slice;    /* its last sleep lasted its whole slice */
  uint32_t beats;    /* the beats it saw before that sleep */
  int handing;       /* the free lock is reserved for this waiter */
  int64_t since;     /* when it started waiting (ns), 0 before its sleep */
} watch_t;

/* Before a sleep: whether this waiter watches (the role is free, or its
 * holder beat no more during this waiter's whole last slice, or nobody
 * sleeps although the role is taken: a watcher killed in its sleep). */
static int becomes_watcher(sct__lockstate_t *s, watch_t *w) {
  uint32_t v = sct__load_relaxed(&s->sleepers);
  int silent = (w->full_slice && (v & ~FLAGS) == w->beats) ||
               (v & COUNT_MASK) == 0;
  while (!(v & WATCHED))
    if (sct__cas(&s->sleepers, &v, v | WATCHED))
      return w->watching = 1;
  w->beats = v & ~FLAGS;
  return w->watching = silent;
}

/*
 * Starvation. An owner that releases and takes the lock again at once
 * (its release is a store, its next acquire a compare-and-swap on a line
 * it holds) wins nearly every race against a waiter on another CPU, which
 * must first see the word free. A waiter that has waited STARVE_NS
 * therefore reserves the next free lock for itself (as Go's mutex does):
 * acquirers that see the reservation do not take a free word, and a
 * release wakes every sleeper, so the starving one is among them. It
 * clears the reservation when it stops waiting; one left by a waiter that
 * died is cleared by the first waiter that finds the lock free and
 * reserved through a whole slice.
 */
#define STARVE_NS INT64_C(1000000)

static void set_flag(sct__lockstate_t *s, uint32_t flag, int on) {
  uint32_t v = sct__load_relaxed(&s->sleepers);
  while (((v & flag) != 0) != on &&
         !sct__cas(&s->sleepers, &v, on ? v | flag : v & ~flag))
    ;
}

/* Before a sleep: reserves the lock once this waiter has starved. */
static void maybe_starving(sct__lockstate_t *s, watch_t *w) {
  if (w->handing || s->kind == SCT__KIND_MUTEX)
    return;
  int64_t now = sct__now_ns();
  if (w->since == 0) {
    w->since = now;
    return;
  }
  if (now - w->since < STARVE_NS)
    return;
  uint32_t v = sct__load_relaxed(&s->sleepers);
  while (!(v & HANDOFF))
    if (sct__cas(&s->sleepers, &v, v | HANDOFF)) {
      w->handing = 1;
      return;
    }
}

/* Whether a free word may be taken by this waiter. */
static int may_take(const sct__lockstate_t *s, const watch_t *w) {
  return w->handing || !(sct__load_relaxed(&s->sleepers) & HANDOFF);
}

/* Orders a waiter's count against releases before it sleeps (see the
 * top); returns the slice, shortened where that cannot be done. */
static int order_before_sleep(const sct__lockstate_t *s, int slice);

/* A free lock reserved for another waiter: sleeps until it is released
 * again (its taker's release wakes the sleepers) or @p slice ms, and
 * clears a reservation nobody took in a whole SLICE_MS (its waiter left). */
static void wait_reserved(sct__lockstate_t *s, int slice) {
  int rc = 0;
  int whole = slice == SLICE_MS;
  sct__fetch_add(&s->sleepers, 1u);
  slice = order_before_sleep(s, slice);
  if (sct__load_relaxed(&s->word) == 0 &&
      (sct__load_relaxed(&s->sleepers) & HANDOFF))
    rc = sct__word_wait(sct__lock_wait_half(s), 0u, slice, s->wake_key);
  stop_sleeping(s);
  if (rc == SCT_ETIMEDOUT && whole && sct__load_relaxed(&s->word) == 0)
    set_flag(s, HANDOFF, 0);
}

/* A watcher that stops waiting gives the role up and wakes a sleeper to
 * take it (the new owner, or the one still there, needs watching). */
SCT__NOINLINE static void stop_watching(sct__lockstate_t *s) {
  set_flag(s, WATCHED, 0);
  if (sct__load_relaxed(&s->sleepers) & COUNT_MASK)
    (void)sct__word_wake(sct__lock_wait_half(s), s->wake_key, 1);
}

static int left_waiting(sct__lockstate_t *s, const watch_t *w, int rc) {
  if (w->handing)
    set_flag(s, HANDOFF, 0);
  if (w->watching)
    stop_watching(s);
  return rc;
}

/* A waiter whose process cannot impose the heavy barrier sleeps at most
 * this long at a time: a release elsewhere may have missed it. */
#define UNORDERED_SLICE_MS 2

static int order_before_sleep(const sct__lockstate_t *s, int slice) {
  /* The library's own mutexes are released by exchange only. */
  int barrier = s->kind == SCT__KIND_MUTEX ? 0 : sct__heavy_barrier();
  if (barrier != 1)
    sct__fence();
  return barrier < 0 && slice > UNORDERED_SLICE_MS ? UNORDERED_SLICE_MS
                                                   : slice;
}

/* Sleeps once on the word while it still shows @p seen's owner. */
static int sleep_on(sct__lockstate_t *s, uint64_t seen, int slice) {
  int rc = 0;
  sct__fetch_add(&s->sleepers, 1u);
  if (!(seen & WAITERS)) {
    uint64_t marked = seen | WAITERS;
    if (!sct__cas(&s->word, &seen, marked)) {
      stop_sleeping(s);
      return 0; /* changed meanwhile: look again */
    }
    seen = marked;
  }
  slice = order_before_sleep(s, slice);
  if (s->kind == SCT__KIND_MUTEX)
    rc = sct__word_wait(sct__lock_wait_half(s), (uint32_t)(seen >> 32), slice,
                        s->wake_key);
  else
    rc = sct__word_wait_owner(sct__lock_wait_half(s), (uint32_t)(seen >> 32), slice,
                              s->wake_key, seen & OWNER_MASK);
  stop_sleeping(s);
  return rc;
}

int sct__lock_wait(sct__lockstate_t *s, uint64_t me, int timeout_ms) {
  int64_t deadline = sct__deadline(timeout_ms);
  int budget = timeout_ms == 0 || !sct__spin_before_sleep ? 0 : spin_budget();
  int round = 0;
  int slept = 0; /* woken, not timed out: the owner was just seen alive */
  int sleeps = 0;
  watch_t w = {0, 0, 0, 0, 0};

  for (;;) {
    uint64_t seen = sct__load_relaxed(&s->word);
    if (seen == 0) {
      if (!may_take(s, &w)) {
        /* The caller's timeout holds here too: a try does not wait. */
        int slice = timeout_ms == 0   ? 0
                    : timeout_ms > 0 ? sct__slice_until(deadline, SLICE_MS)
                                     : SLICE_MS;
        if (slice == 0)
          return left_waiting(s, &w, SCT_ETIMEDOUT);
        wait_reserved(s, slice);
        continue;
      }
      uint64_t mark =
          sct__load_relaxed(&s->sleepers) & COUNT_MASK ? WAITERS : 0;
      if (sct__cas(&s->word, &seen, me | mark)) {
        if (budget > 0 && sleeps == 0)
          spin_learn(1);
        return left_waiting(s, &w, sct__lock_took(s, me, 0));
      }
      continue;
    }
    if (round < budget) {
      for (int i = 0; i < (1 << round); i++)
        sct__cpu_relax();
      round++;
      continue;
    }
    if (budget > 0 && sleeps == 0 && round == budget) {
      spin_learn(0);
      round++;
    }
    /* Ask about the owner before the first sleep, so an owner that is
     * already dead costs no slice, and after every slice. */
    if (!slept &&
        take_over_if_dead(s, seen, me, sleeps == 0 && timeout_ms != 0))
      return left_waiting(s, &w, sct__lock_took(s, me, SCT_EOWNERDEAD));
    if (timeout_ms == 0)
      return SCT_ETIMEDOUT;
    maybe_starving(s, &w);
    /* The library's own mutexes have no owner to watch. */
    int watches = s->kind != SCT__KIND_MUTEX &&
                  (w.watching || becomes_watcher(s, &w));
    int slice = watches ? SLICE_MS : BACKSTOP_SLICE_MS;
    if (timeout_ms > 0 && (slice = sct__slice_until(deadline, slice)) == 0)
      return left_waiting(s, &w, SCT_ETIMEDOUT);
    /* Woken: the owner was alive a moment ago, unless the platform says
     * it just ended (SCT_EOWNERDEAD): then ask at once. */
    int woke = sleep_on(s, seen, slice);
    sleeps++;
    slept = woke != SCT_ETIMEDOUT && woke != SCT_EOWNERDEAD;
    w.full_slice = woke == SCT_ETIMEDOUT && slice == BACKSTOP_SLICE_MS;
    if (w.watching)
      sct__fetch_add(&s->sleepers, BEAT);
  }
}

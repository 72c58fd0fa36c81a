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
#include "../base/testhook.h"

/* A death is noticed when the slice it falls in ends: half a slice on
 * average, a whole one at worst. 15 ms keeps the median under 10 ms and
 * the worst under 25 ms with margin (20 ms put the median at 9-12 ms);
 * it costs a blocked waiter about 67 wake-ups a second, each a futex
 * timeout and one liveness query (sct_bench: lock_idle_waiter_wakeups). */
#define SLICE_MS 15
/* The watcher's slice while other waiters sleep too: a crowd's wake-ups
 * are mostly the backstops below, and with 15 ms a hundred waiters
 * noticed a death in 9.5 ms in the median run and over 10 ms in one of
 * five (sct_bench: lock_crowd100_death_median). */
#define CROWD_SLICE_MS 10
/* The other waiters' slice: a backstop, for a watcher that died. Four
 * seconds keep a hundred waiters at 25 wake-ups a second besides the
 * watcher's 100 (sct_bench: lock_crowd100_wakeups); a watcher's death is
 * made up for within two such slices. */
#define BACKSTOP_SLICE_MS 4000

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

/* A waiter's roles: watching the owner, and its turn (claimed, given
 * to another, or reserved for a waiter that may have died). */
typedef struct watch {
  int watching;      /* this waiter is the lock's watcher */
  int full_slice;    /* its last sleep lasted its whole slice */
  uint32_t beats;    /* the beats it saw before that sleep */
  int handing;       /* the free lock is reserved for this waiter */
  int yielded;       /* it saw the lock reserved for another */
  int free_seen;     /* its last look found the word free */
  int64_t stale_since; /* it found the lock free and reserved since (ns) */
  int64_t since;     /* when it started waiting, or yielded (ns) */
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
 * Turns. An owner that releases and takes the lock again at once (its
 * release is a store, its next acquire a compare-and-swap on a line it
 * holds) wins nearly every race against a waiter on another CPU, which
 * must first see the word free. Left alone, one of two processes got a
 * twentieth of an even share in some runs, and waited tens of
 * microseconds for most of its turns (bench/README.md). So turns go by
 * time, in three rules:
 *
 * - A waiter that has spun CLAIM_NS reserves the next free lock for
 *   itself (a flag, as Go's mutex has for starving waiters) and keeps
 *   spinning, looking at the word every CLAIMED_PROBE pauses now.
 *   Acquirers that see the reservation do not take a free word.
 * - An acquirer that saw the lock reserved for another yields: it takes
 *   the lock only through a claim of its own, CLAIM_NS later. Otherwise
 *   the holder that gave its turn away would take the lock back at its
 *   taker's first release, and the taker would get one turn per claim.
 * - A waiter that finds the word free looks once more after a few pauses
 *   before taking it: a holder between two of its own turns takes the
 *   word back within nanoseconds, and taking it then would only trade
 *   single turns back and forth (each a wait of microseconds for one of
 *   the two). A holder that is done leaves it free.
 *
 * So while two processes spin for the lock each holds it in bursts of
 * about CLAIM_NS, and a turn changes hands between running processes,
 * not through a sleep. The bound is a time, not a count of spins, so it
 * means the same on every host. Its size trades the rare long wait (one
 * per burst) against the cost of changing hands (two cache-line
 * transfers): measured on 2 cores, two processes incrementing under
 * the lock, 3 us gave 1.9-2.2x the robust pthread mutex's throughput
 * with a 99th percentile wait 2.2x its, 10 us 3.4-3.7x and 0.25x, each
 * of the two within 4% of an even share (one-second windows, four to six
 * per setting; bench/README.md).
 *
 * A claim made while spinning is given back before the waiter sleeps: a
 * sleeper's turn would stop everyone for the time it takes to wake. A
 * waiter that has waited STARVE_NS keeps its reservation through its
 * sleeps, and a release then wakes every sleeper so the starving one is
 * among them. A waiter clears the reservation when it stops waiting; one
 * left by a waiter that died is cleared by a waiter that keeps finding
 * the lock free and reserved (STALE_NS, below).
 */
#define CLAIM_NS INT64_C(10000)
#define STARVE_NS INT64_C(1000000)
/* The clock is read only from this spinning round on (it costs as much
 * as a short round); a free word is looked at again after a round of
 * 2^FREE_LOOK_ROUND pauses. */
#define CLAIM_FROM_ROUND 3
#define FREE_LOOK_ROUND 4
#define CLAIMED_PROBE 4

static void set_flag(sct__lockstate_t *s, uint32_t flag, int on) {
  uint32_t v = sct__load_relaxed(&s->sleepers);
  while (((v & flag) != 0) != on &&
         !sct__cas(&s->sleepers, &v, on ? v | flag : v & ~flag))
    ;
}

/* Reserves the next free lock for this waiter if nobody else has. */
static void claim(sct__lockstate_t *s, watch_t *w) {
  uint32_t v = sct__load_relaxed(&s->sleepers);
  while (!(v & HANDOFF))
    if (sct__cas(&s->sleepers, &v, v | HANDOFF)) {
      w->handing = 1;
      SCT__TEST_HOOK("lock.claimed", s);
      return;
    }
}

/* While spinning: claims the next turn once this waiter waited CLAIM_NS. */
static void maybe_claim_turn(sct__lockstate_t *s, watch_t *w) {
  if (!w->handing && s->kind != SCT__KIND_MUTEX &&
      sct__now_ns() - w->since >= CLAIM_NS)
    claim(s, w);
}

/* Gives this waiter's reservation back, if it holds one. */
static void unclaim(sct__lockstate_t *s, watch_t *w) {
  if (w->handing)
    set_flag(s, HANDOFF, 0);
  w->handing = 0;
}

/* Before a sleep: keeps (or makes) the reservation of a waiter that has
 * starved, gives back a spinner's claim otherwise. */
static void claim_for_sleep(sct__lockstate_t *s, watch_t *w) {
  if (s->kind == SCT__KIND_MUTEX)
    return;
  if (sct__now_ns() - w->since < STARVE_NS)
    unclaim(s, w);
  else if (!w->handing)
    claim(s, w);
}

/* One spinning round: 2^round pauses; a claimant looks at the word
 * between them and stops as soon as it is free. */
static void spin_round(const sct__lockstate_t *s, int round, int claimed) {
  for (int i = 1; i <= 1 << round; i++) {
    sct__cpu_relax();
    if (claimed && i % CLAIMED_PROBE == 0 && sct__load_relaxed(&s->word) == 0)
      return;
  }
}

/* Whether a free word may be taken by this waiter: one that saw a turn
 * given to another waits for its own claim, or the holder that gave the
 * turn away would take the lock back at its taker's first release. */
static int may_take(const sct__lockstate_t *s, const watch_t *w) {
  return w->handing ||
         (!w->yielded && !(sct__load_relaxed(&s->sleepers) & HANDOFF));
}

/* Notes that the lock was seen reserved for another waiter: this one's
 * claim is CLAIM_NS away from now. */
static void note_reserved(const sct__lockstate_t *s, watch_t *w) {
  if (!w->handing && !w->yielded &&
      (sct__load_relaxed(&s->sleepers) & HANDOFF)) {
    w->yielded = 1;
    w->since = sct__now_ns();
  }
}

/* Orders a waiter's count against releases before it sleeps (see the
 * top); returns the slice, shortened where that cannot be done. */
static int order_before_sleep(const sct__lockstate_t *s, int slice);

/* A free lock reserved for another waiter: sleeps until it is released
 * again (its taker's release wakes the sleepers) or @p slice ms. */
static void wait_reserved(sct__lockstate_t *s, int slice) {
  sct__fetch_add(&s->sleepers, 1u);
  slice = order_before_sleep(s, slice);
  if (sct__load_relaxed(&s->word) == 0 &&
      (sct__load_relaxed(&s->sleepers) & HANDOFF))
    (void)sct__word_wait(sct__lock_wait_half(s), 0u, slice, s->wake_key);
  stop_sleeping(s);
}

/*
 * A reservation nobody takes. A claimant that spins takes the free lock
 * within microseconds, a starving one asleep when its release's wake-up
 * runs it; one that found the lock free and reserved for STALE_NS has
 * seen a claimant that died (killed while it waited) or left without
 * clearing: it clears the reservation. Clearing a live claimant's costs
 * only its turn (it may still take any free word). A try never defers to
 * a reservation (lockword.c), so no lock looks held for ever.
 */
#define STALE_NS INT64_C(1000000)

/* Whether the reservation this waiter keeps finding on the free lock has
 * gone stale (and was cleared); otherwise the milliseconds to sleep at
 * most before it looks again. */
static int clear_if_stale(sct__lockstate_t *s, watch_t *w, int *slice) {
  int64_t now = sct__now_ns();
  if (w->stale_since == 0)
    w->stale_since = now;
  int64_t left = STALE_NS - (now - w->stale_since);
  if (left <= 0) {
    set_flag(s, HANDOFF, 0);
    w->stale_since = 0;
    return 1;
  }
  int ms = (int)((left + 999999) / 1000000);
  if (ms < *slice)
    *slice = ms;
  return 0;
}

/* A watcher that stops waiting gives the role up and wakes a sleeper to
 * take it (the new owner, or the one still there, needs watching). */
SCT__NOINLINE static void stop_watching(sct__lockstate_t *s) {
  set_flag(s, WATCHED, 0);
  if (sct__load_relaxed(&s->sleepers) & COUNT_MASK)
    (void)sct__word_wake(sct__lock_wait_half(s), s->wake_key, 1);
}

static int left_waiting(sct__lockstate_t *s, watch_t *w, int rc) {
  unclaim(s, w);
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

int sct__lock_wait(sct__lockstate_t *s, uint64_t me, int timeout_ms,
                   int saw_reserved) {
  int64_t started = sct__now_ns();
  int64_t deadline = sct__deadline_from(started, timeout_ms);
  int budget = timeout_ms == 0 || !sct__spin_before_sleep ? 0 : spin_budget();
  int round = 0;
  int slept = 0; /* woken, not timed out: the owner was just seen alive */
  int sleeps = 0;
  watch_t w = {0};
  w.yielded = saw_reserved;
  w.since = started;

  for (;;) {
    uint64_t seen = sct__load_relaxed(&s->word);
    note_reserved(s, &w);
    if (seen == 0 && may_take(s, &w)) {
      if (!w.handing && !w.free_seen) {
        /* A word free once may be a holder's between two of its own
         * turns: taking it then would only trade turns back and forth. */
        w.free_seen = 1;
        spin_round(s, FREE_LOOK_ROUND, 0);
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
    w.free_seen = 0;
    if (seen != 0)
      w.stale_since = 0;
    if (round < budget) {
      /* Held, or free and reserved: for another waiter about to take
       * it, or, until this one claims its turn, for the one it let in. */
      spin_round(s, round, w.handing);
      round++;
      if (round >= CLAIM_FROM_ROUND)
        maybe_claim_turn(s, &w);
      continue;
    }
    if (seen == 0) {
      if (!(sct__load_relaxed(&s->sleepers) & HANDOFF)) {
        claim(s, &w); /* it yielded, and has spun long enough */
        continue;
      }
      /* Reserved for another, who has not taken it yet. The caller's
       * timeout holds here too: a try does not wait. */
      int slice = timeout_ms == 0   ? 0
                  : timeout_ms > 0 ? sct__slice_until(deadline, SLICE_MS)
                                   : SLICE_MS;
      if (slice == 0)
        return left_waiting(s, &w, SCT_ETIMEDOUT);
      if (clear_if_stale(s, &w, &slice))
        continue;
      claim_for_sleep(s, &w);
      wait_reserved(s, slice);
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
      return left_waiting(s, &w, SCT_ETIMEDOUT);
    claim_for_sleep(s, &w);
    /* The library's own mutexes have no owner to watch. */
    int watches = s->kind != SCT__KIND_MUTEX &&
                  (w.watching || becomes_watcher(s, &w));
    int crowd = (sct__load_relaxed(&s->sleepers) & COUNT_MASK) != 0;
    int slice = !watches ? BACKSTOP_SLICE_MS
                : crowd  ? CROWD_SLICE_MS
                         : SLICE_MS;
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

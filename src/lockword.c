/*
 * The lock algorithm, shared by Lock, RLock and the library's own mutexes.
 *
 * One 64-bit word holds the owner (id and start time, see platform.h) and
 * a waiters bit. Acquiring is a single compare-and-swap from 0 to the
 * caller's identity, so the lock is never held by an unknown owner and the
 * uncontended path makes no system call. Release swaps in 0 and makes a
 * wake call only when the waiters bit was set.
 *
 * The bit is set by a waiter before it sleeps, and by an acquirer only
 * while the sleepers count says someone still sleeps: a woken waiter that
 * takes the lock does not make every later release pay for a wake call
 * (the sticky "contended" state of the classic futex mutex). A waiter
 * killed while asleep leaves the count high, which costs wake calls but
 * never correctness.
 *
 * Owner death: a waiter sleeps at most SLICE_MS at a time and, at each
 * timeout, checks whether the owner is still alive; if not, it replaces the
 * dead owner's word by its own with a compare-and-swap, so exactly one
 * waiter takes over and gets SCT_EOWNERDEAD. glibc's robust mutexes cannot
 * be used for this: they cannot give a Lock that another process
 * releases, and a hand-made lock cannot join glibc's robust list.
 */
#include "atomics.h"
#include "internal.h"

#define WAITERS (UINT64_C(1) << 63)
#define OWNER_MASK (~WAITERS)
#define SLICE_MS 20
/* Spinning before sleeping: rounds of 1, 2, 4, ... pause instructions
 * (about a thousand in all). Measured with sct_bench on 2 cores, 2 and 4
 * contending processes, against a robust pthread mutex: 6 rounds 1.7x,
 * 8 rounds 2.4x, 10 rounds 2.9x, with fairness above 0.8 throughout. */
#define SPIN_ROUNDS 10

static uint64_t ident_word(sct__ident_t who) {
  return (uint64_t)who.id | ((uint64_t)(who.start & 0x7fffffffu) << 32);
}

static sct__ident_t word_ident(uint64_t word) {
  sct__ident_t who;
  who.id = (uint32_t)word;
  who.start = (uint32_t)(word >> 32) & 0x7fffffffu;
  return who;
}

/* A Lock belongs to a process (any thread may release it); an RLock to
 * one thread. */
static uint64_t self_word(const sct__lockstate_t *s) {
  return ident_word(s->kind == SCT_RLOCK ? sct__self_thread()
                                         : sct__self_process());
}

/* Futexes are 32 bits wide: waiters sleep on the half of the word that
 * holds the waiters bit and the owner's start time, so any release (which
 * clears the bit) changes it. */
static uint32_t *wait_half(sct__lockstate_t *s) {
  static const union {
    uint16_t value;
    unsigned char bytes[2];
  } probe = {1};
  return (uint32_t *)(void *)&s->word + (probe.bytes[0] == 1 ? 1 : 0);
}

void sct__lockstate_init(sct__lockstate_t *s, sct_lock_kind_t kind) {
  s->count = 0;
  s->sleepers = 0;
  s->wake_key = sct__wake_key();
  s->kind = (uint32_t)kind;
  sct__store_release(&s->word, UINT64_C(0));
}

static int took(sct__lockstate_t *s, int rc) {
  if (s->kind == SCT_RLOCK)
    s->count = 1;
  return rc;
}

/* Replaces a dead owner's word @p seen by ours. 1 if we took over. */
static int take_over_if_dead(sct__lockstate_t *s, uint64_t seen, uint64_t me) {
  if (sct__ident_alive(word_ident(seen & OWNER_MASK)))
    return 0;
  return sct__cas(&s->word, &seen, me | WAITERS);
}

/* Sleeps once on the word while it still shows @p seen's owner. */
static int sleep_on(sct__lockstate_t *s, uint64_t seen, int slice) {
  int rc = 0;
  sct__fetch_add(&s->sleepers, 1u);
  if (!(seen & WAITERS)) {
    uint64_t marked = seen | WAITERS;
    if (!sct__cas(&s->word, &seen, marked)) {
      sct__fetch_add(&s->sleepers, (uint32_t)-1);
      return 0; /* changed meanwhile: look again */
    }
    seen = marked;
  }
  rc = sct__word_wait(wait_half(s), (uint32_t)(seen >> 32), slice, s->wake_key);
  sct__fetch_add(&s->sleepers, (uint32_t)-1);
  return rc;
}

static int acquire_slow(sct__lockstate_t *s, uint64_t me, int timeout_ms) {
  int64_t deadline = timeout_ms > 0 ? sct__now_ms() + timeout_ms : 0;
  int spins = timeout_ms == 0 ? 0 : SPIN_ROUNDS;

  for (;;) {
    uint64_t seen = sct__load_relaxed(&s->word);
    if (seen == 0) {
      uint64_t mark = sct__load_relaxed(&s->sleepers) ? WAITERS : 0;
      if (sct__cas(&s->word, &seen, me | mark))
        return took(s, 0);
      continue;
    }
    if (spins > 0) {
      /* Exponential backoff: a waiter that polls the word less often
       * lets the holder run longer bursts without the cache line
       * moving, which is where contended throughput comes from. */
      for (int i = 0; i < (1 << (SPIN_ROUNDS - spins)); i++)
        sct__cpu_relax();
      spins--;
      continue;
    }
    if (timeout_ms == 0)
      return take_over_if_dead(s, seen, me) ? took(s, SCT_EOWNERDEAD)
                                            : SCT_ETIMEDOUT;
    int slice = SLICE_MS;
    if (timeout_ms > 0) {
      int64_t left = deadline - sct__now_ms();
      if (left <= 0)
        return SCT_ETIMEDOUT;
      if (left < slice)
        slice = (int)left;
    }
    if (sleep_on(s, seen, slice) == SCT_ETIMEDOUT) {
      seen = sct__load_relaxed(&s->word);
      if (seen != 0 && take_over_if_dead(s, seen, me))
        return took(s, SCT_EOWNERDEAD);
    }
  }
}

int sct__lockstate_acquire(sct__lockstate_t *s, int timeout_ms) {
  uint64_t me = self_word(s);
  uint64_t seen = 0;
  if (sct__cas(&s->word, &seen, me))
    return took(s, 0);
  if (s->kind == SCT_RLOCK && (seen & OWNER_MASK) == me) {
    if (s->count == UINT32_MAX)
      return SCT_EOVERFLOW;
    s->count++;
    return 0;
  }
  return acquire_slow(s, me, timeout_ms);
}

int sct__lockstate_release(sct__lockstate_t *s) {
  if (s->kind == SCT_RLOCK) {
    uint64_t seen = sct__load_relaxed(&s->word);
    if ((seen & OWNER_MASK) != self_word(s))
      return SCT_ENOTHELD;
    if (s->count > 1) {
      s->count--;
      return 0;
    }
    s->count = 0;
  }
  uint64_t old = sct__exchange(&s->word, UINT64_C(0));
  if (old == 0)
    return SCT_ENOTHELD;
  if (old & WAITERS)
    sct__word_wake(wait_half(s), s->wake_key);
  return 0;
}

long sct__lockstate_owner(const sct__lockstate_t *s) {
  uint64_t word = sct__load_acquire(&s->word);
  return word == 0 ? 0 : (long)(uint32_t)word;
}

unsigned sct__lockstate_count(const sct__lockstate_t *s) {
  uint64_t word = sct__load_acquire(&s->word);
  if (word == 0)
    return 0;
  return s->kind == SCT_RLOCK ? s->count : 1;
}

void sct__mutex_lock(sct__mutex_t *m) {
  (void)sct__lockstate_acquire(m, SCT_INFINITE);
}

void sct__mutex_unlock(sct__mutex_t *m) {
  (void)sct__lockstate_release(m);
}

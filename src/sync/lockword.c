/*
 * The lock algorithm, shared by Lock, RLock and the library's own mutexes.
 *
 * One 64-bit word holds the owner's identity (platform.h: sct__ident_t)
 * and a waiters bit. Acquiring is a single compare-and-swap from 0 to the
 * caller's identity, so the lock is never held by an unknown owner and the
 * uncontended path makes no system call. Release stores 0 and makes a
 * wake call only when the sleepers count says someone sleeps.
 *
 * Release without a locked instruction. A release must not miss a waiter
 * that counted itself just before: a store followed by a load of another
 * word, which a CPU may reorder (its store still buffered while it
 * loads). Where the OS lets waiters impose a barrier on every CPU that
 * runs a sharer (Linux membarrier, platform.h: sct__heavy_barrier), the
 * owner's release is a plain store and a plain load, and a waiter counts
 * itself, calls the heavy barrier, and only then sleeps on the word (the
 * kernel compares it): either the release's store was drained by the
 * barrier and the waiter does not sleep, or the release's load comes
 * after the barrier and sees the count. Elsewhere, and for a Lock
 * released by another process than its owner, the release is an
 * exchange, which orders the two itself. (The heavy barrier costs a
 * waiter microseconds, paid only before it sleeps, after spinning.)
 *
 * The waiters bit makes the value a waiter sleeps on differ from any
 * fresh acquisition's: it is set by a waiter before it sleeps, and by an
 * acquirer only while the sleepers count says someone still sleeps.
 *
 * A waiter killed while asleep never takes itself off the count, which
 * would make every later release pay for a wake call. The count heals on
 * the first release that wakes nobody although it was not zero: nobody
 * sleeps on the word then, so every waiter still counted is dead or
 * between counting itself and sleeping, and the count is cleared (unless
 * the lock was taken again meanwhile, marked for those waiters). A
 * waiter of the second kind finds the word changed when it tries to sleep
 * and looks again; its own decrement stops at zero. Were it to sleep
 * uncounted after all (the word back to the very value it expects), the
 * worst case is that it wakes at the end of its slice instead of at the
 * next release: a delay, never a lost lock.
 *
 * Owner death: a waiter checks whether the owner lives before its first
 * sleep and after every slice; if not, it replaces the dead owner's word
 * by its own with a compare-and-swap, so exactly one waiter takes over
 * and gets SCT_EOWNERDEAD. One waiter per lock, the watcher, sleeps in
 * slices of SLICE_MS, so a death is noticed within one; the others sleep
 * BACKSTOP_SLICE_MS at a time (a hundred blocked waiters cost 117 wake-ups
 * a second, not 6,700). The watcher beats (a count in the sleepers word)
 * after each slice; a waiter that slept a whole slice of its own without
 * a beat takes the role over from a watcher that died, and a watcher that
 * stops waiting (it got the lock) gives the role up and wakes a sleeper
 * to take it. Whether an identity lives is
 * the platform's to say, and it says alive whenever it cannot tell (a
 * false death would give the lock two holders). glibc's robust mutexes
 * cannot be used for this: they cannot give a Lock that another process
 * releases, and a hand-made lock cannot join glibc's robust list.
 */
#include "lockword.h"
#include "../base/inspect.h"

/* A Lock belongs to a process (any thread may release it); an RLock to
 * one thread. Fails only when the caller cannot be registered as an
 * owner. */
static int self_word(const sct__lockstate_t *s, uint64_t *me) {
  switch (s->kind) {
  case SCT_RLOCK:
    *me = sct__thread_ident;
    return *me != 0 ? 0 : sct__self_thread(me);
  case SCT__KIND_MUTEX: *me = MUTEX_OWNER; return 0;
  default: return sct__self_process(me);
  }
}

static void init_state(sct__lockstate_t *s, uint32_t kind) {
  s->count = 0;
  s->sleepers = 0;
  s->wake_key = kind == SCT__KIND_MUTEX ? 0 : sct__wake_key();
  s->kind = kind;
  sct__store_release(&s->word, UINT64_C(0));
}

void sct__lockstate_init(sct__lockstate_t *s, sct_lock_kind_t kind) {
  init_state(s, (uint32_t)kind);
}

void sct__mutex_init(sct__mutex_t *m) {
  init_state(m, SCT__KIND_MUTEX);
}

/* An RLock's count cannot be checked against its word: the two are not
 * read together, and a lock in use between the two reads (acquired,
 * count set, released) shows any pairing. A Lock never writes its count. */
int sct__lockstate_valid(const sct__lockstate_t *s) {
  if (s->kind == SCT_LOCK)
    return sct__load_relaxed(&s->count) == 0;
  return s->kind == SCT_RLOCK;
}

/*
 * The RLocks the calling thread holds under identity `who`. An identity
 * comes round after SCT__LIVE_GENERATIONS registrations in one slot
 * (posix/liveness.c; a server starting a thousand threads a second gets
 * there in about 25 days), and an RLock left by a dead thread with the
 * same identity would then look like the caller's own: a re-entry
 * without SCT_EOWNERDEAD, two holders. A thread that holds no RLock
 * under its identity cannot be re-entering, so that word is the dead
 * predecessor's. (A thread holding other RLocks at that moment is not
 * told: the repeat is then taken for a re-entry, as before. Counting per
 * identity rather than keeping a set of held locks costs two stores, and
 * a lock mapped at two addresses stays one lock.)
 */
static SCT__THREAD_LOCAL struct {
  sct__ident_t who;
  uint32_t depth;
} rlocks_held;

static void note_rlock_taken(uint64_t me) {
  if (rlocks_held.who != me) { /* a new identity: a fork, a re-registration */
    rlocks_held.who = me;
    rlocks_held.depth = 0;
  }
  rlocks_held.depth++;
}

static void note_rlock_released(uint64_t me) {
  if (rlocks_held.who == me && rlocks_held.depth > 0)
    rlocks_held.depth--;
}

static int holds_rlocks(uint64_t me) {
  return rlocks_held.who == me && rlocks_held.depth > 0;
}

static int took(sct__lockstate_t *s, uint64_t me, int rc) {
  if (s->kind == SCT_RLOCK) {
    sct__store_relaxed(&s->count, 1u);
    note_rlock_taken(me);
  }
  return rc;
}

int sct__lock_took(sct__lockstate_t *s, uint64_t me, int rc) {
  return took(s, me, rc);
}

/* 1 when this process's own releases may be plain stores (see the top). */
static int light_release;

void sct__lockword_setup(void) {
  light_release = sct__light_release_setup();
}

/* The caller's own word from the identity caches, without registering:
 * 0 when it has none yet (the full path registers). */
static uint64_t cached_self(uint32_t kind) {
  if (kind == SCT_RLOCK)
    return sct__thread_ident;
  return kind == SCT_LOCK ? sct__load_acquire(&sct__process_ident)
                          : MUTEX_OWNER;
}

/* Everything but a free lock taken by a registered caller. */
SCT__NOINLINE static int acquire_full(sct__lockstate_t *s, int timeout_ms) {
  timeout_ms = SCT__TIMEOUT(timeout_ms);
  uint64_t me;
  uint64_t seen = 0;
  int rc = self_word(s, &me);
  if (rc != 0)
    return rc;
  /* A free lock reserved for a waiter is left to it, except by a try,
   * which does not wait for anyone's turn (lockwait.c, "Turns"). */
  int reserved = (sct__load_relaxed(&s->sleepers) & HANDOFF) != 0;
  if ((!reserved || timeout_ms == 0) && sct__cas(&s->word, &seen, me))
    return took(s, me, 0);
  seen = sct__load_relaxed(&s->word);
  if (s->kind == SCT_RLOCK && (seen & OWNER_MASK) == me) {
    /* Our identity, but this thread holds no RLock: a dead thread's word
     * whose identity came round to ours (see rlocks_held). Nobody else
     * takes a word over from a live identity: it is ours now. */
    if (!holds_rlocks(me))
      return took(s, me, SCT_EOWNERDEAD);
    uint32_t count = sct__load_relaxed(&s->count);
    if (count == UINT32_MAX)
      return SCT_EOVERFLOW;
    sct__store_relaxed(&s->count, count + 1);
    return 0;
  }
  return sct__lock_wait(s, me, timeout_ms, reserved);
}

/* The fast path: one compare-and-swap, no call (unless a waiter
 * reserved the lock: lockwait.c, "Turns"). */
int sct__lockstate_acquire(sct__lockstate_t *s, int timeout_ms) {
  uint64_t me = cached_self(s->kind);
  uint64_t seen = 0;
  if (me != 0 && !(sct__load_relaxed(&s->sleepers) & HANDOFF) &&
      sct__cas(&s->word, &seen, me))
    return took(s, me, 0);
  return acquire_full(s, timeout_ms);
}

/* After a release: wakes a sleeper if one is counted (@p sleepers, read
 * after the word was cleared). */
SCT__NOINLINE static void wake_after_release(sct__lockstate_t *s,
                                             uint32_t sleepers) {
  /* A waiter holding a reservation while asleep (it starved) must be
   * among the woken (see lockwait.c): all the counted, then (not more: a
   * Windows semaphore keeps what nobody took). */
  int n = sleepers & HANDOFF ? (int)(sleepers & COUNT_MASK) : 1;
  if ((sleepers & COUNT_MASK) == 0 ||
      sct__word_wake(sct__lock_wait_half(s), s->wake_key, n) != 0)
    return;
  /* Nobody asleep: the counted are dead or on their way (see the top). */
  if (sct__cas(&s->sleepers, &sleepers, sleepers & ~COUNT_MASK) &&
      (sct__load_seq_cst(&s->word) & WAITERS))
    sct__fetch_add(&s->sleepers, sleepers & COUNT_MASK); /* marked: undo */
}

/* Clears the word of an owner releasing its own lock; returns the
 * sleepers count read after. */
static uint32_t clear_own(sct__lockstate_t *s) {
  if (light_release && s->kind != SCT__KIND_MUTEX) {
    sct__store_release(&s->word, UINT64_C(0));
    sct__compiler_barrier(); /* the CPU's half is the waiters' barrier */
    return sct__load_relaxed(&s->sleepers);
  }
  (void)sct__exchange_seq_cst(&s->word, UINT64_C(0));
  return sct__load_seq_cst(&s->sleepers);
}

/* Every release but an owner's last, lightly: its count, a Lock
 * released by another process, the library's mutexes, and releases
 * where this process may not release lightly. */
SCT__NOINLINE static int release_full(sct__lockstate_t *s) {
  uint64_t me;
  uint64_t seen = sct__load_relaxed(&s->word);
  if (seen == 0)
    return SCT_ENOTHELD;
  int own = self_word(s, &me) == 0 && (seen & OWNER_MASK) == me;
  if (s->kind == SCT_RLOCK) {
    if (!own)
      return SCT_ENOTHELD;
    /* The last release leaves the count at 1, which is what the next
     * acquirer writes anyway (nobody reads it of a free lock). */
    uint32_t count = sct__load_relaxed(&s->count);
    if (count > 1) {
      sct__store_relaxed(&s->count, count - 1);
      return 0;
    }
    note_rlock_released(me);
  }
  if (own) {
    wake_after_release(s, clear_own(s));
    return 0;
  }
  /* A Lock released by a process other than its owner (allowed, as in
   * Python): the word may change under it, so it is swapped. */
  if (sct__exchange_seq_cst(&s->word, UINT64_C(0)) == 0)
    return SCT_ENOTHELD;
  wake_after_release(s, sct__load_seq_cst(&s->sleepers));
  return 0;
}

/* The fast path: the owner's last release, a plain store (see the top). */
int sct__lockstate_release(sct__lockstate_t *s) {
  uint32_t kind = s->kind;
  uint64_t me = cached_self(kind);
  uint64_t seen = sct__load_relaxed(&s->word);
  if (!light_release || kind == SCT__KIND_MUTEX || me == 0 ||
      (seen & OWNER_MASK) != me ||
      (kind == SCT_RLOCK && sct__load_relaxed(&s->count) > 1))
    return release_full(s);
  if (kind == SCT_RLOCK)
    note_rlock_released(me);
  sct__store_release(&s->word, UINT64_C(0));
  sct__compiler_barrier(); /* the CPU's half is the waiters' barrier */
  uint32_t sleepers = sct__load_relaxed(&s->sleepers);
  if (sleepers & COUNT_MASK)
    wake_after_release(s, sleepers);
  return 0;
}

long sct__lockstate_owner(const sct__lockstate_t *s) {
  uint64_t word = sct__load_acquire(&s->word);
  if (word == 0)
    return 0;
  long id = sct__ident_os_id(word & OWNER_MASK);
  return id != 0 ? id : -1;
}

unsigned sct__lockstate_count(const sct__lockstate_t *s) {
  uint64_t word = sct__load_acquire(&s->word);
  if (word == 0)
    return 0;
  return s->kind == SCT_RLOCK ? sct__load_relaxed(&s->count) : 1;
}

void sct__mutex_lock_contended(sct__mutex_t *m) {
  (void)sct__lock_wait(m, MUTEX_OWNER, SCT_INFINITE, 0);
}

void sct__mutex_unlock_waking(sct__mutex_t *m, uint32_t sleepers) {
  wake_after_release(m, sleepers);
}

int sct__lockstate_held(const sct__lockstate_t *s) {
  uint64_t me;
  uint64_t word = sct__load_relaxed(&s->word);
  return word != 0 && self_word(s, &me) == 0 && (word & OWNER_MASK) == me;
}

/* A Condition's wait gives up the whole lock, whatever the recursion. */
unsigned sct__lockstate_release_all(sct__lockstate_t *s) {
  unsigned count = s->kind == SCT_RLOCK ? sct__load_relaxed(&s->count) : 1;
  if (s->kind == SCT_RLOCK)
    sct__store_relaxed(&s->count, 1u);
  (void)sct__lockstate_release(s);
  return count;
}

int sct__lockstate_restore(sct__lockstate_t *s, unsigned count) {
  int rc = sct__lockstate_acquire(s, SCT_INFINITE);
  if ((rc == 0 || rc == SCT_EOWNERDEAD) && s->kind == SCT_RLOCK)
    sct__store_relaxed(&s->count, count);
  return rc;
}

void sct__lockstate_view(const sct__lockstate_t *s, sct__lock_view_t *out) {
  uint64_t word = sct__load_acquire(&s->word);
  out->held = word != 0;
  out->owner_pid = 0;
  out->owner_alive = 0;
  out->count = sct__lockstate_count(s);
  out->waiters = sct__load_relaxed(&s->sleepers) & COUNT_MASK;
  if (word != 0 && s->kind != SCT__KIND_MUTEX) {
    out->owner_alive = sct__ident_alive(word & OWNER_MASK);
    long id = sct__ident_os_id(word & OWNER_MASK);
    out->owner_pid = id != 0 ? id : -1;
  }
}

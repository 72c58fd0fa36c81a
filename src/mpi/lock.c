/*
 * The lock word: 64 bits at the lock's home, the owner's rank + 1 in the
 * low half (0: free) and, in the high half, the rank + 1 of a waiter that
 * has reserved the next turn (0: none) and a flag saying the waiting line
 * may have waiters (the top bit). Acquiring is one compare-and-swap from
 * 0; releasing subtracts the owner's part, leaving a reservation and the
 * flag in place; only the reserving rank may take a reserved lock.
 *
 * Fairness: a rank that has waited LINE_AFTER on one node, or at once
 * across nodes (where one look at the word is a round trip as long as a
 * whole turn of the rank at the home), joins the lock's waiting line: it
 * takes a number from the line's counter (after the word), writes it in
 * its slot (one per rank, after the counter) and flags the word. The
 * waiter in the line with the smallest number reserves the next turn
 * when none is reserved, a waiter taking its turn reserves the next for
 * the next in line, and a release that finds the word flagged and no turn
 * reserved gives the next turn to the first in line (or clears the flag).
 * A flagged word is never 0, so nobody takes it past the line. So a
 * waiter is overtaken only by those that joined the line before it, and
 * no rank starves, even when ranks outnumber cores or some ranks reach
 * the home faster than others (which, without a line, won every race). A
 * waiter that times out leaves the line (its slot back to 0) and drops
 * its reservation. An MCS queue would hand the lock from
 * waiter to waiter, but hands it to ranks that are not running when ranks
 * outnumber cores, and cannot let a waiter time out without its
 * neighbours' help. The directory's lock has no line (names are made
 * rarely): its waiters reserve first come, first served.
 *
 * The owner's recursion count (an RLock's) is the owner's own business,
 * kept in its handle.
 */
#include "mpi_internal.h"
#include "../base/testhook.h"

#include <stdlib.h>

/* How long a waiter waits before it joins the line. */
#define LINE_AFTER 1e-3

#define OWNER(w) ((int64_t)((uint64_t)(w)&0xffffffffu))
#define RESERVED(w) ((int64_t)(((uint64_t)(w) >> 32) & 0x7fffffffu))
/* The line may have waiters: set by a joiner, cleared by a release that
 * finds the line empty. */
#define LINE INT64_MIN
#define LINE_COUNTER 8
#define LINE_SLOTS 16

void sct__mpi_lockref_init(lockref_t *l, sct_mpi_space_t *sp, int home,
                           uint64_t offset, int lined, int kind) {
  l->sp = sp;
  l->home = home;
  l->offset = offset;
  l->lined = lined;
  l->kind = kind;
  l->depth = 0;
  /* One node: the word is in this process's view of the home's memory. */
  l->cpu_word = sp->cpu_atomics ? (int64_t *)(sp->near[home] + offset) : NULL;
}

static int word_cas(lockref_t *l, int64_t expected, int64_t desired,
                    int64_t *old) {
  return sct__mpi_cas64(l->sp, l->home, l->offset, expected, desired, old);
}

static uint64_t slot_of(const lockref_t *l, int rank) {
  return l->offset + LINE_SLOTS + 8 * (uint64_t)rank;
}

/* A wait in progress: its number in the line (0: not in it), whether it
 * holds the reservation. */
typedef struct waiter {
  int64_t me;     /* rank + 1 */
  int64_t number; /* in the line, or 0 */
  int reserved;
} waiter_t;

/* Joins the line, then flags the word (from @p word, its last value
 * seen) so that no rank takes the free lock past the line. */
static int join_line(lockref_t *l, waiter_t *w, int64_t word) {
  int64_t taken, old;
  int rc = sct__mpi_add64(l->sp, l->home, l->offset + LINE_COUNTER, 1,
                          &taken);
  if (rc == 0) {
    w->number = taken + 1;
    rc = sct__mpi_store64(l->sp, l->home, slot_of(l, l->sp->rank),
                          w->number);
  }
  while (rc == 0 && !(word & LINE) &&
         (rc = word_cas(l, word, word | LINE, &old)) == 0 && old != word)
    word = old;
  return rc;
}

static int leave_line(lockref_t *l, waiter_t *w) {
  if (!w->number)
    return 0;
  w->number = 0;
  return sct__mpi_store64(l->sp, l->home, slot_of(l, l->sp->rank), 0);
}

/* The line's slots, read whole (malloc'd; NULL and *rc on failure).
 * Slots change one word at a time; a torn view only reorders two waiters
 * that joined at about the same moment. A waiter @p leaving the line
 * (else NULL) clears its slot in the same round trip, and its slot reads
 * as empty whichever of the two the home carried out first. */
static int64_t *read_line(lockref_t *l, waiter_t *leaving, int *rc) {
  int ranks = l->sp->size, me = l->sp->rank;
  int64_t *slots = malloc(sizeof *slots * (size_t)ranks);
  if (!slots) {
    *rc = SCT_ENOMEM;
    return NULL;
  }
  if (leaving && leaving->number) {
    leaving->number = 0;
    *rc = sct__mpi_store64_read(l->sp, l->home, slot_of(l, me), 0,
                                slot_of(l, 0), slots, ranks);
    slots[me] = 0;
  } else {
    *rc = sct__mpi_read(l->sp, l->home, slot_of(l, 0), slots, ranks,
                        MPI_INT64_T, 8 * (size_t)ranks);
  }
  if (*rc != 0) {
    free(slots);
    return NULL;
  }
  return slots;
}

/* The rank + 1 first in the line (the smallest number), or 0. */
static int64_t first_of(const int64_t *slots, int ranks) {
  int64_t first = 0, least = 0;
  for (int r = 0; r < ranks; r++)
    if (slots[r] && (!least || slots[r] < least)) {
      least = slots[r];
      first = r + 1;
    }
  return first;
}

/* Whether the caller is first in the line (or, without a line, may
 * reserve at all). */
static int first_in_line(lockref_t *l, const waiter_t *w, int *rc) {
  if (!l->lined)
    return 1;
  if (!w->number)
    return 0;
  int64_t *slots = read_line(l, NULL, rc);
  int first = slots && first_of(slots, l->sp->size) == w->me;
  free(slots);
  return first;
}

/* Reserves the next turn of the lock, whose word is @p word, for the
 * first in line; with nobody in line, makes the word @p if_empty. A
 * waiter that reserved meanwhile keeps its turn (the word differs). The
 * caller, when @p leaving the line, leaves it in the same round trip. */
static int reserve_for_first(lockref_t *l, waiter_t *leaving, int64_t word,
                             int64_t if_empty) {
  int rc;
  int64_t old, *slots = read_line(l, leaving, &rc);
  if (!slots)
    return rc;
  int64_t next = first_of(slots, l->sp->size);
  free(slots);
  /* Test builds: the chosen waiter may give up here (tests/mpi). */
  sct__mpi_hook_pause("SCT_MPI_HOOK_PASS_ON_MS");
  if (next)
    return word_cas(l, word, word | next << 32, &old);
  return if_empty != word ? word_cas(l, word, if_empty, &old) : 0;
}

/* Taken by waiter @p w from the line (the word now @p held): it leaves
 * the line and the next in line gets the reservation now, so the lock
 * goes from waiter to waiter in the line's order while it has any. */
static int pass_on(lockref_t *l, waiter_t *w, int64_t held) {
  return reserve_for_first(l, w, held, held);
}

/* Released with the line flagged and no turn reserved (@p word, the free
 * word): the first in line gets the next turn, or the flag goes when the
 * line is empty. Without this a rank that reaches the home faster than
 * the line's waiters (the home itself: with MPICH, whose remote atomics
 * wait for the home to call MPI, it took 98-99.5% of the turns between
 * two ranks on two nodes) takes the lock again before any of them can
 * reserve it. */
static int hand_on(lockref_t *l, int64_t word) {
  return reserve_for_first(l, NULL, word, 0);
}

/* A free lock reserved for a rank no longer in the line (it gave up as
 * it was chosen): the reservation is cleared, or the lock would wait for
 * nobody. */
static int clear_stale(lockref_t *l, int64_t word) {
  int rc;
  int64_t old, *slots = read_line(l, NULL, &rc);
  if (!slots)
    return rc;
  int gone = slots[RESERVED(word) - 1] == 0;
  free(slots);
  return gone ? word_cas(l, word, word & LINE, &old) : 0;
}

/* One look at the word: takes the lock when it may (1), else joins the
 * line or reserves the next turn when it is time to (0). */
static int try_once(lockref_t *l, waiter_t *w, double waited, int *rc) {
  int64_t word, old;
  /* A compare-and-swap is also the look at the word: one round trip for
   * the common case, as a bare spin lock's. It expects the word the lock
   * most likely has when free for this waiter: 0, or, for a waiter in
   * the line, flagged and reserved for it (a turn handed on), which it
   * then takes in that one round trip instead of two. */
  int64_t expect = w->number ? (LINE | w->me << 32) : 0;
  if ((*rc = word_cas(l, expect, w->me | (expect & LINE), &word)) != 0)
    return 0;
  if (word == expect || word == 0 ||
      (OWNER(word) == 0 && RESERVED(word) == w->me)) {
    /* Taken from a reservation, the line's flag stays. */
    int64_t held = w->me | (word & LINE);
    old = word;
    if (word != expect && (*rc = word_cas(l, word, held, &old)) != 0)
      return 0;
    if (old == word) {
      w->reserved = 0;
      *rc = w->number ? pass_on(l, w, held) : 0;
      return *rc == 0;
    }
    return 0;
  }
  if ((l->sp->cpu_atomics && waited < LINE_AFTER) || w->reserved)
    return 0;
  if (l->lined && !w->number) {
    *rc = join_line(l, w, word);
    return 0;
  }
  if (l->lined && OWNER(word) == 0 && RESERVED(word) != 0) {
    *rc = clear_stale(l, word);
    return 0;
  }
  if (RESERVED(word) == 0 && first_in_line(l, w, rc)) {
    if ((*rc = word_cas(l, word, word | w->me << 32, &old)) != 0)
      return 0;
    w->reserved = old == word;
  }
  return 0;
}

/* A wait that ends without the lock gives up its place: its slot, and a
 * reservation made by it or passed on to it. Only the reserved rank
 * consumes or clears a reservation once made, so clearing cannot meet
 * another's. */
static int give_up(lockref_t *l, waiter_t *w) {
  int64_t word, old;
  int rc = leave_line(l, w);
  while (rc == 0 &&
         (rc = sct__mpi_load64(l->sp, l->home, l->offset, &word)) == 0 &&
         RESERVED(word) == w->me) {
    rc = word_cas(l, word, word - (w->me << 32), &old);
    if (rc == 0 && old == word)
      break;
  }
  return rc;
}

int sct__mpi_lock_acquire(lockref_t *l, int timeout_ms) {
  waiter_t w = {l->sp->rank + 1, 0, 0};
  int64_t old;
  if (l->kind == SCT_RLOCK && l->depth > 0) {
    l->depth++;
    return 0;
  }
  /* Uncontended: one compare-and-swap (inline on one node). */
  int rc = 0;
  if (l->cpu_word) {
    old = 0;
    __atomic_compare_exchange_n(l->cpu_word, &old, w.me, 0, __ATOMIC_SEQ_CST,
                                __ATOMIC_SEQ_CST);
  } else {
    rc = word_cas(l, 0, w.me, &old);
  }
  if (rc == 0 && old == 0) {
    l->depth = 1;
    sct__mpi_sync(l->sp);
    return 0;
  }
  pause_t p;
  sct__mpi_pause_start(&p, timeout_ms);
  for (int tries = 0; rc == 0; tries++) {
    if (try_once(l, &w, sct__mpi_waited(&p), &rc)) {
      l->depth = 1;
      sct__mpi_sync(l->sp);
      return 0;
    }
    /* The next turn is ours: look often, not after a grown pause (the
     * lock stays free for nobody else meanwhile). */
    if (w.reserved)
      p.delay = 0;
    /* A lock changes hands about as fast as a round trip to its home:
     * look again at that pace, not after pauses grown far longer (a rank
     * then lost every turn to those that looked sooner). The first look,
     * made at once, measured the round trip. */
    if (tries == 0)
      sct__mpi_pause_cap(&p, sct__mpi_waited(&p), l->sp->cpu_atomics);
    if (rc == 0)
      rc = sct__mpi_pause(l->sp, &p);
  }
  int grc = give_up(l, &w);
  return grc ? grc : rc;
}

#if defined(__x86_64__) || defined(__i386__)
/* One node, x86: the owner's half of the word is its low 32 bits, and a
 * plain store of 0 there is atomic, ordered after the holder's stores,
 * and leaves the other half (which waiters change by compare-and-swap
 * while the lock is held) as it is; such a compare-and-swap that meets
 * the store fails and is made again. So a release costs a store, not a
 * locked instruction: an uncontended acquire and release took 15 ns
 * here, 10 ns with the store. (The Linux kernel's queued spinlock
 * releases its byte of a word the same way.) The load after the store
 * may be served before other CPUs see the store, so a waiter that flags
 * the line meanwhile can find the word still held while this release
 * finds no flag: the hand on is missed, and the line's first reserves
 * the free lock itself at its next look (try_once), as when it joins
 * after a release. Returns the free word as the release saw it. */
typedef uint32_t __attribute__((may_alias)) owner_half_t;

static int64_t release_near(lockref_t *l, int64_t me) {
  (void)me;
  owner_half_t *half = (owner_half_t *)l->cpu_word;
  __atomic_store_n(half, 0u, __ATOMIC_RELEASE);
  /* The other half alone: a load of the whole word would wait for the
   * store to leave the CPU (a narrower store cannot be forwarded to it),
   * as long as a locked instruction. Were the lock taken again since,
   * the word is no longer the free one and hand_on's compare-and-swap
   * fails: its new holder's release hands on. */
  int64_t word = (int64_t)((uint64_t)__atomic_load_n(half + 1,
                                                     __ATOMIC_ACQUIRE)
                           << 32);
  /* Test builds: the load may be made to miss the flag (tests/mpi). */
  SCT__TEST_HOOK("mpi.release_load", &word);
  return word;
}
#else
/* Elsewhere one atomic subtraction, which also reads the flag. */
static int64_t release_near(lockref_t *l, int64_t me) {
  return __atomic_fetch_sub(l->cpu_word, me, __ATOMIC_SEQ_CST) - me;
}
#endif

int sct__mpi_lock_release(lockref_t *l) {
  int64_t me = l->sp->rank + 1;
  if (l->depth == 0)
    return SCT_ENOTHELD;
  if (l->depth > 1) {
    l->depth--;
    return 0;
  }
  /* The caller's depth says it holds the word: giving its part back (a
   * store or a subtraction) leaves a reservation and the flag in place. */
  sct__mpi_sync(l->sp);
  l->depth = 0;
  int64_t left; /* the free word, as the release saw it */
  if (l->cpu_word) {
    left = release_near(l, me);
  } else {
    int rc = sct__mpi_add64(l->sp, l->home, l->offset, -me, &left);
    if (rc != 0)
      return rc;
    left -= me;
  }
  return (left & LINE) && RESERVED(left) == 0 ? hand_on(l, left) : 0;
}

/* ---- the public lock ---- */

static int lock_check(const sct_mpi_lock_t *lock) {
  if (!lock)
    return SCT_EINVAL;
  if (lock->magic != SCT_MPI_MAGIC_HANDLE)
    return SCT_ESTATE;
  return sct__mpi_space_check(lock->ref.sp);
}

int sct_mpi_lock(sct_mpi_space_t *sp, const char *name,
                 sct_space_mode_t mode, sct_lock_kind_t kind, int home,
                 sct_mpi_lock_t **out) {
  handle_t h;
  entry_t want;
  if (!out || (kind != SCT_LOCK && kind != SCT_RLOCK))
    return SCT_EINVAL;
  int rc = sct__mpi_entry_init(&want, name, KIND_LOCK, NULL);
  if (rc != 0)
    return rc;
  want.home = home;
  want.lock_kind = (uint32_t)kind;
  want.length = 1;
  if ((rc = sct__mpi_named(sp, mode, &want, &h)) != 0)
    return rc;
  sct_mpi_lock_t *lock = calloc(1, sizeof *lock);
  if (!lock)
    return SCT_ENOMEM;
  lock->magic = SCT_MPI_MAGIC_HANDLE;
  sct__mpi_lockref_init(&lock->ref, sp, h.e.home, h.e.lock_offset, 1,
                        (int)h.e.lock_kind);
  *out = lock;
  return 0;
}

int sct_mpi_lock_free(sct_mpi_lock_t *lock) {
  int rc = lock_check(lock);
  if (rc != 0)
    return rc;
  if (lock->borrowed)
    return SCT_EINVAL;
  lock->magic = SCT_MPI_MAGIC_FREED;
  free(lock);
  return 0;
}

int sct_mpi_lock_acquire(sct_mpi_lock_t *lock, int timeout_ms) {
  int rc = lock_check(lock);
  return rc ? rc : sct__mpi_lock_acquire(&lock->ref, timeout_ms);
}

int sct_mpi_lock_release(sct_mpi_lock_t *lock) {
  int rc = lock_check(lock);
  return rc ? rc : sct__mpi_lock_release(&lock->ref);
}

int sct_mpi_lock_owner(sct_mpi_lock_t *lock, int *rank) {
  int64_t w;
  int rc = lock_check(lock);
  if (rc != 0 || !rank)
    return rc ? rc : SCT_EINVAL;
  rc = sct__mpi_load64(lock->ref.sp, lock->ref.home, lock->ref.offset, &w);
  if (rc == 0)
    *rank = (int)OWNER(w) - 1;
  return rc;
}

int sct_mpi_lock_locked(sct_mpi_lock_t *lock) {
  int rank;
  int rc = sct_mpi_lock_owner(lock, &rank);
  return rc ? rc : rank >= 0;
}

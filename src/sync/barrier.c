/*
 * Barrier: parties arrive under the barrier's own lock, the last one runs
 * the action and starts the next round by bumping the round word, which
 * the others sleep on.
 *
 * A round ends either way by that bump; `broken_round` tells the waiters
 * of a round that it ended broken (reset, abort, a death, a timeout, a
 * failed action), and `broken` keeps later arrivals out until a reset.
 * Waiters record who they are, and while they wait each checks every
 * 20 ms whether its neighbour lives (the party that arrived just before
 * it; the first checks the last to arrive), so every waiting party is
 * watched by one other and the queries grow with the parties, not with
 * their square: one that died breaks the barrier, since the round it was
 * part of can never complete right.
 */
#include "../base/atomics.h"
#include "sync.h"
#include "../base/testhook.h"

#define MAX_PARTIES 1024u
#define CHECK_SLICE_MS 20

typedef struct barrier_state {
  sct__sync_head_t head;
  sct__lockstate_t lock;
  sct__waitword_t round;
  uint32_t parties;
  uint32_t count;
  uint32_t broken;
  uint32_t broken_round; /* the round value the last round ended with if
                           broken, another value if not */
  /* followed by the identities of this round's arrivals, one per party
   * (no flexible array member: cl warns of one, C4200) */
} barrier_state_t;

static barrier_state_t *state_of(const sct_barrier_t *barrier) {
  return (barrier_state_t *)(void *)barrier->s.state;
}

static sct__ident_t *arrived(barrier_state_t *st) {
  return (sct__ident_t *)(void *)(st + 1);
}

static size_t state_size(unsigned parties) {
  return sizeof(barrier_state_t) + parties * sizeof(sct__ident_t);
}

static int valid_parties(unsigned parties) {
  return parties >= 1 && parties <= MAX_PARTIES;
}

int sct__barrier_size(const sct__sync_params_t *p, size_t *size) {
  if (!valid_parties(p->parties))
    return SCT_EINVAL;
  *size = state_size(p->parties);
  return 0;
}

void sct__barrier_init(sct__sync_t *s, const sct__sync_params_t *p) {
  barrier_state_t *st = (barrier_state_t *)(void *)s->state;
  st->parties = p->parties;
  sct__lockstate_init(&st->lock, SCT_LOCK);
  if (s->flags & SCT__SYNC_GLOBAL)
    st->lock.wake_key |= SCT__WAKE_GLOBAL;
  sct__sync_waitword_init(s, &st->round, 0);
  /* A test may start the round counter near its wrap. */
  SCT__TEST_HOOK("barrier.init", &st->round.value);
  st->broken_round = st->round.value - 1;
}

/* Anonymous when @p name is NULL. */
static int make(sct_barrier_t **out, const char *name, unsigned parties) {
  sct__sync_params_t p = {0, 0, parties, 0, NULL, 0, 0};
  if (!out)
    return SCT_EINVAL;
  return sct__sync_make((sct__sync_t **)out, SCT__SYNC_BARRIER, &p, name);
}

int sct_barrier_new(sct_barrier_t **out, unsigned parties,
                    sct_barrier_action_fn action, void *ctx) {
  int rc = make(out, NULL, parties);
  if (rc == 0) {
    (*out)->s.action = action;
    (*out)->s.action_ctx = ctx;
  }
  return rc;
}

int sct_barrier_create_named(sct_barrier_t **out, const char *name,
                             unsigned parties) {
  return name ? make(out, name, parties) : SCT_EINVAL;
}

int sct__barrier_valid(const sct__sync_head_t *head, size_t size) {
  const barrier_state_t *st = (const barrier_state_t *)(const void *)head;
  return size >= sizeof *st && valid_parties(st->parties) &&
                 size == state_size(st->parties) && st->lock.kind == SCT_LOCK &&
                 sct__lockstate_valid(&st->lock)
             ? 0
             : SCT_ETYPE;
}

int sct_barrier_open_named(sct_barrier_t **out, const char *name,
                           unsigned flags) {
  if (!out)
    return SCT_EINVAL;
  return sct__sync_open_named((sct__sync_t **)out, SCT__SYNC_BARRIER, name,
                              flags);
}

int sct_barrier_unlink_named(const char *name) {
  return sct__sync_unlink_named(SCT__SYNC_BARRIER, name);
}

int sct_barrier_set_action(sct_barrier_t *barrier, sct_barrier_action_fn action,
                           void *ctx) {
  int rc = sct__sync_check(barrier, SCT__SYNC_BARRIER);
  if (rc == 0) {
    barrier->s.action = action;
    barrier->s.action_ctx = ctx;
  }
  return rc;
}

/* Ends the current round, lock held: its waiters wake to the verdict.
 * `broken_round` is set either way, to a value other than `next` when
 * the round was whole: left alone, its old value (0 at first) would
 * match the round whose next value wraps to it. */
static void end_round(barrier_state_t *st, int broken) {
  uint32_t round = sct__load_relaxed(&st->round.value), next = round + 1;
  st->broken_round = broken ? next : round;
  st->count = 0;
  sct__store_release(&st->round.value, next);
  sct__waitword_wake(&st->round, -1);
}

/* Breaks the barrier, lock held. */
static void break_barrier(barrier_state_t *st) {
  st->broken = 1;
  if (st->count > 0)
    end_round(st, 1);
}

/* Takes the barrier's lock. A process that died holding it died inside
 * the barrier: the barrier is broken, and the lock is ours all the same. */
static int lock_barrier(barrier_state_t *st, int64_t deadline) {
  int rc = sct__lockstate_acquire(&st->lock, sct__ms_until(deadline));
  if (rc == SCT_EOWNERDEAD) {
    break_barrier(st);
    rc = 0;
  }
  return rc;
}

/* Whether the neighbour of the party that arrived @p arrival-th still
 * lives (see the top); lock held. */
static int neighbour_alive(barrier_state_t *st, uint32_t arrival) {
  if (st->count < 2)
    return 1;
  uint32_t neighbour = (arrival + st->count - 1) % st->count;
  return sct__ident_alive(arrived(st)[neighbour]);
}

static int verdict(const barrier_state_t *st, uint32_t round) {
  return st->broken_round == round + 1 ? SCT_EBROKEN : 0;
}

/* Waits for round @p round to end, lock released. */
static int wait_round(barrier_state_t *st, uint32_t round, uint32_t arrival,
                      int64_t deadline) {
  for (;;) {
    int rc = sct__waitword_wait(&st->round, round, deadline, CHECK_SLICE_MS);
    if (sct__load_acquire(&st->round.value) != round)
      return verdict(st, round);
    /* A slice or the deadline ended: look, under the lock. */
    if (lock_barrier(st, -1) != 0)
      return SCT_EBROKEN;
    if (sct__load_relaxed(&st->round.value) != round) {
      rc = verdict(st, round);
    } else if (rc == SCT_ETIMEDOUT) {
      break_barrier(st);
      rc = SCT_ETIMEDOUT;
    } else if (!neighbour_alive(st, arrival)) {
      break_barrier(st);
      rc = SCT_EBROKEN;
    } else {
      rc = 1; /* nothing happened: sleep again */
    }
    sct__lockstate_release(&st->lock);
    if (rc != 1)
      return rc;
  }
}

int sct_barrier_wait(sct_barrier_t *barrier, int timeout_ms, unsigned *index) {
  sct__ident_t me = 0;
  int rc = sct__sync_check(barrier, SCT__SYNC_BARRIER);
  if (rc == 0)
    rc = sct__self_process(&me);
  if (rc != 0)
    return rc;
  barrier_state_t *st = state_of(barrier);
  int64_t deadline = sct__deadline_or_none(timeout_ms);
  rc = lock_barrier(st, deadline);
  if (rc != 0)
    return rc;
  if (st->broken) {
    sct__lockstate_release(&st->lock);
    return SCT_EBROKEN;
  }
  uint32_t arrival = st->count;
  uint32_t round = sct__load_relaxed(&st->round.value);
  if (index)
    *index = arrival;
  arrived(st)[arrival] = me;
  st->count = arrival + 1;
  if (st->count < st->parties) {
    sct__lockstate_release(&st->lock);
    return wait_round(st, round, arrival, deadline);
  }
  /* The last to arrive: the action, then the next round. */
  if (barrier->s.action && barrier->s.action(barrier->s.action_ctx) != 0) {
    break_barrier(st);
    rc = SCT_EBROKEN;
  } else {
    end_round(st, 0);
  }
  sct__lockstate_release(&st->lock);
  return rc;
}

/* Resets (@p reset) or aborts the barrier, under its lock. */
static int under_lock(sct_barrier_t *barrier, int reset) {
  int rc = sct__sync_check(barrier, SCT__SYNC_BARRIER);
  if (rc != 0)
    return rc;
  barrier_state_t *st = state_of(barrier);
  if ((rc = lock_barrier(st, -1)) != 0)
    return rc;
  if (!reset)
    break_barrier(st);
  else {
    if (st->count > 0)
      end_round(st, 1);
    st->broken = 0;
  }
  sct__lockstate_release(&st->lock);
  return 0;
}

int sct_barrier_reset(sct_barrier_t *barrier) {
  return under_lock(barrier, 1);
}

int sct_barrier_abort(sct_barrier_t *barrier) {
  return under_lock(barrier, 0);
}

int sct_barrier_broken(const sct_barrier_t *barrier) {
  int rc = sct__sync_check(barrier, SCT__SYNC_BARRIER);
  return rc != 0 ? rc : (int)sct__load_acquire(&state_of(barrier)->broken);
}

int sct_barrier_parties(const sct_barrier_t *barrier, unsigned *out) {
  int rc = sct__sync_check(barrier, SCT__SYNC_BARRIER);
  if (rc == 0 && !out)
    rc = SCT_EINVAL;
  if (rc == 0)
    *out = state_of(barrier)->parties;
  return rc;
}

int sct_barrier_n_waiting(const sct_barrier_t *barrier, unsigned *out) {
  int rc = sct__sync_check(barrier, SCT__SYNC_BARRIER);
  if (rc == 0 && !out)
    rc = SCT_EINVAL;
  if (rc == 0)
    *out = sct__load_acquire(&state_of(barrier)->count);
  return rc;
}

int sct_barrier_free(sct_barrier_t *barrier) {
  return sct__sync_free(barrier, SCT__SYNC_BARRIER);
}

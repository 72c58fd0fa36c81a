/*
 * Condition: a lock and wake-up tokens.
 *
 * A waiter counts itself in `waiting` while it still holds the lock, so a
 * notifier (who must hold the lock) always sees it. notify(n) turns up to
 * n of the waiting into tokens (never more tokens than waiters), bumps the
 * sequence word and wakes that many sleepers; a waiter leaves with a
 * token, or without one at its deadline. A wake-up therefore goes to
 * whoever waits, whichever process the kernel wakes, and a waiter killed
 * in its wait cannot swallow one meant for the living: the token it
 * leaves unused is taken by the next waiter (a spurious wake-up, never a
 * lost one). Nothing here waits for anybody but the lock.
 */
#include "atomics.h"
#include "sync.h"

typedef struct cond_state {
  sct__sync_head_t head;
  sct__waitword_t seq;
  uint32_t waiting;
  uint32_t tokens;
  sct__lockstate_t lock; /* named Conditions: their own lock */
} cond_state_t;

static cond_state_t *state_of(const sct_cond_t *cond) {
  return (cond_state_t *)(void *)cond->s.state;
}

static void init_state(sct__sync_t *s) {
  cond_state_t *st = (cond_state_t *)(void *)s->state;
  sct__sync_waitword_init(s, &st->seq, 0);
}

int sct_cond_new(sct_cond_t **out, sct_lock_t *lock) {
  sct__sync_t *s;
  sct_lock_t *own = NULL;
  if (!out)
    return SCT_EINVAL;
  if (lock) {
    int rc = sct__lock_check(lock);
    if (rc != 0 || (lock->flags & (SCT__LOCK_FREED | SCT__LOCK_BORROWED)))
      return SCT_EINVAL;
  } else {
    int rc = sct_lock_new(&own, SCT_RLOCK);
    if (rc != 0)
      return rc;
  }
  int rc = sct__sync_new(&s, SCT__SYNC_COND, sizeof(cond_state_t));
  if (rc != 0) {
    if (own)
      sct_lock_free(own);
    return rc;
  }
  init_state(s);
  s->lock = own ? own : sct__lock_ref(lock);
  *out = (sct_cond_t *)s;
  return 0;
}

/* A named Condition's lock lives in its page. */
static int adopt_own_lock(sct__sync_t *s) {
  cond_state_t *st = (cond_state_t *)(void *)s->state;
  return sct__lock_adopt(&s->lock, (sct_lock_kind_t)st->lock.kind, &st->lock);
}

int sct_cond_create_named(sct_cond_t **out, const char *name,
                          sct_lock_kind_t kind) {
  sct__sync_t *s;
  if (!out || (kind != SCT_LOCK && kind != SCT_RLOCK))
    return SCT_EINVAL;
  int rc =
      sct__sync_create_named(&s, SCT__SYNC_COND, name, sizeof(cond_state_t));
  if (rc != 0)
    return rc;
  cond_state_t *st = (cond_state_t *)(void *)s->state;
  init_state(s);
  sct__lockstate_init(&st->lock, kind);
  if (s->flags & SCT__SYNC_GLOBAL)
    st->lock.wake_key |= SCT__WAKE_GLOBAL;
  rc = adopt_own_lock(s);
  if (rc != 0) {
    sct__sync_discard_named(s, name);
    return rc;
  }
  sct__sync_publish(s);
  *out = (sct_cond_t *)s;
  return 0;
}

int sct__cond_valid(const sct__sync_head_t *head, size_t size) {
  const cond_state_t *st = (const cond_state_t *)(const void *)head;
  return size == sizeof *st && sct__lockstate_valid(&st->lock) ? 0
                                                                 : SCT_ETYPE;
}

int sct_cond_open_named(sct_cond_t **out, const char *name, unsigned flags) {
  sct__sync_t *s;
  if (!out)
    return SCT_EINVAL;
  int rc = sct__sync_open_named(&s, SCT__SYNC_COND, name, flags);
  if (rc == 0 && (rc = adopt_own_lock(s)) != 0)
    sct__sync_unref(s);
  if (rc == 0)
    *out = (sct_cond_t *)s;
  return rc;
}

int sct_cond_unlink_named(const char *name) {
  return sct__sync_unlink_named(SCT__SYNC_COND, name);
}

int sct_cond_lock(sct_cond_t *cond, sct_lock_t **out) {
  int rc = sct__sync_check(cond, SCT__SYNC_COND);
  if (rc == 0 && !out)
    rc = SCT_EINVAL;
  if (rc == 0)
    *out = cond->s.lock;
  return rc;
}

int sct_cond_acquire(sct_cond_t *cond, int timeout_ms) {
  int rc = sct__sync_check(cond, SCT__SYNC_COND);
  return rc != 0 ? rc : sct__lockstate_acquire(cond->s.lock->state, timeout_ms);
}

int sct_cond_release(sct_cond_t *cond) {
  int rc = sct__sync_check(cond, SCT__SYNC_COND);
  return rc != 0 ? rc : sct__lockstate_release(cond->s.lock->state);
}

static int held_by_caller(const sct_cond_t *cond) {
  int rc = sct__sync_check(cond, SCT__SYNC_COND);
  if (rc == 0 && !sct__lockstate_held(cond->s.lock->state))
    rc = SCT_ENOTHELD;
  return rc;
}

static int take_token(cond_state_t *st) {
  uint32_t tokens = sct__load_relaxed(&st->tokens);
  while (tokens > 0)
    if (sct__cas(&st->tokens, &tokens, tokens - 1)) {
      sct__fetch_add(&st->waiting, (uint32_t)-1);
      return 1;
    }
  return 0;
}

/* A waiter leaving without a token: tokens never outnumber waiters, so
 * one given for it meanwhile is not left behind as a spurious wake-up. */
static void leave(cond_state_t *st) {
  uint32_t waiting = sct__fetch_add(&st->waiting, (uint32_t)-1) - 1;
  uint32_t tokens = sct__load_relaxed(&st->tokens);
  while (tokens > waiting && !sct__cas(&st->tokens, &tokens, waiting))
    ;
}

/* Waits for a token with the lock released; the caller holds it again on
 * return, whatever happened. */
static int wait_released(sct_cond_t *cond, int64_t deadline) {
  cond_state_t *st = state_of(cond);
  sct__lockstate_t *lock = cond->s.lock->state;
  sct__fetch_add(&st->waiting, 1u);
  unsigned count = sct__lockstate_release_all(lock);
  int rc;
  for (;;) {
    uint32_t seen = sct__load_acquire(&st->seq.value);
    if (take_token(st)) {
      rc = 0;
      break;
    }
    if (sct__waitword_wait(&st->seq, seen, deadline, SCT__IDLE_SLICE_MS) ==
        SCT_ETIMEDOUT) {
      rc = take_token(st) ? 0 : SCT_ETIMEDOUT;
      if (rc != 0)
        leave(st);
      break;
    }
  }
  int lrc = sct__lockstate_restore(lock, count);
  return lrc != 0 ? lrc : rc;
}

int sct_cond_wait(sct_cond_t *cond, int timeout_ms) {
  int rc = held_by_caller(cond);
  return rc != 0 ? rc : wait_released(cond, sct__deadline_or_none(timeout_ms));
}

int sct_cond_wait_for(sct_cond_t *cond, sct_predicate_fn pred, void *ctx,
                      int timeout_ms) {
  int rc = held_by_caller(cond);
  if (rc == 0 && !pred)
    rc = SCT_EINVAL;
  int64_t deadline = sct__deadline_or_none(timeout_ms);
  while (rc == 0 && !pred(ctx)) {
    if (deadline >= 0 && sct__ms_left(deadline) == 0)
      return SCT_ETIMEDOUT;
    rc = wait_released(cond, deadline);
    if (rc == SCT_ETIMEDOUT)
      return pred(ctx) ? 0 : SCT_ETIMEDOUT;
  }
  return rc;
}

static int notify(sct_cond_t *cond, uint32_t n) {
  int rc = held_by_caller(cond);
  if (rc != 0)
    return rc;
  cond_state_t *st = state_of(cond);
  uint32_t tokens = sct__load_relaxed(&st->tokens), more;
  do {
    uint32_t waiting = sct__load_relaxed(&st->waiting);
    more = waiting > tokens ? waiting - tokens : 0;
    if (more > n)
      more = n;
    if (more == 0)
      return 0;
  } while (!sct__cas(&st->tokens, &tokens, tokens + more));
  sct__fetch_add(&st->seq.value, 1u);
  sct__waitword_wake(&st->seq, more > INT32_MAX ? -1 : (int)more);
  return 0;
}

int sct_cond_notify(sct_cond_t *cond, unsigned n) {
  return notify(cond, n);
}

int sct_cond_notify_all(sct_cond_t *cond) {
  return notify(cond, UINT32_MAX);
}

int sct_cond_free(sct_cond_t *cond) {
  return sct__sync_free(cond, SCT__SYNC_COND);
}

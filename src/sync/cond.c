/*
 * Condition: a lock and three counters, kept as glibc's condition
 * variables did before 2.25: `total` waiters ever arrived (less those
 * that timed out), `wakeups` ever given (never more than waiters),
 * `woken` ever taken. A waiter arrives under the lock and notes
 * `wakeups`; it may take a wake-up only when one was given after it
 * arrived, so a notification never goes to a later waiter (the notifier
 * itself included) while an earlier one sleeps on. Taking is a
 * compare-and-swap on `woken`, so a wake-up goes to whoever is eligible,
 * whichever process the kernel wakes; one that wakes and finds nothing
 * for it passes the wake on. A waiter that times out takes its arrival
 * back, under the lock. One killed in its wait stays counted: a later
 * notification may be given "to" it and taken by another eligible waiter
 * (a spurious wake-up, never a lost one). Nothing here waits for anybody
 * but the lock.
 */
#include "../base/atomics.h"
#include "sync.h"
#include "../base/testhook.h"

typedef struct cond_state {
  sct__sync_head_t head;
  sct__waitword_t seq; /* bumped by every notification */
  sct__u64 total;
  sct__u64 wakeups;
  sct__u64 woken;
  sct__lockstate_t lock; /* its own lock, unless made over another */
} cond_state_t;

static cond_state_t *state_of(const sct_cond_t *cond) {
  return (cond_state_t *)(void *)cond->s.state;
}

int sct__cond_size(const sct__sync_params_t *p, size_t *size) {
  if (p->lock_kind != 0 && p->lock_kind != SCT_LOCK &&
      p->lock_kind != SCT_RLOCK)
    return SCT_EINVAL;
  *size = sizeof(cond_state_t);
  return 0;
}

/* A Condition made without a lock gets one of its own, in its state. */
void sct__cond_init(sct__sync_t *s, const sct__sync_params_t *p) {
  cond_state_t *st = (cond_state_t *)(void *)s->state;
  sct__sync_waitword_init(s, &st->seq, 0);
  if (p->lock_kind) {
    sct__lockstate_init(&st->lock, p->lock_kind);
    if (s->flags & SCT__SYNC_GLOBAL)
      st->lock.wake_key |= SCT__WAKE_GLOBAL;
  }
}

/* A handle on the lock in the state, when the state has one. */
int sct__cond_attach(sct__sync_t *s) {
  cond_state_t *st = (cond_state_t *)(void *)s->state;
  if (st->lock.kind == 0 || s->lock)
    return 0;
  return sct__lock_adopt(&s->lock, (sct_lock_kind_t)st->lock.kind, &st->lock);
}

/* Anonymous when @p name is NULL. */
static int make(sct_cond_t **out, const char *name, sct_lock_kind_t kind) {
  sct__sync_params_t p = {0, 0, 0, kind, NULL, 0, 0};
  if (!out)
    return SCT_EINVAL;
  return sct__sync_make((sct__sync_t **)out, SCT__SYNC_COND, &p, name);
}

/* Over a given lock: a handle of its own on it, so the caller may free
 * theirs, and the given one kept, since it owns the lock's memory. */
static int make_over(sct_cond_t **out, sct_lock_t *lock) {
  int rc = sct__lock_check(lock);
  if (rc == 0 && (lock->flags & SCT__LOCK_FREED))
    rc = SCT_ESTATE;
  if (rc == 0 && (lock->flags & SCT__LOCK_BORROWED))
    rc = SCT_EINVAL; /* its object, not the condition, would keep it */
  if (rc == 0)
    rc = make(out, NULL, (sct_lock_kind_t)0);
  if (rc != 0)
    return rc;
  sct__sync_t *s = &(*out)->s;
  s->given_lock = sct__lock_ref(lock);
  if ((rc = sct__lock_adopt(&s->lock, lock->kind, lock->state)) != 0)
    sct__sync_unref(s);
  return rc;
}

int sct_cond_new(sct_cond_t **out, sct_lock_t *lock) {
  if (!out)
    return SCT_EINVAL;
  return lock ? make_over(out, lock) : make(out, NULL, SCT_RLOCK);
}

int sct_cond_create_named(sct_cond_t **out, const char *name,
                          sct_lock_kind_t kind) {
  if (!name || (kind != SCT_LOCK && kind != SCT_RLOCK))
    return SCT_EINVAL;
  return make(out, name, kind);
}

int sct__cond_valid(const sct__sync_head_t *head, size_t size) {
  const cond_state_t *st = (const cond_state_t *)(const void *)head;
  /* An anonymous Condition uses a lock elsewhere: its own is all zeros. */
  return size == sizeof *st &&
                 (st->lock.kind == 0 || sct__lockstate_valid(&st->lock))
             ? 0
             : SCT_ETYPE;
}

int sct_cond_open_named(sct_cond_t **out, const char *name, unsigned flags) {
  sct__sync_t *s;
  if (!out)
    return SCT_EINVAL;
  int rc = sct__sync_open_named(&s, SCT__SYNC_COND, name, flags);
  if (rc != 0)
    return rc;
  if (((cond_state_t *)(void *)s->state)->lock.kind == 0)
    rc = SCT_ETYPE; /* a named one always has its own lock */
  if (rc == 0)
    rc = sct__cond_attach(s);
  if (rc != 0) {
    sct__sync_unref(s);
    return rc;
  }
  *out = (sct_cond_t *)s;
  return 0;
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

/* Takes a wake-up given after the caller arrived (when `wakeups` was
 * @p arrived), if one is left. */
static int take_wakeup(cond_state_t *st, uint64_t arrived) {
  uint64_t woken = sct__load_relaxed(&st->woken);
  for (;;) {
    uint64_t wakeups = sct__load_acquire(&st->wakeups);
    if (wakeups == arrived || woken >= wakeups)
      return 0;
    if (sct__cas(&st->woken, &woken, woken + 1))
      return 1;
  }
}

/* Whether wake-ups were given that nobody took yet. */
static int wakeups_pending(const cond_state_t *st) {
  return sct__load_relaxed(&st->woken) < sct__load_acquire(&st->wakeups);
}

/* Waits for a wake-up with the lock released; the caller holds it again
 * on return, whatever happened. */
static int wait_released(sct_cond_t *cond, int64_t deadline) {
  cond_state_t *st = state_of(cond);
  sct__lockstate_t *lock = cond->s.lock->state;
  uint64_t arrived = st->wakeups; /* both under the lock */
  st->total++;
  unsigned count = sct__lockstate_release_all(lock);
  int rc = 0, timed_out = 0;
  for (;;) {
    uint32_t seen = sct__load_acquire(&st->seq.value);
    if (take_wakeup(st, arrived))
      break;
    if (sct__waitword_wait(&st->seq, seen, deadline, SCT__IDLE_SLICE_MS) ==
        SCT_ETIMEDOUT) {
      timed_out = 1;
      break;
    }
    /* Woken but not eligible: the wake was meant for an earlier waiter
     * (a Windows semaphore post goes to any sleeper). */
    if (take_wakeup(st, arrived))
      break;
    if (wakeups_pending(st))
      sct__waitword_wake(&st->seq, 1);
  }
  int lrc = sct__lockstate_restore(lock, count);
  if (timed_out) {
    SCT__TEST_HOOK("cond.timed_out", cond);
    if (!take_wakeup(st, arrived)) {
      /* Leaving unwoken, under the lock: the waiter gives its arrival
       * back, so notifiers never give a wake-up to a waiter that is gone.
       * `total` is read only under the lock; `wakeups` and `woken`, which
       * waiters read without it, stay untouched: bumping both, in two
       * steps, let a waiter in between take a wake-up nobody gave. */
      st->total--;
      rc = SCT_ETIMEDOUT;
    }
  }
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

static int notify(sct_cond_t *cond, uint64_t n) {
  int rc = held_by_caller(cond);
  if (rc != 0)
    return rc;
  cond_state_t *st = state_of(cond);
  uint64_t unwoken = st->total - st->wakeups; /* both under the lock */
  uint64_t more = n < unwoken ? n : unwoken;
  if (more == 0)
    return 0;
  sct__store_release(&st->wakeups, st->wakeups + more);
  sct__fetch_add(&st->seq.value, 1u);
  sct__waitword_wake(&st->seq, more > INT32_MAX ? -1 : (int)more);
  return 0;
}

int sct_cond_notify(sct_cond_t *cond, unsigned n) {
  return notify(cond, n);
}

int sct_cond_notify_all(sct_cond_t *cond) {
  return notify(cond, UINT64_MAX);
}

int sct_cond_free(sct_cond_t *cond) {
  return sct__sync_free(cond, SCT__SYNC_COND);
}

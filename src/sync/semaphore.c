/*
 * Semaphore and BoundedSemaphore: the value itself is the word waiters
 * sleep on (while it is 0), so a release that finds no sleeper makes no
 * system call.
 */
#include "../base/atomics.h"
#include "sync.h"

typedef struct sem_state {
  sct__sync_head_t head;
  sct__waitword_t value;
  uint32_t max; /* the highest value a release may reach */
  uint32_t reserved;
} sem_state_t;

#define SEM_MAX UINT32_C(0x7fffffff)

static sem_state_t *state_of(const sct_sem_t *sem) {
  return (sem_state_t *)(void *)sem->s.state;
}

int sct__sem_size(const sct__sync_params_t *p, size_t *size) {
  if (p->value > SEM_MAX)
    return SCT_EINVAL;
  *size = sizeof(sem_state_t);
  return 0;
}

void sct__sem_init(sct__sync_t *s, const sct__sync_params_t *p) {
  sem_state_t *st = (sem_state_t *)(void *)s->state;
  st->max = p->bounded ? p->value : SEM_MAX;
  sct__sync_waitword_init(s, &st->value, p->value);
}

/* Anonymous when @p name is NULL. */
static int make(sct_sem_t **out, const char *name, unsigned value,
                int bounded) {
  sct__sync_params_t p = {value, bounded, 0, 0, NULL, 0, 0};
  if (!out)
    return SCT_EINVAL;
  return sct__sync_make((sct__sync_t **)out, SCT__SYNC_SEM, &p, name);
}

int sct_sem_new(sct_sem_t **out, unsigned value, int bounded) {
  return make(out, NULL, value, bounded);
}

int sct_sem_create_named(sct_sem_t **out, const char *name, unsigned value,
                         int bounded) {
  return name ? make(out, name, value, bounded) : SCT_EINVAL;
}

int sct__sem_valid(const sct__sync_head_t *head, size_t size) {
  const sem_state_t *st = (const sem_state_t *)(const void *)head;
  return size == sizeof *st && st->max <= SEM_MAX &&
                 sct__load_relaxed(&st->value.value) <= st->max
             ? 0
             : SCT_ETYPE;
}

int sct_sem_open_named(sct_sem_t **out, const char *name, unsigned flags) {
  if (!out)
    return SCT_EINVAL;
  return sct__sync_open_named((sct__sync_t **)out, SCT__SYNC_SEM, name, flags);
}

int sct_sem_unlink_named(const char *name) {
  return sct__sync_unlink_named(SCT__SYNC_SEM, name);
}

int sct_sem_acquire(sct_sem_t *sem, int timeout_ms) {
  int rc = sct__sync_check(sem, SCT__SYNC_SEM);
  if (rc != 0)
    return rc;
  sem_state_t *st = state_of(sem);
  int64_t deadline = sct__deadline_or_none(timeout_ms);
  for (;;) {
    uint32_t v = sct__load_relaxed(&st->value.value);
    if (v > 0) {
      if (sct__cas(&st->value.value, &v, v - 1))
        return 0;
      continue;
    }
    if (sct__waitword_wait(&st->value, 0, deadline, SCT__IDLE_SLICE_MS) ==
        SCT_ETIMEDOUT)
      return SCT_ETIMEDOUT;
  }
}

sct__waitword_t *sct__sem_word(const sct_sem_t *sem) {
  return &state_of(sem)->value;
}

int sct_sem_release(sct_sem_t *sem) {
  int rc = sct__sync_check(sem, SCT__SYNC_SEM);
  if (rc != 0)
    return rc;
  sem_state_t *st = state_of(sem);
  uint32_t v = sct__load_relaxed(&st->value.value);
  do {
    if (v >= st->max)
      return SCT_EOVERFLOW;
  } while (!sct__cas(&st->value.value, &v, v + 1));
  sct__waitword_wake(&st->value, 1);
  return 0;
}

int sct_sem_value(const sct_sem_t *sem, unsigned *out) {
  int rc = sct__sync_check(sem, SCT__SYNC_SEM);
  if (rc == 0 && !out)
    rc = SCT_EINVAL;
  if (rc == 0)
    *out = sct__load_relaxed(&state_of(sem)->value.value);
  return rc;
}

int sct_sem_free(sct_sem_t *sem) {
  return sct__sync_free(sem, SCT__SYNC_SEM);
}

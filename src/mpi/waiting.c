/*
 * Barrier, Event and Semaphore: words at their home, changed by atomics,
 * waited on by polling (sct_mpi.h, "Waiting").
 *   Barrier: arrivals (offset 0), generation (8), broken (16). The last
 *     of a round zeroes the arrivals, then moves the generation on; the
 *     others wait for the generation to move.
 *   Event: set (1) or clear (0).
 *   Semaphore: its value.
 */
#include "mpi_internal.h"

#include <stdlib.h>

#define ARRIVALS 0
#define GENERATION 8
#define BROKEN 16

/* The largest value a Semaphore holds (as sct's own). */
#define SEM_MAX 2147483647

/* Makes (or finds) the name as a waiting primitive of @p kind at
 * @p home, and a handle of @p size bytes for it. */
static int named(sct_mpi_space_t *sp, const char *name,
                 sct_space_mode_t mode, entry_kind_t kind, int home,
                 uint64_t param, size_t size, void **out) {
  handle_t h;
  entry_t want;
  if (!out)
    return SCT_EINVAL;
  int rc = sct__mpi_entry_init(&want, name, kind, NULL);
  if (rc != 0)
    return rc;
  want.home = home;
  want.length = 1;
  want.param = param;
  if ((rc = sct__mpi_named(sp, mode, &want, &h)) != 0)
    return rc;
  handle_t *made = calloc(1, size);
  if (!made)
    return SCT_ENOMEM;
  *made = h;
  *out = made;
  return 0;
}

static int free_handle(void *handle) {
  handle_t *h = handle;
  int rc = sct__mpi_handle_check(h);
  if (rc != 0)
    return rc;
  h->magic = SCT_MPI_MAGIC_FREED;
  free(h);
  return 0;
}

static int64_t word(const handle_t *h, uint64_t at) {
  return (int64_t)(h->e.offset + at);
}

static int load(handle_t *h, uint64_t at, int64_t *out) {
  return sct__mpi_load64(h->sp, h->e.home, (uint64_t)word(h, at), out);
}

static int store(handle_t *h, uint64_t at, int64_t v) {
  return sct__mpi_store64(h->sp, h->e.home, (uint64_t)word(h, at), v);
}

static int add(handle_t *h, uint64_t at, int64_t delta, int64_t *old) {
  return sct__mpi_add64(h->sp, h->e.home, (uint64_t)word(h, at), delta, old);
}

/* ---- Barrier ---- */

int sct_mpi_barrier(sct_mpi_space_t *sp, const char *name,
                    sct_space_mode_t mode, unsigned parties, int home,
                    sct_mpi_barrier_t **out) {
  if (parties == 0)
    return SCT_EINVAL;
  return named(sp, name, mode, KIND_BARRIER, home, parties, sizeof **out,
               (void **)out);
}

int sct_mpi_barrier_wait(sct_mpi_barrier_t *b, int timeout_ms,
                         unsigned *index) {
  int64_t generation, arrived, now, broken;
  int rc = sct__mpi_handle_check(b);
  if (rc != 0)
    return rc;
  handle_t *h = &b->h;
  if ((rc = load(h, BROKEN, &broken)) != 0 ||
      (rc = load(h, GENERATION, &generation)) != 0)
    return rc;
  if (broken)
    return SCT_EBROKEN;
  if ((rc = add(h, ARRIVALS, 1, &arrived)) != 0)
    return rc;
  if (index)
    *index = (unsigned)arrived;
  if ((uint64_t)arrived + 1 == h->e.param) {
    /* The last: the next round starts from 0, then this one ends. */
    if ((rc = store(h, ARRIVALS, 0)) != 0)
      return rc;
    return add(h, GENERATION, 1, NULL);
  }
  pause_t p;
  sct__mpi_pause_start(&p, timeout_ms);
  for (;;) {
    if ((rc = load(h, GENERATION, &now)) != 0)
      return rc;
    if (now != generation)
      return 0;
    if ((rc = load(h, BROKEN, &broken)) != 0)
      return rc;
    if (broken)
      return SCT_EBROKEN;
    if ((rc = sct__mpi_pause(h->sp, &p)) == SCT_ETIMEDOUT) {
      int src = store(h, BROKEN, 1);
      return src ? src : SCT_ETIMEDOUT;
    }
    if (rc != 0)
      return rc;
  }
}

int sct_mpi_barrier_reset(sct_mpi_barrier_t *b) {
  int rc = sct__mpi_handle_check(b);
  if (rc == 0)
    rc = store(&b->h, ARRIVALS, 0);
  if (rc == 0)
    rc = add(&b->h, GENERATION, 1, NULL);
  if (rc == 0)
    rc = store(&b->h, BROKEN, 0);
  return rc;
}

int sct_mpi_barrier_free(sct_mpi_barrier_t *b) {
  return free_handle(b);
}

/* ---- Event ---- */

int sct_mpi_event(sct_mpi_space_t *sp, const char *name,
                  sct_space_mode_t mode, int home, sct_mpi_event_t **out) {
  return named(sp, name, mode, KIND_EVENT, home, 0, sizeof **out,
               (void **)out);
}

int sct_mpi_event_set(sct_mpi_event_t *e) {
  int rc = sct__mpi_handle_check(e);
  return rc ? rc : store(&e->h, 0, 1);
}

int sct_mpi_event_clear(sct_mpi_event_t *e) {
  int rc = sct__mpi_handle_check(e);
  return rc ? rc : store(&e->h, 0, 0);
}

int sct_mpi_event_is_set(sct_mpi_event_t *e) {
  int64_t v;
  int rc = sct__mpi_handle_check(e);
  if (rc == 0)
    rc = load(&e->h, 0, &v);
  return rc ? rc : v != 0;
}

int sct_mpi_event_wait(sct_mpi_event_t *e, int timeout_ms) {
  pause_t p;
  int rc;
  sct__mpi_pause_start(&p, timeout_ms);
  while ((rc = sct_mpi_event_is_set(e)) == 0)
    if ((rc = sct__mpi_pause(e->h.sp, &p)) != 0)
      return rc;
  return rc == 1 ? 0 : rc;
}

int sct_mpi_event_free(sct_mpi_event_t *e) {
  return free_handle(e);
}

/* ---- Semaphore ---- */

int sct_mpi_sem(sct_mpi_space_t *sp, const char *name, sct_space_mode_t mode,
                unsigned value, int home, sct_mpi_sem_t **out) {
  if (value > SEM_MAX)
    return SCT_EOVERFLOW;
  /* The directory sets the start as it makes the name (a find keeps what
   * the Semaphore holds). */
  return named(sp, name, mode, KIND_SEMAPHORE, home, value, sizeof **out,
               (void **)out);
}

int sct_mpi_sem_acquire(sct_mpi_sem_t *s, int timeout_ms) {
  int64_t v, old;
  pause_t p;
  int rc = sct__mpi_handle_check(s);
  if (rc != 0)
    return rc;
  sct__mpi_pause_start(&p, timeout_ms);
  for (;;) {
    if ((rc = load(&s->h, 0, &v)) != 0)
      return rc;
    if (v > 0) {
      rc = sct__mpi_cas64(s->h.sp, s->h.e.home, (uint64_t)word(&s->h, 0), v,
                          v - 1, &old);
      if (rc != 0 || old == v)
        return rc;
      continue; /* another rank took one first: look again at once */
    }
    if ((rc = sct__mpi_pause(s->h.sp, &p)) != 0)
      return rc;
  }
}

int sct_mpi_sem_release(sct_mpi_sem_t *s) {
  int64_t old;
  int rc = sct__mpi_handle_check(s);
  if (rc == 0)
    rc = add(&s->h, 0, 1, &old);
  if (rc == 0 && old >= SEM_MAX) {
    rc = add(&s->h, 0, -1, NULL);
    return rc ? rc : SCT_EOVERFLOW;
  }
  return rc;
}

int sct_mpi_sem_value(sct_mpi_sem_t *s, unsigned *out) {
  int64_t v;
  int rc = sct__mpi_handle_check(s);
  if (rc != 0 || !out)
    return rc ? rc : SCT_EINVAL;
  if ((rc = load(&s->h, 0, &v)) == 0)
    *out = (unsigned)v;
  return rc;
}

int sct_mpi_sem_free(sct_mpi_sem_t *s) {
  return free_handle(s);
}

/*
 * The Queue: a ring at its home, guarded by its own lock word. Its bytes:
 * head (items taken, offset 0) and tail (items put, 8) on one line, then
 * capacity slots of one item each. Every put and get holds the lock while
 * it reads head and tail, moves one whole item and moves tail or head on:
 * no item is lost, duplicated or torn, and each producer's items leave in
 * the order it put them.
 */
#include "mpi_internal.h"

#include <stdlib.h>

#define HEAD 0
#define TAIL 8
#define SLOTS 64

int sct_mpi_queue(sct_mpi_space_t *sp, const char *name,
                  sct_space_mode_t mode, const sct_type_t *type,
                  size_t capacity, int home, sct_mpi_queue_t **out) {
  entry_t want;
  if (!out || !type || capacity == 0 || capacity > INT32_MAX)
    return SCT_EINVAL;
  int rc = sct__mpi_space_check(sp);
  if (rc == 0)
    rc = sct__mpi_entry_init(&want, name, KIND_QUEUE, type);
  if (rc != 0)
    return rc;
  want.home = home;
  want.length = 1;
  want.param = capacity;
  want.lock_kind = SCT_LOCK;
  sct_mpi_queue_t *q = calloc(1, sizeof *q);
  if (!q)
    return SCT_ENOMEM;
  q->dt = MPI_DATATYPE_NULL;
  if ((rc = sct__mpi_named(sp, mode, &want, &q->h)) == 0 &&
      (rc = sct__mpi_type_copy(type, &q->type)) == 0 &&
      (rc = sct__mpi_datatype(type, &q->dt)) == 0) {
    sct__mpi_lockref_init(&q->lock, sp, home, q->h.e.lock_offset, 1,
                          SCT_LOCK);
    *out = q;
    return 0;
  }
  if (q->type)
    sct_type_free(q->type);
  free(q);
  return rc;
}

int sct_mpi_queue_free(sct_mpi_queue_t *q) {
  int rc = sct__mpi_handle_check(q);
  if (rc != 0)
    return rc;
  sct__mpi_datatype_free(&q->dt);
  sct_type_free(q->type);
  q->h.magic = SCT_MPI_MAGIC_FREED;
  free(q);
  return 0;
}

/* head and tail, read under the lock. */
static int ends(sct_mpi_queue_t *q, int64_t both[2]) {
  return sct__mpi_read(q->h.sp, q->h.e.home, q->h.e.offset + HEAD, both, 2,
                       MPI_INT64_T, 16);
}

static uint64_t slot(const sct_mpi_queue_t *q, int64_t n) {
  return q->h.e.offset + SLOTS +
         (uint64_t)n % q->h.e.param * q->h.e.elem_size;
}

/* One try under the lock: moves an item if it can (*done 1). */
static int try_move(sct_mpi_queue_t *q, void *item, int putting, int *done) {
  int64_t both[2];
  *done = 0;
  int rc = ends(q, both);
  if (rc != 0)
    return rc;
  int64_t head = both[0], tail = both[1];
  if (putting ? (uint64_t)(tail - head) >= q->h.e.param : tail == head)
    return 0;
  sct_mpi_space_t *sp = q->h.sp;
  int home = q->h.e.home;
  size_t size = q->h.e.elem_size;
  if (putting) {
    rc = sct__mpi_write(sp, home, slot(q, tail), item, 1, q->dt, size);
    if (rc == 0)
      rc = sct__mpi_write(sp, home, q->h.e.offset + TAIL, &(int64_t){tail + 1},
                          1, MPI_INT64_T, 8);
  } else {
    rc = sct__mpi_read(sp, home, slot(q, head), item, 1, q->dt, size);
    if (rc == 0)
      rc = sct__mpi_write(sp, home, q->h.e.offset + HEAD, &(int64_t){head + 1},
                          1, MPI_INT64_T, 8);
  }
  *done = rc == 0;
  return rc;
}

static int transfer(sct_mpi_queue_t *q, void *item, int timeout_ms,
                    int putting) {
  pause_t p;
  int rc = sct__mpi_handle_check(q);
  if (rc != 0 || !item)
    return rc ? rc : SCT_EINVAL;
  sct__mpi_pause_start(&p, timeout_ms);
  for (;;) {
    int done = 0;
    /* The lock is waited for within the same deadline. */
    double left = p.deadline < 0 ? -1 : (p.deadline - MPI_Wtime()) * 1000;
    rc = sct__mpi_lock_acquire(&q->lock, left < 0 ? (p.deadline < 0 ? -1 : 0)
                                                  : (int)left);
    if (rc == 0) {
      rc = try_move(q, item, putting, &done);
      int rrc = sct__mpi_lock_release(&q->lock);
      rc = rc ? rc : rrc;
    }
    if (rc == 0 && done)
      return 0;
    if (rc == 0)
      rc = sct__mpi_pause(q->h.sp, &p);
    if (rc == SCT_ETIMEDOUT)
      return putting ? SCT_EFULL : SCT_EEMPTY;
    if (rc != 0)
      return rc;
  }
}

int sct_mpi_queue_put(sct_mpi_queue_t *q, const void *item, int timeout_ms) {
  return transfer(q, (void *)item, timeout_ms, 1);
}

int sct_mpi_queue_get(sct_mpi_queue_t *q, void *item, int timeout_ms) {
  return transfer(q, item, timeout_ms, 0);
}

int sct_mpi_queue_size(sct_mpi_queue_t *q, size_t *out) {
  int64_t both[2];
  int rc = sct__mpi_handle_check(q);
  if (rc != 0 || !out)
    return rc ? rc : SCT_EINVAL;
  if ((rc = sct__mpi_lock_acquire(&q->lock, SCT_INFINITE)) != 0)
    return rc;
  rc = ends(q, both);
  int rrc = sct__mpi_lock_release(&q->lock);
  if (rc == 0)
    *out = (size_t)(both[1] - both[0]);
  return rc ? rc : rrc;
}

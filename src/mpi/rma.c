/*
 * Bytes and atomics at (rank, offset) in a space. A rank on the caller's
 * node is reached through shared memory; any other through one-sided
 * calls completed by a flush. Atomics are CPU atomics when the space has
 * one node, and MPI's otherwise, for every rank alike: MPI promises
 * atomicity only among its own accumulate calls on a location, so a CPU
 * atomic must never race an MPI one (sct_mpi.h, "Atomics").
 */
#include "mpi_internal.h"

#include <string.h>

static unsigned char *near_at(sct_mpi_space_t *sp, int rank, uint64_t off) {
  return sp->near[rank] ? sp->near[rank] + off : NULL;
}

/* Bytes out of (@p writing 0) or into (rank, offset). */
static int move(sct_mpi_space_t *sp, int rank, uint64_t offset, void *buf,
                int count, MPI_Datatype dt, size_t bytes, int writing) {
  unsigned char *p = near_at(sp, rank, offset);
  if (p) {
    memcpy(writing ? p : buf, writing ? buf : p, bytes);
    return 0;
  }
  int rc = writing ? MPI_Put(buf, count, dt, rank, (MPI_Aint)offset, count,
                             dt, sp->win)
                   : MPI_Get(buf, count, dt, rank, (MPI_Aint)offset, count,
                             dt, sp->win);
  if (rc != MPI_SUCCESS)
    return sct__mpi_fail(rc, writing ? "MPI_Put" : "MPI_Get");
  MPI_CHECK(MPI_Win_flush(rank, sp->win));
  return 0;
}

int sct__mpi_read(sct_mpi_space_t *sp, int rank, uint64_t offset, void *buf,
                  int count, MPI_Datatype dt, size_t bytes) {
  return move(sp, rank, offset, buf, count, dt, bytes, 0);
}

int sct__mpi_write(sct_mpi_space_t *sp, int rank, uint64_t offset,
                   const void *buf, int count, MPI_Datatype dt, size_t bytes) {
  return move(sp, rank, offset, (void *)buf, count, dt, bytes, 1);
}

/* One MPI atomic on a word of @p dt, completed. */
static int mpi_fetch_op(sct_mpi_space_t *sp, int rank, uint64_t offset,
                        const void *operand, void *old, MPI_Datatype dt,
                        MPI_Op op) {
  MPI_CHECK(MPI_Fetch_and_op(operand, old, dt, rank, (MPI_Aint)offset, op,
                             sp->win));
  MPI_CHECK(MPI_Win_flush(rank, sp->win));
  return 0;
}

static int mpi_cas(sct_mpi_space_t *sp, int rank, uint64_t offset,
                   const void *expected, const void *desired, void *old,
                   MPI_Datatype dt) {
  MPI_CHECK(MPI_Compare_and_swap(desired, expected, old, dt, rank,
                                 (MPI_Aint)offset, sp->win));
  MPI_CHECK(MPI_Win_flush(rank, sp->win));
  return 0;
}

int sct__mpi_load64(sct_mpi_space_t *sp, int rank, uint64_t offset,
                    int64_t *out) {
  if (sp->cpu_atomics) {
    *out = __atomic_load_n((int64_t *)near_at(sp, rank, offset),
                           __ATOMIC_SEQ_CST);
    return 0;
  }
  int64_t none = 0;
  return mpi_fetch_op(sp, rank, offset, &none, out, MPI_INT64_T, MPI_NO_OP);
}

int sct__mpi_store64(sct_mpi_space_t *sp, int rank, uint64_t offset,
                     int64_t value) {
  if (sp->cpu_atomics) {
    __atomic_store_n((int64_t *)near_at(sp, rank, offset), value,
                     __ATOMIC_SEQ_CST);
    return 0;
  }
  int64_t old;
  return mpi_fetch_op(sp, rank, offset, &value, &old, MPI_INT64_T,
                      MPI_REPLACE);
}

int sct__mpi_store64_read(sct_mpi_space_t *sp, int rank, uint64_t store_at,
                          int64_t value, uint64_t read_at, int64_t *words,
                          int count) {
  if (sp->cpu_atomics) {
    __atomic_store_n((int64_t *)near_at(sp, rank, store_at), value,
                     __ATOMIC_SEQ_CST);
    return sct__mpi_read(sp, rank, read_at, words, count, MPI_INT64_T,
                         8 * (size_t)count);
  }
  /* An accumulate, as every other change of such a word, then the read;
   * one flush completes both. */
  MPI_CHECK(MPI_Accumulate(&value, 1, MPI_INT64_T, rank, (MPI_Aint)store_at,
                           1, MPI_INT64_T, MPI_REPLACE, sp->win));
  unsigned char *p = near_at(sp, rank, read_at);
  if (p)
    memcpy(words, p, 8 * (size_t)count);
  else
    MPI_CHECK(MPI_Get(words, count, MPI_INT64_T, rank, (MPI_Aint)read_at,
                      count, MPI_INT64_T, sp->win));
  MPI_CHECK(MPI_Win_flush(rank, sp->win));
  return 0;
}

int sct__mpi_add64(sct_mpi_space_t *sp, int rank, uint64_t offset,
                   int64_t delta, int64_t *old) {
  int64_t ignored;
  if (!old)
    old = &ignored;
  if (sp->cpu_atomics) {
    *old = __atomic_fetch_add((int64_t *)near_at(sp, rank, offset), delta,
                              __ATOMIC_SEQ_CST);
    return 0;
  }
  return mpi_fetch_op(sp, rank, offset, &delta, old, MPI_INT64_T, MPI_SUM);
}

int sct__mpi_cas64(sct_mpi_space_t *sp, int rank, uint64_t offset,
                   int64_t expected, int64_t desired, int64_t *old) {
  if (sp->cpu_atomics) {
    int64_t seen = expected;
    __atomic_compare_exchange_n((int64_t *)near_at(sp, rank, offset), &seen,
                                desired, 0, __ATOMIC_SEQ_CST,
                                __ATOMIC_SEQ_CST);
    *old = seen;
    return 0;
  }
  return mpi_cas(sp, rank, offset, &expected, &desired, old, MPI_INT64_T);
}

/* CPU atomics on an element of 1, 2, 4 or 8 bytes. */
#define CPU_ADD(T)                                                             \
  do {                                                                         \
    *(T *)old = __atomic_fetch_add((T *)p, *(const T *)operand,                \
                                   __ATOMIC_SEQ_CST);                          \
  } while (0)
#define CPU_CAS(T)                                                             \
  do {                                                                         \
    T seen_ = *(const T *)expected;                                            \
    __atomic_compare_exchange_n((T *)p, &seen_, *(const T *)desired, 0,       \
                                __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);           \
    *(T *)old = seen_;                                                         \
  } while (0)

/* A float's add is a compare-and-swap loop on its bits. */
#define CPU_FLOAT_ADD(F, U)                                                    \
  do {                                                                         \
    U bits_ = __atomic_load_n((U *)p, __ATOMIC_SEQ_CST), next_;                \
    F value_, sum_;                                                            \
    do {                                                                       \
      memcpy(&value_, &bits_, sizeof value_);                                  \
      sum_ = value_ + *(const F *)operand;                                     \
      memcpy(&next_, &sum_, sizeof next_);                                     \
    } while (!__atomic_compare_exchange_n((U *)p, &bits_, next_, 0,            \
                                          __ATOMIC_SEQ_CST,                    \
                                          __ATOMIC_SEQ_CST));                  \
    *(F *)old = value_;                                                        \
  } while (0)

void sct__cpu_fetch_add_elem(unsigned char *p, char code, size_t size,
                             const void *operand, void *old) {
  if (code == 'f')
    CPU_FLOAT_ADD(float, uint32_t);
  else if (code == 'd')
    CPU_FLOAT_ADD(double, uint64_t);
  else
    switch (size) {
    case 1: CPU_ADD(uint8_t); break;
    case 2: CPU_ADD(uint16_t); break;
    case 4: CPU_ADD(uint32_t); break;
    default: CPU_ADD(uint64_t); break;
    }
}

void sct__cpu_cas_elem(unsigned char *p, size_t size, const void *expected,
                       const void *desired, void *old) {
  switch (size) {
  case 1: CPU_CAS(uint8_t); break;
  case 2: CPU_CAS(uint16_t); break;
  case 4: CPU_CAS(uint32_t); break;
  default: CPU_CAS(uint64_t); break;
  }
}

int sct__mpi_fetch_add_elem(sct_mpi_space_t *sp, int rank, uint64_t offset,
                            char code, size_t size, const void *operand,
                            void *old) {
  if (!sp->cpu_atomics)
    return mpi_fetch_op(sp, rank, offset, operand, old,
                        sct__mpi_code_datatype(code), MPI_SUM);
  sct__cpu_fetch_add_elem(near_at(sp, rank, offset), code, size, operand,
                          old);
  return 0;
}

int sct__mpi_cas_elem(sct_mpi_space_t *sp, int rank, uint64_t offset,
                      char code, size_t size, const void *expected,
                      const void *desired, void *old) {
  if (!sp->cpu_atomics)
    return mpi_cas(sp, rank, offset, expected, desired, old,
                   sct__mpi_code_datatype(code));
  sct__cpu_cas_elem(near_at(sp, rank, offset), size, expected, desired, old);
  return 0;
}

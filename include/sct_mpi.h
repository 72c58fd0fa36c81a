/*
 * sct over MPI: sct's typed objects, locks and waiting primitives shared
 * by the ranks of an MPI communicator, on one machine or several. A
 * companion library (CMake target sct::sct_mpi, pkg-config sct-mpi),
 * built where an MPI-3 library is found; sct itself does not depend on
 * MPI.
 *
 * The model. A space is made collectively over a communicator: every rank
 * gives it the same number of bytes. Objects live in the space by name,
 * each at a home rank (or, for an Array, in blocks over all ranks). A rank
 * reaches an object whose home shares its node through shared memory
 * (plain loads and stores, MPI_Win_allocate_shared), and any other
 * through MPI-3 one-sided calls (MPI_Get, MPI_Put, MPI_Fetch_and_op,
 * MPI_Compare_and_swap) in a passive-target epoch held for the space's
 * life.
 *
 * Atomics. MPI promises atomicity only among its own accumulate calls on
 * a location. When all ranks of the space share one node, sct_mpi's
 * atomics (lock words, counters, add, compare-and-swap) are CPU atomics
 * on the shared memory; when they span nodes, every atomic goes through
 * MPI (MPI_Fetch_and_op, MPI_Compare_and_swap), from near ranks too, so
 * that no CPU atomic races an MPI one. sct_mpi_space_info says which.
 *
 * Threads. One thread per rank calls sct_mpi at a time (MPI_THREAD_SINGLE
 * or FUNNELED is enough). An RLock's owner is a rank.
 *
 * Progress. With the MPI libraries packaged today (Open MPI's osc pt2pt,
 * MPICH over UCX/TCP), a one-sided call to a rank completes only when
 * that rank enters MPI. Every sct_mpi call that waits keeps calling MPI,
 * so ranks that wait make progress for each other; a rank that computes
 * for long without calling MPI delays the others' operations on objects
 * it is home to, by up to the time between its MPI calls. Such a rank
 * calls sct_mpi_progress now and then (every millisecond bounds the
 * delay to about a millisecond).
 *
 * Waiting. Every wait here polls: a lock, a Barrier, an Event, a
 * Semaphore or a Queue is asked again after a pause that starts at about
 * a microsecond and doubles up to 1 ms (at most 1 ms of extra latency
 * after a long wait; one MPI call per pause, which is also what keeps
 * MPI progressing). Timeouts are in milliseconds: 0 tries once, a
 * negative one (SCT_INFINITE) waits without end.
 *
 * What does not map. Owner death: no packaged MPI tells survivors that a
 * rank died (a killed rank ends the job; with recovery flags the
 * survivors hang), so a lock held by a rank that dies is never reported
 * as SCT_EOWNERDEAD: the job ends. Spawning (sct_process_*): ranks are the
 * processes. Windows (MS-MPI) is untested: it would need MS-MPI's SDK,
 * its mpiexec and a Windows machine to run ranks on; nothing here is
 * POSIX-only but the test scripts, and the GCC atomic builtins of
 * src/mpi/rma.c and lock.c, which mingw-w64 has, would need MSVC's
 * Interlocked functions for an MSVC build.
 *
 * Open MPI: its default one-sided transport (osc rdma) crashes in
 * MPI_Compare_and_swap; run with OMPI_MCA_osc=sm,pt2pt (or
 * --mca osc ^rdma).
 *
 * Errors. Every function returns 0 or an SCT_E* code; MPI failures are
 * SCT_EOS (the MPI error code in sct_mpi_last_mpi_error, its text in
 * sct_mpi_last_detail), as the space's windows and communicator return
 * errors instead of aborting. Bad inputs: SCT_EINVAL, SCT_ENAME,
 * SCT_ERANGE, SCT_ETYPE (a find with another type, length, lock kind,
 * home or layout; sct_mpi_last_detail says which), SCT_ENOFIELD.
 */
#ifndef SCT_MPI_H
#define SCT_MPI_H

#include <mpi.h>
#include <sct.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A space of named objects shared by the ranks of a communicator. */
typedef struct sct_mpi_space sct_mpi_space_t;
/** A Value or Array in a space. */
typedef struct sct_mpi_obj sct_mpi_obj_t;
/** A Lock or RLock in a space (standalone, or an object's). */
typedef struct sct_mpi_lock sct_mpi_lock_t;
/** A Barrier in a space. */
typedef struct sct_mpi_barrier sct_mpi_barrier_t;
/** An Event in a space. */
typedef struct sct_mpi_event sct_mpi_event_t;
/** A Semaphore in a space. */
typedef struct sct_mpi_sem sct_mpi_sem_t;
/** A Queue of sct-typed items in a space. */
typedef struct sct_mpi_queue sct_mpi_queue_t;

/** The home of an Array spread in blocks over all ranks. */
#define SCT_MPI_DISTRIBUTED (-1)

/**
 * Makes a space over @p comm (collective: every rank calls it with the
 * same @p bytes_per_rank and @p max_objects). Each rank gives
 * @p bytes_per_rank bytes for the objects at home there; the directory,
 * at rank 0, holds up to @p max_objects names.
 * @return 0; SCT_EINVAL (MPI not initialised, MPI_COMM_NULL, a zero size
 * or count, sizes that differ between ranks); SCT_ENOMEM; SCT_EOS.
 */
int sct_mpi_space_create(MPI_Comm comm, size_t bytes_per_rank,
                         unsigned max_objects, sct_mpi_space_t **out);

/** Frees a space (collective). Handles taken from it must be freed first
 * or not used after. */
int sct_mpi_space_free(sct_mpi_space_t *space);

/** What a space is spread over. */
typedef struct sct_mpi_space_info {
  int rank;          /**< the caller's rank in the space's communicator */
  int size;          /**< ranks */
  int nodes;         /**< shared-memory nodes the ranks are on */
  int node_size;     /**< ranks on the caller's node */
  int cpu_atomics;   /**< 1: one node, atomics are CPU atomics; 0: MPI's */
  size_t bytes_free; /**< left at the caller's rank */
} sct_mpi_space_info_t;

/** Fills @p out. @return 0; SCT_EINVAL. */
int sct_mpi_space_info(sct_mpi_space_t *space, sct_mpi_space_info_t *out);

/**
 * Lets other ranks' one-sided operations on this rank's objects complete
 * (see "Progress" above). Cheap: one MPI call. @return 0; SCT_EINVAL.
 */
int sct_mpi_progress(sct_mpi_space_t *space);

/**
 * A Value (@p n 0) or Array (@p n > 0) of @p type named @p name, at rank
 * @p home (or spread in blocks over all ranks: SCT_MPI_DISTRIBUTED, an
 * Array only), synchronized by a lock of @p lock_kind at its home (rank
 * 0 for a spread Array) or raw (0). @p mode is sct_space_mode_t's: make,
 * find, or either; exactly one rank makes a name however many try at
 * once. A found object must match in every property (kind, type as
 * sct_type_format says, length, lock kind, home) or the answer is
 * SCT_ETYPE, with sct_mpi_last_detail naming the property, what was
 * asked and what was found. New objects are zeroed. Not collective.
 * @return 0; SCT_EINVAL; SCT_ENAME (empty, over 63 bytes, or not
 * [A-Za-z0-9._-]); SCT_EEXIST; SCT_ENOENT; SCT_ETYPE; SCT_ERANGE (home
 * not a rank); SCT_ENOMEM (the directory or the home's bytes are full).
 */
int sct_mpi_object(sct_mpi_space_t *space, const char *name,
                   sct_space_mode_t mode, const sct_type_t *type, size_t n,
                   int lock_kind, int home, sct_mpi_obj_t **out);

/** Frees the caller's handle (the object stays in the space). */
int sct_mpi_obj_free(sct_mpi_obj_t *obj);

/** Where an object lives. */
typedef struct sct_mpi_obj_info {
  int home;         /**< its rank, or SCT_MPI_DISTRIBUTED */
  size_t length;    /**< elements (1 for a Value) */
  size_t block;     /**< elements per rank when spread (the last rank
                         may hold fewer), else its length */
  int lock_kind;    /**< 0 (raw), SCT_LOCK or SCT_RLOCK */
  const sct_type_t *type; /**< its element type (the handle's) */
} sct_mpi_obj_info_t;

/** Fills @p out. @return 0; SCT_EINVAL. */
int sct_mpi_obj_info(sct_mpi_obj_t *obj, sct_mpi_obj_info_t *out);

/**
 * Element @p i (0 for a Value) copied to / from a local object of the
 * element's C type. On a synchronized object each call holds the lock for
 * its duration unless the caller already holds it (so a rank may read a
 * consistent struct, or update several under one acquire).
 * @return 0; SCT_EINVAL; SCT_ERANGE; SCT_ETIMEDOUT never (these wait).
 */
int sct_mpi_get(sct_mpi_obj_t *obj, size_t i, void *out);
int sct_mpi_set(sct_mpi_obj_t *obj, size_t i, const void *in);

/** Elements [start, stop) to / from stop - start local elements (across
 * blocks and ranks when spread). @return 0; SCT_EINVAL; SCT_ERANGE. */
int sct_mpi_get_slice(sct_mpi_obj_t *obj, size_t start, size_t stop,
                      void *out);
int sct_mpi_set_slice(sct_mpi_obj_t *obj, size_t start, size_t stop,
                      const void *in);

/** Field @p path ("pos.x") of struct element @p i, its bytes only.
 * @return 0; SCT_EINVAL; SCT_ERANGE; SCT_ETYPE (no struct);
 * SCT_ENOFIELD. */
int sct_mpi_get_field(sct_mpi_obj_t *obj, size_t i, const char *path,
                      void *out);
int sct_mpi_set_field(sct_mpi_obj_t *obj, size_t i, const char *path,
                      const void *in);

/**
 * Atomic add to integer element @p i (typecodes b B h H i I l L q Q),
 * wrapping as the C type does; @p old (may be NULL) gets the value before.
 * Atomic among all adds and compare-and-swaps on the element, whatever
 * rank makes them; it takes no lock (a set under the object's lock is
 * not ordered with it). @return 0; SCT_EINVAL; SCT_ERANGE; SCT_ETYPE
 * (not an integer element).
 */
int sct_mpi_add(sct_mpi_obj_t *obj, size_t i, int64_t delta, int64_t *old);

/** As sct_mpi_add, for a 'f' or 'd' element. */
int sct_mpi_add_float(sct_mpi_obj_t *obj, size_t i, double delta,
                      double *old);

/**
 * Atomic compare-and-swap of integer element @p i: stores @p desired when
 * it holds @p expected; @p old (may be NULL) gets what it held (the swap
 * happened when *old == expected). Values out of the type's range are
 * SCT_EOVERFLOW. @return 0; SCT_EINVAL; SCT_ERANGE; SCT_ETYPE;
 * SCT_EOVERFLOW.
 */
int sct_mpi_cas(sct_mpi_obj_t *obj, size_t i, int64_t expected,
                int64_t desired, int64_t *old);

/**
 * The object formatted as Python prints it (as sct_obj_format: a Value's
 * value, an Array as a list, structs as tuples), read under its lock.
 * @return 0; SCT_EINVAL; SCT_ERANGE when @p cap is too small (@p len,
 * which may be NULL, gets the full length); SCT_ENOMEM.
 */
int sct_mpi_format(sct_mpi_obj_t *obj, char *buf, size_t cap, size_t *len);

/**
 * The caller's own part of an object, for loops that touch only it: a
 * pointer to its first element, that element's index and how many there
 * are (0 and NULL when the caller holds none of it). The pointer is
 * plain memory: other ranks' atomics and locks on it are not ordered
 * with the caller's loads and stores unless the caller holds the lock.
 * @return 0; SCT_EINVAL.
 */
int sct_mpi_local_part(sct_mpi_obj_t *obj, void **ptr, size_t *first,
                       size_t *count);

/* ---- locks ---- */

/** The lock of a synchronized object (borrowed: valid while @p obj is).
 * @return 0; SCT_EINVAL; SCT_ENOLOCK (a raw object). */
int sct_mpi_obj_lock(sct_mpi_obj_t *obj, sct_mpi_lock_t **out);

/**
 * A standalone Lock or RLock named @p name at rank @p home (see
 * sct_mpi_object for @p mode and the errors).
 */
int sct_mpi_lock(sct_mpi_space_t *space, const char *name,
                 sct_space_mode_t mode, sct_lock_kind_t kind, int home,
                 sct_mpi_lock_t **out);

/** Frees a standalone lock's handle (an object's lock: SCT_EINVAL). */
int sct_mpi_lock_free(sct_mpi_lock_t *lock);

/**
 * Acquires, waiting up to @p timeout_ms. A rank that has waited about a
 * millisecond (across nodes: at once) joins the lock's waiting line, and
 * the lock goes down the line in order (README: how fair that is with
 * each MPI). A Lock
 * acquired again by its owner waits (and times out) as a Lock does; an
 * RLock counts.
 * @return 0; SCT_ETIMEDOUT; SCT_EINVAL; SCT_EOS.
 */
int sct_mpi_lock_acquire(sct_mpi_lock_t *lock, int timeout_ms);

/** Releases. @return 0; SCT_ENOTHELD when the caller does not hold it. */
int sct_mpi_lock_release(sct_mpi_lock_t *lock);

/** 1 when some rank holds the lock, 0 when free, or an error. */
int sct_mpi_lock_locked(sct_mpi_lock_t *lock);

/** The rank holding the lock, or -1 when it is free. @return 0;
 * SCT_EINVAL. */
int sct_mpi_lock_owner(sct_mpi_lock_t *lock, int *rank);

/** Runs the statement or block after it holding @p lock (an
 * sct_mpi_lock_t *), releasing it however the block ends except by
 * return, goto or longjmp; @p rc gets the acquire's result and the block
 * runs only when it is 0. */
#define SCT_MPI_WITH_LOCK(lock, rc)                                            \
  SCT_MPI_WITH_LOCK_(lock, rc, SCT_CAT_(sct_mpi_scope_, __LINE__))
#define SCT_MPI_WITH_LOCK_(lock, rc, v)                                        \
  for (int v = ((rc) = sct_mpi_lock_acquire((lock), SCT_INFINITE)) == 0; v;   \
       v = 0, (void)sct_mpi_lock_release(lock))

/* ---- waiting ---- */

/** A Barrier of @p parties ranks at @p home (see sct_mpi_object). */
int sct_mpi_barrier(sct_mpi_space_t *space, const char *name,
                    sct_space_mode_t mode, unsigned parties, int home,
                    sct_mpi_barrier_t **out);
/**
 * Waits for all parties. @p index (may be NULL) gets a number from 0 to
 * parties - 1, different for each. A wait that times out breaks the
 * Barrier: it and every other wait of that round return (SCT_ETIMEDOUT to
 * the one that timed out, SCT_EBROKEN to the others and to later waits)
 * until sct_mpi_barrier_reset.
 * @return 0; SCT_ETIMEDOUT; SCT_EBROKEN; SCT_EINVAL.
 */
int sct_mpi_barrier_wait(sct_mpi_barrier_t *b, int timeout_ms,
                         unsigned *index);
/** Mends a broken Barrier (no rank may be waiting). */
int sct_mpi_barrier_reset(sct_mpi_barrier_t *b);
int sct_mpi_barrier_free(sct_mpi_barrier_t *b);

/** An Event (clear when made) at @p home. */
int sct_mpi_event(sct_mpi_space_t *space, const char *name,
                  sct_space_mode_t mode, int home, sct_mpi_event_t **out);
int sct_mpi_event_set(sct_mpi_event_t *e);
int sct_mpi_event_clear(sct_mpi_event_t *e);
/** 1 when set, 0 when clear, or an error. */
int sct_mpi_event_is_set(sct_mpi_event_t *e);
/** Waits until set. @return 0; SCT_ETIMEDOUT; SCT_EINVAL. */
int sct_mpi_event_wait(sct_mpi_event_t *e, int timeout_ms);
int sct_mpi_event_free(sct_mpi_event_t *e);

/** A Semaphore of initial @p value at @p home (found ones keep theirs). */
int sct_mpi_sem(sct_mpi_space_t *space, const char *name,
                sct_space_mode_t mode, unsigned value, int home,
                sct_mpi_sem_t **out);
/** Takes one unit, waiting up to @p timeout_ms. @return 0;
 * SCT_ETIMEDOUT; SCT_EINVAL. */
int sct_mpi_sem_acquire(sct_mpi_sem_t *s, int timeout_ms);
/** Gives one unit back. @return 0; SCT_EOVERFLOW past 2^31 - 1. */
int sct_mpi_sem_release(sct_mpi_sem_t *s);
int sct_mpi_sem_value(sct_mpi_sem_t *s, unsigned *out);
int sct_mpi_sem_free(sct_mpi_sem_t *s);

/**
 * A Queue of up to @p capacity items of @p type, a ring at @p home
 * guarded by its own lock: nothing lost, duplicated or torn, and the
 * items of each producer got in the order it put them. A found Queue must
 * match in type and capacity (SCT_ETYPE).
 */
int sct_mpi_queue(sct_mpi_space_t *space, const char *name,
                  sct_space_mode_t mode, const sct_type_t *type,
                  size_t capacity, int home, sct_mpi_queue_t **out);
/** Puts one item (a local object of the item's C type), waiting up to
 * @p timeout_ms for room. @return 0; SCT_EFULL when the time ran out (0:
 * at once); SCT_EINVAL. */
int sct_mpi_queue_put(sct_mpi_queue_t *q, const void *item, int timeout_ms);
/** Takes the oldest item, waiting up to @p timeout_ms. @return 0;
 * SCT_EEMPTY when the time ran out; SCT_EINVAL. */
int sct_mpi_queue_get(sct_mpi_queue_t *q, void *item, int timeout_ms);
/** How many items it holds now. */
int sct_mpi_queue_size(sct_mpi_queue_t *q, size_t *out);
int sct_mpi_queue_free(sct_mpi_queue_t *q);

/* ---- errors ---- */

/** The MPI error code behind the last SCT_EOS of this thread, or 0. */
int sct_mpi_last_mpi_error(void);

/** What the last error with more to say was about: the property that did
 * not match on a find, or MPI's text for an MPI failure ("" when none). */
const char *sct_mpi_last_detail(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SCT_MPI_H */

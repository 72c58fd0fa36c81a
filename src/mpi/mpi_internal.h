/*
 * sct_mpi's pieces and what they share. space.c makes the windows,
 * rma.c moves bytes and does atomics (shared memory or MPI), directory.c
 * keeps the names, datatype.c turns sct types into MPI datatypes, lock.c
 * is the lock word, access.c element access, waiting.c the Barrier,
 * Event and Semaphore, queue.c the Queue, errors.c errors and pauses.
 */
#ifndef SCT_MPI_INTERNAL_H
#define SCT_MPI_INTERNAL_H

#include "sct_mpi.h"

#include <stddef.h>
#include <stdint.h>

#define SCT_MPI_MAGIC_SPACE 0x5350534du /* "MSPS" */
#define SCT_MPI_MAGIC_HANDLE 0x4e48534du /* "MSHN" */
#define SCT_MPI_MAGIC_FREED 0x44454144u  /* "DEAD" */

/* Names: as sct's own, shorter (they sit in a fixed directory entry). */
#define SCT_MPI_NAME_MAX 63
/* The part of a type's PEP 3118 format kept in an entry; longer formats
 * are told apart by their length and hash too. */
#define SCT_MPI_FORMAT_KEPT 376

typedef enum entry_kind {
  KIND_VALUE = 1,
  KIND_ARRAY,
  KIND_LOCK,
  KIND_BARRIER,
  KIND_EVENT,
  KIND_SEMAPHORE,
  KIND_QUEUE
} entry_kind_t;

/* A directory entry, at rank 0 (512 bytes, the same on every rank). */
typedef struct entry {
  char name[SCT_MPI_NAME_MAX + 1];
  uint32_t kind;      /* entry_kind_t */
  int32_t home;       /* a rank, or SCT_MPI_DISTRIBUTED */
  uint32_t lock_kind; /* 0, SCT_LOCK, SCT_RLOCK */
  uint32_t elem_size; /* bytes per element or item */
  uint64_t length;    /* elements (1 for a Value) */
  uint64_t block;     /* elements per rank (spread), else length */
  uint64_t offset;    /* its bytes: at home, or at every rank (spread) */
  uint64_t lock_offset; /* its lock word at home (rank 0 when spread) */
  uint64_t param;     /* parties, a Semaphore's start, a Queue's capacity */
  uint64_t format_hash;
  uint32_t format_len;
  char format[SCT_MPI_FORMAT_KEPT];
  char pad[512 - 64 - 4 * 4 - 6 * 8 - 4 - SCT_MPI_FORMAT_KEPT];
} entry_t;

/* Each rank's segment: the directory header (used at rank 0 only), the
 * bytes used at each rank, the entries, then the objects. */
#define DIR_LOCK_OFFSET 0
#define DIR_COUNT_OFFSET 8
#define DIR_USED_OFFSET 64

struct sct_mpi_space {
  uint32_t magic;
  MPI_Comm comm;      /* the user's, duplicated: errors return */
  MPI_Comm node_comm; /* the ranks sharing memory with this one */
  int rank, size, node_size, nodes;
  int cpu_atomics;     /* one node: atomics are CPU atomics */
  size_t segment_size; /* at every rank */
  size_t entries_offset;
  size_t data_offset; /* where objects start */
  unsigned max_objects;
  MPI_Win node_win; /* the shared memory of this node's ranks */
  MPI_Win win;      /* the same bytes, for every rank */
  unsigned char **near; /* [size]: a rank's segment when on this node */
};

/* A lock word's place, and the caller's hold on it. */
typedef struct lockref {
  sct_mpi_space_t *sp;
  int home;
  uint64_t offset;
  int lined;      /* its waiting line follows the word (lock.c) */
  int kind;       /* SCT_LOCK or SCT_RLOCK */
  unsigned depth; /* acquisitions the caller holds (a Lock: 0 or 1) */
  int64_t *cpu_word; /* the word, when CPU atomics reach it (one node) */
} lockref_t;

/* A lock's bytes: its word, then its waiting line (lock.c). */
#define SCT_MPI_LOCK_BYTES(ranks) (16 + 8 * (uint64_t)(ranks))

struct sct_mpi_lock {
  uint32_t magic;
  int borrowed; /* an object's: freed with it */
  lockref_t ref;
};

/* What every named handle has: its space and its entry. */
typedef struct handle {
  uint32_t magic;
  sct_mpi_space_t *sp;
  entry_t e;
} handle_t;

struct sct_mpi_obj {
  handle_t h;
  const sct_type_t *type; /* the handle's own copy */
  MPI_Datatype dt;        /* one element */
  struct sct_mpi_lock lock;
  char code;            /* the element's typecode, 0 for a struct */
  unsigned char *near;  /* its bytes in this process, when at home on
                           this node in one piece (not spread) */
  unsigned char *cpu;   /* the same, when atomics are CPU atomics */
};

struct sct_mpi_barrier {
  handle_t h;
};
struct sct_mpi_event {
  handle_t h;
};
struct sct_mpi_sem {
  handle_t h;
};
struct sct_mpi_queue {
  handle_t h;
  const sct_type_t *type;
  MPI_Datatype dt;
  lockref_t lock;
};

/* ---- errors.c ---- */

/* Records an MPI failure (code and text); returns SCT_EOS. */
int sct__mpi_fail(int mpi_rc, const char *call);
/* Sets sct_mpi_last_detail; returns @p rc. */
int sct__mpi_detail(int rc, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
#define MPI_CHECK(call)                                                        \
  do {                                                                         \
    int mpi_rc_ = (call);                                                      \
    if (mpi_rc_ != MPI_SUCCESS)                                                \
      return sct__mpi_fail(mpi_rc_, #call);                                    \
  } while (0)

/* A wait's deadline and its growing pause (see "Waiting" in sct_mpi.h). */
typedef struct pause {
  double deadline; /* MPI_Wtime; < 0: none */
  double started;
  double delay;    /* seconds */
  double longest;  /* the cap of delay */
} pause_t;

void sct__mpi_pause_start(pause_t *p, int timeout_ms);
/* Caps the pause at @p longest seconds (a wait for something that
 * changes as fast as an operation completes polls at about that pace). */
void sct__mpi_pause_cap(pause_t *p, double longest, int cpu_atomics);
/* Seconds since the wait started. */
double sct__mpi_waited(const pause_t *p);
/* Pauses once (keeping MPI progressing): 0, or SCT_ETIMEDOUT when the
 * deadline has passed (nothing paused then). */
int sct__mpi_pause(sct_mpi_space_t *sp, pause_t *p);

/* Inline: every call makes them. */
static inline int sct__mpi_space_check(const sct_mpi_space_t *sp) {
  if (!sp)
    return SCT_EINVAL;
  return sp->magic == SCT_MPI_MAGIC_SPACE ? 0 : SCT_ESTATE;
}

static inline int sct__mpi_handle_check(const void *handle) {
  const handle_t *h = (const handle_t *)handle;
  if (!h)
    return SCT_EINVAL;
  if (h->magic != SCT_MPI_MAGIC_HANDLE)
    return SCT_ESTATE;
  return sct__mpi_space_check(h->sp);
}

/* Test builds (SCT_TEST_HOOKS): sleeps as many milliseconds as the
 * environment variable @p name says, widening a race for a test. */
#ifdef SCT_TEST_HOOKS
void sct__mpi_hook_pause(const char *name);
#else
#define sct__mpi_hook_pause(name) ((void)0)
#endif

/* ---- rma.c: bytes and atomics at (rank, offset) ---- */

int sct__mpi_read(sct_mpi_space_t *sp, int rank, uint64_t offset, void *buf,
                  int count, MPI_Datatype dt, size_t bytes);
int sct__mpi_write(sct_mpi_space_t *sp, int rank, uint64_t offset,
                   const void *buf, int count, MPI_Datatype dt, size_t bytes);
/* 64-bit words (lock words, counters). */
int sct__mpi_load64(sct_mpi_space_t *sp, int rank, uint64_t offset,
                    int64_t *out);
int sct__mpi_store64(sct_mpi_space_t *sp, int rank, uint64_t offset,
                     int64_t value);
int sct__mpi_add64(sct_mpi_space_t *sp, int rank, uint64_t offset,
                   int64_t delta, int64_t *old);
/* Stores @p value in the word at @p store_at and reads @p count words
 * from @p read_at, both at @p rank, in one round trip. Not ordered: the
 * read may see the stored word before or after the store. */
int sct__mpi_store64_read(sct_mpi_space_t *sp, int rank, uint64_t store_at,
                          int64_t value, uint64_t read_at, int64_t *words,
                          int count);
int sct__mpi_cas64(sct_mpi_space_t *sp, int rank, uint64_t offset,
                   int64_t expected, int64_t desired, int64_t *old);
/* An element of a typecode's type: *old = element; element += *operand
 * (@p op MPI_SUM) or, for cas, swap when equal to *expected. */
int sct__mpi_fetch_add_elem(sct_mpi_space_t *sp, int rank, uint64_t offset,
                            char code, size_t size, const void *operand,
                            void *old);
int sct__mpi_cas_elem(sct_mpi_space_t *sp, int rank, uint64_t offset,
                      char code, size_t size, const void *expected,
                      const void *desired, void *old);
/* The same on an element at @p p in this process (CPU atomics). */
void sct__cpu_fetch_add_elem(unsigned char *p, char code, size_t size,
                             const void *operand, void *old);
void sct__cpu_cas_elem(unsigned char *p, size_t size, const void *expected,
                       const void *desired, void *old);
/* Orders plain loads and stores of near memory with the other ranks'
 * (MPI_Win_sync, unified memory model; nothing with CPU atomics, whose
 * fences do it). */
static inline void sct__mpi_sync(sct_mpi_space_t *sp) {
  if (!sp->cpu_atomics)
    MPI_Win_sync(sp->node_win);
}

/* ---- datatype.c ---- */

/* The MPI datatype of one element of @p type (committed; freed with
 * sct__mpi_datatype_free). */
int sct__mpi_datatype(const sct_type_t *type, MPI_Datatype *out);
void sct__mpi_datatype_free(MPI_Datatype *dt);
/* The predefined MPI datatype of a typecode, or MPI_DATATYPE_NULL. */
MPI_Datatype sct__mpi_code_datatype(char code);
/* A copy of @p type the handle owns (the caller's may be freed). */
int sct__mpi_type_copy(const sct_type_t *type, const sct_type_t **out);

/* ---- directory.c ---- */

/* Fills an entry's name and type fields for a find or create. */
int sct__mpi_entry_init(entry_t *e, const char *name, entry_kind_t kind,
                        const sct_type_t *type);
/* Finds @p want's name, or (by @p mode) makes it from @p want, allocating
 * its bytes and lock; *@p got is the entry as it is in the directory. */
int sct__mpi_entry(sct_mpi_space_t *sp, sct_space_mode_t mode,
                   const entry_t *want, entry_t *got);
/* The common part of every named handle's making. */
int sct__mpi_named(sct_mpi_space_t *sp, sct_space_mode_t mode,
                   entry_t *want, handle_t *h);

/* ---- lock.c ---- */

int sct__mpi_lock_acquire(lockref_t *l, int timeout_ms);
int sct__mpi_lock_release(lockref_t *l);
/* A lock's word at (@p home, @p offset), with its waiting line when
 * @p lined (every lock but the directory's). */
void sct__mpi_lockref_init(lockref_t *l, sct_mpi_space_t *sp, int home,
                           uint64_t offset, int lined, int kind);

#endif /* SCT_MPI_INTERNAL_H */

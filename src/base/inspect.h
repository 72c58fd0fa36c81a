/*
 * Readers for sct's command-line tool (src/tool): what an operator asks
 * of a shared object that the public API does not say, read without
 * changing anything. Internal: the tool links the static library.
 */
#ifndef SCT_INSPECT_H
#define SCT_INSPECT_H

#include "internal.h"

/* A lock as seen from outside, a snapshot. */
typedef struct sct__lock_view {
  int held;          /* 1 when held */
  long owner_pid;    /* as sct_lock_owner: 0 free, -1 an id that means
                        nothing here (another PID namespace) */
  int owner_alive;   /* held: 1 alive (or cannot tell), 0 dead */
  unsigned waiters;  /* waiters counted asleep (a dead one stays counted
                        until the next release) */
  unsigned count;    /* recursion depth (a held Lock counts 1) */
} sct__lock_view_t;

void sct__lockstate_view(const sct__lockstate_t *s, sct__lock_view_t *out);
/* 0, or as sct_lock_owner fails. */
int sct__lock_view(const sct_lock_t *lock, sct__lock_view_t *out);

/* A Queue's capacity (0 when @p queue is not a usable Queue). */
size_t sct__queue_capacity(const sct_queue_t *queue);

/* One object of a space, from its directory. */
typedef struct sct__space_entry_view {
  const char *name;
  const char *kind;   /* "Value", "Array", "Lock", "Condition", ... */
  const char *format; /* PEP 3118 (Values and Arrays), else "" */
  uint64_t n;         /* elements of an Array, else 0 */
  int lock_kind;      /* SCT_LOCK, SCT_RLOCK, or 0 */
  int has_lock;       /* its lock state is in lock */
  sct__lock_view_t lock;
  uint64_t offset;    /* of its data in the space */
  uint64_t align;     /* of its type (Values and Arrays) */
} sct__space_entry_view_t;

/* Calls @p fn for every object of the space, in directory order, under
 * the space's lock (@p fn must not call back into the space). */
int sct__space_view(sct_space_t *space,
                    int (*fn)(const sct__space_entry_view_t *, void *),
                    void *ctx);

/* The bytes and objects a space holds: its size, objects in use. */
int sct__space_usage(sct_space_t *space, uint64_t *size, uint32_t *objects);

/* The type whose PEP 3118 format is @p format, as sct_type_format
 * writes it (typeparse.c), with alignment @p align (0: the widest of its
 * fields that divides its size). Freed with sct_type_free. SCT_ETYPE for
 * a format sct did not write. */
int sct__type_from_format(const char *format, size_t align, sct_type_t **out);

#endif /* SCT_INSPECT_H */

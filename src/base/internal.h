/*
 * Definitions shared by the files of the portable core. Nothing here is
 * part of the public API.
 */
#ifndef SCT_INTERNAL_H
#define SCT_INTERNAL_H

#include "atomics.h"
#include "platform.h"
#include "sct.h"

#include <stddef.h>
#include <stdint.h>

/* Handle magics: a live handle carries its kind's magic, a freed one
 * SCT__MAGIC_FREED, so misuse is reported instead of followed. */
#define SCT__MAGIC_OBJ 0x4f544353u   /* "SCTO" */
#define SCT__MAGIC_LOCK 0x4c544353u  /* "SCTL" */
#define SCT__MAGIC_TYPE 0x54544353u  /* "SCTT" */
#define SCT__MAGIC_PROC 0x50544353u  /* "SCTP" */
#define SCT__MAGIC_SEG 0x53544353u   /* "SCTS" */
#define SCT__MAGIC_SPACE 0x41544353u /* "SCTA" */
#define SCT__MAGIC_FREED 0x44454144u /* "DEAD" */

/* ---- types (types.c) ---- */

typedef struct sct__field {
  char *name;
  size_t offset;
  size_t count;           /* 1 for a scalar field */
  const sct_type_t *type; /* a built-in, or a struct type referenced */
} sct__field_t;

enum { SCT__INT_NONE = 0, SCT__INT_SIGNED = 1, SCT__INT_UNSIGNED = 2 };

struct sct_type {
  uint32_t magic;
  int is_static; /* built-in descriptors are never freed */
  int refs;      /* for struct types */
  uint32_t freed; /* the creator's reference is given back */
  char code;      /* 0 for a struct */
  size_t size;
  size_t align;
  char *name;
  size_t nfields;
  sct__field_t *fields;
  /* Integer typecodes only: SCT__INT_SIGNED or _UNSIGNED, and the
   * range as int64 (unsigned 64-bit capped at INT64_MAX). Precomputed so
   * the integer fast paths make no lookups. */
  int int_kind;
  int64_t min;
  int64_t max;
};

int sct__type_check(const sct_type_t *type);
const sct_type_t *sct__type_ref(const sct_type_t *type);
void sct__type_unref(const sct_type_t *type);
/* Finds a (possibly dotted) field path: offset and field of the last name. */
int sct__type_find_field(const sct_type_t *type, const char *path,
                         size_t *offset, const sct__field_t **field);

/* ---- lock state in shared memory (lockword.c) ---- */

/*
 * The shared state of a Lock or RLock. word is 0 when unlocked, else the
 * owner's identity (bits 0-62, see sct__ident_t) and, in bit 63, a mark
 * that somebody may be sleeping. count is the RLock recursion depth,
 * written only by the owner. sleepers counts the waiters between deciding
 * to sleep and waking up (lockword.c says how a waiter killed in its sleep
 * stops being counted).
 */
typedef struct sct__lockstate {
  sct__u64 word;
  uint32_t count;
  uint32_t kind; /* sct_lock_kind_t, or SCT__KIND_MUTEX */
  uint32_t sleepers;
  uint32_t wake_key; /* see sct__wake_key */
} sct__lockstate_t;

/* The kind of the library's own in-process mutexes: never shared, so
 * their owner needs no registered identity and never dies. */
#define SCT__KIND_MUTEX 3u

void sct__lockstate_init(sct__lockstate_t *s, sct_lock_kind_t kind);
int sct__lockstate_acquire(sct__lockstate_t *s, int timeout_ms);
int sct__lockstate_release(sct__lockstate_t *s);
/* The owner's process (Lock) or thread (RLock) id, 0 when unlocked, -1
 * when held by an owner whose id means nothing here (another PID
 * namespace). */
long sct__lockstate_owner(const sct__lockstate_t *s);
unsigned sct__lockstate_count(const sct__lockstate_t *s);
/* Whether a state found in a named lock's page is one sct could have
 * written: a known kind, and no count for a Lock. */
int sct__lockstate_valid(const sct__lockstate_t *s);

/* An in-process mutex for the library's own tables, built on the same
 * state (kept in process-local memory). */
typedef sct__lockstate_t sct__mutex_t;
#define SCT__MUTEX_INIT                                                        \
  { 0, 0, SCT__KIND_MUTEX, 0, 0 }
void sct__mutex_init(sct__mutex_t *m);
/* The paths of sct__mutex_lock/unlock that may sleep or wake (lockword.c). */
void sct__mutex_lock_contended(sct__mutex_t *m);
void sct__mutex_unlock_waking(sct__mutex_t *m, uint32_t sleepers);
/* Chooses how this process releases its locks (lockword.c; at start and
 * in a forked child). */
void sct__lockword_setup(void);
#define SCT__MUTEX_OWNER UINT64_C(1)

/* Inline uncontended paths: making and freeing an object takes two of
 * these mutexes, and a call and a dispatch on the kind each time cost a
 * tenth of making ten million Values. */
static inline void sct__mutex_lock(sct__mutex_t *m) {
  uint64_t unlocked = 0;
  if (!sct__cas(&m->word, &unlocked, SCT__MUTEX_OWNER))
    sct__mutex_lock_contended(m);
}

/* An exchange: the in-process mutexes do not take the heavy barrier
 * (lockword.c), their waiters being threads of this process only. */
static inline void sct__mutex_unlock(sct__mutex_t *m) {
  (void)sct__exchange_seq_cst(&m->word, UINT64_C(0));
  uint32_t sleepers = sct__load_seq_cst(&m->sleepers);
  if (sleepers != 0)
    sct__mutex_unlock_waking(m, sleepers);
}

/* ---- the shared heap (heap.c) ---- */

/* Allocates @p size bytes aligned to @p align (a power of two up to 4096)
 * from the shared arenas, zeroed. */
int sct__heap_alloc(size_t size, size_t align, void **block, void **data);
/* The same for a caller that writes every byte it uses before reading it
 * (slab.c zeroes each slot it hands out). */
int sct__heap_alloc_unzeroed(size_t size, size_t align, void **block,
                             void **data);
/* Finds the segment holding [p, p + len): its handle, size, and the
 * offset of p. SCT_EINVAL when no arena (own or inherited) holds it. */
int sct__heap_locate(const void *p, size_t len, intptr_t *handle, size_t *size,
                     size_t *offset);
/* Records a segment mapped from a parent (spawned children), so objects
 * in it can be located and passed on. */
int sct__heap_adopt(const sct__segment_t *seg);
/* Frees a block; a block from the parent's arenas (in a child) is only
 * forgotten. Returns SCT_ESTATE for a block that is not in use. */
int sct__heap_free(void *block);
/* The size of heap block @p block, header included. */
size_t sct__heap_block_bytes(const void *block);

void sct__heap_fork_prepare(void);
void sct__heap_fork_parent(void);
void sct__heap_fork_child(void);

/* ---- handle pools (pool.c) ---- */

/*
 * Fixed-size handle slots, carved from chunks and never returned to the
 * C heap, so a freed handle keeps its SCT__MAGIC_FREED and a second free
 * can be detected (until the slot is reused).
 */
typedef struct sct__pool {
  sct__mutex_t mutex;
  size_t item_size;
  void *free_list;
  char *chunk_next;
  char *chunk_end;
  void *chunks;
  size_t chunk_bytes; /* all chunks so far */
} sct__pool_t;
#define SCT__POOL_INIT(T) SCT__POOL_INIT_SIZED(sizeof(T))
#define SCT__POOL_INIT_SIZED(size)                                             \
  { SCT__MUTEX_INIT, (size), NULL, NULL, NULL, NULL, 0 }
void *sct__pool_get(sct__pool_t *pool);
/* The same, for a caller that sets every field itself. */
void *sct__pool_get_unzeroed(sct__pool_t *pool);
/* sct__pool_get_unzeroed and sct__pool_put for a pool that another
 * mutex guards instead of its own (the caller holds it). */
void *sct__pool_take(sct__pool_t *pool);
void sct__pool_give(sct__pool_t *pool, void *item);
void sct__pool_put(sct__pool_t *pool, void *item);
/* Checks a handle from a pool (its first field is its magic): 0 when it
 * carries @p magic, SCT_ESTATE when it was freed, SCT_EINVAL for NULL or
 * anything else. */
int sct__handle_check(const void *handle, uint32_t magic);

/* ---- slots for compact Values (slab.c) ---- */

#define SCT__SLOT_BYTES 32u
/* A zeroed 32-byte, 8-aligned piece of the shared heap, and an unzeroed
 * item of @p handles, a pool the slab's mutex guards (one mutex for both
 * halves of a compact Value). */
int sct__slot_alloc(void **slot, sct__pool_t *handles, void **handle);
/* This process's generation: 0, one more in each forked child. A
 * compact handle keeps the one its slot was taken in. */
unsigned sct__slab_epoch(void);
/* Frees a slot taken in @p epoch if that is this process's (one
 * inherited from a parent is left alone) and gives @p handle back to
 * @p handles. */
void sct__slot_free(void *slot, unsigned epoch, sct__pool_t *handles,
                    void *handle);
/* For sct_heap_stats: slots in use, and the heap blocks holding them. */
void sct__slab_stats(size_t *live_slots, size_t *regions, size_t *region_bytes);
void sct__slab_fork_prepare(void);
void sct__slab_fork_parent(void);
void sct__slab_fork_child(void);

/* ---- locks and objects (lock.c, object.c) ---- */

enum {
  SCT__LOCK_BORROWED = 1, /* a view of an object's own lock state */
  SCT__LOCK_NAMED = 2,
  SCT__LOCK_FREED = 4 /* the user's reference is gone */
};

struct sct_lock {
  uint32_t magic;
  uint32_t flags;
  int refs;
  sct_lock_kind_t kind;
  sct__lockstate_t *state;
  void *block;             /* heap block (anonymous locks) */
  sct__segment_t *segment; /* named locks */
  sct_obj_t *owner;        /* borrowed views: the object holding the state */
};

extern sct__pool_t sct__lock_pool;
extern sct__pool_t sct__obj_pool;
/* Compact object handles: guarded by the slab's mutex, not their own. */
extern sct__pool_t sct__compact_pool;
extern sct__pool_t sct__type_pool;
extern sct__pool_t sct__process_pool;
extern sct__pool_t sct__segment_pool;
extern sct__pool_t sct__space_pool;
int sct__lock_check(const sct_lock_t *lock);
sct_lock_t *sct__lock_ref(sct_lock_t *lock);
/* A handle for a lock state this process does not own. */
int sct__lock_adopt(sct_lock_t **out, sct_lock_kind_t kind,
                    sct__lockstate_t *state);
void sct__lock_unref(sct_lock_t *lock);

enum {
  SCT__OBJ_ARRAY = 1,
  SCT__OBJ_BORROWED = 2,  /* a raw view owned by its wrapper */
  SCT__OBJ_OWNS_LOCK = 4, /* lockstate lives in the object's block */
  SCT__OBJ_FREED = 8,     /* the user's reference is gone */
  SCT__OBJ_COMPACT = 16,  /* a compact handle: no `full` part (below) */
  /* A compact handle's flags keep, from this bit up, the slab epoch its
   * slot was taken in (the low 16 bits of it: a repeat needs 65,536
   * generations of forked children). */
  SCT__OBJ_EPOCH_SHIFT = 16
};


/*
 * An object handle. Most synchronized Values are compact: the handle
 * ends after `data` (32 bytes on 64-bit targets), the Value's bytes sit
 * in a 32-byte slab slot right after its RLock's state (slab.c), and its
 * lazy views are found through `views` (views.c). Every other handle is
 * full. Read the length and the lock state through sct__obj_len and
 * sct__obj_lockstate; `full` only where the handle is known to be full.
 */
struct sct_obj {
  uint32_t magic;
  uint32_t flags;
  int refs;
  uint32_t views; /* compact: index of its lazy views, 0 for none */
  const sct_type_t *type;
  void *data;
  struct {
    size_t n;
    void *block;                 /* owned heap block, or NULL for a wrapper */
    sct__lockstate_t *lockstate; /* NULL for raw objects */
    sct_lock_t *lock;            /* given lock (referenced) or lazy view */
    sct_obj_t *base;             /* wrapped raw object (referenced) or view */
  } full;
};

static inline unsigned sct__obj_epoch(const sct_obj_t *obj) {
  return obj->flags >> SCT__OBJ_EPOCH_SHIFT;
}

static inline size_t sct__obj_len(const sct_obj_t *obj) {
  return (obj->flags & SCT__OBJ_COMPACT) ? 1 : obj->full.n;
}

/* A compact Value's lock state sits right before its bytes. */
static inline sct__lockstate_t *sct__obj_lockstate(const sct_obj_t *obj) {
  if (obj->flags & SCT__OBJ_COMPACT)
    return (sct__lockstate_t *)(void *)((char *)obj->data -
                                        sizeof(sct__lockstate_t));
  return obj->full.lockstate;
}

/* The lock an object was given (referenced by it), a lazy view of its
 * own lock, or NULL. */
static inline const sct_lock_t *sct__obj_lock_handle(const sct_obj_t *obj) {
  return (obj->flags & SCT__OBJ_COMPACT) ? NULL : obj->full.lock;
}

int sct__obj_check(const sct_obj_t *obj);
/* The test of sct__obj_check that passes, inline for fast paths (the
 * full check then tells what is wrong). */
#define SCT__OBJ_LIVE(obj)                                                     \
  ((obj) && (obj)->magic == SCT__MAGIC_OBJ && !((obj)->flags & SCT__OBJ_FREED))
/* A handle for bytes this process does not own (a spawned child's
 * arguments): freeing it only drops the handle. */
int sct__obj_adopt(sct_obj_t **out, const sct_type_t *type, size_t n,
                   int is_array, void *data, sct__lockstate_t *lockstate);
void sct__obj_ref(sct_obj_t *obj);
void sct__obj_unref(sct_obj_t *obj);

/* Takes the object's lock if it has one (blocking). Returns 0 or
 * SCT_EOWNERDEAD (lock held in both cases) or another error (not held). */
int sct__obj_lock(sct_obj_t *obj);
void sct__obj_unlock(sct_obj_t *obj);
/* sct__obj_lock after argument checks: returns @p checks when they
 * failed, else the lock's result. */
int sct__obj_lock_checked(sct_obj_t *obj, int checks);
/* The lazy views of a compact handle (views.c): made on first need (NULL
 * when out of memory), found (NULL when none), released with the handle.
 * Its mutex is taken across fork like the pools'. */
typedef struct sct__views {
  sct_obj_t *base;
  sct_lock_t *lock;
} sct__views_t;
sct__views_t *sct__views_of(sct_obj_t *obj);
sct__views_t *sct__views_find(const sct_obj_t *obj);
void sct__views_release(sct_obj_t *obj);
extern sct__mutex_t sct__views_mutex;

/* An acquire result after which the caller holds the lock. */
#define SCT__HELD(rc) ((rc) == 0 || (rc) == SCT_EOWNERDEAD)

/* Arguments (process.c). */
struct sct_args {
  size_t n;
  sct_arg_t *items;
};
const sct_target_t *sct__find_target(const char *name);

/* The spawn start method (spawn.c): starting a child in the parent, and
 * the child's side, run by sct_main (never returns in a spawned child). */
int sct__spawn_start(const sct_target_t *target, const sct_args_t *args,
                     long *pid);
void sct__spawn_child_main(void);
/* The argument vector given to sct_main, re-used for spawned children. */
void sct__spawn_remember_argv(char **argv);

/* Names of named objects (segment.c): checks @p name and writes the
 * platform name "sct.<space>.<name>" into @p buf, after SCT__GLOBAL_PREFIX
 * when the caller asked for Windows' global namespace. */
#define SCT__GLOBAL_PREFIX "Global\\"
int sct__named_path(char *buf, size_t cap, const char *space, const char *name);
/* Whether a platform name from sct__named_path is in the global namespace. */
int sct__named_is_global(const char *path);
/* Whether the @p len characters of @p s are all of [A-Za-z0-9._-]. */
int sct__name_chars_valid(const char *s, size_t len);

/* What a named page holds, for sct__named_open_ready: 0 ready, SCT_ESTATE
 * still being made (no ready mark yet), or the error to report. */
typedef int (*sct__page_check_fn)(const sct__segment_t *seg, void *ctx);
/*
 * Opens the named page @p name of @p space (path in @p path) that its
 * creator publishes with a ready mark, after @p check says it is ready.
 * A page still being made is looked at again for up to a second, and
 * past that for as long as @p maker_alive (may be NULL) says its creator
 * lives; one never finished is SCT_ETYPE. On 0 *seg is mapped, and the
 * caller closes it if it cannot use it.
 */
int sct__named_open_ready(sct__segment_t *seg, char *path, size_t cap,
                          const char *space, const char *name, unsigned flags,
                          sct__page_check_fn check, void *ctx,
                          int (*maker_alive)(void *ctx));
/* Removes the name @p name of @p space. */
int sct__named_unlink(const char *space, const char *name);

/* Timeouts. A negative one other than SCT_INFINITE means "do not wait",
 * as in Python (a computed remaining time that went negative has
 * expired). Deadlines are in sct__now_ns time; the milliseconds left are
 * rounded up, so a wait never ends before its deadline. */
#define SCT__TIMEOUT(ms) ((ms) < 0 && (ms) != SCT_INFINITE ? 0 : (ms))
int64_t sct__deadline(int timeout_ms);
/* The same, from a time @p now read by the caller. */
int64_t sct__deadline_from(int64_t now, int timeout_ms);
/* Milliseconds to @p deadline, rounded up; 0 once it has passed. */
int sct__ms_left(int64_t deadline);
/* A deadline for a public timeout, -1 for SCT_INFINITE; and back: the
 * milliseconds left to it, SCT_INFINITE for -1. */
int64_t sct__deadline_or_none(int timeout_ms);
int sct__ms_until(int64_t deadline);
/* A sleep of @p slice_ms cut to what is left of @p deadline (-1: none):
 * 0 once it has passed. */
int sct__slice_until(int64_t deadline, int slice_ms);

/* Whether Python's str.isprintable() accepts code point @p c
 * (printable.c, generated). */
int sct__printable(uint32_t c);

/* Lazy once-only library initialisation. */
void sct__init(void);
/* Whether waiters spin before sleeping: set by sct__init from the CPUs
 * this process may use (platform.h: sct__cpus_available). */
extern int sct__spin_before_sleep;

/* Overflow-checked size arithmetic. */
int sct__mul_size(size_t a, size_t b, size_t *out);
int sct__add_size(size_t a, size_t b, size_t *out);

/* Records what the error @p code was about, printf style, for
 * sct_last_detail (error.c); returns @p code. */
SCT__PRINTF_LIKE(2, 3)
int sct__detail(int code, const char *format, ...);

/* FNV-1a of @p n bytes (typeformat.c). */
uint64_t sct__hash_bytes(const void *p, size_t n);
/* The hash of @p type's format (sct_type_format), its length (when
 * @p length is not NULL), and as much of it as fits @p cap bytes of
 * @p text (NUL-ended; cap may be 0). */
int sct__type_digest(const sct_type_t *type, uint64_t *hash, size_t *length,
                     char *text, size_t cap);

/* 0 when sct_process_join could still collect @p p's end (started, not
 * joined); else as sct_process_join would fail (waitany.c asks). */
int sct__process_joinable(sct_process_t *p);

#endif /* SCT_INTERNAL_H */

/*
 * The waiting primitives (Condition, Semaphore, Event, Barrier, Queue):
 * the word they sleep on, their handles, and what the handles share
 * (references, named pages, arguments). Each kind's algorithm is in its
 * own file; this header is the part they have in common.
 */
#ifndef SCT_SYNC_H
#define SCT_SYNC_H

#include "../base/internal.h"

/* ---- a word to sleep on (waitword.c) ---- */

/*
 * A 32-bit value that waiters sleep on while it keeps the value they saw,
 * with the count of sleepers that lets a waker skip the system call when
 * nobody sleeps. A waiter counts itself before it reads the value (both
 * sequentially consistent) and a waker changes the value before it reads
 * the count, so one of the two always sees the other: no wake-up is lost.
 *
 * `entries` lets a busy waker skip the system call also while sleepers
 * are counted but none is asleep (woken, not yet running): waiters add 2
 * to it on their way to sleep, and a waker whose wake found nobody marks
 * it drained (bit 0) if nobody entered since before its change of the
 * value. Until the next entry, no counted waiter can be asleep on any
 * value, so wakers skip (waitword.c proves it).
 */
typedef struct sct__waitword {
  uint32_t value;
  uint32_t sleepers;
  uint32_t wake_key; /* see sct__wake_key */
  uint32_t entries;
} sct__waitword_t;

/* A slice for waiters with nothing to check: the backstop that finds a
 * wake-up lost with a waker or woken waiter killed between the two. */
#define SCT__IDLE_SLICE_MS 1000

void sct__waitword_init(sct__waitword_t *w, uint32_t value);

/* Sleeps while w->value == @p expected: until woken (maybe spuriously),
 * @p slice_ms at most, or @p deadline (sct__deadline; -1 none). 0 when
 * woken or the value differs, SCT_ETIMEDOUT at the deadline. */
int sct__waitword_wait(sct__waitword_t *w, uint32_t expected, int64_t deadline,
                       int slice_ms);

/* Wakes up to @p n sleepers (n < 0: every counted one), after the caller
 * changed the value. No system call when nobody sleeps. */
void sct__waitword_wake(sct__waitword_t *w, int n);

/* For a wait on several words at once (waitany.c), the two halves of
 * sct__waitword_wait around the platform's sleep: counted among @p w's
 * sleepers (sequentially consistent, before the caller reads the value
 * again), and off the count again. */
void sct__waitword_enter(sct__waitword_t *w);
void sct__waitword_leave(sct__waitword_t *w);

/* Sleeps of this process that lasted their whole slice although the value
 * had changed: wake-ups that never came (the tests read it). */
extern uint32_t sct__waitword_missed;

/* For a word changed often (a Queue's): adds 1 to the value and returns
 * the token for sct__waitword_wake_bumped, which then wakes up to @p n
 * sleepers, and skips the system call also while every counted sleeper is
 * already woken. */
uint32_t sct__waitword_bump(sct__waitword_t *w);
void sct__waitword_wake_bumped(sct__waitword_t *w, int n, uint32_t token);

/* ---- handles (sync.c) ---- */

#define SCT__MAGIC_SYNC 0x59544353u /* "SCTY" */

typedef enum sct__sync_kind {
  SCT__SYNC_COND = 1,
  SCT__SYNC_SEM = 2,
  SCT__SYNC_EVENT = 3,
  SCT__SYNC_BARRIER = 4,
  SCT__SYNC_QUEUE = 5
} sct__sync_kind_t;

/* Every state starts with its kind and its size in bytes, so a state
 * met in a named page or a spawned child's argument is checked before
 * use. */
typedef struct sct__sync_head {
  uint32_t kind;
  uint32_t size;
} sct__sync_head_t;

enum {
  SCT__SYNC_FREED = 1, /* the user's reference is gone */
  SCT__SYNC_GLOBAL = 2 /* named in the global namespace */
};

typedef struct sct__sync {
  uint32_t magic;
  uint32_t flags;
  int refs;
  sct__sync_kind_t kind;
  sct__sync_head_t *state;
  void *block;             /* heap block (anonymous) */
  sct__segment_t *segment; /* named */
  sct_lock_t *lock;        /* Condition: a handle of its own on its lock */
  sct_lock_t *given_lock;  /* Condition: the lock it was made over (kept) */
  sct_barrier_action_fn action; /* Barrier: this handle's action */
  void *action_ctx;
} sct__sync_t;

/* The public handle types are the one handle, told apart by kind. */
struct sct_cond {
  sct__sync_t s;
};
struct sct_sem {
  sct__sync_t s;
};
struct sct_event {
  sct__sync_t s;
};
struct sct_barrier {
  sct__sync_t s;
};
struct sct_queue {
  sct__sync_t s;
};

extern sct__pool_t sct__sync_pool;

/* What a new state of each kind is made from (each kind reads its own). */
typedef struct sct__sync_params {
  unsigned value;            /* Semaphore */
  int bounded;               /* Semaphore */
  unsigned parties;          /* Barrier */
  sct_lock_kind_t lock_kind; /* Condition with a lock of its own, or 0 */
  const sct_type_t *type;    /* Queue */
  size_t capacity;           /* Queue */
  unsigned flags;            /* Queue */
} sct__sync_params_t;

/* Each kind's part: the size of a state for @p p (after checking @p p:
 * SCT_EINVAL, SCT_EOVERFLOW ...), filling a zeroed state whose head is
 * set, and (Condition) what a handle needs besides its state. */
int sct__cond_size(const sct__sync_params_t *p, size_t *size);
int sct__sem_size(const sct__sync_params_t *p, size_t *size);
int sct__event_size(const sct__sync_params_t *p, size_t *size);
int sct__barrier_size(const sct__sync_params_t *p, size_t *size);
int sct__queue_size(const sct__sync_params_t *p, size_t *size);
void sct__cond_init(sct__sync_t *s, const sct__sync_params_t *p);
void sct__sem_init(sct__sync_t *s, const sct__sync_params_t *p);
void sct__event_init(sct__sync_t *s, const sct__sync_params_t *p);
void sct__barrier_init(sct__sync_t *s, const sct__sync_params_t *p);
void sct__queue_init(sct__sync_t *s, const sct__sync_params_t *p);
int sct__cond_attach(sct__sync_t *s);

/* Makes a state of @p kind: anonymous in the heap (@p name NULL) or
 * named, filled from @p p, and a handle to it. */
int sct__sync_make(sct__sync_t **out, sct__sync_kind_t kind,
                   const sct__sync_params_t *p, const char *name);

/* For states that live in a named space: the size a state needs, making
 * one in zeroed memory at @p state (@p global: named in Global\), and a
 * handle (which owns nothing) to one made before. */
int sct__sync_size(sct__sync_kind_t kind, const sct__sync_params_t *p,
                   size_t *size);
int sct__sync_make_at(sct__sync_t **out, sct__sync_kind_t kind,
                      const sct__sync_params_t *p, void *state, size_t size,
                      int global);
int sct__sync_wrap_at(sct__sync_t **out, sct__sync_kind_t kind, void *state,
                      size_t size);

/* Checks a handle: 0, SCT_EINVAL (NULL, not a handle), SCT_ESTATE
 * (freed), SCT_ETYPE (another kind). */
int sct__sync_check(const void *handle, sct__sync_kind_t kind);

/* A new anonymous state of @p size bytes in the shared heap, zeroed, its
 * head filled, and a handle to it. */
int sct__sync_new(sct__sync_t **out, sct__sync_kind_t kind, size_t size);

/* A handle for a state this process did not make (a spawned child's
 * argument), after checking its head: SCT_ETYPE when it is not a state
 * of @p kind of at most @p size bytes. */
int sct__sync_adopt(sct__sync_t **out, sct__sync_kind_t kind, void *state,
                    size_t size);

/* Named states: the page is a ready mark, a version and the state. The
 * creator fills the state between create and publish; openers never see
 * it before, and check it with the kind's sct__*_valid. */
int sct__sync_create_named(sct__sync_t **out, sct__sync_kind_t kind,
                           const char *name, size_t size);
void sct__sync_publish(sct__sync_t *sync);
/* Undoes a create whose state could not be filled in. */
void sct__sync_discard_named(sct__sync_t *sync, const char *name);
int sct__sync_open_named(sct__sync_t **out, sct__sync_kind_t kind,
                         const char *name, unsigned flags);

/* Each kind's check of a state it did not make (a named page, a spawned
 * child's argument) whose head says @p size bytes: 0, or SCT_ETYPE for
 * anything sct could not have written. */
int sct__cond_valid(const sct__sync_head_t *head, size_t size);
int sct__sem_valid(const sct__sync_head_t *head, size_t size);
int sct__event_valid(const sct__sync_head_t *head, size_t size);
int sct__barrier_valid(const sct__sync_head_t *head, size_t size);
int sct__queue_valid(const sct__sync_head_t *head, size_t size);
int sct__sync_unlink_named(sct__sync_kind_t kind, const char *name);

/* What sct_wait_any (waitany.c) sleeps on for each kind: the word whose
 * change may make the entry possible. A Queue's getters sleep on its
 * puts, its putters on its gets; a Semaphore's acquirers on its value
 * (while 0); an Event's waiters on its flag word. The caller checked the
 * handle. */
sct__waitword_t *sct__queue_word(const sct_queue_t *queue, int for_put);
sct__waitword_t *sct__sem_word(const sct_sem_t *sem);
sct__waitword_t *sct__event_word(const sct_event_t *event);
/* 1 when @p event is set or was set since its word read @p seen. */
int sct__event_fired(const sct_event_t *event, uint32_t seen);

/* Initialises a wait word of @p sync's state (its wake-up object in the
 * namespace the state was named in). */
void sct__sync_waitword_init(const sct__sync_t *sync, sct__waitword_t *w,
                             uint32_t value);

void sct__sync_ref(sct__sync_t *sync);
void sct__sync_unref(sct__sync_t *sync);
/* The user's free: SCT_ESTATE the second time. */
int sct__sync_free(void *handle, sct__sync_kind_t kind);

/* Whether the caller holds @p s (an RLock: this thread; a Lock: this
 * process, whichever thread took it). */
int sct__lockstate_held(const sct__lockstate_t *s);
/* Releases an RLock completely or a Lock, returning the recursion count
 * to give back to sct__lockstate_restore. */
unsigned sct__lockstate_release_all(sct__lockstate_t *s);
int sct__lockstate_restore(sct__lockstate_t *s, unsigned count);

/* Arguments: the state's kind for an SCT_ARG_* kind, or 0. */
sct__sync_kind_t sct__sync_kind_of_arg(int arg_kind);

#endif /* SCT_SYNC_H */

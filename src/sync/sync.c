/*
 * Handles of the waiting primitives, anonymous and named: what a
 * Condition, Semaphore, Event, Barrier and Queue share apart from their
 * algorithms (references, pages, checks).
 */
#include "sync.h"
#include "../base/atomics.h"

#include <stdlib.h>

sct__pool_t sct__sync_pool = SCT__POOL_INIT(sct__sync_t);

/* A named state's segment: a ready mark stored last by its creator (an
 * opener never uses a half-made state), a version, and the state at a
 * 64-byte boundary (queue items may need it). */
typedef struct named_page {
  uint32_t ready;
  uint32_t version;
} named_page_t;

#define NAMED_READY 0x59445253u /* "SRDY" */
/* 2: waiters count their entries into sleep (waitword.c): a process of
 * version 1 would sleep where a newer waker cannot see it. */
/* 3: a Queue's counts are 64-bit and its unfinished items are derived
 * (queue.c): a process of version 2 would read them at other offsets.
 * 4: their locks release by a plain store (lockword.c; see lock.c). */
#define NAMED_VERSION 4u
#define STATE_OFFSET 64u

static const char *const spaces[] = {NULL,    "cond",    "sem",
                                     "event", "barrier", "queue"};

/* What each kind brings, by sct__sync_kind_t. */
static const struct {
  int (*valid)(const sct__sync_head_t *head, size_t size);
  int (*size)(const sct__sync_params_t *p, size_t *size);
  void (*init)(sct__sync_t *s, const sct__sync_params_t *p);
  int (*attach)(sct__sync_t *s); /* may be NULL */
} kinds[] = {
    {NULL, NULL, NULL, NULL},
    {sct__cond_valid, sct__cond_size, sct__cond_init, sct__cond_attach},
    {sct__sem_valid, sct__sem_size, sct__sem_init, NULL},
    {sct__event_valid, sct__event_size, sct__event_init, NULL},
    {sct__barrier_valid, sct__barrier_size, sct__barrier_init, NULL},
    {sct__queue_valid, sct__queue_size, sct__queue_init, NULL}};

/* The head, then the kind's own checks, of a state of at most @p room
 * bytes that this process did not make. */
static int check_state(const sct__sync_head_t *head, sct__sync_kind_t kind,
                       size_t room) {
  if (head->kind != (uint32_t)kind || head->size > room ||
      head->size < sizeof *head)
    return SCT_ETYPE;
  return kinds[kind].valid(head, head->size);
}

int sct__sync_check(const void *handle, sct__sync_kind_t kind) {
  int rc = sct__handle_check(handle, SCT__MAGIC_SYNC);
  if (rc != 0)
    return rc;
  const sct__sync_t *s = handle;
  if (s->flags & SCT__SYNC_FREED)
    return SCT_ESTATE;
  return s->kind == kind ? 0 : SCT_ETYPE;
}

static sct__sync_t *handle_new(sct__sync_kind_t kind, void *state) {
  sct__sync_t *s = sct__pool_get(&sct__sync_pool);
  if (s)
    *s = (sct__sync_t){
        .magic = SCT__MAGIC_SYNC, .refs = 1, .kind = kind, .state = state};
  return s;
}

static void fill_head(sct__sync_head_t *head, sct__sync_kind_t kind,
                      size_t size) {
  head->kind = (uint32_t)kind;
  head->size = (uint32_t)size;
}

int sct__sync_new(sct__sync_t **out, sct__sync_kind_t kind, size_t size) {
  void *block, *data;
  if (size > UINT32_MAX)
    return SCT_EOVERFLOW;
  sct__init();
  int rc = sct__heap_alloc(size, 64, &block, &data);
  if (rc != 0)
    return rc;
  sct__sync_t *s = handle_new(kind, data);
  if (!s) {
    sct__heap_free(block);
    return SCT_ENOMEM;
  }
  fill_head(data, kind, size);
  s->block = block;
  *out = s;
  return 0;
}

int sct__sync_adopt(sct__sync_t **out, sct__sync_kind_t kind, void *state,
                    size_t size) {
  int rc = check_state(state, kind, size);
  if (rc != 0)
    return rc;
  sct__sync_t *s = handle_new(kind, state);
  if (!s)
    return SCT_ENOMEM;
  *out = s;
  return 0;
}

static int path_of(char *path, size_t cap, sct__sync_kind_t kind,
                   const char *name) {
  return sct__named_path(path, cap, spaces[kind], name);
}

static int wrap_segment(sct__sync_t **out, sct__sync_kind_t kind,
                        const sct__segment_t *seg) {
  sct__segment_t *kept = malloc(sizeof *kept);
  sct__sync_t *s =
      kept ? handle_new(kind, (char *)seg->addr + STATE_OFFSET) : NULL;
  if (!s) {
    free(kept);
    return SCT_ENOMEM;
  }
  *kept = *seg;
  s->segment = kept;
  *out = s;
  return 0;
}

int sct__sync_create_named(sct__sync_t **out, sct__sync_kind_t kind,
                           const char *name, size_t size) {
  char path[256];
  sct__segment_t seg;
  if (size > UINT32_MAX - STATE_OFFSET)
    return SCT_EOVERFLOW;
  sct__init();
  int rc = path_of(path, sizeof path, kind, name);
  if (rc == 0)
    rc = sct__segment_create_named(&seg, path, STATE_OFFSET + size);
  if (rc != 0)
    return rc;
  fill_head((sct__sync_head_t *)((char *)seg.addr + STATE_OFFSET), kind, size);
  rc = wrap_segment(out, kind, &seg);
  if (rc != 0) {
    sct__segment_close(&seg);
    sct__segment_unlink_named(path);
    return rc;
  }
  if (sct__named_is_global(path))
    (*out)->flags |= SCT__SYNC_GLOBAL;
  return 0;
}

void sct__sync_publish(sct__sync_t *sync) {
  named_page_t *page = sync->segment->addr;
  page->version = NAMED_VERSION;
  sct__store_release(&page->ready, NAMED_READY);
}

void sct__sync_discard_named(sct__sync_t *sync, const char *name) {
  (void)sct__sync_unlink_named(sync->kind, name);
  sct__sync_unref(sync);
}

/* What a page holds: 0 a finished state of @p kind, SCT_ESTATE one not
 * finished yet (its creator is between create and publish), SCT_ETYPE
 * anything else. */
static int check_page(const sct__segment_t *seg, sct__sync_kind_t kind) {
  const named_page_t *page = seg->addr;
  if (seg->size < STATE_OFFSET + sizeof(sct__sync_head_t))
    return SCT_ETYPE;
  uint32_t ready = sct__load_acquire(&page->ready);
  if (ready == 0) /* its creator is still filling it in */
    return SCT_ESTATE;
  if (ready != NAMED_READY || page->version != NAMED_VERSION)
    return SCT_ETYPE;
  return check_state(
      (const sct__sync_head_t *)((const char *)seg->addr + STATE_OFFSET), kind,
      seg->size - STATE_OFFSET);
}

static int check_sync_page(const sct__segment_t *seg, void *ctx) {
  return check_page(seg, *(const sct__sync_kind_t *)ctx);
}

int sct__sync_open_named(sct__sync_t **out, sct__sync_kind_t kind,
                         const char *name, unsigned flags) {
  char path[256];
  sct__segment_t seg;
  int rc = sct__named_open_ready(&seg, path, sizeof path, spaces[kind], name,
                                 flags, check_sync_page, &kind, NULL);
  if (rc == 0 && (rc = wrap_segment(out, kind, &seg)) != 0)
    sct__segment_close(&seg);
  return rc;
}

int sct__sync_unlink_named(sct__sync_kind_t kind, const char *name) {
  return sct__named_unlink(spaces[kind], name);
}

void sct__sync_ref(sct__sync_t *sync) {
  sct__fetch_add(&sync->refs, 1);
}

void sct__sync_unref(sct__sync_t *sync) {
  if (sct__fetch_sub(&sync->refs, 1) != 1)
    return;
  if (sync->block)
    sct__heap_free(sync->block);
  if (sync->segment) {
    sct__segment_close(sync->segment);
    free(sync->segment);
  }
  if (sync->lock)
    sct__lock_unref(sync->lock);
  if (sync->given_lock)
    sct__lock_unref(sync->given_lock);
  sct__pool_put(&sct__sync_pool, sync);
}

int sct__sync_free(void *handle, sct__sync_kind_t kind) {
  int rc = sct__sync_check(handle, kind);
  if (rc != 0)
    return rc;
  sct__sync_t *s = handle;
  /* The caller's reference is marked gone at once, so a second free is
   * SCT_ESTATE even while a process started with it keeps it alive. */
  uint32_t before = sct__fetch_or(&s->flags, (uint32_t)SCT__SYNC_FREED);
  if (before & SCT__SYNC_FREED)
    return SCT_ESTATE;
  sct__sync_unref(s);
  return 0;
}

void sct__sync_waitword_init(const sct__sync_t *sync, sct__waitword_t *w,
                             uint32_t value) {
  sct__waitword_init(w, value);
  if (sync->flags & SCT__SYNC_GLOBAL)
    w->wake_key |= SCT__WAKE_GLOBAL;
}

sct__sync_kind_t sct__sync_kind_of_arg(int arg_kind) {
  switch (arg_kind) {
  case SCT_ARG_COND: return SCT__SYNC_COND;
  case SCT_ARG_SEM: return SCT__SYNC_SEM;
  case SCT_ARG_EVENT: return SCT__SYNC_EVENT;
  case SCT_ARG_BARRIER: return SCT__SYNC_BARRIER;
  case SCT_ARG_QUEUE: return SCT__SYNC_QUEUE;
  default: return (sct__sync_kind_t)0;
  }
}

static int attach(sct__sync_t *s) {
  return kinds[s->kind].attach ? kinds[s->kind].attach(s) : 0;
}

int sct__sync_size(sct__sync_kind_t kind, const sct__sync_params_t *p,
                   size_t *size) {
  int rc = kinds[kind].size(p, size);
  return rc == 0 && *size > UINT32_MAX - STATE_OFFSET ? SCT_EOVERFLOW : rc;
}

int sct__sync_make(sct__sync_t **out, sct__sync_kind_t kind,
                   const sct__sync_params_t *p, const char *name) {
  size_t size = 0;
  sct__sync_t *s = NULL;
  int rc = sct__sync_size(kind, p, &size);
  if (rc == 0)
    rc = name ? sct__sync_create_named(&s, kind, name, size)
              : sct__sync_new(&s, kind, size);
  if (rc != 0)
    return rc;
  kinds[kind].init(s, p);
  if ((rc = attach(s)) != 0) {
    if (name)
      sct__sync_discard_named(s, name);
    else
      sct__sync_unref(s);
    return rc;
  }
  if (name)
    sct__sync_publish(s);
  *out = s;
  return 0;
}

int sct__sync_make_at(sct__sync_t **out, sct__sync_kind_t kind,
                      const sct__sync_params_t *p, void *state, size_t size,
                      int global) {
  sct__sync_t *s = handle_new(kind, state);
  if (!s)
    return SCT_ENOMEM;
  fill_head(state, kind, size);
  if (global)
    s->flags |= SCT__SYNC_GLOBAL;
  kinds[kind].init(s, p);
  int rc = attach(s);
  if (rc != 0) {
    sct__sync_unref(s);
    return rc;
  }
  *out = s;
  return 0;
}

int sct__sync_wrap_at(sct__sync_t **out, sct__sync_kind_t kind, void *state,
                      size_t size) {
  int rc = sct__sync_adopt(out, kind, state, size);
  if (rc == 0 && (rc = attach(*out)) != 0)
    sct__sync_unref(*out);
  return rc;
}

/* Lock and RLock handles: anonymous (in the shared heap) and named. */
#include "../base/atomics.h"
#include "../base/inspect.h"
#include "../base/internal.h"

#include <stdlib.h>

sct__pool_t sct__lock_pool = SCT__POOL_INIT(struct sct_lock);

/* A named lock's segment: the state, and a magic stored last by its
 * creator, so an opener never uses a half-made lock. */
typedef struct named_lock {
  uint32_t ready;
  uint32_t version;
  sct__lockstate_t state;
} named_lock_t;

#define NAMED_READY 0x5944524cu /* "LRDY" */
/* 2: owners became liveness-file identities.
 * 3: owners release by a plain store, ordered by their waiters' heavy
 * barrier (lockword.c): a waiter of version 2 takes no such barrier, and
 * a release could miss it until its slice ended. */
#define NAMED_VERSION 3u

int sct__lock_check(const sct_lock_t *lock) {
  return sct__handle_check(lock, SCT__MAGIC_LOCK);
}

static int valid_kind(sct_lock_kind_t kind) {
  return kind == SCT_LOCK || kind == SCT_RLOCK;
}

static sct_lock_t *handle_new(sct_lock_kind_t kind, sct__lockstate_t *state) {
  sct_lock_t *lock = sct__pool_get(&sct__lock_pool);
  if (lock) {
    lock->magic = SCT__MAGIC_LOCK;
    lock->refs = 1;
    lock->kind = kind;
    lock->state = state;
  }
  return lock;
}

int sct_lock_new(sct_lock_t **out, sct_lock_kind_t kind) {
  void *block, *data;
  if (!out || !valid_kind(kind))
    return SCT_EINVAL;
  sct__init();
  int rc = sct__heap_alloc(sizeof(sct__lockstate_t), 8, &block, &data);
  if (rc != 0)
    return rc;
  sct_lock_t *lock = handle_new(kind, data);
  if (!lock) {
    sct__heap_free(block);
    return SCT_ENOMEM;
  }
  sct__lockstate_init(data, kind);
  lock->block = block;
  *out = lock;
  return 0;
}

int sct__lock_adopt(sct_lock_t **out, sct_lock_kind_t kind,
                    sct__lockstate_t *state) {
  sct_lock_t *lock = handle_new(kind, state);
  if (!lock)
    return SCT_ENOMEM;
  *out = lock;
  return 0;
}

/* Borrowed views hold their owner object, which holds the state. */
sct_lock_t *sct__lock_ref(sct_lock_t *lock) {
  if (lock->flags & SCT__LOCK_BORROWED)
    sct__obj_ref(lock->owner);
  else
    sct__fetch_add(&lock->refs, 1);
  return lock;
}

void sct__lock_unref(sct_lock_t *lock) {
  if (lock->flags & SCT__LOCK_BORROWED) {
    sct__obj_unref(lock->owner);
    return;
  }
  if (sct__fetch_sub(&lock->refs, 1) != 1)
    return;
  if (lock->block)
    sct__heap_free(lock->block);
  if (lock->segment) {
    sct__segment_close(lock->segment);
    free(lock->segment);
  }
  sct__pool_put(&sct__lock_pool, lock);
}

int sct_lock_free(sct_lock_t *lock) {
  int rc = sct__lock_check(lock);
  if (rc != 0)
    return rc;
  if (lock->flags & SCT__LOCK_BORROWED)
    return SCT_EINVAL;
  /* The caller's reference is marked gone at once, so a second free is
   * SCT_ESTATE even while objects keep the lock alive. */
  uint32_t before = sct__fetch_or(&lock->flags, (uint32_t)SCT__LOCK_FREED);
  if (before & SCT__LOCK_FREED)
    return SCT_ESTATE;
  sct__lock_unref(lock);
  return 0;
}

static int usable(const sct_lock_t *lock) {
  int rc = sct__lock_check(lock);
  if (rc == 0 && (lock->flags & SCT__LOCK_FREED))
    rc = SCT_ESTATE;
  return rc;
}

int sct_lock_acquire(sct_lock_t *lock, int timeout_ms) {
  int rc = usable(lock);
  return rc != 0 ? rc : sct__lockstate_acquire(lock->state, timeout_ms);
}

int sct_lock_release(sct_lock_t *lock) {
  int rc = usable(lock);
  return rc != 0 ? rc : sct__lockstate_release(lock->state);
}

int sct_lock_kind(const sct_lock_t *lock, sct_lock_kind_t *out) {
  int rc = usable(lock);
  if (rc == 0 && !out)
    rc = SCT_EINVAL;
  if (rc == 0)
    *out = lock->kind;
  return rc;
}

int sct_lock_owner(const sct_lock_t *lock, long *pid) {
  int rc = usable(lock);
  if (rc == 0 && !pid)
    rc = SCT_EINVAL;
  if (rc == 0)
    *pid = sct__lockstate_owner(lock->state);
  return rc;
}

int sct__lock_view(const sct_lock_t *lock, sct__lock_view_t *out) {
  int rc = usable(lock);
  if (rc == 0 && !out)
    rc = SCT_EINVAL;
  if (rc == 0)
    sct__lockstate_view(lock->state, out);
  return rc;
}

int sct_lock_locked(const sct_lock_t *lock) {
  int rc = usable(lock);
  return rc != 0 ? rc : sct__lockstate_count(lock->state) != 0;
}

int sct_lock_count(const sct_lock_t *lock, unsigned *count) {
  int rc = usable(lock);
  if (rc == 0 && !count)
    rc = SCT_EINVAL;
  if (rc == 0)
    *count = sct__lockstate_count(lock->state);
  return rc;
}

static int wrap_named(sct_lock_t **out, sct__segment_t *seg) {
  named_lock_t *page = seg->addr;
  sct__segment_t *kept = malloc(sizeof *kept);
  sct_lock_t *lock =
      kept ? handle_new((sct_lock_kind_t)page->state.kind, &page->state) : NULL;
  if (!lock) {
    free(kept);
    return SCT_ENOMEM;
  }
  *kept = *seg;
  lock->flags = SCT__LOCK_NAMED;
  lock->segment = kept;
  *out = lock;
  return 0;
}

int sct_lock_create_named(sct_lock_t **out, const char *name,
                          sct_lock_kind_t kind) {
  char path[256];
  sct__segment_t seg;
  if (!out || !valid_kind(kind))
    return SCT_EINVAL;
  sct__init();
  int rc = sct__named_path(path, sizeof path, "lock", name);
  if (rc == 0)
    rc = sct__segment_create_named(&seg, path, sizeof(named_lock_t));
  if (rc != 0)
    return rc;
  named_lock_t *page = seg.addr;
  page->version = NAMED_VERSION;
  sct__lockstate_init(&page->state, kind);
  if (sct__named_is_global(path))
    page->state.wake_key |= SCT__WAKE_GLOBAL;
  sct__store_release(&page->ready, NAMED_READY);
  rc = wrap_named(out, &seg);
  if (rc != 0) {
    sct__segment_close(&seg);
    sct__segment_unlink_named(path);
  }
  return rc;
}

/* What a named lock's page holds: 0 a finished lock, SCT_ESTATE one not
 * finished yet (no ready mark: its creator is between its exclusive
 * create and the mark, writing the rest in any order), SCT_ETYPE
 * anything else. */
static int check_page(const sct__segment_t *seg) {
  const named_lock_t *page = seg->addr;
  if (seg->size < sizeof *page)
    return SCT_ETYPE;
  uint32_t ready = sct__load_acquire(&page->ready);
  if (ready == 0)
    return SCT_ESTATE;
  if (ready != NAMED_READY || page->version != NAMED_VERSION ||
      !sct__lockstate_valid(&page->state))
    return SCT_ETYPE;
  return 0;
}

int sct_lock_open_named(sct_lock_t **out, const char *name) {
  return sct_lock_open_named_flags(out, name, 0);
}

static int check_lock_page(const sct__segment_t *seg, void *ctx) {
  (void)ctx;
  return check_page(seg);
}

int sct_lock_open_named_flags(sct_lock_t **out, const char *name,
                              unsigned flags) {
  char path[256];
  sct__segment_t seg;
  if (!out)
    return SCT_EINVAL;
  int rc = sct__named_open_ready(&seg, path, sizeof path, "lock", name, flags,
                                 check_lock_page, NULL, NULL);
  if (rc == 0 && (rc = wrap_named(out, &seg)) != 0)
    sct__segment_close(&seg);
  return rc;
}

int sct_lock_unlink_named(const char *name) {
  return sct__named_unlink("lock", name);
}

/*
 * Shared objects: RawValue, RawArray, Value, Array, copy, synchronized.
 *
 * An object's bytes are one heap block with exactly the C layout of its
 * type; a Value or Array made with its own lock keeps the lock state in
 * the same block, after the data (one allocation, no header inside the
 * data). Handles are reference counted: a synchronized wrapper holds the
 * raw object it wraps, an object holds the lock it was given, and the
 * bytes go when the last handle does.
 */
#include "../base/atomics.h"
#include "../base/internal.h"

#include <string.h>

sct__pool_t sct__obj_pool = SCT__POOL_INIT(struct sct_obj);
sct__pool_t sct__compact_pool =
    SCT__POOL_INIT_SIZED(offsetof(struct sct_obj, full));

int sct__obj_check(const sct_obj_t *obj) {
  if (!obj)
    return SCT_EINVAL;
  if (obj->magic == SCT__MAGIC_FREED || (obj->flags & SCT__OBJ_FREED))
    return SCT_ESTATE;
  return obj->magic == SCT__MAGIC_OBJ ? 0 : SCT_EINVAL;
}

/* Borrowed views live and die with the object that made them. */
void sct__obj_ref(sct_obj_t *obj) {
  if (obj->flags & SCT__OBJ_BORROWED)
    obj = obj->full.base;
  sct__fetch_add(&obj->refs, 1);
}

static void destroy(sct_obj_t *obj);

void sct__obj_unref(sct_obj_t *obj) {
  if (obj->flags & SCT__OBJ_BORROWED)
    obj = obj->full.base;
  if (sct__fetch_sub(&obj->refs, 1) == 1)
    destroy(obj);
}

static void destroy_view(sct_obj_t *view) {
  sct__type_unref(view->type);
  sct__pool_put(&sct__obj_pool, view);
}

/* Drops what @p obj holds in its base and lock slots: views it made are
 * freed, objects and locks it was given are released. */
static void drop_held(sct_obj_t *obj, sct_obj_t *base, sct_lock_t *lock) {
  if (base && (base->flags & SCT__OBJ_BORROWED) && base->full.base == obj)
    destroy_view(base);
  else if (base)
    sct__obj_unref(base);
  if (lock && (lock->flags & SCT__LOCK_BORROWED) && lock->owner == obj)
    sct__pool_put(&sct__lock_pool, lock);
  else if (lock)
    sct__lock_unref(lock);
}

static void destroy(sct_obj_t *obj) {
  if (obj->flags & SCT__OBJ_COMPACT) {
    sct__views_t *views = sct__views_find(obj);
    if (views)
      drop_held(obj, views->base, views->lock);
    sct__views_release(obj);
    sct__type_unref(obj->type);
    sct__slot_free(sct__obj_lockstate(obj), sct__obj_epoch(obj),
                   &sct__compact_pool, obj);
    return;
  }
  drop_held(obj, obj->full.base, obj->full.lock);
  if (obj->full.block)
    sct__heap_free(obj->full.block);
  sct__type_unref(obj->type);
  sct__pool_put(&sct__obj_pool, obj);
}

/* Whether a synchronized Value of @p type gets a compact handle and a
 * slot: its bytes fit after its lock's state in one slot. */
static int fits_compact(const sct_type_t *type) {
  return type->size <= SCT__SLOT_BYTES - sizeof(sct__lockstate_t) &&
         type->align <= 8;
}

/* A synchronized Value with its own RLock, in a slot (fits_compact). */
static int compact_make(sct_obj_t **out, const sct_type_t *type,
                        const void *init) {
  void *slot, *handle;
  sct__init();
  int rc = sct__slot_alloc(&slot, &sct__compact_pool, &handle);
  if (rc != 0)
    return rc;
  sct_obj_t *obj = handle;
  sct__lockstate_t *state = slot;
  sct__lockstate_init(state, SCT_RLOCK);
  obj->magic = SCT__MAGIC_OBJ;
  obj->flags = SCT__OBJ_COMPACT | SCT__OBJ_OWNS_LOCK |
               (sct__slab_epoch() & 0xFFFFu) << SCT__OBJ_EPOCH_SHIFT;
  obj->refs = 1;
  obj->views = 0;
  obj->type = sct__type_ref(type);
  obj->data = state + 1;
  if (init)
    memcpy(obj->data, init, type->size);
  *out = obj;
  return 0;
}

/* Makes a handle for @p n elements of @p type; with @p own_lock the block
 * also holds a new RLock's state. */
static int obj_make(sct_obj_t **out, const sct_type_t *type, size_t n,
                    const void *init, int own_lock, uint32_t flags) {
  size_t bytes, lock_at = 0, total;
  void *block, *data;
  if (!out)
    return SCT_EINVAL;
  int rc = sct__type_check(type);
  if (rc != 0)
    return rc;
  if (n == 0)
    return SCT_EINVAL;
  if (sct__mul_size(type->size, n, &bytes) != 0)
    return SCT_EOVERFLOW;
  total = bytes;
  if (own_lock) {
    if (sct__add_size(bytes, 7, &lock_at) != 0 ||
        sct__add_size(lock_at & ~(size_t)7, sizeof(sct__lockstate_t), &total) !=
            0)
      return SCT_EOVERFLOW;
    lock_at &= ~(size_t)7;
  }
  sct__init();
  sct_obj_t *obj = sct__pool_get(&sct__obj_pool);
  if (!obj)
    return SCT_ENOMEM;
  rc = sct__heap_alloc(total, type->align < 8 ? 8 : type->align, &block, &data);
  if (rc != 0) {
    sct__pool_put(&sct__obj_pool, obj);
    return rc;
  }
  if (init)
    memcpy(data, init, bytes);
  obj->magic = SCT__MAGIC_OBJ;
  obj->flags = flags;
  obj->refs = 1;
  obj->type = sct__type_ref(type);
  obj->full.n = n;
  obj->data = data;
  obj->full.block = block;
  if (own_lock) {
    obj->full.lockstate = (sct__lockstate_t *)((char *)data + lock_at);
    sct__lockstate_init(obj->full.lockstate, SCT_RLOCK);
    obj->flags |= SCT__OBJ_OWNS_LOCK;
  }
  *out = obj;
  return 0;
}

int sct__obj_adopt(sct_obj_t **out, const sct_type_t *type, size_t n,
                   int is_array, void *data, sct__lockstate_t *lockstate) {
  sct_obj_t *obj = sct__pool_get(&sct__obj_pool);
  if (!obj)
    return SCT_ENOMEM;
  obj->magic = SCT__MAGIC_OBJ;
  obj->flags = is_array ? SCT__OBJ_ARRAY : 0;
  obj->refs = 1;
  obj->type = sct__type_ref(type);
  obj->full.n = n;
  obj->data = data;
  obj->full.lockstate = lockstate;
  *out = obj;
  return 0;
}

int sct_rawvalue_new(sct_obj_t **out, const sct_type_t *type,
                     const void *init) {
  return obj_make(out, type, 1, init, 0, 0);
}

int sct_rawarray_new(sct_obj_t **out, const sct_type_t *type, size_t n,
                     const void *init) {
  return obj_make(out, type, n, init, 0, SCT__OBJ_ARRAY);
}

int sct_copy(sct_obj_t **out, const sct_type_t *type, const void *local) {
  if (!local)
    return SCT_EINVAL;
  return obj_make(out, type, 1, local, 0, 0);
}

/* A Value or Array guarded by @p lock, or by its own new RLock. */
static int make_synchronized(sct_obj_t **out, const sct_type_t *type, size_t n,
                             const void *init, sct_lock_t *lock,
                             uint32_t flags) {
  int rc = lock ? sct__lock_check(lock) : 0;
  if (rc == 0 && lock && (lock->flags & SCT__LOCK_FREED))
    rc = SCT_ESTATE;
  if (rc == 0 && !lock && !(flags & SCT__OBJ_ARRAY) && out &&
      sct__type_check(type) == 0 && fits_compact(type))
    return compact_make(out, type, init);
  if (rc == 0)
    rc = obj_make(out, type, n, init, lock == NULL, flags);
  if (rc == 0 && lock) {
    (*out)->full.lock = sct__lock_ref(lock);
    (*out)->full.lockstate = lock->state;
  }
  return rc;
}

int sct_value_new(sct_obj_t **out, const sct_type_t *type, const void *init,
                  sct_lock_t *lock) {
  return make_synchronized(out, type, 1, init, lock, 0);
}

int sct_array_new(sct_obj_t **out, const sct_type_t *type, size_t n,
                  const void *init, sct_lock_t *lock) {
  return make_synchronized(out, type, n, init, lock, SCT__OBJ_ARRAY);
}

int sct_synchronized(sct_obj_t **out, sct_obj_t *obj, sct_lock_t *lock) {
  sct_lock_t *own = NULL;
  if (!out)
    return SCT_EINVAL;
  int rc = sct__obj_check(obj);
  if (rc != 0)
    return rc;
  if (sct__obj_lockstate(obj))
    return SCT_ESTATE;
  if (lock) {
    rc = sct__lock_check(lock);
    if (rc == 0 && (lock->flags & SCT__LOCK_FREED))
      rc = SCT_ESTATE;
  } else {
    rc = sct_lock_new(&own, SCT_RLOCK);
  }
  if (rc != 0)
    return rc;
  sct_obj_t *wrapper = sct__pool_get(&sct__obj_pool);
  if (!wrapper) {
    if (own)
      sct_lock_free(own);
    return SCT_ENOMEM;
  }
  wrapper->magic = SCT__MAGIC_OBJ;
  wrapper->flags = obj->flags & SCT__OBJ_ARRAY;
  wrapper->refs = 1;
  wrapper->type = sct__type_ref(obj->type);
  wrapper->full.n = sct__obj_len(obj);
  wrapper->data = obj->data;
  sct__obj_ref(obj);
  wrapper->full.base = obj;
  /* A lock made here is held by the wrapper alone: its new reference is
   * the wrapper's. */
  wrapper->full.lock = own ? own : sct__lock_ref(lock);
  wrapper->full.lockstate = wrapper->full.lock->state;
  *out = wrapper;
  return 0;
}

int sct_obj_free(sct_obj_t *obj) {
  int rc = sct__obj_check(obj);
  if (rc != 0)
    return rc;
  if (obj->flags & SCT__OBJ_BORROWED)
    return SCT_EINVAL;
  uint32_t before = sct__fetch_or(&obj->flags, (uint32_t)SCT__OBJ_FREED);
  if (before & SCT__OBJ_FREED)
    return SCT_ESTATE;
  sct__obj_unref(obj);
  return 0;
}

/* Publishes a lazily made view in *slot unless another thread was first;
 * returns the view that won. */
static void *publish(void **slot, void *mine, sct__pool_t *pool) {
  void *expected = NULL;
  if (sct__cas(slot, &expected, mine))
    return mine;
  sct__pool_put(pool, mine);
  return expected;
}

int sct_obj_get_obj(sct_obj_t *obj, sct_obj_t **raw) {
  int rc = sct__obj_check(obj);
  if (rc == 0 && !raw)
    rc = SCT_EINVAL;
  if (rc == 0 && !sct__obj_lockstate(obj))
    rc = SCT_ENOLOCK;
  if (rc != 0)
    return rc;
  sct__views_t *views = NULL;
  if ((obj->flags & SCT__OBJ_COMPACT) && !(views = sct__views_of(obj)))
    return SCT_ENOMEM;
  sct_obj_t **slot = views ? &views->base : &obj->full.base;
  sct_obj_t *base = sct__load_acquire(slot);
  if (!base) {
    sct_obj_t *view = sct__pool_get(&sct__obj_pool);
    if (!view)
      return SCT_ENOMEM;
    view->magic = SCT__MAGIC_OBJ;
    view->flags = (obj->flags & SCT__OBJ_ARRAY) | SCT__OBJ_BORROWED;
    view->refs = 1;
    view->type = sct__type_ref(obj->type);
    view->full.n = sct__obj_len(obj);
    view->data = obj->data;
    view->full.base = obj;
    base = publish((void **)slot, view, &sct__obj_pool);
    if (base != view)
      sct__type_unref(obj->type);
  }
  *raw = base;
  return 0;
}

int sct_obj_get_lock(sct_obj_t *obj, sct_lock_t **lock) {
  int rc = sct__obj_check(obj);
  if (rc == 0 && !lock)
    rc = SCT_EINVAL;
  sct__lockstate_t *state = rc == 0 ? sct__obj_lockstate(obj) : NULL;
  if (rc == 0 && !state)
    rc = SCT_ENOLOCK;
  if (rc != 0)
    return rc;
  sct__views_t *views = NULL;
  if ((obj->flags & SCT__OBJ_COMPACT) && !(views = sct__views_of(obj)))
    return SCT_ENOMEM;
  sct_lock_t **slot = views ? &views->lock : &obj->full.lock;
  sct_lock_t *found = sct__load_acquire(slot);
  if (!found) {
    sct_lock_t *view = sct__pool_get(&sct__lock_pool);
    if (!view)
      return SCT_ENOMEM;
    view->magic = SCT__MAGIC_LOCK;
    view->flags = SCT__LOCK_BORROWED;
    view->refs = 1;
    view->kind = (sct_lock_kind_t)state->kind;
    view->state = state;
    view->owner = obj;
    found = publish((void **)slot, view, &sct__lock_pool);
  }
  *lock = found;
  return 0;
}

int sct__obj_lock(sct_obj_t *obj) {
  sct__lockstate_t *state = sct__obj_lockstate(obj);
  return state ? sct__lockstate_acquire(state, SCT_INFINITE) : 0;
}

int sct__obj_lock_checked(sct_obj_t *obj, int checks) {
  return checks != 0 ? checks : sct__obj_lock(obj);
}

void sct__obj_unlock(sct_obj_t *obj) {
  sct__lockstate_t *state = sct__obj_lockstate(obj);
  if (state)
    (void)sct__lockstate_release(state);
}

/* The lock state of a live object; else NULL with *rc saying why. */
static sct__lockstate_t *checked_lockstate(const sct_obj_t *obj, int *rc) {
  *rc = sct__obj_check(obj);
  sct__lockstate_t *state = *rc == 0 ? sct__obj_lockstate(obj) : NULL;
  if (*rc == 0 && !state)
    *rc = SCT_ENOLOCK;
  return state;
}

int sct_obj_acquire(sct_obj_t *obj, int timeout_ms) {
  int rc = 0;
  sct__lockstate_t *state = SCT__OBJ_LIVE(obj) ? sct__obj_lockstate(obj) : NULL;
  if (!state)
    state = checked_lockstate(obj, &rc);
  return state ? sct__lockstate_acquire(state, timeout_ms) : rc;
}

int sct_obj_release(sct_obj_t *obj) {
  int rc = 0;
  sct__lockstate_t *state = SCT__OBJ_LIVE(obj) ? sct__obj_lockstate(obj) : NULL;
  if (!state)
    state = checked_lockstate(obj, &rc);
  return state ? sct__lockstate_release(state) : rc;
}

const sct_type_t *sct_obj_type(const sct_obj_t *obj) {
  return sct__obj_check(obj) == 0 ? obj->type : NULL;
}

size_t sct_obj_len(const sct_obj_t *obj) {
  return sct__obj_check(obj) == 0 ? sct__obj_len(obj) : 0;
}

int sct_obj_is_array(const sct_obj_t *obj) {
  return sct__obj_check(obj) == 0 && (obj->flags & SCT__OBJ_ARRAY) != 0;
}

void *sct_obj_ptr(const sct_obj_t *obj) {
  return sct__obj_check(obj) == 0 ? obj->data : NULL;
}

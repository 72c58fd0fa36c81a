/*
 * Named shared spaces: one named segment holding a header, a directory of
 * named entries (open addressing on a hash of the name, tombstones for
 * removed names) and the objects' bytes, handed out from the front and
 * never reused. Everything that changes the directory or the allocation
 * is done under the space's own Lock, which lives in the header; an
 * entry's state goes MAKING, then READY once its object is whole, so
 * nobody finds a half-made object, and whoever next takes the lock after
 * a creator died in the middle (SCT_EOWNERDEAD) drops the entries still
 * MAKING. The layout is documented in sct.h for other languages.
 */
#include "../base/atomics.h"
#include "../base/inspect.h"
#include "../sync/sync.h"
#include "../base/testhook.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SPACE_READY 0x31544353u /* "SCT1" */
/* 2: the waiting primitives inside changed as named ones did (sync.c).
 * 3: so did its Queues (sync.c).
 * 4: and its locks (lock.c). */
#define SPACE_VERSION 4u
#define HEADER_BYTES 256u
#define ENTRY_BYTES 256u
#define MIN_SIZE ((size_t)64 << 10)
#define MAX_OBJECTS ((size_t)1 << 24)
#define FORMAT_KEPT 128u

typedef struct space_header {
  uint32_t ready;
  uint32_t version;
  sct__u64 size;
  uint32_t slots; /* a power of two */
  uint32_t objects;
  sct__u64 next_free;
  sct__u64 directory;
  sct__u64 data;
  sct__u64 max_objects;
  sct__u64 creator;      /* its maker's identity, written first */
  sct__lockstate_t lock; /* at 64 */
} space_header_t;

/* The layout is public (sct.h): other languages read these offsets. */
_Static_assert(offsetof(space_header_t, lock) == 64, "space lock at 64");
_Static_assert(sizeof(space_header_t) <= HEADER_BYTES, "space header size");
_Static_assert(SCT_SPACE_NAME_MAX + 1 == 64, "entry name at 0, 64 bytes");

enum { ENTRY_FREE = 0, ENTRY_MAKING = 1, ENTRY_READY = 2, ENTRY_GONE = 3 };
/* Kinds of entry; waiting primitives are KIND_SYNC + their sync kind. */
enum { KIND_VALUE = 1, KIND_ARRAY = 2, KIND_LOCK = 3, KIND_SYNC = 16 };

typedef struct space_entry {
  char name[SCT_SPACE_NAME_MAX + 1];
  uint32_t state;
  uint32_t kind;
  uint32_t lock_kind;
  uint32_t format_len;
  sct__u64 offset;
  sct__u64 lock_offset;
  sct__u64 n;
  sct__u64 size; /* of one element */
  sct__u64 align;
  sct__u64 format_hash; /* of the whole format, when longer than kept */
  char format[FORMAT_KEPT];
} space_entry_t;

struct sct_space {
  uint32_t magic;
  int global; /* named in Global\ (wake-up objects go there too) */
  sct__segment_t segment;
  space_header_t *header;
};

sct__pool_t sct__space_pool = SCT__POOL_INIT(struct sct_space);

/* What an object is: compared field by field when it is found. */
typedef struct shape {
  uint32_t kind;
  uint32_t lock_kind;
  uint64_t n;
  uint64_t size;
  uint64_t align;
  uint64_t format_hash;
  uint32_t format_len;
  char format[FORMAT_KEPT];
  /* Fills a new object's zeroed bytes (waiting primitives), or NULL. */
  int (*init)(void *data, size_t size, void *ctx);
  void *init_ctx;
} shape_t;

static space_entry_t *entries(const sct_space_t *s) {
  return (space_entry_t *)(void *)((char *)s->header + s->header->directory);
}

static int valid_object_name(const char *name) {
  size_t n = name ? strlen(name) : 0;
  return n > 0 && n <= SCT_SPACE_NAME_MAX && sct__name_chars_valid(name, n);
}

static int space_check(const sct_space_t *s) {
  return sct__handle_check(s, SCT__MAGIC_SPACE);
}

/* ---- the space's lock: a death inside is repaired here ---- */

/* After a death inside: entries still being made are dropped, and the
 * count of objects is counted again (the dead process may have died
 * between changing it and an entry's state). */
static void repair(sct_space_t *s) {
  space_entry_t *e = entries(s);
  uint32_t objects = 0;
  for (uint32_t i = 0; i < s->header->slots; i++) {
    if (e[i].state == ENTRY_MAKING)
      sct__store_release(&e[i].state, (uint32_t)ENTRY_GONE);
    objects += e[i].state == ENTRY_READY;
  }
  s->header->objects = objects;
}

static int lock_space(sct_space_t *s) {
  int rc = sct__lockstate_acquire(&s->header->lock, SCT_INFINITE);
  if (rc == SCT_EOWNERDEAD) {
    repair(s);
    rc = 0;
  }
  return rc;
}

static void unlock_space(sct_space_t *s) {
  (void)sct__lockstate_release(&s->header->lock);
}

/* ---- making, opening ---- */

static int wrap(sct_space_t **out, const sct__segment_t *seg,
                const char *path) {
  sct_space_t *s = sct__pool_get(&sct__space_pool);
  if (!s)
    return SCT_ENOMEM;
  s->magic = SCT__MAGIC_SPACE;
  s->global = sct__named_is_global(path);
  s->segment = *seg;
  s->header = seg->addr;
  *out = s;
  return 0;
}

static int layout(size_t size, size_t max_objects, uint32_t *slots,
                  uint64_t *data) {
  if (size < MIN_SIZE || max_objects == 0 || max_objects > MAX_OBJECTS)
    return SCT_EINVAL;
  /* A directory at most three quarters full keeps probes short. */
  uint64_t want = (uint64_t)max_objects + max_objects / 3 + 1, n = 64;
  while (n < want)
    n <<= 1;
  *slots = (uint32_t)n;
  *data = HEADER_BYTES + n * ENTRY_BYTES;
  return *data + 64 > size ? SCT_ETOOSMALL : 0;
}

int sct_space_create(sct_space_t **out, const char *name, size_t size,
                     size_t max_objects) {
  char path[256];
  sct__segment_t seg;
  uint32_t slots;
  uint64_t data;
  if (!out)
    return SCT_EINVAL;
  int rc = layout(size, max_objects, &slots, &data);
  if (rc != 0)
    return rc;
  sct__init();
  rc = sct__named_path(path, sizeof path, "space", name);
  if (rc == 0)
    rc = sct__segment_create_named(&seg, path, size);
  if (rc != 0)
    return rc;
  space_header_t *h = seg.addr;
  sct__ident_t me;
  if (sct__self_process(&me) == 0)
    sct__store_release(&h->creator, me);
  h->version = SPACE_VERSION;
  h->size = size;
  h->slots = slots;
  h->directory = HEADER_BYTES;
  h->data = data;
  h->next_free = data;
  h->max_objects = max_objects;
  sct__lockstate_init(&h->lock, SCT_LOCK);
  if (sct__named_is_global(path))
    h->lock.wake_key |= SCT__WAKE_GLOBAL;
  sct__store_release(&h->ready, SPACE_READY);
  rc = wrap(out, &seg, path);
  if (rc != 0) {
    sct__segment_close(&seg);
    sct__segment_unlink_named(path);
  }
  return rc;
}

/* 0 a finished space, SCT_ESTATE one still being made (no ready mark
 * yet: its maker writes the rest in any order before it), SCT_ETYPE
 * anything else (a header that does not add up). */
static int check_header(const sct__segment_t *seg) {
  const space_header_t *h = seg->addr;
  if (seg->size < MIN_SIZE)
    return SCT_ETYPE;
  uint32_t ready = sct__load_acquire(&h->ready);
  if (ready == 0)
    return SCT_ESTATE;
  if (ready == SPACE_READY && h->version != SPACE_VERSION)
    return sct__detail(SCT_ETYPE,
                       "a space of layout version %u (this library reads %u)",
                       (unsigned)h->version, SPACE_VERSION);
  if (ready != SPACE_READY ||
      h->size > seg->size || h->slots == 0 ||
      (h->slots & (h->slots - 1)) != 0 || h->slots > 2 * MAX_OBJECTS ||
      h->directory != HEADER_BYTES ||
      h->data != HEADER_BYTES + (uint64_t)h->slots * ENTRY_BYTES ||
      h->data > h->size || h->next_free < h->data || h->next_free > h->size ||
      h->max_objects == 0 || h->max_objects > MAX_OBJECTS ||
      h->lock.kind != SCT_LOCK || !sct__lockstate_valid(&h->lock))
    return SCT_ETYPE;
  return 0;
}

/* The header's check, remembering who made the space. */
static int check_space_page(const sct__segment_t *seg, void *ctx) {
  sct__ident_t *maker = ctx;
  *maker = seg->size >= MIN_SIZE
               ? sct__load_acquire(&((space_header_t *)seg->addr)->creator)
               : 0;
  return check_header(seg);
}

/* A space is waited for as long as its maker lives (a loaded machine, an
 * emulator, can stall it past any fixed patience); one whose maker is
 * gone, or never said who it is, is not a space. */
static int maker_alive(void *ctx) {
  sct__ident_t maker = *(sct__ident_t *)ctx;
  return maker != 0 && sct__ident_alive(maker);
}

int sct_space_open(sct_space_t **out, const char *name, unsigned flags) {
  char path[256];
  sct__segment_t seg;
  sct__ident_t maker = 0;
  if (!out)
    return SCT_EINVAL;
  int rc = sct__named_open_ready(&seg, path, sizeof path, "space", name, flags,
                                 check_space_page, &maker, maker_alive);
  if (rc == 0 && (rc = wrap(out, &seg, path)) != 0)
    sct__segment_close(&seg);
  return rc;
}

/* Opening comes first, so an existing space opens whatever sizes the
 * caller would create with. A space made between our failed open and our
 * create (or unlinked between our failed create and our open) is looked
 * for again. */
int sct_space_open_or_create(sct_space_t **out, const char *name, size_t size,
                             size_t max_objects, int *created) {
  for (int attempt = 0; attempt < 100; attempt++) {
    int rc = sct_space_open(out, name, 0);
    if (rc != SCT_ENOENT) {
      if (rc == 0 && created)
        *created = 0;
      return rc;
    }
    rc = sct_space_create(out, name, size, max_objects);
    if (rc != SCT_EEXIST) {
      if (rc == 0 && created)
        *created = 1;
      return rc;
    }
  }
  return SCT_ESTATE;
}

int sct_space_close(sct_space_t *space) {
  int rc = space_check(space);
  if (rc != 0)
    return rc;
  rc = sct__segment_close(&space->segment);
  sct__pool_put(&sct__space_pool, space);
  return rc;
}

int sct_space_unlink(const char *name) {
  return sct__named_unlink("space", name);
}

/* ---- the directory ---- */

/* The entry named @p name, or NULL; @p free_slot (may be NULL) gets the
 * first free or removed slot on the way, or NULL when the probe found
 * none. Lock held. */
static space_entry_t *lookup(sct_space_t *s, const char *name,
                             space_entry_t **free_slot) {
  space_entry_t *e = entries(s);
  uint32_t mask = s->header->slots - 1;
  uint32_t i = (uint32_t)sct__hash_bytes(name, strlen(name)) & mask;
  if (free_slot)
    *free_slot = NULL;
  for (uint32_t probes = 0; probes <= mask; probes++, i = (i + 1) & mask) {
    uint32_t state = sct__load_acquire(&e[i].state);
    if (state == ENTRY_FREE) {
      if (free_slot && !*free_slot)
        *free_slot = &e[i];
      return NULL;
    }
    if (state == ENTRY_GONE) {
      if (free_slot && !*free_slot)
        *free_slot = &e[i];
      continue;
    }
    if (state == ENTRY_READY && strcmp(e[i].name, name) == 0)
      return &e[i];
  }
  return NULL;
}

static const char *kind_name(uint32_t kind) {
  static const char *const plain[] = {"?", "Value", "Array", "lock"};
  static const char *const sync[] = {"?",     "Condition", "Semaphore",
                                     "Event", "Barrier",   "Queue"};
  if (kind < 4)
    return plain[kind];
  kind -= KIND_SYNC;
  return kind < sizeof sync / sizeof sync[0] ? sync[kind] : "?";
}

/* 0 when entry @p e is what @p want describes; SCT_ETYPE otherwise, with
 * the first property that differs for sct_last_detail. */
static int check_shape(const space_entry_t *e, const shape_t *want) {
  const char *name = e->name;
  if (e->kind != want->kind)
    return sct__detail(SCT_ETYPE, "space object '%s': kind: asked %s, found %s",
                       name, kind_name(want->kind), kind_name(e->kind));
  if (e->lock_kind != want->lock_kind)
    return sct__detail(SCT_ETYPE,
                       "space object '%s': lock kind: asked %u, found %u "
                       "(0 none, 1 SCT_LOCK, 2 SCT_RLOCK)",
                       name, (unsigned)want->lock_kind, (unsigned)e->lock_kind);
  if (e->n != want->n)
    return sct__detail(SCT_ETYPE,
                       "space object '%s': element count: asked %llu, found "
                       "%llu (0 for a Value)",
                       name, (unsigned long long)want->n,
                       (unsigned long long)e->n);
  if (e->size != want->size || e->align != want->align ||
      e->format_len != want->format_len ||
      e->format_hash != want->format_hash ||
      memcmp(e->format, want->format, FORMAT_KEPT) != 0)
    return sct__detail(SCT_ETYPE,
                       "space object '%s': %s: asked %.100s (size %llu, "
                       "align %llu), found %.100s (size %llu, align %llu)",
                       name, e->kind <= KIND_LOCK ? "type" : "parameters",
                       want->format, (unsigned long long)want->size,
                       (unsigned long long)want->align, e->format,
                       (unsigned long long)e->size,
                       (unsigned long long)e->align);
  return 0;
}

/* Hands out @p bytes aligned to @p align from the front. Lock held. */
static int carve(sct_space_t *s, uint64_t bytes, uint64_t align,
                 uint64_t *offset) {
  space_header_t *h = s->header;
  uint64_t at = (h->next_free + align - 1) / align * align;
  if (at < h->next_free || bytes > h->size || at > h->size - bytes)
    return SCT_ENOMEM;
  *offset = at;
  h->next_free = at + bytes;
  return 0;
}

/* Makes entry @p e for @p want: room for the data (and lock), zeroed,
 * published last. Lock held. */
static int make(sct_space_t *s, space_entry_t *e, const char *name,
                const shape_t *want) {
  uint64_t data_bytes = want->size * (want->n ? want->n : 1), data, lock = 0;
  if (want->n && data_bytes / want->n != want->size)
    return SCT_EOVERFLOW;
  if (s->header->objects >= s->header->max_objects)
    return SCT_ENOMEM; /* the directory is full */
  e->state = ENTRY_MAKING;
  int rc = carve(s, data_bytes, want->align, &data);
  if (rc == 0 && want->lock_kind && want->kind != KIND_LOCK)
    rc = carve(s, sizeof(sct__lockstate_t), 8, &lock);
  if (rc != 0) {
    sct__store_release(&e->state, (uint32_t)ENTRY_GONE);
    return rc;
  }
  char *base = (char *)s->header;
  memset(base + data, 0, (size_t)data_bytes);
  if (want->kind == KIND_LOCK)
    sct__lockstate_init((sct__lockstate_t *)(void *)(base + data),
                        (sct_lock_kind_t)want->lock_kind);
  else if (lock)
    sct__lockstate_init((sct__lockstate_t *)(void *)(base + lock),
                        (sct_lock_kind_t)want->lock_kind);
  if (want->init &&
      (rc = want->init(base + data, (size_t)data_bytes, want->init_ctx)) != 0) {
    sct__store_release(&e->state, (uint32_t)ENTRY_GONE);
    return rc;
  }
  strcpy(e->name, name);
  e->kind = want->kind;
  e->lock_kind = want->lock_kind;
  e->n = want->n;
  e->size = want->size;
  e->align = want->align;
  e->format_len = want->format_len;
  e->format_hash = want->format_hash;
  memcpy(e->format, want->format, FORMAT_KEPT);
  e->offset = data;
  e->lock_offset = want->kind == KIND_LOCK ? data : lock;
  s->header->objects++;
  SCT__TEST_HOOK("space.counted", s);
  sct__store_release(&e->state, (uint32_t)ENTRY_READY);
  return 0;
}

/* Finds or makes @p name as @p want, per @p mode; *found gets the entry. */
static int take(sct_space_t *s, const char *name, sct_space_mode_t mode,
                const shape_t *want, space_entry_t **found) {
  if (mode < SCT_SPACE_CREATE || mode > SCT_SPACE_FIND_OR_CREATE)
    return SCT_EINVAL;
  if (!valid_object_name(name))
    return SCT_ENAME;
  int rc = lock_space(s);
  if (rc != 0)
    return rc;
  space_entry_t *slot;
  space_entry_t *e = lookup(s, name, &slot);
  if (e) {
    if (!(mode & SCT_SPACE_FIND))
      rc = SCT_EEXIST;
    else
      rc = check_shape(e, want);
  } else if (!(mode & SCT_SPACE_CREATE)) {
    rc = SCT_ENOENT;
  } else if (!slot) {
    rc = SCT_ENOMEM;
  } else if ((rc = make(s, slot, name, want)) == 0) {
    e = slot;
  }
  unlock_space(s);
  *found = e;
  return rc;
}

static int describe(const sct_type_t *type, size_t n, uint32_t kind,
                    uint32_t lock_kind, shape_t *shape) {
  memset(shape, 0, sizeof *shape);
  size_t len = 0;
  int rc = sct__type_digest(type, &shape->format_hash, &len, shape->format,
                            FORMAT_KEPT);
  if (rc != 0)
    return rc;
  shape->kind = kind;
  shape->lock_kind = lock_kind;
  shape->n = n;
  shape->size = type->size;
  shape->align = type->align;
  shape->format_len = (uint32_t)len;
  return 0;
}

int sct_space_object(sct_space_t *space, const char *name,
                     sct_space_mode_t mode, const sct_type_t *type, size_t n,
                     int lock_kind, sct_obj_t **out) {
  shape_t want;
  space_entry_t *e = NULL;
  int rc = space_check(space);
  if (rc == 0 && !out)
    rc = SCT_EINVAL;
  if (rc == 0 && lock_kind != 0 && lock_kind != SCT_LOCK &&
      lock_kind != SCT_RLOCK)
    rc = SCT_EINVAL;
  if (rc == 0)
    rc = describe(type, n, n ? KIND_ARRAY : KIND_VALUE, (uint32_t)lock_kind,
                  &want);
  if (rc == 0)
    rc = take(space, name, mode, &want, &e);
  if (rc != 0)
    return rc;
  char *base = (char *)space->header;
  return sct__obj_adopt(
      out, type, n ? n : 1, n != 0, base + e->offset,
      e->lock_offset ? (sct__lockstate_t *)(void *)(base + e->lock_offset)
                     : NULL);
}

int sct_space_lock(sct_space_t *space, const char *name, sct_space_mode_t mode,
                   sct_lock_kind_t kind, sct_lock_t **out) {
  shape_t want;
  space_entry_t *e = NULL;
  int rc = space_check(space);
  if (rc == 0 && (!out || (kind != SCT_LOCK && kind != SCT_RLOCK)))
    rc = SCT_EINVAL;
  if (rc == 0) {
    memset(&want, 0, sizeof want);
    want.kind = KIND_LOCK;
    want.lock_kind = (uint32_t)kind;
    want.size = sizeof(sct__lockstate_t);
    want.align = 8;
    rc = take(space, name, mode, &want, &e);
  }
  if (rc != 0)
    return rc;
  return sct__lock_adopt(
      out, kind,
      (sct__lockstate_t *)(void *)((char *)space->header + e->offset));
}

/* The entry named @p name, found with the space's lock taken: 0 with
 * the lock held (*e NULL when there is none), or an error without it. */
static int find_locked(sct_space_t *space, const char *name,
                       space_entry_t **e) {
  if (!valid_object_name(name))
    return SCT_ENAME;
  int rc = lock_space(space);
  if (rc == 0)
    *e = lookup(space, name, NULL);
  return rc;
}

int sct_space_remove(sct_space_t *space, const char *name) {
  space_entry_t *e = NULL;
  int rc = space_check(space);
  if (rc != 0 || (rc = find_locked(space, name, &e)) != 0)
    return rc;
  if (e) {
    sct__store_release(&e->state, (uint32_t)ENTRY_GONE);
    SCT__TEST_HOOK("space.removed", space);
    space->header->objects--;
  }
  unlock_space(space);
  return e ? 0 : SCT_ENOENT;
}

int sct_space_offset(sct_space_t *space, const char *name, size_t *data,
                     size_t *lock) {
  space_entry_t *e = NULL;
  int rc = space_check(space);
  if (rc != 0)
    return rc;
  if (!data || !lock)
    return SCT_EINVAL;
  if ((rc = find_locked(space, name, &e)) != 0)
    return rc;
  if (e) {
    *data = (size_t)e->offset;
    *lock = (size_t)e->lock_offset;
  }
  unlock_space(space);
  return e ? 0 : SCT_ENOENT;
}

int sct_space_object_lock(sct_space_t *space, const char *name,
                          sct_lock_t **out) {
  space_entry_t *e = NULL;
  int rc = space_check(space);
  if (rc == 0 && !out)
    rc = SCT_EINVAL;
  if (rc != 0 || (rc = find_locked(space, name, &e)) != 0)
    return rc;
  uint32_t kind = e ? e->kind : 0, lock_kind = e ? e->lock_kind : 0;
  uint64_t at = e ? e->lock_offset : 0;
  unlock_space(space);
  if (!e)
    return SCT_ENOENT;
  if (kind >= KIND_SYNC)
    return sct__detail(SCT_ETYPE,
                       "space object '%s' is a %s: use its own functions", name,
                       kind_name(kind));
  if (at == 0)
    return SCT_ENOLOCK; /* a raw Value or Array */
  return sct__lock_adopt(out, (sct_lock_kind_t)lock_kind,
                         (sct__lockstate_t *)(void *)((char *)space->header +
                                                      at));
}

int sct_space_list(sct_space_t *space, sct_space_list_fn fn, void *ctx) {
  int rc = space_check(space);
  if (rc == 0 && !fn)
    rc = SCT_EINVAL;
  if (rc != 0)
    return rc;
  if ((rc = lock_space(space)) != 0)
    return rc;
  uint32_t n = space->header->objects, got = 0;
  char(*names)[SCT_SPACE_NAME_MAX + 1] = malloc((n ? n : 1) * sizeof *names);
  space_entry_t *e = entries(space);
  for (uint32_t i = 0; names && i < space->header->slots && got < n; i++)
    if (e[i].state == ENTRY_READY)
      memcpy(names[got++], e[i].name, sizeof *names);
  unlock_space(space);
  if (!names)
    return SCT_ENOMEM;
  for (uint32_t i = 0; rc == 0 && i < got; i++)
    rc = fn(names[i], ctx);
  free(names);
  return rc;
}

/* ---- what the tool reads (inspect.h) ---- */

static const char *entry_kind(uint32_t kind) {
  static const char *const sync_kinds[] = {"?",     "Condition", "Semaphore",
                                           "Event", "Barrier",   "Queue"};
  if (kind == KIND_VALUE)
    return "Value";
  if (kind == KIND_ARRAY)
    return "Array";
  if (kind == KIND_LOCK)
    return "Lock";
  if (kind > KIND_SYNC && kind - KIND_SYNC <= SCT__SYNC_QUEUE)
    return sync_kinds[kind - KIND_SYNC];
  return "?";
}

int sct__space_view(sct_space_t *space,
                    int (*fn)(const sct__space_entry_view_t *, void *),
                    void *ctx) {
  int rc = space_check(space);
  if (rc == 0 && !fn)
    rc = SCT_EINVAL;
  if (rc != 0 || (rc = lock_space(space)) != 0)
    return rc;
  space_entry_t *e = entries(space);
  char *base = (char *)space->header;
  for (uint32_t i = 0; rc == 0 && i < space->header->slots; i++) {
    if (sct__load_acquire(&e[i].state) != ENTRY_READY)
      continue;
    sct__space_entry_view_t v;
    char format[FORMAT_KEPT + 1];
    size_t len = e[i].format_len < FORMAT_KEPT ? e[i].format_len : FORMAT_KEPT;
    int object = e[i].kind == KIND_VALUE || e[i].kind == KIND_ARRAY;
    memcpy(format, e[i].format, object ? len : 0);
    format[object ? len : 0] = '\0';
    v.name = e[i].name;
    v.kind = entry_kind(e[i].kind);
    v.format = format;
    v.n = e[i].kind == KIND_ARRAY ? e[i].n : 0;
    v.lock_kind = (int)e[i].lock_kind;
    v.offset = e[i].offset;
    v.align = e[i].align;
    v.has_lock = e[i].lock_offset != 0;
    if (v.has_lock)
      sct__lockstate_view(
          (const sct__lockstate_t *)(const void *)(base + e[i].lock_offset),
          &v.lock);
    rc = fn(&v, ctx);
  }
  unlock_space(space);
  return rc;
}

int sct__space_usage(sct_space_t *space, uint64_t *size, uint32_t *objects) {
  int rc = space_check(space);
  if (rc == 0) {
    *size = space->header->size;
    *objects = sct__load_relaxed(&space->header->objects);
  }
  return rc;
}

/* ---- waiting primitives in a space ---- */

typedef struct sync_made {
  sct__sync_kind_t kind;
  const sct__sync_params_t *params;
  int global;
  sct__sync_t *handle; /* set when made here */
} sync_made_t;

static int init_sync(void *data, size_t size, void *ctx) {
  sync_made_t *m = ctx;
  return sct__sync_make_at(&m->handle, m->kind, m->params, data, size,
                           m->global);
}

/*
 * Finds or makes a waiting primitive of @p kind. What must match when
 * one is found is in @p what (its kind's parameters that fix its layout,
 * as text), compared like a type's format.
 */
static int take_sync(sct_space_t *space, const char *name,
                     sct_space_mode_t mode, sct__sync_kind_t kind,
                     const sct__sync_params_t *params, const char *what,
                     void **out) {
  shape_t want;
  space_entry_t *e = NULL;
  size_t size = 0, len = strlen(what);
  int rc = space_check(space);
  if (rc == 0 && !out)
    rc = SCT_EINVAL;
  if (rc == 0)
    rc = sct__sync_size(kind, params, &size);
  if (rc != 0)
    return rc;
  sync_made_t made = {kind, params, space->global, NULL};
  memset(&want, 0, sizeof want);
  want.kind = KIND_SYNC + (uint32_t)kind;
  want.size = size;
  want.align = 64;
  want.format_len = (uint32_t)len;
  want.format_hash = sct__hash_bytes(what, len);
  memcpy(want.format, what, len < FORMAT_KEPT ? len : FORMAT_KEPT - 1);
  want.init = init_sync;
  want.init_ctx = &made;
  if ((rc = take(space, name, mode, &want, &e)) != 0)
    return rc;
  if (made.handle) {
    *out = made.handle;
    return 0;
  }
  return sct__sync_wrap_at((sct__sync_t **)out, kind,
                           (char *)space->header + e->offset, (size_t)e->size);
}

int sct_space_cond(sct_space_t *space, const char *name, sct_space_mode_t mode,
                   sct_lock_kind_t kind, sct_cond_t **out) {
  sct__sync_params_t p = {0, 0, 0, kind, NULL, 0, 0};
  char what[32];
  if (kind != SCT_LOCK && kind != SCT_RLOCK)
    return SCT_EINVAL;
  snprintf(what, sizeof what, "cond:%d", (int)kind);
  return take_sync(space, name, mode, SCT__SYNC_COND, &p, what, (void **)out);
}

int sct_space_sem(sct_space_t *space, const char *name, sct_space_mode_t mode,
                  unsigned value, int bounded, sct_sem_t **out) {
  sct__sync_params_t p = {value, bounded, 0, 0, NULL, 0, 0};
  char what[48];
  /* A bounded one is fixed by its bound; any value finds an unbounded. */
  snprintf(what, sizeof what, "sem:%u", bounded ? value : 0xffffffffu);
  return take_sync(space, name, mode, SCT__SYNC_SEM, &p, what, (void **)out);
}

int sct_space_event(sct_space_t *space, const char *name, sct_space_mode_t mode,
                    sct_event_t **out) {
  sct__sync_params_t p = {0, 0, 0, 0, NULL, 0, 0};
  return take_sync(space, name, mode, SCT__SYNC_EVENT, &p, "event",
                   (void **)out);
}

int sct_space_barrier(sct_space_t *space, const char *name,
                      sct_space_mode_t mode, unsigned parties,
                      sct_barrier_t **out) {
  sct__sync_params_t p = {0, 0, parties, 0, NULL, 0, 0};
  char what[32];
  snprintf(what, sizeof what, "barrier:%u", parties);
  return take_sync(space, name, mode, SCT__SYNC_BARRIER, &p, what,
                   (void **)out);
}

int sct_space_queue(sct_space_t *space, const char *name, sct_space_mode_t mode,
                    const sct_type_t *type, size_t capacity, unsigned flags,
                    sct_queue_t **out) {
  sct__sync_params_t p = {0, 0, 0, 0, type, capacity, flags};
  size_t len;
  int rc = sct_type_format(type, NULL, 0, &len);
  if (rc != 0 && rc != SCT_EOVERFLOW)
    return rc;
  char *what = malloc(len + 64);
  if (!what)
    return SCT_ENOMEM;
  int at = snprintf(what, 64, "queue:%zu:%u:", capacity, flags);
  (void)sct_type_format(type, what + at, len + 1, NULL);
  rc = take_sync(space, name, mode, SCT__SYNC_QUEUE, &p, what, (void **)out);
  free(what);
  return rc;
}

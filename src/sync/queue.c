/*
 * Queue: a ring of fixed-size items in shared memory, guarded by the
 * queue's own lock, with one word for getters to sleep on (bumped by
 * every put), one for putters (bumped by every get) and one for joiners.
 *
 * An item is copied under the lock and published by advancing `next`
 * after the copy, so nobody sees a torn item. Publishing is the one
 * store that decides a put: the items not yet marked done are `next -
 * done`, not a counter of their own, so a put is either published and
 * unfinished or neither, wherever its process dies, and the 64-bit
 * counts never wrap. `busy` records which operation is inside and
 * `busy_at` where it started: when a process dies in one, its lock
 * reports SCT_EOWNERDEAD to the next caller, who counts the death, drops
 * a put that was not published (`lost` counts it) or keeps the item of
 * a get that did not advance `first` (it is delivered again), and then
 * does its own operation: callers never retry.
 */
#include "../base/atomics.h"
#include "../base/inspect.h"
#include "sync.h"
#include "../base/testhook.h"

#include <stddef.h>
#include <string.h>

#define MAX_CAPACITY (UINT32_C(1) << 30)
#define BUSY_PUT 1u
#define BUSY_GET 2u

typedef struct queue_state {
  sct__sync_head_t head;
  sct__lockstate_t lock;
  sct__waitword_t puts; /* getters sleep on it */
  sct__waitword_t gets; /* putters sleep on it */
  sct__waitword_t done_word; /* joiners sleep on it */
  uint32_t item_size;
  uint32_t item_align;
  uint32_t capacity;
  uint32_t flags;
  sct__u64 first;   /* items ever got */
  sct__u64 next;    /* items ever put (published) */
  sct__u64 done;    /* task_done calls: next - done are unfinished */
  sct__u64 lost;    /* puts whose process died before publishing */
  sct__u64 deaths;  /* processes that died inside the queue */
  sct__u64 busy_at; /* `next` or `first` when the busy one started */
  uint32_t closed;
  uint32_t busy;
  uint32_t items_offset;
  uint32_t unused;
  sct__u64 type_hash;   /* of the item type's format; 0 when unknown */
  char type_format[64]; /* its start, for messages */
} queue_state_t;

static queue_state_t *state_of(const sct_queue_t *queue) {
  return (queue_state_t *)(void *)queue->s.state;
}

static size_t items_offset(size_t align) {
  return (sizeof(queue_state_t) + align - 1) / align * align;
}

static unsigned char *slot(queue_state_t *st, uint64_t position) {
  return (unsigned char *)st + st->items_offset +
         (size_t)(position % st->capacity) * st->item_size;
}

int sct__queue_size(const sct__sync_params_t *p, size_t *size) {
  const sct_type_t *type = p->type;
  int rc = sct__type_check(type);
  if (rc != 0)
    return rc;
  if (p->capacity == 0 || p->capacity > MAX_CAPACITY ||
      (p->flags & ~SCT_QUEUE_JOINABLE) != 0 || type->size > UINT32_MAX ||
      type->align > 4096)
    return SCT_EINVAL;
  size_t items;
  rc = sct__mul_size(p->capacity, type->size, &items);
  if (rc == 0)
    rc = sct__add_size(items_offset(type->align), items, size);
  return rc;
}

void sct__queue_init(sct__sync_t *s, const sct__sync_params_t *p) {
  queue_state_t *st = (queue_state_t *)(void *)s->state;
  st->item_size = (uint32_t)p->type->size;
  st->item_align = (uint32_t)p->type->align;
  st->capacity = (uint32_t)p->capacity;
  st->flags = p->flags;
  st->items_offset = (uint32_t)items_offset(p->type->align);
  /* Without memory for the format, openers check size and alignment. */
  if (sct__type_digest(p->type, &st->type_hash, NULL, st->type_format,
                       sizeof st->type_format) != 0)
    st->type_hash = 0;
  sct__lockstate_init(&st->lock, SCT_LOCK);
  if (s->flags & SCT__SYNC_GLOBAL)
    st->lock.wake_key |= SCT__WAKE_GLOBAL;
  sct__sync_waitword_init(s, &st->puts, 0);
  sct__sync_waitword_init(s, &st->gets, 0);
  sct__sync_waitword_init(s, &st->done_word, 0);
  uint64_t start = 0; /* a test may start the counts near their limit */
  SCT__TEST_HOOK("queue.init", &start);
  st->first = st->next = st->done = start;
}

/* Anonymous when @p name is NULL. */
static int make(sct_queue_t **out, const char *name, const sct_type_t *type,
                size_t capacity, unsigned flags) {
  sct__sync_params_t p = {0, 0, 0, 0, type, capacity, flags};
  if (!out)
    return SCT_EINVAL;
  return sct__sync_make((sct__sync_t **)out, SCT__SYNC_QUEUE, &p, name);
}

int sct_queue_new(sct_queue_t **out, const sct_type_t *type, size_t capacity,
                  unsigned flags) {
  return make(out, NULL, type, capacity, flags);
}

int sct_queue_create_named(sct_queue_t **out, const char *name,
                           const sct_type_t *type, size_t capacity,
                           unsigned flags) {
  return name ? make(out, name, type, capacity, flags) : SCT_EINVAL;
}

int sct__queue_valid(const sct__sync_head_t *head, size_t size) {
  const queue_state_t *st = (const queue_state_t *)(const void *)head;
  if (size < sizeof *st || st->capacity == 0 || st->capacity > MAX_CAPACITY ||
      st->item_align == 0 || (st->item_align & (st->item_align - 1)) != 0 ||
      st->item_align > 4096 ||
      st->items_offset != items_offset(st->item_align) ||
      (uint64_t)st->items_offset + (uint64_t)st->capacity * st->item_size !=
          size ||
      st->lock.kind != SCT_LOCK || !sct__lockstate_valid(&st->lock))
    return SCT_ETYPE;
  return 0;
}

/* 0 when @p type is the item type queue @p st was made with: its format,
 * or where that is unknown its size and alignment. */
static int same_item_type(const queue_state_t *st, const sct_type_t *type,
                          const char *name) {
  uint64_t hash = 0;
  char format[64] = "";
  int rc = sct__type_digest(type, &hash, NULL, format, sizeof format);
  if (rc != 0)
    return rc;
  if (st->item_size == type->size && st->item_align == type->align &&
      (st->type_hash == 0 || st->type_hash == hash))
    return 0;
  return sct__detail(SCT_ETYPE,
                     "named queue '%s': item type: asked %s (size %llu, align "
                     "%llu), made with %.64s (size %u, align %u)",
                     name, format, (unsigned long long)type->size,
                     (unsigned long long)type->align,
                     st->type_hash ? st->type_format : "another type",
                     (unsigned)st->item_size, (unsigned)st->item_align);
}

int sct_queue_open_named(sct_queue_t **out, const char *name,
                         const sct_type_t *type, unsigned flags) {
  sct__sync_t *s;
  if (!out)
    return SCT_EINVAL;
  int rc = sct__type_check(type);
  if (rc != 0)
    return rc;
  rc = sct__sync_open_named(&s, SCT__SYNC_QUEUE, name, flags);
  if (rc != 0)
    return rc;
  rc = same_item_type((const queue_state_t *)(void *)s->state, type, name);
  if (rc != 0) {
    sct__sync_unref(s);
    return rc;
  }
  *out = (sct_queue_t *)s;
  return 0;
}

int sct_queue_unlink_named(const char *name) {
  return sct__sync_unlink_named(SCT__SYNC_QUEUE, name);
}

/* Takes the queue's lock, repairing after a death inside: a put that
 * did not publish is lost, a get that did not advance `first` left its
 * item in place. The lock is only ever held for a copy, never across a
 * wait, so it is waited for without a deadline: a non-blocking put must
 * not say "full" because another process was copying an item in. */
static int lock_queue(queue_state_t *st) {
  int rc = sct__lockstate_acquire(&st->lock, SCT_INFINITE);
  if (rc == SCT_EOWNERDEAD) {
    if (st->busy == BUSY_PUT && st->next == st->busy_at)
      st->lost++;
    st->busy = 0;
    st->deaths++;
    rc = 0;
  }
  return rc;
}

/* Marks the operation inside, for the repair above. */
static void enter(queue_state_t *st, uint32_t busy, uint64_t at) {
  st->busy_at = at;
  sct__store_release(&st->busy, busy);
}

static uint64_t count(const queue_state_t *st) {
  return st->next - st->first;
}

/*
 * Waits, lock held, until @p ready says the operation can go on: 0 with
 * the lock held, or an error without it (@p when_not for a deadline that
 * passed). @p word is the word whose bump may change the answer.
 */
static int wait_until(queue_state_t *st, int (*ready)(const queue_state_t *),
                      sct__waitword_t *word, int64_t deadline, int when_not) {
  for (;;) {
    int rc = ready(st);
    if (rc == 1 && deadline >= 0 && sct__ms_left(deadline) == 0)
      rc = when_not;
    if (rc != 1) {
      if (rc != 0)
        sct__lockstate_release(&st->lock);
      return rc;
    }
    uint32_t seen = sct__load_relaxed(&word->value);
    sct__lockstate_release(&st->lock);
    (void)sct__waitword_wait(word, seen, deadline, SCT__IDLE_SLICE_MS);
    if ((rc = lock_queue(st)) != 0)
      return rc;
  }
}

/* 0 when a put can go on, 1 to wait, or the error. */
static int room(const queue_state_t *st) {
  if (st->closed)
    return SCT_ECLOSED;
  return count(st) < st->capacity ? 0 : 1;
}

/* 0 when a get can go on, 1 to wait, or the error. */
static int an_item(const queue_state_t *st) {
  if (count(st) > 0)
    return 0;
  return st->closed ? SCT_ECLOSED : 1;
}

static int start(sct_queue_t *queue, const void *item, int timeout_ms,
                 int64_t *deadline) {
  int rc = sct__sync_check(queue, SCT__SYNC_QUEUE);
  if (rc == 0 && !item)
    rc = SCT_EINVAL;
  *deadline = sct__deadline_or_none(timeout_ms);
  return rc;
}

int sct_queue_put(sct_queue_t *queue, const void *item, int timeout_ms) {
  int64_t deadline;
  int rc = start(queue, item, timeout_ms, &deadline);
  if (rc != 0)
    return rc;
  queue_state_t *st = state_of(queue);
  if ((rc = lock_queue(st)) != 0 ||
      (rc = wait_until(st, room, &st->gets, deadline, SCT_EFULL)) != 0)
    return rc;
  enter(st, BUSY_PUT, st->next);
  memcpy(slot(st, st->next), item, st->item_size);
  SCT__TEST_HOOK("queue.put.copied", queue);
  sct__store_release(&st->next, st->next + 1);
  SCT__TEST_HOOK("queue.put.published", queue);
  sct__store_release(&st->busy, 0u);
  uint32_t token = sct__waitword_bump(&st->puts);
  /* Woken after the unlock, a getter does not find the lock still held. */
  sct__lockstate_release(&st->lock);
  sct__waitword_wake_bumped(&st->puts, 1, token);
  return 0;
}

int sct_queue_get(sct_queue_t *queue, void *item, int timeout_ms) {
  int64_t deadline;
  int rc = start(queue, item, timeout_ms, &deadline);
  if (rc != 0)
    return rc;
  queue_state_t *st = state_of(queue);
  if ((rc = lock_queue(st)) != 0 ||
      (rc = wait_until(st, an_item, &st->puts, deadline, SCT_EEMPTY)) != 0)
    return rc;
  enter(st, BUSY_GET, st->first);
  memcpy(item, slot(st, st->first), st->item_size);
  sct__store_release(&st->first, st->first + 1);
  sct__store_release(&st->busy, 0u);
  uint32_t token = sct__waitword_bump(&st->gets);
  sct__lockstate_release(&st->lock);
  sct__waitword_wake_bumped(&st->gets, 1, token);
  return 0;
}

size_t sct__queue_capacity(const sct_queue_t *queue) {
  if (sct__sync_check(queue, SCT__SYNC_QUEUE) != 0)
    return 0;
  return state_of(queue)->capacity;
}

sct__waitword_t *sct__queue_word(const sct_queue_t *queue, int for_put) {
  queue_state_t *st = state_of(queue);
  return for_put ? &st->gets : &st->puts;
}

static int snapshot(const sct_queue_t *queue, uint64_t *n) {
  int rc = sct__sync_check(queue, SCT__SYNC_QUEUE);
  if (rc == 0) {
    const queue_state_t *st = state_of(queue);
    uint64_t first = sct__load_acquire(&st->first);
    uint64_t next = sct__load_acquire(&st->next);
    *n = next > first ? next - first : 0;
  }
  return rc;
}

int sct_queue_size(const sct_queue_t *queue, size_t *out) {
  uint64_t n = 0;
  int rc = out ? snapshot(queue, &n) : SCT_EINVAL;
  if (rc == 0)
    *out = (size_t)n;
  return rc;
}

int sct_queue_empty(const sct_queue_t *queue) {
  uint64_t n;
  int rc = snapshot(queue, &n);
  return rc != 0 ? rc : n == 0;
}

int sct_queue_full(const sct_queue_t *queue) {
  uint64_t n;
  int rc = snapshot(queue, &n);
  return rc != 0 ? rc : n >= state_of(queue)->capacity;
}

/* Reads one of the queue's 64-bit counts into @p out. */
static int read_count(const sct_queue_t *queue, size_t offset,
                      uint64_t *out) {
  int rc = sct__sync_check(queue, SCT__SYNC_QUEUE);
  if (rc == 0 && !out)
    rc = SCT_EINVAL;
  if (rc == 0)
    *out = sct__load_acquire(
        (const sct__u64 *)(const void *)((const char *)state_of(queue) +
                                         offset));
  return rc;
}

int sct_queue_lost(const sct_queue_t *queue, uint64_t *out) {
  return read_count(queue, offsetof(queue_state_t, lost), out);
}

int sct_queue_deaths(const sct_queue_t *queue, uint64_t *out) {
  return read_count(queue, offsetof(queue_state_t, deaths), out);
}

/* Bumps @p word and wakes all its sleepers. */
static void wake_all(sct__waitword_t *word) {
  sct__fetch_add(&word->value, 1u);
  sct__waitword_wake(word, -1);
}

int sct_queue_close(sct_queue_t *queue) {
  int rc = sct__sync_check(queue, SCT__SYNC_QUEUE);
  if (rc != 0)
    return rc;
  queue_state_t *st = state_of(queue);
  if ((rc = lock_queue(st)) != 0)
    return rc;
  st->closed = 1;
  wake_all(&st->puts);
  wake_all(&st->gets);
  sct__lockstate_release(&st->lock);
  return 0;
}

static int joinable(sct_queue_t *queue) {
  int rc = sct__sync_check(queue, SCT__SYNC_QUEUE);
  if (rc == 0 && !(state_of(queue)->flags & SCT_QUEUE_JOINABLE))
    rc = SCT_ETYPE;
  return rc;
}

int sct_queue_task_done(sct_queue_t *queue) {
  int rc = joinable(queue);
  if (rc != 0)
    return rc;
  queue_state_t *st = state_of(queue);
  if ((rc = lock_queue(st)) != 0)
    return rc;
  if (st->next == st->done)
    rc = SCT_ESTATE;
  else if (++st->done == st->next)
    wake_all(&st->done_word);
  sct__lockstate_release(&st->lock);
  return rc;
}

/* 0 when every task is done, 1 to wait. */
static int all_done(const queue_state_t *st) {
  return st->next == st->done ? 0 : 1;
}

int sct_queue_join(sct_queue_t *queue, int timeout_ms) {
  int rc = joinable(queue);
  if (rc != 0)
    return rc;
  queue_state_t *st = state_of(queue);
  int64_t deadline = sct__deadline_or_none(timeout_ms);
  rc = lock_queue(st);
  if (rc == 0)
    rc = wait_until(st, all_done, &st->done_word, deadline, SCT_ETIMEDOUT);
  if (rc == 0)
    sct__lockstate_release(&st->lock);
  return rc;
}

int sct_queue_free(sct_queue_t *queue) {
  return sct__sync_free(queue, SCT__SYNC_QUEUE);
}

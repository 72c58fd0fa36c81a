/*
 * The shared heap: objects are carved from large anonymous arenas, so a
 * million Values need a handful of mappings, not a million (Python's
 * multiprocessing.heap does the same).
 *
 * Blocks carry 16-byte boundary tags (previous block's size, own size and
 * an in-use bit), so freeing coalesces with both neighbours in O(1). Free
 * blocks sit in size bins: exact 16-byte classes below 1 KiB, power-of-two
 * classes above, scanned for the best fit. A bitmap of non-empty bins
 * makes the search short. Each arena ends in an in-use sentinel so
 * coalescing never runs past it.
 *
 * The untouched end of the newest arena (the top) stays out of the bins
 * and is cut from the front when no freed block fits: making many objects
 * in a row then writes only their own headers, where re-binning the rest
 * after every cut touched the list heads of older arenas' leftovers (a
 * cache miss an object, a quarter of the time of making ten million).
 *
 * The bookkeeping belongs to one process: a forked child forgets the
 * parent's arenas (it must never allocate from or free into them) and
 * starts its own; freeing an inherited object in the child only drops
 * the child's handle.
 */
#include "../base/atomics.h"
#include "../base/internal.h"

#include <stdlib.h>
#include <string.h>

#define HDR 16u
#define MIN_BLOCK 32u
#define IN_USE ((size_t)1)
#define SMALL_LIMIT 1024u
#define NBINS 128
#define FIRST_ARENA (1u << 20)
#define MAX_GROWTH (64u << 20)
/* Requests this large get a mapping of their own size rather than the
 * next (up to 64 MiB) arena, which would be reserved and released again
 * with every allocation and free of such an object. */
#define DEDICATED_MIN (256u << 10)
#define PAGE 4096u

typedef struct block {
  size_t prev_size; /* 0 for the first block of an arena */
  size_t size_flags;
  struct block *next; /* free blocks only */
  struct block *prev;
} block_t;

typedef struct arena {
  sct__segment_t seg;
  struct arena *next;
  size_t used_blocks;
} arena_t;

static struct {
  sct__mutex_t mutex;
  arena_t *arenas;
  arena_t *inherited; /* a parent's arenas, mapped here but not ours */
  arena_t *spare;     /* one empty arena kept for reuse, or NULL */
  size_t next_size;
  block_t *top; /* free, in no bin; NULL when none */
  block_t *bins[NBINS];
  uint64_t nonempty[NBINS / 64];
  size_t used_bytes;
  size_t used_blocks;
} heap = {SCT__MUTEX_INIT, NULL, NULL, NULL, FIRST_ARENA, NULL,
          {NULL},          {0},  0,    0};

static size_t block_size(const block_t *b) {
  return b->size_flags & ~IN_USE;
}
static int is_used(const block_t *b) {
  return (b->size_flags & IN_USE) != 0;
}
static block_t *next_block(block_t *b) {
  return (block_t *)((char *)b + block_size(b));
}

static int floor_log2(size_t v) {
  int r = 0;
  while (v >>= 1)
    r++;
  return r;
}

static int bin_of(size_t size) {
  if (size < SMALL_LIMIT)
    return (int)(size / 16u);
  int bin = 64 + floor_log2(size) - 10;
  return bin < NBINS ? bin : NBINS - 1;
}

static void bin_insert(block_t *b) {
  int i = bin_of(block_size(b));
  b->prev = NULL;
  b->next = heap.bins[i];
  if (b->next)
    b->next->prev = b;
  heap.bins[i] = b;
  heap.nonempty[i / 64] |= UINT64_C(1) << (i % 64);
}

static void bin_remove(block_t *b) {
  int i = bin_of(block_size(b));
  if (b->prev)
    b->prev->next = b->next;
  else
    heap.bins[i] = b->next;
  if (b->next)
    b->next->prev = b->prev;
  if (heap.bins[i] == NULL)
    heap.nonempty[i / 64] &= ~(UINT64_C(1) << (i % 64));
}

/* The first non-empty bin at or after @p from, or -1. */
static int next_nonempty(int from) {
  for (int word = from / 64; word < NBINS / 64; word++) {
    uint64_t bits = heap.nonempty[word];
    if (word == from / 64)
      bits &= ~UINT64_C(0) << (from % 64);
    if (bits)
      return word * 64 + sct__ctz64(bits);
  }
  return -1;
}

/* Best fit: the smallest free block of at least @p need bytes. Exact
 * small bins hold one size, so their first block is the best. */
static block_t *find_fit(size_t need) {
  for (int i = next_nonempty(bin_of(need)); i >= 0;
       i = i + 1 < NBINS ? next_nonempty(i + 1) : -1) {
    if (i < bin_of(SMALL_LIMIT))
      return heap.bins[i];
    block_t *best = NULL;
    for (block_t *b = heap.bins[i]; b; b = b->next)
      if (block_size(b) >= need && (!best || block_size(b) < block_size(best)))
        best = b;
    if (best)
      return best;
  }
  return NULL;
}

/* The arena of @p list holding [p, p + len), or NULL. */
static arena_t *arena_in(arena_t *list, const void *p, size_t len) {
  for (arena_t *a = list; a; a = a->next) {
    const char *base = a->seg.addr;
    if ((const char *)p >= base &&
        (size_t)((const char *)p - base) <= a->seg.size &&
        len <= a->seg.size - (size_t)((const char *)p - base))
      return a;
  }
  return NULL;
}

/* The own arena holding block @p b (its header, at least). */
static arena_t *arena_of(const void *b) {
  return arena_in(heap.arenas, b, HDR);
}

/* Maps a new arena with room for a block of @p need bytes. Arenas for
 * small objects double in size up to MAX_GROWTH; a request of
 * DEDICATED_MIN or more gets an arena of its own size. */
static int arena_add(size_t need) {
  size_t size = heap.next_size;
  size_t want;
  int dedicated = need >= DEDICATED_MIN;
  if (sct__add_size(need, HDR + PAGE - 1, &want) != 0)
    return SCT_ENOMEM;
  want &= ~(size_t)(PAGE - 1);
  if (want > size || dedicated)
    size = want;
  arena_t *a = malloc(sizeof *a);
  if (!a)
    return SCT_ENOMEM;
  int rc = sct__segment_create_anon(&a->seg, size);
  if (rc != 0) {
    free(a);
    return rc;
  }
  if (!dedicated && heap.next_size < MAX_GROWTH)
    heap.next_size *= 2;
  /* Arenas for small objects are filled front to back, and a page fault
   * a page cost more than the objects placed on it (about 20 ns a Value):
   * their pages are mapped in one pass. A dedicated one is left to its
   * object's first touches, which may never reach every page. */
  if (!dedicated)
    sct__segment_populate(&a->seg);
  a->used_blocks = 0;
  a->next = heap.arenas;
  heap.arenas = a;
  block_t *first = (block_t *)a->seg.addr;
  first->prev_size = 0;
  first->size_flags = size - HDR;
  block_t *sentinel = next_block(first);
  sentinel->prev_size = size - HDR;
  sentinel->size_flags = IN_USE;
  /* A dedicated arena is for the one request; the others become the top,
   * and what is left of the previous top joins the bins. */
  if (dedicated) {
    bin_insert(first);
  } else {
    if (heap.top)
      bin_insert(heap.top);
    heap.top = first;
  }
  return 0;
}

/* Takes the free block @p b, top or binned, out of the free set. */
static void unfree(block_t *b) {
  if (b == heap.top)
    heap.top = NULL;
  else
    bin_remove(b);
}

static void arena_drop(arena_t *dead) {
  arena_t **link = &heap.arenas;
  while (*link != dead)
    link = &(*link)->next;
  *link = dead->next;
  (void)sct__segment_close(&dead->seg);
  free(dead);
}

/* Cuts @p b down to @p need bytes when the rest can be a block; the rest
 * of a cut top is the new top. */
static void split(block_t *b, size_t need, int was_top) {
  size_t size = block_size(b);
  if (size - need < MIN_BLOCK)
    return;
  block_t *rest = (block_t *)((char *)b + need);
  rest->prev_size = need;
  rest->size_flags = size - need;
  next_block(rest)->prev_size = size - need;
  b->size_flags = need | (b->size_flags & IN_USE);
  if (was_top)
    heap.top = rest;
  else
    bin_insert(rest);
}

/* A free block of at least @p need bytes, taken out of the free set: a
 * binned one if any fits, else the top, else a new arena's. */
static int take_fit(size_t need, block_t **out, int *was_top) {
  block_t *b = find_fit(need);
  if (b) {
    bin_remove(b);
    *was_top = 0;
    *out = b;
    return 0;
  }
  if (!heap.top || block_size(heap.top) < need) {
    int rc = arena_add(need);
    if (rc != 0)
      return rc;
    if (need >= DEDICATED_MIN) /* binned, and the only fit */
      return take_fit(need, out, was_top);
  }
  *out = heap.top;
  *was_top = 1;
  heap.top = NULL;
  return 0;
}

int sct__heap_alloc_unzeroed(size_t size, size_t align, void **block,
                             void **data) {
  size_t need;
  if (align < 16)
    align = 16;
  if (align > PAGE || (align & (align - 1)) != 0)
    return SCT_EINVAL;
  /* Room for the header, the payload, and slack to align the payload. */
  if (sct__add_size(size, HDR + (align - 16) + 15, &need) != 0)
    return SCT_EOVERFLOW;
  need &= ~(size_t)15;
  if (need < MIN_BLOCK)
    need = MIN_BLOCK;

  block_t *b;
  int was_top;
  sct__mutex_lock(&heap.mutex);
  int rc = take_fit(need, &b, &was_top);
  if (rc != 0) {
    sct__mutex_unlock(&heap.mutex);
    return rc;
  }
  b->size_flags |= IN_USE;
  split(b, need, was_top);
  arena_t *a = arena_of(b);
  if (a->used_blocks++ == 0 && a == heap.spare)
    heap.spare = NULL;
  heap.used_blocks++;
  heap.used_bytes += block_size(b);
  sct__mutex_unlock(&heap.mutex);

  uintptr_t payload = (uintptr_t)b + HDR;
  payload = (payload + align - 1) & ~(uintptr_t)(align - 1);
  *block = b;
  *data = (void *)payload;
  return 0;
}

int sct__heap_alloc(size_t size, size_t align, void **block, void **data) {
  int rc = sct__heap_alloc_unzeroed(size, align, block, data);
  if (rc == 0)
    memset(*data, 0, size);
  return rc;
}

int sct__heap_free(void *block) {
  block_t *b = block;
  sct__mutex_lock(&heap.mutex);
  arena_t *a = arena_of(b);
  if (!a) {
    /* Inherited from the parent: not ours to free. */
    sct__mutex_unlock(&heap.mutex);
    return 0;
  }
  if (!is_used(b)) {
    sct__mutex_unlock(&heap.mutex);
    return SCT_ESTATE;
  }
  heap.used_blocks--;
  heap.used_bytes -= block_size(b);
  b->size_flags &= ~IN_USE;
  block_t *next = next_block(b);
  int joins_top = next == heap.top;
  if (!is_used(next)) {
    unfree(next);
    b->size_flags += block_size(next);
  }
  if (b->prev_size != 0) {
    block_t *prev = (block_t *)((char *)b - b->prev_size);
    if (!is_used(prev)) {
      bin_remove(prev); /* never the top, which ends its arena */
      prev->size_flags += block_size(b);
      b = prev;
    }
  }
  next_block(b)->prev_size = block_size(b);
  if (joins_top)
    heap.top = b;
  else
    bin_insert(b);
  /* The arena left empty last is kept (one at most, 64 MiB at most), so
   * freeing and making an object of the same size again costs no
   * mapping; an older spare goes. */
  if (--a->used_blocks == 0) {
    arena_t *gone = a; /* too large to keep */
    if (a->seg.size <= MAX_GROWTH) {
      gone = heap.spare;
      heap.spare = a;
    }
    if (gone) {
      unfree((block_t *)gone->seg.addr); /* its one, whole free block */
      arena_drop(gone);
    }
  }
  sct__mutex_unlock(&heap.mutex);
  return 0;
}

int sct__heap_locate(const void *p, size_t len, intptr_t *handle, size_t *size,
                     size_t *offset) {
  sct__mutex_lock(&heap.mutex);
  arena_t *a = arena_in(heap.arenas, p, len);
  if (!a)
    a = arena_in(heap.inherited, p, len);
  if (a) {
    *handle = a->seg.handle;
    *size = a->seg.size;
    *offset = (size_t)((const char *)p - (const char *)a->seg.addr);
  }
  sct__mutex_unlock(&heap.mutex);
  return a ? 0 : SCT_EINVAL;
}

int sct__heap_adopt(const sct__segment_t *seg) {
  arena_t *a = malloc(sizeof *a);
  if (!a)
    return SCT_ENOMEM;
  a->seg = *seg;
  a->used_blocks = 0;
  sct__mutex_lock(&heap.mutex);
  a->next = heap.inherited;
  heap.inherited = a;
  sct__mutex_unlock(&heap.mutex);
  return 0;
}

size_t sct__heap_block_bytes(const void *block) {
  return block_size(block);
}

/* Slots count as blocks of their own, and the blocks holding them not:
 * a compact Value is one live block of 32 bytes. */
int sct_heap_stats(sct_heap_stats_t *st) {
  size_t slots, regions, region_bytes;
  if (!st)
    return SCT_EINVAL;
  memset(st, 0, sizeof *st);
  sct__slab_stats(&slots, &regions, &region_bytes); /* before: lock order */
  sct__mutex_lock(&heap.mutex);
  for (arena_t *a = heap.arenas; a; a = a->next) {
    st->arenas++;
    st->mapped_bytes += a->seg.size;
  }
  st->used_bytes = heap.used_bytes - region_bytes + slots * SCT__SLOT_BYTES;
  st->used_blocks = heap.used_blocks - regions + slots;
  sct__mutex_unlock(&heap.mutex);
  return 0;
}

void sct__heap_fork_prepare(void) {
  sct__mutex_lock(&heap.mutex);
}

void sct__heap_fork_parent(void) {
  sct__mutex_unlock(&heap.mutex);
}

/* The child keeps the parent's mappings (inherited objects live there) but
 * not their free lists: the arenas move to the inherited list, which is
 * never allocated from or freed into. */
void sct__heap_fork_child(void) {
  memset(heap.bins, 0, sizeof heap.bins);
  memset(heap.nonempty, 0, sizeof heap.nonempty);
  if (heap.arenas) {
    arena_t *last = heap.arenas;
    while (last->next)
      last = last->next;
    last->next = heap.inherited;
    heap.inherited = heap.arenas;
  }
  heap.arenas = NULL;
  heap.spare = NULL;
  heap.top = NULL;
  heap.next_size = FIRST_ARENA;
  heap.used_bytes = 0;
  heap.used_blocks = 0;
  sct__mutex_init(&heap.mutex);
}

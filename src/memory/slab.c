/*
 * Slots: 32-byte pieces of the shared heap for compact Values (an RLock's
 * state and at most 8 bytes of data), without the heap's 16-byte
 * boundary tag each. Ten million synchronized Values need 320 MB of
 * slots where heap blocks took 480 MB, and on a machine whose kernel
 * zeroes fresh pages slowly the bytes are most of the time of making them.
 *
 * Slots come in pages of PAGE_BYTES, aligned within their region, so a
 * slot finds its page by masking its address. The first slot of a page
 * is the page's header; free slots are chained by index through their
 * first bytes. Pages come from regions of REGION_PAGES pages, each one
 * block of the shared heap, so slots are mapped, inherited by forked
 * children and passed to spawned ones like any heap object. A page with
 * a free slot is on the partial list; a region whose slots are all free
 * again goes back to the heap at once, so freeing every Value gives back
 * all their memory, as for heap blocks.
 *
 * As with the heap, the bookkeeping is one process's: a forked child
 * starts with empty lists and a new epoch, so it never allocates from or
 * frees into a page of its parent's (freeing an inherited Value there
 * only drops the handle). Which epoch made a slot is told by its handle
 * (process-private memory), never by the page: the page is shared, and
 * after the parent freed the Value its header may hold anything.
 */
#include "../base/atomics.h"
#include "../base/internal.h"

#include <stdlib.h>
#include <string.h>

#define PAGE_BYTES 4096u
#define SLOTS_PER_PAGE (PAGE_BYTES / SCT__SLOT_BYTES)
/* With the page lost to alignment a region is 252 KiB: under the size
 * for which the heap maps a block of its own (an arena, and a descriptor,
 * per region), so regions share the heap's arenas. */
#define REGION_PAGES 62u

typedef struct region {
  void *block; /* the heap block holding the pages */
  char *first_page;
  unsigned cut_pages;  /* pages handed out so far */
  unsigned used_pages; /* of those, pages with a slot in use */
} region_t;

/* A page's header, in its first slot. */
typedef struct page {
  struct page *next, *prev; /* partial list */
  region_t *region;
  uint16_t free_head; /* index of the first free slot, 0 for none */
  uint16_t used;      /* slots in use */
  uint16_t fresh;     /* slots from here on were never used */
  uint16_t unused;
} page_t;

_Static_assert(sizeof(page_t) <= SCT__SLOT_BYTES, "a page header is a slot");

static struct {
  sct__mutex_t mutex;
  page_t *partial;  /* pages with a free slot */
  region_t *region; /* the region being cut into pages, or NULL */
  unsigned epoch;   /* this process's generation: 0, +1 in each child */
  size_t live_slots, regions, region_bytes; /* for sct_heap_stats */
} slab = {SCT__MUTEX_INIT, NULL, NULL, 0, 0, 0, 0};

static void *slot_at(page_t *p, unsigned index) {
  return (char *)p + (size_t)index * SCT__SLOT_BYTES;
}

static unsigned index_of(page_t *p, const void *slot) {
  return (unsigned)(((const char *)slot - (const char *)p) / SCT__SLOT_BYTES);
}

static page_t *page_of(const void *slot) {
  return (page_t *)((uintptr_t)slot & ~(uintptr_t)(PAGE_BYTES - 1));
}

static void partial_insert(page_t *p) {
  p->prev = NULL;
  p->next = slab.partial;
  if (p->next)
    p->next->prev = p;
  slab.partial = p;
}

static void partial_remove(page_t *p) {
  if (p->prev)
    p->prev->next = p->next;
  else
    slab.partial = p->next;
  if (p->next)
    p->next->prev = p->prev;
}

static int region_new(void) {
  region_t *r = malloc(sizeof *r);
  void *data;
  if (!r)
    return SCT_ENOMEM;
  /* One page more than used, so whole pages fit after aligning. */
  int rc = sct__heap_alloc_unzeroed((REGION_PAGES + 1) * PAGE_BYTES, 16,
                                    &r->block, &data);
  if (rc != 0) {
    free(r);
    return rc;
  }
  uintptr_t first =
      ((uintptr_t)data + PAGE_BYTES - 1) & ~(uintptr_t)(PAGE_BYTES - 1);
  r->first_page = (char *)first;
  r->cut_pages = 0;
  r->used_pages = 0;
  slab.region = r;
  slab.regions++;
  slab.region_bytes += sct__heap_block_bytes(r->block);
  return 0;
}

/* A page with a free slot, on the partial list. */
static int page_with_room(page_t **out) {
  if (!slab.partial) {
    if (!slab.region || slab.region->cut_pages == REGION_PAGES) {
      int rc = region_new();
      if (rc != 0)
        return rc;
    }
    region_t *r = slab.region;
    page_t *p =
        (page_t *)(void *)(r->first_page + (size_t)r->cut_pages++ * PAGE_BYTES);
    p->region = r;
    p->free_head = 0;
    p->used = 0;
    p->fresh = 1; /* slot 0 is the header */
    partial_insert(p);
  }
  *out = slab.partial;
  return 0;
}

unsigned sct__slab_epoch(void) {
  return slab.epoch;
}

int sct__slot_alloc(void **out, sct__pool_t *handles, void **handle) {
  page_t *p = NULL;
  sct__mutex_lock(&slab.mutex);
  int rc = (*handle = sct__pool_take(handles)) ? 0 : SCT_ENOMEM;
  if (rc == 0 && (rc = page_with_room(&p)) != 0)
    sct__pool_give(handles, *handle);
  if (rc != 0) {
    sct__mutex_unlock(&slab.mutex);
    return rc;
  }
  /* The header's fields are worked on in locals and stored once: reading
   * them back right after storing them stalled on store forwarding. */
  void *slot;
  uint16_t free_head = p->free_head, fresh = p->fresh;
  if (free_head) {
    slot = slot_at(p, free_head);
    memcpy(&free_head, slot, sizeof free_head);
  } else {
    slot = slot_at(p, fresh++);
  }
  p->free_head = free_head;
  p->fresh = fresh;
  if (p->used++ == 0)
    p->region->used_pages++;
  slab.live_slots++;
  if (!free_head && fresh == SLOTS_PER_PAGE)
    partial_remove(p);
  sct__mutex_unlock(&slab.mutex);
  memset(slot, 0, SCT__SLOT_BYTES);
  *out = slot;
  return 0;
}

/* Gives region @p r back to the heap: all its pages are empty, so all
 * are on the partial list. */
static void region_release(region_t *r) {
  for (unsigned i = 0; i < r->cut_pages; i++)
    partial_remove((page_t *)(void *)(r->first_page + (size_t)i * PAGE_BYTES));
  slab.regions--;
  slab.region_bytes -= sct__heap_block_bytes(r->block);
  (void)sct__heap_free(r->block);
  free(r);
}

void sct__slot_free(void *slot, unsigned epoch, sct__pool_t *handles,
                    void *handle) {
  page_t *p = page_of(slot);
  sct__mutex_lock(&slab.mutex);
  sct__pool_give(handles, handle);
  if (epoch != (slab.epoch & 0xFFFFu)) {
    /* Inherited from the parent: not ours to free, and its page may no
     * longer be a page at all. */
    sct__mutex_unlock(&slab.mutex);
    return;
  }
  region_t *r = p->region;
  int was_full = !p->free_head && p->fresh == SLOTS_PER_PAGE;
  memcpy(slot, &p->free_head, sizeof p->free_head);
  p->free_head = (uint16_t)index_of(p, slot);
  if (was_full)
    partial_insert(p);
  slab.live_slots--;
  if (--p->used == 0 && --r->used_pages == 0) {
    if (r == slab.region)
      slab.region = NULL;
    region_release(r);
  }
  sct__mutex_unlock(&slab.mutex);
}

void sct__slab_stats(size_t *live_slots, size_t *regions,
                     size_t *region_bytes) {
  sct__mutex_lock(&slab.mutex);
  *live_slots = slab.live_slots;
  *regions = slab.regions;
  *region_bytes = slab.region_bytes;
  sct__mutex_unlock(&slab.mutex);
}

void sct__slab_fork_prepare(void) {
  sct__mutex_lock(&slab.mutex);
}

void sct__slab_fork_parent(void) {
  sct__mutex_unlock(&slab.mutex);
}

/* The parent's regions stay mapped (inherited Values live there) but are
 * forgotten: their handles carry the parent's epoch. */
void sct__slab_fork_child(void) {
  slab.partial = NULL;
  slab.region = NULL;
  slab.epoch++;
  slab.live_slots = slab.regions = slab.region_bytes = 0;
  sct__mutex_init(&slab.mutex);
}

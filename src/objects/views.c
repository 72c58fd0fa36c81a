/*
 * The lazy views of compact handles: the raw object (sct_obj_get_obj) and
 * the lock (sct_obj_get_lock) of a synchronized Value, made on first
 * request and freed with the Value. A full handle keeps them in its own
 * fields; a compact one has room for a 32-bit index only, into this
 * process-local table. Few Values ever have views, so the table stays
 * small while the handles of ten million Values stay 32 bytes.
 *
 * Entries live in chunks that never move, so an index published in a
 * handle (with release order, after its chunk) always finds its entry.
 */
#include "../base/atomics.h"
#include "../base/internal.h"

#include <stdlib.h>

#define CHUNK_ENTRIES 1024u
#define MAX_CHUNKS 4096u /* four million Values with views at once */

typedef union entry {
  sct__views_t views;
  uint32_t next_free; /* while free: the next free index, 0 for none */
} entry_t;

sct__mutex_t sct__views_mutex = SCT__MUTEX_INIT;
static entry_t *chunks[MAX_CHUNKS];
static uint32_t next_fresh = 1; /* index 0 means "none" */
static uint32_t free_head;

static entry_t *entry_at(uint32_t index) {
  return &chunks[index / CHUNK_ENTRIES][index % CHUNK_ENTRIES];
}

/* A zeroed entry's index, or 0 when out of memory; under the mutex. */
static uint32_t entry_new(void) {
  uint32_t index = free_head;
  if (index) {
    free_head = entry_at(index)->next_free;
  } else {
    index = next_fresh;
    if (index / CHUNK_ENTRIES >= MAX_CHUNKS)
      return 0;
    if (!chunks[index / CHUNK_ENTRIES]) {
      entry_t *chunk = calloc(CHUNK_ENTRIES, sizeof *chunk);
      if (!chunk)
        return 0;
      /* Readers reach the chunk through an index published later (by
       * a compare-and-swap, after this mutex is released). */
      chunks[index / CHUNK_ENTRIES] = chunk;
    }
    next_fresh++;
  }
  entry_at(index)->views.base = NULL;
  entry_at(index)->views.lock = NULL;
  return index;
}

static void entry_free(uint32_t index) {
  entry_at(index)->next_free = free_head;
  free_head = index;
}

sct__views_t *sct__views_of(sct_obj_t *obj) {
  uint32_t index = sct__load_acquire(&obj->views);
  if (index == 0) {
    sct__mutex_lock(&sct__views_mutex);
    uint32_t mine = entry_new();
    sct__mutex_unlock(&sct__views_mutex);
    if (mine == 0)
      return NULL;
    index = mine;
    uint32_t expected = 0;
    if (!sct__cas(&obj->views, &expected, mine)) {
      /* Another thread gave the handle its entry first. */
      sct__mutex_lock(&sct__views_mutex);
      entry_free(mine);
      sct__mutex_unlock(&sct__views_mutex);
      index = expected;
    }
  }
  return &entry_at(index)->views;
}

sct__views_t *sct__views_find(const sct_obj_t *obj) {
  uint32_t index = sct__load_acquire(&obj->views);
  return index ? &entry_at(index)->views : NULL;
}

void sct__views_release(sct_obj_t *obj) {
  if (obj->views == 0)
    return;
  sct__mutex_lock(&sct__views_mutex);
  entry_free(obj->views);
  sct__mutex_unlock(&sct__views_mutex);
  obj->views = 0;
}

/*
 * Handle pools. Handles are small and many (a million Values means a
 * million handles), so they are carved from 64 KiB chunks instead of one
 * malloc each. Slots are never given back to the C heap: a freed handle
 * keeps its SCT__MAGIC_FREED, so using or freeing it again is reported as
 * SCT_ESTATE instead of touching freed memory (until the slot is reused).
 */
#include "../base/internal.h"

#include <stdlib.h>
#include <string.h>

/* Chunks start small; a pool past LARGE_AFTER bytes (some 15,000
 * handles) takes LARGE_CHUNK at a time, on large pages where the OS
 * gives them: first touches of fresh 4 KiB pages were most of the time
 * of making ten million Values. */
#define CHUNK_BYTES (64u * 1024u)
#define LARGE_AFTER (1024u * 1024u)
#define LARGE_CHUNK (4u * 1024u * 1024u)

static char *chunk_new(sct__pool_t *pool, size_t *bytes) {
  *bytes = pool->chunk_bytes < LARGE_AFTER ? CHUNK_BYTES : LARGE_CHUNK;
  return *bytes == LARGE_CHUNK ? sct__chunk_alloc(*bytes) : malloc(*bytes);
}

/* The free-list link sits after the first 8 bytes, so the magic at the
 * start of a freed handle stays readable. */
static void **link_of(void *item) {
  return (void **)((char *)item + 8);
}

void *sct__pool_take(sct__pool_t *pool) {
  size_t size = (pool->item_size + 7u) & ~(size_t)7u;
  void *item = NULL;
  if (pool->free_list) {
    item = pool->free_list;
    pool->free_list = *link_of(item);
  } else {
    if (pool->chunk_next == NULL ||
        (size_t)(pool->chunk_end - pool->chunk_next) < size) {
      size_t bytes;
      char *chunk = chunk_new(pool, &bytes);
      if (chunk) {
        /* Chunks are chained through their first slot-sized header so
         * they stay reachable (leak checkers see every handle). */
        *(void **)(void *)chunk = pool->chunks;
        pool->chunks = chunk;
        pool->chunk_next = chunk + 16;
        pool->chunk_end = chunk + bytes;
        pool->chunk_bytes += bytes;
      }
    }
    if (pool->chunk_next &&
        (size_t)(pool->chunk_end - pool->chunk_next) >= size) {
      item = pool->chunk_next;
      pool->chunk_next += size;
    }
  }
  return item;
}

void *sct__pool_get_unzeroed(sct__pool_t *pool) {
  sct__mutex_lock(&pool->mutex);
  void *item = sct__pool_take(pool);
  sct__mutex_unlock(&pool->mutex);
  return item;
}

void *sct__pool_get(sct__pool_t *pool) {
  void *item = sct__pool_get_unzeroed(pool);
  if (item)
    memset(item, 0, pool->item_size);
  return item;
}

int sct__handle_check(const void *handle, uint32_t magic) {
  if (!handle)
    return SCT_EINVAL;
  uint32_t seen = *(const uint32_t *)handle;
  if (seen == SCT__MAGIC_FREED)
    return SCT_ESTATE;
  return seen == magic ? 0 : SCT_EINVAL;
}

void sct__pool_give(sct__pool_t *pool, void *item) {
  *(uint32_t *)item = SCT__MAGIC_FREED;
  *link_of(item) = pool->free_list;
  pool->free_list = item;
}

void sct__pool_put(sct__pool_t *pool, void *item) {
  sct__mutex_lock(&pool->mutex);
  sct__pool_give(pool, item);
  sct__mutex_unlock(&pool->mutex);
}

/*
 * Once-only initialisation and the fork protocol of the library's own
 * tables: before a fork every internal mutex is taken (always in the same
 * order), so the child never inherits one held by a thread that does not
 * exist there.
 */
#include "atomics.h"
#include "../sync/sync.h"

static sct__pool_t *const pools[] = {
    &sct__type_pool,    &sct__obj_pool,  &sct__lock_pool, &sct__process_pool,
    &sct__segment_pool, &sct__sync_pool, &sct__space_pool};
#define NPOOLS (sizeof pools / sizeof pools[0])

static void fork_prepare(void) {
  for (size_t i = 0; i < NPOOLS; i++)
    sct__mutex_lock(&pools[i]->mutex);
  sct__mutex_lock(&sct__views_mutex);
  sct__slab_fork_prepare(); /* before the heap: slab.c calls heap.c */
  sct__heap_fork_prepare();
}

static void fork_parent(void) {
  sct__heap_fork_parent();
  sct__slab_fork_parent();
  sct__mutex_unlock(&sct__views_mutex);
  for (size_t i = NPOOLS; i-- > 0;)
    sct__mutex_unlock(&pools[i]->mutex);
}

static void fork_child(void) {
  sct__lockword_setup(); /* the child registers for the barrier anew */
  sct__heap_fork_child();
  sct__slab_fork_child();
  sct__mutex_init(&sct__views_mutex);
  /* The mutex words hold the parent's identity; the child starts them
   * afresh rather than "releasing" locks it never took. */
  for (size_t i = 0; i < NPOOLS; i++)
    sct__mutex_init(&pools[i]->mutex);
}

int sct__spin_before_sleep = 1;

void sct__init(void) {
  /* 0: not started, 1: running, 2: done. Threads arriving while another
   * initialises wait for it. */
  static int state = 0;
  int expected = 0;
  if (sct__load_acquire(&state) == 2)
    return;
  if (sct__cas(&state, &expected, 1)) {
    sct__install_fork_handlers(fork_prepare, fork_parent, fork_child);
    /* Registering as a lock owner needs a descriptor: take it now, while
     * one is likely free, rather than at the first acquire. A failure
     * here is retried there (and reported by it). */
    sct__ident_t self;
    (void)sct__self_process(&self);
    sct__spin_before_sleep = sct__cpus_available() > 1;
    sct__lockword_setup();
    sct__store_release(&state, 2);
    return;
  }
  while (sct__load_acquire(&state) != 2)
    sct__cpu_relax();
}

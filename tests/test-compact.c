/*
 * Compact Values: a synchronized Value of at most 8 bytes with its own
 * RLock lives in a 32-byte slot behind a 32-byte handle (src/memory/slab.c,
 * src/objects/views.c). These tests pin what that must not change: the API,
 * the accounting, slot reuse, inheritance by children, and threads.
 */
#include "portable.h"
#include "test.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Shared bytes one new Value of @p type adds to the heap's live bytes. */
static size_t shared_bytes_of(const sct_type_t *type) {
  sct_heap_stats_t before, after;
  sct_obj_t *v;
  if (sct_heap_stats(&before) != 0 || sct_value_new(&v, type, NULL, NULL) != 0)
    return 0;
  size_t bytes =
      sct_heap_stats(&after) == 0 ? after.used_bytes - before.used_bytes : 0;
  sct_obj_free(v);
  return bytes;
}

typedef struct two_ints {
  int a, b;
} two_ints_t;

typedef struct four_ints {
  int a, b, c, d;
} four_ints_t;

/* Values of at most 8 bytes take one 32-byte slot; larger ones, and
 * Values sharing a given lock, keep a heap block. */
static void test_which_values_are_compact(void) {
  sct_type_t *pair, *quad;
  sct_field_t pf[] = {SCT_FIELD(two_ints_t, a, 'i'),
                      SCT_FIELD(two_ints_t, b, 'i')};
  sct_field_t qf[] = {
      SCT_FIELD(four_ints_t, a, 'i'), SCT_FIELD(four_ints_t, b, 'i'),
      SCT_FIELD(four_ints_t, c, 'i'), SCT_FIELD(four_ints_t, d, 'i')};
  ASSERT_OK(sct_type_new_struct(&pair, "pair", sizeof(two_ints_t),
                                _Alignof(two_ints_t), pf, 2));
  ASSERT_OK(sct_type_new_struct(&quad, "quad", sizeof(four_ints_t),
                                _Alignof(four_ints_t), qf, 4));
  const char codes[] = "cbBhHiIlLqQfd";
  for (const char *c = codes; *c; c++)
    CU_ASSERT_EQUAL(shared_bytes_of(type_of(*c)), 32);
  CU_ASSERT_EQUAL(shared_bytes_of(pair), 32);
  CU_ASSERT(shared_bytes_of(quad) >= 48);

  /* A Value given a lock is a full handle; both work alike. */
  sct_lock_t *lock;
  sct_obj_t *given, *own;
  ASSERT_OK(sct_lock_new(&lock, SCT_LOCK));
  ASSERT_OK(sct_value_new(&given, type_of('q'), &(long long){3}, lock));
  ASSERT_OK(sct_value_new(&own, type_of('q'), &(long long){4}, NULL));
  int64_t a = 0, b = 0;
  ASSERT_OK(sct_value_get_i64(given, &a));
  ASSERT_OK(sct_value_get_i64(own, &b));
  CU_ASSERT_EQUAL(a, 3);
  CU_ASSERT_EQUAL(b, 4);
  CU_ASSERT_EQUAL(sct_obj_len(own), 1);
  CU_ASSERT_EQUAL(sct_obj_is_array(own), 0);
  CU_ASSERT_PTR_EQUAL(sct_obj_type(own), type_of('q'));
  ASSERT_OK(sct_obj_free(given));
  ASSERT_OK(sct_obj_free(own));
  ASSERT_OK(sct_lock_free(lock));
  ASSERT_OK(sct_type_free(pair));
  ASSERT_OK(sct_type_free(quad));
}

/* get_lock and get_obj make their views once, and the views act on the
 * Value's own RLock and bytes. */
static void test_views(void) {
  sct_obj_t *v, *raw, *raw2;
  sct_lock_t *lock, *lock2;
  sct_lock_kind_t kind;
  unsigned count = 0;
  ASSERT_OK(sct_value_new(&v, type_of('d'), &(double){1.5}, NULL));
  ASSERT_OK(sct_obj_get_lock(v, &lock));
  ASSERT_OK(sct_obj_get_lock(v, &lock2));
  CU_ASSERT_PTR_EQUAL(lock, lock2);
  ASSERT_OK(sct_obj_get_obj(v, &raw));
  ASSERT_OK(sct_obj_get_obj(v, &raw2));
  CU_ASSERT_PTR_EQUAL(raw, raw2);
  CU_ASSERT_PTR_EQUAL(sct_obj_ptr(raw), sct_obj_ptr(v));
  CU_ASSERT_EQUAL(sct_obj_len(raw), 1);
  ASSERT_RC(sct_obj_get_lock(raw, &lock2), SCT_ENOLOCK);
  ASSERT_OK(sct_lock_kind(lock, &kind));
  CU_ASSERT_EQUAL(kind, SCT_RLOCK);
  /* The view and the Value are one lock: recursion counts across both. */
  ASSERT_OK(sct_lock_acquire(lock, 0));
  ASSERT_OK(sct_obj_acquire(v, 0));
  ASSERT_OK(sct_lock_count(lock, &count));
  CU_ASSERT_EQUAL(count, 2);
  ASSERT_OK(sct_obj_release(v));
  ASSERT_OK(sct_lock_release(lock));
  CU_ASSERT_EQUAL(sct_lock_locked(lock), 0);
  ASSERT_RC(sct_lock_free(lock), SCT_EINVAL);
  ASSERT_RC(sct_obj_free(raw), SCT_EINVAL);
  ASSERT_OK(sct_obj_free(v));
  ASSERT_RC(sct_obj_free(v), SCT_ESTATE);
  ASSERT_RC(sct_obj_acquire(v, 0), SCT_ESTATE);
}

/* Slots freed in any order are reused, every Value keeps its bytes, and
 * freeing everything gives all the memory back. */
#define SLOTTED 20000

static void test_slots_reused_and_returned(void) {
  sct_heap_stats_t before, peak, again, after;
  sct_obj_t **v = calloc(SLOTTED, sizeof *v);
  CU_ASSERT_FATAL(v != NULL);
  ASSERT_OK(sct_heap_stats(&before));
  for (long long i = 0; i < SLOTTED; i++)
    ASSERT_OK(sct_value_new(&v[i], type_of('q'), &i, NULL));
  ASSERT_OK(sct_heap_stats(&peak));
  CU_ASSERT_EQUAL(peak.used_blocks - before.used_blocks, SLOTTED);
  CU_ASSERT_EQUAL(peak.used_bytes - before.used_bytes, (size_t)SLOTTED * 32);
  /* Free half, scattered over every page (a fixed permutation). */
  for (long i = 0; i < SLOTTED; i++) {
    long j = (i * 7919) % SLOTTED;
    if (j % 2 == 0) {
      ASSERT_OK(sct_obj_free(v[j]));
      v[j] = NULL;
    }
  }
  long wrong = 0;
  for (long long i = 1; i < SLOTTED; i += 2) {
    int64_t got = -1;
    wrong += sct_value_get_i64(v[i], &got) != 0 || got != i;
  }
  CU_ASSERT_EQUAL(wrong, 0);
  /* Made again: into the freed slots, so no new memory. */
  for (long long i = 0; i < SLOTTED; i += 2)
    ASSERT_OK(sct_value_new(&v[i], type_of('q'), &(long long){-i}, NULL));
  ASSERT_OK(sct_heap_stats(&again));
  CU_ASSERT_EQUAL(again.used_bytes, peak.used_bytes);
  CU_ASSERT_EQUAL(again.mapped_bytes, peak.mapped_bytes);
  for (long long i = 0; i < SLOTTED; i++) {
    int64_t got = 0;
    wrong += sct_value_get_i64(v[i], &got) != 0 || got != (i % 2 ? i : -i);
  }
  CU_ASSERT_EQUAL(wrong, 0);
  for (long i = 0; i < SLOTTED; i++)
    ASSERT_OK(sct_obj_free(v[i]));
  ASSERT_OK(sct_heap_stats(&after));
  CU_ASSERT_EQUAL(after.used_blocks, before.used_blocks);
  CU_ASSERT_EQUAL(after.used_bytes, before.used_bytes);
  CU_ASSERT(after.mapped_bytes <= peak.mapped_bytes);
  free(v);
}

/* ---- children ---- */

#define ROUNDS 2000
#define INHERITED 3

/* Values the parent made and keeps, seen by a forked child through its
 * copy of this global (a spawned child has NULLs): the child holds the
 * last reference of its copies of the handles, so freeing them reaches
 * the slots, which must stay the parent's. */
static sct_obj_t *parent_values[INHERITED];

/* Adds ROUNDS to each Value under its lock, frees its handles and the
 * forked copies of the parent's, then makes and frees Values of its own. */
static int child_increments(const sct_args_t *args) {
  for (int k = 0; k < INHERITED; k++) {
    sct_obj_t *v;
    if (sct_args_obj(args, (size_t)k, &v) != 0)
      return 10;
    for (int r = 0; r < ROUNDS; r++) {
      int64_t x;
      if (sct_obj_acquire(v, SCT_INFINITE) != 0 ||
          sct_value_get_i64(v, &x) != 0 || sct_value_set_i64(v, x + 1) != 0 ||
          sct_obj_release(v) != 0)
        return 11;
    }
    if (sct_obj_free(v) != 0)
      return 12;
  }
  for (int k = 0; k < INHERITED; k++)
    if (parent_values[k] && sct_obj_free(parent_values[k]) != 0)
      return 15;
  static sct_obj_t *own[5000];
  for (long long i = 0; i < 5000; i++)
    if (sct_value_new(&own[i], type_of('q'), &i, NULL) != 0)
      return 13;
  for (long long i = 0; i < 5000; i++) {
    int64_t x;
    if (sct_value_get_i64(own[i], &x) != 0 || x != i ||
        sct_obj_free(own[i]) != 0)
      return 14;
  }
  return 0;
}

static int by_address(const void *a, const void *b) {
  uintptr_t x = (uintptr_t) * (void *const *)a,
            y = (uintptr_t) * (void *const *)b;
  return x < y ? -1 : x > y;
}

/* Whether the n Values' bytes are all at different places. */
static int distinct_addresses(sct_obj_t **v, long n) {
  void **at = malloc((size_t)n * sizeof *at);
  int distinct = at != NULL;
  for (long i = 0; distinct && i < n; i++)
    at[i] = sct_obj_ptr(v[i]);
  if (distinct)
    qsort(at, (size_t)n, sizeof *at, by_address);
  for (long i = 1; distinct && i < n; i++)
    distinct = at[i] != at[i - 1];
  free(at);
  return distinct;
}

/* A child shares the Values (exact counts with both incrementing) and
 * its frees never hand the parent's slots out twice. */
static void test_inherited_by_child(void) {
  sct_obj_t *v[INHERITED];
  for (long long k = 0; k < INHERITED; k++)
    ASSERT_OK(sct_value_new(&v[k], type_of('q'), &(long long){k * 100}, NULL));
  for (int k = 0; k < INHERITED; k++)
    ASSERT_OK(sct_value_new(&parent_values[k], type_of('q'), NULL, NULL));
  sct_arg_t args[INHERITED] = {SCT_AOBJ(v[0]), SCT_AOBJ(v[1]), SCT_AOBJ(v[2])};
  sct_process_t *p = start_child("compact.increments", args, INHERITED);
  CU_ASSERT_FATAL(p != NULL);
  for (int r = 0; r < ROUNDS; r++)
    for (int k = 0; k < INHERITED; k++) {
      int64_t x = 0;
      ASSERT_OK(sct_obj_acquire(v[k], SCT_INFINITE));
      ASSERT_OK(sct_value_get_i64(v[k], &x));
      ASSERT_OK(sct_value_set_i64(v[k], x + 1));
      ASSERT_OK(sct_obj_release(v[k]));
    }
  CU_ASSERT_EQUAL(finish_child(p), 0);
  for (int k = 0; k < INHERITED; k++) {
    int64_t x = -1;
    ASSERT_OK(sct_value_get_i64(v[k], &x));
    CU_ASSERT_EQUAL(x, k * 100 + 2 * ROUNDS);
  }
  /* Enough new Values to fill every page the parent has: a slot the
   * child freed into a parent's page would come out twice. */
  long n = 40000;
  sct_obj_t **more = calloc((size_t)n, sizeof *more);
  CU_ASSERT_FATAL(more != NULL);
  long made = 0;
  while (made < n && sct_value_new(&more[made], type_of('q'), NULL, NULL) == 0)
    made++;
  CU_ASSERT_EQUAL(made, n);
  CU_ASSERT(distinct_addresses(more, made));
  for (int k = 0; k < INHERITED; k++)
    for (long i = 0; i < made; i++)
      if (sct_obj_ptr(more[i]) == sct_obj_ptr(v[k]) ||
          sct_obj_ptr(more[i]) == sct_obj_ptr(parent_values[k])) {
        CU_FAIL("a live Value's slot was handed out again");
        break;
      }
  for (long i = 0; i < made; i++)
    sct_obj_free(more[i]);
  free(more);
  for (int k = 0; k < INHERITED; k++) {
    ASSERT_OK(sct_obj_free(v[k]));
    ASSERT_OK(sct_obj_free(parent_values[k]));
    parent_values[k] = NULL;
  }
}

#ifndef _WIN32
/* A Value the parent freed after forking, seen by the child through its
 * copy of this global. */
static sct_obj_t *reused_victim;

/* Waits for the parent's word, then frees its copy of reused_victim,
 * whose slot's page the parent has overwritten meanwhile. */
static int child_frees_reused(const sct_args_t *args) {
  sct_obj_t *flag;
  if (sct_args_obj(args, 0, &flag) != 0 || !wait_for_flag(flag, 1))
    return 10;
  return sct_obj_free(reused_victim) == 0 ? 0 : 11;
}

/* A forked child frees an inherited Value after the parent freed it and
 * reused its memory for an Array of 0xFF bytes: the child must decide
 * "not mine" from its own memory, never from the page's header (which
 * now reads as a wild pointer; the old code died there of SIGSEGV). */
static void test_child_frees_reused_slot(void) {
  sct_obj_t *flag, *array;
  /* The suite's earlier tests freed their Values: this one is alone in
   * its region, so freeing it gives the region back to the heap. */
  ASSERT_OK(sct_rawvalue_new(&flag, type_of('q'), NULL));
  ASSERT_OK(sct_value_new(&reused_victim, type_of('q'), NULL, NULL));
  char *old_bytes = sct_obj_ptr(reused_victim);
  sct_process_t *p = NULL;
  sct_arg_t arg = SCT_AOBJ(flag);
  ASSERT_OK(sct_process_new(&p, "compact.frees_reused", &arg, 1));
  ASSERT_OK(sct_process_set_start_method(p, SCT_START_FORK));
  ASSERT_OK(sct_process_start(p));
  ASSERT_OK(sct_obj_free(reused_victim));
  size_t n = 64 * 4096;
  ASSERT_OK(sct_rawarray_new(&array, type_of('B'), n, NULL));
  char *bytes = sct_obj_ptr(array);
  memset(bytes, 0xFF, n);
  /* The attack needs the Array over the old slot's page. */
  CU_ASSERT(old_bytes >= bytes && old_bytes < bytes + n);
  ASSERT_OK(sct_value_set_i64(flag, 1));
  CU_ASSERT_EQUAL(finish_child(p), 0);
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)bytes[i] != 0xFF) {
      CU_FAIL("the child wrote into the parent's Array");
      break;
    }
  ASSERT_OK(sct_obj_free(array));
  ASSERT_OK(sct_obj_free(flag));
}
#endif

/* ---- threads ---- */

#define PER_THREAD 20000
#define THREADS 4

typedef struct worker {
  long id;
  long wrong;
} worker_t;

static void make_check_free(void *arg) {
  worker_t *w = arg;
  sct_obj_t **v = calloc(PER_THREAD, sizeof *v);
  if (!v) {
    w->wrong = -1;
    return;
  }
  for (long long i = 0; i < PER_THREAD; i++) {
    long long x = w->id * 1000000 + i;
    w->wrong += sct_value_new(&v[i], type_of('q'), &x, NULL) != 0;
    sct_lock_t *lock;
    /* Views made while other threads make and free Values. */
    if (i % 7 == 0)
      w->wrong += sct_obj_get_lock(v[i], &lock) != 0 ||
                  sct_lock_acquire(lock, 0) != 0 || sct_lock_release(lock) != 0;
    /* Some freed at once, so pages fill and empty under contention. */
    if (i % 3 == 2) {
      w->wrong += sct_obj_free(v[i - 1]) != 0;
      v[i - 1] = NULL;
    }
  }
  for (long long i = 0; i < PER_THREAD; i++) {
    if (!v[i])
      continue;
    int64_t got = -1;
    w->wrong +=
        sct_value_get_i64(v[i], &got) != 0 || got != w->id * 1000000 + i;
    w->wrong += sct_obj_free(v[i]) != 0;
  }
  free(v);
}

static void test_threads(void) {
  sct_heap_stats_t before, after;
  worker_t w[THREADS];
  void *args[THREADS];
  ASSERT_OK(sct_heap_stats(&before));
  for (int i = 0; i < THREADS; i++) {
    w[i].id = i;
    w[i].wrong = 0;
    args[i] = &w[i];
  }
  CU_ASSERT_EQUAL_FATAL(test_threads_run(make_check_free, args, THREADS), 0);
  for (int i = 0; i < THREADS; i++)
    CU_ASSERT_EQUAL(w[i].wrong, 0);
  ASSERT_OK(sct_heap_stats(&after));
  CU_ASSERT_EQUAL(after.used_blocks, before.used_blocks);
  CU_ASSERT_EQUAL(after.used_bytes, before.used_bytes);
}

static CU_TestInfo tests[] = {
    {"which Values are compact", test_which_values_are_compact},
    {"views", test_views},
    {"slots reused and returned", test_slots_reused_and_returned},
    {"inherited by a child", test_inherited_by_child},
#ifndef _WIN32
    {"a child frees a slot the parent reused", test_child_frees_reused_slot},
#endif
    {"threads", test_threads},
    CU_TEST_INFO_NULL};

static const sct_target_t targets[] = {
    {"compact.increments", child_increments},
#ifndef _WIN32
    {"compact.frees_reused", child_frees_reused},
#endif
};

const test_suite_t suite_compact = {"compact", tests, targets,
                                    sizeof targets / sizeof targets[0], NULL};

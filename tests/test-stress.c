/*
 * Stress: 4 processes x 100,000 locked increments of one Value, repeated
 * 10 times, with an exact expected total each time.
 */
#include "test.h"

#define PROCS 4
#define ROUNDS 100000
#define REPEATS 10

/* Read-modify-write under the Value's lock (its RLock lets the locked get
 * and set inside re-enter). */
static int child_increment(const sct_args_t *args) {
  sct_obj_t *v;
  int rc;
  if (sct_args_obj(args, 0, &v) != 0)
    return 10;
  for (int i = 0; i < ROUNDS; i++) {
    int64_t x = 0;
    SCT_WITH_LOCK(v, rc) {
      if (sct_value_get_i64(v, &x) != 0 || sct_value_set_i64(v, x + 1) != 0)
        return 11;
    }
    if (rc != 0)
      return 12;
  }
  return 0;
}

static int child_atomic_add(const sct_args_t *args) {
  sct_obj_t *v;
  if (sct_args_obj(args, 0, &v) != 0)
    return 10;
  for (int i = 0; i < ROUNDS; i++)
    if (sct_value_add(v, 1, NULL) != 0)
      return 11;
  return 0;
}

static void run_contenders(const char *target, sct_obj_t *v) {
  sct_process_t *procs[PROCS];
  sct_arg_t args[] = {SCT_AOBJ(v)};
  for (int i = 0; i < PROCS; i++)
    procs[i] = start_child(target, args, 1);
  for (int i = 0; i < PROCS; i++)
    CU_ASSERT_EQUAL(finish_child(procs[i]), 0);
}

static void test_locked_increments(void) {
  for (int r = 0; r < REPEATS; r++) {
    sct_obj_t *v;
    int64_t total = -1;
    ASSERT_OK(sct_value_new(&v, type_of('q'), NULL, NULL));
    run_contenders("stress.increment", v);
    ASSERT_OK(sct_value_get_i64(v, &total));
    CU_ASSERT_EQUAL(total, (int64_t)PROCS * ROUNDS);
    ASSERT_OK(sct_obj_free(v));
  }
}

static void test_atomic_adds(void) {
  sct_obj_t *v;
  int64_t total = -1;
  ASSERT_OK(sct_rawvalue_new(&v, type_of('i'), NULL));
  run_contenders("stress.atomic", v);
  ASSERT_OK(sct_value_get_i64(v, &total));
  CU_ASSERT_EQUAL(total, (int64_t)PROCS * ROUNDS);
  ASSERT_OK(sct_obj_free(v));
}

static CU_TestInfo tests[] = {{"locked increments", test_locked_increments},
                              {"atomic adds", test_atomic_adds},
                              CU_TEST_INFO_NULL};

static const sct_target_t targets[] = {{"stress.increment", child_increment},
                                       {"stress.atomic", child_atomic_add}};

const test_suite_t suite_stress = {"stress", tests, targets, 2};

/*
 * sct_apr: status codes, pool-scoped handles, and sct under APR's own
 * process and thread model (apr_proc_fork, apr_thread_create), with real
 * processes and a real death.
 */
#include <CUnit/Basic.h>
#include <apr_general.h>
#include <apr_portable.h>
#include <apr_thread_proc.h>
#include <sct_apr.h>

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define ROUNDS 20000
#define THREADS 4

static apr_pool_t *root;

static const sct_type_t *q_type(void) {
  const sct_type_t *t = NULL;
  sct_type_from_code('q', &t);
  return t;
}

static void test_status_codes(void) {
  char buf[200];
  CU_ASSERT_EQUAL(sct_apr_status(0), APR_SUCCESS);
  CU_ASSERT(APR_STATUS_IS_TIMEUP(sct_apr_status(SCT_ETIMEDOUT)));
  CU_ASSERT(APR_STATUS_IS_ENOMEM(sct_apr_status(SCT_ENOMEM)));
  CU_ASSERT(APR_STATUS_IS_EINVAL(sct_apr_status(SCT_EINVAL)));
  CU_ASSERT(APR_STATUS_IS_EEXIST(sct_apr_status(SCT_EEXIST)));
  CU_ASSERT(APR_STATUS_IS_ENOENT(sct_apr_status(SCT_ENOENT)));
  CU_ASSERT(APR_STATUS_IS_EACCES(sct_apr_status(SCT_EACCES)));
  CU_ASSERT_EQUAL(sct_apr_status(SCT_EOWNERDEAD), APR_OS_START_USERERR + 7309);
  /* Every sct code comes back as itself, SCT_EOS when no OS error. */
  for (int code = -1; code >= SCT_ETOOSMALL; code--) {
    apr_status_t st = sct_apr_status(code);
    CU_ASSERT_NOT_EQUAL(st, APR_SUCCESS);
    if (code != SCT_EOS)
      CU_ASSERT_EQUAL(sct_apr_to_sct(st), code);
  }
  CU_ASSERT_EQUAL(sct_apr_to_sct(APR_SUCCESS), 0);
  CU_ASSERT_EQUAL(sct_apr_to_sct(APR_EGENERAL), SCT_EOS);
  sct_apr_strerror(sct_apr_status(SCT_EOWNERDEAD), buf, sizeof buf);
  CU_ASSERT(strstr(buf, "SCT_EOWNERDEAD") != NULL);
  sct_apr_strerror(sct_apr_status(SCT_EBROKEN), buf, sizeof buf);
  CU_ASSERT(strstr(buf, "SCT_EBROKEN") != NULL);
  sct_apr_strerror(APR_TIMEUP, buf, sizeof buf);
  CU_ASSERT(strstr(buf, "SCT_") == NULL); /* APR's own text */
}

static void test_pool_scope(void) {
  apr_pool_t *pool;
  sct_obj_t *v;
  sct_lock_t *lock;
  sct_queue_t *queue;
  CU_ASSERT_EQUAL_FATAL(apr_pool_create(&pool, root), APR_SUCCESS);
  CU_ASSERT_EQUAL(sct_apr_lock_new(&lock, pool, SCT_RLOCK), APR_SUCCESS);
  CU_ASSERT_EQUAL(sct_apr_value_new(&v, pool, q_type(), NULL, lock),
                  APR_SUCCESS);
  CU_ASSERT_EQUAL(sct_queue_new(&queue, q_type(), 4, 0), 0);
  CU_ASSERT_EQUAL(sct_apr_queue_register(pool, queue), APR_SUCCESS);
  CU_ASSERT(APR_STATUS_IS_EINVAL(sct_apr_obj_register(NULL, v)));
  CU_ASSERT(APR_STATUS_IS_EINVAL(sct_apr_obj_register(pool, NULL)));
  CU_ASSERT(
      APR_STATUS_IS_EINVAL(sct_apr_value_new(&v, pool, NULL, NULL, NULL)));
  CU_ASSERT_EQUAL(sct_value_set_i64(v, 5), 0);
  apr_pool_destroy(pool);
  /* Gone with the pool: a second free says they were freed. */
  CU_ASSERT_EQUAL(sct_obj_free(v), SCT_ESTATE);
  CU_ASSERT_EQUAL(sct_lock_free(lock), SCT_ESTATE);
  CU_ASSERT_EQUAL(sct_queue_free(queue), SCT_ESTATE);
}

/* Locked increments, in whichever process or thread runs them. */
static int increments(sct_obj_t *v) {
  for (int i = 0; i < ROUNDS; i++) {
    int64_t x;
    if (sct_obj_acquire(v, SCT_INFINITE) != 0)
      return 1;
    x = *(int64_t *)sct_obj_ptr(v);
    *(int64_t *)sct_obj_ptr(v) = x + 1;
    if (sct_obj_release(v) != 0)
      return 2;
  }
  return 0;
}

static void test_apr_proc_fork(void) {
  apr_pool_t *pool;
  sct_obj_t *v;
  apr_proc_t child;
  int code = -1;
  apr_exit_why_e why;
  CU_ASSERT_EQUAL_FATAL(apr_pool_create(&pool, root), APR_SUCCESS);
  CU_ASSERT_EQUAL_FATAL(sct_apr_value_new(&v, pool, q_type(), NULL, NULL),
                        APR_SUCCESS);
  apr_status_t st = apr_proc_fork(&child, pool);
  if (st == APR_INCHILD)
    _exit(increments(v));
  CU_ASSERT_EQUAL_FATAL(st, APR_INPARENT);
  CU_ASSERT_EQUAL(increments(v), 0);
  CU_ASSERT_EQUAL(apr_proc_wait(&child, &code, &why, APR_WAIT), APR_CHILD_DONE);
  CU_ASSERT_EQUAL(code, 0);
  int64_t total = -1;
  CU_ASSERT_EQUAL(sct_value_get_i64(v, &total), 0);
  CU_ASSERT_EQUAL(total, 2 * ROUNDS);
  apr_pool_destroy(pool);
}

/* Locked increments of one Value, atomic ones of another: the two must
 * not be mixed on one Value (a locked read-modify-write does not exclude
 * an atomic add made without the lock). */
typedef struct thread_job {
  sct_obj_t *locked;
  sct_obj_t *atomic;
} thread_job_t;

static void *APR_THREAD_FUNC thread_body(apr_thread_t *t, void *data) {
  thread_job_t *job = data;
  sct_counter_t counter;
  int rc = increments(job->locked);
  if (rc == 0 && (rc = sct_value_counter(job->atomic, &counter)) == 0)
    for (int i = 0; i < ROUNDS; i++)
      sct_counter_add(counter, 1);
  apr_thread_exit(t, rc == 0 ? APR_SUCCESS : APR_EGENERAL);
  return NULL;
}

static void test_apr_threads(void) {
  apr_pool_t *pool;
  thread_job_t job;
  apr_thread_t *threads[THREADS];
  CU_ASSERT_EQUAL_FATAL(apr_pool_create(&pool, root), APR_SUCCESS);
  CU_ASSERT_EQUAL_FATAL(
      sct_apr_value_new(&job.locked, pool, q_type(), NULL, NULL), APR_SUCCESS);
  CU_ASSERT_EQUAL_FATAL(
      sct_apr_value_new(&job.atomic, pool, q_type(), NULL, NULL), APR_SUCCESS);
  for (int i = 0; i < THREADS; i++)
    CU_ASSERT_EQUAL_FATAL(
        apr_thread_create(&threads[i], NULL, thread_body, &job, pool),
        APR_SUCCESS);
  for (int i = 0; i < THREADS; i++) {
    apr_status_t rc = APR_EGENERAL;
    CU_ASSERT_EQUAL(apr_thread_join(&rc, threads[i]), APR_SUCCESS);
    CU_ASSERT_EQUAL(rc, APR_SUCCESS);
  }
  int64_t locked = -1, atomic = -1;
  CU_ASSERT_EQUAL(sct_value_get_i64(job.locked, &locked), 0);
  CU_ASSERT_EQUAL(sct_value_get_i64(job.atomic, &atomic), 0);
  CU_ASSERT_EQUAL(locked, (int64_t)THREADS * ROUNDS);
  CU_ASSERT_EQUAL(atomic, (int64_t)THREADS * ROUNDS);
  apr_pool_destroy(pool);
}

/* A child from apr_proc_fork dies holding a pool-scoped lock: the parent
 * is told, in APR's terms too. */
static void test_owner_death(void) {
  apr_pool_t *pool;
  sct_lock_t *lock;
  sct_obj_t *held;
  apr_proc_t child;
  int code = 0;
  apr_exit_why_e why;
  char buf[200];
  CU_ASSERT_EQUAL_FATAL(apr_pool_create(&pool, root), APR_SUCCESS);
  CU_ASSERT_EQUAL_FATAL(sct_apr_lock_new(&lock, pool, SCT_LOCK), APR_SUCCESS);
  CU_ASSERT_EQUAL_FATAL(sct_apr_value_new(&held, pool, q_type(), NULL, NULL),
                        APR_SUCCESS);
  apr_status_t st = apr_proc_fork(&child, pool);
  if (st == APR_INCHILD) {
    if (sct_lock_acquire(lock, SCT_INFINITE) == 0)
      sct_value_set_i64(held, 1);
    for (;;)
      pause();
  }
  for (int i = 0; i < 10000; i++) {
    int64_t v = 0;
    sct_value_get_i64(held, &v);
    if (v == 1)
      break;
    apr_sleep(1000);
  }
  CU_ASSERT_EQUAL(apr_proc_kill(&child, SIGKILL), APR_SUCCESS);
  apr_proc_wait(&child, &code, &why, APR_WAIT);
  CU_ASSERT_EQUAL(why, APR_PROC_SIGNAL);
  st = sct_apr_status(sct_lock_acquire(lock, 10000));
  CU_ASSERT_EQUAL(sct_apr_to_sct(st), SCT_EOWNERDEAD);
  sct_apr_strerror(st, buf, sizeof buf);
  CU_ASSERT(strstr(buf, "SCT_EOWNERDEAD") != NULL);
  CU_ASSERT_EQUAL(sct_lock_release(lock), 0);
  apr_pool_destroy(pool);
}

int main(int argc, char **argv) {
  if (sct_main(argc, argv, NULL, 0) != 0 || apr_initialize() != APR_SUCCESS ||
      apr_pool_create(&root, NULL) != APR_SUCCESS)
    return 2;
  if (CU_initialize_registry() != CUE_SUCCESS)
    return 2;
  CU_pSuite suite = CU_add_suite("apr", NULL, NULL);
  CU_add_test(suite, "status codes", test_status_codes);
  CU_add_test(suite, "pool scope", test_pool_scope);
  CU_add_test(suite, "apr_proc_fork", test_apr_proc_fork);
  CU_add_test(suite, "apr threads", test_apr_threads);
  CU_add_test(suite, "owner death", test_owner_death);
  CU_basic_set_mode(CU_BRM_VERBOSE);
  CU_basic_run_tests();
  unsigned failures = CU_get_number_of_failure_records();
  unsigned ran = CU_get_number_of_tests_run();
  CU_cleanup_registry();
  apr_pool_destroy(root);
  apr_terminate();
  return failures == 0 && ran == 5 ? 0 : 1;
}

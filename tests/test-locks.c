/* Lock and RLock: ownership rules, timeouts, threads and processes. */
#define _GNU_SOURCE
#include "test.h"

static void test_bad_inputs(void) {
  sct_lock_t *lock;
  unsigned count;
  long pid;
  sct_lock_kind_t kind;
  ASSERT_RC(sct_lock_new(NULL, SCT_LOCK), SCT_EINVAL);
  ASSERT_RC(sct_lock_new(&lock, (sct_lock_kind_t)7), SCT_EINVAL);
  ASSERT_RC(sct_lock_acquire(NULL, 0), SCT_EINVAL);
  ASSERT_RC(sct_lock_release(NULL), SCT_EINVAL);
  ASSERT_RC(sct_lock_free(NULL), SCT_EINVAL);
  ASSERT_OK(sct_lock_new(&lock, SCT_LOCK));
  ASSERT_RC(sct_lock_count(lock, NULL), SCT_EINVAL);
  ASSERT_RC(sct_lock_owner(lock, NULL), SCT_EINVAL);
  ASSERT_RC(sct_lock_kind(lock, NULL), SCT_EINVAL);
  ASSERT_RC(sct_lock_count(NULL, &count), SCT_EINVAL);
  ASSERT_RC(sct_lock_owner(NULL, &pid), SCT_EINVAL);
  ASSERT_RC(sct_lock_kind(NULL, &kind), SCT_EINVAL);
  ASSERT_OK(sct_lock_free(lock));
}

static void test_lock_basics(void) {
  sct_lock_t *lock;
  long owner = -1;
  unsigned count = 9;
  ASSERT_OK(sct_lock_new(&lock, SCT_LOCK));
  ASSERT_RC(sct_lock_release(lock), SCT_ENOTHELD);
  ASSERT_OK(sct_lock_owner(lock, &owner));
  CU_ASSERT_EQUAL(owner, 0);
  ASSERT_OK(sct_lock_acquire(lock, SCT_INFINITE));
  ASSERT_OK(sct_lock_owner(lock, &owner));
  CU_ASSERT_EQUAL(owner, test_pid());
  ASSERT_OK(sct_lock_count(lock, &count));
  CU_ASSERT_EQUAL(count, 1);
  /* Not recursive: a second acquire waits, here until its timeout. */
  ASSERT_RC(sct_lock_acquire(lock, 0), SCT_ETIMEDOUT);
  ASSERT_RC(sct_lock_acquire(lock, 30), SCT_ETIMEDOUT);
  ASSERT_OK(sct_lock_release(lock));
  ASSERT_RC(sct_lock_release(lock), SCT_ENOTHELD);
  ASSERT_OK(sct_lock_acquire(lock, 0));
  ASSERT_OK(sct_lock_release(lock));
  ASSERT_OK(sct_lock_free(lock));
}

static void test_rlock_recursion(void) {
  sct_lock_t *lock;
  unsigned count = 0;
  long owner = 0;
  ASSERT_OK(sct_lock_new(&lock, SCT_RLOCK));
  for (int i = 0; i < 3; i++)
    ASSERT_OK(sct_lock_acquire(lock, 0));
  ASSERT_OK(sct_lock_count(lock, &count));
  CU_ASSERT_EQUAL(count, 3);
  ASSERT_OK(sct_lock_owner(lock, &owner));
  CU_ASSERT_EQUAL(owner, test_tid());
  for (int i = 0; i < 3; i++)
    ASSERT_OK(sct_lock_release(lock));
  ASSERT_RC(sct_lock_release(lock), SCT_ENOTHELD);
  ASSERT_OK(sct_lock_count(lock, &count));
  CU_ASSERT_EQUAL(count, 0);
  ASSERT_OK(sct_lock_free(lock));
}

typedef struct thread_job {
  sct_lock_t *lock;
  int release_rc;
  int acquire_rc;
} thread_job_t;

static void other_thread(void *arg) {
  thread_job_t *job = arg;
  job->acquire_rc = sct_lock_acquire(job->lock, 0);
  job->release_rc = sct_lock_release(job->lock);
}

/* Another thread cannot take or release an RLock we own, but may release
 * a Lock (as in Python). */
static void test_thread_ownership(void) {
  thread_job_t job = {NULL, 0, 0};
  ASSERT_OK(sct_lock_new(&job.lock, SCT_RLOCK));
  ASSERT_OK(sct_lock_acquire(job.lock, 0));
  CU_ASSERT_EQUAL(test_thread_run(other_thread, &job), 0);
  ASSERT_RC(job.acquire_rc, SCT_ETIMEDOUT);
  ASSERT_RC(job.release_rc, SCT_ENOTHELD);
  ASSERT_OK(sct_lock_release(job.lock));
  ASSERT_OK(sct_lock_free(job.lock));

  ASSERT_OK(sct_lock_new(&job.lock, SCT_LOCK));
  ASSERT_OK(sct_lock_acquire(job.lock, 0));
  CU_ASSERT_EQUAL(test_thread_run(other_thread, &job), 0);
  ASSERT_RC(job.acquire_rc, SCT_ETIMEDOUT);
  ASSERT_OK(job.release_rc);
  ASSERT_RC(sct_lock_release(job.lock), SCT_ENOTHELD);
  ASSERT_OK(sct_lock_free(job.lock));
}

/* In a child: the parent's held lock cannot be taken, but a Lock may be
 * released by this other process. */
static int child_release_parents_lock(const sct_args_t *args) {
  sct_lock_t *lock;
  if (sct_args_lock(args, 0, &lock) != 0)
    return 10;
  if (sct_lock_acquire(lock, 0) != SCT_ETIMEDOUT)
    return 11;
  if (sct_lock_acquire(lock, 20) != SCT_ETIMEDOUT)
    return 12;
  return sct_lock_release(lock) == 0 ? 0 : 13;
}

static int child_release_parents_rlock(const sct_args_t *args) {
  sct_lock_t *lock;
  if (sct_args_lock(args, 0, &lock) != 0)
    return 10;
  if (sct_lock_acquire(lock, 0) != SCT_ETIMEDOUT)
    return 11;
  return sct_lock_release(lock) == SCT_ENOTHELD ? 0 : 12;
}

static void test_across_processes(void) {
  sct_lock_t *lock, *rlock;
  ASSERT_OK(sct_lock_new(&lock, SCT_LOCK));
  ASSERT_OK(sct_lock_new(&rlock, SCT_RLOCK));
  ASSERT_OK(sct_lock_acquire(lock, 0));
  ASSERT_OK(sct_lock_acquire(rlock, 0));
  sct_arg_t a1[] = {SCT_ALOCK(lock)}, a2[] = {SCT_ALOCK(rlock)};
  CU_ASSERT_EQUAL(run_child("locks.release_lock", a1, 1), 0);
  CU_ASSERT_EQUAL(run_child("locks.release_rlock", a2, 1), 0);
  ASSERT_OK(sct_lock_acquire(lock, 0)); /* the child released it */
  ASSERT_OK(sct_lock_release(lock));
  ASSERT_OK(sct_lock_release(rlock));
  ASSERT_OK(sct_lock_free(lock));
  ASSERT_OK(sct_lock_free(rlock));
}

/* A child blocks on the lock and proceeds once the parent releases it. */
static int child_blocks(const sct_args_t *args) {
  sct_lock_t *lock;
  sct_obj_t *flag;
  if (sct_args_lock(args, 0, &lock) != 0 || sct_args_obj(args, 1, &flag) != 0)
    return 10;
  sct_value_set_i64(flag, 1);
  if (sct_lock_acquire(lock, SCT_INFINITE) != 0)
    return 11;
  sct_value_set_i64(flag, 2);
  return sct_lock_release(lock) == 0 ? 0 : 12;
}

static void test_blocked_waiter_wakes(void) {
  sct_lock_t *lock;
  sct_obj_t *flag;
  ASSERT_OK(sct_lock_new(&lock, SCT_LOCK));
  ASSERT_OK(sct_rawvalue_new(&flag, type_of('q'), NULL));
  ASSERT_OK(sct_lock_acquire(lock, 0));
  sct_arg_t args[] = {SCT_ALOCK(lock), SCT_AOBJ(flag)};
  sct_process_t *p = start_child("locks.blocks", args, 2);
  CU_ASSERT(wait_for_flag(flag, 1));
  sleep_ms(50);
  int64_t v = 0;
  ASSERT_OK(sct_value_get_i64(flag, &v));
  CU_ASSERT_EQUAL(v, 1); /* still blocked */
  ASSERT_OK(sct_lock_release(lock));
  CU_ASSERT_EQUAL(finish_child(p), 0);
  ASSERT_OK(sct_value_get_i64(flag, &v));
  CU_ASSERT_EQUAL(v, 2);
  ASSERT_OK(sct_lock_free(lock));
  ASSERT_OK(sct_obj_free(flag));
}

#define THREADS 4
#define ROUNDS 100000

typedef struct counter_job {
  sct_obj_t *value;
  int failures;
} counter_job_t;

static void count_thread(void *arg) {
  counter_job_t *job = arg;
  for (int i = 0; i < ROUNDS; i++) {
    if (sct_obj_acquire(job->value, SCT_INFINITE) != 0) {
      job->failures++;
      continue;
    }
    (*(long long *)sct_obj_ptr(job->value))++;
    if (sct_obj_release(job->value) != 0)
      job->failures++;
  }
}

/* Threads of one process share an object and its lock. */
static void test_threads_share_a_value(void) {
  const char kinds[2] = {SCT_LOCK, SCT_RLOCK};
  for (int k = 0; k < 2; k++) {
    sct_lock_t *lock;
    counter_job_t jobs[THREADS];
    void *args[THREADS];
    sct_obj_t *value;
    ASSERT_OK(sct_lock_new(&lock, (sct_lock_kind_t)kinds[k]));
    ASSERT_OK(sct_value_new(&value, type_of('q'), NULL, lock));
    for (int i = 0; i < THREADS; i++) {
      jobs[i].value = value;
      jobs[i].failures = 0;
      args[i] = &jobs[i];
    }
    CU_ASSERT_EQUAL(test_threads_run(count_thread, args, THREADS), 0);
    for (int i = 0; i < THREADS; i++)
      CU_ASSERT_EQUAL(jobs[i].failures, 0);
    int64_t total = 0;
    ASSERT_OK(sct_value_get_i64(value, &total));
    CU_ASSERT_EQUAL(total, (int64_t)THREADS * ROUNDS);
    ASSERT_OK(sct_obj_free(value));
    ASSERT_OK(sct_lock_free(lock));
  }
}

/* locked() and a scoped block on a bare lock, of each kind. */
static void test_locked_and_scoped_block(void) {
  const sct_lock_kind_t kinds[] = {SCT_LOCK, SCT_RLOCK};
  for (size_t k = 0; k < 2; k++) {
    sct_lock_t *lock;
    int rc = -100, ran = 0;
    ASSERT_OK(sct_lock_new(&lock, kinds[k]));
    CU_ASSERT_EQUAL(sct_lock_locked(lock), 0);
    SCT_WITH_LOCK(lock, rc) {
      ran = 1;
      CU_ASSERT_EQUAL(sct_lock_locked(lock), 1);
    }
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_EQUAL(ran, 1);
    CU_ASSERT_EQUAL(sct_lock_locked(lock), 0);
    ASSERT_OK(sct_lock_free(lock));
    /* A freed lock: the body is skipped and rc says why. */
    ran = 0;
    SCT_WITH_LOCK(lock, rc) { ran = 1; }
    CU_ASSERT_EQUAL(rc, SCT_ESTATE);
    CU_ASSERT_EQUAL(ran, 0);
    CU_ASSERT_EQUAL(sct_lock_locked(lock), SCT_ESTATE);
  }
  CU_ASSERT_EQUAL(sct_lock_locked(NULL), SCT_EINVAL);
}

/* A timeout is a minimum wait, however the clock ticks: every timed-out
 * acquire lasted at least its timeout. (Lower bounds only: a loaded
 * machine makes waits longer, never shorter.) */
static void test_timeout_is_a_minimum(void) {
  sct_lock_t *lock;
  int short_waits = 0;
  ASSERT_OK(sct_lock_new(&lock, SCT_LOCK));
  ASSERT_OK(sct_lock_acquire(lock, 0));
  for (int round = 0; round < 40; round++) {
    int timeout = 1 + round % 5;
    int64_t start = test_now_ns();
    ASSERT_RC(sct_lock_acquire(lock, timeout), SCT_ETIMEDOUT);
    if (test_now_ns() - start < (int64_t)timeout * 1000000)
      short_waits++;
  }
  CU_ASSERT_EQUAL(short_waits, 0);
  ASSERT_OK(sct_lock_release(lock));
  ASSERT_OK(sct_lock_free(lock));
}

/* Negative timeouts other than SCT_INFINITE mean "do not wait", as in
 * Python's multiprocessing (Lock.acquire, Process.join). */
static void test_negative_timeouts(void) {
  sct_lock_t *lock;
  ASSERT_OK(sct_lock_new(&lock, SCT_LOCK));
  ASSERT_OK(sct_lock_acquire(lock, -7)); /* free: taken */
  ASSERT_RC(sct_lock_acquire(lock, -2), SCT_ETIMEDOUT);
  ASSERT_RC(sct_lock_acquire(lock, -1000000), SCT_ETIMEDOUT);
  ASSERT_OK(sct_lock_release(lock));
  ASSERT_OK(sct_lock_free(lock));
}

static CU_TestInfo tests[] = {
    {"timeout is a minimum", test_timeout_is_a_minimum},
    {"negative timeouts", test_negative_timeouts},
    {"bad inputs", test_bad_inputs},
    {"locked() and scoped block", test_locked_and_scoped_block},
    {"lock basics", test_lock_basics},
    {"rlock recursion", test_rlock_recursion},
    {"thread ownership", test_thread_ownership},
    {"across processes", test_across_processes},
    {"blocked waiter wakes", test_blocked_waiter_wakes},
    {"threads share a value", test_threads_share_a_value},
    CU_TEST_INFO_NULL};

static const sct_target_t targets[] = {
    {"locks.release_lock", child_release_parents_lock},
    {"locks.release_rlock", child_release_parents_rlock},
    {"locks.blocks", child_blocks}};

const test_suite_t suite_locks = {"locks", tests, targets, 3, NULL};

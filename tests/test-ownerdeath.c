/*
 * Owner death: a process (or thread) that dies holding a Lock or RLock is
 * reported to the next acquirer, and to a waiter blocked at the time, as
 * SCT_EOWNERDEAD with the lock held. The holders are real processes
 * killed with SIGKILL.
 */
#define _GNU_SOURCE
#include "test.h"

#define RC_OWNERDEAD 20

/* Takes the lock, says so, and waits to be killed. The flag's high bits
 * carry the id the lock should report as its owner: the process for a
 * Lock, the thread for an RLock. */
static int child_hold_forever(const sct_args_t *args) {
  sct_lock_t *lock;
  sct_obj_t *flag;
  sct_lock_kind_t kind;
  if (sct_args_lock(args, 0, &lock) != 0 || sct_args_obj(args, 1, &flag) != 0 ||
      sct_lock_kind(lock, &kind) != 0)
    return 10;
  if (sct_lock_acquire(lock, SCT_INFINITE) != 0)
    return 11;
  long me = kind == SCT_RLOCK ? test_tid() : test_pid();
  sct_value_add(flag, ((int64_t)me << 8) | 1, NULL);
  sleep_forever();
}

/* Says it is about to block, blocks, and reports what acquire returned. */
static int child_wait_for_lock(const sct_args_t *args) {
  sct_lock_t *lock;
  sct_obj_t *flag;
  if (sct_args_lock(args, 0, &lock) != 0 || sct_args_obj(args, 1, &flag) != 0)
    return 10;
  sct_value_add(flag, 1, NULL);
  int rc = sct_lock_acquire(lock, SCT_INFINITE);
  if (rc != SCT_EOWNERDEAD)
    return 12;
  return sct_lock_release(lock) == 0 ? RC_OWNERDEAD : 13;
}

/* Starts a holder child and waits until it holds @p lock. */
static sct_process_t *start_holder(sct_lock_t *lock, sct_obj_t *flag) {
  sct_arg_t args[] = {SCT_ALOCK(lock), SCT_AOBJ(flag)};
  sct_process_t *p = start_child("death.hold", args, 2);
  CU_ASSERT_FATAL(p != NULL);
  int64_t seen = 0;
  for (int i = 0; i < 10000 && (seen & 0xff) == 0; i++) {
    sleep_ms(1);
    sct_value_get_i64(flag, &seen);
  }
  CU_ASSERT_EQUAL(seen & 0xff, 1);
  return p;
}

/* The owner id the holder reported through @p flag. */
static long holder_id(sct_obj_t *flag) {
  int64_t seen = 0;
  sct_value_get_i64(flag, &seen);
  return (long)(seen >> 8);
}

static void next_acquirer_told(sct_lock_kind_t kind, int timeout_ms) {
  sct_lock_t *lock;
  sct_obj_t *flag;
  long owner = 0;
  unsigned count = 0;
  ASSERT_OK(sct_lock_new(&lock, kind));
  ASSERT_OK(sct_rawvalue_new(&flag, type_of('q'), NULL));
  sct_process_t *holder = start_holder(lock, flag);
  long holder_pid = holder_id(flag);
  ASSERT_OK(sct_lock_owner(lock, &owner));
  CU_ASSERT_EQUAL(owner, holder_pid);
  if (kind == SCT_LOCK) {
    long pid = 0;
    ASSERT_OK(sct_process_pid(holder, &pid));
    CU_ASSERT_EQUAL(owner, pid);
  }
  ASSERT_OK(sct_process_kill(holder));
  /* Not joined yet: a zombie holds nothing either. */
  if (timeout_ms == 0) {
    int rc;
    /* A try reports a dead owner once the kill has landed. */
    while ((rc = sct_lock_acquire(lock, 0)) == SCT_ETIMEDOUT)
      sleep_ms(1);
    ASSERT_RC(rc, SCT_EOWNERDEAD);
  } else {
    ASSERT_RC(sct_lock_acquire(lock, timeout_ms), SCT_EOWNERDEAD);
  }
  ASSERT_OK(sct_lock_count(lock, &count));
  CU_ASSERT_EQUAL(count, 1);
  ASSERT_OK(sct_lock_owner(lock, &owner));
  CU_ASSERT_NOT_EQUAL(owner, holder_pid);
  /* The lock is held and works as usual afterwards. */
  ASSERT_OK(sct_lock_release(lock));
  ASSERT_OK(sct_lock_acquire(lock, 0));
  ASSERT_OK(sct_lock_release(lock));
  CU_ASSERT_EQUAL(finish_child(holder), -SIGKILL);
  ASSERT_OK(sct_lock_free(lock));
  ASSERT_OK(sct_obj_free(flag));
}

static void test_lock_next_acquirer(void) {
  next_acquirer_told(SCT_LOCK, SCT_INFINITE);
}
static void test_rlock_next_acquirer(void) {
  next_acquirer_told(SCT_RLOCK, SCT_INFINITE);
}
static void test_lock_try_acquirer(void) {
  next_acquirer_told(SCT_LOCK, 0);
}
static void test_rlock_timed_acquirer(void) {
  next_acquirer_told(SCT_RLOCK, 5000);
}

/* A waiter (another child) already blocked when the holder dies wakes
 * up with SCT_EOWNERDEAD and the lock. */
static void blocked_waiter_told(sct_lock_kind_t kind) {
  sct_lock_t *lock;
  sct_obj_t *flag, *waiting;
  ASSERT_OK(sct_lock_new(&lock, kind));
  ASSERT_OK(sct_rawvalue_new(&flag, type_of('q'), NULL));
  ASSERT_OK(sct_rawvalue_new(&waiting, type_of('q'), NULL));
  sct_process_t *holder = start_holder(lock, flag);
  sct_arg_t args[] = {SCT_ALOCK(lock), SCT_AOBJ(waiting)};
  sct_process_t *waiter = start_child("death.wait", args, 2);
  CU_ASSERT(wait_for_flag(waiting, 1));
  sleep_ms(30); /* let it reach the futex */
  ASSERT_OK(sct_process_kill(holder));
  ASSERT_OK(sct_process_join(waiter, 10000));
  int code = -1;
  ASSERT_OK(sct_process_exitcode(waiter, &code));
  CU_ASSERT_EQUAL(code, RC_OWNERDEAD);
  sct_process_free(waiter);
  CU_ASSERT_EQUAL(finish_child(holder), -SIGKILL);
  ASSERT_OK(sct_lock_acquire(lock, 0));
  ASSERT_OK(sct_lock_release(lock));
  ASSERT_OK(sct_lock_free(lock));
  ASSERT_OK(sct_obj_free(flag));
  ASSERT_OK(sct_obj_free(waiting));
}

static void test_lock_blocked_waiter(void) {
  blocked_waiter_told(SCT_LOCK);
}
static void test_rlock_blocked_waiter(void) {
  blocked_waiter_told(SCT_RLOCK);
}

/* A synchronized Value whose own lock's holder died: the locked set still
 * happens and reports SCT_EOWNERDEAD so the caller can check the data. */
static int child_hold_value(const sct_args_t *args) {
  sct_obj_t *value, *flag;
  if (sct_args_obj(args, 0, &value) != 0 || sct_args_obj(args, 1, &flag) != 0)
    return 10;
  if (sct_obj_acquire(value, SCT_INFINITE) != 0)
    return 11;
  sct_value_add(flag, 1, NULL);
  sleep_forever();
}

static void test_synchronized_value(void) {
  sct_obj_t *value, *flag;
  ASSERT_OK(sct_value_new(&value, type_of('i'), &(int){1}, NULL));
  ASSERT_OK(sct_rawvalue_new(&flag, type_of('q'), NULL));
  sct_arg_t args[] = {SCT_AOBJ(value), SCT_AOBJ(flag)};
  sct_process_t *p = start_child("death.hold_value", args, 2);
  CU_ASSERT(wait_for_flag(flag, 1));
  ASSERT_OK(sct_process_kill(p));
  CU_ASSERT_EQUAL(finish_child(p), -SIGKILL);
  ASSERT_RC(sct_value_set_i64(value, 2), SCT_EOWNERDEAD);
  int64_t v = 0;
  ASSERT_OK(sct_value_get_i64(value, &v));
  CU_ASSERT_EQUAL(v, 2);
  ASSERT_OK(sct_obj_free(value));
  ASSERT_OK(sct_obj_free(flag));
}

static void hold_and_exit(void *arg) {
  sct_lock_acquire(arg, SCT_INFINITE);
}

/* An RLock belongs to a thread: a thread that ends holding it is dead. */
static void test_rlock_thread_death(void) {
  sct_lock_t *lock;
  ASSERT_OK(sct_lock_new(&lock, SCT_RLOCK));
  CU_ASSERT_EQUAL(test_thread_run(hold_and_exit, lock), 0);
  ASSERT_RC(sct_lock_acquire(lock, SCT_INFINITE), SCT_EOWNERDEAD);
  ASSERT_OK(sct_lock_release(lock));
  ASSERT_OK(sct_lock_free(lock));
}

/* A live holder is never mistaken for a dead one. */
static void test_live_holder_not_dead(void) {
  sct_lock_t *lock;
  sct_obj_t *flag;
  ASSERT_OK(sct_lock_new(&lock, SCT_LOCK));
  ASSERT_OK(sct_rawvalue_new(&flag, type_of('q'), NULL));
  sct_process_t *holder = start_holder(lock, flag);
  ASSERT_RC(sct_lock_acquire(lock, 100), SCT_ETIMEDOUT);
  ASSERT_RC(sct_lock_acquire(lock, 0), SCT_ETIMEDOUT);
  ASSERT_OK(sct_process_kill(holder));
  CU_ASSERT_EQUAL(finish_child(holder), -SIGKILL);
  ASSERT_RC(sct_lock_acquire(lock, 0), SCT_EOWNERDEAD);
  ASSERT_OK(sct_lock_release(lock));
  ASSERT_OK(sct_lock_free(lock));
  ASSERT_OK(sct_obj_free(flag));
}

/* ---- many waiters, and the watcher among them killed ---- */

#define QUEUED 12
enum { ARRIVED, REPORTS, REPORTER, NORMAL, SLOTS };

/* Counts its arrival and blocks. Told of a death: the first such waiter
 * says which it is and holds on, to be killed in its turn; the second
 * releases. The others just take the lock and release it. */
static int child_queue_up(const sct_args_t *args) {
  sct_lock_t *lock;
  sct_obj_t *counts;
  int64_t index, n = 0;
  if (sct_args_lock(args, 0, &lock) != 0 || sct_args_obj(args, 1, &counts) != 0 ||
      sct_args_int(args, 2, &index) != 0)
    return 10;
  sct_array_add(counts, ARRIVED, 1, NULL);
  int rc = sct_lock_acquire(lock, SCT_INFINITE);
  if (rc == SCT_EOWNERDEAD) {
    sct_array_add(counts, REPORTS, 1, &n);
    if (n == 0) {
      sct_array_set_i64(counts, REPORTER, index);
      sleep_forever();
    }
  } else if (rc == 0) {
    sct_array_add(counts, NORMAL, 1, NULL);
  } else {
    return 12;
  }
  return sct_lock_release(lock) == 0 ? 0 : 13;
}

static int64_t count_of(sct_obj_t *counts, size_t i) {
  int64_t v = -1;
  sct_array_get_i64(counts, i, &v);
  return v;
}

static int wait_count(sct_obj_t *counts, size_t i, int64_t want) {
  for (int t = 0; t < 20000 && count_of(counts, i) < want; t++)
    sleep_ms(1);
  return count_of(counts, i) == want;
}

/*
 * Thirteen waiters blocked on one Lock. The first to sleep watches the
 * owner for the others (lockword.c); it is killed, then the holder: the
 * others still learn of the death (a waiter takes the silent watcher's
 * role over), exactly one of them as SCT_EOWNERDEAD. That one is killed
 * holding the lock in its turn, and again exactly one other is told.
 * Every other waiter gets the lock once, normally.
 */
static void test_many_waiters_watcher_killed(void) {
  sct_lock_t *lock;
  sct_obj_t *flag, *counts;
  sct_process_t *waiters[QUEUED + 1];
  ASSERT_OK(sct_lock_new(&lock, SCT_LOCK));
  ASSERT_OK(sct_rawvalue_new(&flag, type_of('q'), NULL));
  ASSERT_OK(sct_rawarray_new(&counts, type_of('q'), SLOTS, NULL));
  sct_process_t *holder = start_holder(lock, flag);
  for (int i = 0; i <= QUEUED; i++) {
    sct_arg_t args[] = {SCT_ALOCK(lock), SCT_AOBJ(counts), SCT_AINT(i)};
    waiters[i] = start_child("death.queue_up", args, 3);
    CU_ASSERT_FATAL(waiters[i] != NULL);
    CU_ASSERT_FATAL(wait_count(counts, ARRIVED, i + 1));
    if (i == 0)
      sleep_ms(100); /* asleep first: the watcher */
  }
  sleep_ms(100);
  ASSERT_OK(sct_process_kill(waiters[0]));
  CU_ASSERT_EQUAL(finish_child(waiters[0]), -SIGKILL);
  ASSERT_OK(sct_process_kill(holder));
  CU_ASSERT_EQUAL(finish_child(holder), -SIGKILL);
  CU_ASSERT_FATAL(wait_count(counts, REPORTS, 1));
  sleep_ms(50);
  int64_t reporter = count_of(counts, REPORTER);
  CU_ASSERT_FATAL(reporter >= 1 && reporter <= QUEUED);
  ASSERT_OK(sct_process_kill(waiters[reporter]));
  CU_ASSERT_EQUAL(finish_child(waiters[reporter]), -SIGKILL);
  for (int i = 1; i <= QUEUED; i++)
    if (i != reporter)
      CU_ASSERT_EQUAL(finish_child(waiters[i]), 0);
  CU_ASSERT_EQUAL(count_of(counts, REPORTS), 2);
  CU_ASSERT_EQUAL(count_of(counts, NORMAL), QUEUED - 2);
  ASSERT_OK(sct_lock_acquire(lock, 0));
  ASSERT_OK(sct_lock_release(lock));
  ASSERT_OK(sct_lock_free(lock));
  ASSERT_OK(sct_obj_free(flag));
  ASSERT_OK(sct_obj_free(counts));
}

static CU_TestInfo tests[] = {
    {"lock: next acquirer", test_lock_next_acquirer},
    {"rlock: next acquirer", test_rlock_next_acquirer},
    {"lock: try acquirer", test_lock_try_acquirer},
    {"rlock: timed acquirer", test_rlock_timed_acquirer},
    {"lock: blocked waiter", test_lock_blocked_waiter},
    {"rlock: blocked waiter", test_rlock_blocked_waiter},
    {"synchronized value", test_synchronized_value},
    {"rlock: thread death", test_rlock_thread_death},
    {"live holder not dead", test_live_holder_not_dead},
    {"many waiters, the watcher killed: one report per death",
     test_many_waiters_watcher_killed},
    CU_TEST_INFO_NULL};

static const sct_target_t targets[] = {{"death.hold", child_hold_forever},
                                       {"death.wait", child_wait_for_lock},
                                       {"death.hold_value", child_hold_value},
                                       {"death.queue_up", child_queue_up}};

const test_suite_t suite_ownerdeath = {"ownerdeath", tests, targets, 4, NULL};

/*
 * Races too narrow to hit by chance, held open by the library's test
 * hooks (src/testhook.h; built with SCT_TEST_HOOKS, as in the test
 * presets): a thread is stopped at a named point inside the library while
 * others run into the window it leaves. Each test here failed on the code
 * before its fix.
 */
#include "test.h"

#include <string.h>

/* The hook point the current test stops at, what it concerns, and for
 * how long; the hook stops the first thread to reach it only. */
static const char *hold_where;
static void *hold_what;
static int hold_ms, held;

static void hold_once(const char *where, void *what) {
  if (hold_where && strcmp(where, hold_where) == 0 && what == hold_what &&
      !held) {
    held = 1;
    sleep_ms(hold_ms);
  }
}

static void hold_at(const char *where, void *what, int ms) {
  hold_where = where;
  hold_what = what;
  hold_ms = ms;
  held = 0;
  sct__test_hook = hold_once;
}

static void hold_none(void) {
  sct__test_hook = NULL;
  hold_where = NULL;
}

/* ---- Condition: a timed-out waiter leaves no phantom wake-up ---- */

typedef struct cond_waiter {
  sct_cond_t *cond;
  sct_obj_t *arrived; /* set under the lock before the first waits */
  int first;          /* the first to arrive, or the one that times out */
  int timeout_ms;
  int rc;
} cond_waiter_t;

static void wait_on_cond(void *arg) {
  cond_waiter_t *w = arg;
  if (!w->first && !wait_for_flag(w->arrived, 1)) {
    w->rc = -1;
    return;
  }
  /* The second acquires only once the first waits (the lock is free). */
  if (sct_cond_acquire(w->cond, SCT_INFINITE) != 0) {
    w->rc = -2;
    return;
  }
  if (w->first)
    (void)sct_value_set_i64(w->arrived, 1);
  w->rc = sct_cond_wait(w->cond, w->timeout_ms);
  (void)sct_cond_release(w->cond);
}

/* A waiter (first), or a notifier (timeout 0) that notifies once when
 * the first waits. */
static void wait_or_notify(void *arg) {
  cond_waiter_t *w = arg;
  if (w->first || w->timeout_ms != 0) {
    wait_on_cond(w);
    return;
  }
  if (!wait_for_flag(w->arrived, 1) ||
      sct_cond_acquire(w->cond, SCT_INFINITE) != 0) {
    w->rc = -1;
    return;
  }
  w->rc = sct_cond_notify(w->cond, 1);
  (void)sct_cond_release(w->cond);
}

/* Waiter B sleeps (3 s); waiter A arrives, times out after 100 ms and is
 * held in its leaving for 1.5 s, past B's 1 s idle slice, so B looks at
 * the counters while A leaves. Nobody notifies: both must time out. The
 * old code bumped `wakeups` and `woken` in two steps there, and B took
 * the wake-up between them (B returned 0, and the next notification was
 * lost). Then one waiter notified once must get it. */
static void test_cond_timeout_leaves_no_wakeup(void) {
  sct_cond_t *cond;
  sct_obj_t *arrived;
  ASSERT_OK(sct_cond_new(&cond, NULL));
  ASSERT_OK(sct_rawvalue_new(&arrived, type_of('q'), NULL));
  cond_waiter_t b = {cond, arrived, 1, 3000, -100};
  cond_waiter_t a = {cond, arrived, 0, 100, -100};
  hold_at("cond.timed_out", cond, 1500);
  void *both[2] = {&b, &a};
  CU_ASSERT_EQUAL_FATAL(test_threads_run(wait_on_cond, both, 2), 0);
  hold_none();
  CU_ASSERT(held);
  ASSERT_RC(a.rc, SCT_ETIMEDOUT);
  ASSERT_RC(b.rc, SCT_ETIMEDOUT);

  /* One notification for one waiter: it must arrive. */
  ASSERT_OK(sct_value_set_i64(arrived, 0));
  cond_waiter_t c = {cond, arrived, 1, 10000, -100};
  cond_waiter_t notifier = {cond, arrived, 0, 0, -100};
  void *pair[2] = {&c, &notifier};
  CU_ASSERT_EQUAL_FATAL(test_threads_run(wait_or_notify, pair, 2), 0);
  ASSERT_OK(c.rc);
  ASSERT_OK(notifier.rc);
  sct_cond_free(cond);
  sct_obj_free(arrived);
}

static CU_TestInfo tests[] = {
    {"Condition: a timed-out waiter leaves no wake-up",
     test_cond_timeout_leaves_no_wakeup},
    CU_TEST_INFO_NULL};

const test_suite_t suite_races = {"races", tests, NULL, 0, NULL};

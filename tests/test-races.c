/*
 * Races too narrow to hit by chance, held open by the library's test
 * hooks (src/base/testhook.h; built with SCT_TEST_HOOKS, as in the test
 * presets): a thread is stopped at a named point inside the library while
 * others run into the window it leaves. Each test here failed on the code
 * before its fix.
 */
#include "../src/sync/sync.h"
#include "portable.h"
#include "test.h"

#include <stdint.h>
#include <stdio.h>
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

/* ---- Event: a pulse (set, then clear at once) ---- */

static sct_event_t *pulsed;
static volatile int pulse_waiting;

/* Notes that the waiter has seen the flag clear, and holds it once
 * woken until the pulse is over. */
static void note_waiting(const char *where, void *what) {
  if (what != pulsed)
    return;
  if (strcmp(where, "event.wait.seen") == 0)
    pulse_waiting = 1;
  else if (strcmp(where, "event.wait.woken") == 0)
    sleep_ms(50);
}

static void wait_for_pulse(void *arg) {
  *(int *)arg = sct_event_wait(pulsed, 5000);
}

static void pulse_when_waiting(void *arg) {
  (void)arg;
  for (int i = 0; i < 5000 && !pulse_waiting; i++)
    sleep_ms(1);
  sleep_ms(20); /* most likely asleep by now; either way it saw "clear" */
  (void)sct_event_set(pulsed);
  (void)sct_event_clear(pulsed);
}

/* A waiter that saw the flag clear returns 0 after a set that was
 * cleared again at once, as Python's Event.wait() returns True (the old
 * code woke it, found the flag clear again, and slept on to its
 * timeout). The hook holds the woken waiter until the clear is done. */
static void test_event_pulse(void) {
  int rc = -100;
  ASSERT_OK(sct_event_new(&pulsed));
  pulse_waiting = 0;
  sct__test_hook = note_waiting;
  void *args[2] = {&rc, NULL};
  test_thread_fn fns[2] = {wait_for_pulse, pulse_when_waiting};
  CU_ASSERT_EQUAL_FATAL(test_threads_run_each(fns, args, 2), 0);
  hold_none();
  CU_ASSERT(pulse_waiting);
  ASSERT_OK(rc);
  CU_ASSERT_EQUAL(sct_event_is_set(pulsed), 0);
  /* A waiter arriving after the pulse waits for the next set. */
  ASSERT_RC(sct_event_wait(pulsed, 20), SCT_ETIMEDOUT);
  ASSERT_OK(sct_event_free(pulsed));
}

/* ---- Barrier: the 32-bit round counter wraps ---- */

static void start_near_wrap(const char *where, void *what) {
  if (strcmp(where, "barrier.init") == 0)
    *(uint32_t *)what = UINT32_MAX - 2;
}

typedef struct barrier_party {
  sct_barrier_t *barrier;
  int rounds, failed;
} barrier_party_t;

static void pass_rounds(void *arg) {
  barrier_party_t *p = arg;
  for (int r = 0; r < p->rounds; r++)
    p->failed += sct_barrier_wait(p->barrier, 30000, NULL) != 0;
}

/* Rounds across the wrap of the round counter all pass: the old code
 * said SCT_EBROKEN to the round whose next value was 0 (its "broken
 * round" was 0 from the start) while the barrier was not broken. */
static void test_barrier_round_wrap(void) {
  sct_barrier_t *barrier;
  sct__test_hook = start_near_wrap;
  int rc = sct_barrier_new(&barrier, 2, NULL, NULL);
  hold_none();
  ASSERT_OK(rc);
  CU_ASSERT_FATAL(rc == 0);
  barrier_party_t a = {barrier, 6, 0}, b = {barrier, 6, 0};
  void *both[2] = {&a, &b};
  CU_ASSERT_EQUAL_FATAL(test_threads_run(pass_rounds, both, 2), 0);
  CU_ASSERT_EQUAL(a.failed + b.failed, 0);
  CU_ASSERT_EQUAL(sct_barrier_broken(barrier), 0);
  ASSERT_OK(sct_barrier_free(barrier));
}

/* ---- Queue: a putter killed inside its put ---- */

/* The hook point where the child below dies. */
static const char *die_where;

static void die_at(const char *where, void *what) {
  (void)what;
  if (die_where && strcmp(where, die_where) == 0)
    test_die_killed();
}

/* Puts one item (42) and dies at the hook point named by argument 1. */
static int child_put_and_die(const sct_args_t *args) {
  sct_queue_t *queue;
  const char *where;
  if (sct_args_queue(args, 0, &queue) != 0 || sct_args_str(args, 1, &where))
    return 10;
  die_where = where;
  sct__test_hook = die_at;
  long long item = 42;
  (void)sct_queue_put(queue, &item, SCT_INFINITE);
  return 11; /* not reached: the hook kills us */
}

/* Waits for the Lock of argument 0, which the parent holds, and dies
 * as soon as it has claimed the next turn. */
static int child_claim_and_die(const sct_args_t *args) {
  sct_lock_t *lock;
  if (sct_args_lock(args, 0, &lock) != 0)
    return 10;
  die_where = "lock.claimed";
  sct__test_hook = die_at;
  (void)sct_lock_acquire(lock, SCT_INFINITE);
  return 11; /* not reached: the hook kills us */
}

/* A waiter killed holding its claim on the next turn leaves the free
 * lock reserved for nobody. A try takes it anyway, and an acquire whose
 * timeout is shorter than a watcher's slice gets it: the old code
 * refused every try of such a lock and cleared the reservation only after
 * a whole 15 ms slice, which a 12 ms acquire never waits. */
static void test_lock_claimant_killed(void) {
  sct_lock_t *lock = NULL;
  ASSERT_OK(sct_lock_new(&lock, SCT_LOCK));
  CU_ASSERT_FATAL(lock != NULL);
  ASSERT_OK(sct_lock_acquire(lock, SCT_INFINITE));
  sct_arg_t args[] = {SCT_ALOCK(lock)};
  CU_ASSERT_EQUAL(run_child("races.claim_and_die", args, 1), -SIGKILL);
  ASSERT_OK(sct_lock_release(lock));
  ASSERT_OK(sct_lock_acquire(lock, 0));
  ASSERT_OK(sct_lock_release(lock));
  ASSERT_OK(sct_lock_acquire(lock, 12));
  ASSERT_OK(sct_lock_release(lock));
  ASSERT_OK(sct_lock_free(lock));
}

/* A joinable queue and a putter killed inside it at @p where; returns
 * the queue with the child gone. */
static sct_queue_t *queue_after_death(const char *where) {
  sct_queue_t *queue = NULL;
  ASSERT_OK(sct_queue_new(&queue, type_of('q'), 4, SCT_QUEUE_JOINABLE));
  if (!queue)
    return NULL;
  sct_arg_t args[] = {SCT_AQUEUE(queue), SCT_ASTR(where)};
  CU_ASSERT_EQUAL(run_child("races.put_and_die", args, 2), -SIGKILL);
  return queue;
}

/* Killed after publishing: the item is delivered once and unfinished,
 * never counted lost (the old code did both, and the item's task_done
 * then said SCT_ESTATE, so join could return while it was worked on). */
static void test_queue_put_killed_after_publishing(void) {
  sct_queue_t *queue = queue_after_death("queue.put.published");
  CU_ASSERT_FATAL(queue != NULL);
  long long item = 0;
  uint64_t lost = 99, deaths = 99;
  ASSERT_RC(sct_queue_join(queue, 0), SCT_ETIMEDOUT);
  ASSERT_OK(sct_queue_get(queue, &item, 0));
  CU_ASSERT_EQUAL(item, 42);
  ASSERT_RC(sct_queue_get(queue, &item, 0), SCT_EEMPTY);
  ASSERT_OK(sct_queue_lost(queue, &lost));
  ASSERT_OK(sct_queue_deaths(queue, &deaths));
  CU_ASSERT_EQUAL(lost, 0);
  CU_ASSERT_EQUAL(deaths, 1);
  ASSERT_OK(sct_queue_task_done(queue));
  ASSERT_OK(sct_queue_join(queue, 0));
  ASSERT_RC(sct_queue_task_done(queue), SCT_ESTATE);
  ASSERT_OK(sct_queue_free(queue));
}

/* Killed with the item copied but not published: dropped and counted
 * lost, never delivered, nothing left unfinished. */
static void test_queue_put_killed_before_publishing(void) {
  sct_queue_t *queue = queue_after_death("queue.put.copied");
  CU_ASSERT_FATAL(queue != NULL);
  long long item = 0;
  uint64_t lost = 99, deaths = 99;
  /* The call that finds the death repairs and then does its own work. */
  ASSERT_RC(sct_queue_get(queue, &item, 0), SCT_EEMPTY);
  ASSERT_OK(sct_queue_lost(queue, &lost));
  ASSERT_OK(sct_queue_deaths(queue, &deaths));
  CU_ASSERT_EQUAL(lost, 1);
  CU_ASSERT_EQUAL(deaths, 1);
  ASSERT_OK(sct_queue_join(queue, 0));
  ASSERT_RC(sct_queue_task_done(queue), SCT_ESTATE);
  ASSERT_OK(sct_queue_free(queue));
}

/* ---- Queue: counts past 2^32 ---- */

static void start_past_32_bits(const char *where, void *what) {
  if (strcmp(where, "queue.init") == 0)
    *(uint64_t *)what = ((uint64_t)1 << 32) - 2;
}

/* A joinable queue whose counts cross 2^32: puts, gets and task_done
 * stay exact (the old unfinished count was 32 bits). */
static void test_queue_counts_past_32_bits(void) {
  sct_queue_t *queue;
  sct__test_hook = start_past_32_bits;
  int rc = sct_queue_new(&queue, type_of('q'), 8, SCT_QUEUE_JOINABLE);
  hold_none();
  ASSERT_OK(rc);
  CU_ASSERT_FATAL(rc == 0);
  for (long long i = 0; i < 5; i++)
    ASSERT_OK(sct_queue_put(queue, &i, 0));
  size_t size = 0;
  ASSERT_OK(sct_queue_size(queue, &size));
  CU_ASSERT_EQUAL(size, 5);
  for (long long i = 0; i < 5; i++) {
    long long got = -1;
    ASSERT_OK(sct_queue_get(queue, &got, 0));
    CU_ASSERT_EQUAL(got, i);
  }
  ASSERT_RC(sct_queue_join(queue, 0), SCT_ETIMEDOUT);
  for (int i = 0; i < 5; i++)
    ASSERT_OK(sct_queue_task_done(queue));
  ASSERT_OK(sct_queue_join(queue, 0));
  ASSERT_RC(sct_queue_task_done(queue), SCT_ESTATE);
  ASSERT_OK(sct_queue_free(queue));
}

/* ---- Space: a maker killed between counting and publishing ---- */

/* Opens the space named by argument 0 and makes object "dies" in it,
 * dying at the hook point named by argument 1. */
static int child_make_and_die(const sct_args_t *args) {
  const char *name, *where;
  sct_space_t *space;
  sct_obj_t *obj;
  if (sct_args_str(args, 0, &name) != 0 || sct_args_str(args, 1, &where) ||
      sct_space_open(&space, name, 0) != 0)
    return 10;
  die_where = where;
  sct__test_hook = die_at;
  (void)sct_space_object(space, "dies", SCT_SPACE_CREATE, type_of('q'), 0,
                         SCT_LOCK, &obj);
  return 11; /* not reached: the hook kills us */
}

/* A space for two objects, a maker killed after counting its object but
 * before publishing it: the next caller's repair counts again, so two
 * objects still fit (the old code kept the count one too high for good
 * and the second said SCT_ENOMEM). */
static void test_space_maker_killed(void) {
  char name[64];
  sct_space_t *space;
  sct_obj_t *a, *b;
  snprintf(name, sizeof name, "sct-test-races-%ld", test_pid());
  (void)sct_space_unlink(name);
  ASSERT_OK(sct_space_create(&space, name, (size_t)1 << 20, 2));
  sct_arg_t args[] = {SCT_ASTR(name), SCT_ASTR("space.counted")};
  CU_ASSERT_EQUAL(run_child("races.make_and_die", args, 2), -SIGKILL);
  ASSERT_OK(sct_space_object(space, "a", SCT_SPACE_CREATE, type_of('q'), 0,
                             SCT_LOCK, &a));
  ASSERT_OK(sct_space_object(space, "b", SCT_SPACE_CREATE, type_of('q'), 0,
                             SCT_LOCK, &b));
  ASSERT_RC(sct_space_object(space, "dies", SCT_SPACE_FIND, type_of('q'), 0,
                             SCT_LOCK, &a),
            SCT_ENOENT);
  ASSERT_OK(sct_obj_free(a));
  ASSERT_OK(sct_obj_free(b));
  ASSERT_OK(sct_space_unlink(name));
  ASSERT_OK(sct_space_close(space));
}

/* ---- sct_wait_any: a wake-up taken for another entry ---- */

static volatile int any_asleep, any_woken, any_released;

/* Notes the wait-any thread's sleep, and holds it once woken until the
 * Semaphore is released, so it does that entry instead of the Queue's. */
static void hold_woken_waiter(const char *where, void *what) {
  (void)what;
  if (strcmp(where, "waitany.sleep") == 0)
    any_asleep = 1;
  else if (strcmp(where, "waitany.woken") == 0 && !any_woken) {
    any_woken = 1;
    for (int i = 0; i < 5000 && !any_released; i++)
      sleep_ms(1);
  }
}

typedef struct any_race {
  sct_queue_t *queue;
  sct_sem_t *sem;
  int any_rc, get_rc;
  size_t which;
  int64_t item;
} any_race_t;

static void wait_sem_or_item(void *arg) {
  any_race_t *r = arg;
  int64_t item = 0;
  sct_wait_t w[2] = {sct_wait_sem(r->sem), sct_wait_queue_get(r->queue, &item)};
  r->any_rc = sct_wait_any(w, 2, 5000, &r->which);
}

/* Sleeps on the Queue after the wait-any thread does. */
static void get_item(void *arg) {
  any_race_t *r = arg;
  for (int i = 0; i < 5000 && !any_asleep; i++)
    sleep_ms(1);
  sleep_ms(50);
  r->get_rc = sct_queue_get(r->queue, &r->item, 5000);
}

static void put_then_release(void *arg) {
  any_race_t *r = arg;
  int64_t one = 1;
  sct__waitword_t *puts = sct__queue_word(r->queue, 0);
  /* The wait-any thread sleeps first, the getter second: the put's
   * single wake-up goes to the first sleeper on the word. */
  for (int i = 0;
       i < 5000 && __atomic_load_n(&puts->sleepers, __ATOMIC_SEQ_CST) < 2; i++)
    sleep_ms(1);
  sleep_ms(50);
  (void)sct_queue_put(r->queue, &one, 0);
  for (int i = 0; i < 2000 && !any_woken; i++)
    sleep_ms(1);
  (void)sct_sem_release(r->sem);
  any_released = 1;
}

/* A put wakes one sleeper: the wait-any thread, which then acquires the
 * Semaphore (released meanwhile, and first in its list) instead of
 * taking the item. The plain getter still asleep on the Queue must be
 * woken: the wait passes the wake-up it did not use on. Without that,
 * the getter slept out its whole one-second slice with an item waiting
 * (sct__waitword_missed). */
static void test_wait_any_passes_wakeup_on(void) {
  any_race_t r = {NULL, NULL, -100, -100, 99, 0};
  ASSERT_OK(sct_queue_new(&r.queue, type_of('q'), 4, 0));
  ASSERT_OK(sct_sem_new(&r.sem, 0, 0));
  any_asleep = any_woken = any_released = 0;
  uint32_t missed = sct__waitword_missed;
  sct__test_hook = hold_woken_waiter;
  test_thread_fn fns[3] = {wait_sem_or_item, get_item, put_then_release};
  void *args[3] = {&r, &r, &r};
  CU_ASSERT_EQUAL_FATAL(test_threads_run_each(fns, args, 3), 0);
  hold_none();
  CU_ASSERT(any_woken); /* the race was held open */
  ASSERT_OK(r.any_rc);
  CU_ASSERT_EQUAL(r.which, 0);
  ASSERT_OK(r.get_rc);
  CU_ASSERT_EQUAL(r.item, 1);
  CU_ASSERT_EQUAL(sct__waitword_missed - missed, 0);
  ASSERT_OK(sct_queue_free(r.queue));
  ASSERT_OK(sct_sem_free(r.sem));
}

static CU_TestInfo tests[] = {
    {"Condition: a timed-out waiter leaves no wake-up",
     test_cond_timeout_leaves_no_wakeup},
    {"Event: a pulse wakes a waiter with 0", test_event_pulse},
    {"Barrier: rounds across the counter's wrap", test_barrier_round_wrap},
    {"Lock: a waiter killed holding the next turn", test_lock_claimant_killed},
    {"Queue: a put killed after publishing",
     test_queue_put_killed_after_publishing},
    {"Queue: a put killed before publishing",
     test_queue_put_killed_before_publishing},
    {"Queue: counts past 2^32", test_queue_counts_past_32_bits},
    {"Space: a maker killed between counting and publishing",
     test_space_maker_killed},
    {"wait-any: a wake-up taken for another entry is passed on",
     test_wait_any_passes_wakeup_on},
    CU_TEST_INFO_NULL};

static const sct_target_t targets[] = {
    {"races.put_and_die", child_put_and_die},
    {"races.claim_and_die", child_claim_and_die},
    {"races.make_and_die", child_make_and_die},
};

const test_suite_t suite_races = {"races", tests, targets,
                                  sizeof targets / sizeof targets[0], NULL};

/*
 * The waiting primitives: Condition, Semaphore, BoundedSemaphore, Event,
 * Barrier and Queue. Bad inputs in one process; exact results from real
 * children under the suite's start method; deaths by real SIGKILL.
 */
#define _GNU_SOURCE
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PRODUCERS 3
#define ITEMS_EACH 3000
#define TURN_ROUNDS 300
#define BARRIER_PARTIES 4
#define BARRIER_ROUNDS 1000

static const char *unique(const char *base) {
  static char name[80];
  snprintf(name, sizeof name, "sct-test-%s-%ld", base, test_pid());
  return name;
}

/* ---- bad inputs ---- */

static void test_bad_inputs(void) {
  sct_cond_t *cond;
  sct_sem_t *sem;
  sct_event_t *event;
  sct_barrier_t *barrier;
  sct_queue_t *queue;
  sct_lock_t *lock;
  unsigned u;
  int64_t item = 0;

  ASSERT_RC(sct_cond_new(NULL, NULL), SCT_EINVAL);
  ASSERT_RC(sct_sem_new(NULL, 1, 0), SCT_EINVAL);
  ASSERT_RC(sct_sem_new(&sem, 0x80000000u, 0), SCT_EINVAL);
  ASSERT_RC(sct_event_new(NULL), SCT_EINVAL);
  ASSERT_RC(sct_barrier_new(&barrier, 0, NULL, NULL), SCT_EINVAL);
  ASSERT_RC(sct_barrier_new(&barrier, 1025, NULL, NULL), SCT_EINVAL);
  ASSERT_RC(sct_queue_new(&queue, type_of('q'), 0, 0), SCT_EINVAL);
  ASSERT_RC(sct_queue_new(&queue, type_of('q'), 4, 8), SCT_EINVAL);
  ASSERT_RC(sct_queue_new(&queue, NULL, 4, 0), SCT_EINVAL);
  ASSERT_RC(sct_queue_new(&queue, type_of('q'), (size_t)1 << 31, 0),
            SCT_EINVAL);
  ASSERT_RC(
      sct_cond_create_named(&cond, unique("bad-kind"), (sct_lock_kind_t)7),
      SCT_EINVAL);
  ASSERT_RC(sct_sem_create_named(&sem, "bad/name", 1, 0), SCT_ENAME);
  ASSERT_RC(sct_event_open_named(&event, unique("bad-flags"), 99), SCT_EINVAL);

  /* A freed lock cannot back a Condition. */
  ASSERT_OK(sct_lock_new(&lock, SCT_LOCK));
  ASSERT_OK(sct_lock_free(lock));
  ASSERT_RC(sct_cond_new(&cond, lock), SCT_ESTATE);

  /* Not held: nothing released, nothing notified. */
  ASSERT_OK(sct_cond_new(&cond, NULL));
  ASSERT_RC(sct_cond_wait(cond, 0), SCT_ENOTHELD);
  ASSERT_RC(sct_cond_notify(cond, 1), SCT_ENOTHELD);
  ASSERT_RC(sct_cond_notify_all(cond), SCT_ENOTHELD);
  ASSERT_OK(sct_cond_acquire(cond, SCT_INFINITE));
  ASSERT_RC(sct_cond_wait_for(cond, NULL, NULL, 0), SCT_EINVAL);
  ASSERT_RC(sct_cond_lock(cond, NULL), SCT_EINVAL);
  ASSERT_OK(sct_cond_release(cond));

  /* One kind is not another, and a freed handle says so. */
  ASSERT_OK(sct_sem_new(&sem, 1, 1));
  ASSERT_RC(sct_cond_wait((sct_cond_t *)(void *)sem, 0), SCT_ETYPE);
  ASSERT_RC(sct_event_set((sct_event_t *)(void *)sem), SCT_ETYPE);
  ASSERT_RC(sct_sem_release(sem), SCT_EOVERFLOW); /* bounded at 1 */
  ASSERT_RC(sct_sem_value(sem, NULL), SCT_EINVAL);
  ASSERT_OK(sct_sem_free(sem));
  ASSERT_RC(sct_sem_free(sem), SCT_ESTATE);
  ASSERT_RC(sct_sem_acquire(sem, 0), SCT_ESTATE);
  ASSERT_RC(sct_sem_acquire(NULL, 0), SCT_EINVAL);
  ASSERT_OK(sct_cond_free(cond));

  ASSERT_OK(sct_queue_new(&queue, type_of('q'), 2, 0));
  ASSERT_RC(sct_queue_put(queue, NULL, 0), SCT_EINVAL);
  ASSERT_RC(sct_queue_get(queue, NULL, 0), SCT_EINVAL);
  ASSERT_RC(sct_queue_task_done(queue), SCT_ETYPE);
  ASSERT_RC(sct_queue_join(queue, 0), SCT_ETYPE);
  ASSERT_RC(sct_queue_size(queue, NULL), SCT_EINVAL);
  ASSERT_RC(sct_queue_lost(queue, NULL), SCT_EINVAL);
  ASSERT_RC(sct_queue_deaths(queue, NULL), SCT_EINVAL);
  ASSERT_OK(sct_queue_free(queue));
  ASSERT_OK(sct_queue_new(&queue, type_of('q'), 2, SCT_QUEUE_JOINABLE));
  ASSERT_RC(sct_queue_task_done(queue), SCT_ESTATE);
  ASSERT_OK(sct_queue_put(queue, &item, 0));
  ASSERT_OK(sct_queue_get(queue, &item, 0));
  ASSERT_RC(sct_queue_join(queue, 0), SCT_ETIMEDOUT);
  ASSERT_OK(sct_queue_task_done(queue));
  ASSERT_OK(sct_queue_join(queue, 0));
  ASSERT_RC(sct_queue_task_done(queue), SCT_ESTATE);
  ASSERT_OK(sct_queue_free(queue));

  ASSERT_OK(sct_barrier_new(&barrier, 2, NULL, NULL));
  ASSERT_RC(sct_barrier_parties(barrier, NULL), SCT_EINVAL);
  ASSERT_RC(sct_barrier_n_waiting(barrier, NULL), SCT_EINVAL);
  ASSERT_OK(sct_event_new(&event));
  ASSERT_RC(sct_barrier_set_action((sct_barrier_t *)(void *)event, NULL, NULL),
            SCT_ETYPE);
  ASSERT_OK(sct_event_free(event));
  ASSERT_RC(sct_event_is_set(event), SCT_ESTATE);
  /* A negative timeout does not wait, and breaks it like any timeout. */
  ASSERT_RC(sct_barrier_wait(barrier, -5, NULL), SCT_ETIMEDOUT);
  CU_ASSERT_EQUAL(sct_barrier_broken(barrier), 1);
  ASSERT_OK(sct_barrier_parties(barrier, &u));
  CU_ASSERT_EQUAL(u, 2);
  ASSERT_OK(sct_barrier_free(barrier));
  ASSERT_RC(sct_barrier_wait(barrier, 0, NULL), SCT_ESTATE);
}

/* ---- one process ---- */

static void test_semaphore_and_event(void) {
  sct_sem_t *sem;
  sct_event_t *event;
  unsigned v;
  ASSERT_OK(sct_sem_new(&sem, 2, 0));
  ASSERT_OK(sct_sem_acquire(sem, 0));
  ASSERT_OK(sct_sem_acquire(sem, 0));
  ASSERT_RC(sct_sem_acquire(sem, 0), SCT_ETIMEDOUT);
  int64_t t0 = test_now_ns();
  ASSERT_RC(sct_sem_acquire(sem, 30), SCT_ETIMEDOUT);
  CU_ASSERT(test_now_ns() - t0 >= 30 * 1000000LL); /* a minimum */
  ASSERT_OK(sct_sem_release(sem));
  ASSERT_OK(sct_sem_release(sem));
  ASSERT_OK(sct_sem_release(sem)); /* unbounded */
  ASSERT_OK(sct_sem_value(sem, &v));
  CU_ASSERT_EQUAL(v, 3);
  ASSERT_OK(sct_sem_free(sem));

  ASSERT_OK(sct_event_new(&event));
  CU_ASSERT_EQUAL(sct_event_is_set(event), 0);
  ASSERT_RC(sct_event_wait(event, 0), SCT_ETIMEDOUT);
  ASSERT_RC(sct_event_wait(event, 20), SCT_ETIMEDOUT);
  ASSERT_OK(sct_event_set(event));
  ASSERT_OK(sct_event_set(event));
  CU_ASSERT_EQUAL(sct_event_is_set(event), 1);
  ASSERT_OK(sct_event_wait(event, SCT_INFINITE));
  ASSERT_OK(sct_event_clear(event));
  CU_ASSERT_EQUAL(sct_event_is_set(event), 0);
  ASSERT_OK(sct_event_free(event));
}

typedef struct point {
  int32_t x;
  double y;
} point_t;

static const sct_type_t *point_type(void) {
  static const sct_type_t *type;
  if (!type) {
    sct_type_t *t;
    sct_field_t fields[] = {SCT_FIELD(point_t, x, 'i'),
                            SCT_FIELD(point_t, y, 'd')};
    if (sct_type_new_struct(&t, "point", sizeof(point_t), _Alignof(point_t),
                            fields, 2) == 0)
      type = t;
  }
  return type;
}

static void test_queue_basics(void) {
  sct_queue_t *queue;
  size_t n;
  point_t p = {0, 0};
  ASSERT_OK(sct_queue_new(&queue, point_type(), 3, 0));
  CU_ASSERT_EQUAL(sct_queue_empty(queue), 1);
  ASSERT_RC(sct_queue_get(queue, &p, 0), SCT_EEMPTY);
  ASSERT_RC(sct_queue_get(queue, &p, 20), SCT_EEMPTY);
  for (int i = 0; i < 3; i++) {
    p.x = i;
    p.y = i + 0.5;
    ASSERT_OK(sct_queue_put(queue, &p, 0));
  }
  CU_ASSERT_EQUAL(sct_queue_full(queue), 1);
  ASSERT_RC(sct_queue_put(queue, &p, 0), SCT_EFULL);
  ASSERT_RC(sct_queue_put(queue, &p, 20), SCT_EFULL);
  ASSERT_OK(sct_queue_size(queue, &n));
  CU_ASSERT_EQUAL(n, 3);
  for (int i = 0; i < 2; i++) {
    ASSERT_OK(sct_queue_get(queue, &p, 0));
    CU_ASSERT_EQUAL(p.x, i);
    CU_ASSERT_EQUAL(p.y, i + 0.5);
  }
  /* Closed: no puts; what is left drains; then closed, not blocked. */
  ASSERT_OK(sct_queue_close(queue));
  ASSERT_OK(sct_queue_close(queue));
  ASSERT_RC(sct_queue_put(queue, &p, 0), SCT_ECLOSED);
  ASSERT_OK(sct_queue_get(queue, &p, SCT_INFINITE));
  CU_ASSERT_EQUAL(p.x, 2);
  ASSERT_RC(sct_queue_get(queue, &p, SCT_INFINITE), SCT_ECLOSED);
  ASSERT_OK(sct_queue_free(queue));
}

static int count_at_least_3(void *ctx) {
  return *(int *)ctx >= 3;
}

static void test_condition_alone(void) {
  sct_cond_t *cond;
  sct_lock_t *lock;
  unsigned count;
  int value = 0;
  ASSERT_OK(sct_lock_new(&lock, SCT_RLOCK));
  ASSERT_OK(sct_cond_new(&cond, lock));
  ASSERT_OK(sct_lock_free(lock)); /* the condition keeps it */
  ASSERT_OK(sct_cond_lock(cond, &lock));
  ASSERT_OK(sct_cond_acquire(cond, SCT_INFINITE));
  ASSERT_OK(sct_cond_acquire(cond, SCT_INFINITE));
  /* A wait gives up the whole RLock and restores its count. */
  ASSERT_RC(sct_cond_wait(cond, 10), SCT_ETIMEDOUT);
  ASSERT_OK(sct_lock_count(lock, &count));
  CU_ASSERT_EQUAL(count, 2);
  ASSERT_RC(sct_cond_wait_for(cond, count_at_least_3, &value, 10),
            SCT_ETIMEDOUT);
  value = 3;
  ASSERT_OK(sct_cond_wait_for(cond, count_at_least_3, &value, 0));
  ASSERT_OK(sct_cond_notify(cond, 1)); /* nobody waits: nothing happens */
  ASSERT_OK(sct_cond_release(cond));
  ASSERT_OK(sct_cond_release(cond));
  ASSERT_RC(sct_cond_release(cond), SCT_ENOTHELD);
  int rc = -1;
  SCT_WITH_LOCK(cond, rc) {
    ASSERT_OK(sct_cond_notify_all(cond));
  }
  CU_ASSERT_EQUAL(rc, 0);
  ASSERT_OK(sct_cond_free(cond));
  ASSERT_RC(sct_cond_free(cond), SCT_ESTATE);
}

/* ---- named ---- */

static void test_named(void) {
  const char *name = unique("named-sync");
  sct_cond_t *cond, *cond2;
  sct_sem_t *sem, *sem2;
  sct_event_t *event, *event2;
  sct_barrier_t *barrier, *barrier2;
  sct_queue_t *queue, *queue2;
  unsigned v;
  int64_t item = 42;

  (void)sct_cond_unlink_named(name);
  (void)sct_sem_unlink_named(name);
  (void)sct_event_unlink_named(name);
  (void)sct_barrier_unlink_named(name);
  (void)sct_queue_unlink_named(name);

  ASSERT_RC(sct_sem_open_named(&sem, name, 0), SCT_ENOENT);
  ASSERT_OK(sct_sem_create_named(&sem, name, 5, 1));
  ASSERT_RC(sct_sem_create_named(&sem2, name, 5, 1), SCT_EEXIST);
  ASSERT_OK(sct_sem_open_named(&sem2, name, 0));
  ASSERT_OK(sct_sem_acquire(sem2, 0));
  ASSERT_OK(sct_sem_value(sem, &v));
  CU_ASSERT_EQUAL(v, 4);
  /* One name, one kind: each kind has names of its own. */
  ASSERT_RC(sct_event_open_named(&event, name, 0), SCT_ENOENT);

  ASSERT_OK(sct_event_create_named(&event, name));
  ASSERT_OK(sct_event_open_named(&event2, name, 0));
  ASSERT_OK(sct_event_set(event2));
  CU_ASSERT_EQUAL(sct_event_is_set(event), 1);

  ASSERT_OK(sct_cond_create_named(&cond, name, SCT_LOCK));
  ASSERT_OK(sct_cond_open_named(&cond2, name, 0));
  ASSERT_OK(sct_cond_acquire(cond, 0));
  ASSERT_RC(sct_cond_acquire(cond2, 0), SCT_ETIMEDOUT); /* one lock */
  ASSERT_OK(sct_cond_release(cond2)); /* a Lock: any thread may release */

  ASSERT_OK(sct_barrier_create_named(&barrier, name, 1));
  ASSERT_OK(sct_barrier_open_named(&barrier2, name, 0));
  ASSERT_OK(sct_barrier_wait(barrier2, 0, &v));
  CU_ASSERT_EQUAL(v, 0);

  ASSERT_OK(sct_queue_create_named(&queue, name, type_of('q'), 4, 0));
  ASSERT_RC(sct_queue_open_named(&queue2, name, type_of('i'), 0), SCT_ETYPE);
  ASSERT_DETAIL("item type: asked i (size 4, align 4), made with q");
  /* Same size and alignment, another typecode: refused as a space does. */
  ASSERT_RC(sct_queue_open_named(&queue2, name, type_of('Q'), 0), SCT_ETYPE);
  ASSERT_DETAIL("asked Q");
  ASSERT_OK(sct_queue_open_named(&queue2, name, type_of('q'), 0));
  ASSERT_OK(sct_queue_put(queue, &item, 0));
  item = 0;
  ASSERT_OK(sct_queue_get(queue2, &item, 0));
  CU_ASSERT_EQUAL(item, 42);

  ASSERT_OK(sct_cond_unlink_named(name));
  ASSERT_OK(sct_sem_unlink_named(name));
  ASSERT_OK(sct_event_unlink_named(name));
  ASSERT_OK(sct_barrier_unlink_named(name));
  ASSERT_OK(sct_queue_unlink_named(name));
  ASSERT_OK(sct_cond_free(cond));
  ASSERT_OK(sct_cond_free(cond2));
  ASSERT_OK(sct_sem_free(sem));
  ASSERT_OK(sct_sem_free(sem2));
  ASSERT_OK(sct_event_free(event));
  ASSERT_OK(sct_event_free(event2));
  ASSERT_OK(sct_barrier_free(barrier));
  ASSERT_OK(sct_barrier_free(barrier2));
  ASSERT_OK(sct_queue_free(queue));
  ASSERT_OK(sct_queue_free(queue2));
}

/* ---- across processes: exact results ---- */

/* Puts ITEMS_EACH items, producer * 1e6 + sequence. */
static int child_produce(const sct_args_t *args) {
  sct_queue_t *queue;
  sct_cond_t *cond;
  sct_sem_t *sem;
  sct_event_t *event;
  sct_barrier_t *barrier;
  int64_t producer;
  if (sct_args_queue(args, 0, &queue) != 0 ||
      sct_args_int(args, 1, &producer) != 0)
    return 10;
  /* The getters: another kind, past the end, nowhere to put it. */
  if (sct_args_cond(args, 0, &cond) != SCT_ETYPE ||
      sct_args_sem(args, 0, &sem) != SCT_ETYPE ||
      sct_args_event(args, 1, &event) != SCT_ETYPE ||
      sct_args_barrier(args, 0, &barrier) != SCT_ETYPE ||
      sct_args_queue(args, 2, &queue) != SCT_ERANGE ||
      sct_args_queue(args, 0, NULL) != SCT_EINVAL)
    return 12;
  for (int64_t i = 0; i < ITEMS_EACH; i++) {
    int64_t item = producer * 1000000 + i;
    if (sct_queue_put(queue, &item, SCT_INFINITE) != 0)
      return 11;
  }
  return 0;
}

static int64_t get_i64(sct_obj_t *value) {
  int64_t v = 0;
  sct_value_get_i64(value, &v);
  return v;
}

static void test_queue_producers(void) {
  sct_queue_t *queue;
  sct_process_t *p[PRODUCERS];
  int64_t next[PRODUCERS] = {0};
  int out_of_order = 0, failures = 0;
  ASSERT_OK(sct_queue_new(&queue, type_of('q'), 64, 0));
  for (int i = 0; i < PRODUCERS; i++) {
    sct_arg_t args[] = {SCT_AQUEUE(queue), SCT_AINT(i)};
    p[i] = start_child("waiting.produce", args, 2);
    CU_ASSERT_FATAL(p[i] != NULL);
  }
  for (int got = 0; got < PRODUCERS * ITEMS_EACH; got++) {
    int64_t item;
    if (sct_queue_get(queue, &item, 30000) != 0) {
      failures++;
      break;
    }
    int64_t producer = item / 1000000, seq = item % 1000000;
    if (producer < 0 || producer >= PRODUCERS || seq != next[producer]++)
      out_of_order++;
  }
  CU_ASSERT_EQUAL(failures, 0);
  CU_ASSERT_EQUAL(out_of_order, 0);
  for (int i = 0; i < PRODUCERS; i++) {
    CU_ASSERT_EQUAL(next[i], ITEMS_EACH);
    CU_ASSERT_EQUAL(finish_child(p[i]), 0);
  }
  CU_ASSERT_EQUAL(sct_queue_empty(queue), 1);
  ASSERT_OK(sct_queue_free(queue));
}

/* Gets until the queue is closed and empty, adding every item to the sum
 * and marking it done. */
static int child_consume(const sct_args_t *args) {
  sct_queue_t *queue;
  sct_obj_t *sum, *count;
  if (sct_args_queue(args, 0, &queue) != 0 || sct_args_obj(args, 1, &sum) ||
      sct_args_obj(args, 2, &count) != 0)
    return 10;
  for (;;) {
    int64_t item;
    int rc = sct_queue_get(queue, &item, SCT_INFINITE);
    if (rc == SCT_ECLOSED)
      return 0;
    if (rc != 0)
      return 11;
    sct_value_add(sum, item, NULL);
    sct_value_add(count, 1, NULL);
    if (sct_queue_task_done(queue) != 0)
      return 12;
  }
}

/* A joinable queue: the parent puts, two children get and mark done; join
 * returns once all are done; close ends the consumers. */
static void test_queue_consumers(void) {
  enum { N = 5000 };
  sct_queue_t *queue;
  sct_obj_t *sum, *count;
  sct_process_t *p[2];
  ASSERT_OK(sct_queue_new(&queue, type_of('q'), 16, SCT_QUEUE_JOINABLE));
  ASSERT_OK(sct_rawvalue_new(&sum, type_of('q'), NULL));
  ASSERT_OK(sct_rawvalue_new(&count, type_of('q'), NULL));
  for (int i = 0; i < 2; i++) {
    sct_arg_t args[] = {SCT_AQUEUE(queue), SCT_AOBJ(sum), SCT_AOBJ(count)};
    p[i] = start_child("waiting.consume", args, 3);
    CU_ASSERT_FATAL(p[i] != NULL);
  }
  for (int64_t i = 1; i <= N; i++)
    ASSERT_OK(sct_queue_put(queue, &i, SCT_INFINITE));
  ASSERT_OK(sct_queue_join(queue, 60000));
  CU_ASSERT_EQUAL(get_i64(count), N);
  CU_ASSERT_EQUAL(get_i64(sum), (int64_t)N * (N + 1) / 2);
  ASSERT_OK(sct_queue_close(queue));
  for (int i = 0; i < 2; i++)
    CU_ASSERT_EQUAL(finish_child(p[i]), 0);
  ASSERT_OK(sct_queue_free(queue));
  ASSERT_OK(sct_obj_free(sum));
  ASSERT_OK(sct_obj_free(count));
}

typedef struct turn_ctx {
  sct_obj_t *turn;
  int64_t me;
} turn_ctx_t;

static int my_turn(void *ctx) {
  const turn_ctx_t *t = ctx;
  return get_i64(t->turn) == t->me;
}

/* Takes TURN_ROUNDS turns in the order 0, 1, 2, 0, ...: waits for its
 * turn under the condition, counts, passes the turn on, notifies all. */
static int child_take_turns(const sct_args_t *args) {
  sct_cond_t *cond;
  sct_obj_t *counter;
  turn_ctx_t t;
  if (sct_args_cond(args, 0, &cond) != 0 ||
      sct_args_obj(args, 1, &t.turn) != 0 ||
      sct_args_obj(args, 2, &counter) != 0 || sct_args_int(args, 3, &t.me))
    return 10;
  for (int r = 0; r < TURN_ROUNDS; r++) {
    if (sct_cond_acquire(cond, SCT_INFINITE) != 0)
      return 11;
    int rc = sct_cond_wait_for(cond, my_turn, &t, 30000);
    if (rc != 0)
      return 30 - rc;
    sct_value_set_i64(counter, get_i64(counter) + 1); /* under the lock */
    sct_value_set_i64(t.turn, (t.me + 1) % 3);
    if (sct_cond_notify_all(cond) != 0 || sct_cond_release(cond) != 0)
      return 13;
  }
  return 0;
}

static void test_condition_turns(void) {
  sct_cond_t *cond;
  sct_obj_t *turn, *counter;
  sct_process_t *p[3];
  ASSERT_OK(sct_cond_new(&cond, NULL));
  ASSERT_OK(sct_rawvalue_new(&turn, type_of('q'), NULL));
  ASSERT_OK(sct_rawvalue_new(&counter, type_of('q'), NULL));
  for (int i = 0; i < 3; i++) {
    sct_arg_t args[] = {SCT_ACOND(cond), SCT_AOBJ(turn), SCT_AOBJ(counter),
                        SCT_AINT(i)};
    p[i] = start_child("waiting.turns", args, 4);
    CU_ASSERT_FATAL(p[i] != NULL);
  }
  for (int i = 0; i < 3; i++) {
    int code = finish_child(p[i]);
    if (code != 0)
      fprintf(stderr, "turns: child %d ended with %d\n", i, code);
    CU_ASSERT_EQUAL(code, 0);
  }
  CU_ASSERT_EQUAL(get_i64(counter), 3 * TURN_ROUNDS);
  CU_ASSERT_EQUAL(get_i64(turn), 0);
  ASSERT_OK(sct_cond_free(cond));
  ASSERT_OK(sct_obj_free(turn));
  ASSERT_OK(sct_obj_free(counter));
}

static int count_action(void *ctx) {
  return sct_value_add((sct_obj_t *)ctx, 1, NULL);
}

/* BARRIER_ROUNDS rounds: count arrivals, wait, and check that everyone
 * of this round arrived before anyone left. */
static int child_barrier_rounds(const sct_args_t *args) {
  sct_barrier_t *barrier;
  sct_obj_t *arrivals, *index_sum, *actions;
  if (sct_args_barrier(args, 0, &barrier) != 0 ||
      sct_args_obj(args, 1, &arrivals) != 0 ||
      sct_args_obj(args, 2, &index_sum) != 0 ||
      sct_args_obj(args, 3, &actions) != 0)
    return 10;
  /* A function pointer does not cross exec: each sets its own. */
  if (sct_barrier_set_action(barrier, count_action, actions) != 0)
    return 11;
  for (int64_t r = 0; r < BARRIER_ROUNDS; r++) {
    unsigned index;
    sct_value_add(arrivals, 1, NULL);
    if (sct_barrier_wait(barrier, 30000, &index) != 0)
      return 12;
    sct_value_add(index_sum, index, NULL);
    if (get_i64(arrivals) < BARRIER_PARTIES * (r + 1))
      return 13;
  }
  return 0;
}

static void test_barrier_rounds(void) {
  sct_barrier_t *barrier;
  sct_obj_t *arrivals, *index_sum, *actions;
  sct_process_t *p[BARRIER_PARTIES];
  ASSERT_OK(sct_barrier_new(&barrier, BARRIER_PARTIES, NULL, NULL));
  ASSERT_OK(sct_rawvalue_new(&arrivals, type_of('q'), NULL));
  ASSERT_OK(sct_rawvalue_new(&index_sum, type_of('q'), NULL));
  ASSERT_OK(sct_rawvalue_new(&actions, type_of('q'), NULL));
  for (int i = 0; i < BARRIER_PARTIES; i++) {
    sct_arg_t args[] = {SCT_ABARRIER(barrier), SCT_AOBJ(arrivals),
                        SCT_AOBJ(index_sum), SCT_AOBJ(actions)};
    p[i] = start_child("waiting.barrier", args, 4);
    CU_ASSERT_FATAL(p[i] != NULL);
  }
  for (int i = 0; i < BARRIER_PARTIES; i++)
    CU_ASSERT_EQUAL(finish_child(p[i]), 0);
  CU_ASSERT_EQUAL(get_i64(arrivals), BARRIER_PARTIES * BARRIER_ROUNDS);
  CU_ASSERT_EQUAL(get_i64(index_sum), 6 * BARRIER_ROUNDS); /* 0+1+2+3 */
  CU_ASSERT_EQUAL(get_i64(actions), BARRIER_ROUNDS);
  CU_ASSERT_EQUAL(sct_barrier_broken(barrier), 0);
  ASSERT_OK(sct_barrier_free(barrier));
  ASSERT_OK(sct_obj_free(arrivals));
  ASSERT_OK(sct_obj_free(index_sum));
  ASSERT_OK(sct_obj_free(actions));
}

/* ---- deaths: real processes, killed for real ---- */

/* Waits at the barrier until killed. */
static int child_barrier_wait(const sct_args_t *args) {
  sct_barrier_t *barrier;
  if (sct_args_barrier(args, 0, &barrier) != 0)
    return 10;
  return 20 + -sct_barrier_wait(barrier, SCT_INFINITE, NULL);
}

static void test_barrier_participant_killed(void) {
  sct_barrier_t *barrier;
  unsigned waiting = 0;
  ASSERT_OK(sct_barrier_new(&barrier, 3, NULL, NULL));
  sct_arg_t args[] = {SCT_ABARRIER(barrier)};
  sct_process_t *p = start_child("waiting.barrier_wait", args, 1);
  CU_ASSERT_FATAL(p != NULL);
  for (int i = 0; i < 10000 && waiting == 0; i++) {
    sleep_ms(1);
    sct_barrier_n_waiting(barrier, &waiting);
  }
  CU_ASSERT_EQUAL(waiting, 1);
  ASSERT_OK(sct_process_kill(p));
  CU_ASSERT_EQUAL(finish_child(p), -9);
  /* One of the three is dead: the round can never complete right. */
  ASSERT_RC(sct_barrier_wait(barrier, 10000, NULL), SCT_EBROKEN);
  CU_ASSERT_EQUAL(sct_barrier_broken(barrier), 1);
  ASSERT_RC(sct_barrier_wait(barrier, 0, NULL), SCT_EBROKEN);
  ASSERT_OK(sct_barrier_reset(barrier));
  CU_ASSERT_EQUAL(sct_barrier_broken(barrier), 0);
  /* A timeout breaks it too, as in Python. */
  ASSERT_RC(sct_barrier_wait(barrier, 20, NULL), SCT_ETIMEDOUT);
  CU_ASSERT_EQUAL(sct_barrier_broken(barrier), 1);
  ASSERT_OK(sct_barrier_free(barrier));
}

/* Four parties of five wait, one arrival after the other; the one that
 * arrived @p victim-th is killed: every survivor gets SCT_EBROKEN.
 * Each party is watched by the next to arrive, the first by the last,
 * so a death in the middle and one of the last to arrive are both seen. */
static void barrier_party_killed(unsigned victim) {
  sct_barrier_t *barrier;
  sct_process_t *p[4];
  ASSERT_OK(sct_barrier_new(&barrier, 5, NULL, NULL));
  sct_arg_t args[] = {SCT_ABARRIER(barrier)};
  for (unsigned i = 0; i < 4; i++) {
    unsigned waiting = 0;
    p[i] = start_child("waiting.barrier_wait", args, 1);
    CU_ASSERT_FATAL(p[i] != NULL);
    for (int t = 0; t < 10000 && waiting <= i; t++) {
      sleep_ms(1);
      sct_barrier_n_waiting(barrier, &waiting);
    }
    CU_ASSERT_EQUAL(waiting, i + 1);
  }
  ASSERT_OK(sct_process_kill(p[victim]));
  for (unsigned i = 0; i < 4; i++)
    CU_ASSERT_EQUAL(finish_child(p[i]), i == victim ? -9 : 20 - SCT_EBROKEN);
  CU_ASSERT_EQUAL(sct_barrier_broken(barrier), 1);
  ASSERT_OK(sct_barrier_free(barrier));
}

static void test_barrier_middle_party_killed(void) {
  barrier_party_killed(1);
}

static void test_barrier_last_party_killed(void) {
  barrier_party_killed(3);
}

/* Announces itself, then waits on the condition once: 0 when notified. */
static int child_cond_wait(const sct_args_t *args) {
  sct_cond_t *cond;
  sct_obj_t *flag;
  if (sct_args_cond(args, 0, &cond) != 0 || sct_args_obj(args, 1, &flag) != 0)
    return 10;
  if (sct_cond_acquire(cond, SCT_INFINITE) != 0)
    return 11;
  sct_value_add(flag, 1, NULL);
  int rc = sct_cond_wait(cond, 30000);
  if (sct_cond_release(cond) != 0)
    return 12;
  return rc == 0 ? 0 : 20 - rc;
}

/* Starts a condition waiter and returns once it waits (it announced
 * itself holding the lock, and the lock is free again). */
static sct_process_t *start_cond_waiter(sct_cond_t *cond, sct_obj_t *flag,
                                        int64_t want) {
  sct_arg_t args[] = {SCT_ACOND(cond), SCT_AOBJ(flag)};
  sct_process_t *p = start_child("waiting.cond_wait", args, 2);
  CU_ASSERT_FATAL(p != NULL);
  CU_ASSERT(wait_for_flag(flag, want));
  ASSERT_OK(sct_cond_acquire(cond, SCT_INFINITE));
  ASSERT_OK(sct_cond_release(cond));
  return p;
}

/* A waiter killed in its wait swallows no notification meant for the
 * living, and the notifier never waits for it. */
static void test_cond_waiter_killed(void) {
  sct_cond_t *cond;
  sct_obj_t *flag;
  ASSERT_OK(sct_cond_new(&cond, NULL));
  ASSERT_OK(sct_rawvalue_new(&flag, type_of('q'), NULL));
  sct_process_t *dead = start_cond_waiter(cond, flag, 1);
  ASSERT_OK(sct_process_kill(dead));
  CU_ASSERT_EQUAL(finish_child(dead), -9);
  sct_process_t *live = start_cond_waiter(cond, flag, 2);
  ASSERT_OK(sct_cond_acquire(cond, SCT_INFINITE));
  ASSERT_OK(sct_cond_notify(cond, 1));
  ASSERT_OK(sct_cond_release(cond));
  CU_ASSERT_EQUAL(finish_child(live), 0);
  ASSERT_OK(sct_cond_free(cond));
  ASSERT_OK(sct_obj_free(flag));
}

/* Waits on the condition in short waits, again and again, until killed;
 * a lock whose holder died is taken over like any other. */
static int child_cond_churn(const sct_args_t *args) {
  sct_cond_t *cond;
  if (sct_args_cond(args, 0, &cond) != 0)
    return 10;
  for (;;) {
    int rc = sct_cond_acquire(cond, SCT_INFINITE);
    if (rc != 0 && rc != SCT_EOWNERDEAD)
      return 11;
    rc = sct_cond_wait(cond, 2);
    if (rc != 0 && rc != SCT_ETIMEDOUT && rc != SCT_EOWNERDEAD)
      return 12;
    if (sct_cond_release(cond) != 0)
      return 13;
  }
}

/* Waiters killed at moments nobody chose (inside the lock, inside a wait,
 * between the two), while the parent notifies: afterwards a new waiter
 * still gets its notification and nobody is left holding the lock. */
static void test_cond_waiters_killed_at_random(void) {
  sct_cond_t *cond;
  sct_obj_t *flag;
  sct_process_t *churn[2];
  ASSERT_OK(sct_cond_new(&cond, NULL));
  ASSERT_OK(sct_rawvalue_new(&flag, type_of('q'), NULL));
  sct_arg_t args[] = {SCT_ACOND(cond)};
  for (int i = 0; i < 2; i++)
    CU_ASSERT_FATAL((churn[i] = start_child("waiting.cond_churn", args, 1)) !=
                    NULL);
  srand((unsigned)test_pid());
  for (int round = 0; round < 20; round++) {
    int rc = sct_cond_acquire(cond, 10000);
    CU_ASSERT(rc == 0 || rc == SCT_EOWNERDEAD);
    ASSERT_OK(sct_cond_notify(cond, 1));
    ASSERT_OK(sct_cond_release(cond));
    sleep_ms(rand() % 4);
    sct_process_t **victim = &churn[round % 2];
    ASSERT_OK(sct_process_kill(*victim));
    CU_ASSERT_EQUAL(finish_child(*victim), -9);
    CU_ASSERT_FATAL((*victim = start_child("waiting.cond_churn", args, 1)) !=
                    NULL);
  }
  for (int i = 0; i < 2; i++) {
    ASSERT_OK(sct_process_kill(churn[i]));
    CU_ASSERT_EQUAL(finish_child(churn[i]), -9);
  }
  sct_process_t *live = start_cond_waiter(cond, flag, 1);
  int rc = sct_cond_acquire(cond, 10000);
  CU_ASSERT(rc == 0 || rc == SCT_EOWNERDEAD);
  ASSERT_OK(sct_cond_notify(cond, 1));
  ASSERT_OK(sct_cond_release(cond));
  CU_ASSERT_EQUAL(finish_child(live), 0);
  ASSERT_OK(sct_cond_free(cond));
  ASSERT_OK(sct_obj_free(flag));
}

/* Announces itself and takes one unit: 0 when it got it. */
static int child_sem_acquire(const sct_args_t *args) {
  sct_sem_t *sem;
  sct_obj_t *flag;
  if (sct_args_sem(args, 0, &sem) != 0 || sct_args_obj(args, 1, &flag) != 0)
    return 10;
  sct_value_add(flag, 1, NULL);
  int rc = sct_sem_acquire(sem, 30000);
  return rc == 0 ? 0 : 20 - rc;
}

static void test_sem_waiter_killed(void) {
  sct_sem_t *sem;
  sct_obj_t *flag;
  unsigned value = 99;
  ASSERT_OK(sct_sem_new(&sem, 0, 0));
  ASSERT_OK(sct_rawvalue_new(&flag, type_of('q'), NULL));
  sct_arg_t args[] = {SCT_ASEM(sem), SCT_AOBJ(flag)};
  sct_process_t *dead = start_child("waiting.sem_acquire", args, 2);
  CU_ASSERT_FATAL(dead != NULL);
  CU_ASSERT(wait_for_flag(flag, 1));
  sleep_ms(50); /* asleep in the acquire by now, most likely */
  ASSERT_OK(sct_process_kill(dead));
  CU_ASSERT_EQUAL(finish_child(dead), -9);
  sct_process_t *live = start_child("waiting.sem_acquire", args, 2);
  CU_ASSERT_FATAL(live != NULL);
  CU_ASSERT(wait_for_flag(flag, 2));
  sleep_ms(50);
  ASSERT_OK(sct_sem_release(sem));
  CU_ASSERT_EQUAL(finish_child(live), 0);
  ASSERT_OK(sct_sem_value(sem, &value));
  CU_ASSERT_EQUAL(value, 0);
  ASSERT_OK(sct_sem_free(sem));
  ASSERT_OK(sct_obj_free(flag));
}

/* Items that show a torn copy: check is always ~seq. */
typedef struct checked {
  uint64_t seq;
  uint64_t check;
} checked_t;

static const sct_type_t *checked_type(void) {
  static const sct_type_t *type;
  if (!type) {
    sct_type_t *t;
    sct_field_t fields[] = {SCT_FIELD(checked_t, seq, 'Q'),
                            SCT_FIELD(checked_t, check, 'Q')};
    if (sct_type_new_struct(&t, "checked", sizeof(checked_t),
                            _Alignof(checked_t), fields, 2) == 0)
      type = t;
  }
  return type;
}

/* Puts 0, 1, 2, ... until killed, recording each finished put. */
static int child_put_forever(const sct_args_t *args) {
  sct_queue_t *queue;
  sct_obj_t *done;
  if (sct_args_queue(args, 0, &queue) != 0 || sct_args_obj(args, 1, &done))
    return 10;
  for (uint64_t seq = 0;; seq++) {
    checked_t item = {seq, ~seq};
    if (sct_queue_put(queue, &item, SCT_INFINITE) != 0)
      return 11;
    sct_value_set_i64(done, (int64_t)seq + 1);
  }
}

/*
 * A producer killed at a moment of its choosing: the consumer never sees
 * a torn item or a gap, gets every put that finished (and at most the one
 * in flight), never sees SCT_EOWNERDEAD (the queue repairs itself), and
 * a put that died inside is counted as a death, and as lost only when
 * its item was not delivered.
 */
static void test_queue_producer_killed(void) {
  for (int attempt = 0; attempt < 5; attempt++) {
    sct_queue_t *queue;
    sct_obj_t *done;
    uint64_t expected = 0, lost = 0, deaths = 0;
    int torn = 0, rc;
    ASSERT_OK(sct_queue_new(&queue, checked_type(), 8, 0));
    ASSERT_OK(sct_rawvalue_new(&done, type_of('q'), NULL));
    sct_arg_t args[] = {SCT_AQUEUE(queue), SCT_AOBJ(done)};
    sct_process_t *p = start_child("waiting.put_forever", args, 2);
    CU_ASSERT_FATAL(p != NULL);
    for (int got = 0; got < 3000 + attempt * 777;) {
      checked_t item;
      rc = sct_queue_get(queue, &item, 30000);
      if (rc != 0)
        break;
      torn += item.check != ~item.seq || item.seq != expected;
      expected = item.seq + 1;
      got++;
    }
    ASSERT_OK(sct_process_kill(p));
    CU_ASSERT_EQUAL(finish_child(p), -9);
    for (;;) {
      checked_t item;
      rc = sct_queue_get(queue, &item, 0);
      if (rc != 0)
        break;
      torn += item.check != ~item.seq || item.seq != expected;
      expected = item.seq + 1;
    }
    ASSERT_RC(rc, SCT_EEMPTY);
    ASSERT_OK(sct_queue_lost(queue, &lost));
    ASSERT_OK(sct_queue_deaths(queue, &deaths));
    CU_ASSERT_EQUAL(torn, 0);
    CU_ASSERT(lost <= deaths && deaths <= 1);
    int64_t finished = get_i64(done);
    CU_ASSERT((int64_t)expected >= finished &&
              (int64_t)expected <= finished + 1);
    /* The put in flight is either delivered or lost, never both. */
    CU_ASSERT(lost == 0 || (int64_t)expected == finished);
    ASSERT_OK(sct_queue_free(queue));
    ASSERT_OK(sct_obj_free(done));
  }
}

/* ---- named, between processes that share nothing but the name ---- */

static int child_set_named_event(const sct_args_t *args) {
  const char *name;
  sct_event_t *event;
  if (sct_args_str(args, 0, &name) != 0 ||
      sct_event_open_named(&event, name, 0) != 0)
    return 10;
  sleep_ms(50);
  int rc = sct_event_set(event);
  return sct_event_free(event) == 0 && rc == 0 ? 0 : 11;
}

static void test_named_event_across(void) {
  const char *name = unique("event-across");
  sct_event_t *event;
  (void)sct_event_unlink_named(name);
  ASSERT_OK(sct_event_create_named(&event, name));
  sct_arg_t args[] = {SCT_ASTR(name)};
  sct_process_t *p = start_child("waiting.set_named_event", args, 1);
  CU_ASSERT_FATAL(p != NULL);
  ASSERT_OK(sct_event_wait(event, 30000));
  CU_ASSERT_EQUAL(finish_child(p), 0);
  ASSERT_OK(sct_event_unlink_named(name));
  ASSERT_OK(sct_event_free(event));
}

static CU_TestInfo tests[] = {
    {"bad inputs", test_bad_inputs},
    {"semaphore and event", test_semaphore_and_event},
    {"queue basics", test_queue_basics},
    {"condition alone", test_condition_alone},
    {"named", test_named},
    {"queue: producers", test_queue_producers},
    {"queue: joinable consumers", test_queue_consumers},
    {"condition: turns", test_condition_turns},
    {"barrier: rounds", test_barrier_rounds},
    {"barrier: participant killed", test_barrier_participant_killed},
    {"barrier: a middle party killed", test_barrier_middle_party_killed},
    {"barrier: the last party killed", test_barrier_last_party_killed},
    {"condition: waiter killed", test_cond_waiter_killed},
    {"condition: waiters killed at random", test_cond_waiters_killed_at_random},
    {"semaphore: waiter killed", test_sem_waiter_killed},
    {"queue: producer killed", test_queue_producer_killed},
    {"named event across processes", test_named_event_across},
    CU_TEST_INFO_NULL};

static const sct_target_t targets[] = {
    {"waiting.produce", child_produce},
    {"waiting.consume", child_consume},
    {"waiting.turns", child_take_turns},
    {"waiting.barrier", child_barrier_rounds},
    {"waiting.barrier_wait", child_barrier_wait},
    {"waiting.cond_wait", child_cond_wait},
    {"waiting.cond_churn", child_cond_churn},
    {"waiting.sem_acquire", child_sem_acquire},
    {"waiting.put_forever", child_put_forever},
    {"waiting.set_named_event", child_set_named_event}};

const test_suite_t suite_waiting = {"waiting", tests, targets,
                                    sizeof targets / sizeof targets[0], NULL};

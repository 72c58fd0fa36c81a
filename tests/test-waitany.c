/*
 * sct_wait_any: one wait for the first of several Queues, Semaphores,
 * Events and children, with real processes doing the other side. Every
 * bad entry is refused with the entry named; the entry done is the one
 * that became possible, and its operation is done (the item taken, the
 * Semaphore acquired, the child joined); and in a stress run of
 * wait-any consumers beside plain ones, every item arrives exactly once
 * and no process sleeps out a slice with a wake-up owed
 * (sct__waitword_missed).
 */
#define _GNU_SOURCE
#include "../src/sync/sync.h"
#include "portable.h"
#include "test.h"

#include <stdio.h>
#include <string.h>
#ifdef __linux__
#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#define ITEMS_EACH 3000
#define CONSUMERS 3

/* ---- children ---- */

/* Sleeps argument 1 ms, then: sets the Event (argument 0). */
static int child_set_later(const sct_args_t *args) {
  sct_event_t *event;
  int64_t ms;
  if (sct_args_event(args, 0, &event) != 0 || sct_args_int(args, 1, &ms) != 0)
    return 10;
  sleep_ms((int)ms);
  return sct_event_set(event) == 0 ? 0 : 11;
}

/* Sets the Event and clears it at once (a pulse). */
static int child_pulse(const sct_args_t *args) {
  sct_event_t *event;
  if (sct_args_event(args, 0, &event) != 0)
    return 10;
  sleep_ms(100);
  return sct_event_set(event) == 0 && sct_event_clear(event) == 0 ? 0 : 11;
}

/* Sleeps 100 ms, then releases the Semaphore. */
static int child_release_later(const sct_args_t *args) {
  sct_sem_t *sem;
  if (sct_args_sem(args, 0, &sem) != 0)
    return 10;
  sleep_ms(100);
  return sct_sem_release(sem) == 0 ? 0 : 11;
}

/* Sleeps 100 ms, then takes one item of the Queue. */
static int child_get_later(const sct_args_t *args) {
  sct_queue_t *queue;
  int64_t item;
  if (sct_args_queue(args, 0, &queue) != 0)
    return 10;
  sleep_ms(100);
  return sct_queue_get(queue, &item, SCT_INFINITE) == 0 && item == 1 ? 0 : 11;
}

/* Puts argument 1 into the Queue unless it is 0, then exits with 7 after
 * argument 2 ms. */
static int child_put_and_exit(const sct_args_t *args) {
  sct_queue_t *queue;
  int64_t value, ms;
  if (sct_args_queue(args, 0, &queue) != 0 ||
      sct_args_int(args, 1, &value) != 0 || sct_args_int(args, 2, &ms) != 0)
    return 10;
  if (value != 0 && sct_queue_put(queue, &value, SCT_INFINITE) != 0)
    return 11;
  sleep_ms((int)ms);
  return 7;
}

/* ---- bad entries ---- */

static void test_bad_entries(void) {
  sct_queue_t *queue;
  sct_event_t *event, *freed;
  sct_process_t *p;
  int64_t item = 0;
  size_t which = 99;
  ASSERT_OK(sct_queue_new(&queue, type_of('q'), 4, 0));
  ASSERT_OK(sct_event_new(&event));
  ASSERT_OK(sct_event_new(&freed));
  ASSERT_OK(sct_event_free(freed));
  sct_wait_t good = sct_wait_event(event);
  sct_wait_t many[SCT_WAIT_MAX + 1];
  for (size_t i = 0; i < SCT_WAIT_MAX + 1; i++)
    many[i] = good;

  ASSERT_RC(sct_wait_any(NULL, 1, 0, &which), SCT_EINVAL);
  ASSERT_RC(sct_wait_any(&good, 1, 0, NULL), SCT_EINVAL);
  ASSERT_RC(sct_wait_any(&good, 0, 0, &which), SCT_EINVAL);
  ASSERT_RC(sct_wait_any(many, SCT_WAIT_MAX + 1, 0, &which), SCT_EINVAL);
  ASSERT_DETAIL("64 entries");
  ASSERT_RC(sct_wait_any(many, SCT_WAIT_MAX, 0, &which), SCT_ETIMEDOUT);

  sct_wait_t bad[2] = {good, sct_wait_queue_get(queue, NULL)};
  ASSERT_RC(sct_wait_any(bad, 2, 0, &which), SCT_EINVAL);
  ASSERT_DETAIL("entry 1 has no item");
  bad[1] = sct_wait_queue_put(queue, NULL);
  ASSERT_RC(sct_wait_any(bad, 2, 0, &which), SCT_EINVAL);
  bad[1] = sct_wait_sem(NULL);
  ASSERT_RC(sct_wait_any(bad, 2, 0, &which), SCT_EINVAL);
  ASSERT_DETAIL("entry 1");
  bad[1] = good;
  bad[1].kind = (sct_wait_kind_t)42;
  ASSERT_RC(sct_wait_any(bad, 2, 0, &which), SCT_EINVAL);
  ASSERT_DETAIL("entry 1 has kind 42");
  bad[1] = sct_wait_queue_get((sct_queue_t *)(void *)event, &item);
  ASSERT_RC(sct_wait_any(bad, 2, 0, &which), SCT_ETYPE);
  ASSERT_DETAIL("entry 1");
  bad[1] = sct_wait_event(freed);
  ASSERT_RC(sct_wait_any(bad, 2, 0, &which), SCT_ESTATE);

  /* A process not started, then one already joined. */
  ASSERT_OK(sct_process_new(&p, "waitany.put_and_exit", NULL, 0));
  bad[1] = sct_wait_process(p);
  ASSERT_RC(sct_wait_any(bad, 2, 0, &which), SCT_ESTATE);
  ASSERT_OK(sct_process_free(p));
  sct_arg_t args[] = {SCT_AQUEUE(queue), SCT_AINT(0), SCT_AINT(0)};
  p = start_child("waitany.put_and_exit", args, 3);
  CU_ASSERT_FATAL(p != NULL);
  ASSERT_OK(sct_process_join(p, 60000));
  bad[1] = sct_wait_process(p);
  ASSERT_RC(sct_wait_any(bad, 2, 0, &which), SCT_ESTATE);
  ASSERT_OK(sct_process_free(p));
  CU_ASSERT_EQUAL(which, 99); /* never set by a refused call */

  ASSERT_OK(sct_queue_free(queue));
  ASSERT_OK(sct_event_free(event));
}

/* ---- one entry becomes possible ---- */

/* Ready at once: the first possible entry in order is done, and only it. */
static void test_first_ready_in_order(void) {
  sct_queue_t *a, *b;
  sct_sem_t *sem;
  int64_t one = 1, two = 2, got_a = 0, got_b = 0;
  unsigned value = 9;
  size_t which = 99;
  ASSERT_OK(sct_queue_new(&a, type_of('q'), 4, 0));
  ASSERT_OK(sct_queue_new(&b, type_of('q'), 4, 0));
  ASSERT_OK(sct_sem_new(&sem, 1, 0));
  ASSERT_OK(sct_queue_put(b, &two, 0));
  sct_wait_t w[3] = {sct_wait_queue_get(a, &got_a),
                     sct_wait_queue_get(b, &got_b), sct_wait_sem(sem)};
  ASSERT_OK(sct_wait_any(w, 3, 0, &which));
  CU_ASSERT_EQUAL(which, 1);
  CU_ASSERT_EQUAL(got_b, 2);
  CU_ASSERT_EQUAL(got_a, 0);
  ASSERT_OK(w[1].rc);
  ASSERT_OK(sct_sem_value(sem, &value));
  CU_ASSERT_EQUAL(value, 1); /* not taken: entry 1 was done */
  ASSERT_OK(sct_queue_put(a, &one, 0));
  ASSERT_OK(sct_wait_any(w, 3, 0, &which));
  CU_ASSERT_EQUAL(which, 0);
  CU_ASSERT_EQUAL(got_a, 1);
  ASSERT_OK(sct_wait_any(w, 3, 0, &which));
  CU_ASSERT_EQUAL(which, 2);
  ASSERT_OK(sct_sem_value(sem, &value));
  CU_ASSERT_EQUAL(value, 0);
  ASSERT_RC(sct_wait_any(w, 3, 0, &which), SCT_ETIMEDOUT);
  ASSERT_RC(sct_wait_any(w, 3, 50, &which), SCT_ETIMEDOUT);
  /* A closed, empty Queue is done at once, with its result. */
  ASSERT_OK(sct_queue_close(b));
  ASSERT_OK(sct_wait_any(w, 3, SCT_INFINITE, &which));
  CU_ASSERT_EQUAL(which, 1);
  ASSERT_RC(w[1].rc, SCT_ECLOSED);
  ASSERT_OK(sct_queue_free(a));
  ASSERT_OK(sct_queue_free(b));
  ASSERT_OK(sct_sem_free(sem));
}

/* A getter blocked on a Queue is woken by an Event another process sets
 * (the shutdown a worker pool needs). */
static void test_event_wakes_getter(void) {
  sct_queue_t *queue;
  sct_event_t *stop;
  int64_t item = 0;
  size_t which = 99;
  ASSERT_OK(sct_queue_new(&queue, type_of('q'), 4, 0));
  ASSERT_OK(sct_event_new(&stop));
  sct_arg_t args[] = {SCT_AEVENT(stop), SCT_AINT(100)};
  sct_process_t *p = start_child("waitany.set_later", args, 2);
  CU_ASSERT_FATAL(p != NULL);
  sct_wait_t w[2] = {sct_wait_queue_get(queue, &item), sct_wait_event(stop)};
  ASSERT_OK(sct_wait_any(w, 2, SCT_INFINITE, &which));
  CU_ASSERT_EQUAL(which, 1);
  CU_ASSERT_EQUAL(sct_event_is_set(stop), 1);
  CU_ASSERT_EQUAL(finish_child(p), 0);
  ASSERT_OK(sct_queue_free(queue));
  ASSERT_OK(sct_event_free(stop));
}

/* A set followed at once by a clear still ends the wait (as
 * sct_event_wait, as Python's Event.wait). */
static void test_event_pulse(void) {
  sct_event_t *event;
  size_t which = 99;
  ASSERT_OK(sct_event_new(&event));
  sct_arg_t args[] = {SCT_AEVENT(event)};
  sct_process_t *p = start_child("waitany.pulse", args, 1);
  CU_ASSERT_FATAL(p != NULL);
  sct_wait_t w = sct_wait_event(event);
  ASSERT_OK(sct_wait_any(&w, 1, 10000, &which));
  CU_ASSERT_EQUAL(which, 0);
  CU_ASSERT_EQUAL(finish_child(p), 0);
  CU_ASSERT_EQUAL(sct_event_is_set(event), 0);
  ASSERT_OK(sct_event_free(event));
}

/* A result, or the child's end: whichever comes (the parent's wait that
 * needed polling of sct_process_is_alive). */
static void test_result_or_child_end(void) {
  sct_queue_t *results;
  int64_t item = 0;
  int code = 0;
  size_t which = 99;
  ASSERT_OK(sct_queue_new(&results, type_of('q'), 4, 0));
  /* A child that ends without a result. */
  sct_arg_t quiet[] = {SCT_AQUEUE(results), SCT_AINT(0), SCT_AINT(100)};
  sct_process_t *p = start_child("waitany.put_and_exit", quiet, 3);
  CU_ASSERT_FATAL(p != NULL);
  sct_wait_t w[2] = {sct_wait_queue_get(results, &item), sct_wait_process(p)};
  ASSERT_OK(sct_wait_any(w, 2, SCT_INFINITE, &which));
  CU_ASSERT_EQUAL(which, 1);
  ASSERT_OK(sct_process_exitcode(p, &code));
  CU_ASSERT_EQUAL(code, 7);
  ASSERT_OK(sct_process_free(p));
  /* A child that sends a result, then ends. */
  sct_arg_t talking[] = {SCT_AQUEUE(results), SCT_AINT(42), SCT_AINT(100)};
  p = start_child("waitany.put_and_exit", talking, 3);
  CU_ASSERT_FATAL(p != NULL);
  w[1] = sct_wait_process(p);
  ASSERT_OK(sct_wait_any(w, 2, SCT_INFINITE, &which));
  CU_ASSERT_EQUAL(which, 0);
  CU_ASSERT_EQUAL(item, 42);
  ASSERT_OK(sct_wait_any(w, 2, SCT_INFINITE, &which));
  CU_ASSERT_EQUAL(which, 1);
  ASSERT_OK(sct_process_exitcode(p, &code));
  CU_ASSERT_EQUAL(code, 7);
  ASSERT_OK(sct_process_free(p));
  /* Only a child. */
  p = start_child("waitany.put_and_exit", quiet, 3);
  CU_ASSERT_FATAL(p != NULL);
  w[0] = sct_wait_process(p);
  ASSERT_OK(sct_wait_any(w, 1, SCT_INFINITE, &which));
  CU_ASSERT_EQUAL(which, 0);
  ASSERT_OK(sct_process_exitcode(p, &code));
  CU_ASSERT_EQUAL(code, 7);
  ASSERT_OK(sct_process_free(p));
  ASSERT_OK(sct_queue_free(results));
}

/* Room in a full Queue, and a Semaphore released by another process. */
static void test_room_and_semaphore(void) {
  sct_queue_t *queue;
  sct_sem_t *sem;
  int64_t one = 1, two = 2, got = 0;
  unsigned value = 9;
  size_t which = 99;
  ASSERT_OK(sct_queue_new(&queue, type_of('q'), 1, 0));
  ASSERT_OK(sct_sem_new(&sem, 0, 0));
  ASSERT_OK(sct_queue_put(queue, &one, 0));
  sct_arg_t qargs[] = {SCT_AQUEUE(queue)};
  sct_process_t *p = start_child("waitany.get_later", qargs, 1);
  CU_ASSERT_FATAL(p != NULL);
  sct_wait_t put = sct_wait_queue_put(queue, &two);
  ASSERT_OK(sct_wait_any(&put, 1, SCT_INFINITE, &which));
  CU_ASSERT_EQUAL(finish_child(p), 0);
  ASSERT_OK(sct_queue_get(queue, &got, 0));
  CU_ASSERT_EQUAL(got, 2);
  sct_arg_t sargs[] = {SCT_ASEM(sem)};
  p = start_child("waitany.release_later", sargs, 1);
  CU_ASSERT_FATAL(p != NULL);
  sct_wait_t w[2] = {sct_wait_queue_get(queue, &got), sct_wait_sem(sem)};
  ASSERT_OK(sct_wait_any(w, 2, SCT_INFINITE, &which));
  CU_ASSERT_EQUAL(which, 1);
  ASSERT_OK(sct_sem_value(sem, &value));
  CU_ASSERT_EQUAL(value, 0); /* acquired by the wait */
  CU_ASSERT_EQUAL(finish_child(p), 0);
  ASSERT_OK(sct_queue_free(queue));
  ASSERT_OK(sct_sem_free(sem));
}

/* ---- stress: wait-any consumers beside plain ones ---- */

/* Puts 1..ITEMS_EACH into the Queue. */
static int child_produce(const sct_args_t *args) {
  sct_queue_t *queue;
  if (sct_args_queue(args, 0, &queue) != 0)
    return 10;
  for (int64_t i = 1; i <= ITEMS_EACH; i++)
    if (sct_queue_put(queue, &i, SCT_INFINITE) != 0)
      return 11;
  return 0;
}

/* Takes from both Queues (arguments 0 and 1) until both are closed and
 * empty, through sct_wait_any (argument 4 set) or plain gets of the
 * first; its sum and missed wake-ups into slot argument 3 of arrays 2
 * (sums) and 5 (missed). */
static int child_consume(const sct_args_t *args) {
  sct_queue_t *q[2];
  sct_obj_t *sums, *missed;
  int64_t index, any, sum = 0, item;
  size_t which;
  if (sct_args_queue(args, 0, &q[0]) != 0 ||
      sct_args_queue(args, 1, &q[1]) != 0 || sct_args_obj(args, 2, &sums) != 0 ||
      sct_args_int(args, 3, &index) != 0 || sct_args_int(args, 4, &any) != 0 ||
      sct_args_obj(args, 5, &missed) != 0)
    return 10;
  if (!any) {
    int rc;
    while ((rc = sct_queue_get(q[0], &item, SCT_INFINITE)) == 0)
      sum += item;
    if (rc != SCT_ECLOSED)
      return 11;
  } else {
    sct_wait_t w[2] = {sct_wait_queue_get(q[0], &item),
                       sct_wait_queue_get(q[1], &item)};
    size_t open = 2;
    while (open > 0) {
      if (sct_wait_any(w, open, SCT_INFINITE, &which) != 0)
        return 12;
      if (w[which].rc == 0)
        sum += item;
      else if (w[which].rc == SCT_ECLOSED)
        w[which] = w[--open]; /* that one is done with */
      else
        return 13;
    }
  }
  if (sct_array_set_i64(sums, (size_t)index, sum) != 0 ||
      sct_array_set_i64(missed, (size_t)index, sct__waitword_missed) != 0)
    return 14;
  return 0;
}

static void test_stress_beside_plain_getters(void) {
  sct_queue_t *q[2];
  sct_obj_t *sums, *missed;
  sct_process_t *consumers[CONSUMERS], *producers[2];
  ASSERT_OK(sct_queue_new(&q[0], type_of('q'), 2, 0));
  ASSERT_OK(sct_queue_new(&q[1], type_of('q'), 2, 0));
  ASSERT_OK(sct_rawarray_new(&sums, type_of('q'), CONSUMERS, NULL));
  ASSERT_OK(sct_rawarray_new(&missed, type_of('q'), CONSUMERS, NULL));
  for (int i = 0; i < CONSUMERS; i++) {
    /* Consumer 0 gets plainly from the first Queue; the others wait on
     * both. */
    sct_arg_t args[] = {SCT_AQUEUE(q[0]), SCT_AQUEUE(q[1]), SCT_AOBJ(sums),
                        SCT_AINT(i),      SCT_AINT(i != 0), SCT_AOBJ(missed)};
    consumers[i] = start_child("waitany.consume", args, 6);
    CU_ASSERT_FATAL(consumers[i] != NULL);
  }
  for (int i = 0; i < 2; i++) {
    sct_arg_t args[] = {SCT_AQUEUE(q[i])};
    producers[i] = start_child("waitany.produce", args, 1);
    CU_ASSERT_FATAL(producers[i] != NULL);
  }
  for (int i = 0; i < 2; i++)
    CU_ASSERT_EQUAL(finish_child(producers[i]), 0);
  ASSERT_OK(sct_queue_close(q[0]));
  ASSERT_OK(sct_queue_close(q[1]));
  int64_t total = 0, lost = 0;
  for (int i = 0; i < CONSUMERS; i++) {
    int64_t sum = 0, m = 0;
    CU_ASSERT_EQUAL(finish_child(consumers[i]), 0);
    ASSERT_OK(sct_array_get_i64(sums, (size_t)i, &sum));
    ASSERT_OK(sct_array_get_i64(missed, (size_t)i, &m));
    total += sum;
    lost += m;
  }
  CU_ASSERT_EQUAL(total, (int64_t)2 * ITEMS_EACH * (ITEMS_EACH + 1) / 2);
  CU_ASSERT_EQUAL(lost, 0);
  for (int i = 0; i < 2; i++)
    ASSERT_OK(sct_queue_free(q[i]));
  ASSERT_OK(sct_obj_free(sums));
  ASSERT_OK(sct_obj_free(missed));
}

/* It polls exactly where the system cannot sleep on everything: on
 * Linux, asked here of the kernel (or of the emulator running this test,
 * qemu-user, which lacks futex_waitv) with the empty call that tells
 * "no such call" from "bad arguments". */
static void test_polls_only_where_it_must(void) {
#if defined(_WIN32)
  CU_ASSERT_EQUAL(sct_wait_any_polls(), 0);
#elif defined(__linux__)
#ifndef SYS_futex_waitv
#define SYS_futex_waitv 449 /* the same on every architecture sct builds for */
#endif
  long r = syscall(SYS_futex_waitv, NULL, 0, 0, NULL, 1 /* CLOCK_MONOTONIC */);
  int have = !(r == -1 && errno == ENOSYS);
  if (!have)
    fprintf(stderr, "\n  (no futex_waitv here: sct_wait_any must poll)\n");
  CU_ASSERT_EQUAL(sct_wait_any_polls(), !have);
#else
  CU_ASSERT_EQUAL(sct_wait_any_polls(), 1);
#endif
}

static CU_TestInfo tests[] = {
    {"bad entries refused, the entry named", test_bad_entries},
    {"the first possible entry, in order", test_first_ready_in_order},
    {"an Event wakes a Queue getter", test_event_wakes_getter},
    {"an Event pulse", test_event_pulse},
    {"a result or the child's end", test_result_or_child_end},
    {"room in a Queue, a Semaphore", test_room_and_semaphore},
    {"stress beside plain getters: exact, nothing missed",
     test_stress_beside_plain_getters},
    {"polls only where it must", test_polls_only_where_it_must},
    CU_TEST_INFO_NULL};

static const sct_target_t targets[] = {
    {"waitany.set_later", child_set_later},
    {"waitany.pulse", child_pulse},
    {"waitany.release_later", child_release_later},
    {"waitany.get_later", child_get_later},
    {"waitany.put_and_exit", child_put_and_exit},
    {"waitany.produce", child_produce},
    {"waitany.consume", child_consume},
};

const test_suite_t suite_waitany = {"waitany", tests, targets,
                                    sizeof targets / sizeof targets[0], NULL};

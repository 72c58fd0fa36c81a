/*
 * A pool of worker processes that survives a killed worker.
 *
 * Workers take task numbers from a Queue; a BoundedSemaphore lets at most
 * LIMIT of them compute at once; an Event tells them to stop (a worker
 * waits for a task or the Event in one sct_wait_any). One task
 * hangs the worker that takes it, and the pool kills that worker as a
 * crash would (SIGKILL; TerminateProcess on Windows). The pool then does
 * what the dead worker can no longer do: it gives back the semaphore
 * unit the worker held, puts its task back in the queue, and starts a
 * replacement. For that a worker records, in shared memory and before it
 * starts a task, which task it holds: what a process owned must be
 * written where the survivors can read it after its death.
 *
 * Every task must be done exactly once, and no more than LIMIT at once.
 *
 *   pool [--start fork|spawn]
 */
#include "example.h"

#define TASKS 40
#define WORKERS 4
#define LIMIT 2
#define HANGING_TASK 17
#define NONE (-1)

/* What the pool shares, as objects in shared memory. */
typedef struct pool {
  sct_queue_t *tasks;
  sct_sem_t *slots;     /* LIMIT units: who may compute now */
  sct_event_t *stop;    /* set when every task is done */
  sct_obj_t *holding;   /* Array: the task each worker holds, or NONE */
  sct_obj_t *done;      /* Array: how often each task was done */
  sct_obj_t *results;   /* Array: each task's result */
  sct_obj_t *running;   /* Value: workers computing now */
  sct_obj_t *most;      /* Value: the most ever computing at once */
  sct_obj_t *hung;      /* Value: 1 once the hanging task hung a worker */
} pool_t;

/* The work itself: a little arithmetic that takes a moment. */
static int64_t compute(int64_t task) {
  uint64_t x = (uint64_t)task + 1;
  for (int i = 0; i < 2000000; i++)
    x = x * 6364136223846793005u + 1442695040888963407u;
  return (int64_t)(x >> 33);
}

/* Notes that one more worker computes, keeping the most ever. */
static void start_computing(pool_t *p) {
  int64_t now, seen = 0;
  check(sct_value_add(p->running, 1, &now), "running");
  now++;
  check(sct_value_get_i64(p->most, &seen), "most");
  while (now > seen && sct_value_cas(p->most, &seen, now) == SCT_ESTATE)
    ;
}

static void unpack(const sct_args_t *args, pool_t *p, int64_t *me) {
  check(sct_args_queue(args, 0, &p->tasks), "args");
  check(sct_args_sem(args, 1, &p->slots), "args");
  check(sct_args_event(args, 2, &p->stop), "args");
  check(sct_args_obj(args, 3, &p->holding), "args");
  check(sct_args_obj(args, 4, &p->done), "args");
  check(sct_args_obj(args, 5, &p->results), "args");
  check(sct_args_obj(args, 6, &p->running), "args");
  check(sct_args_obj(args, 7, &p->most), "args");
  check(sct_args_obj(args, 8, &p->hung), "args");
  check(sct_args_int(args, 9, me), "args");
}

/* Whether this worker is the one the hanging task hangs: the first to
 * take it. */
static int hangs(pool_t *p, int64_t task) {
  int64_t never = 0;
  return task == HANGING_TASK && sct_value_cas(p->hung, &never, 1) == 0;
}

static int worker(const sct_args_t *args) {
  pool_t p;
  int64_t me, task;
  unpack(args, &p, &me);
  /* One wait for a task or the stop: no polling, and the stop is seen
   * the moment it is set. */
  sct_wait_t next[2] = {sct_wait_queue_get(p.tasks, &task),
                        sct_wait_event(p.stop)};
  for (;;) {
    size_t which;
    check(sct_wait_any(next, 2, SCT_INFINITE, &which), "wait");
    if (which == 1 || next[0].rc == SCT_ECLOSED)
      break;
    check(next[0].rc, "get task");
    check(sct_sem_acquire(p.slots, SCT_INFINITE), "slot");
    /* Held from here: the task and a slot. Recorded first. */
    check(sct_array_set_i64(p.holding, (size_t)me, task), "holding");
    start_computing(&p);
    if (hangs(&p, task))
      (void)sct_event_wait(p.stop, SCT_INFINITE); /* until killed */
    check(sct_array_set_i64(p.results, (size_t)task, compute(task)), "result");
    check(sct_array_add(p.done, (size_t)task, 1, NULL), "done");
    check(sct_value_add(p.running, -1, NULL), "running");
    check(sct_array_set_i64(p.holding, (size_t)me, NONE), "holding");
    check(sct_sem_release(p.slots), "slot");
  }
  return 0;
}

static int64_t get(sct_obj_t *array, size_t i) {
  int64_t v = 0;
  check(sct_array_get_i64(array, i, &v), "get");
  return v;
}

/* Starts worker number @p me. */
static sct_process_t *start_worker(const pool_t *p, int64_t me) {
  sct_arg_t args[] = {SCT_AQUEUE(p->tasks), SCT_ASEM(p->slots),
                      SCT_AEVENT(p->stop),  SCT_AOBJ(p->holding),
                      SCT_AOBJ(p->done),    SCT_AOBJ(p->results),
                      SCT_AOBJ(p->running), SCT_AOBJ(p->most),
                      SCT_AOBJ(p->hung),    SCT_AINT(me)};
  return start("worker", args, 10);
}

static int all_done(const pool_t *p) {
  for (size_t t = 0; t < TASKS; t++)
    if (get(p->done, t) == 0)
      return 0;
  return 1;
}

int main(int argc, char **argv) {
  static const sct_target_t targets[] = {{"worker", worker}};
  check(sct_main(argc, argv, targets, 1), "sct_main");
  start_option_only(argc, argv, "pool");
  const sct_type_t *q;
  check(sct_type_from_code('q', &q), "type");
  pool_t p;
  int64_t none[WORKERS * 2];
  for (size_t w = 0; w < WORKERS * 2; w++)
    none[w] = NONE;
  check(sct_queue_new(&p.tasks, q, TASKS, 0), "Queue");
  check(sct_sem_new(&p.slots, LIMIT, 1), "BoundedSemaphore");
  check(sct_event_new(&p.stop), "Event");
  check(sct_array_new(&p.holding, q, WORKERS * 2, none, NULL), "holding");
  check(sct_array_new(&p.done, q, TASKS, NULL, NULL), "done");
  check(sct_array_new(&p.results, q, TASKS, NULL, NULL), "results");
  check(sct_value_new(&p.running, q, NULL, NULL), "running");
  check(sct_value_new(&p.most, q, NULL, NULL), "most");
  check(sct_value_new(&p.hung, q, NULL, NULL), "hung");
  for (int64_t t = 0; t < TASKS; t++)
    check(sct_queue_put(p.tasks, &t, SCT_INFINITE), "put task");

  sct_process_t *workers[WORKERS * 2];
  int started = 0, killed = 0;
  for (; started < WORKERS; started++)
    workers[started] = start_worker(&p, started);
  /* Watch: a worker on the hanging task for a second is killed; a dead
   * worker's task and slot are given back and it is replaced. */
  int watched = 0;
  while (!all_done(&p)) {
    (void)sct_event_wait(p.stop, 10); /* not set: a 10 ms pause */
    for (int w = 0; w < started; w++) {
      if (!workers[w] || sct_process_is_alive(workers[w]) == 1) {
        if (workers[w] && get(p.holding, (size_t)w) == HANGING_TASK &&
            ++watched == 100) {
          check(sct_process_kill(workers[w]), "kill");
          watched = 0;
        }
        continue;
      }
      int code = 0;
      check(sct_process_join(workers[w], SCT_INFINITE), "join");
      check(sct_process_exitcode(workers[w], &code), "exitcode");
      check(sct_process_free(workers[w]), "free");
      workers[w] = NULL;
      killed++;
      int64_t task = get(p.holding, (size_t)w);
      if (task != NONE) {
        check(sct_value_add(p.running, -1, NULL), "running");
        check(sct_sem_release(p.slots), "give back the slot");
        check(sct_queue_put(p.tasks, &task, SCT_INFINITE), "re-queue");
        check(sct_array_set_i64(p.holding, (size_t)w, NONE), "holding");
      }
      if (started == WORKERS * 2) {
        fprintf(stderr, "pool: too many workers died\n");
        return 1;
      }
      workers[started] = start_worker(&p, started);
      started++;
    }
  }
  check(sct_event_set(p.stop), "stop");
  for (int w = 0; w < started; w++)
    if (workers[w])
      finish(workers[w]);

  int once = 1, right = 1;
  for (size_t t = 0; t < TASKS; t++) {
    once &= get(p.done, t) == 1;
    right &= get(p.results, t) == compute((int64_t)t);
  }
  printf("tasks: %d, each done exactly once: %s, results right: %s\n", TASKS,
         once ? "yes" : "NO", right ? "yes" : "NO");
  int64_t most = 0;
  check(sct_value_get_i64(p.most, &most), "most");
  printf("at most %d computing at once: %s\n", LIMIT,
         most >= 1 && most <= LIMIT ? "yes" : "NO");
  printf("workers killed: %d, replaced: %d\n", killed, started - WORKERS);
  return 0;
}

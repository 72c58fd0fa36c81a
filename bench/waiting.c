/*
 * Waiting primitives against the raw OS: a Queue against a pipe carrying
 * the same bytes (one producer process, one consumer), and a Condition
 * ping-pong against a process-shared pthread mutex + condition variable.
 * Children are forked directly: these figures are about the primitives,
 * not about starting processes.
 */
#include "bench.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_ITEM 256

static const sct_type_t *bytes_type(size_t size) {
  const sct_type_t *q;
  sct_type_t *t;
  if (size == 8) {
    check(sct_type_from_code('q', &q), "type");
    return q;
  }
  sct_field_t f[] = {{"bytes", 'B', NULL, 0, size}};
  check(sct_type_new_struct(&t, "bytes", size, 1, f, 1), "type");
  return t;
}

/* Items per second through an sct Queue. */
static double queue_rate(size_t size, long n) {
  sct_queue_t *q;
  unsigned char item[MAX_ITEM] = {0};
  check(sct_queue_new(&q, bytes_type(size), 1024, 0), "queue");
  double start = now_s();
  pid_t pid = fork();
  if (pid == 0) {
    for (long i = 0; i < n; i++)
      if (sct_queue_put(q, item, SCT_INFINITE) != 0)
        _exit(1);
    _exit(0);
  }
  for (long i = 0; i < n; i++)
    check(sct_queue_get(q, item, SCT_INFINITE), "queue get");
  double rate = (double)n / (now_s() - start);
  finish(pid);
  check(sct_queue_free(q), "queue free");
  return rate;
}

/* Items per second through a pipe, one write and one read per item. */
static double pipe_rate(size_t size, long n) {
  int fds[2];
  unsigned char item[MAX_ITEM] = {0};
  if (pipe(fds) != 0)
    check(SCT_EOS, "pipe");
  double start = now_s();
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    for (long i = 0; i < n; i++)
      if (write(fds[1], item, size) != (ssize_t)size)
        _exit(1);
    _exit(0);
  }
  close(fds[1]);
  for (long i = 0; i < n; i++) {
    size_t got = 0;
    while (got < size) {
      ssize_t r = read(fds[0], item + got, size - got);
      if (r <= 0)
        check(SCT_EOS, "pipe read");
      got += (size_t)r;
    }
  }
  double rate = (double)n / (now_s() - start);
  close(fds[0]);
  finish(pid);
  return rate;
}

static void queue_versus_pipe(const bench_opts_t *o) {
  static const size_t sizes[] = {8, 256};
  long n = o->quick ? 20000 : 500000;
  for (size_t i = 0; i < 2; i++) {
    double s[MAX_REPS], p[MAX_REPS];
    for (int r = 0; r < o->reps; r++) {
      s[r] = queue_rate(sizes[i], n);
      p[r] = pipe_rate(sizes[i], n);
    }
    char name[64];
    snprintf(name, sizeof name, "queue_%zuB_sct", sizes[i]);
    report_median(name, s, o->reps, "items/s");
    snprintf(name, sizeof name, "queue_%zuB_pipe", sizes[i]);
    report_median(name, p, o->reps, "items/s");
    snprintf(name, sizeof name, "queue_%zuB_sct_vs_pipe", sizes[i]);
    report_ratio(name, s, p, o->reps);
  }
}

/* ---- put-to-get latency: one item at a time, the getter asleep ---- */

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* How an item travels: through a Queue or a pipe. */
typedef struct channel {
  sct_queue_t *queue;
  int fds[2];
  size_t size;
} channel_t;

static void channel_send(channel_t *c, const unsigned char *item) {
  if (c->queue)
    check(sct_queue_put(c->queue, item, SCT_INFINITE), "queue put");
  else if (write(c->fds[1], item, c->size) != (ssize_t)c->size)
    _exit(1);
}

static void channel_receive(channel_t *c, unsigned char *item) {
  if (c->queue) {
    check(sct_queue_get(c->queue, item, SCT_INFINITE), "queue get");
    return;
  }
  for (size_t got = 0; got < c->size;) {
    ssize_t r = read(c->fds[0], item + got, c->size - got);
    if (r <= 0)
      _exit(1);
    got += (size_t)r;
  }
}

static int compare_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

/*
 * The parent sends @p n items, each stamped with the time it was sent,
 * waiting 50 us between them so that the child is asleep when each
 * arrives; the child records each item's latency in shared memory.
 * Returns the sorted latencies in ns (shared memory).
 */
static int64_t *latencies(channel_t *c, long n) {
  int64_t *lat = shared_memory((size_t)n * sizeof *lat);
  unsigned char item[MAX_ITEM] = {0};
  pid_t pid = fork();
  if (pid == 0) {
    for (long i = 0; i < n; i++) {
      int64_t sent;
      channel_receive(c, item);
      memcpy(&sent, item, sizeof sent);
      lat[i] = now_ns() - sent;
    }
    _exit(0);
  }
  for (long i = 0; i < n; i++) {
    struct timespec pause = {0, 50000};
    nanosleep(&pause, NULL);
    int64_t sent = now_ns();
    memcpy(item, &sent, sizeof sent);
    channel_send(c, item);
  }
  finish(pid);
  qsort(lat, (size_t)n, sizeof *lat, compare_i64);
  return lat;
}

/* The 50th and 99th percentile latency (us) of @p n items through @p c. */
static void percentiles(channel_t *c, long n, double *p50, double *p99) {
  int64_t *lat = latencies(c, n);
  *p50 = (double)lat[n / 2] / 1e3;
  *p99 = (double)lat[n * 99 / 100] / 1e3;
  munmap(lat, (size_t)n * sizeof *lat);
}

static void report_latency(const char *what, size_t size, const double *p50,
                           const double *p99, int reps) {
  char name[64];
  snprintf(name, sizeof name, "latency_%zuB_%s_p50", size, what);
  report_median(name, p50, reps, "us");
  snprintf(name, sizeof name, "latency_%zuB_%s_p99", size, what);
  report_median(name, p99, reps, "us");
}

/* Each repetition sends its share of the items through both channels. */
static void put_get_latency(const bench_opts_t *o) {
  static const size_t sizes[] = {8, 256};
  long n = (o->quick ? 2000 : 20000) / o->reps;
  for (size_t i = 0; i < 2; i++) {
    channel_t q = {NULL, {-1, -1}, sizes[i]}, p = {NULL, {-1, -1}, sizes[i]};
    double q50[MAX_REPS], q99[MAX_REPS], p50[MAX_REPS], p99[MAX_REPS];
    check(sct_queue_new(&q.queue, bytes_type(sizes[i]), 1024, 0), "queue");
    if (pipe(p.fds) != 0)
      check(SCT_EOS, "pipe");
    for (int r = 0; r < o->reps; r++) {
      percentiles(&q, n, &q50[r], &q99[r]);
      percentiles(&p, n, &p50[r], &p99[r]);
    }
    report_latency("sct", sizes[i], q50, q99, o->reps);
    report_latency("pipe", sizes[i], p50, p99, o->reps);
    char name[64];
    snprintf(name, sizeof name, "latency_%zuB_p99_sct_vs_pipe", sizes[i]);
    report_ratio(name, q99, p99, o->reps);
    check(sct_queue_free(q.queue), "queue free");
    close(p.fds[0]);
    close(p.fds[1]);
  }
}

/* ---- an idle waiter: how often it wakes ---- */

static void idle_waiter(const bench_opts_t *o) {
  sct_queue_t *q;
  int64_t item;
  int seconds = o->quick ? 2 : 5;
  check(sct_queue_new(&q, bytes_type(8), 4, 0), "queue");
  pid_t pid = fork();
  if (pid == 0)
    _exit(sct_queue_get(q, &item, SCT_INFINITE) == 0 ? 0 : 1);
  report_idle_wakeups("queue_idle_getter_wakeups", pid, seconds);
  item = 1;
  check(sct_queue_put(q, &item, SCT_INFINITE), "queue put");
  finish(pid);
  check(sct_queue_free(q), "queue free");
}

/* ---- parties blocked at a Barrier: how often they wake in all ---- */

/* @p parties - 1 processes wait at a Barrier of @p parties; each wake-up
 * is one slice's liveness check of a neighbour (src/sync/barrier.c), so the
 * figure grows with the parties, not with their square. */
static void blocked_barrier(const bench_opts_t *o, int parties) {
  sct_barrier_t *barrier;
  long pids[64];
  int seconds = o->quick ? 2 : 5;
  check(sct_barrier_new(&barrier, (unsigned)parties, NULL, NULL), "barrier");
  for (int i = 0; i < parties - 1; i++) {
    pid_t pid = fork();
    if (pid == 0)
      _exit(sct_barrier_wait(barrier, SCT_INFINITE, NULL) == 0 ? 0 : 1);
    pids[i] = pid;
  }
  char name[64];
  snprintf(name, sizeof name, "barrier_%d_blocked_wakeups", parties - 1);
  report_idle_wakeups_of(name, pids, parties - 1, seconds);
  check(sct_barrier_wait(barrier, SCT_INFINITE, NULL), "barrier wait");
  for (int i = 0; i < parties - 1; i++)
    finish(pids[i]);
  check(sct_barrier_free(barrier), "barrier free");
}

/* ---- ping-pong: whose turn it is, handed back and forth ---- */

typedef struct raw_pingpong {
  pthread_mutex_t mutex;
  pthread_cond_t cond;
  long turn;
} raw_pingpong_t;

static void raw_player(raw_pingpong_t *pp, long me, long rounds) {
  for (long r = 0; r < rounds; r++) {
    pthread_mutex_lock(&pp->mutex);
    while (pp->turn != me)
      pthread_cond_wait(&pp->cond, &pp->mutex);
    pp->turn = 1 - me;
    pthread_cond_signal(&pp->cond);
    pthread_mutex_unlock(&pp->mutex);
  }
}

/* Microseconds per round trip with a pthread mutex + condition. */
static double raw_pingpong(long rounds) {
  raw_pingpong_t *pp = shared_memory(sizeof *pp);
  pthread_mutexattr_t ma;
  pthread_condattr_t ca;
  pthread_mutexattr_init(&ma);
  pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
  pthread_condattr_init(&ca);
  pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED);
  pthread_mutex_init(&pp->mutex, &ma);
  pthread_cond_init(&pp->cond, &ca);
  double start = now_s();
  pid_t pid = fork();
  if (pid == 0) {
    raw_player(pp, 1, rounds);
    _exit(0);
  }
  raw_player(pp, 0, rounds);
  finish(pid);
  return (now_s() - start) * 1e6 / (double)rounds;
}

typedef struct sct_turn {
  long *turn;
  long me;
} sct_turn_t;

static int is_my_turn(void *ctx) {
  const sct_turn_t *t = ctx;
  return *t->turn == t->me;
}

static void sct_player(sct_cond_t *c, long *turn, long me, long rounds) {
  sct_turn_t t = {turn, me};
  for (long r = 0; r < rounds; r++) {
    check(sct_cond_acquire(c, SCT_INFINITE), "cond acquire");
    check(sct_cond_wait_for(c, is_my_turn, &t, SCT_INFINITE), "cond wait");
    *turn = 1 - me;
    check(sct_cond_notify(c, 1), "notify");
    check(sct_cond_release(c), "cond release");
  }
}

/* Microseconds per round trip with an sct Condition over a Lock. */
static double sct_pingpong(long rounds) {
  sct_lock_t *lock;
  sct_cond_t *c;
  long *turn = shared_memory(sizeof *turn);
  check(sct_lock_new(&lock, SCT_LOCK), "lock");
  check(sct_cond_new(&c, lock), "cond");
  double start = now_s();
  pid_t pid = fork();
  if (pid == 0) {
    sct_player(c, turn, 1, rounds);
    _exit(0);
  }
  sct_player(c, turn, 0, rounds);
  finish(pid);
  double us = (now_s() - start) * 1e6 / (double)rounds;
  check(sct_cond_free(c), "cond free");
  check(sct_lock_free(lock), "lock free");
  return us;
}

static void pingpong(const bench_opts_t *o) {
  long rounds = o->quick ? 2000 : 50000;
  double s[MAX_REPS], r[MAX_REPS];
  for (int i = 0; i < o->reps; i++) {
    s[i] = sct_pingpong(rounds);
    r[i] = raw_pingpong(rounds);
  }
  report_median("cond_pingpong_sct", s, o->reps, "us");
  report_median("cond_pingpong_pthread", r, o->reps, "us");
  report_ratio("cond_pingpong_sct_vs_pthread", s, r, o->reps);
}

void bench_waiting(const bench_opts_t *o) {
  queue_versus_pipe(o);
  put_get_latency(o);
  idle_waiter(o);
  blocked_barrier(o, 9);
  blocked_barrier(o, 33);
  pingpong(o);
}

/*
 * Lock figures: uncontended and contended increments with sct's Lock and
 * RLock against a raw process-shared robust pthread mutex, atomic add
 * against a raw atomic fetch-add, and how long a blocked waiter takes to
 * learn that the holder was killed.
 */
#include "bench.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- sct ---- */

static void sct_obj_lock(void *arg) {
  sct_obj_acquire(arg, SCT_INFINITE);
}
static void sct_obj_unlock(void *arg) {
  sct_obj_release(arg);
}

/* Fills in sct's lock functions (for apr.c's side-by-side runs). */
void bench_sct_ops(lock_ops_t *ops) {
  ops->lock = sct_obj_lock;
  ops->unlock = sct_obj_unlock;
}

/* ---- raw baseline: robust, process-shared pthread mutex ---- */

static void robust_lock(void *arg) {
  if (pthread_mutex_lock(arg) == EOWNERDEAD)
    pthread_mutex_consistent(arg);
}
static void robust_unlock(void *arg) {
  pthread_mutex_unlock(arg);
}

/* ---- the anchor of the speed target: a bare compare-and-swap spin lock
 * (no owner, no death detection, no sleeping), through the same harness
 * (the indirect call costs it what it costs sct) ---- */

static void cas_lock(void *arg) {
  atomic_int *word = arg;
  int expected = 0;
  while (!atomic_compare_exchange_weak_explicit(
      word, &expected, 1, memory_order_acquire, memory_order_relaxed))
    expected = 0;
}
static void cas_unlock(void *arg) {
  atomic_store_explicit((atomic_int *)arg, 0, memory_order_release);
}

static pthread_mutex_t *robust_mutex(void) {
  pthread_mutex_t *m = shared_memory(sizeof *m);
  pthread_mutexattr_t a;
  pthread_mutexattr_init(&a);
  pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
  pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
  pthread_mutex_init(m, &a);
  return m;
}

static sct_obj_t *value_with(sct_lock_kind_t kind) {
  const sct_type_t *q;
  sct_obj_t *v;
  sct_lock_t *lock = NULL;
  check(sct_type_from_code('q', &q), "type");
  if (kind == SCT_LOCK)
    check(sct_lock_new(&lock, SCT_LOCK), "lock");
  check(sct_value_new(&v, q, NULL, lock), "value");
  if (lock)
    sct_lock_free(lock);
  return v;
}

static void uncontended(const bench_opts_t *o, const lock_ops_t *raw) {
  const sct_lock_kind_t kinds[2] = {SCT_RLOCK, SCT_LOCK};
  const char *names[2] = {"uncontended_rlock_incr", "uncontended_lock_incr"};
  const char *vs_cas[2] = {"uncontended_rlock_vs_cas", "uncontended_lock_vs_cas"};
  double raw_ns[MAX_REPS], cas_ns[MAX_REPS], ns[MAX_REPS];
  report("uncontended_robust_mutex_incr", time_uncontended(o, raw, raw_ns),
         "ns");
  atomic_int *word = shared_memory(sizeof *word);
  lock_ops_t cas = {"cas", cas_lock, cas_unlock, word, raw->counter};
  report("uncontended_cas_spin_incr", time_uncontended(o, &cas, cas_ns), "ns");
  for (int k = 0; k < 2; k++) {
    sct_obj_t *v = value_with(kinds[k]);
    lock_ops_t ops = {names[k], sct_obj_lock, sct_obj_unlock, v,
                      sct_obj_ptr(v)};
    report(names[k], time_uncontended(o, &ops, ns), "ns");
    report_ratio(names[k], ns, raw_ns, o->reps);
    report_ratio(vs_cas[k], ns, cas_ns, o->reps);
    sct_obj_free(v);
  }
}

/* Reports the medians of an sct loop and its raw baseline (ns each) and
 * their ratio: sct / raw, or raw / sct when @p as_speed. */
static void report_versus(const bench_opts_t *o, const char *sct_name,
                          const double *sct_ns, const char *raw_name,
                          const double *raw_ns, const char *ratio_name,
                          int as_speed) {
  report_median(sct_name, sct_ns, o->reps, "ns");
  report_median(raw_name, raw_ns, o->reps, "ns");
  if (as_speed)
    report_ratio(ratio_name, raw_ns, sct_ns, o->reps);
  else
    report_ratio(ratio_name, sct_ns, raw_ns, o->reps);
}

/* A locked read: sct_value_get_i64 against lock; read; unlock. */
static void locked_read(const bench_opts_t *o, pthread_mutex_t *m,
                        long long *shared) {
  long n = o->quick ? 2000000 : 10000000;
  double sct_t[MAX_REPS], raw_t[MAX_REPS];
  sct_obj_t *v = value_with(SCT_RLOCK);
  volatile long long sink = 0;
  for (int r = 0; r < o->reps; r++) {
    double start = now_s();
    for (long i = 0; i < n; i++) {
      int64_t x;
      sct_value_get_i64(v, &x);
      sink += x;
    }
    sct_t[r] = (now_s() - start) / (double)n * 1e9;
    start = now_s();
    for (long i = 0; i < n; i++) {
      robust_lock(m);
      sink += *(volatile long long *)shared;
      robust_unlock(m);
    }
    raw_t[r] = (now_s() - start) / (double)n * 1e9;
  }
  report_versus(o, "locked_read_sct", sct_t, "locked_read_robust_mutex", raw_t,
                "locked_read", 0);
  sct_obj_free(v);
}

static void contended(const bench_opts_t *o, const lock_ops_t *raw) {
  /* 8 and 32: oversubscribed on two cores, where spinning for an owner
   * that is not running only costs. */
  const int procs[4] = {2, 4, 8, 32};
  for (int i = 0; i < 4; i++) {
    char name[64];
    double raw_fair, fair;
    contended_detail_t raw_detail, detail;
    double raw_rate = time_contended(o, raw, procs[i], &raw_fair, &raw_detail);
    snprintf(name, sizeof name, "contended%d_robust_mutex", procs[i]);
    report(name, raw_rate, "ops/s");
    snprintf(name, sizeof name, "fairness%d_robust_mutex", procs[i]);
    report(name, raw_fair, "share");
    sct_obj_t *v = value_with(SCT_RLOCK);
    lock_ops_t ops = {"sct", sct_obj_lock, sct_obj_unlock, v, sct_obj_ptr(v)};
    double rate = time_contended(o, &ops, procs[i], &fair, &detail);
    snprintf(name, sizeof name, "contended%d_sct", procs[i]);
    report(name, rate, "ops/s");
    report_ratio(name, detail.rates, raw_detail.rates, o->reps);
    /* Each percentile is the median over the repetitions of that
     * repetition's percentile. */
    static const char *const pct[4] = {"p50", "p99", "p999", "max"};
    for (int k = 0; k < 4; k++) {
      snprintf(name, sizeof name, "wait%d_%s_robust_mutex", procs[i], pct[k]);
      report_median(name, raw_detail.wait_us[k], o->reps, "us");
      snprintf(name, sizeof name, "wait%d_%s_sct", procs[i], pct[k]);
      report_median(name, detail.wait_us[k], o->reps, "us");
    }
    snprintf(name, sizeof name, "wait%d_p99_sct_vs_robust", procs[i]);
    report_ratio(name, detail.wait_us[1], raw_detail.wait_us[1], o->reps);
    snprintf(name, sizeof name, "fairness%d_sct", procs[i]);
    report(name, fair, "share");
    sct_obj_free(v);
  }
}

static void atomic_add(const bench_opts_t *o) {
  long n = o->quick ? 5000000 : 20000000;
  double sct_t[MAX_REPS], raw_t[MAX_REPS];
  const sct_type_t *q;
  sct_obj_t *v;
  check(sct_type_from_code('q', &q), "type");
  check(sct_rawvalue_new(&v, q, NULL), "value");
  _Atomic long long *raw = shared_memory(sizeof *raw);
  for (int r = 0; r < o->reps; r++) {
    double start = now_s();
    for (long i = 0; i < n; i++)
      sct_value_add(v, 1, NULL);
    sct_t[r] = (now_s() - start) / (double)n * 1e9;
    start = now_s();
    for (long i = 0; i < n; i++)
      atomic_fetch_add(raw, 1);
    raw_t[r] = (now_s() - start) / (double)n * 1e9;
  }
  report_versus(o, "atomic_add_sct", sct_t, "atomic_add_raw", raw_t,
                "atomic_add_speed", 1);
  /* The fast path: a counter checked once, an inline add. */
  sct_counter_t counter;
  check(sct_value_counter(v, &counter), "counter");
  for (int r = 0; r < o->reps; r++) {
    double start = now_s();
    for (long i = 0; i < n; i++)
      sct_counter_add(counter, 1);
    sct_t[r] = (now_s() - start) / (double)n * 1e9;
    start = now_s();
    for (long i = 0; i < n; i++)
      atomic_fetch_add(raw, 1);
    raw_t[r] = (now_s() - start) / (double)n * 1e9;
  }
  report_versus(o, "atomic_add_counter_sct", sct_t, "atomic_add_counter_raw",
                raw_t, "atomic_add_counter_speed", 1);
  sct_obj_free(v);
}

/* ---- owner death ---- */

typedef struct killer {
  sct_process_t *holder;
  volatile int *waiting;
  double killed_at;
} killer_t;

static void *kill_when_waited(void *arg) {
  killer_t *k = arg;
  while (!*k->waiting) {
  }
  /* The waiter is asleep in acquire by then. The death falls at a
   * uniformly random moment of the next 40 ms, so the figures sample
   * every phase of the waiter's periodic checks (whose period is 20 ms
   * or less) evenly. */
  usleep(5000 + (useconds_t)(rand() % 40000));
  k->killed_at = now_s();
  sct_process_kill(k->holder);
  return NULL;
}

/* The holder: takes the lock, says so, and waits to be killed. */
int bench_hold_target(const sct_args_t *args) {
  sct_lock_t *lock;
  sct_obj_t *flag;
  if (sct_args_lock(args, 0, &lock) != 0 || sct_args_obj(args, 1, &flag) != 0 ||
      sct_lock_acquire(lock, SCT_INFINITE) != 0)
    return 1;
  sct_value_set_i64(flag, 1);
  for (;;)
    pause();
}

static void owner_death(const bench_opts_t *o) {
  int rounds = o->quick ? 10 : 20;
  double ms[32];
  /* Other phases in every run: unseeded, rand() gave each run the same
   * ten deaths, and the same figures whatever the period. */
  srand((unsigned)(now_s() * 1e6) ^ (unsigned)getpid());
  for (int r = 0; r < rounds; r++) {
    sct_lock_t *lock;
    sct_obj_t *flag;
    const sct_type_t *q;
    volatile int waiting = 0;
    check(sct_type_from_code('q', &q), "type");
    check(sct_lock_new(&lock, SCT_LOCK), "lock");
    check(sct_rawvalue_new(&flag, q, NULL), "flag");
    sct_arg_t args[] = {SCT_ALOCK(lock), SCT_AOBJ(flag)};
    killer_t k = {NULL, &waiting, 0};
    check(sct_process_new(&k.holder, "hold", args, 2), "process");
    check(sct_process_start(k.holder), "start");
    int64_t held = 0;
    while (held == 0)
      sct_value_get_i64(flag, &held);
    pthread_t t;
    pthread_create(&t, NULL, kill_when_waited, &k);
    waiting = 1;
    int rc = sct_lock_acquire(lock, SCT_INFINITE);
    double seen = now_s();
    pthread_join(t, NULL);
    if (rc != SCT_EOWNERDEAD) {
      fprintf(stderr, "sct_bench: owner death not reported: %s\n",
              sct_err_name(rc));
      exit(1);
    }
    ms[r] = (seen - k.killed_at) * 1e3;
    sct_lock_release(lock);
    sct_process_join(k.holder, SCT_INFINITE);
    sct_process_free(k.holder);
    sct_lock_free(lock);
    sct_obj_free(flag);
  }
  double med = median(ms, rounds); /* sorts ms */
  report("owner_death_min", ms[0], "ms");
  report("owner_death_median", med, "ms");
  report("owner_death_max", ms[rounds - 1], "ms");
}

/* A process blocked on a Lock held for seconds: how often it wakes (its
 * periodic checks that the holder still lives). */
static void idle_lock_waiter(const bench_opts_t *o) {
  sct_lock_t *lock;
  int seconds = o->quick ? 2 : 5;
  check(sct_lock_new(&lock, SCT_LOCK), "lock");
  check(sct_lock_acquire(lock, SCT_INFINITE), "acquire");
  pid_t pid = fork();
  if (pid == 0) {
    int rc = sct_lock_acquire(lock, SCT_INFINITE);
    _exit(rc == 0 && sct_lock_release(lock) == 0 ? 0 : 1);
  }
  report_idle_wakeups("lock_idle_waiter_wakeups", pid, seconds);
  check(sct_lock_release(lock), "release");
  finish(pid);
  check(sct_lock_free(lock), "lock free");
}

/* A hundred processes blocked on one Lock: how often they wake in all
 * (one watcher checks the holder every 15 ms, the others sleep a second
 * at a time), and how soon one of them learns that the holder was
 * killed. */
#define CROWD 100

typedef struct crowd {
  volatile double told_at; /* when a waiter got SCT_EOWNERDEAD */
  volatile int held;
} crowd_t;

static void crowd_round(const bench_opts_t *o, crowd_t *c, int count_wakeups,
                        double *ms) {
  sct_lock_t *lock;
  long pids[CROWD];
  check(sct_lock_new(&lock, SCT_LOCK), "lock");
  c->told_at = 0;
  c->held = 0;
  pid_t holder = fork();
  if (holder == 0) {
    if (sct_lock_acquire(lock, SCT_INFINITE) == 0)
      c->held = 1;
    for (;;)
      pause();
  }
  while (!c->held)
    usleep(100);
  for (int i = 0; i < CROWD; i++) {
    pid_t pid = fork();
    if (pid == 0) {
      int rc = sct_lock_acquire(lock, SCT_INFINITE);
      if (rc == SCT_EOWNERDEAD)
        c->told_at = now_s();
      _exit((rc == 0 || rc == SCT_EOWNERDEAD) && sct_lock_release(lock) == 0
                ? 0
                : 1);
    }
    pids[i] = pid;
  }
  if (count_wakeups)
    report_idle_wakeups_of("lock_crowd100_wakeups", pids, CROWD,
                           o->quick ? 2 : 5);
  else
    sleep(1); /* all asleep */
  /* A death at a random phase of the watcher's slices. */
  usleep(5000 + (useconds_t)(rand() % 40000));
  double killed_at = now_s();
  kill(holder, SIGKILL);
  waitpid(holder, NULL, 0);
  for (int i = 0; i < CROWD; i++)
    finish(pids[i]);
  if (c->told_at == 0) {
    fprintf(stderr, "sct_bench: no waiter was told of the death\n");
    exit(1);
  }
  *ms = (c->told_at - killed_at) * 1e3;
  check(sct_lock_free(lock), "lock free");
}

static void crowd_on_lock(const bench_opts_t *o) {
  int rounds = o->quick ? 3 : 9;
  double ms[16];
  crowd_t *c = shared_memory(sizeof *c);
  for (int r = 0; r < rounds; r++)
    crowd_round(o, c, r == 0, &ms[r]);
  double med = median(ms, rounds); /* sorts ms */
  report("lock_crowd100_death_median", med, "ms");
  report("lock_crowd100_death_max", ms[rounds - 1], "ms");
}

void bench_locks(const bench_opts_t *o) {
  pthread_mutex_t *m = robust_mutex();
  long long *counter = shared_memory(sizeof *counter);
  lock_ops_t raw = {"robust_mutex", robust_lock, robust_unlock, m, counter};
  uncontended(o, &raw);
  locked_read(o, m, counter);
  contended(o, &raw);
  atomic_add(o);
  owner_death(o);
  idle_lock_waiter(o);
  crowd_on_lock(o);
}

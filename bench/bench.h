/* Shared declarations of sct_bench (see bench/README.md); the shared
 * helpers are in report.c, main in sct_bench.c. */
#ifndef SCT_BENCH_H
#define SCT_BENCH_H

#include <sct.h>

#include <stddef.h>

/* How hard to work: --quick cuts iterations and windows. */
typedef struct bench_opts {
  int quick;
  int reps; /* repetitions per figure; the median is reported */
} bench_opts_t;

/* Prints "name value unit". */
void report(const char *name, double value, const char *unit);
/* Repetitions of a figure at most (bench_opts_t.reps). */
#define MAX_REPS 16
/* Prints "name median unit" of @p n repetitions' values; returns the
 * median. */
double report_median(const char *name, const double *values, int n,
                     const char *unit);
/* Remembers the ratio num[r] / den[r] of each of @p n repetitions (each
 * pair measured in the same repetition). */
void report_ratio(const char *name, const double *num, const double *den,
                  int n);
/* Prints every ratio remembered: "ratio_<name> median x", then
 * "spread_<name> min median max" over its repetitions. */
void print_ratios(void);

double now_s(void);
double median(double *values, int n);
/* Stops the benchmark with a message when an sct call failed. */
void check(int rc, const char *what);
/* Zeroed shared anonymous memory, for the raw baselines. */
void *shared_memory(size_t size);
/* Waits for forked benchmark child @p pid; ends the benchmark if the
 * child failed. */
void finish(long pid);
/* Reports as @p name how often process @p pid, blocked for good, wakes:
 * voluntary context switches per second over @p seconds, after one
 * second to fall asleep (stderr says why when there is no /proc). */
void report_idle_wakeups(const char *name, long pid, int seconds);
/* The same, summed over @p n processes. */
void report_idle_wakeups_of(const char *name, const long *pids, int n,
                            int seconds);

/*
 * A lock under test, as function pointers so sct and every baseline run
 * through the same harness (the indirect call costs them all the same).
 */
typedef struct lock_ops {
  const char *name;
  void (*lock)(void *arg);
  void (*unlock)(void *arg);
  void *arg;
  long long *counter; /* in shared memory */
} lock_ops_t;

/* ns per uncontended lock; increment; unlock, in each repetition
 * (@p ns[o->reps]); returns their median. */
double time_uncontended(const bench_opts_t *o, const lock_ops_t *ops,
                        double *ns);
/* What a contended run saw besides its median rate. */
typedef struct contended_detail {
  double rates[MAX_REPS]; /* ops/s, one per repetition */
  /* p50, p99, p99.9 and max wait of the sampled acquires of each
   * repetition */
  double wait_us[4][MAX_REPS];
} contended_detail_t;

/* @p procs processes incrementing under the lock for a window: ops/s,
 * with the exact count checked and fairness (min share / fair share)
 * returned in @p fairness; @p detail (may be NULL) gets the rest. */
double time_contended(const bench_opts_t *o, const lock_ops_t *ops, int procs,
                      double *fairness, contended_detail_t *detail);


/* Sets @p ops' lock and unlock to sct's (the arg is an sct_obj_t *). */
void bench_sct_ops(lock_ops_t *ops);

void bench_locks(const bench_opts_t *o);
void bench_objects(const bench_opts_t *o);
void bench_processes(const bench_opts_t *o);
/* The argument on which sct_bench exits at once, before anything else
 * (the raw baseline of a spawn: the same program loaded and ended). */
#define BENCH_EXIT_AT_ONCE "--exit-at-once"
void bench_apr(const bench_opts_t *o);
void bench_waiting(const bench_opts_t *o);
/* Fills in sct's find-by-name time (ns) of each repetition, for
 * bench_space_boost. */
void bench_space(const bench_opts_t *o, double *find_ns);
void bench_space_boost(const bench_opts_t *o, const double *sct_find_ns);

/* Targets started by the process benchmarks. */
int bench_nop_target(const sct_args_t *args);
int bench_hold_target(const sct_args_t *args);

#endif

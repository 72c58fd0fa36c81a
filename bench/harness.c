/* The lock harness: the same loops for sct and for every baseline. */
#include "bench.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_PROCS 32

double time_uncontended(const bench_opts_t *o, const lock_ops_t *ops,
                        double *t) {
  long n = o->quick ? 2000000 : 10000000;
  double sorted[MAX_REPS];
  for (int r = 0; r < o->reps; r++) {
    double start = now_s();
    for (long i = 0; i < n; i++) {
      ops->lock(ops->arg);
      (*ops->counter)++;
      ops->unlock(ops->arg);
    }
    sorted[r] = t[r] = (now_s() - start) / (double)n * 1e9;
  }
  return median(sorted, o->reps);
}

/* Every SAMPLE_EVERY-th acquire is timed (timing every one would cost
 * more than the acquires themselves), at most MAX_SAMPLES per process. */
#define SAMPLE_EVERY 64
#define MAX_SAMPLES 65536

/* Shared between the contenders and the parent. */
typedef struct race {
  volatile int go;
  volatile int stop;
  long long done[MAX_PROCS];
  int nsamples[MAX_PROCS];
  float wait_us[MAX_PROCS][MAX_SAMPLES];
} race_t;

static void contend(const lock_ops_t *ops, race_t *race, int me) {
  long long mine = 0;
  int n = 0;
  while (!race->go) {
  }
  while (!race->stop) {
    if ((mine & (SAMPLE_EVERY - 1)) == 0 && n < MAX_SAMPLES) {
      double before = now_s();
      ops->lock(ops->arg);
      race->wait_us[me][n++] = (float)((now_s() - before) * 1e6);
    } else {
      ops->lock(ops->arg);
    }
    (*ops->counter)++;
    ops->unlock(ops->arg);
    mine++;
  }
  race->done[me] = mine;
  race->nsamples[me] = n;
  _exit(0);
}

static int compare_floats(const void *a, const void *b) {
  float x = *(const float *)a, y = *(const float *)b;
  return (x > y) - (x < y);
}

/* The wait percentiles over every process's samples of a repetition,
 * into out[k][rep]. */
static void wait_percentiles(const race_t *race, int procs,
                             double out[4][MAX_REPS], int rep) {
  size_t total = 0;
  for (int i = 0; i < procs; i++)
    total += (size_t)race->nsamples[i];
  float *all = malloc((total ? total : 1) * sizeof *all);
  if (!all)
    return;
  size_t at = 0;
  for (int i = 0; i < procs; i++)
    for (int j = 0; j < race->nsamples[i]; j++)
      all[at++] = race->wait_us[i][j];
  qsort(all, total, sizeof *all, compare_floats);
  static const double at_fraction[3] = {0.5, 0.99, 0.999};
  for (int k = 0; k < 3; k++)
    out[k][rep] =
        total ? all[(size_t)(at_fraction[k] * (double)(total - 1))] : 0;
  out[3][rep] = total ? all[total - 1] : 0;
  free(all);
}

double time_contended(const bench_opts_t *o, const lock_ops_t *ops, int procs,
                      double *fairness, contended_detail_t *detail) {
  double window = o->quick ? 0.25 : 1.0;
  double rate[MAX_REPS], fair[MAX_REPS];
  race_t *race = shared_memory(sizeof *race);
  for (int r = 0; r < o->reps; r++) {
    pid_t pids[MAX_PROCS];
    race->go = race->stop = 0;
    *ops->counter = 0;
    for (int i = 0; i < procs; i++) {
      pids[i] = fork();
      if (pids[i] == 0)
        contend(ops, race, i);
    }
    usleep(20000); /* all started */
    double start = now_s();
    race->go = 1;
    usleep((useconds_t)(window * 1e6));
    race->stop = 1;
    double elapsed = now_s() - start;
    long long total = 0, least = -1;
    for (int i = 0; i < procs; i++) {
      int status;
      waitpid(pids[i], &status, 0);
      total += race->done[i];
      if (least < 0 || race->done[i] < least)
        least = race->done[i];
    }
    if (total != *ops->counter) {
      fprintf(stderr,
              "sct_bench: %s lost increments: %lld counted, %lld done\n",
              ops->name, *ops->counter, total);
      exit(1);
    }
    rate[r] = (double)total / elapsed;
    fair[r] = (double)least / ((double)total / procs);
    if (detail) {
      detail->rates[r] = rate[r];
      wait_percentiles(race, procs, detail->wait_us, r);
    }
  }
  munmap(race, sizeof *race);
  *fairness = median(fair, o->reps);
  return median(rate, o->reps);
}

/* The lock harness: the same loops for sct and for every baseline. */
#include "bench.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_PROCS 8

double time_uncontended(const bench_opts_t *o, const lock_ops_t *ops) {
  long n = o->quick ? 2000000 : 10000000;
  double t[16];
  for (int r = 0; r < o->reps; r++) {
    double start = now_s();
    for (long i = 0; i < n; i++) {
      ops->lock(ops->arg);
      (*ops->counter)++;
      ops->unlock(ops->arg);
    }
    t[r] = (now_s() - start) / (double)n * 1e9;
  }
  return median(t, o->reps);
}

/* Shared between the contenders and the parent. */
typedef struct race {
  volatile int go;
  volatile int stop;
  long long done[MAX_PROCS];
} race_t;

static void contend(const lock_ops_t *ops, race_t *race, int me) {
  long long mine = 0;
  while (!race->go) {
  }
  while (!race->stop) {
    ops->lock(ops->arg);
    (*ops->counter)++;
    ops->unlock(ops->arg);
    mine++;
  }
  race->done[me] = mine;
  _exit(0);
}

double time_contended(const bench_opts_t *o, const lock_ops_t *ops, int procs,
                      double *fairness) {
  double window = o->quick ? 0.25 : 1.0;
  double rate[16], fair[16];
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
  }
  *fairness = median(fair, o->reps);
  return median(rate, o->reps);
}

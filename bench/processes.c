/*
 * Process figures: start+join with fork against raw fork+waitpid, and
 * with spawn against raw posix_spawn of a tiny program (/bin/true) and of
 * this very program told to exit at once (what a spawn must pay anyway:
 * it re-executes the program, whose loading /bin/true does not show).
 */
#include "bench.h"

#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* ms per start+join, in each repetition (@p t[o->reps]). */
static void sct_start_join(const bench_opts_t *o, sct_start_method_t m,
                           double *t) {
  int n = o->quick ? 30 : 200;
  for (int r = 0; r < o->reps; r++) {
    double start = now_s();
    for (int i = 0; i < n; i++) {
      sct_process_t *p;
      check(sct_process_new(&p, "nop", NULL, 0), "process");
      check(sct_process_set_start_method(p, m), "method");
      check(sct_process_start(p), "start");
      check(sct_process_join(p, SCT_INFINITE), "join");
      sct_process_free(p);
    }
    t[r] = (now_s() - start) / n * 1e3;
  }
}

/* ms per fork+waitpid, in each repetition. */
static void raw_fork(const bench_opts_t *o, double *t) {
  int n = o->quick ? 30 : 200;
  for (int r = 0; r < o->reps; r++) {
    double start = now_s();
    for (int i = 0; i < n; i++) {
      pid_t pid = fork();
      if (pid == 0)
        _exit(0);
      waitpid(pid, NULL, 0);
    }
    t[r] = (now_s() - start) / n * 1e3;
  }
}

/* ms per posix_spawn+waitpid of @p path with @p argv, in each
 * repetition. */
static void raw_posix_spawn(const bench_opts_t *o, const char *path,
                            char **argv, double *t) {
  int n = o->quick ? 30 : 200;
  for (int r = 0; r < o->reps; r++) {
    double start = now_s();
    for (int i = 0; i < n; i++) {
      pid_t pid;
      if (posix_spawn(&pid, path, NULL, NULL, argv, environ) != 0) {
        fprintf(stderr, "sct_bench: posix_spawn %s failed\n", path);
        exit(1);
      }
      waitpid(pid, NULL, 0);
    }
    t[r] = (now_s() - start) / n * 1e3;
  }
}

void bench_processes(const bench_opts_t *o) {
  double fork_ms[MAX_REPS], raw[MAX_REPS];
  sct_start_join(o, SCT_START_FORK, fork_ms);
  raw_fork(o, raw);
  report_median("process_fork_sct", fork_ms, o->reps, "ms");
  report_median("process_fork_raw", raw, o->reps, "ms");
  report_ratio("process_fork", fork_ms, raw, o->reps);
  double spawn_ms[MAX_REPS], raw_spawn[MAX_REPS], raw_self[MAX_REPS];
  sct_start_join(o, SCT_START_SPAWN, spawn_ms);
  char *true_argv[] = {"true", NULL};
  char *self_argv[] = {"sct_bench", BENCH_EXIT_AT_ONCE, NULL};
  char self[4096];
  ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
  check(len > 0 ? 0 : SCT_EOS, "readlink /proc/self/exe");
  self[len] = '\0';
  raw_posix_spawn(o, "/bin/true", true_argv, raw_spawn);
  raw_posix_spawn(o, self, self_argv, raw_self);
  report_median("process_spawn_sct", spawn_ms, o->reps, "ms");
  report_median("process_spawn_raw_posix_spawn", raw_spawn, o->reps, "ms");
  report_median("process_spawn_raw_posix_spawn_self", raw_self, o->reps, "ms");
  report_ratio("process_spawn", spawn_ms, raw_spawn, o->reps);
  report_ratio("process_spawn_vs_self", spawn_ms, raw_self, o->reps);
}

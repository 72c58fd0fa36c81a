/*
 * Process figures: start+join with fork against raw fork+waitpid, and
 * with spawn against raw posix_spawn of a tiny program (/bin/true).
 */
#include "bench.h"

#include <spawn.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static double sct_start_join(const bench_opts_t *o, sct_start_method_t m) {
  int n = o->quick ? 30 : 200;
  double t[16];
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
  return median(t, o->reps);
}

static double raw_fork(const bench_opts_t *o) {
  int n = o->quick ? 30 : 200;
  double t[16];
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
  return median(t, o->reps);
}

static double raw_posix_spawn(const bench_opts_t *o) {
  int n = o->quick ? 30 : 200;
  double t[16];
  char *argv[] = {"true", NULL};
  for (int r = 0; r < o->reps; r++) {
    double start = now_s();
    for (int i = 0; i < n; i++) {
      pid_t pid;
      if (posix_spawn(&pid, "/bin/true", NULL, NULL, argv, environ) == 0)
        waitpid(pid, NULL, 0);
    }
    t[r] = (now_s() - start) / n * 1e3;
  }
  return median(t, o->reps);
}

void bench_processes(const bench_opts_t *o) {
  double fork_ms = sct_start_join(o, SCT_START_FORK), raw = raw_fork(o);
  report("process_fork_sct", fork_ms, "ms");
  report("process_fork_raw", raw, "ms");
  report_ratio("process_fork", fork_ms / raw);
  double spawn_ms = sct_start_join(o, SCT_START_SPAWN);
  double raw_spawn = raw_posix_spawn(o);
  report("process_spawn_sct", spawn_ms, "ms");
  report("process_spawn_raw_posix_spawn", raw_spawn, "ms");
  report_ratio("process_spawn", spawn_ms / raw_spawn);
}

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

/* ms per posix_spawn+waitpid of @p path with @p argv. */
static double raw_posix_spawn(const bench_opts_t *o, const char *path,
                              char **argv) {
  int n = o->quick ? 30 : 200;
  double t[16];
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
  return median(t, o->reps);
}

void bench_processes(const bench_opts_t *o) {
  double fork_ms = sct_start_join(o, SCT_START_FORK), raw = raw_fork(o);
  report("process_fork_sct", fork_ms, "ms");
  report("process_fork_raw", raw, "ms");
  report_ratio("process_fork", fork_ms / raw);
  double spawn_ms = sct_start_join(o, SCT_START_SPAWN);
  char *true_argv[] = {"true", NULL};
  char *self_argv[] = {"sct_bench", BENCH_EXIT_AT_ONCE, NULL};
  char self[4096];
  ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
  check(len > 0 ? 0 : SCT_EOS, "readlink /proc/self/exe");
  self[len] = '\0';
  double raw_spawn = raw_posix_spawn(o, "/bin/true", true_argv);
  double raw_self = raw_posix_spawn(o, self, self_argv);
  report("process_spawn_sct", spawn_ms, "ms");
  report("process_spawn_raw_posix_spawn", raw_spawn, "ms");
  report("process_spawn_raw_posix_spawn_self", raw_self, "ms");
  report_ratio("process_spawn", spawn_ms / raw_spawn);
  report_ratio("process_spawn_vs_self", spawn_ms / raw_self);
}

/*
 * sct_bench: sct against raw OS primitives, measured side by side in one
 * run. Prints "name value unit" per figure, then "ratio_<name> value x"
 * lines (each from the same run), and exits 0.
 *
 *   sct_bench [--quick] [--only GROUP]...
 *
 * GROUP: processes, waiting, space, locks, apr or objects (groups of
 * figures, for working on one thing; the ratios hold within a group);
 * --only may be given once per group.
 */
#include "bench.h"

#include <stdio.h>
#include <string.h>

int bench_nop_target(const sct_args_t *args) {
  (void)args;
  return 0;
}

static int group_named(const char *const *groups, int n, const char *name) {
  for (int i = 0; i < n; i++)
    if (strcmp(groups[i], name) == 0)
      return 1;
  return 0;
}

/* Whether the group @p name runs, given the @p n groups named by --only
 * (all when none is). */
static int runs(const char *const *only, int n, const char *name) {
  return n == 0 || group_named(only, n, name);
}

int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], BENCH_EXIT_AT_ONCE) == 0)
    return 0;
  static const sct_target_t targets[] = {{"nop", bench_nop_target},
                                         {"hold", bench_hold_target}};
  check(sct_main(argc, argv, targets, 2), "sct_main");
  bench_opts_t o = {0, 5};
  const char *only[6];
  int nonly = 0;
  static const char *const groups[] = {"processes", "waiting", "space",
                                       "locks",     "apr",     "objects"};
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--quick") == 0) {
      o.quick = 1;
      o.reps = 3;
    } else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc &&
               group_named(groups, 6, argv[i + 1]) && nonly < 6) {
      only[nonly++] = argv[++i];
    } else {
      fprintf(stderr,
              "usage: %s [--quick] [--only processes|waiting|space|"
              "locks|apr|objects]\n",
              argv[0]);
      return 2;
    }
  }
  /* Processes first: fork copies page tables, so it is timed while this
   * process is still small (the million-Value run grows it). */
  if (runs(only, nonly, "processes"))
    bench_processes(&o);
  if (runs(only, nonly, "waiting"))
    bench_waiting(&o);
  if (runs(only, nonly, "space")) {
    double find_ns[MAX_REPS];
    bench_space(&o, find_ns);
    bench_space_boost(&o, find_ns);
  }
  if (runs(only, nonly, "locks"))
    bench_locks(&o);
  if (runs(only, nonly, "apr"))
    bench_apr(&o);
  if (runs(only, nonly, "objects"))
    bench_objects(&o);
  print_ratios();
  return 0;
}

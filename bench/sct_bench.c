/*
 * sct_bench: sct against raw OS primitives, measured side by side in one
 * run. Prints "name value unit" per figure, then "ratio_<name> value x"
 * lines (each from the same run), and exits 0.
 *
 *   sct_bench [--quick]
 */
#include "bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define MAX_RATIOS 64

static struct {
  char name[64];
  double value;
} ratios[MAX_RATIOS];
static int nratios;

void report(const char *name, double value, const char *unit) {
  printf("%s %.6g %s\n", name, value, unit);
  fflush(stdout);
}

void report_ratio(const char *name, double value) {
  if (nratios < MAX_RATIOS) {
    snprintf(ratios[nratios].name, sizeof ratios[0].name, "%s", name);
    ratios[nratios++].value = value;
  }
}

void report_spread(const char *name, const double *values, int n) {
  double sorted[16];
  for (int i = 0; i < n; i++)
    sorted[i] = values[i];
  double mid = median(sorted, n); /* sorts */
  printf("spread_%s %.4g %.4g %.4g min/median/max\n", name, sorted[0], mid,
         sorted[n - 1]);
  fflush(stdout);
}

double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int compare_doubles(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

double median(double *values, int n) {
  qsort(values, (size_t)n, sizeof *values, compare_doubles);
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

void check(int rc, const char *what) {
  if (rc != 0 && rc != SCT_EOWNERDEAD) {
    fprintf(stderr, "sct_bench: %s: %s\n", what, sct_err_name(rc));
    exit(1);
  }
}

void *shared_memory(size_t size) {
  void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                 -1, 0);
  if (p == MAP_FAILED) {
    perror("sct_bench: mmap");
    exit(1);
  }
  return p;
}

int bench_nop_target(const sct_args_t *args) {
  (void)args;
  return 0;
}

int main(int argc, char **argv) {
  static const sct_target_t targets[] = {{"nop", bench_nop_target},
                                         {"hold", bench_hold_target}};
  check(sct_main(argc, argv, targets, 2), "sct_main");
  bench_opts_t o = {0, 5};
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--quick") == 0) {
      o.quick = 1;
      o.reps = 3;
    } else {
      fprintf(stderr, "usage: %s [--quick]\n", argv[0]);
      return 2;
    }
  }
  /* Processes first: fork copies page tables, so it is timed while this
   * process is still small (the million-Value run grows it). */
  bench_processes(&o);
  bench_waiting(&o);
  bench_space_boost(&o, bench_space(&o));
  bench_locks(&o);
  bench_apr(&o);
  bench_objects(&o);
  for (int i = 0; i < nratios; i++)
    printf("ratio_%s %.3f x\n", ratios[i].name, ratios[i].value);
  return 0;
}

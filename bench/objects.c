/*
 * Object figures: a million and (full runs) ten million synchronized
 * Values (time, bytes each, mappings), summing a million-element double Array
 * under one lock against a malloc'd array, and making and freeing a raw Array
 * of sizes around the heap's arena thresholds.
 */
#include "bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define MANY 1000000

static double resident_bytes(void) {
  long pages = 0, resident = 0;
  FILE *f = fopen("/proc/self/statm", "r");
  if (f) {
    if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
      resident = 0;
    fclose(f);
  }
  return (double)resident * (double)sysconf(_SC_PAGESIZE);
}

/* Reports the figure "<name>_<suffix>". */
static void report_named(const char *name, const char *suffix, double value,
                         const char *unit) {
  char figure[64];
  snprintf(figure, sizeof figure, "%s_%s", name, suffix);
  report(figure, value, unit);
}

/* Makes @p count synchronized Values (each its own RLock) and frees them:
 * figures named "<name>_*". The bytes per Value are resident memory
 * (handles and shared memory) with the benchmark's own pointer array
 * left out: it is touched before the first measure. */
static void many_values(long count, const char *name) {
  const sct_type_t *q;
  sct_heap_stats_t before, after;
  sct_obj_t **objs = calloc((size_t)count, sizeof *objs);
  check(objs ? 0 : SCT_ENOMEM, "calloc");
  for (long i = 0; i < count; i++)
    objs[i] = NULL; /* calloc's pages may not be resident yet */
  check(sct_type_from_code('q', &q), "type");
  check(sct_heap_stats(&before), "stats");
  double rss = resident_bytes(), start = now_s();
  for (long i = 0; i < count; i++)
    check(sct_value_new(&objs[i], q, &(long long){i}, NULL), "value");
  double made = now_s() - start;
  check(sct_heap_stats(&after), "stats");
  report_named(name, "create", made, "s");
  report_named(name, "create_per_value", made / (double)count * 1e9, "ns");
  report_named(name, "rss_per_value", (resident_bytes() - rss) / (double)count,
               "B");
  report_named(name, "shared_per_value",
               (double)(after.used_bytes - before.used_bytes) / (double)count,
               "B");
  report_named(name, "mappings", (double)after.arenas, "mappings");
  start = now_s();
  for (long i = 0; i < count; i++)
    sct_obj_free(objs[i]);
  report_named(name, "free", now_s() - start, "s");
  free(objs);
}

static void array_sum(const bench_opts_t *o) {
  const sct_type_t *d;
  sct_obj_t *arr;
  double sct_t[MAX_REPS], raw_t[MAX_REPS];
  double *local = malloc(MANY * sizeof *local);
  check(local ? 0 : SCT_ENOMEM, "malloc");
  check(sct_type_from_code('d', &d), "type");
  double start = now_s();
  check(sct_array_new(&arr, d, MANY, NULL, NULL), "array");
  report("array_1m_create", (now_s() - start) * 1e3, "ms");
  double *shared = sct_obj_ptr(arr);
  for (long i = 0; i < MANY; i++)
    shared[i] = local[i] = (double)i;
  volatile double sink = 0;
  for (int r = 0; r < o->reps; r++) {
    start = now_s();
    check(sct_obj_acquire(arr, SCT_INFINITE), "acquire");
    double sum = 0;
    for (long i = 0; i < MANY; i++)
      sum += shared[i];
    check(sct_obj_release(arr), "release");
    sct_t[r] = (now_s() - start) * 1e3;
    sink += sum;
    start = now_s();
    sum = 0;
    for (long i = 0; i < MANY; i++)
      sum += local[i];
    raw_t[r] = (now_s() - start) * 1e3;
    sink += sum;
  }
  report_median("array_1m_sum_sct", sct_t, o->reps, "ms");
  report_median("array_1m_sum_malloc", raw_t, o->reps, "ms");
  report_ratio("array_1m_sum", sct_t, raw_t, o->reps);
  sct_obj_free(arr);
  free(local);
}

/* Alloc + free of one raw 'B' Array, repeated, in microseconds per
 * cycle, after a first 64 MiB of arenas has grown the heap (the case
 * that used to reserve and release a whole arena every cycle). */
static void alloc_free_by_size(const bench_opts_t *o) {
  static const size_t kib[] = {1, 64, 1000, 1100, 16384};
  const sct_type_t *b;
  sct_obj_t *grown[7];
  check(sct_type_from_code('B', &b), "type");
  /* Arenas of 1, 2, ... 64 MiB, each all but full. */
  for (int i = 0; i < 7; i++)
    check(sct_rawarray_new(&grown[i], b, ((size_t)1 << (20 + i)) - 64, NULL),
          "array");
  for (size_t k = 0; k < sizeof kib / sizeof kib[0]; k++) {
    double times[MAX_REPS];
    int cycles = o->reps > 3 ? 200 : 50;
    for (int r = 0; r < o->reps; r++) {
      double start = now_s();
      for (int c = 0; c < cycles; c++) {
        sct_obj_t *a;
        check(sct_rawarray_new(&a, b, kib[k] * 1024, NULL), "array");
        sct_obj_free(a);
      }
      times[r] = (now_s() - start) * 1e6 / cycles;
    }
    char name[64];
    snprintf(name, sizeof name, "alloc_free_%zuk", kib[k]);
    report(name, median(times, o->reps), "us");
  }
  for (int i = 0; i < 7; i++)
    sct_obj_free(grown[i]);
}

void bench_objects(const bench_opts_t *o) {
  alloc_free_by_size(o); /* first: on a heap no other figure has grown */
  many_values(MANY, "values_1m");
  /* 10 million: about 1.2 GB, so not in the quick run CI makes. */
  if (!o->quick)
    many_values(10 * MANY, "values_10m");
  array_sum(o);
}

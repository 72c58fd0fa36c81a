/*
 * What every benchmark group of sct_bench shares (bench.h): printing
 * figures and ratios, the median and spread of repetitions, time, shared
 * memory for the raw baselines, children, and wake-ups of sleepers.
 */
#include "bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_RATIOS 64

/* A ratio of every repetition, sorted. */
static struct {
  char name[64];
  double values[MAX_REPS];
  int n;
} ratios[MAX_RATIOS];
static int nratios;

void report(const char *name, double value, const char *unit) {
  printf("%s %.6g %s\n", name, value, unit);
  fflush(stdout);
}

double report_median(const char *name, const double *values, int n,
                     const char *unit) {
  double sorted[MAX_REPS];
  for (int i = 0; i < n; i++)
    sorted[i] = values[i];
  double mid = median(sorted, n);
  report(name, mid, unit);
  return mid;
}

void report_ratio(const char *name, const double *num, const double *den,
                  int n) {
  if (nratios == MAX_RATIOS || n < 1 || n > MAX_REPS)
    return;
  snprintf(ratios[nratios].name, sizeof ratios[0].name, "%s", name);
  for (int r = 0; r < n; r++)
    ratios[nratios].values[r] = num[r] / den[r];
  ratios[nratios].n = n;
  (void)median(ratios[nratios].values, n); /* sorts */
  nratios++;
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

/* The median of @p n sorted values. */
static double middle(const double *sorted, int n) {
  return n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

double median(double *values, int n) {
  qsort(values, (size_t)n, sizeof *values, compare_doubles);
  return middle(values, n);
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

void finish(long pid) {
  int status;
  if (waitpid((pid_t)pid, &status, 0) != (pid_t)pid || !WIFEXITED(status) ||
      WEXITSTATUS(status) != 0) {
    fprintf(stderr, "sct_bench: a benchmark child failed\n");
    _exit(1);
  }
}

/* Voluntary context switches of process @p pid so far (each is a wake-up
 * after a sleep), or -1 without /proc. */
static long wakeups_of(long pid) {
  char path[64], line[256];
  long n = -1;
  snprintf(path, sizeof path, "/proc/%ld/status", pid);
  FILE *f = fopen(path, "r");
  if (!f)
    return -1;
  while (fgets(line, sizeof line, f))
    if (sscanf(line, "voluntary_ctxt_switches: %ld", &n) == 1)
      break;
  fclose(f);
  return n;
}

/* CPU time of process @p pid so far, user and system, in clock ticks;
 * -1 without /proc. */
static long cpu_ticks_of(long pid) {
  char path[64], text[1024];
  snprintf(path, sizeof path, "/proc/%ld/stat", pid);
  FILE *f = fopen(path, "r");
  if (!f)
    return -1;
  size_t n = fread(text, 1, sizeof text - 1, f);
  fclose(f);
  text[n] = '\0';
  char *p = strrchr(text, ')');
  unsigned long utime, stime;
  if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
                   &utime, &stime) != 2)
    return -1;
  return (long)(utime + stime);
}

/* Sums @p of over @p n processes; -1 when any is unknown. */
static long sum_of(long (*of)(long), const long *pids, int n) {
  long sum = 0;
  for (int i = 0; i < n; i++) {
    long got = of(pids[i]);
    if (got < 0)
      return -1;
    sum += got;
  }
  return sum;
}

void report_idle_wakeups_of(const char *name, const long *pids, int n,
                            int seconds) {
  sleep(1); /* asleep by now */
  long before = sum_of(wakeups_of, pids, n);
  long cpu_before = sum_of(cpu_ticks_of, pids, n);
  sleep((unsigned)seconds);
  long after = sum_of(wakeups_of, pids, n);
  long cpu_after = sum_of(cpu_ticks_of, pids, n);
  if (before < 0 || after < 0 || cpu_before < 0 || cpu_after < 0) {
    fprintf(stderr, "sct_bench: no /proc: %s not measured\n", name);
    return;
  }
  report(name, (double)(after - before) / seconds, "per_s");
  if (n > 1) { /* what the sleepers cost in all, in % of one CPU */
    char cpu[96];
    snprintf(cpu, sizeof cpu, "%.*s_cpu", (int)(strlen(name) - 8), name);
    report(cpu,
           100.0 * (double)(cpu_after - cpu_before) / sysconf(_SC_CLK_TCK) /
               seconds,
           "percent");
  }
}

void report_idle_wakeups(const char *name, long pid, int seconds) {
  report_idle_wakeups_of(name, &pid, 1, seconds);
}


void print_ratios(void) {
  for (int i = 0; i < nratios; i++)
    printf("ratio_%s %.3f x\n", ratios[i].name,
           middle(ratios[i].values, ratios[i].n));
  for (int i = 0; i < nratios; i++) {
    const double *v = ratios[i].values;
    int n = ratios[i].n;
    printf("spread_%s %.4g %.4g %.4g min/median/max of %d\n", ratios[i].name,
           v[0], middle(v, n), v[n - 1], n);
  }
}

/*
 * APR side by side: the same lock workloads with apr_proc_mutex over
 * apr_shm, with APR's default mechanism and with POSIX semaphores. Built
 * when CMake finds APR (Debian's libapr1-dev); otherwise it says so.
 */
#include "bench.h"

#include <stdio.h>

#ifdef SCT_BENCH_HAVE_APR
#include <apr_general.h>
#include <apr_proc_mutex.h>
#include <apr_shm.h>

static void apr_lock(void *arg) {
  apr_proc_mutex_lock(arg);
}
static void apr_unlock(void *arg) {
  apr_proc_mutex_unlock(arg);
}

/* Runs the uncontended and contended workloads with one mechanism and
 * compares sct's figures (measured again here, in the same run). */
static void one_mechanism(const bench_opts_t *o, apr_pool_t *pool,
                          apr_lockmech_e mech, const char *label) {
  apr_proc_mutex_t *m;
  apr_shm_t *shm;
  char name[96];
  if (apr_proc_mutex_create(&m, NULL, mech, pool) != APR_SUCCESS ||
      apr_shm_create(&shm, sizeof(long long), NULL, pool) != APR_SUCCESS) {
    fprintf(stderr, "sct_bench: APR %s mutex unavailable\n", label);
    return;
  }
  long long *counter = apr_shm_baseaddr_get(shm);
  lock_ops_t ops = {label, apr_lock, apr_unlock, m, counter};
  const sct_type_t *q;
  sct_obj_t *v;
  check(sct_type_from_code('q', &q), "type");
  check(sct_value_new(&v, q, NULL, NULL), "value");
  lock_ops_t mine = {"sct", NULL, NULL, v, sct_obj_ptr(v)};
  bench_sct_ops(&mine);

  double ns[MAX_REPS], sct_ns[MAX_REPS];
  snprintf(name, sizeof name, "uncontended_apr_%s_incr", label);
  report(name, time_uncontended(o, &ops, ns), "ns");
  (void)time_uncontended(o, &mine, sct_ns);
  snprintf(name, sizeof name, "uncontended_vs_apr_%s", label);
  report_ratio(name, sct_ns, ns, o->reps);
  for (int procs = 2; procs <= 4; procs += 2) {
    double fair, sct_fair;
    contended_detail_t apr_detail, sct_detail;
    double rate = time_contended(o, &ops, procs, &fair, &apr_detail);
    (void)time_contended(o, &mine, procs, &sct_fair, &sct_detail);
    snprintf(name, sizeof name, "contended%d_apr_%s", procs, label);
    report(name, rate, "ops/s");
    snprintf(name, sizeof name, "contended%d_vs_apr_%s", procs, label);
    report_ratio(name, sct_detail.rates, apr_detail.rates, o->reps);
  }
  sct_obj_free(v);
  apr_proc_mutex_destroy(m);
  apr_shm_destroy(shm);
}

void bench_apr(const bench_opts_t *o) {
  apr_pool_t *pool;
  if (apr_initialize() != APR_SUCCESS ||
      apr_pool_create(&pool, NULL) != APR_SUCCESS) {
    fprintf(stderr, "sct_bench: APR did not initialise\n");
    return;
  }
  one_mechanism(o, pool, APR_LOCK_DEFAULT, "default");
  one_mechanism(o, pool, APR_LOCK_POSIXSEM, "posixsem");
  apr_pool_destroy(pool);
  apr_terminate();
}

#else

void bench_apr(const bench_opts_t *o) {
  (void)o;
  fprintf(stderr, "sct_bench: APR not found at build time; APR figures "
                  "skipped (install libapr1-dev)\n");
}

#endif

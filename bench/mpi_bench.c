/*
 * sct_mpi's figures (bench/mpi_bench.sh runs this under mpirun, on one
 * node and on two simulated ones). Every rank hammers the same objects,
 * at rank 0, at once; each figure is the time per operation per rank
 * (the slowest rank's), median of REPS repetitions with min and max:
 *
 *   counter_add        an atomic increment of a 64-bit integer
 *   locked_struct      acquire, read a struct, update it, write it, release
 *
 * each done four ways, on lines "name median min max unit":
 *
 *   local_*   local sct (sct_counter_add; a named space's struct under its
 *             Lock), only when every rank is on one node
 *   mpi_*     sct_mpi (sct_mpi_add; sct_mpi_lock_acquire + get + set)
 *   raw_*     the MPI calls sct_mpi is built on, written out by hand:
 *             MPI_Fetch_and_op + flush; a compare-and-swap lock word,
 *             MPI_Get, MPI_Put, a release by MPI_Fetch_and_op (on a window
 *             of MPI_Win_create, as sct_mpi's). On one node sct_mpi uses
 *             CPU atomics instead, so raw_* there is only for scale.
 *
 *   mpi_bench [--quick]
 */
#define _GNU_SOURCE
#include <sct.h>
#include <sct_mpi.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define REPS 5

static int rank, size, quick;

typedef struct account {
  int64_t balance, updates;
  double interest;
} account_t;

static void check(int rc, const char *what) {
  if (rc < 0) {
    fprintf(stderr, "mpi_bench: rank %d: %s: %s %s %s\n", rank, what,
            sct_err_name(rc), sct_last_detail(), sct_mpi_last_detail());
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
}

static void mpi_check(int rc, const char *what) {
  if (rc != MPI_SUCCESS) {
    fprintf(stderr, "mpi_bench: rank %d: %s failed (%d)\n", rank, what, rc);
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
}

/* One workload: @p n operations by every rank at once. */
typedef void (*workload_fn)(void *ctx, long n);

static int by_value(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Runs @p fn REPS times; prints the slowest rank's ns per operation. */
static void measure(const char *name, workload_fn fn, void *ctx, long n) {
  double per_op[REPS];
  fn(ctx, n / 10 + 1); /* warm */
  for (int r = 0; r < REPS; r++) {
    MPI_Barrier(MPI_COMM_WORLD);
    double t = MPI_Wtime();
    fn(ctx, n);
    t = MPI_Wtime() - t;
    double slowest;
    MPI_Allreduce(&t, &slowest, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    per_op[r] = slowest / (double)n * 1e9;
  }
  qsort(per_op, REPS, sizeof per_op[0], by_value);
  if (rank == 0)
    printf("%s %.1f %.1f %.1f ns\n", name, per_op[REPS / 2], per_op[0],
           per_op[REPS - 1]);
  fflush(stdout);
}

/* ---- local sct: a named space shared by the ranks of one node ---- */

typedef struct local {
  sct_counter_t counter;
  sct_obj_t *account;
} local_t;

static void local_counter(void *ctx, long n) {
  local_t *l = ctx;
  for (long i = 0; i < n; i++)
    sct_counter_add(l->counter, 1);
}

static void local_struct(void *ctx, long n) {
  local_t *l = ctx;
  for (long i = 0; i < n; i++) {
    check(sct_obj_acquire(l->account, SCT_INFINITE), "acquire");
    account_t *a = sct_obj_ptr(l->account);
    a->balance += 10;
    a->updates++;
    a->interest = (double)a->balance * 0.01;
    check(sct_obj_release(l->account), "release");
  }
}

static void bench_local(const sct_type_t *acct, long n) {
  char name[64];
  long job = (long)getpid();
  sct_space_t *space;
  sct_obj_t *counter;
  local_t l;
  const sct_type_t *q;
  MPI_Bcast(&job, 1, MPI_LONG, 0, MPI_COMM_WORLD);
  snprintf(name, sizeof name, "mpibench%ld", job);
  check(sct_type_from_code('q', &q), "q");
  if (rank == 0)
    check(sct_space_create(&space, name, 1 << 20, 8), "space");
  MPI_Barrier(MPI_COMM_WORLD);
  if (rank != 0)
    check(sct_space_open(&space, name, 0), "space open");
  check(sct_space_object(space, "counter", SCT_SPACE_FIND_OR_CREATE, q, 0, 0,
                         &counter),
        "counter");
  check(sct_space_object(space, "account", SCT_SPACE_FIND_OR_CREATE, acct, 0,
                         SCT_LOCK, &l.account),
        "account");
  check(sct_value_counter(counter, &l.counter), "counter");
  measure("local_counter_add", local_counter, &l, n);
  measure("local_locked_struct", local_struct, &l, n / 4);
  MPI_Barrier(MPI_COMM_WORLD);
  sct_obj_free(counter);
  sct_obj_free(l.account);
  sct_space_close(space);
  if (rank == 0)
    sct_space_unlink(name);
}

/* ---- sct_mpi ---- */

typedef struct over_mpi {
  sct_mpi_obj_t *counter, *account;
  sct_mpi_lock_t *lock;
} over_mpi_t;

static void mpi_counter(void *ctx, long n) {
  over_mpi_t *m = ctx;
  for (long i = 0; i < n; i++)
    check(sct_mpi_add(m->counter, 0, 1, NULL), "add");
}

static void mpi_struct(void *ctx, long n) {
  over_mpi_t *m = ctx;
  for (long i = 0; i < n; i++) {
    account_t a;
    check(sct_mpi_lock_acquire(m->lock, SCT_INFINITE), "acquire");
    check(sct_mpi_get(m->account, 0, &a), "get");
    a.balance += 10;
    a.updates++;
    a.interest = (double)a.balance * 0.01;
    check(sct_mpi_set(m->account, 0, &a), "set");
    check(sct_mpi_lock_release(m->lock), "release");
  }
}

static void bench_sct_mpi(sct_mpi_space_t *sp, const sct_type_t *acct,
                          long n) {
  over_mpi_t m;
  const sct_type_t *q;
  check(sct_type_from_code('q', &q), "q");
  check(sct_mpi_object(sp, "counter", SCT_SPACE_FIND_OR_CREATE, q, 0, 0, 0,
                       &m.counter),
        "counter");
  check(sct_mpi_object(sp, "account", SCT_SPACE_FIND_OR_CREATE, acct, 0,
                       SCT_LOCK, 0, &m.account),
        "account");
  check(sct_mpi_obj_lock(m.account, &m.lock), "lock");
  measure("mpi_counter_add", mpi_counter, &m, n);
  measure("mpi_locked_struct", mpi_struct, &m, n / 4);
  sct_mpi_obj_free(m.counter);
  sct_mpi_obj_free(m.account);
}

/* ---- the raw MPI calls ---- */

typedef struct raw {
  MPI_Win win;
  MPI_Datatype account;
} raw_t;

/* Window layout at rank 0: counter at 0, lock word at 64, account at 128. */
enum { RAW_COUNTER = 0, RAW_LOCK = 64, RAW_ACCOUNT = 128 };

static void raw_counter(void *ctx, long n) {
  raw_t *r = ctx;
  int64_t one = 1, old;
  for (long i = 0; i < n; i++) {
    mpi_check(MPI_Fetch_and_op(&one, &old, MPI_INT64_T, 0, RAW_COUNTER,
                               MPI_SUM, r->win),
              "MPI_Fetch_and_op");
    mpi_check(MPI_Win_flush(0, r->win), "MPI_Win_flush");
  }
}

static void raw_struct(void *ctx, long n) {
  raw_t *r = ctx;
  int64_t me = rank + 1, zero = 0, old;
  for (long i = 0; i < n; i++) {
    account_t a;
    do {
      mpi_check(MPI_Compare_and_swap(&me, &zero, &old, MPI_INT64_T, 0,
                                     RAW_LOCK, r->win),
                "MPI_Compare_and_swap");
      mpi_check(MPI_Win_flush(0, r->win), "MPI_Win_flush");
    } while (old != 0);
    mpi_check(MPI_Get(&a, 1, r->account, 0, RAW_ACCOUNT, 1, r->account,
                      r->win),
              "MPI_Get");
    mpi_check(MPI_Win_flush(0, r->win), "MPI_Win_flush");
    a.balance += 10;
    a.updates++;
    a.interest = (double)a.balance * 0.01;
    mpi_check(MPI_Put(&a, 1, r->account, 0, RAW_ACCOUNT, 1, r->account,
                      r->win),
              "MPI_Put");
    mpi_check(MPI_Win_flush(0, r->win), "MPI_Win_flush");
    mpi_check(MPI_Fetch_and_op(&zero, &old, MPI_INT64_T, 0, RAW_LOCK,
                               MPI_REPLACE, r->win),
              "MPI_Fetch_and_op");
    mpi_check(MPI_Win_flush(0, r->win), "MPI_Win_flush");
  }
}

static void bench_raw(long n) {
  raw_t r;
  void *base = calloc(1, 4096);
  int lengths[] = {2, 1};
  MPI_Aint offsets[] = {0, 16};
  MPI_Datatype types[] = {MPI_INT64_T, MPI_DOUBLE};
  mpi_check(MPI_Type_create_struct(2, lengths, offsets, types, &r.account),
            "type");
  mpi_check(MPI_Type_commit(&r.account), "commit");
  mpi_check(MPI_Win_create(base, 4096, 1, MPI_INFO_NULL, MPI_COMM_WORLD,
                           &r.win),
            "MPI_Win_create");
  mpi_check(MPI_Win_lock_all(MPI_MODE_NOCHECK, r.win), "lock_all");
  measure("raw_counter_add", raw_counter, &r, n);
  measure("raw_locked_struct", raw_struct, &r, n / 4);
  MPI_Win_unlock_all(r.win);
  MPI_Win_free(&r.win);
  MPI_Type_free(&r.account);
  free(base);
}

int main(int argc, char **argv) {
  sct_mpi_space_t *sp;
  sct_mpi_space_info_t info;
  sct_type_t *acct;
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
  static const sct_field_t fields[] = {
      SCT_FIELD(account_t, balance, 'q'), SCT_FIELD(account_t, updates, 'q'),
      SCT_FIELD(account_t, interest, 'd')};
  check(sct_type_new_struct(&acct, "account", sizeof(account_t),
                            _Alignof(account_t), fields, 3),
        "type");
  check(sct_mpi_space_create(MPI_COMM_WORLD, 1 << 16, 8, &sp), "space");
  check(sct_mpi_space_info(sp, &info), "info");
  /* Operations across nodes take microseconds: fewer of them. */
  long n = info.nodes == 1 ? 400000 : 4000;
  if (quick)
    n /= 10;
  if (rank == 0)
    printf("# %d ranks on %d node(s); atomics: %s\n", size, info.nodes,
           info.cpu_atomics ? "CPU" : "MPI");
  if (info.nodes == 1)
    bench_local(acct, n);
  bench_sct_mpi(sp, acct, n);
  /* On one node MPI's calls take microseconds where sct_mpi's CPU atomics
   * take nanoseconds: fewer of them. */
  bench_raw(info.nodes == 1 ? n / 100 : n);
  check(sct_mpi_space_free(sp), "space free");
  sct_type_free(acct);
  MPI_Finalize();
  return 0;
}

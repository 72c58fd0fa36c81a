/*
 * A 1-D heat equation stepped by several processes over shared Arrays of
 * doubles, a Barrier between steps.
 *
 * Each process owns a slice of the rod. A step reads the whole previous
 * state and writes only the process's own slice of the next one; two
 * Arrays take turns as "previous" and "next", so nobody writes what
 * another may still be reading. The Barrier is the only synchronisation:
 * after it every slice of the step is written, and the next step may
 * read them. Raw Arrays (no lock): the Barrier orders the accesses.
 *
 * The result must be the same bytes as one process computing alone, and
 * the program checks that: each cell's new value depends only on three
 * old ones, however the rod is cut.
 *
 *   stencil [--start fork|spawn]
 */
#include "example.h"

#define CELLS 20000
#define STEPS 1000
#define PROCESSES 4
#define RATE 0.25 /* diffusion per step: stable below 0.5 */

/* The rod at the start: a hot cell every 100, ends held at 0. */
static double initial(size_t i) {
  return i % 100 == 50 ? 100.0 : 0.0;
}

/* One step of cells [lo, hi) from @p u into @p next. */
static void step(const double *u, double *next, size_t lo, size_t hi) {
  for (size_t i = lo; i < hi; i++)
    next[i] = u[i] + RATE * (u[i - 1] - 2.0 * u[i] + u[i + 1]);
}

/* Cells [lo, hi) of process @p k of PROCESSES; the two ends stay fixed. */
static void slice(int64_t k, size_t *lo, size_t *hi) {
  size_t inner = CELLS - 2;
  *lo = 1 + inner * (size_t)k / PROCESSES;
  *hi = 1 + inner * (size_t)(k + 1) / PROCESSES;
}

static int run_slice(const sct_args_t *args) {
  sct_obj_t *a, *b;
  sct_barrier_t *barrier;
  int64_t k;
  size_t lo, hi;
  check(sct_args_obj(args, 0, &a), "args");
  check(sct_args_obj(args, 1, &b), "args");
  check(sct_args_barrier(args, 2, &barrier), "args");
  check(sct_args_int(args, 3, &k), "args");
  slice(k, &lo, &hi);
  double *rod[2] = {sct_obj_ptr(a), sct_obj_ptr(b)};
  for (int s = 0; s < STEPS; s++) {
    step(rod[s % 2], rod[(s + 1) % 2], lo, hi);
    check(sct_barrier_wait(barrier, SCT_INFINITE, NULL), "barrier");
  }
  return 0;
}

int main(int argc, char **argv) {
  static const sct_target_t targets[] = {{"slice", run_slice}};
  check(sct_main(argc, argv, targets, 1), "sct_main");
  start_option_only(argc, argv, "stencil");
  const sct_type_t *c_double;
  check(sct_type_from_code('d', &c_double), "double");
  static double start_state[CELLS];
  for (size_t c = 0; c < CELLS; c++)
    start_state[c] = initial(c);
  sct_obj_t *a, *b;
  sct_barrier_t *barrier;
  check(sct_rawarray_new(&a, c_double, CELLS, start_state), "Array a");
  check(sct_rawarray_new(&b, c_double, CELLS, start_state), "Array b");
  check(sct_barrier_new(&barrier, PROCESSES, NULL, NULL), "Barrier");
  sct_process_t *p[PROCESSES];
  for (int64_t k = 0; k < PROCESSES; k++) {
    sct_arg_t args[] = {SCT_AOBJ(a), SCT_AOBJ(b), SCT_ABARRIER(barrier),
                        SCT_AINT(k)};
    p[k] = start("slice", args, 4);
  }
  for (int k = 0; k < PROCESSES; k++)
    finish(p[k]);
  const double *shared = sct_obj_ptr(STEPS % 2 ? b : a);

  /* The same steps in this process alone. */
  static double alone[2][CELLS];
  memcpy(alone[0], start_state, sizeof start_state);
  memcpy(alone[1], start_state, sizeof start_state);
  for (int s = 0; s < STEPS; s++)
    step(alone[s % 2], alone[(s + 1) % 2], 1, CELLS - 1);
  double sum = 0;
  for (size_t c = 0; c < CELLS; c++)
    sum += shared[c];
  printf("cells: %d, steps: %d, processes: %d\n", CELLS, STEPS, PROCESSES);
  printf("heat left: %.9e\n", sum);
  printf("same bytes as one process: %s\n",
         memcmp(shared, alone[STEPS % 2], sizeof start_state) == 0 ? "yes"
                                                                    : "NO");
  check(sct_obj_free(a), "free");
  check(sct_obj_free(b), "free");
  check(sct_barrier_free(barrier), "free");
  return 0;
}

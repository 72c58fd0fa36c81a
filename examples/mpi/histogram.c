/*
 * A distributed program as a user writes one: a Monte Carlo estimate of
 * pi and a histogram of distances, over samples held in a block-spread
 * Array. Each rank fills and reads only its own block, through plain
 * memory (sct_mpi_local_part); the results are shared objects at rank 0:
 * the histogram, an Array merged under its lock, and the count of points
 * inside the circle, an atomic add.
 *
 *   mpirun -np 4 histogram_mpi
 *
 * The samples depend on their index only, so every number of ranks, on
 * any number of nodes, prints the same.
 */
#include "mpi_example.h"

#include <math.h>
#include <stdlib.h>

#define SAMPLES 400000
#define BINS 6
#define BIN_WIDTH 0.25

/* A uniform number in [0, 1) from an index (splitmix64). */
static double uniform(uint64_t i) {
  uint64_t z = i * 0x9e3779b97f4a7c15ull + 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return (double)((z ^ (z >> 31)) >> 11) / 9007199254740992.0;
}

int main(int argc, char **argv) {
  int rank;
  sct_mpi_space_t *sp;
  sct_mpi_obj_t *samples, *histogram, *inside;
  sct_mpi_lock_t *lock;
  const sct_type_t *c_double, *c_longlong;
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  check(sct_type_from_code('d', &c_double), "double");
  check(sct_type_from_code('q', &c_longlong), "long long");
  check(sct_mpi_space_create(MPI_COMM_WORLD, 8 << 20, 8, &sp), "space");
  /* Every rank asks for the same objects; one makes each. */
  check(sct_mpi_object(sp, "samples", SCT_SPACE_FIND_OR_CREATE, c_double,
                       SAMPLES, 0, SCT_MPI_DISTRIBUTED, &samples),
        "samples");
  check(sct_mpi_object(sp, "histogram", SCT_SPACE_FIND_OR_CREATE,
                       c_longlong, BINS, SCT_LOCK, 0, &histogram),
        "histogram");
  check(sct_mpi_object(sp, "inside", SCT_SPACE_FIND_OR_CREATE, c_longlong, 0,
                       0, 0, &inside),
        "inside");
  check(sct_mpi_obj_lock(histogram, &lock), "histogram's lock");

  /* This rank's block: distances of points in the unit square. */
  double *mine;
  size_t first, count;
  check(sct_mpi_local_part(samples, (void **)&mine, &first, &count), "part");
  for (size_t i = 0; i < count; i++) {
    uint64_t k = first + i;
    double x = uniform(2 * k), y = uniform(2 * k + 1);
    mine[i] = sqrt(x * x + y * y);
  }

  /* Counted locally, then merged: one locked update, one atomic add. */
  long long bins[BINS] = {0}, in = 0;
  for (size_t i = 0; i < count; i++) {
    bins[(int)(mine[i] / BIN_WIDTH)]++;
    in += mine[i] < 1.0;
  }
  int rc;
  SCT_MPI_WITH_LOCK(lock, rc) {
    long long total[BINS];
    check(sct_mpi_get_slice(histogram, 0, BINS, total), "get histogram");
    for (int b = 0; b < BINS; b++)
      total[b] += bins[b];
    check(sct_mpi_set_slice(histogram, 0, BINS, total), "set histogram");
  }
  check(rc, "lock");
  check(sct_mpi_add(inside, 0, in, NULL), "add inside");

  MPI_Barrier(MPI_COMM_WORLD);
  if (rank == 0) {
    int64_t total_in;
    char text[256];
    check(sct_mpi_get(inside, 0, &total_in), "inside");
    printf("pi is about %.4f (%lld of %d points inside the circle)\n",
           4.0 * (double)total_in / SAMPLES, (long long)total_in, SAMPLES);
    check(sct_mpi_format(histogram, text, sizeof text, NULL), "format");
    printf("distances in bins of %.2f: %s\n", BIN_WIDTH, text);
  }
  sct_mpi_obj_free(samples);
  sct_mpi_obj_free(histogram);
  sct_mpi_obj_free(inside);
  check(sct_mpi_space_free(sp), "space free");
  MPI_Finalize();
  return 0;
}

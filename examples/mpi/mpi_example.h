/*
 * What the sct_mpi examples share: stopping the whole job with the
 * library's own words for a failed call.
 */
#ifndef SCT_MPI_EXAMPLE_H
#define SCT_MPI_EXAMPLE_H

#include <sct_mpi.h>

#include <stdio.h>

/* Ends the job (every rank) when @p rc is an error. */
static inline void check(int rc, const char *what) {
  if (rc < 0) {
    fprintf(stderr, "%s: %s (%s)%s%s\n", what, sct_err_name(rc),
            sct_strerror(rc), *sct_mpi_last_detail() ? ": " : "",
            sct_mpi_last_detail());
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
}

#endif /* SCT_MPI_EXAMPLE_H */

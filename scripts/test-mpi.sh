#!/bin/sh
# sct_mpi with MPICH (the dev build, scripts/test.sh, tests it with Open
# MPI, the first mpicc on the path): a build of sct_mpi and its tests with
# mpicc.mpich, and its MPI tests (2 and 4 ranks, one node and simulated
# nodes, the kill test).
set -eu
cd "$(dirname "$0")/.."
scripts/mpi-deps.sh
cmake -S . -B build/mpich -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSCT_WERROR=ON \
  -DMPI_C_COMPILER=mpicc.mpich -DSCT_BUILD_EXAMPLES=ON -DSCT_TEST_HOOKS=ON
cmake --build build/mpich --target sct_mpi_tests mpi_examples
(cd build/mpich && ctest -L mpi --output-on-failure)

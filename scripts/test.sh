#!/bin/sh
# From a fresh Debian/Ubuntu machine to the whole test suite passing:
# installs what is missing, then configures, builds and runs ctest, for
# Linux and then for the Windows build under Wine (skip that part with
# SCT_SKIP_MINGW=1).
set -eu
cd "$(dirname "$0")/.."
# What every test needs: g++ and clang++ (sct.h compiled as C++17);
# python3 (formatting and spaces against Python); APR (the sct_apr
# companion and its tests); apache2 with apxs, ab and curl (the httpd
# example's test); Boost.Interprocess (a peer in sct_bench's named-space
# figures).
scripts/install-deps.sh g++ clang++=clang python3 \
  /usr/include/apr-1.0/apr_pools.h=libapr1-dev /usr/sbin/apache2=apache2 \
  apxs=apache2-dev ab=apache2-utils curl \
  /usr/include/boost/interprocess/managed_shared_memory.hpp=libboost-dev
# Open MPI and MPICH (sct_mpi and its tests; the dev build uses Open MPI,
# scripts/test-mpi.sh MPICH).
scripts/mpi-deps.sh
cmake --workflow --preset dev
if [ "${SCT_SKIP_MINGW:-0}" != 1 ]; then
  scripts/test-mingw.sh
fi

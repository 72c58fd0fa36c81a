#!/bin/sh
# Installs both MPI libraries sct_mpi is tested with, from Debian's
# packages, when missing: Open MPI (openmpi-bin, libopenmpi-dev) and
# MPICH (mpich, libmpich-dev). About 30 MB to download. Uses sudo when not
# run as root.
set -eu
packages="openmpi-bin libopenmpi-dev mpich libmpich-dev"
# shellcheck disable=SC2086
if ! dpkg -s $packages >/dev/null 2>&1; then
  echo "mpi-deps: installing: $packages"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y \
    --no-install-recommends $packages
fi

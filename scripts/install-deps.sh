#!/bin/sh
# Installs what building and testing sct needs on Debian or Ubuntu, if it
# is missing: a C compiler, CMake (3.25 or newer, for workflow presets),
# make and CUnit. Uses sudo when not run as root.
set -eu

missing=""
command -v cc >/dev/null 2>&1 || missing="$missing gcc"
command -v make >/dev/null 2>&1 || missing="$missing make"
command -v cmake >/dev/null 2>&1 || missing="$missing cmake"
[ -f /usr/include/CUnit/CUnit.h ] || missing="$missing libcunit1-dev"

if [ -n "$missing" ]; then
  echo "install-deps: installing:$missing"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends $missing
fi

#!/bin/sh
# Installs what building and testing sct needs on Debian or Ubuntu, if it
# is missing: a C compiler, CMake (3.25 or newer, for workflow presets),
# make, pkg-config and CUnit, plus the tools named as arguments
# (COMMAND=PACKAGE) whose command is missing. Uses sudo when not run as root.
set -eu

missing=""
command -v cc >/dev/null 2>&1 || missing="$missing gcc"
command -v make >/dev/null 2>&1 || missing="$missing make"
command -v cmake >/dev/null 2>&1 || missing="$missing cmake"
command -v pkg-config >/dev/null 2>&1 || missing="$missing pkg-config"
[ -f /usr/include/CUnit/CUnit.h ] || missing="$missing libcunit1-dev"
# Extra tools a script asks for, as COMMAND=PACKAGE (or just PACKAGE when
# the command has the package's name), or /PATH=PACKAGE for a file (a
# header) the package installs.
for want in "$@"; do
  case ${want%%=*} in
  /*) [ -e "${want%%=*}" ] || missing="$missing ${want#*=}" ;;
  *) command -v "${want%%=*}" >/dev/null 2>&1 || missing="$missing ${want#*=}" ;;
  esac
done

if [ -n "$missing" ]; then
  echo "install-deps: installing:$missing"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends $missing
fi

#!/bin/sh
# From a fresh Debian/Ubuntu machine to the whole test suite passing:
# installs what is missing, then configures, builds and runs ctest, for
# Linux and then for the Windows build under Wine (skip that part with
# SCT_SKIP_MINGW=1).
set -eu
cd "$(dirname "$0")/.."
# g++ and clang++: the test that compiles sct.h as C++17.
scripts/install-deps.sh g++ clang++=clang
cmake --workflow --preset dev
if [ "${SCT_SKIP_MINGW:-0}" != 1 ]; then
  scripts/test-mingw.sh
fi

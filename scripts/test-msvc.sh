#!/bin/sh
# MSVC mode, tested under Wine without any Microsoft toolchain: installs
# clang, lld, LLVM's librarian, Wine and its SDK headers and makes the
# small static C runtime and CUnit (scripts/msvc-deps.sh), then runs two
# workflows, each building the library (static and DLL), every test, the
# examples and the consumers test, with ctest running them under Wine:
#   msvc-cl     the sources as cl.exe sees them (__clang__ undefined, so
#               CMake takes the compiler for MSVC): /W4 /WX, RelWithDebInfo
#   msvc-clang  plain clang-cl, SCT_WERROR=ON, Debug (/MDd)
# Either alone: scripts/test-msvc.sh msvc-cl
set -eu
cd "$(dirname "$0")/.."
scripts/msvc-deps.sh
. scripts/wine-env.sh
wine_start
status=0
presets=${*:-msvc-cl msvc-clang}
for preset in $presets; do
  cmake --workflow --preset "$preset" || status=$?
done
wine_stop
exit $status

#!/bin/sh
# The Windows build, tested for real under Wine: installs the cross
# compiler, Wine and a mingw CUnit (scripts/mingw-deps.sh), then runs the
# mingw workflow (configure, build, ctest with every test under Wine).
# A second run after an interrupted one works: the old Wine server is
# stopped first (scripts/wine-env.sh).
set -eu
cd "$(dirname "$0")/.."
scripts/mingw-deps.sh
. scripts/wine-env.sh
wine_start
status=0
cmake --workflow --preset mingw || status=$?
wine_stop
exit $status

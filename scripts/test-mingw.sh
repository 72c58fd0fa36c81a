#!/bin/sh
# The Windows build, tested for real under Wine: installs the cross
# compiler, Wine and a mingw CUnit (scripts/mingw-deps.sh), then runs the
# mingw workflow (configure, build, ctest with every test under Wine).
set -eu
cd "$(dirname "$0")/.."
scripts/mingw-deps.sh
WINEPREFIX="$(pwd)/build/wineprefix"
WINEDEBUG=-all
export WINEPREFIX WINEDEBUG
mkdir -p "$WINEPREFIX"
wine=/usr/lib/wine/wine64
[ -x "$wine" ] || wine=$(command -v wine64 || command -v wine)
server=$(dirname "$wine")/wineserver
[ -x "$server" ] || server=$(command -v wineserver)
# Wine's first start builds its prefix and starts background services
# that inherit the caller's output: do it here, detached from ctest's
# pipes, or ctest waits for them and the first test times out.
"$server" -p
"$wine" wineboot --init </dev/null >/dev/null 2>&1
status=0
cmake --workflow --preset mingw || status=$?
"$server" -k || true
exit $status

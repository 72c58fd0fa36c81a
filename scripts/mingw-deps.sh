#!/bin/sh
# What the Windows build (mingw-w64, tested under Wine) needs: the cross
# compiler, Wine, and CUnit built for mingw from Debian's own cunit source
# package (Debian ships CUnit for the host only). CUnit is built once into
# build/cunit-mingw (headers + libcunit.a); nothing of it is committed.
set -eu
cd "$(dirname "$0")/.."
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
need=""
command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1 || need="$need gcc-mingw-w64-x86-64"
[ -x /usr/lib/wine/wine64 ] || command -v wine64 >/dev/null 2>&1 || need="$need wine64"
if [ -n "$need" ]; then
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends $need
fi

scripts/build-cunit.sh build/cunit-mingw x86_64-w64-mingw32-gcc x86_64-w64-mingw32-ar

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
command -v dpkg-source >/dev/null 2>&1 || need="$need dpkg-dev"
if [ -n "$need" ]; then
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends $need
fi

out=build/cunit-mingw
[ -f "$out/lib/libcunit.a" ] && exit 0
# apt-get source needs a deb-src entry: the machine's own sources, as
# deb-src (same URIs, suites, components and key).
if ! grep -rqs "deb-src" /etc/apt/sources.list /etc/apt/sources.list.d/; then
  src=/etc/apt/sources.list.d/debian.sources
  if [ -f "$src" ]; then
    sed 's/^Types: deb$/Types: deb-src/' "$src" | $sudo tee /etc/apt/sources.list.d/sct-deb-src.sources >/dev/null
  else
    sed -n 's/^deb /deb-src /p' /etc/apt/sources.list | $sudo tee /etc/apt/sources.list.d/sct-deb-src.list >/dev/null
  fi
  $sudo apt-get update
fi
work=$(mktemp -d)
(cd "$work" && apt-get source --download-only cunit >/dev/null && dpkg-source -x --skip-patches cunit_*.dsc cunit >/dev/null 2>&1 || dpkg-source -x cunit_*.dsc cunit >/dev/null)
cu="$work/cunit/CUnit"
mkdir -p "$out/include/CUnit" "$out/lib" "$out/obj"
version=$(sed -n 's/^Version: *\([0-9.]*\).*/\1/p' "$work"/cunit_*.dsc | head -1)
# The tarball's prebuilt CUnit.h is stale: generate it from CUnit.h.in.
sed -e "s/@VERSION@/${version%-*}/" -e "s/@RELEASE@/3/" "$cu/Headers/CUnit.h.in" >"$out/include/CUnit/CUnit.h"
for h in "$cu"/Headers/*.h; do
  [ "$(basename "$h")" = CUnit.h ] || cp "$h" "$out/include/CUnit/"
done
for c in "$cu"/Sources/Framework/*.c "$cu"/Sources/Basic/Basic.c; do
  x86_64-w64-mingw32-gcc -O2 -I"$out/include" -I"$out/include/CUnit" -c "$c" -o "$out/obj/$(basename "$c" .c).o"
done
x86_64-w64-mingw32-ar rcs "$out/lib/libcunit.a" "$out"/obj/*.o
rm -rf "$work" "$out/obj"
echo "mingw-deps: CUnit $version built in $out"

#!/bin/sh
# Builds CUnit from Debian's own cunit source package with a given C
# compiler, for targets Debian ships no CUnit for (mingw-w64, i386
# without adding the i386 dpkg architecture, musl): headers and a static
# libcunit.a in OUT. Nothing of it is committed.
#   scripts/build-cunit.sh OUT CC [AR] [CFLAGS...]
set -eu
cd "$(dirname "$0")/.."
out=$1
cc=$2
ar=${3:-ar}
[ $# -ge 3 ] && shift 3 || shift $#
[ -f "$out/lib/libcunit.a" ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
if ! command -v dpkg-source >/dev/null 2>&1; then
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends dpkg-dev
fi
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
  # shellcheck disable=SC2086
  $cc "$@" -O2 -I"$out/include" -I"$out/include/CUnit" -c "$c" -o "$out/obj/$(basename "$c" .c).o"
done
$ar rcs "$out/lib/libcunit.a" "$out"/obj/*.o
rm -rf "$work" "$out/obj"
echo "build-cunit: CUnit $version built in $out with $cc $*"

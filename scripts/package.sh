#!/bin/sh
# Packaging checks (run by .ci/run after scripts/test.sh, which leaves the
# dev build in build/dev): the API reference with Doxygen (warnings are
# errors), the Debian package, and a pkg-config consumer built against the
# package unpacked into a temporary root (the machine's /usr is untouched).
set -eu
cd "$(dirname "$0")/.."
# dpkg-shlibdeps (dpkg-dev) lets cpack work out the package's Depends:.
scripts/install-deps.sh doxygen dpkg-shlibdeps=dpkg-dev

cmake --preset dev >/dev/null
cmake --build --preset dev --target docs
echo "package: API reference in build/dev/docs/html"

(cd build/dev && cpack -G DEB)
deb=$(ls build/dev/libsct-dev_*.deb)
dpkg-deb --info "$deb"
dpkg-deb --contents "$deb"

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
dpkg-deb -x "$deb" "$root"
pc_dir=$(dirname "$(find "$root" -name sct.pc)")
flags=$(PKG_CONFIG_PATH="$pc_dir" PKG_CONFIG_SYSROOT_DIR="$root" \
        pkg-config --cflags --libs sct)
libdir=$(dirname "$(find "$root" -name 'libsct.so' | head -1)")
# shellcheck disable=SC2086
cc tests/consumer/consumer.c $flags -Wl,-rpath,"$libdir" -o "$root/consumer"
"$root/consumer"
echo "package: $deb works through pkg-config"

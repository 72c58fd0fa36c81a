#!/bin/sh
# Builds and tests sct with the oldest CMake it declares
# (cmake_minimum_required in CMakeLists.txt): Debian 11's CMake 3.18,
# fetched with apt from Debian's own archive (the machine's sources, with
# the suite bullseye) and unpacked into build/cmake-min, not installed.
# Newer CMake is only needed for the presets (3.25) and `ctest
# --test-dir` (3.20), which this build does not use.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
dir=build/cmake-min
bin=$dir/root/usr/bin
if [ ! -x "$bin/cmake" ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  src=/etc/apt/sources.list.d/debian.sources
  extra=/etc/apt/sources.list.d/sct-cmake-min.sources
  # The machine's own Debian archive, with the older suite only, kept just
  # long enough to download three packages (nothing is installed from it).
  sed -n '/^Types: deb$/,/^$/p' "$src" | sed -e '/^Suites:/c\Suites: bullseye' \
    -e '/^#/d' | awk 'BEGIN{RS="";ORS="\n\n"} NR==1' | $sudo tee "$extra" >/dev/null
  cleanup() { $sudo rm -f "$extra"; $sudo apt-get update >/dev/null 2>&1 || true; }
  trap cleanup EXIT
  $sudo apt-get update >/dev/null
  mkdir -p "$dir/debs"
  (cd "$dir/debs" && apt-get download cmake/bullseye cmake-data/bullseye \
    libjsoncpp24/bullseye >/dev/null)
  for deb in "$dir"/debs/*.deb; do
    dpkg-deb -x "$deb" "$dir/root"
  done
  cleanup
  trap - EXIT
fi
# CMake 3.18 looks for its modules relative to itself; its jsoncpp is the
# one unpacked beside it.
export LD_LIBRARY_PATH="$top/$dir/root/usr/lib/x86_64-linux-gnu"
"$bin/cmake" --version | head -1
rm -rf build/min
"$bin/cmake" -S . -B build/min -DCMAKE_BUILD_TYPE=RelWithDebInfo
"$bin/cmake" --build build/min -j2
cd build/min
"$top/$bin/ctest" -j2 --output-on-failure

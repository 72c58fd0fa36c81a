#!/bin/sh
# 64-bit ARM Linux under qemu-user: the cross compiler, CUnit built for
# it, and the whole suite, both start methods, with every test program run
# through the emulator (cmake/toolchain-aarch64.cmake). Spawned children
# re-execute the program, so qemu is registered with binfmt_misc for the
# run (needs root) and unregistered afterwards.
#
# What the emulator cannot show: qemu's TCG on an x86 host keeps x86's
# strong memory ordering, so a missing barrier that only ARM's weak
# ordering would expose passes here; real ARM hardware is needed for that.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
need=""
command -v aarch64-linux-gnu-gcc >/dev/null 2>&1 || need="$need gcc-aarch64-linux-gnu libc6-dev-arm64-cross"
command -v qemu-aarch64 >/dev/null 2>&1 || need="$need qemu-user"
if [ -n "$need" ]; then
  $sudo apt-get update
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends $need
fi
scripts/build-cunit.sh build/cunit-aarch64 aarch64-linux-gnu-gcc aarch64-linux-gnu-ar

. scripts/qemu-binfmt.sh
# An aarch64 ELF executable: e_ident, e_type 2 (EXEC) or 3 (DYN, masked by
# 0xfe), e_machine 183 (0xb7). (A registration qemu's own package made
# serves as well.)
[ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] ||
  qemu_binfmt sct-qemu-aarch64 \
    '\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xb7\x00' \
    '\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff' \
    /usr/bin/qemu-aarch64
# qemu-aarch64 started by binfmt_misc finds the target's libraries here.
export QEMU_LD_PREFIX=/usr/aarch64-linux-gnu

cmake -S . -B build/aarch64 -DCMAKE_TOOLCHAIN_FILE="$top/cmake/toolchain-aarch64.cmake" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSCT_WERROR=ON -DSCT_BUILD_BENCH=OFF \
  -DSCT_TEST_CXX=OFF -DSCT_TEST_PACKAGING=OFF \
  -DCUNIT_INCLUDE_DIR="$top/build/cunit-aarch64/include" \
  -DCUNIT_LIBRARY="$top/build/cunit-aarch64/lib/libcunit.a"
cmake --build build/aarch64 -j2
cd build/aarch64
ctest -j2 --output-on-failure --timeout 900

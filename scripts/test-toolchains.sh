#!/bin/sh
# The toolchains sct's users build with besides x86-64 GCC (scripts/test.sh)
# and mingw-w64 (scripts/test-mingw.sh), each with warnings as errors and
# the whole test suite, both start methods:
#   clang   the host's clang
#   i386    gcc -m32 (gcc-12-multilib, which unlike gcc-multilib leaves
#           room for an aarch64 cross compiler; it lacks the asm/ include
#           link, supplied with -idirafter), CUnit built for i386
#   musl    musl-gcc (no kernel headers needed), CUnit built with it
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
scripts/install-deps.sh clang musl-gcc=musl-tools
if [ ! -d /usr/lib/gcc/x86_64-linux-gnu/12/32 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends gcc-12-multilib
fi
mkdir -p build/i386-asm
ln -sfn /usr/include/x86_64-linux-gnu/asm build/i386-asm/asm
m32="-m32 -idirafter $top/build/i386-asm"
# Some kernels run 64-bit programs only (ia32_emulation off: an i386
# program's execve fails with ENOEXEC): there qemu-i386 runs them,
# registered with binfmt_misc for the run, spawned children included.
printf 'int main(void) { return 0; }\n' >build/i386-asm/probe.c
# shellcheck disable=SC2086
gcc $m32 build/i386-asm/probe.c -o build/i386-asm/probe
if ! build/i386-asm/probe 2>/dev/null; then
  echo "test-toolchains: this kernel does not run i386 programs: qemu-i386 runs them"
  command -v qemu-i386 >/dev/null 2>&1 || scripts/install-deps.sh qemu-i386=qemu-user
  . scripts/qemu-binfmt.sh
  # An i386 ELF executable: e_ident (32-bit, little endian), e_type 2 or 3,
  # e_machine 3.
  qemu_binfmt sct-qemu-i386 \
    '\x7fELF\x01\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x03\x00' \
    '\xff\xff\xff\xff\xff\xfe\xfe\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff' \
    "$(command -v qemu-i386)"
  build/i386-asm/probe || { echo "test-toolchains: i386 programs still do not run"; exit 1; }
fi
# shellcheck disable=SC2086
scripts/build-cunit.sh build/cunit-i386 gcc ar $m32
scripts/build-cunit.sh build/cunit-musl musl-gcc ar

# run NAME CMAKE-ARGS...: configure, build and test build/NAME.
run() {
  name=$1
  shift
  echo "== $name"
  cmake -S . -B "build/$name" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSCT_WERROR=ON "$@"
  cmake --build "build/$name" -j2
  (cd "build/$name" && ctest -j2 --output-on-failure)
}
cunit() {
  echo "-DCUNIT_INCLUDE_DIR=$top/build/cunit-$1/include" \
    "-DCUNIT_LIBRARY=$top/build/cunit-$1/lib/libcunit.a"
}

run clang -DCMAKE_C_COMPILER=clang
# shellcheck disable=SC2046
run i386 "-DCMAKE_C_FLAGS=$m32" -DSCT_BUILD_BENCH=OFF -DSCT_TEST_CXX=OFF $(cunit i386)
# shellcheck disable=SC2046
run musl -DCMAKE_C_COMPILER=musl-gcc -DSCT_BUILD_BENCH=OFF -DSCT_TEST_CXX=OFF $(cunit musl)

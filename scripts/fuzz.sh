#!/bin/sh
# Builds the libFuzzer target for the spawn bootstrap decoder with clang
# (ASan + UBSan) and runs it for a bounded time (FUZZ_SECONDS, default 60)
# from the committed seeds. Installs clang and its runtime if missing.
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh
if ! command -v clang >/dev/null 2>&1 ||
   ! ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends clang libclang-rt-dev
fi
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz
mkdir -p build/fuzz/corpus
build/fuzz/fuzz_bootstrap build/fuzz/corpus tests/fuzz/corpus \
  -max_total_time="${FUZZ_SECONDS:-60}" -print_final_stats=1

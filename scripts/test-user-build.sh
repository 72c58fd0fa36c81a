#!/bin/sh
# Builds sct the way a user or packager does, not through our presets: a
# plain Release configuration with the default flags (no -Werror, no
# sanitizers), then its test suite. add_subdirectory without CUnit is
# covered by the consumers test.
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build/user-release -DCMAKE_BUILD_TYPE=Release
cmake --build build/user-release -j2
(cd build/user-release && ctest -j2 --output-on-failure)

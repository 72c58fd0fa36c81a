#!/bin/sh
# From a fresh Debian/Ubuntu machine to the seed example running.
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset dev >/dev/null
cmake --build --preset dev --target seed_example
build/dev/seed_example

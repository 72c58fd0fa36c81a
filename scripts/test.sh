#!/bin/sh
# From a fresh Debian/Ubuntu machine to the whole test suite passing:
# installs what is missing, then configures, builds and runs ctest.
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --workflow --preset dev

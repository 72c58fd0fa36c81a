#!/bin/sh
# From a fresh Debian/Ubuntu machine to the whole test suite passing:
# installs what is missing, then configures, builds and runs ctest, for
# Linux and then for the Windows build under Wine (skip that part with
# SCT_SKIP_MINGW=1).
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --workflow --preset dev
if [ "${SCT_SKIP_MINGW:-0}" != 1 ]; then
  scripts/test-mingw.sh
fi

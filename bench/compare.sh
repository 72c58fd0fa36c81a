#!/bin/sh
# Runs sct_bench and bench/python_peer.py and prints a table: each
# workload's sct figure, Python's, and how many times better sct is
# (time: Python / sct; throughput: sct / Python).
#
#   bench/compare.sh [BUILD_DIR] [--quick]
set -eu
cd "$(dirname "$0")/.."
build=${1:-build/dev}
quick=${2:-}
[ -x "$build/sct_bench" ] || cmake --build "$build" --target sct_bench
sct_out=$(mktemp)
py_out=$(mktemp)
trap 'rm -f "$sct_out" "$py_out"' EXIT
"$build/sct_bench" $quick >"$sct_out"
python3 bench/python_peer.py $quick >"$py_out"
echo "date: $(date -u +%Y-%m-%d), cpus: $(nproc), compiler: $(cc --version | head -1), python: $(python3 -V 2>&1)"
awk '
  NR == FNR { py[$1] = $2; unit[$1] = $3; next }
  /^ratio_/ { next }
  {
    name = $1; sct = $2; u = $3; p = "-"; better = "-"
    if (name in py) {
      p = py[name]
      if (u == "ops/s" || u == "items/s") better = sprintf("%.1fx", sct / p)
      else if (u == "ns" || u == "us" || u == "ms" || u == "s") better = sprintf("%.1fx", p / sct)
    } else if ((name "_fails") in py) {
      p = "fails: " py[name "_fails"] " " unit[name "_fails"]
    }
    printf "| %-32s | %12s %-8s | %-28s | %8s |\n", name, sct, u, p, better
  }
' "$py_out" "$sct_out"
echo
echo "sct against raw OS primitives and APR, same run (ratio_<name> value x):"
grep '^ratio_' "$sct_out"

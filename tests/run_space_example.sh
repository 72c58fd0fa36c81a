#!/bin/sh
# The space example (examples/space.c) as its README story goes: one
# program makes a space, another takes its table's lock and is killed
# halfway through a row, a third repairs the torn row on SCT_EOWNERDEAD,
# and a Python program (python/sct_space.py, stdlib only) reads the same
# table under sct's lock. The output is compared with EXPECTED.
#   run_space_example.sh SPACE_PROGRAM LIBSCT SOURCE_DIR EXPECTED
set -eu
program=$1
export SCT_LIBRARY="$2"
export PYTHONPATH="$3/python${PYTHONPATH:+:$PYTHONPATH}"
expected=$4
name="sct-example-space-$$"
out=$(mktemp)
trap '"$program" unlink "$name" >/dev/null 2>&1 || true; rm -f "$out" "$out.tear"' EXIT
{
  "$program" make "$name"
  "$program" tear "$name" >"$out.tear" &
  writer=$!
  # Until it says it holds the lock with the row half written.
  for _ in $(seq 100); do
    grep -q holding "$out.tear" && break
    sleep 0.1
  done
  cat "$out.tear"
  kill -9 "$writer"
  wait "$writer" 2>/dev/null || true
  "$program" repair "$name"
  python3 "$3/examples/space_reader.py" "$name"
} >"$out"
diff -u "$expected" "$out"

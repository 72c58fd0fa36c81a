#!/bin/sh
# Runs an sct_mpi example (through run.sh: EXPECTED RUN.SH ARGS...) and
# compares what it prints with EXPECTED, exactly.
expected=$1
shift
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$@" > "$out"
status=$?
[ $status -eq 0 ] || exit $status
if ! diff -u "$expected" "$out"; then
  echo "FAILED: the output differs from $expected" >&2
  exit 1
fi

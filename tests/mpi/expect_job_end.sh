#!/bin/sh
# The kill test (test_mpi.c, "kill"): rank 1 dies holding a lock that rank
# 0 waits for without end. No MPI here can tell the survivors, so the job
# must end, and soon: passes when the run fails (the job was ended) within
# its time limit, and fails when it timed out (a survivor left hanging:
# run.sh's exit 124), when it exited 0, or when a survivor's acquire
# returned (the program's own exit 3).
"$@"
status=$?
case $status in
  0) echo "FAILED: the job went on as if no rank had died" >&2; exit 1 ;;
  77) exit 77 ;;
  124) echo "FAILED: the job was left hanging" >&2; exit 1 ;;
  3) echo "FAILED: a survivor's acquire returned" >&2; exit 1 ;;
  *) echo "the job ended when rank 1 died (exit $status), as it must"; exit 0 ;;
esac

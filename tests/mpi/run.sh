#!/bin/sh
# Runs an sct_mpi test program under mpirun, on one node or on several
# simulated ones, bounded in time, and removes what a failed run leaves.
#
#   run.sh FLAVOUR LAYOUT RANKS TIMEOUT PROGRAM ARGS...
#
# FLAVOUR  openmpi or mpich (the MPI the program was built with)
# LAYOUT   one (every rank on this node), 2x1 or 2x2 (two nodes of one or
#          two ranks), 4x1 (four nodes of one rank)
#
# Simulated nodes: Open MPI starts each node's daemon in its own UTS
# namespace (hostname = the node's name, through an rsh agent,
# node-agent.sh; needs root and unshare), so it sees separate nodes and
# goes between them over TCP; MPICH is told its cliques
# (MPIR_CVAR_NUM_CLIQUES, MPIR_CVAR_NOLOCAL). Exit 77 (skipped) when a
# layout cannot be made here.
set -u
flavour=$1 layout=$2 ranks=$3 limit=$4
shift 4
program=$1
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

case $layout in
  one) nodes=1 ;;
  2x1|2x2) nodes=2 ;;
  4x1) nodes=4 ;;
  *) echo "run.sh: unknown layout $layout" >&2; exit 2 ;;
esac

skip() {
  echo "skipped: $*" >&2
  exit 77
}

# Open MPI's shared-memory files of this run, to remove after a failure.
ls /dev/shm > "$work/shm.before" 2>/dev/null

case $flavour in
  openmpi)
    command -v mpirun.openmpi >/dev/null || skip "no mpirun.openmpi"
    options="--oversubscribe --mca osc sm,pt2pt --mca mpi_yield_when_idle 1"
    [ "$(id -u)" = 0 ] && options="$options --allow-run-as-root"
    if [ "$layout" != one ]; then
      [ "$(id -u)" = 0 ] || skip "simulated nodes need root (unshare --uts)"
      unshare --uts true 2>/dev/null || skip "unshare --uts refused here"
      i=0
      : > "$work/hosts"
      while [ $i -lt $nodes ]; do
        echo "sctnode$i slots=$((ranks / nodes))" >> "$work/hosts"
        i=$((i + 1))
      done
      options="$options --hostfile $work/hosts --bind-to none"
      options="$options --mca plm_rsh_agent $here/node-agent.sh"
    fi
    # shellcheck disable=SC2086 # options are words
    set -- mpirun.openmpi $options -np "$ranks" "$@"
    ;;
  mpich)
    command -v mpirun.mpich >/dev/null || skip "no mpirun.mpich"
    # Between cliques UCX moves the bytes over its shared memory, not TCP:
    # UCX 1.13's TCP transport hangs in MPI_Finalize in about a third of
    # the runs here (seen with a program of barriers only). Each clique is
    # still a node of its own to MPI (MPI_Comm_split_type), so sct_mpi
    # takes its cross-node paths (one-sided calls, MPI atomics).
    case $layout in
      2x2) export MPIR_CVAR_NUM_CLIQUES=2 UCX_TLS=sm,self ;;
      2x1|4x1) export MPIR_CVAR_NOLOCAL=1 UCX_TLS=sm,self ;;
    esac
    set -- mpirun.mpich -np "$ranks" "$@"
    ;;
  *) echo "run.sh: unknown MPI $flavour" >&2; exit 2 ;;
esac

started=$(date +%s)
timeout -k 10 "$limit" "$@"
status=$?
# A job killed after its TERM (timeout -k) ends 137, as one whose rank
# was killed does: the time tells them apart.
[ $(( $(date +%s) - started )) -ge "$limit" ] && status=124
if [ $status -ne 0 ]; then
  # What a killed or failed job left in /dev/shm (Open MPI's vader
  # segments and the like): only names that were not there before.
  ls /dev/shm 2>/dev/null | while read -r f; do
    grep -qxF "$f" "$work/shm.before" || case $f in
      vader_segment.*|ompi.*|mpich_*|shm-col-space-*) rm -f "/dev/shm/$f" ;;
    esac
  done
fi
if [ $status -eq 124 ]; then
  echo "run.sh: the job did not end within ${limit}s" >&2
  # Ranks left behind by a killed launcher: these tests run one at a time
  # (RUN_SERIAL), so every process of the program is this run's.
  pkill -KILL -f -- "$program" 2>/dev/null
fi
exit $status

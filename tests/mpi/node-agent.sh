#!/bin/sh
# Open MPI's rsh agent for simulated nodes (run.sh): called as ssh would
# be, "node-agent.sh [options] HOST COMMAND...", it runs the command in a
# new UTS namespace whose hostname is HOST, so each node's daemon and
# ranks see a machine of their own. Host names must not resolve to this
# machine (Open MPI would take them for it): run.sh uses sctnodeN.
while [ $# -gt 0 ]; do
  case $1 in
    -*) shift ;;
    *) break ;;
  esac
done
host=$1
shift
exec unshare --uts sh -c 'hostname "$0" && eval "$*"' "$host" "$@"

#!/bin/sh
# sim-rsh-agent.sh: Open MPI's plm_rsh_agent for the simulated cluster
# (scripts/simcluster.sh).  mpirun calls it like ssh: `AGENT NODE COMMAND...`.
# It runs COMMAND inside NODE's network namespace (TIERPERF_SIM_PREFIX + NODE)
# in a fresh UTS namespace whose hostname is NODE, with TIERPERF_NODE_NAME=NODE,
# so the daemon and its ranks see themselves as that node.
set -eu
prefix=${TIERPERF_SIM_PREFIX:-tps-}
# ssh-style options before the host (Open MPI passes none to a custom agent,
# but be tolerant of -x / -q / -o X).
while [ $# -gt 0 ]; do
    case "$1" in
        -o|-p|-l|-i) shift 2 ;;
        -*) shift ;;
        *) break ;;
    esac
done
[ $# -ge 2 ] || { echo "sim-rsh-agent.sh: usage: sim-rsh-agent.sh NODE COMMAND..." >&2; exit 2; }
node=$1
shift
ns=$prefix$node
[ -e "/run/netns/$ns" ] || {
    echo "sim-rsh-agent.sh: node '$node': namespace '$ns' does not exist (is the cluster up? scripts/simcluster.sh status)" >&2
    exit 255
}
case "$node" in
    *[!a-z0-9.-]*) echo "sim-rsh-agent.sh: node '$node': not a DNS name" >&2; exit 255 ;;
esac
# Like ssh, the command words are joined with spaces and run by a shell.
exec ip netns exec "$ns" unshare --uts sh -c "hostname '$node' && TIERPERF_NODE_NAME='$node' && export TIERPERF_NODE_NAME && $*"

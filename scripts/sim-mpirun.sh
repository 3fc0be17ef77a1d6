#!/usr/bin/env bash
# sim-mpirun.sh: mpirun into the simulated cluster (scripts/simcluster.sh).
#
#   scripts/sim-mpirun.sh [--ppn N] [MPIRUN OPTIONS] PROGRAM [ARGS...]
#
# Writes a hostfile of the cluster's nodes (N slots each, default 1 or
# TIERPERF_SIM_PPN), runs mpirun from the fabric namespace (its address
# 198.18.0.1 sits on the root switch), and starts one daemon per node through
# scripts/sim-rsh-agent.sh, which enters the node's namespace with hostname
# and TIERPERF_NODE_NAME set to the node's name.  Open MPI's own traffic
# (oob, btl tcp) is kept on the fabric subnet; ob1 with tcp/self/vader so
# that MPI traffic between nodes crosses the shaped links too.  Open MPI's
# daemon connections send TCP keepalives after 3 s idle (4 probes 2 s apart):
# with a node's link down, mpirun learns within ~11 s that its daemon there
# is lost and ends the job (with the default, 300 s + 9 x 20 s, it waits,
# SIGTERM or not, until the link is back).
# -np defaults to nodes x slots.
set -euo pipefail

ME=sim-mpirun.sh
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PREFIX=${TIERPERF_SIM_PREFIX:-tps-}
STATE=${TIERPERF_SIM_STATE:-$REPO/.sim}
PPN=${TIERPERF_SIM_PPN:-1}
SUBNET=198.18.0.0/15
die() { echo "$ME: $*" >&2; exit 1; }

if [ "${1:-}" = --ppn ]; then
    [ $# -ge 2 ] || die "--ppn needs a number"
    PPN=$2; shift 2
fi
[[ "$PPN" =~ ^[1-9][0-9]{0,2}$ ]] || die "slots per node '$PPN': expected 1..999"
[ $# -ge 1 ] || die "usage: sim-mpirun.sh [--ppn N] [MPIRUN OPTIONS] PROGRAM [ARGS...]"
[ "$(id -u)" -eq 0 ] || die "needs root (ip netns exec)"
command -v mpirun >/dev/null || die "mpirun not found: install openmpi-bin (scripts/install-deps.sh)"
cluster="$STATE/cluster.$PREFIX"
[ -f "$cluster" ] || die "no simulated cluster '$PREFIX' (run scripts/simcluster.sh up TOPOLOGY.yaml first)"
fabric=$(sed -n 's/^fabric=//p' "$cluster")
[ -e "/run/netns/$fabric" ] || die "fabric namespace '$fabric' is missing: run scripts/simcluster.sh up again"

hostfile="$STATE/hostfile.$PREFIX"
awk -v ppn="$PPN" '$1 == "node" {print $2 " slots=" ppn}' "$cluster" >"$hostfile.tmp"
mv "$hostfile.tmp" "$hostfile"
nodes=$(wc -l <"$hostfile")

np=()
case " $* " in
    *" -np "*|*" -n "*|*" --np "*|*" -c "*) ;;
    *) np=(-np $(( nodes * PPN ))) ;;
esac

export TIERPERF_SIM_PREFIX=$PREFIX
export PMIX_MCA_gds=hash
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
exec ip netns exec "$fabric" mpirun --allow-run-as-root \
    --hostfile "$hostfile" "${np[@]}" \
    --mca plm_rsh_agent "$REPO/scripts/sim-rsh-agent.sh" \
    --mca plm_rsh_no_tree_spawn 1 \
    --mca oob_tcp_if_include "$SUBNET" \
    --mca oob_tcp_keepalive_time 3 --mca oob_tcp_keepalive_intvl 2 \
    --mca oob_tcp_keepalive_probes 4 \
    --mca btl_tcp_if_include "$SUBNET" \
    --mca pml ob1 --mca btl self,vader,tcp \
    "$@"

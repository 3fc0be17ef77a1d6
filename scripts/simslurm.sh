#!/usr/bin/env bash
# simslurm.sh: a real Slurm cluster on the simulated cluster
# (scripts/simcluster.sh): one munged and one slurmctld in the fabric
# namespace (198.18.0.1, which every node routes to), one slurmd per node in
# that node's network namespace with the node's host name (UTS namespace),
# spool, tmp, pid and log files of its own under the state folder.  Node
# names are the HyperNode member names; one partition, "sim", holds them all.
# No cgroups: proctrack/linuxproc, task/none.  See docs/simulated-cluster.md.
#
#   scripts/simslurm.sh up [--domain D] [--epilog-slurmctld FILE]
#                                 start the daemons (the cluster must be up);
#                                 --domain: host names NODE.D, Slurm node
#                                 names stay NODE (as at many sites)
#   scripts/simslurm.sh down      stop every daemon this started, by pid
#   scripts/simslurm.sh status    daemons, and sinfo as slurmctld sees it
#   scripts/simslurm.sh exec CMD  run CMD on the "login node" (fabric
#                                 namespace, SLURM_CONF set): srun, sbatch...
#
# Environment: TIERPERF_SIM_PREFIX and TIERPERF_SIM_STATE as simcluster.sh;
# TIERPERF_SLURM_TIMEOUT: seconds to wait for the daemons (default 60).
set -euo pipefail

ME=simslurm.sh
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PREFIX=${TIERPERF_SIM_PREFIX:-tps-}
STATE=${TIERPERF_SIM_STATE:-$REPO/.sim}
WAIT_S=${TIERPERF_SLURM_TIMEOUT:-60}
CLUSTER="$STATE/cluster.$PREFIX"
S=${TIERPERF_SLURM_DIR:-"$STATE/slurm.$PREFIX"}
CTLD_HOST=sim-slurmctld
PARTITION=sim

die() { echo "$ME: $*" >&2; exit 1; }
info() { echo "$ME: $*" >&2; }

usage() {
    sed -n '10,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

# Which daemon is missing, in one line, with the package that has it.
need_slurm() {
    local t pkg
    for t in munged:munge slurmctld:slurmctld slurmd:slurmd srun:slurm-client \
             sinfo:slurm-client scontrol:slurm-client; do
        pkg=${t#*:}; t=${t%%:*}
        command -v "$t" >/dev/null 2>&1 ||
            die "Slurm not installed: '$t' not found (package $pkg; scripts/install-deps.sh slurm)"
    done
    [ -e /usr/lib/x86_64-linux-gnu/slurm-wlm/mpi_pmix.so ] || [ -n "$(find /usr/lib* -name mpi_pmix.so -path '*slurm*' 2>/dev/null | head -1)" ] ||
        die "Slurm's PMIx plugin (mpi_pmix.so) not found (package slurm-wlm-basic-plugins)"
}

# $1 = tolerant: a missing cluster is no error (down after a half-made up).
load_cluster() {
    NODES=(); NS=(); ADDR=()
    [ "$(id -u)" -eq 0 ] || die "needs root (ip netns exec, slurmd as root)"
    if [ ! -f "$CLUSTER" ]; then
        [ "${1:-}" = tolerant ] && return 0
        die "no simulated cluster '$PREFIX' (run scripts/simcluster.sh up TOPOLOGY.yaml first)"
    fi
    FABRIC=$(sed -n 's/^fabric=//p' "$CLUSTER")
    HEAD=$(sed -n 's/^head=//p' "$CLUSTER")
    [ -e "/run/netns/$FABRIC" ] || [ "${1:-}" = tolerant ] ||
        die "fabric namespace '$FABRIC' is missing: run scripts/simcluster.sh up again"
    local _ n ns a
    while read -r _ n ns a; do NODES+=("$n"); NS+=("$ns"); ADDR+=("$a"); done < <(awk '$1 == "node"' "$CLUSTER")
}

host_name() { echo "${NODES[$1]}${DOMAIN:+.$DOMAIN}"; }

# Every node gets one CPU: enough for one rank per node, and no oversubscribed
# machine drains a node for having fewer CPUs than slurm.conf says.
write_conf() {
    local i
    {
        echo "# written by scripts/simslurm.sh for the simulated cluster '$PREFIX'"
        echo "# domain=$DOMAIN"
        [ -z "$EPILOG_CTLD" ] || echo "EpilogSlurmctld=$EPILOG_CTLD"
        echo "ClusterName=sim"
        echo "SlurmctldHost=$CTLD_HOST($HEAD)"
        echo "SlurmUser=root"
        echo "SlurmdUser=root"
        echo "AuthType=auth/munge"
        echo "AuthInfo=socket=$S/munge/munge.socket"
        echo "CredType=cred/munge"
        echo "StateSaveLocation=$S/ctld"
        echo "SlurmctldPidFile=$S/ctld/slurmctld.pid"
        echo "SlurmctldLogFile=$S/ctld/slurmctld.log"
        echo "SlurmdSpoolDir=$S/nodes/%n/spool"
        echo "SlurmdPidFile=$S/nodes/%n/slurmd.pid"
        echo "SlurmdLogFile=$S/nodes/%n/slurmd.log"
        echo "TmpFS=$S/nodes/%n/tmp"
        echo "PlugStackConfig=$S/plugstack.conf"
        echo "ProctrackType=proctrack/linuxproc"
        echo "TaskPlugin=task/none"
        echo "JobAcctGatherType=jobacct_gather/none"
        echo "AccountingStorageType=accounting_storage/none"
        echo "JobCompType=jobcomp/none"
        echo "SwitchType=switch/none"
        echo "MpiDefault=none"
        echo "SelectType=select/cons_tres"
        echo "SelectTypeParameters=CR_CPU"
        echo "SchedulerType=sched/backfill"
        echo "SlurmdParameters=config_overrides"
        echo "ReturnToService=2"
        echo "SlurmctldTimeout=30"
        echo "SlurmdTimeout=60"
        echo "InactiveLimit=0"
        echo "MinJobAge=60"
        echo "KillWait=5"
        echo "SlurmctldDebug=info"
        echo "SlurmdDebug=info"
        echo "PropagateResourceLimitsExcept=MEMLOCK"
        for i in "${!NODES[@]}"; do
            echo "NodeName=${NODES[$i]} NodeAddr=${ADDR[$i]} NodeHostname=$(host_name "$i") CPUs=1 State=UNKNOWN"
        done
        echo "PartitionName=$PARTITION Nodes=ALL Default=YES MaxTime=INFINITE State=UP"
    } >"$S/slurm.conf"
    : >"$S/plugstack.conf"
    # Slurm 22.05's slurmd always loads a cgroup plugin; autodetection looks
    # at /sys/fs/cgroup, which `ip netns exec` hides behind a fresh sysfs.
    # Named explicitly, cgroup/v1 only loads: with proctrack/linuxproc and
    # task/none nothing ever makes a cgroup.
    printf 'CgroupPlugin=cgroup/v1\nCgroupAutomount=no\n' >"$S/cgroup.conf"
}

# Starts one daemon in the background and records its pid ("name pid").
# Every exec keeps the pid: ip netns exec -> unshare -> sh -> the daemon.
start_daemon() {
    local name=$1 log=$2 pid
    shift 2
    "$@" >>"$log" 2>&1 </dev/null &
    pid=$!
    echo "$name $pid" >>"$S/pids"
}

# One line for a daemon that is gone: its last log line says why.
daemon_died() {
    local name=$1 log=$2 why
    why=$(grep -v '^\s*$' "$log" 2>/dev/null | tail -1 || true)
    die "$name did not start: ${why:-no log line (see $log)}"
}

alive() { kill -0 "$1" 2>/dev/null; }

pid_of() { awk -v n="$1" '$1 == n {print $2}' "$S/pids" | tail -1; }

start_munge() {
    mkdir -p "$S/munge"
    chmod 700 "$S/munge"
    # A key of its own: nothing outside this cluster can sign for it.
    head -c 1024 /dev/urandom >"$S/munge/munge.key"
    chmod 400 "$S/munge/munge.key"
    start_daemon munged "$S/munge/munged.out" ip netns exec "$FABRIC" munged -F --force \
        --key-file="$S/munge/munge.key" --socket="$S/munge/munge.socket" \
        --pid-file="$S/munge/munged.pid" --log-file="$S/munge/munged.log" \
        --seed-file="$S/munge/munged.seed"
    local t=0
    until [ -S "$S/munge/munge.socket" ]; do
        alive "$(pid_of munged)" || daemon_died munged "$S/munge/munged.log"
        [ $t -lt $(( WAIT_S * 10 )) ] || die "munged did not create its socket in ${WAIT_S} s (see $S/munge/munged.log)"
        sleep 0.1; t=$((t + 1))
    done
}

start_slurmctld() {
    mkdir -p "$S/ctld"
    start_daemon slurmctld "$S/ctld/slurmctld.out" ip netns exec "$FABRIC" unshare --uts \
        sh -c "hostname '$CTLD_HOST' && exec slurmctld -D -i -f '$S/slurm.conf'"
}

start_slurmd() {
    local i=$1 n=${NODES[$1]}
    mkdir -p "$S/nodes/$n/spool" "$S/nodes/$n/tmp"
    start_daemon "slurmd:$n" "$S/nodes/$n/slurmd.out" ip netns exec "${NS[$i]}" unshare --uts \
        sh -c "hostname '$(host_name "$i")' && exec slurmd -D -N '$n' -f '$S/slurm.conf'"
}

# Dies naming the first recorded daemon that is gone.
check_alive() {
    local name pid
    while read -r name pid; do
        alive "$pid" && continue
        case "$name" in
            munged) daemon_died munged "$S/munge/munged.log" ;;
            slurmctld) daemon_died slurmctld "$S/ctld/slurmctld.log" ;;
            slurmd:*) daemon_died "slurmd on ${name#slurmd:}" "$S/nodes/${name#slurmd:}/slurmd.log" ;;
        esac
    done <"$S/pids"
}

# Waits until slurmctld answers and every node is idle; names the daemon that
# died or the node that is not idle.
wait_ready() {
    local t=0 bad
    export SLURM_CONF="$S/slurm.conf"
    while :; do
        check_alive
        bad=$(ip netns exec "$FABRIC" timeout 10 sinfo -h -N -o '%N %t' 2>/dev/null |
              awk '$2 != "idle" {print}' | sort -u | tr '\n' ' ' || true)
        if ip netns exec "$FABRIC" timeout 10 sinfo -h -N -o '%N %t' >/dev/null 2>&1 && [ -z "$bad" ]; then
            return 0
        fi
        [ $t -lt $(( WAIT_S * 2 )) ] || {
            [ -n "$bad" ] && die "nodes not idle after ${WAIT_S} s: $bad(see $S/nodes/NODE/slurmd.log)"
            die "slurmctld does not answer after ${WAIT_S} s (see $S/ctld/slurmctld.log)"
        }
        sleep 0.5; t=$((t + 1))
    done
}

up_failed() {
    local rc=$?
    [ "$rc" -eq 0 ] && return
    info "up failed; stopping what was started"
    cmd_down >/dev/null 2>&1 || true
}

cmd_up() {
    if [ -f "$S/pids" ] && grep -qx "# domain=$DOMAIN" "$S/slurm.conf" 2>/dev/null &&
       { [ -z "$EPILOG_CTLD" ] || grep -qx "EpilogSlurmctld=$EPILOG_CTLD" "$S/slurm.conf"; } &&
       cmd_status >/dev/null 2>&1; then
        info "Slurm on '$PREFIX' already up"
        return 0
    fi
    cmd_down >/dev/null 2>&1 || true
    trap up_failed EXIT
    mkdir -p "$S"
    chmod 755 "$S"
    : >"$S/pids"
    write_conf
    start_munge
    start_slurmctld
    local i
    for i in "${!NODES[@]}"; do start_slurmd "$i"; done
    wait_ready
    trap - EXIT
    info "Slurm up on '$PREFIX': slurmctld at $HEAD, ${#NODES[@]} slurmd, partition $PARTITION;" \
         "run clients with scripts/simslurm.sh exec (SLURM_CONF=$S/slurm.conf)"
}

# A process and everything it started, children first found, KILL.
kill_tree() {
    local p=$1 c kids
    kids=$(cat /proc/"$p"/task/*/children 2>/dev/null || true)
    for c in $kids; do kill_tree "$c"; done
    kill -KILL "$p" 2>/dev/null || true
}

# Stops what this started: jobs first (scancel), then the daemons by the
# pids recorded at start (TERM, KILL after 5 s), then any slurmstepd left in
# our node namespaces with its tasks (a step outlives slurmd by design).
cmd_down() {
    [ -f "$S/pids" ] || { rm -rf "$S"; info "Slurm on '$PREFIX' is down"; return 0; }
    local pids p t=0 left ns
    if [ -n "${FABRIC:-}" ] && [ -e "/run/netns/$FABRIC" ] && alive "$(pid_of slurmctld)"; then
        export SLURM_CONF="$S/slurm.conf"
        ip netns exec "$FABRIC" timeout 10 scancel --full --partition "$PARTITION" >/dev/null 2>&1 || true
        while [ $t -lt 20 ] && [ -n "$(ip netns exec "$FABRIC" timeout 5 squeue -h -t R,CG,PD 2>/dev/null)" ]; do
            sleep 0.5; t=$((t + 1))
        done
        t=0
    fi
    pids=$(awk '{print $2}' "$S/pids")
    for p in $pids; do kill -TERM "$p" 2>/dev/null || true; done
    while :; do
        left=""
        for p in $pids; do alive "$p" && left="$left $p"; done
        [ -z "$left" ] && break
        [ $t -lt 50 ] || { for p in $left; do kill -KILL "$p" 2>/dev/null || true; done; sleep 0.2; break; }
        sleep 0.1; t=$((t + 1))
    done
    for ns in "${NS[@]}"; do
        [ -e "/run/netns/$ns" ] || continue
        for p in $(ip netns pids "$ns" 2>/dev/null); do
            [ "$(cat "/proc/$p/comm" 2>/dev/null)" = slurmstepd ] && kill_tree "$p"
        done
    done
    left=""
    for p in $pids; do alive "$p" && left="$left $p"; done
    [ -z "$left" ] || die "daemons still running after down: pids$left"
    rm -rf "$S"
    info "Slurm on '$PREFIX' is down"
}

cmd_status() {
    [ -f "$S/pids" ] || { echo "Slurm on '$PREFIX': down"; return 3; }
    local name pid bad=0
    while read -r name pid; do
        if alive "$pid"; then printf '%-24s pid %s\n' "$name" "$pid"
        else printf '%-24s pid %s NOT RUNNING\n' "$name" "$pid"; bad=1; fi
    done <"$S/pids"
    SLURM_CONF="$S/slurm.conf" ip netns exec "$FABRIC" timeout 10 sinfo -N -o '%N %P %t' || bad=1
    [ "$bad" -eq 0 ]
}

cmd_exec() {
    [ $# -ge 1 ] || die "exec: command missing"
    [ -f "$S/slurm.conf" ] || die "Slurm is not up on '$PREFIX' (scripts/simslurm.sh up)"
    export SLURM_CONF="$S/slurm.conf"
    exec ip netns exec "$FABRIC" "$@"
}

main() {
    [ $# -ge 1 ] || usage
    local cmd=$1
    shift
    DOMAIN=""; EPILOG_CTLD=""
    while [ "$cmd" = up ] && [ $# -ge 1 ]; do
        case "$1" in
            --domain) [ $# -ge 2 ] || die "--domain needs a value"; DOMAIN=$2; shift 2 ;;
            --epilog-slurmctld) [ $# -ge 2 ] || die "--epilog-slurmctld needs a file"; EPILOG_CTLD=$2; shift 2 ;;
            *) die "up: unknown argument '$1' (--domain D, --epilog-slurmctld FILE)" ;;
        esac
    done
    [ -z "$DOMAIN" ] || [[ "$DOMAIN" =~ ^[a-z0-9]([a-z0-9.-]{0,40}[a-z0-9])?$ ]] ||
        die "--domain '$DOMAIN': not a DNS name"
    if [ -n "$EPILOG_CTLD" ]; then
        [ -x "$EPILOG_CTLD" ] || die "--epilog-slurmctld '$EPILOG_CTLD': not an executable file"
        EPILOG_CTLD=$(realpath "$EPILOG_CTLD")
    fi
    case "$cmd" in
        up) need_slurm; load_cluster; cmd_up ;;
        down) load_cluster tolerant; cmd_down ;;
        status) load_cluster; cmd_status ;;
        exec) load_cluster; cmd_exec "$@" ;;
        -h|--help) usage ;;
        *) usage ;;
    esac
}

main "$@"

#!/usr/bin/env bash
# simcluster.sh: a multi-tier cluster on one machine, built from a Volcano
# HyperNode file.  Each Node is a network namespace (its hostname is set by
# the rsh agent in a UTS namespace), each HyperNode a Linux bridge inside one
# "fabric" namespace, and every link into a tier-T switch is a veth shaped
# with tc tbf to that tier's rate, both directions.  Nothing is put in the
# host's own namespace.  See docs/simulated-cluster.md.
#
#   scripts/simcluster.sh up     [--rates 600,250,100] [--rails N] [--nodes F | --node-names a,b] TOPOLOGY.yaml
#   scripts/simcluster.sh down
#   scripts/simcluster.sh status
#   scripts/simcluster.sh hosts
#   scripts/simcluster.sh slurm up|down|status|exec ...   (scripts/simslurm.sh)
#
# Environment: TIERPERF_SIM_PREFIX (namespace prefix, default "tps-"),
# TIERPERF_SIM_STATE (state folder, default <repo>/.sim), TIERPERF_SIM_RATES
# (Mbit/s per tier, lowest tier first), TIERPERF_SIM_RAILS (NICs per node,
# each on its own copy of the switch tree, a rail; default 1),
# TIERPERF_BIN (the tierperf binary, default <repo>/build/tierperf).
set -euo pipefail

ME=simcluster.sh
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PREFIX=${TIERPERF_SIM_PREFIX:-tps-}
STATE=${TIERPERF_SIM_STATE:-$REPO/.sim}
RATES=${TIERPERF_SIM_RATES:-600,250,100}
RAILS=${TIERPERF_SIM_RAILS:-1}
TIERPERF=${TIERPERF_BIN:-$REPO/build/tierperf}
FABRIC="${PREFIX}fabric"
SUBNET=198.18.0.0/15
HEAD_ADDR=198.18.0.1

die() { echo "$ME: $*" >&2; exit 1; }
info() { echo "$ME: $*" >&2; }

usage() {
    sed -n '9,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

need_tools() {
    [ "$(id -u)" -eq 0 ] || die "needs root (network namespaces, bridges, tc); run as root or with sudo"
    local t
    for t in ip tc unshare; do
        command -v "$t" >/dev/null 2>&1 || die "'$t' not found: install iproute2 and util-linux (scripts/install-deps.sh)"
    done
    ip netns list >/dev/null 2>&1 || die "'ip netns' does not work here (no network namespace support?)"
}

# Prefix is part of every name we make: keep it to safe characters so that a
# prefix can never select someone else's namespaces.
check_prefix() {
    [[ "$PREFIX" =~ ^[a-z0-9][a-z0-9.-]{0,30}$ ]] ||
        die "TIERPERF_SIM_PREFIX '$PREFIX': use 1-31 of a-z 0-9 . - (starting with a letter or digit)"
}

# Rates: comma-separated Mbit/s, first for the lowest tier present; tiers
# above the list's end get the last rate.
parse_rates() {
    IFS=, read -r -a RATE_LIST <<<"$RATES"
    [ ${#RATE_LIST[@]} -gt 0 ] || die "rates '$RATES': expected Mbit/s per tier, e.g. 600,250,100"
    local r
    for r in "${RATE_LIST[@]}"; do
        [[ "$r" =~ ^[0-9]+$ ]] && [ "$r" -ge 1 ] && [ "$r" -le 100000 ] ||
            die "rates '$RATES': '$r' is not a rate in Mbit/s (1..100000)"
    done
}

# Reads `tierperf topo --emit sim` into HN_* and NODE_* arrays.
load_topology() {
    local file=$1 out kind a b c
    [ -r "$file" ] || die "$file: cannot read topology file"
    [ -x "$TIERPERF" ] || die "$TIERPERF: tierperf binary not found (build first, or set TIERPERF_BIN)"
    local errf
    errf=$(mktemp)
    if ! out=$("$TIERPERF" topo "$file" "${TOPO_ARGS[@]}" --emit sim 2>"$errf"); then
        local msg
        msg=$(cat "$errf"); rm -f "$errf"
        die "bad topology: ${msg:-tierperf topo failed}"
    fi
    cat "$errf" >&2; rm -f "$errf"
    HN_NAME=(); HN_TIER=(); HN_PARENT=(); NODE_NAME=(); NODE_OWN=()
    while read -r kind a b c; do
        case "$kind" in
            hypernode) HN_NAME+=("$a"); HN_TIER+=("$b"); HN_PARENT+=("$c") ;;
            node) NODE_NAME+=("$a"); NODE_OWN+=("$b") ;;
            '#'*|'') ;;
            *) die "$file: unexpected line from tierperf topo --emit sim: $kind $a $b $c" ;;
        esac
    done <<<"$out"
    [ ${#NODE_NAME[@]} -ge 1 ] || die "$file: no Node members: nothing to simulate"
    [ ${#NODE_NAME[@]} -le 1000 ] || die "$file: ${#NODE_NAME[@]} nodes: the simulator stops at 1000"
    local n
    for n in "${NODE_NAME[@]}"; do
        [ $(( ${#PREFIX} + ${#n} )) -le 200 ] || die "$file: node '$n' makes a namespace name too long"
        [[ "$n" =~ ^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$ ]] || die "$file: node name '$n' is not a DNS subdomain name"
    done
}

hn_index() {
    local i
    for i in "${!HN_NAME[@]}"; do
        [ "${HN_NAME[$i]}" = "$1" ] && { echo "$i"; return; }
    done
    echo -1
}

# Rate (Mbit/s) of links into a switch of tier $1.
tier_rate() {
    local tier=$1 min=${HN_TIER[0]} t idx
    for t in "${HN_TIER[@]}"; do [ "$t" -lt "$min" ] && min=$t; done
    idx=$(( tier - min ))
    [ "$idx" -lt ${#RATE_LIST[@]} ] || idx=$(( ${#RATE_LIST[@]} - 1 ))
    echo "${RATE_LIST[$idx]}"
}

# tbf on an egress: burst ~2 ms of traffic (at least 32 KiB, so GSO packets
# pass without being split into many tokens), queue ~25 ms: enough buffer
# for TCP to fill the shaped rate, small enough to stay a rate limit.
shape() {
    local ns=$1 dev=$2 mbit=$3 burst limit
    burst=$(( mbit * 1000000 / 8 / 500 ))
    [ "$burst" -ge 32768 ] || burst=32768
    limit=$(( mbit * 1000000 / 8 / 40 ))
    [ "$limit" -ge $(( burst * 2 )) ] || limit=$(( burst * 2 ))
    ip netns exec "$ns" tc qdisc replace dev "$dev" root tbf rate "${mbit}mbit" burst "$burst" limit "$limit"
}

# Node i's address on rail r (eth<r>): rail 0 198.18.1-4.x, rail r
# 198.18.(10r+1..10r+4).x, all in one /15 (the rails meet at the top).
node_addr() { local i=$1 r=${2:-0}; echo "198.18.$(( 1 + i / 250 + 10 * r )).$(( 1 + i % 250 ))"; }

# Rail r's name of a fabric link or bridge: rail 0 keeps the plain names
# (br<i>, u<i>, d<i>, n<i>, vroot), rail r prefixes "r<r>".
rname() { if [ "$1" -eq 0 ]; then echo "$2"; else echo "r$1$2"; fi; }

check_rails() {
    [[ "$RAILS" =~ ^[1-4]$ ]] || die "rails '$RAILS': expected 1..4 NICs per node"
}

write_state() {
    local file=$1 i
    mkdir -p "$STATE"
    {
        echo "prefix=$PREFIX"
        echo "topology=$(realpath "$file")"
        echo "rates=$RATES"
        echo "rails=$RAILS"
        echo "fabric=$FABRIC"
        echo "head=$HEAD_ADDR"
        for i in "${!NODE_NAME[@]}"; do echo "node ${NODE_NAME[$i]} ${PREFIX}${NODE_NAME[$i]} $(node_addr "$i")"; done
        for i in "${!NODE_NAME[@]}"; do
            for ((r = 0; r < RAILS; r++)); do echo "nic ${NODE_NAME[$i]} $r eth$r $(node_addr "$i" "$r")"; done
        done
    } >"$STATE/cluster.$PREFIX.tmp"
    mv "$STATE/cluster.$PREFIX.tmp" "$STATE/cluster.$PREFIX"
}

# Every namespace that belongs to this prefix's cluster: from the state file
# and from `ip netns list` (a half-made `up` may have left some unrecorded).
our_namespaces() {
    {
        [ -f "$STATE/cluster.$PREFIX" ] && awk '$1 == "node" {print $3}' "$STATE/cluster.$PREFIX"
        ip netns list 2>/dev/null | awk '{print $1}' | while read -r ns; do
            [ "${ns#"$PREFIX"}" != "$ns" ] && echo "$ns"
        done
        if [ ${#NODE_NAME[@]} -gt 0 ]; then printf "${PREFIX}%s\n" "${NODE_NAME[@]}"; fi
        echo "$FABRIC"
    } | sort -u
}

cmd_down() {
    local ns pid
    # Slurm's daemons first, by their pids (scripts/simslurm.sh)
    if [ -f "$STATE/slurm.$PREFIX/pids" ]; then
        "$REPO/scripts/simslurm.sh" down || info "stopping Slurm on '$PREFIX' failed; killing what is left in its namespaces"
    fi
    for ns in $(our_namespaces); do
        [ -e "/run/netns/$ns" ] || continue
        # processes left in it (a killed mpirun's daemons): we started them
        for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
        ip netns del "$ns" 2>/dev/null || info "could not delete namespace $ns"
    done
    rm -f "$STATE/cluster.$PREFIX" "$STATE/hostfile.$PREFIX"
    local left
    left=$(ip netns list | awk '{print $1}' | grep -F -x -f <(our_namespaces) || true)
    [ -z "$left" ] || die "namespaces still present after down: $left"
    info "cluster '$PREFIX' is down"
}

# Is the recorded cluster complete and built from the same file and rates?
is_up() {
    local file=$1 f
    f="$STATE/cluster.$PREFIX"
    [ -f "$f" ] || return 1
    grep -qx "topology=$(realpath "$file")" "$f" && grep -qx "rates=$RATES" "$f" || return 1
    grep -qx "rails=$RAILS" "$f" || return 1
    [ -e "/run/netns/$FABRIC" ] || return 1
    local ns
    for ns in $(awk '$1 == "node" {print $3}' "$f"); do
        [ -e "/run/netns/$ns" ] || return 1
        ip -n "$ns" -br addr show dev eth0 2>/dev/null | grep -q UP || return 1
    done
}

# Rail r's copy of the switch tree: bridges, shaped uplinks; its root
# switch goes to RAIL_ROOT[r].
build_switches() {
    local r=$1 i h p br rate root=""
    if [ "$VROOT" -eq 1 ]; then
        root=$(rname "$r" vroot)
        ip -n "$FABRIC" link add "$root" type bridge stp_state 0 forward_delay 0
        ip -n "$FABRIC" link set "$root" up
    fi
    for i in "${!HN_NAME[@]}"; do
        br=$(rname "$r" "br$i")
        ip -n "$FABRIC" link add "$br" type bridge stp_state 0 forward_delay 0
        ip -n "$FABRIC" link set "$br" alias "${HN_NAME[$i]}$([ "$r" -eq 0 ] || echo " rail $r")"
        ip -n "$FABRIC" link set "$br" up
        [ "${HN_PARENT[$i]}" = "-" ] && [ -z "$root" ] && root=$br
    done
    # Uplinks, parents already exist: child end u<i>, parent end d<i>.
    for i in "${!HN_NAME[@]}"; do
        if [ "${HN_PARENT[$i]}" = "-" ]; then
            [ "$VROOT" -eq 1 ] || continue
            p=$root; rate=$(tier_rate $((MAXTIER + 1)))
        else
            h=$(hn_index "${HN_PARENT[$i]}"); p=$(rname "$r" "br$h"); rate=$(tier_rate "${HN_TIER[$h]}")
        fi
        ip -n "$FABRIC" link add "$(rname "$r" "u$i")" type veth peer name "$(rname "$r" "d$i")"
        ip -n "$FABRIC" link set "$(rname "$r" "u$i")" master "$(rname "$r" "br$i")" up
        ip -n "$FABRIC" link set "$(rname "$r" "d$i")" master "$p" up
        shape "$FABRIC" "$(rname "$r" "u$i")" "$rate"
        shape "$FABRIC" "$(rname "$r" "d$i")" "$rate"
    done
    RAIL_ROOT[$r]=$root
}

# Several NICs in one subnet: each answers ARP for its own address only,
# and traffic from a NIC's address leaves by that NIC (a routing table per
# rail), as on a multi-rail host.
rail_sysctls() {
    local ns=$1 k
    for k in arp_ignore=1 arp_announce=2 rp_filter=0; do
        ip netns exec "$ns" sysctl -qw "net.ipv4.conf.all.${k%=*}=${k#*=}" "net.ipv4.conf.default.${k%=*}=${k#*=}"
    done
}

# Node i's NIC on rail r: eth<r> in its namespace, to its own HyperNode's
# bridge of rail r, shaped both ways.
attach_node() {
    local i=$1 ns=$2 r=$3 br rate h addr
    if [ "${NODE_OWN[$i]}" = "-" ]; then
        br=${RAIL_ROOT[$r]}; rate=$(tier_rate $((MAXTIER + 1)))
    else
        h=$(hn_index "${NODE_OWN[$i]}"); br=$(rname "$r" "br$h"); rate=$(tier_rate "${HN_TIER[$h]}")
    fi
    addr=$(node_addr "$i" "$r")
    ip -n "$FABRIC" link add "$(rname "$r" "n$i")" type veth peer name "eth$r" netns "$ns"
    ip -n "$FABRIC" link set "$(rname "$r" "n$i")" master "$br" up
    if [ "$RAILS" -eq 1 ]; then
        ip -n "$ns" addr add "$addr/15" dev eth0
    else
        # one connected route in the main table (eth0's); eth<r>'s own table
        if [ "$r" -eq 0 ]; then
            ip -n "$ns" addr add "$addr/15" dev eth0
        else
            ip -n "$ns" addr add "$addr/15" dev "eth$r" noprefixroute
        fi
        ip -n "$ns" rule add from "$addr" table $((100 + r))
    fi
    ip -n "$ns" link set "eth$r" up
    [ "$RAILS" -eq 1 ] || ip -n "$ns" route add "$SUBNET" dev "eth$r" src "$addr" table $((100 + r))
    shape "$FABRIC" "$(rname "$r" "n$i")" "$rate"
    shape "$ns" "eth$r" "$rate"
}

up_failed() {
    local rc=$?
    [ "$rc" -eq 0 ] && return
    info "up failed; removing what was made"
    cmd_down >/dev/null 2>&1 || true
}

cmd_up() {
    local file=$1 i ns
    if is_up "$file"; then
        info "cluster '$PREFIX' already up from $file"
        return 0
    fi
    cmd_down >/dev/null 2>&1 || true
    # Undo a half-made cluster on any failure below.
    trap up_failed EXIT

    ip netns add "$FABRIC"
    ip -n "$FABRIC" link set lo up
    # Parentless HyperNodes (several roots) and nodes with no HyperNode hang
    # off a virtual root switch, as Volcano's scheduler adds one.
    local nroots=0 orphans=0 r
    MAXTIER=${HN_TIER[0]:-0}
    for i in "${!HN_NAME[@]}"; do
        [ "${HN_PARENT[$i]}" = "-" ] && nroots=$((nroots + 1))
        [ "${HN_TIER[$i]}" -gt "$MAXTIER" ] && MAXTIER=${HN_TIER[$i]}
    done
    for i in "${!NODE_NAME[@]}"; do [ "${NODE_OWN[$i]}" = "-" ] && orphans=$((orphans + 1)); done
    VROOT=0
    if [ "$nroots" -ne 1 ] || [ "$orphans" -gt 0 ]; then VROOT=1; fi
    RAIL_ROOT=()
    for ((r = 0; r < RAILS; r++)); do build_switches "$r"; done
    # Rails meet only at the top: rail r's root switch to rail 0's, shaped
    # like the tier above the highest, so cross-rail pairs cross it.
    for ((r = 1; r < RAILS; r++)); do
        ip -n "$FABRIC" link add "x$r" type veth peer name "y$r"
        ip -n "$FABRIC" link set "x$r" master "${RAIL_ROOT[$r]}" up
        ip -n "$FABRIC" link set "y$r" master "${RAIL_ROOT[0]}" up
        shape "$FABRIC" "x$r" "$(tier_rate $((MAXTIER + 1)))"
        shape "$FABRIC" "y$r" "$(tier_rate $((MAXTIER + 1)))"
    done
    # The mpirun head lives in the fabric namespace, on the root switch.
    ip -n "$FABRIC" addr add "$HEAD_ADDR/15" dev "${RAIL_ROOT[0]}"
    for i in "${!NODE_NAME[@]}"; do
        ns="${PREFIX}${NODE_NAME[$i]}"
        ip netns add "$ns"
        ip -n "$ns" link set lo up
        [ "$RAILS" -eq 1 ] || rail_sysctls "$ns"
        for ((r = 0; r < RAILS; r++)); do attach_node "$i" "$ns" "$r"; done
    done
    write_state "$file"
    {
        for i in "${!NODE_NAME[@]}"; do echo "${NODE_NAME[$i]}"; done
    } >"$STATE/hostfile.$PREFIX"
    trap - EXIT
    info "cluster '$PREFIX' up: ${#NODE_NAME[@]} nodes, ${#HN_NAME[@]} switches, $RAILS rail(s), rates ${RATES} Mbit/s (lowest tier first), fabric $SUBNET"
}

cmd_status() {
    local f="$STATE/cluster.$PREFIX" ns
    if [ ! -f "$f" ]; then
        echo "cluster '$PREFIX': down"
        return 3
    fi
    sed -n 's/^\(topology\|rates\|rails\)=/\1: /p' "$f"
    local bad=0
    while read -r _ node ns addr; do
        if [ -e "/run/netns/$ns" ]; then
            printf '%-24s %-28s %s\n' "$node" "$ns" "$addr"
        else
            printf '%-24s %-28s MISSING\n' "$node" "$ns"; bad=1
        fi
    done < <(awk '$1 == "node"' "$f")
    echo "switches (fabric namespace $FABRIC):"
    ip -n "$FABRIC" -o link show type bridge 2>/dev/null |
        sed -n 's/^[0-9]*: \([^:@]*\).*alias \(.*\)$/  \1 \2/p; s/^[0-9]*: \(vroot\):.*/  \1 (virtual root)/p'
    echo "shaped links:"
    ip netns exec "$FABRIC" tc qdisc show 2>/dev/null | sed -n 's/^qdisc tbf [^ ]* dev \([^ ]*\) .* rate \([^ ]*\) .*/  \1 \2/p'
    [ "$bad" -eq 0 ] || return 1
}

cmd_hosts() {
    local f="$STATE/cluster.$PREFIX"
    [ -f "$f" ] || die "cluster '$PREFIX' is not up (scripts/simcluster.sh up TOPOLOGY.yaml)"
    awk '$1 == "node" {print $2}' "$f"
}

main() {
    [ $# -ge 1 ] || usage
    [ "$1" = slurm ] && { shift; exec "$REPO/scripts/simslurm.sh" "$@"; }
    local cmd=$1 file=""
    TOPO_ARGS=()
    shift
    while [ $# -gt 0 ]; do
        case "$1" in
            --rates) [ $# -ge 2 ] || die "--rates needs a value"; RATES=$2; shift 2 ;;
            --rates=*) RATES=${1#--rates=}; shift ;;
            --rails) [ $# -ge 2 ] || die "--rails needs a value"; RAILS=$2; shift 2 ;;
            --rails=*) RAILS=${1#--rails=}; shift ;;
            --nodes|--node-names)
                [ $# -ge 2 ] || die "$1 needs a value"; TOPO_ARGS+=("$1" "$2"); shift 2 ;;
            -h|--help) usage ;;
            -*) die "unknown option '$1'" ;;
            *) [ -z "$file" ] || die "one topology file only ('$file', '$1')"; file=$1; shift ;;
        esac
    done
    check_prefix
    HN_NAME=(); HN_TIER=(); NODE_NAME=()
    case "$cmd" in
        up)
            [ -n "$file" ] || die "up: topology file missing"
            need_tools; parse_rates; check_rails; load_topology "$file"; cmd_up "$file" ;;
        down)
            need_tools; cmd_down ;;
        status) cmd_status ;;
        hosts) cmd_hosts ;;
        *) usage ;;
    esac
}

main "$@"

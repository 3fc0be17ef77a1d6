#!/usr/bin/env bash
# bench-sweep.sh: how the sweep plan scales.  For generated HyperNode trees
# of 8, 1,000 and 10,000 nodes (scripts/gen-hypernodes.py, 4 tiers, leaves
# of 32, fan-out 4), the rounds and planned pairs of `--pattern sweep`,
# next to tiers and allpairs (allpairs counted, not planned, past 200
# nodes: N(N-1) pairs).  With root and mpirun, the wall time of a sweep on
# the 8-node simulated cluster (scripts/simcluster.sh) with one access link
# planted at 1/5 of the slowest tier's rate, and what `check` names.
# Writes results/sweep-scale.md (SWEEP_OUT to change).
#   scripts/bench-sweep.sh [BUILD_DIR]     (default build)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
bin=$build/tierperf
out=${SWEEP_OUT:-results/sweep-scale.md}
[ -x "$bin" ] || { echo "bench-sweep.sh: $bin not built" >&2; exit 2; }
work=$(mktemp -d)
export TIERPERF_SIM_PREFIX="tpbs$$-" TIERPERF_SIM_STATE="$work/state" TIERPERF_BIN="$bin"
cleanup() {
    [ -d "$work/state" ] && scripts/simcluster.sh down >/dev/null 2>&1
    rm -rf "$work"
}
trap cleanup EXIT

summary() {   # FILE PLAN -> "rounds pairs"
    "$bin" topo "$1" --plan "$2" --quiet | sed -n "s/^plan $2: .*, \([0-9]*\) rounds\?, \([0-9]*\) pairs\?$/\1 \2/p"
}
rows=()
for n in 8 1000 10000; do
    if [ "$n" -eq 8 ]; then f=topologies/sim-8node-3tier.yaml; shape="the simulated cluster's tree (3 tiers)"
    else
        f="$work/g$n.yaml"; shape="4 tiers, leaves of 32, fan-out 4"
        python3 scripts/gen-hypernodes.py --nodes "$n" --tiers 4 --leaf-size 32 --fanout 4 -o "$f"
    fi
    read -r sr sp <<<"$(summary "$f" sweep)"
    read -r tr tp <<<"$(summary "$f" tiers)"
    if [ "$n" -le 200 ]; then read -r ar ap <<<"$(summary "$f" allpairs)"
    else ar="-"; ap=$(( n * (n - 1) )); fi
    rows+=("| $n | $shape | $sr | $sp | $tr | $tp | $ar | $ap |")
    echo "nodes $n: sweep $sr rounds, $sp pairs; tiers $tr rounds, $tp pairs; allpairs $ar rounds, $ap pairs"
done

sim="(not run: needs root, ip, tc and mpirun)"
if [ "$(id -u)" -eq 0 ] && command -v mpirun >/dev/null && command -v tc >/dev/null; then
    export TIERPERF_SIM_RATES=200,100,50 OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
    topo=topologies/sim-8node-3tier.yaml
    scripts/simcluster.sh up "$topo" >/dev/null
    ip netns exec "${TIERPERF_SIM_PREFIX}sim-n5" tc qdisc replace dev eth0 root tbf rate 10mbit burst 32768 limit 65536
    n5=$("$bin" topo "$topo" --emit sim | awk '$1 == "node" { if ($2 == "sim-n5") print i; i++ }')
    ip netns exec "${TIERPERF_SIM_PREFIX}fabric" tc qdisc replace dev "n$n5" root tbf rate 10mbit burst 32768 limit 65536
    t0=$(date +%s.%N)
    timeout 600 scripts/sim-mpirun.sh "$bin" run --pattern sweep --transport tcp --topology "$topo" \
        --sizes 64K --duration 1 --warmup 4 --tx-depth 8 --no-lat --subnet 198.18.0.0/15 \
        --out "$work/sweep.json" >"$work/sweep.log" 2>&1
    t1=$(date +%s.%N)
    named=$("$bin" check "$work/sweep.json" --profile test-dev | grep -E "^(suspect|unconfirmed|culprit):" || true)
    sim=$(printf 'wall time %.1f s (rates 200/100/50 Mbit/s, sim-n5 access link at 10 Mbit/s both ways, `--sizes 64K --duration 1 --no-lat`); check says:\n\n```\n%s\n```' \
        "$(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}')" "$named")
    echo "$sim"
fi

mkdir -p "$(dirname "$out")"
# the machine as the run's environment block recorded it
if [ -s "$work/sweep.json" ]; then facts=$(python3 scripts/machine-facts.py "$work/sweep.json")
else facts="machine not recorded: the sweep run wrote no results file"; fi
{
    echo "# The sweep plan at scale"
    echo
    echo "Written by \`scripts/bench-sweep.sh\` on $(date -u +%Y-%m-%d) ($facts), tierperf $(git describe --always --dirty 2>/dev/null || echo unknown)."
    echo "Rounds and pairs as \`tierperf topo FILE --plan P --quiet\` plans them, one rank per node (allpairs past 200 nodes: N(N-1) pairs, not planned)."
    echo
    echo "| nodes | tree | sweep rounds | sweep pairs | tiers rounds | tiers pairs | allpairs rounds | allpairs pairs |"
    echo "|---|---|---|---|---|---|---|---|"
    printf '%s\n' "${rows[@]}"
    echo
    echo "Sweep on the 8-node simulated cluster: $sim"
} >"$out"
echo "wrote $out"

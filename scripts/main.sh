#!/usr/bin/env bash
# main.sh: the README's main command.  On a fresh Debian 12 machine: install
# what tierperf needs, build it (Release), simulate an 8-node 3-tier cluster
# on this machine (scripts/simcluster.sh, topologies/sim-8node-3tier.yaml),
# measure every tier with `tierperf run --pattern tiers --transport tcp`,
# print the per-tier table, judge each tier against its shaped rate with
# `tierperf check` and leave the JSON under results/.
#
# Without root (or with TIERPERF_NO_SIM=1) it runs the same job with all
# ranks on this machine over loopback and says so.  Environment: see
# docs/simulated-cluster.md (TIERPERF_SIM_RATES, TIERPERF_SIM_PREFIX, ...).
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
ME=main.sh
TOPO=${TIERPERF_MAIN_TOPOLOGY:-topologies/sim-8node-3tier.yaml}
say() { echo "== $*"; }
die() { echo "$ME: $*" >&2; exit 1; }

say "dependencies (scripts/install-deps.sh)"
if [ "$(id -u)" -eq 0 ] || command -v sudo >/dev/null 2>&1; then
    bash scripts/install-deps.sh
else
    bash scripts/install-deps.sh || echo "$ME: could not install packages without root; trying with what is installed" >&2
fi

say "build (Release, build/)"
jobs=$(nproc 2>/dev/null || echo 2)
# Warnings are not errors here: a newcomer's compiler must not stop the demo
# (scripts/test.sh builds with -Werror).
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DTIERPERF_WERROR=OFF >/dev/null
cmake --build build -j"$jobs" >/dev/null || cmake --build build -j1
bin=$REPO/build/tierperf
[ -x "$bin" ] || die "build/tierperf was not built"

mode=sim
why=""
if [ "${TIERPERF_NO_SIM:-0}" = 1 ]; then
    mode=loopback; why="TIERPERF_NO_SIM=1"
elif [ "$(id -u)" -ne 0 ]; then
    mode=loopback; why="not root (network namespaces need root)"
elif ! ip netns list >/dev/null 2>&1; then
    mode=loopback; why="'ip netns' does not work on this machine"
fi

mkdir -p results
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out="results/main-$mode-$stamp.json"
# 64 B for latency, 4 MiB to fill the shaped links; a short timed phase and
# a small warm-up (the default warms up with 64 MiB, 5 s at 100 Mbit/s):
# 12 pairs in 7 rounds keep the job near a minute.
run_args=(run --pattern tiers --transport tcp --topology "$TOPO"
          --sizes "${TIERPERF_MAIN_SIZES:-64,4M}" --duration "${TIERPERF_MAIN_DURATION:-2}" --warmup 4
          --out "$out")
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

if [ "$mode" = sim ]; then
    rates=${TIERPERF_SIM_RATES:-600,250,100}
    export TIERPERF_SIM_RATES=$rates
    say "simulated cluster from $TOPO (rates $rates Mbit/s, lowest tier first)"
    trap 'say "tearing the simulated cluster down"; TIERPERF_BIN=$bin scripts/simcluster.sh down || true' EXIT
    TIERPERF_BIN=$bin scripts/simcluster.sh up "$TOPO"
    run_args+=(--subnet 198.18.0.0/15)
    say "tierperf ${run_args[*]}"
    scripts/sim-mpirun.sh "$bin" "${run_args[@]}"
else
    echo "$ME: NOTE: no simulated cluster ($why): all ranks run on this machine over" >&2
    echo "$ME: loopback, one per node name; every tier shows loopback speed, not a tier's rate." >&2
    nodes=$("$bin" topo "$TOPO" --emit sim | awk '$1 == "node" {print $2}' | paste -sd, -)
    n=$(echo "$nodes" | tr , '\n' | wc -l)
    run_args+=(--subnet 127.0.0.0/8)
    say "mpirun -np $n (loopback) tierperf ${run_args[*]}"
    mpirun --allow-run-as-root --oversubscribe -np "$n" --mca btl self,vader,tcp \
        sh -c 'TIERPERF_NODE_NAME=$(echo "$0" | cut -d, -f$((OMPI_COMM_WORLD_RANK + 1))); export TIERPERF_NODE_NAME; exec "$@"' \
        "$nodes" "$bin" "${run_args[@]}"
    rates=""
fi

say "per-tier results above; the JSON is $out"
if [ -n "$rates" ]; then
    # tierperf check judges each tier against 90 % of its shaped rate
    # (TCP payload tops out near 95 % of it), from a profile made here
    profile=$(mktemp --suffix=.yaml /tmp/tierperf-main-profile.XXXXXX)
    {
        echo "name: shaped"
        echo "description: \"each tier at 90 % of its shaped rate (${rates//,/ \/ } Mbit/s, lowest tier first)\""
        echo "rules:"
        tier=1
        for rate in ${rates//,/ }; do
            printf '  - name: tier%d\n    tiers: [%d]\n    min_bandwidth: %dMbit/s\n' \
                "$tier" "$tier" $(( rate * 9 / 10 ))
            tier=$(( tier + 1 ))
        done
    } >"$profile"
    say "measured against the shaped rates: tierperf check $out --profile (90 % of each)"
    "$bin" check "$out" --profile "$profile" || true
    rm -f "$profile"
fi

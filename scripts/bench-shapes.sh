#!/usr/bin/env bash
# bench-shapes.sh: issue 7's performance figures, measured in one run and
# written to results/bench-shapes.md (a benchmark, not a pass/fail test).
#  1. streaming overhead on loopback TCP: a 20 GB transfer (--size) against
#     the same run at 1 GB (target: >= 0.95x), and the cost of --verify.
#  2. fanout over one shaped uplink (simulated cluster, root): rank 0 on
#     sim-n0 sends to the 4 nodes behind the 100 Mbit/s core uplink at
#     once; total against the uplink's rate (target: >= 0.9x).
#   scripts/bench-shapes.sh [BUILD_DIR]     (default build, Release)
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
build=${1:-build}
bin="$REPO/$build/tierperf"
[ -x "$bin" ] || { echo "bench-shapes.sh: build first (cmake -S . -B $build -DCMAKE_BUILD_TYPE=Release && cmake --build $build)" >&2; exit 2; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
work=$(mktemp -d /tmp/tierperf-bench-shapes.XXXXXX)
topo=topologies/sim-8node-3tier.yaml

stream() {   # name size extra-args...
    local name=$1 size=$2; shift 2
    mpirun --oversubscribe -np 2 --mca btl self,vader,tcp "$bin" run --transport tcp \
        --pattern pairs --size "$size" --sizes 4M --no-lat --no-bind --quiet \
        --out "$work/$name.json" "$@" >/dev/null
}
echo "== loopback streaming: 1 GB, 20 GB, 1 GB with --verify"
stream s1 1GB
stream s20 20GB
stream v1 1GB --verify

rates=600,250,100
fanout_ok=0
if [ "$(id -u)" -eq 0 ]; then
    echo "== fanout over the shaped core uplink (simulated cluster)"
    export TIERPERF_SIM_PREFIX="tpb$$-" TIERPERF_SIM_STATE="$work/state" TIERPERF_SIM_RATES=$rates
    export TIERPERF_BIN="$bin"
    trap 'scripts/simcluster.sh down >/dev/null 2>&1 || true' EXIT
    scripts/simcluster.sh up "$topo" >/dev/null
    scripts/sim-mpirun.sh -np 5 --host sim-n0,sim-n4,sim-n5,sim-n6,sim-n7 "$bin" run \
        --transport tcp --topology "$topo" --subnet 198.18.0.0/15 --pattern fanout \
        --fanout-mode both --size 64M --sizes 1M --quiet --out "$work/fan.json" >/dev/null
    fanout_ok=1
fi

# the machine as the runs' environment blocks recorded it
last=v1; [ "$fanout_ok" = 1 ] && last=fan
facts=$(python3 scripts/machine-facts.py "$work/s1.json" "$work/$last.json")
python3 scripts/bench-shapes-md.py "$work" "$fanout_ok" "$rates" "$facts" >results/bench-shapes.md
rm -rf "$work"
cat results/bench-shapes.md

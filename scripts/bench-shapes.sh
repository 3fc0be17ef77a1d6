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
python3 - "$work" "$fanout_ok" "$rates" "$facts" >results/bench-shapes.md <<'PY'
import json, sys, datetime
work, fan_ok, rates, facts = sys.argv[1], sys.argv[2] == "1", sys.argv[3], sys.argv[4]
def one(name):
    return json.load(open(f"{work}/{name}.json"))["results"][0]
s1, s20, v1 = one("s1"), one("s20"), one("v1")
print("# Traffic shapes: streaming overhead and fanout over a shaped uplink\n")
print("Written by `scripts/bench-shapes.sh` from one run; figures are measured, not typed.\n")
print(f"- Machine: {facts} (a shared machine: single figures are noisy)")
print(f"- Date: {datetime.datetime.utcnow().strftime('%Y-%m-%dT%H:%M:%SZ')}")
print("- Units: Gbit/s = 10^9 bit/s; GB = 10^9 bytes\n")
print("## Streaming through a bounded ring (loopback TCP, 4 MiB messages, 64 MiB ring)\n")
print("| transfer | Gbit/s | time s | slowest ~1 s window Gbit/s |")
print("|---|---|---|---|")
for label, r in (("1 GB", s1), ("20 GB", s20), ("1 GB --verify", v1)):
    st = (r.get("extra") or {}).get("stream", {})
    print(f"| {label} | {r['bw_gbit_s']:.3f} | {st.get('time_to_transfer_s', r['seconds']):.1f} | {st.get('slowest_window_gbit_s', 0):.3f} |")
print(f"\n20 GB / 1 GB throughput: **{s20['bw_gbit_s'] / s1['bw_gbit_s']:.2f}x** (target >= 0.95x).  "
      f"Cost of --verify (every byte filled and checked): throughput {v1['bw_gbit_s'] / s1['bw_gbit_s']:.2f}x of the unverified run.\n")
if fan_ok:
    fan = json.load(open(f"{work}/fan.json"))["results"]
    core = float(rates.split(",")[-1]) / 1000
    print("## Fanout over one shaped uplink (simulated cluster)\n")
    print(f"Source sim-n0; readers sim-n4..n7, all behind the {core * 1000:.0f} Mbit/s core uplink; 64 MiB to each reader.\n")
    print("| mode | readers | all done s | aggregate Gbit/s | of the uplink's rate |")
    print("|---|---|---|---|---|")
    for mode in ("star", "chain"):
        rows = [r for r in fan if r["extra"]["mode"] == mode]
        if rows:
            x = rows[0]["extra"]
            print(f"| {mode} | {x['readers']} | {x['all_done_s']:.1f} | {x['aggregate_gbit_s']:.4f} | {x['aggregate_gbit_s'] / core:.2f}x |")
    print("\nStar: every reader's copy crosses the uplink, so the total is bounded by it (target >= 0.9x).  "
          "Chain: the copy crosses the uplink once and is relayed behind it, so the aggregate can exceed the uplink.")
else:
    print("Fanout over a shaped uplink: not measured (needs root for the simulated cluster).")
PY
rm -rf "$work"
cat results/bench-shapes.md

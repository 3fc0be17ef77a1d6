#!/usr/bin/env bash
# bench-verbs-vs-perftest.sh: tierperf's verbs transport beside perftest in
# the same soft-RoCE guest run (scripts/guest/run.sh): RDMA WRITE, READ and
# SEND bandwidth (ib_write_bw, ib_read_bw, ib_send_bw) and WRITE latency
# (ib_write_lat) at
# the same sizes, tx depth and duration, interleaved size by size so both
# see the same machine load.  Prints the ratios and writes
# results/verbs-vs-perftest.md.  rxe under TCG is slow and noisy: compare
# the ratios, not the absolute figures.
#
#   scripts/bench-verbs-vs-perftest.sh [BUILD_DIR] [--quick] [--reps N] [--report-only]
#                                      [--msgrate]
#
# --msgrate: message rate instead: small-message bandwidth and messages/s
# of RDMA WRITE and SEND at the sizes of `ib_write_bw -a` / `ib_send_bw -a`
# from 2 B to 4 KiB (one perftest run per size with -a's fixed iteration
# count; -a itself goes on to 8 MiB, minutes per tool under TCG), beside one
# tierperf sweep --sizes 2:4K per op; writes the "Message rate" section of
# results/verbs-vs-perftest.md and keeps the rest.
#
# Each point is measured --reps times (default 5), the two tools back to
# back and their order swapped every repetition.  rxe under TCG swings by
# 2x from one run to the next with the host's load, so the table gives,
# per point, each tool's median and the median and range of the paired
# ratios (tierperf's run over the perftest run beside it), which cancel
# the slow swings.  --report-only rewrites the table from the last run's
# raw outputs (BUILD_DIR/bench-verbs-last/).
#
# perftest's "BW average[MB/sec]" is in 2^20 bytes/s (it equals its MsgRate
# x size); converted to Gbit/s = 10^9 bit/s like tierperf's; latency = one-way
# (RTT/2) median: perftest's t_typical, tierperf's p50.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
build=$repo/build
quick=0
report_only=0
msgrate=0
reps=5
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1; reps=1 ;;
    --report-only) report_only=1 ;;
    --msgrate) msgrate=1 ;;
    --reps) reps=${2:?--reps N}; shift ;;
    *) build=$1 ;;
  esac
  shift
done
build=$(cd "$build" && pwd)
[ -x "$build/tierperf" ] || { echo "bench: $build/tierperf not built" >&2; exit 2; }
command -v ib_write_bw >/dev/null || { echo "bench: perftest missing (scripts/install-deps.sh guest)" >&2; exit 2; }

bw_sizes="4096 65536 1048576"
lat_sizes="8 4096"
dur=2
lat_iters=2000
depth=128
if [ $quick -eq 1 ]; then bw_sizes="65536"; lat_sizes="8"; dur=3; lat_iters=300; fi
# --msgrate: ib_write_bw -a's sizes up to 4 KiB, and its fixed iterations
# per size (scaled so a point takes about 1-2 s under TCG)
mr_sizes="2 4 8 16 32 64 128 256 512 1024 2048 4096"
mr_iters=15000
[ $quick -eq 1 ] && mr_sizes="2 64 4096"

# raw outputs of the last run stay in BUILD_DIR/bench-verbs-last/
work="$build/bench-verbs-last"
[ $msgrate -eq 1 ] && work="$build/bench-verbs-msgrate-last"
out="$work/g"
if [ $report_only -eq 1 ]; then
  [ -f "$work/params" ] || { echo "bench: no earlier run in $work" >&2; exit 2; }
  . "$work/params"
else
rm -rf "$work"
mkdir -p "$out" "$repo/results"
echo "bw_sizes='$bw_sizes' lat_sizes='$lat_sizes' dur=$dur depth=$depth reps=$reps" \
     "mr_sizes='$mr_sizes' mr_iters=$mr_iters" > "$work/params"

cat > "$work/guest.sh" <<EOF
set -u
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_pml=ob1 OMPI_MCA_btl=self,vader,tcp OMPI_MCA_osc=^ucx OMPI_MCA_btl_tcp_if_include=lo
cd "$out"
pt() {   # name tool args...: server in the background, client, retry once
  local name=\$1 tool=\$2; shift 2
  for try in 1 2; do
    timeout 120 \$tool -d rxe0 -x 1 -F "\$@" > "\$name.srv" 2>&1 &
    local srv=\$!
    sleep 1
    timeout 120 \$tool -d rxe0 -x 1 -F "\$@" 198.18.0.1 > "\$name.out" 2>&1
    wait \$srv
    grep -q "^ *[0-9]" "\$name.out" && return 0
    echo "perftest \$name: no report (try \$try)"; cat "\$name.out" | tail -3
  done
}
tp() {   # name args...
  local name=\$1; shift
  timeout 300 mpirun -np 2 --bind-to none "$build/tierperf" run --transport verbs \
      --quiet --timeout 60 --out "$out/\$name.json" "\$@" > "\$name.log" 2>&1 ||
      { echo "tierperf \$name failed"; tail -5 "\$name.log"; }
}
pair() {   # rep ptargs... -- tpargs...: both tools, order swapped on even reps
  local rep=\$1; shift
  local ptargs=() tpargs=()
  while [ "\$1" != -- ]; do ptargs+=("\$1"); shift; done; shift
  tpargs=("\$@")
  if [ \$((rep % 2)) -eq 1 ]; then pt "\${ptargs[@]}"; tp "\${tpargs[@]}"
  else tp "\${tpargs[@]}"; pt "\${ptargs[@]}"; fi
}
if [ $msgrate -eq 1 ]; then
for rep in \$(seq 1 $reps); do
  for op in write send; do
    # tierperf: one sweep; perftest: one run per size (what -a runs), in
    # the order swapped every repetition
    sweep() { tp tp-mr-\$op-r\$rep --rdma-op \$op --sizes 2:4K --duration 1.5 \
                 --tx-depth $depth --no-lat; }
    [ \$((rep % 2)) -eq 0 ] && sweep
    for s in $mr_sizes; do
      pt pt-mr-\$op-\$s-r\$rep ib_\${op}_bw -s \$s -n $mr_iters -t $depth
    done
    [ \$((rep % 2)) -eq 1 ] && sweep
  done
done
grep -h "Max inline\|TX depth\|Mtu" pt-mr-write-*.out | tr -s ' ' | sort -u > perftest-params.txt
exit 0
fi
for rep in \$(seq 1 $reps); do
for op in write read send; do
  for s in $bw_sizes; do
    # -n, not -D: perftest's duration mode sometimes reports 0 under TCG;
    # iterations for about $dur s at ~30 MB/s
    n=\$(( $dur * 30000000 / \$s )); [ \$n -lt 100 ] && n=100
    pair \$rep pt-\$op-\$s-r\$rep ib_\${op}_bw -s \$s -n \$n -t $depth -- \
         tp-\$op-\$s-r\$rep --rdma-op \$op --sizes \$s --duration $dur --tx-depth $depth --no-lat
  done
done
for s in $lat_sizes; do
  pair \$rep pt-lat-\$s-r\$rep ib_write_lat -s \$s -n $lat_iters -- \
       tp-lat-\$s-r\$rep --rdma-op write --sizes \$s --lat-iters $lat_iters --no-bw
done
done
grep -h "Max inline\|TX depth\|Mtu" pt-write-*.out | tr -s ' ' | sort -u > perftest-params.txt
EOF

if [ $msgrate -eq 1 ]; then
  echo "bench: booting the soft-RoCE guest (message rate at $mr_sizes B)" >&2
else
  echo "bench: booting the soft-RoCE guest (sizes: bw $bw_sizes, lat $lat_sizes; ${dur}s each)" >&2
fi
"$here/guest/run.sh" --timeout 2400 --work "$out" -- bash "$work/guest.sh"
fi

if [ $msgrate -eq 1 ]; then
  exec python3 "$here/verbs_msgrate.py" "$out" "$repo/results/verbs-vs-perftest.md" \
       "$mr_sizes" "$mr_iters" "$depth" "$reps"
fi
python3 - "$out" "$repo/results/verbs-vs-perftest.md" "$bw_sizes" "$lat_sizes" "$dur" "$depth" "$reps" \
        "$here" <<'PY'
import json, os, statistics, sys
out, md, bw_sizes, lat_sizes, dur, depth, reps, here = sys.argv[1:9]
sys.path.insert(0, here)
from verbs_msgrate import perftest_rows
reps = int(reps)
bw_sizes = [int(s) for s in bw_sizes.split()]
lat_sizes = [int(s) for s in lat_sizes.split()]

def med(values):
    values = [v for v in values if v]
    return statistics.median(values) if values else None

def pt_bw_one(op, s, r):
    rows = perftest_rows(os.path.join(out, "pt-%s-%d-r%d.out" % (op, s, r)))
    # BW average [MB/sec] with MB = 2^20 (it matches MsgRate x size)
    return rows[-1][3] * 1048576 * 8 / 1e9 if rows and rows[-1][3] > 0 else None

def pt_lat_one(s, r):
    rows = perftest_rows(os.path.join(out, "pt-lat-%d-r%d.out" % (s, r)))
    return rows[-1][4] if rows else None                          # t_typical us

def tp_one(name, r):
    try:
        d = json.load(open(os.path.join(out, "%s-r%d.json" % (name, r))))
        return d["results"][0], d
    except (OSError, ValueError, IndexError, KeyError):
        return None, None

def human(s):
    return "%d KiB" % (s // 1024) if s >= 1024 else "%d B" % s

def row(measure, size, pairs, fmt):
    """pairs: (tierperf, perftest) per repetition, None where a run failed."""
    a = med([p[0] for p in pairs])
    b = med([p[1] for p in pairs])
    ratios = [p[0] / p[1] for p in pairs if p[0] and p[1]]
    if ratios:
        rtxt = "%.2fx" % statistics.median(ratios)
        rng = "%.2f-%.2f" % (min(ratios), max(ratios))
    else:
        rtxt, rng = "n/a", "n/a"
    return "| %s | %s | %s | %s | %s | %s (%d) |" % (
        measure, human(size), fmt % a if a else "failed", fmt % b if b else "failed",
        rtxt, rng, len(ratios))

lines = []
env = None
for op in ("write", "read", "send"):
    for s in bw_sizes:
        pairs = []
        for r in range(1, reps + 1):
            res, d = tp_one("tp-%s-%d" % (op, s), r)
            env = env or d
            pairs.append((res["bw_gbit_s"] if res else None, pt_bw_one(op, s, r)))
        lines.append(row("%s bandwidth (Gbit/s)" % op.upper(), s, pairs, "%.4f"))
for s in lat_sizes:
    pairs = []
    for r in range(1, reps + 1):
        res, d = tp_one("tp-lat-%d" % s, r)
        env = env or d
        pairs.append((res["lat_us"]["p50"] if res and res.get("lat_us") else None,
                      pt_lat_one(s, r)))
    lines.append(row("WRITE latency (one-way p50, us)", s, pairs, "%.2f"))

head = ("| measure | size | tierperf (median) | perftest (median) | tierperf / perftest "
        "(median of paired runs) | range of the paired ratios (pairs) |\n|---|---|---|---|---|---|")
print(head)
print("\n".join(lines))

cpu = env["environment"]["cpu_model"] if env else "?"
kernel = env["environment"]["kernel"] if env else "?"
link = env["environment"]["links"][0] if env else {}
try:
    params = open(os.path.join(out, "perftest-params.txt")).read().strip()
except OSError:
    params = ""
host_cpu = "?"
try:
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            host_cpu = line.split(":", 1)[1].strip()
            break
except OSError:
    pass
ncpu = os.cpu_count()
try:   # the message-rate section (--msgrate) is kept
    old = open(md).read()
    keep = old[old.index("\n## Message rate"):] if "\n## Message rate" in old else ""
except OSError:
    keep = ""
with open(md, "w") as f:
    f.write("# tierperf verbs vs perftest on soft-RoCE (rxe) in a qemu guest\n\n")
    f.write("Written by `scripts/bench-verbs-vs-perftest.sh` from one run; do not edit by hand.\n\n")
    f.write("- Machine: %d-core %s host (Debian 12 VM, shared with other jobs), running a "
            "qemu TCG guest (`%s`, 2 vCPUs, kernel %s)\n" % (ncpu, host_cpu, cpu, kernel))
    f.write("- Link: %s, driver %s, %s, line rate reported %s Gbit/s, MTU %s\n" % (
        link.get("device"), link.get("driver"), link.get("detail", "").split(";")[0],
        link.get("line_rate_gbit"), link.get("mtu")))
    f.write("- Same guest, same run, the tools alternating point by point; median of %d "
            "repetitions each, the two tools back to back and their order swapped every "
            "repetition; tx depth %s for both; about %s s per bandwidth point; both "
            "ranks/processes on the one rxe device\n" % (reps, depth, dur))
    f.write("- Units: Gbit/s = 10^9 bit/s (perftest's BW average, in 2^20 B/s, converted); latency one-way "
            "(RTT/2) median in microseconds\n")
    if params:
        f.write("- perftest parameters (all runs): %s\n" % "; ".join(p.strip(" -|") for p in params.splitlines()))
    f.write("\nrxe under TCG emulation is CPU-bound and noisy: one run can differ from the "
            "next by 2x with the host's load, so read the paired ratio with its range; the "
            "absolute figures say nothing about real NICs.\n\n")
    f.write(head + "\n" + "\n".join(lines) + "\n")
    f.write(keep)
print("bench: wrote %s" % md, file=sys.stderr)
PY

#!/usr/bin/env python3
"""verbs_bw_report.py: the bandwidth and latency table of
results/verbs-vs-perftest.md from the raw outputs of
`scripts/bench-verbs-vs-perftest.sh` (tierperf's JSON and perftest's
reports, one pair per point and repetition); the "Message rate" section
(--msgrate, scripts/verbs_msgrate.py) is kept.

  verbs_bw_report.py OUT_DIR MD BW_SIZES LAT_SIZES DUR DEPTH REPS SCRIPTS_DIR

perftest's "BW average[MB/sec]" is in 2^20 bytes/s; latency is one-way
(RTT/2) median: perftest's t_typical, tierperf's p50."""
import json, os, statistics, sys
out, md, bw_sizes, lat_sizes, dur, depth, reps, here = sys.argv[1:9]
sys.path.insert(0, here)
from verbs_msgrate import human, med, perftest_rows
reps = int(reps)
bw_sizes = [int(s) for s in bw_sizes.split()]
lat_sizes = [int(s) for s in lat_sizes.split()]

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
    if os.environ.get("BENCH_RUN_NOTE"):
        f.write("- Run: %s\n" % os.environ["BENCH_RUN_NOTE"])
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

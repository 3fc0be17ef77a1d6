#!/usr/bin/env bash
# bench-vs-peers.sh: tierperf's TCP transport beside the usual tools, in one
# go on this machine's loopback: throughput vs iperf3 and iperf2 (1 and 2
# streams: `--streams 2` beside `iperf3 -P 2` and `iperf -P 2`, each with a
# thread per stream; the same 128 KiB message size and as much buffer
# memory) and ping-pong latency vs sockperf (64-byte messages, one-way =
# RTT/2 in both).  Rounds are interleaved (iperf3, iperf2, tierperf,
# iperf3, ...) so a busy machine hurts all alike; medians over rounds are
# compared, and the spread over rounds ((max - min) / median) is printed as
# the noise.  Prints the ratios and writes results/bench-vs-peers.md and
# .json naming the machine and its load.  A benchmark, not a pass/fail
# test: the exit status is 0 whenever all tools ran.  Targets: throughput
# >= 0.95x iperf3 with 1 stream (issue 2), >= 1.0x iperf3 and iperf2 with 2
# streams (issue 14), p50 <= 1.1x sockperf.
#
#   scripts/bench-vs-peers.sh [BUILD_DIR]      (default: build, built if missing)
#   env: BENCH_ROUNDS (3), BENCH_SECONDS (4), BENCH_OUT (results/bench-vs-peers)
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$src/build}
rounds=${BENCH_ROUNDS:-3}
secs=${BENCH_SECONDS:-4}
out=${BENCH_OUT:-$src/results/bench-vs-peers}
msg=131072
lat_msg=64
die() { echo "bench-vs-peers: $*" >&2; exit 1; }

for t in iperf3 iperf sockperf mpirun python3; do
  command -v "$t" >/dev/null || die "$t not installed (scripts/install-deps.sh installs it)"
done
if [ ! -x "$build/tierperf" ]; then
  cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$build" -j"$(nproc)" --target tierperf >/dev/null
fi
bin="$build/tierperf"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
tmp=$(mktemp -d)
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
raw="$tmp/raw.tsv"     # tool  streams  metric  value
: >"$raw"

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Same conditions for tierperf as for the peers: loopback, no pinning,
# MPI on shared memory (only the control plane), a ring of one 128 KiB
# message per stream as iperf3 keeps one buffer per stream.
tierperf_run() {
  timeout 600 mpirun -np 2 --oversubscribe --bind-to none --mca btl self,vader \
    "$bin" run --transport tcp --if lo --no-bind --quiet "$@" --out "$tmp/t.json" --force \
    >"$tmp/t.out" 2>&1 || { cat "$tmp/t.out" >&2; die "tierperf run failed"; }
}

iperf3_bw() {   # streams -> Gbit/s received
  local port
  port=$(free_port)
  iperf3 -s -1 -B 127.0.0.1 -p "$port" >/dev/null 2>&1 &
  local srv=$!
  sleep 0.3
  iperf3 -c 127.0.0.1 -p "$port" -t "$secs" -O 1 -l "$msg" -P "$1" -J >"$tmp/i.json" ||
    die "iperf3 client failed"
  wait "$srv" || true
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"]/1e9)' "$tmp/i.json"
}

iperf2_bw() {   # streams -> Gbit/s (the client's sum over its streams)
  local port
  port=$(free_port)
  iperf -s -B 127.0.0.1 -p "$port" >/dev/null 2>&1 &
  local srv=$!
  sleep 0.3
  timeout $((secs + 30)) iperf -c 127.0.0.1 -p "$port" -t "$secs" -l "$msg" -P "$1" -y C \
    >"$tmp/i2.csv" || { kill "$srv" 2>/dev/null; die "iperf (iperf2) client failed"; }
  kill "$srv" 2>/dev/null; wait "$srv" 2>/dev/null || true
  # CSV: ...,id,interval,bytes,bits_per_second; a SUM line has id -1
  python3 -c 'import csv,sys
rows = [r for r in csv.reader(open(sys.argv[1])) if len(r) >= 9]
total = [r for r in rows if r[5] == "-1"]
print(sum(float(r[8]) for r in (total or rows)) / 1e9)' "$tmp/i2.csv"
}

tierperf_bw() {   # streams [more options] -> Gbit/s
  local n=$1
  shift
  tierperf_run --streams "$n" --tx-depth "$n" --sizes "$msg" --no-lat --duration "$secs" "$@"
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["bw_gbit_s"])' "$tmp/t.json"
}

sockperf_lat() {   # -> p50 and p99 one-way microseconds
  sockperf ping-pong --tcp -i 127.0.0.1 -p "$lat_port" -m "$lat_msg" -t "$secs" >"$tmp/s.out" 2>&1 ||
    { cat "$tmp/s.out" >&2; die "sockperf ping-pong failed"; }
  python3 - "$tmp/s.out" <<'PY'
import re, sys
text = re.sub(r"\x1b\[[0-9;]*m", "", open(sys.argv[1]).read())
p = {k: float(v) for k, v in re.findall(r"percentile (\d+\.\d+) =\s+([\d.]+)", text)}
print(p["50.000"], p["99.000"])
PY
}

tierperf_lat() {
  tierperf_run --sizes "$lat_msg" --no-bw --lat-iters 20000
  python3 -c 'import json,sys; l=json.load(open(sys.argv[1]))["results"][0]["lat_us"]; print(l["p50"], l["p99"])' "$tmp/t.json"
}

lat_port=$(free_port)
sockperf server --tcp -i 127.0.0.1 -p "$lat_port" >"$tmp/sockperf-server.out" 2>&1 &
server=$!
sleep 0.5
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

for r in $(seq "$rounds"); do
  for s in 1 2; do
    v=$(iperf3_bw "$s");   printf 'iperf3\t%s\tgbit\t%s\n' "$s" "$v" >>"$raw"
    v=$(iperf2_bw "$s");   printf 'iperf2\t%s\tgbit\t%s\n' "$s" "$v" >>"$raw"
    v=$(tierperf_bw "$s"); printf 'tierperf\t%s\tgbit\t%s\n' "$s" "$v" >>"$raw"
    echo "round $r, $s stream(s): iperf3 $(grep -P "^iperf3\t$s\t" "$raw" | tail -1 | cut -f4)," \
         "iperf2 $(grep -P "^iperf2\t$s\t" "$raw" | tail -1 | cut -f4), tierperf $v Gbit/s"
  done
  # the streams driven by one thread, as before threads: what the threads bring
  v=$(tierperf_bw 2 --stream-threads 1); printf 'tierperf-1thread\t2\tgbit\t%s\n' "$v" >>"$raw"
  read -r p50 p99 <<<"$(sockperf_lat)"; printf 'sockperf\t1\tp50\t%s\nsockperf\t1\tp99\t%s\n' "$p50" "$p99" >>"$raw"
  read -r q50 q99 <<<"$(tierperf_lat)"; printf 'tierperf\t1\tp50\t%s\ntierperf\t1\tp99\t%s\n' "$q50" "$q99" >>"$raw"
  echo "round $r, ${lat_msg}-byte ping-pong p50: sockperf $p50 us, tierperf $q50 us"
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

mkdir -p "$(dirname "$out")"
python3 - "$raw" "$out" "$rounds" "$secs" "$msg" "$lat_msg" "$load_before" "$load_after" \
  "$("$bin" --version 2>/dev/null | head -1 || echo tierperf)" \
  "$(iperf3 --version | head -1 | cut -d' ' -f1-2) (one thread for all streams before 3.16), $(iperf -v 2>&1 | head -1 | cut -d' ' -f1-3 | sed 's/^iperf/iperf2/') (a thread per stream), sockperf $(sockperf --version 2>&1 | grep -o '[0-9][0-9.]*' | head -1)" <<'PY'
import datetime, json, math, os, platform, statistics, sys

raw, out, rounds, secs, msg, lat_msg, load0, load1, version, peers = sys.argv[1:]
rows = [l.rstrip("\n").split("\t") for l in open(raw) if l.strip()]

def vals(tool, streams, metric):
    return [float(v) for t, s, m, v in rows if t == tool and s == str(streams) and m == metric]

def machine():
    cpu = "unknown CPU"
    virt = ""
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name") and cpu == "unknown CPU":
            cpu = line.split(":", 1)[1].strip()
        if line.startswith("flags") and " hypervisor" in line:
            virt = " VM"
    osname = "Linux"
    if os.path.exists("/etc/os-release"):
        for line in open("/etc/os-release"):
            if line.startswith("PRETTY_NAME="):
                osname = line.split("=", 1)[1].strip().strip('"')
    return "%d-core %s%s (%s, kernel %s, host %s)" % (
        os.cpu_count(), osname, virt, cpu, platform.release(), platform.node())

def spread(v):
    m = statistics.median(v)
    return (max(v) - min(v)) / m if m else None

tp = []
for s in (1, 2):
    row = {"streams": s, "msg_size_bytes": int(msg), "target_ratio_min": 0.95 if s == 1 else 1.0}
    for tool in ("tierperf", "iperf3", "iperf2"):
        v = vals(tool, s, "gbit")
        row[tool + "_gbit_s"] = v
        row[tool + "_median_gbit_s"] = statistics.median(v)
        row[tool + "_spread"] = spread(v)
    for peer in ("iperf3", "iperf2"):
        m = row[peer + "_median_gbit_s"]
        row["ratio_" + peer] = row["tierperf_median_gbit_s"] / m if m else None
    tp.append(row)
lt = {"msg_size_bytes": int(lat_msg),
      "tierperf_p50_us": vals("tierperf", 1, "p50"), "sockperf_p50_us": vals("sockperf", 1, "p50"),
      "tierperf_p99_us": vals("tierperf", 1, "p99"), "sockperf_p99_us": vals("sockperf", 1, "p99")}
lt["tierperf_median_p50_us"] = statistics.median(lt["tierperf_p50_us"])
lt["sockperf_median_p50_us"] = statistics.median(lt["sockperf_p50_us"])
lt["ratio_p50"] = lt["tierperf_median_p50_us"] / lt["sockperf_median_p50_us"]
lt["target_ratio_max"] = 1.1
doc = {"benchmark": "bench-vs-peers", "machine": machine(),
       "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
       "tierperf": version, "peers": peers, "rounds": int(rounds), "seconds_per_measurement": float(secs),
       "loadavg_before": load0, "loadavg_after": load1, "network": "loopback (127.0.0.1)",
       "units": "Gbit/s = 10^9 bit/s; latency one-way = RTT/2 in microseconds",
       "throughput": tp, "latency": lt}
doc["tierperf_2_streams_1_thread_gbit_s"] = vals("tierperf-1thread", 2, "gbit")
with open(out + ".json", "w") as f:
    json.dump(doc, f, indent=2)
    f.write("\n")

def fmt(v):   # 3 significant digits, never in scientific notation
    if not v:
        return "0"
    return "%.*f" % (max(0, 2 - int(math.floor(math.log10(abs(v))))), v)

md = ["# tierperf TCP vs iperf3, iperf2 and sockperf (loopback)", "",
      "Written by `scripts/bench-vs-peers.sh` from one run; figures are measured, not typed.", "",
      "- Machine: %s" % doc["machine"],
      "- Date: %s; %s rounds, interleaved, %s s per measurement; medians compared" % (doc["date"], rounds, secs),
      "- Load average before/after: %s / %s (a shared machine makes single figures noisy)" % (load0, load1),
      "- Peers: %s" % peers,
      "- Units: Gbit/s = 10^9 bit/s; latency is one-way (RTT/2) in microseconds; noise is "
      "the spread over rounds, (max - min) / median", "",
      "| Throughput, %d KiB messages | tierperf Gbit/s | iperf3 Gbit/s | iperf2 Gbit/s | "
      "ratio to iperf3 | ratio to iperf2 | target | noise tierperf / iperf3 / iperf2 |" % (int(msg) // 1024),
      "|---|---|---|---|---|---|---|---|"]
for r in tp:
    md.append("| %d stream(s) | %s | %s | %s | %.2f | %.2f | >= %.2f | %s |" % (
        r["streams"], fmt(r["tierperf_median_gbit_s"]), fmt(r["iperf3_median_gbit_s"]),
        fmt(r["iperf2_median_gbit_s"]), r["ratio_iperf3"], r["ratio_iperf2"], r["target_ratio_min"],
        " / ".join("%.0f%%" % (100 * r[t + "_spread"]) for t in ("tierperf", "iperf3", "iperf2"))))
one = doc["tierperf_2_streams_1_thread_gbit_s"]
md += ["", "2 streams driven by one thread (`--stream-threads 1`, the loop before threads): median "
       "%s Gbit/s (rounds: %s), against %s Gbit/s on a thread each." % (
           fmt(statistics.median(one)), ", ".join(fmt(v) for v in one),
           fmt(tp[1]["tierperf_median_gbit_s"]))]
md += ["", "Both ends run on this host's %d cores: with 2 streams on a thread each, both ranks "
       "together keep four threads busy (iperf2 -P 2 too), so on a machine with fewer cores than "
       "that, one thread per end can be as fast or faster; the threads pay off where each end has "
       "cores of its own (two hosts, or a NIC faster than one core can drive)." % os.cpu_count()]
md += ["", "| Latency, %s-byte ping-pong | tierperf | sockperf | ratio | target |" % lat_msg,
       "|---|---|---|---|---|",
       "| p50 us | %s | %s | %.2f | <= 1.1 |" % (fmt(lt["tierperf_median_p50_us"]),
                                               fmt(lt["sockperf_median_p50_us"]), lt["ratio_p50"]),
       "| p99 us (median over rounds) | %s | %s | | |" % (
           fmt(statistics.median(lt["tierperf_p99_us"])), fmt(statistics.median(lt["sockperf_p99_us"]))),
       ""]
for r in tp:
    md.append("Per round, %d stream(s), Gbit/s: tierperf %s; iperf3 %s; iperf2 %s." % (
        r["streams"], ", ".join(fmt(v) for v in r["tierperf_gbit_s"]),
        ", ".join(fmt(v) for v in r["iperf3_gbit_s"]), ", ".join(fmt(v) for v in r["iperf2_gbit_s"])))
md += ["", "Per round, p50 us: tierperf %s; sockperf %s." % (
           ", ".join(fmt(v) for v in lt["tierperf_p50_us"]),
           ", ".join(fmt(v) for v in lt["sockperf_p50_us"])), ""]
with open(out + ".md", "w") as f:
    f.write("\n".join(md))
print("\n".join(md[9:]))
print("written: %s.md %s.json" % (out, out))
PY

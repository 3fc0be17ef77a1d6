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
# .json naming the machine and its load (from the environment blocks of
# tierperf's own results files: scripts/machine-facts.py).  Also each
# round: tierperf as one continuous transfer (--size, about as long), its 2
# streams on one thread, and 1 and 2 streams with
# --sockbuf 8M (fixed socket buffers, the default before autotuning).  A
# benchmark, not a pass/fail test: the exit status is 0 whenever all tools
# ran.  Run it when the machine is as idle as it gets (`uptime`).  Targets: throughput
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

parse() { python3 "$src/scripts/bench-vs-peers-parse.py" "$@"; }
free_port() { parse port; }

# Same conditions for tierperf as for the peers: loopback, no pinning,
# MPI on shared memory (only the control plane), a ring of one 128 KiB
# message per stream as iperf3 keeps one buffer per stream.
tierperf_run() {
  timeout 600 mpirun -np 2 --oversubscribe --bind-to none --mca btl self,vader \
    "$bin" run --transport tcp --if lo --no-bind --quiet "$@" --out "$tmp/t.json" --force \
    >"$tmp/t.out" 2>&1 || { cat "$tmp/t.out" >&2; die "tierperf run failed"; }
  # the machine and its load, as the first and the last run recorded them
  [ -e "$tmp/first.json" ] || cp "$tmp/t.json" "$tmp/first.json"
  cp "$tmp/t.json" "$tmp/last.json"
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
  parse iperf3 "$tmp/i.json"
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
  parse iperf2 "$tmp/i2.csv"
}

tierperf_bw() {   # streams [more options] -> Gbit/s
  local n=$1
  shift
  tierperf_run --streams "$n" --tx-depth "$n" --sizes "$msg" --no-lat --duration "$secs" "$@"
  parse tierperf-bw "$tmp/t.json"
}

# One continuous transfer (--size) through the same ring, as iperf's -t is
# one continuous stream: about $secs long at the rate of the batched run
# just before it (Gbit/s), at least 256 MiB.
tierperf_stream() {   # streams gbit -> Gbit/s
  local n=$1 bytes
  bytes=$(awk -v g="$2" -v s="$secs" -v m="$msg" \
    'BEGIN { b = int(g * 1e9 / 8 * s / m) * m; printf "%.0f\n", (b < 268435456 ? 268435456 : b) }')
  tierperf_run --streams "$n" --tx-depth "$n" --sizes "$msg" --buffer-size $((n * msg)) \
    --size "$bytes"
  parse tierperf-bw "$tmp/t.json"
}

sockperf_lat() {   # -> p50 and p99 one-way microseconds
  sockperf ping-pong --tcp -i 127.0.0.1 -p "$lat_port" -m "$lat_msg" -t "$secs" >"$tmp/s.out" 2>&1 ||
    { cat "$tmp/s.out" >&2; die "sockperf ping-pong failed"; }
  parse sockperf "$tmp/s.out"
}

tierperf_lat() {
  tierperf_run --sizes "$lat_msg" --no-bw --lat-iters 20000
  parse tierperf-lat "$tmp/t.json"
}

lat_port=$(free_port)
sockperf server --tcp -i 127.0.0.1 -p "$lat_port" >"$tmp/sockperf-server.out" 2>&1 &
server=$!
sleep 0.5

for r in $(seq "$rounds"); do
  for s in 1 2; do
    v=$(iperf3_bw "$s");   printf 'iperf3\t%s\tgbit\t%s\n' "$s" "$v" >>"$raw"
    v=$(iperf2_bw "$s");   printf 'iperf2\t%s\tgbit\t%s\n' "$s" "$v" >>"$raw"
    v=$(tierperf_bw "$s"); printf 'tierperf\t%s\tgbit\t%s\n' "$s" "$v" >>"$raw"
    w=$(tierperf_stream "$s" "$v"); printf 'tierperf-stream\t%s\tgbit\t%s\n' "$s" "$w" >>"$raw"
    echo "round $r, $s stream(s): iperf3 $(grep -P "^iperf3\t$s\t" "$raw" | tail -1 | cut -f4)," \
         "iperf2 $(grep -P "^iperf2\t$s\t" "$raw" | tail -1 | cut -f4), tierperf $v, streamed $w Gbit/s"
  done
  # the streams driven by one thread, as before threads: what the threads bring
  v=$(tierperf_bw 2 --stream-threads 1); printf 'tierperf-1thread\t2\tgbit\t%s\n' "$v" >>"$raw"
  # fixed socket buffers (autotuning off), as before --sockbuf: what autotuning brings
  for s in 1 2; do
    v=$(tierperf_bw "$s" --sockbuf 8M); printf 'tierperf-sockbuf\t%s\tgbit\t%s\n' "$s" "$v" >>"$raw"
  done
  read -r p50 p99 <<<"$(sockperf_lat)"; printf 'sockperf\t1\tp50\t%s\nsockperf\t1\tp99\t%s\n' "$p50" "$p99" >>"$raw"
  read -r q50 q99 <<<"$(tierperf_lat)"; printf 'tierperf\t1\tp50\t%s\ntierperf\t1\tp99\t%s\n' "$q50" "$q99" >>"$raw"
  echo "round $r, ${lat_msg}-byte ping-pong p50: sockperf $p50 us, tierperf $q50 us"
done

mkdir -p "$(dirname "$out")"
facts=$(python3 "$src/scripts/machine-facts.py" "$tmp/first.json" "$tmp/last.json")
python3 "$src/scripts/bench-vs-peers-md.py" "$raw" "$out" "$rounds" "$secs" "$msg" "$lat_msg" \
  "$facts" "$tmp/first.json" "$("$bin" --version 2>/dev/null | head -1 || echo tierperf)" \
  "$(iperf3 --version | head -1 | cut -d' ' -f1-2) (one thread for all streams before 3.16), $(iperf -v 2>&1 | head -1 | cut -d' ' -f1-3 | sed 's/^iperf/iperf2/') (a thread per stream), sockperf $(sockperf --version 2>&1 | grep -o '[0-9][0-9.]*' | head -1)"

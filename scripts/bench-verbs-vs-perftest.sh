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
#                                      [--msgrate | --both] [--window MINUTES]
#
# --msgrate: message rate instead: small-message bandwidth and messages/s
# of RDMA WRITE and SEND at the sizes of `ib_write_bw -a` / `ib_send_bw -a`
# from 2 B to 4 KiB (one perftest run per size with -a's fixed iteration
# count; -a itself goes on to 8 MiB, minutes per tool under TCG), each
# beside one tierperf run --sizes S of that size; writes the "Message rate"
# section of results/verbs-vs-perftest.md and keeps the rest.
#
# --both: the bandwidth table and then the message rate, repetition by
# repetition, in one guest (one boot), so both tables come from the same
# machine state.  --window MINUTES: repeat until the next repetition would
# end past MINUTES after the guest is up (at least 2, at most --reps,
# default 9 here); a repetition is never cut, the tables use the ones done.
# The script prints each repetition's wall time and the total.
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
reps_set=0
both=0
window_min=0
t_start=$(date +%s)
load_start=$(cut -d' ' -f1 /proc/loadavg)
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1; reps=1 ;;
    --report-only) report_only=1 ;;
    --msgrate) msgrate=1 ;;
    --both) both=1 ;;
    --window) window_min=${2:?--window MINUTES}; shift ;;
    --reps) reps=${2:?--reps N}; reps_set=1; shift ;;
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
mr_dur=1.5
[ $quick -eq 1 ] && mr_sizes="2 64 4096"
[ $both -eq 1 ] && msgrate=0
[ "$window_min" != 0 ] && [ $reps_set -eq 0 ] && reps=9
bw_on=1; mr_on=0
[ $msgrate -eq 1 ] && { bw_on=0; mr_on=1; }
[ $both -eq 1 ] && mr_on=1

# raw outputs of the last run stay in BUILD_DIR/bench-verbs-last/
work="$build/bench-verbs-last"
[ $msgrate -eq 1 ] && work="$build/bench-verbs-msgrate-last"
[ $both -eq 1 ] && work="$build/bench-verbs-both-last"
out="$work/g"
if [ $report_only -eq 1 ]; then
  [ -f "$work/params" ] || { echo "bench: no earlier run in $work" >&2; exit 2; }
  wall_s=? load_start=? load_end=?
  . "$work/params"
else
rm -rf "$work"
mkdir -p "$out" "$repo/results"
echo "bw_sizes='$bw_sizes' lat_sizes='$lat_sizes' dur=$dur depth=$depth reps=$reps" \
     "mr_sizes='$mr_sizes' mr_iters=$mr_iters mr_dur=$mr_dur" > "$work/params"

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
  timeout 300 mpirun -np 2 --bind-to none "$build/tierperf" run --transport verbs \\
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
mr_rep() {   # one repetition of the message rate
  local rep=\$1
  for op in write send; do
    # size by size, each tool's run right beside the other's (the host's
    # load swings within a minute): perftest one run per size (what -a
    # runs), tierperf one run --sizes S
    for s in $mr_sizes; do
      pair \$rep pt-mr-\$op-\$s-r\$rep ib_\${op}_bw -s \$s -n $mr_iters -t $depth -- \\
           tp-mr-\$op-\$s-r\$rep --rdma-op \$op --sizes \$s --duration $mr_dur \\
           --tx-depth $depth --no-lat
    done
  done
}
bw_rep() {   # one repetition of the bandwidth and latency table
  local rep=\$1
  for op in write read send; do
    for s in $bw_sizes; do
      # -n, not -D: perftest's duration mode sometimes reports 0 under TCG;
      # iterations for about $dur s at ~30 MB/s
      n=\$(( $dur * 30000000 / \$s )); [ \$n -lt 100 ] && n=100
      pair \$rep pt-\$op-\$s-r\$rep ib_\${op}_bw -s \$s -n \$n -t $depth -- \\
           tp-\$op-\$s-r\$rep --rdma-op \$op --sizes \$s --duration $dur --tx-depth $depth --no-lat
    done
  done
  for s in $lat_sizes; do
    pair \$rep pt-lat-\$s-r\$rep ib_write_lat -s \$s -n $lat_iters -- \\
         tp-lat-\$s-r\$rep --rdma-op write --sizes \$s --lat-iters $lat_iters --no-bw
  done
}
# repetitions: all $reps, or (--window) as many as end within $window_min min
t0=\$(date +%s); longest=0; done_reps=0
for rep in \$(seq 1 $reps); do
  now=\$(date +%s)
  if [ $window_min != 0 ] && [ \$done_reps -ge 2 ] &&
     [ \$(( now - t0 + longest )) -gt \$(( $window_min * 60 )) ]; then
    echo "bench: \$done_reps repetitions fit in $window_min min (the next would take ~\${longest} s more)"
    break
  fi
  [ $bw_on -eq 1 ] && bw_rep \$rep
  t1=\$(date +%s)
  [ $mr_on -eq 1 ] && mr_rep \$rep
  t2=\$(date +%s)
  [ \$((t2 - now)) -gt \$longest ] && longest=\$((t2 - now))
  done_reps=\$rep
  echo "bench: repetition \$rep: bandwidth \$((t1 - now)) s, message rate \$((t2 - t1)) s; \$((t2 - t0)) s in all"
  echo \$done_reps > reps_done
done
grep -h "Max inline\|TX depth\|Mtu" pt-*write-*.out | tr -s ' ' | sort -u > perftest-params.txt
exit 0
EOF

if [ $msgrate -eq 1 ]; then
  echo "bench: booting the soft-RoCE guest (message rate at $mr_sizes B)" >&2
else
  echo "bench: booting the soft-RoCE guest (sizes: bw $bw_sizes, lat $lat_sizes; ${dur}s each)" >&2
fi
[ $mr_on -eq 1 ] && [ $bw_on -eq 1 ] && echo "bench: and the message rate at $mr_sizes B" >&2
[ "$window_min" != 0 ] && echo "bench: as many repetitions (<= $reps) as end within $window_min min" >&2
gtimeout=2400
[ "$window_min" != 0 ] && gtimeout=$(( window_min * 60 + 1200 ))
[ $both -eq 1 ] && [ "$window_min" = 0 ] && gtimeout=$(( reps * 900 ))
"$here/guest/run.sh" --timeout "$gtimeout" --work "$out" -- bash "$work/guest.sh"
# the repetitions done (a --window run may end early)
[ -f "$out/reps_done" ] && reps=$(cat "$out/reps_done")
wall_s=$(( $(date +%s) - t_start ))
load_end=$(cut -d' ' -f1 /proc/loadavg)
echo "reps=$reps wall_s=$wall_s load_start=$load_start load_end=$load_end" >> "$work/params"
echo "bench: wall time $wall_s s, guest boot included; host load average (1 min)" \
     "$load_start at the start, $load_end at the end" >&2
fi

# the reports say how long the run took and how loaded the host was
[ "$wall_s" != "?" ] &&
  export BENCH_RUN_NOTE="$reps repetitions in $wall_s s of wall time (guest boot included); host load average (1 min) $load_start at the start, $load_end at the end"
if [ $mr_on -eq 1 ]; then
  python3 "$here/verbs_msgrate.py" "$out" "$repo/results/verbs-vs-perftest.md" \
       "$mr_sizes" "$mr_iters" "$depth" "$reps" "$mr_dur"
fi
if [ $bw_on -eq 1 ]; then
  python3 "$here/verbs_bw_report.py" "$out" "$repo/results/verbs-vs-perftest.md" \
       "$bw_sizes" "$lat_sizes" "$dur" "$depth" "$reps" "$here"
fi

#!/usr/bin/env bash
# test_progress_lines.sh: without a terminal (kubectl logs, Slurm output
# files) `tierperf run` prints whole progress lines on stderr (round and pair
# counts, bytes, rate, ETA; no carriage returns), at most one every
# TIERPERF_PROGRESS_S seconds; a round that runs longer than that says so
# (how long, which pairs it waits for), so a long round is not taken for a
# stalled one; --quiet prints none.
#   args: BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/lib.sh" "$@"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

run() {   # out-prefix extra-args...
  local name=$1; shift
  TIERPERF_PROGRESS_S=0.2 timeout 120 mpirun -np 4 --oversubscribe --bind-to none -x TIERPERF_PROGRESS_S \
    "$bin" run --pattern allpairs --transport tcp --sizes 4K,64K --duration 0.1 --lat-iters 20 \
    --out "$work/$name.json" "$@" >"$work/$name.out" 2>"$work/$name.err" </dev/null ||
    { cat "$work/$name.out" "$work/$name.err"; fail "$name: tierperf run failed"; }
}
run lines
grep -Eq '^tierperf: round [0-9]+/3, pairs [0-9]+/12, [0-9.]+ [kMGT]?B moved, [0-9.]+ [kMGT]bit/s, ETA [0-9]+m[0-9]{2}s$' \
  "$work/lines.err" || fail "no progress line: $(cat "$work/lines.err")"
! grep -q $'\r' "$work/lines.err" || fail "carriage return in a log"
! grep -q 'e+' "$work/lines.err" || fail "scientific notation in a progress line"
# rounds of ~2 s each (1 s per direction) against lines every 0.3 s
TIERPERF_PROGRESS_S=0.3 timeout 120 mpirun -np 4 --oversubscribe --bind-to none -x TIERPERF_PROGRESS_S \
  "$bin" run --pattern allpairs --transport tcp --sizes 64K --duration 1 --no-lat \
  --out "$work/long.json" >"$work/long.out" 2>"$work/long.err" </dev/null ||
  { cat "$work/long.out" "$work/long.err"; fail "long: tierperf run failed"; }
grep -Eq '^tierperf: round 1/3 running for [0-9]+ s, [0-4] of 4 pairs in; waiting for [^ ]+ -> [^ ]+ \(rank [0-3] -> [0-3]\)' \
  "$work/long.err" || fail "no line inside a long round: $(cat "$work/long.err")"
run quiet --quiet
! grep -q 'round [0-9]' "$work/quiet.err" "$work/quiet.out" || fail "--quiet printed progress"
echo "PASS: test_progress_lines"

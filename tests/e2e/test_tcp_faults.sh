#!/usr/bin/env bash
# test_tcp_faults.sh: faults on the TCP transport under real mpirun.
#  1. A rank frozen mid-run (SIGSTOP): its partner's TCP operation stops
#     after --timeout with an error naming the peer, the pair is recorded
#     as failed, the other pair finishes, the run exits 1 with a complete
#     results file.
#  2. A rank killed mid-run (SIGKILL): the job ends (no hang) and the
#     measurements finished before the kill are in the journal, which
#     `tierperf report` reads.
#   args: BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/lib.sh" "$@"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sizes=(--sizes 4K,64K,256K,1M,4M)
want_sizes=4096,65536,262144,1048576,4194304

start_run() {   # name args...: 4 ranks over TCP in the background, ranks tagged
  local name=$1
  shift
  export TIERPERF_E2E_TAG="$tmp/$name"
  timeout 300 mpirun -np 4 --oversubscribe --bind-to none --mca btl self,vader \
    "$bin" run --transport tcp --if lo --streams 2 --lat-iters 20 --timeout 2 "$@" \
    --out "$tmp/$name.json" >"$tmp/$name.out" 2>&1 &
  launcher=$!
  unset TIERPERF_E2E_TAG
}

find_rank3() {   # name lines: pid of rank 3 once the journal has that many lines
  local p envs victim=""
  for _ in $(seq 2400); do
    for p in $(pgrep -x tierperf 2>/dev/null || true); do
      envs=$({ tr '\0' '\n' <"/proc/$p/environ"; } 2>/dev/null || true)
      if grep -qx 'OMPI_COMM_WORLD_RANK=3' <<<"$envs" && grep -qx "TIERPERF_E2E_TAG=$tmp/$1" <<<"$envs"; then
        victim=$p
      fi
    done
    [ -n "$victim" ] && break
    kill -0 "$launcher" 2>/dev/null || return 1
    sleep 0.1
  done
  [ -n "$victim" ] || return 1
  # line 1 is the run's metadata, then a line per measurement as it is made
  while [ "$({ wc -l <"$tmp/$1.json.journal.jsonl"; } 2>/dev/null || echo 0)" -lt "$2" ]; do
    kill -0 "$launcher" 2>/dev/null || return 1
    sleep 0.02
  done
  echo "$victim"
}

echo "== frozen rank 3"
# pairs: one round, both pairs at once, 5 sizes of about 1.5 s each
start_run frozen "${sizes[@]}" --duration 1
victim=$(find_rank3 frozen 1) || { wait "$launcher" || true; cat "$tmp/frozen.out"; fail "rank 3 not found"; }
sleep 2     # into the measurements
kill -STOP "$victim"
sleep 6
kill -CONT "$victim" 2>/dev/null || true
set +e
wait "$launcher"
rc=$?
set -e
cat "$tmp/frozen.out"
[ "$rc" -eq 1 ] || fail "frozen run exit $rc, expected 1 (a pair failed)"
$check "$tmp/frozen.json" --ranks 4 --pattern pairs --transport tcp --sizes "$want_sizes" \
  --pairs 0-1 --failed 2-3
# rank 2 notices in a TCP transfer (usually) or in a control exchange
# between batches; either way within --timeout and naming rank 3
grep -Eq "tcp: .*rank 3 \(127\.0\.0\.1.*(no progress for 2\.0 s|closed|reset|not done within the time allowed)|control exchange with rank 3" \
  "$tmp/frozen.out" || fail "no timeout/peer error naming rank 3"

echo "== killed rank 3"
# allpairs: several rounds, so the journal holds measurements before the kill
start_run killed --pattern allpairs --sizes 64K --duration 0.3
victim=$(find_rank3 killed 2) || { wait "$launcher" || true; cat "$tmp/killed.out"; fail "rank 3 not found"; }
kill -KILL "$victim"
set +e
wait "$launcher"
rc=$?
set -e
cat "$tmp/killed.out"
[ "$rc" -ne 0 ] || fail "run with a killed rank exit 0"
[ "$rc" -ne 124 ] || fail "run with a killed rank hung until timeout(1)"
# mpirun stops the other ranks with SIGTERM: rank 0 saves the results so
# far (complete: false); if it could not, the journal stays
saved="$tmp/killed.json"
[ -f "$saved" ] || saved="$tmp/killed.json.journal.jsonl"
lines=$(python3 - "$saved" <<'PY'
import json, sys
p = sys.argv[1]
if p.endswith(".jsonl"):
    rows = [json.loads(l) for l in open(p) if l.strip()]
    print(sum(1 for r in rows if "src_rank" in r))
else:
    d = json.load(open(p))
    assert d["complete"] is False, "a killed run saved as complete"
    print(len(d["results"]))
PY
) || fail "$saved unreadable"
[ "$lines" -ge 1 ] || fail "the measurements done before the kill were lost"
"$bin" report "$saved" >"$tmp/report.out" 2>&1 ||
  { cat "$tmp/report.out"; fail "report cannot read $saved of the killed run"; }
grep -q "tcp" "$tmp/report.out" || { cat "$tmp/report.out"; fail "report does not name the transport"; }
echo "PASS: frozen pair failed within --timeout; killed run ended with $lines measurement(s) in $saved"

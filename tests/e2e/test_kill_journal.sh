#!/usr/bin/env bash
# test_kill_journal.sh: nothing measured is lost when a one-round run is
# killed.  `--pattern pairs` measures every pair in one round; each sender
# reports each size to rank 0 as soon as it is measured, and rank 0
# journals it at once.  Once the journal holds the first sizes of both
# pairs (rank 2's arrived over MPI while rank 0 was still measuring its
# own pair), rank 2 is killed with SIGKILL.  The job must end (no hang,
# non-zero exit); mpirun then stops the other ranks with SIGTERM, on which
# rank 0 writes the results so far (complete: false; if it could not, the
# journal stays).  Whichever is left must hold every measurement seen
# before the kill, and `tierperf report` must print them as a partial run.
#   args: BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/lib.sh" "$@"
tmp=$(mktemp -d)
launcher=""
cleanup() {
  [ -n "$launcher" ] && kill "$launcher" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
out="$tmp/killed.json"
journal="$out.journal.jsonl"

# What FILE (default: the journal) holds now: "src:size" per complete
# measurement (a line being written is skipped); with "all" also the
# failed ones.
measured() { e2e_measured "${2:-$journal}" "${1:-ok}"; }

# 2 pairs (0->1, 2->3) in one round, 8 sizes of about 1 s each
export TIERPERF_E2E_TAG="$tmp"     # marks this test's ranks
timeout 300 mpirun -np 4 --oversubscribe --bind-to none "$bin" run --transport mpi \
  --pattern pairs --sizes 4K,16K,64K,256K,512K,1M,2M,4M --duration 1 --lat-iters 20 --timeout 5 \
  --quiet --out "$out" >"$tmp/run.out" 2>&1 &
launcher=$!
unset TIERPERF_E2E_TAG

# rank 2's process
victim=""
for _ in $(seq 600); do
  for p in $(pgrep -x tierperf 2>/dev/null || true); do
    envs=$({ tr '\0' '\n' <"/proc/$p/environ"; } 2>/dev/null || true)
    if grep -qx 'OMPI_COMM_WORLD_RANK=2' <<<"$envs" && grep -qx "TIERPERF_E2E_TAG=$tmp" <<<"$envs"; then
      victim=$p
    fi
  done
  [ -n "$victim" ] && break
  kill -0 "$launcher" 2>/dev/null || break
  sleep 0.1
done
[ -n "$victim" ] || { cat "$tmp/run.out"; fail "rank 2 not found"; }

# the first two sizes of both pairs journalled, mid-round
ready=""
for _ in $(seq 1200); do
  m=$(measured)
  if grep -qx '0:4096' <<<"$m" && grep -qx '0:16384' <<<"$m" &&
     grep -qx '2:4096' <<<"$m" && grep -qx '2:16384' <<<"$m"; then
    ready=1
    break
  fi
  kill -0 "$launcher" 2>/dev/null || break
  sleep 0.05
done
[ -n "$ready" ] || { cat "$tmp/run.out"; cat "$journal" 2>/dev/null || true
  fail "the first sizes were not journalled while the round ran"; }
before=$(measured)
kill -KILL "$victim"
nbefore=$(wc -l <<<"$before")
echo "killed rank 2 (pid $victim) with $nbefore measurement(s) journalled: $(tr '\n' ' ' <<<"$before")"

set +e
wait "$launcher"
rc=$?
set -e
launcher=""
[ "$rc" -ne 124 ] || { cat "$tmp/run.out"; fail "the job hung after rank 2 was killed"; }
[ "$rc" -ne 0 ] || { cat "$tmp/run.out"; fail "the job exited 0 although rank 2 was killed"; }
# the run never finished: rank 0 saved it as partial, or the journal stays
if [ -f "$out" ]; then
  saved=$out
  python3 -c "import json,sys; sys.exit(json.load(open(sys.argv[1]))['complete'] is not False)" \
    "$out" || fail "a killed run's $out does not say complete: false"
  from=""
else
  saved=$journal
  from=" (read from its journal)"
fi
[ -f "$saved" ] || fail "neither $out nor its journal survived the kill"
after=$(measured ok "$saved")
missing=$(comm -23 <(sort <<<"$before") <(sort <<<"$after"))
[ -z "$missing" ] || fail "measurements lost: $missing"
n=$(measured all "$saved" | wc -l)
[ "$n" -lt 16 ] || fail "all 16 measurements taken: the kill came too late to test anything"

"$bin" report "$saved" --pairs >"$tmp/report.out" 2>"$tmp/report.err" ||
  { cat "$tmp/report.out" "$tmp/report.err"; fail "report cannot read the killed run's $saved"; }
grep -q 'PARTIAL' "$tmp/report.out" || { cat "$tmp/report.out"; fail "report does not show a partial run"; }
grep -q "partial run: it did not finish$from; $n measurements saved" \
  "$tmp/report.out" || { cat "$tmp/report.out"; fail "report does not count the $n saved measurements"; }
for size in "4 KiB" "16 KiB"; do
  grep -q "$size" "$tmp/report.out" || { cat "$tmp/report.out"; fail "report lacks the $size results"; }
done
echo "PASS: killed mid-round, $n measurement(s) survived in $saved ($nbefore seen before the kill)"

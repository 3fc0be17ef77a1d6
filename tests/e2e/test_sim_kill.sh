#!/usr/bin/env bash
# test_sim_kill.sh: a rank killed mid-run on the simulated cluster.  The
# tiers sweep runs across 8 namespaced nodes; once measurements are in the
# journal, the process of one node is killed with SIGKILL.  The job must
# end on its own well within its --timeout bound (no hang), and what was
# measured before the kill must survive: the journal holds it and
# `tierperf report` reads it as a partial run.
#   args: BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/lib.sh" "$@"
e2e_sim_up simkill tpz

out="$work/kill.json"
journal="$out.journal.jsonl"
# the job's own bound: without an end, the test's timeout 300 fails it
timeout 300 "$src/scripts/sim-mpirun.sh" "$bin" run --pattern tiers --transport tcp \
    --topology "$topo" --subnet 198.18.0.0/15 --sizes 1M --duration 1 --warmup 2 \
    --timeout 10 --quiet --out "$out" >"$work/run.out" 2>&1 &
launcher=$!

# wait for two measurements in the journal (header + 2 lines)
for _ in $(seq 600); do
    [ -f "$journal" ] && [ "$(wc -l <"$journal")" -ge 3 ] && break
    kill -0 "$launcher" 2>/dev/null || break
    sleep 0.2
done
[ -f "$journal" ] && [ "$(wc -l <"$journal")" -ge 3 ] || { cat "$work/run.out"; fail "no measurements journalled before the kill"; }
before=$(($(wc -l <"$journal") - 1))

# the tierperf process of the last node
victim=""
for p in $(ip netns pids "${TIERPERF_SIM_PREFIX}sim-n7" 2>/dev/null); do
    grep -q "tierperf" "/proc/$p/cmdline" 2>/dev/null && grep -qa "run" "/proc/$p/cmdline" && victim=$p
done
[ -n "$victim" ] || fail "no tierperf process in node sim-n7"
t0=$(date +%s)
kill -KILL "$victim"

set +e
wait "$launcher"
rc=$?
set -e
launcher=""
t1=$(date +%s)
echo "job ended $((t1 - t0)) s after the kill, exit $rc"
[ "$rc" -ne 124 ] || { cat "$work/run.out"; fail "the job hung after a rank was killed"; }
[ "$rc" -ne 0 ] || fail "the job exited 0 although a rank was killed"

# what was measured before the kill is still there
[ -f "$out" ] && saved="$out" || saved="$journal"
[ -f "$saved" ] || fail "neither $out nor its journal survived"
"$bin" report "$saved" >"$work/report.txt" 2>"$work/report.err" || true
python3 - "$saved" "$before" <<'PY' || { cat "$work/report.txt" "$work/report.err"; exit 1; }
import json, sys
path, before = sys.argv[1], int(sys.argv[2])
if path.endswith(".jsonl"):
    lines = [json.loads(l) for l in open(path) if l.strip().startswith("{") and l.strip().endswith("}")]
    entries = [l for l in lines if "run_header" not in l and "run_error" not in l]
    complete = False
else:
    d = json.load(open(path))
    entries, complete = d["results"], d["complete"]
assert not complete, "a killed run must not claim to be complete"
assert len(entries) >= before, f"{len(entries)} entries survived, {before} were journalled before the kill"
ok = [e for e in entries if e.get("error") is None and e.get("bw_gbit_s", 0) > 0]
assert len(ok) >= 2, f"measurements before the kill lost: {entries}"
print(f"{len(entries)} measurements survived the kill ({before} before it)")
PY
grep -qi "partial\|complete: false\|journal" "$work/report.txt" "$work/report.err" || fail "report does not say the run is partial"
echo "PASS: test_sim_kill"

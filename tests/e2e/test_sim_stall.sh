#!/usr/bin/env bash
# test_sim_stall.sh: a link throttled to 8 kbit/s mid-run on the simulated
# cluster.  Pairs sim-n0 -> sim-n1 and sim-n2 -> sim-n3 run in one round;
# once the first sizes are journalled, sim-n1's link is shaped to 8 kbit/s
# both ways (tc tbf).  Data still trickles, so "no progress for --timeout"
# alone would hold the pair for the warm-up's 64 MiB at 1 kB/s; the
# transfer's own limit (twice its expected time plus --timeout) must fail
# the pair, the other pair must be measured in full, and the run must end
# within the bound run --help states, exit 1, with every measurement made
# before the throttle in the results file.
#   args: BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/lib.sh" "$@"
e2e_sim_up simstall tpq

out="$work/stall.json"
journal="$out.journal.jsonl"
measured() { e2e_measured "$1"; }

timeout 600 "$src/scripts/sim-mpirun.sh" -np 4 "$bin" run --pattern pairs --transport tcp \
    --subnet 198.18.0.0/15 --sizes 64K,256K,1M,4M --duration 1 --lat-iters 20 --timeout 3 \
    --quiet --out "$out" >"$work/run.out" 2>&1 &
launcher=$!
for _ in $(seq 1200); do
    grep -q '^0:' <(measured "$journal") && break
    kill -0 "$launcher" 2>/dev/null || break
    sleep 0.1
done
grep -q '^0:' <(measured "$journal") || { cat "$work/run.out"; fail "nothing of pair 0->1 journalled"; }

# sim-n1: the second node of the state file; its link is n1 in the fabric
# and eth0 in its own namespace
dev=$(e2e_sim_dev sim-n1)
ip netns exec "${TIERPERF_SIM_PREFIX}fabric" tc qdisc replace dev "$dev" root tbf rate 8kbit burst 1600 limit 3200
ip netns exec "${TIERPERF_SIM_PREFIX}sim-n1" tc qdisc replace dev eth0 root tbf rate 8kbit burst 1600 limit 3200
t0=$(date +%s)
before=$(measured "$journal")
echo "sim-n1 throttled to 8 kbit/s with $(wc -l <<<"$before") measurement(s) journalled"

# exit 1: pair 0->1 failed.  Pair 2->3 has at most 4 sizes (~4 s each) to
# go; the stalled pair fails within a transfer's limit, the round's end
# waits 2 x --timeout + 1 s
e2e_job_ended "" "$work/run.out" "the throttle" 90 1
grep -q "twice" <("$bin" run --help) || fail "run --help does not state the transfer limit"
python3 - "$out" <<'PY' || fail "results file wrong"
import json, sys
d = json.load(open(sys.argv[1]))
ok = {(r["src_rank"], r["size_bytes"]) for r in d["results"] if r["error"] is None}
sizes = (65536, 262144, 1048576, 4194304)
assert {(2, s) for s in sizes} <= ok, "pair 2->3 not measured in full: %s" % sorted(ok)
failed = [e for e in d["errors"] if e["src_rank"] == 0 and e["dst_rank"] == 1]
assert failed, "pair 0->1 not in errors[]"
print("pair 0->1 failed: %s" % failed[0]["message"])
PY
e2e_kept "" "the throttle" "$before" "$(measured "$out")"
echo "PASS: a link throttled to 8 kbit/s failed its pair in ${took} s, the other pair measured in full"

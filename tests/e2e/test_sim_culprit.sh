#!/usr/bin/env bash
# test_sim_culprit.sh: naming the culprit end to end on the simulated
# cluster (scripts/simcluster.sh, the 8-node 3-tier tree).  Three faults,
# each planted alone with `tc qdisc replace ... tbf` at 1/5 of the slowest
# healthy rate of the pairs through it, each in its own
# `run --pattern allpairs` (rounds packed so no two pairs share a link):
#   1. node sim-n5's access link, both directions (eth0 in the node's
#      namespace and n5 on the switch side);
#   2. the uplink between sim-leaf-2 and sim-spine-1, both directions;
#   3. node sim-n2's access link, transmit direction only (eth0).
# The third fault is measured again with `--pattern sweep`.
# `check` must name each fault (suspect line, JUnit, HTML) and nothing
# else; single slow pairs a loaded host can produce are reported only as
# "unconfirmed" and are allowed.  Every row must say round_shared 0.
# Always tears the cluster down.
#   args: BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/lib.sh" "$@"
. "$(dirname "$0")/sim_stall_dump.sh"
topo="$src/topologies/sim-8node-3tier.yaml"
for t in ip tc mpirun python3; do command -v "$t" >/dev/null || fail "$t not installed"; done

export TIERPERF_SIM_RATES=200,100,50
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0"
e2e_sim_up culprit tpc "$topo"
fabric="${TIERPERF_SIM_PREFIX}fabric"

# simcluster.sh's tbf parameters for a rate (burst 2 ms, queue 25 ms)
shape() {
    local ns=$1 dev=$2 mbit=$3 burst limit
    burst=$(( mbit * 1000000 / 8 / 500 )); [ "$burst" -ge 32768 ] || burst=32768
    limit=$(( mbit * 1000000 / 8 / 40 )); [ "$limit" -ge $(( burst * 2 )) ] || limit=$(( burst * 2 ))
    ip netns exec "$ns" tc qdisc replace dev "$dev" root tbf rate "${mbit}mbit" burst "$burst" limit "$limit"
}
# Veth names as simcluster.sh makes them: node i (its order in `topo
# --emit sim`) is eth0 in its namespace and n<i> in the fabric; HyperNode
# i's uplink is u<i> (up) / d<i> (down) in the fabric.
index_of() {   # kind name
    "$bin" topo "$topo" --emit sim | awk -v k="$1" -v n="$2" '$1 == k { if ($2 == n) print i; i++ }'
}
n5=$(index_of node sim-n5); leaf2=$(index_of hypernode sim-leaf-2)
[ -n "$n5" ] && [ -n "$leaf2" ] || fail "sim-n5 / sim-leaf-2 not in $topo"

# --timeout 15: the run's own bounds (a silent pair is given up after its
# step's bound, about 6 x --timeout; run.h) come well before this test's,
# so a stuck pair ends as a recorded error naming it, not as a kill.
# Past 240 s the ranks' stacks, the qdiscs and the sockets are printed
# (sim_stall_dump.sh) before the run is stopped.
measure() {   # name [pattern]
    local rc=0
    timeout -k 20 300 "$src/scripts/sim-mpirun.sh" "$bin" run --pattern "${2:-allpairs}" \
        --transport tcp --topology "$topo" --sizes 64K --duration 1 --warmup 4 --tx-depth 8 \
        --no-lat --timeout 15 --subnet 198.18.0.0/15 --out "$work/$1.json" >"$work/$1.log" 2>&1 &
    launcher=$!
    e2e_sim_watch "$launcher" "$work/$1.log" 240 || rc=$?
    launcher=""
    [ "$rc" -eq 0 ] || { cat "$work/$1.log" >&2; fail "$1: tierperf run exited with $rc"; }
}

# check must print exactly one suspect line, matching $2, and mark it in
# JUnit and the HTML heatmap
expect_named() {   # name regex
    local out suspects
    out=$("$bin" check "$work/$1.json" --profile test-dev --junit "$work/$1.xml" \
          --html "$work/$1.html" 2>&1) || true
    echo "$out" | grep -E "^(suspect|unconfirmed|culprit):" | sed "s/^/$1: /"
    suspects=$(echo "$out" | grep -c "^suspect: " || true)
    [ "$suspects" -eq 1 ] || fail "$1: $suspects suspects, want 1"
    echo "$out" | grep -qE "^suspect: $2" || fail "$1: the suspect is not /$2/"
    grep -q '<testsuite name="culprit" tests="[0-9]*" failures="1">' "$work/$1.xml" ||
        fail "$1: JUnit has no culprit suite with one failure"
    grep -q "class='culprit'/>" "$work/$1.html" || fail "$1: HTML heatmap marks nothing"
    python3 - "$work/$1.json" <<'PY' || fail "$1: rows without round / with round_shared"
import json, sys
rows = json.load(open(sys.argv[1]))["results"]
bad = [r for r in rows if not isinstance(r.get("round"), int) or r.get("round_shared") != 0]
assert rows and not bad, bad[:3]
PY
}

# 1. node access link, both directions: 10 Mbit/s, 1/5 of tier 3's 50
shape "${TIERPERF_SIM_PREFIX}sim-n5" eth0 10
shape "$fabric" "n$n5" 10
measure node
shape "${TIERPERF_SIM_PREFIX}sim-n5" eth0 200
shape "$fabric" "n$n5" 200
expect_named node "node sim-n5, access link, both directions: "

# 2. the uplink sim-leaf-2 <-> sim-spine-1 (tier-2 rate 100), both directions
shape "$fabric" "u$leaf2" 10
shape "$fabric" "d$leaf2" 10
measure uplink
shape "$fabric" "u$leaf2" 100
shape "$fabric" "d$leaf2" 100
expect_named uplink "HyperNode sim-leaf-2, uplink to sim-spine-1, both directions: "

# 3. sim-n2 transmits slowly; it receives at full rate
shape "${TIERPERF_SIM_PREFIX}sim-n2" eth0 10
measure transmit
expect_named transmit "node sim-n2, access link, transmit only \(sim-n2 -> sim-leaf-1\): "

# 4. the same fault found by --pattern sweep (7 rounds instead of 20)
measure sweep sweep
expect_named sweep "node sim-n2, access link, transmit only \(sim-n2 -> sim-leaf-1\): "

"$src/scripts/simcluster.sh" down >/dev/null
echo "PASS"

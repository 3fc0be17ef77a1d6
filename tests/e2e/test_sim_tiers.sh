#!/usr/bin/env bash
# test_sim_tiers.sh: the simulated cluster end to end.  Builds the 8-node
# 3-tier cluster (scripts/simcluster.sh) under a prefix of its own, runs
# `tierperf run --pattern tiers --transport tcp` through scripts/sim-mpirun.sh
# and checks from the JSON that every tier present was measured, that each
# pair's tier and hypernode are those of the HyperNode tree, that ranks ran on
# the nodes they claim, that no tier's bandwidth exceeds its shaped rate
# (tbf caps it whatever the load: above means the pair did not cross the
# uplinks its tier says) and that bandwidth decreases with tier (the rates
# differ 2.4x and more): tests/e2e/sim_tiers_check.py, which test_slurm.sh
# shares.  Always tears the cluster down.
#   args: BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/lib.sh" "$@"
for t in ip tc mpirun python3; do command -v "$t" >/dev/null || fail "$t not installed"; done

# Our own prefix and state: a leftover cluster (or main.sh's) cannot clash.
export TIERPERF_SIM_RATES=600,250,100
e2e_sim_up simtest tpt "$src/topologies/sim-8node-3tier.yaml"
# Idempotent: a second up keeps the cluster as it is.
grep -q "already up" <<<"$("$src/scripts/simcluster.sh" up "$topo" 2>&1)" || fail "second up did not find the cluster up"
"$src/scripts/simcluster.sh" status >/dev/null || fail "status after up"
# Launch check: every rank is in its node's namespace with its hostname.
names=$(timeout 60 "$src/scripts/sim-mpirun.sh" sh -c 'echo "$(hostname) $TIERPERF_NODE_NAME"' | sort)
expect=$(for i in 0 1 2 3 4 5 6 7; do echo "sim-n$i sim-n$i"; done)
[ "$names" = "$expect" ] || fail "hostnames through the rsh agent: got [$names]"

"$bin" topo "$topo" --emit sim >"$work/tree.txt"
out="$work/tiers.json"
# Under ASan: LeakSanitizer's exit check matches suppressions frame by
# frame, and frames from the fast (frame-pointer) unwinder that land outside
# every module make it re-read /proc/self/maps each time: minutes per rank
# on a 2-core machine.  Exact unwinding at malloc keeps it to seconds.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0"
timeout 600 "$src/scripts/sim-mpirun.sh" "$bin" run --pattern tiers --transport tcp \
    --topology "$topo" --sizes 4M --duration 2 --warmup 4 --subnet 198.18.0.0/15 --out "$out" ||
    fail "tierperf run under sim-mpirun.sh exited with $?"
[ -s "$out" ] || fail "no results JSON at $out"
"$bin" report "$out"

python3 "$src/tests/e2e/sim_tiers_check.py" "$out" "$work/tree.txt" "$TIERPERF_SIM_RATES" \
    --size $((4 << 20)) || fail "$out: see the FAIL lines above"
ip netns list | grep -q "^${TIERPERF_SIM_PREFIX}fabric" || fail "fabric namespace vanished during the run"
"$src/scripts/simcluster.sh" down
left=$(ip netns list | awk '{print $1}' | grep "^$TIERPERF_SIM_PREFIX" || true)
[ -z "$left" ] || fail "namespaces left after down: $left"
echo "PASS"

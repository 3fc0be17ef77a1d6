#!/usr/bin/env bash
# test_sim_rails.sh: multi-rail TCP end to end.  Builds the two-rail
# simulated cluster (scripts/simcluster.sh up --rails 2: two NICs per node,
# each rail its own shaped copy of the leaf, the rails joined above it),
# runs `tierperf run --pattern rails --transport tcp --ifaces auto` with one
# rank per NIC, and checks the rows' NICs, rails and same/cross-rail split
# against the shaped rates, `report`'s per-rail and per-node tables, and
# `check` with a per-NIC threshold above the shaped rate (it must FAIL every
# same-rail NIC; tests/e2e/sim_rails_check.py).  Always tears the cluster
# down.
#   args: BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/lib.sh" "$@"
topo="$src/topologies/sim-2node-rails.yaml"
for t in ip tc mpirun python3; do command -v "$t" >/dev/null || fail "$t not installed"; done

export TIERPERF_SIM_RATES=400,100     # each rail's leaf, the link between rails
e2e_sim_work simrails tpr
"$src/scripts/simcluster.sh" up --rails 2 "$topo"
grep -q "rails: 2" <("$src/scripts/simcluster.sh" status) || fail "status does not say 2 rails"
out="$work/rails.json"
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0"
timeout 300 "$src/scripts/sim-mpirun.sh" --ppn 2 "$bin" run --pattern rails --transport tcp \
    --topology "$topo" --ifaces auto --subnet 198.18.0.0/15 --sizes 4M --duration 2 --warmup 2 \
    --timeout 20 --out "$out" || fail "tierperf run under sim-mpirun.sh exited with $?"
[ -s "$out" ] || fail "no results JSON at $out"
"$bin" report "$out" >"$work/report.txt" || fail "report exited with $?"
for want in "Per rail at 4 MiB" "Per node: sum over the node's rails"; do
    grep -qF "$want" "$work/report.txt" || fail "report has no '$want' table"
done
printf 'name: rails-sim\ndescription: above the shaped rate\nnic_min_bandwidth: 1Gbit/s\n%s\n' \
    'rules: [{name: any, min_bandwidth: 1Mbit/s}]' >"$work/profile.yaml"
rc=0
"$bin" check "$out" --profile "$work/profile.yaml" --json >"$work/check.json" || rc=$?
[ "$rc" -eq 1 ] || fail "check with a per-NIC threshold above the shaped rate exited $rc, not 1"
python3 "$src/tests/e2e/sim_rails_check.py" "$out" 400 100 "$work/check.json" ||
    fail "$out: see the FAIL lines above"
echo "PASS"

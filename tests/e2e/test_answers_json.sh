#!/usr/bin/env bash
# test_answers_json.sh: the answer commands' exit statuses and --json, on
# the real binary: check 0 (PASS), 1 (FAIL), 2 (bad input: a --size the run
# did not measure), 3 (INCOMPLETE) and --allow-unjudged; recommend, infer
# and compare --json; every JSON parsed by python3 and its exit_status /
# result matching the exit status.  First on the fixture runs, then on a
# fresh 4-rank allpairs loopback run with the default sizes (64 B and
# 4 MiB: latency is judged, so never INCOMPLETE) that must warn that its
# concurrent pairs may share links.
#   args: BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/lib.sh" "$@"
fx=$src/tests/fixtures/results
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# want RC CMD...: run, expect exit RC; output in $tmp/out, stderr in $tmp/err
want() {
  local rc=$1; shift
  set +e; "$@" >"$tmp/out" 2>"$tmp/err"; got=$?; set -e
  [ "$got" -eq "$rc" ] || { cat "$tmp/out" "$tmp/err" | tail -20; fail "$*: exit $got, want $rc"; }
  echo "ok: exit $rc: ${*#"$bin" }"
}
# json_is EXPR...: python expressions on d (the parsed JSON) and rc, all true
json_is() {
  python3 - "$tmp/out" "$got" "$@" <<'PY' || fail "JSON check failed"
import json, sys
d = json.load(open(sys.argv[1]))
rc = int(sys.argv[2])
for e in sys.argv[3:]:
    if not eval(e):
        sys.exit(f"not true: {e}\n{json.dumps(d)[:600]}")
PY
}
one_line_error() {   # TEXT: bad input is one stderr line containing TEXT
  [ "$(wc -l <"$tmp/err")" -eq 1 ] || { cat "$tmp/err"; fail "not one error line"; }
  grep -qF -- "$1" "$tmp/err" || { cat "$tmp/err"; fail "error lacks '$1'"; }
}

printf 'name: bw\nrules:\n  - tiers: [1]\n    min_bandwidth: 50Gbit/s\n' >"$tmp/bw.yaml"
printf 'name: lat\nrules:\n  - max_latency: {p50: 10s}\n' >"$tmp/lat.yaml"

# ---- check on fixtures ----------------------------------------------------
want 0 "$bin" check "$fx/recommend.json" --profile "$tmp/bw.yaml" --json
json_is 'd["result"] == "PASS"' 'd["exit_status"] == rc == 0' 'd["unjudged_thresholds"] == 0' \
  'all(p["verdict"] in ("PASS", "SKIP") for p in d["pairs"])'
want 1 "$bin" check "$fx/threshold.json" --profile sme-production --json
json_is 'd["result"] == "FAIL"' 'd["exit_status"] == rc' 'd["failed"] == 2'
want 3 "$bin" check "$fx/allpairs15_miswired.json" --profile test-dev --json
json_is 'd["result"] == "INCOMPLETE"' 'd["exit_status"] == rc' 'd["unjudged_thresholds"] == 210' \
  '"--sizes 64,4M" in d["hints"][0]'
want 3 "$bin" check "$fx/allpairs15_miswired.json" --profile test-dev
grep -q "^result: INCOMPLETE" "$tmp/out" || fail "text lacks result: INCOMPLETE"
! grep -q "result: PASS" "$tmp/out" || fail "PASS printed with unjudged thresholds"
want 0 "$bin" check "$fx/allpairs15_miswired.json" --profile test-dev --allow-unjudged --json
json_is 'd["result"] == "INCOMPLETE"' 'd["exit_status"] == 0' 'd["allow_unjudged"] is True'
want 2 "$bin" check "$fx/threshold.json" --profile test-dev --size 1M --json
one_line_error "--size 1 MiB was not measured"
grep -qF "measured sizes: 8 B, 64 KiB, 4 MiB" "$tmp/err" || fail "measured sizes not listed"

# ---- recommend, infer, compare on fixtures ----------------------------------
want 0 "$bin" recommend "$fx/recommend.json" --need 25Gbit/s --json
json_is 'd["highest_tier_allowed"] == 2' 'd["exit_status"] == rc' '"highestTierAllowed: 2" in d["yaml"]'
want 1 "$bin" recommend "$fx/recommend.json" --need 1Tbit/s --json
json_is 'd["highest_tier_allowed"] is None' 'd["exit_status"] == rc'
want 0 "$bin" recommend "$fx/recommend.json" --need 25Gbit/s --yaml-only
grep -q "^    highestTierAllowed: 2" "$tmp/out" || fail "recommend --yaml-only lost its YAML"
want 2 "$bin" recommend "$fx/recommend.json" --need 1 --size 1M
one_line_error "measured sizes: 64 KiB, 4 MiB"
want 1 "$bin" infer "$fx/allpairs15_miswired.json" --topology "$fx/declared15.yaml" --json
json_is 'd["exit_status"] == rc' 'len(d["disagreements"]) == 2' \
  'any(s.startswith("miswired? h05") for s in d["disagreements"])' 'd["nodes"] == 15'
want 0 "$bin" infer "$fx/allpairs15.json" --json
json_is 'd["disagreements"] is None' 'len(d["tiers"]) == 3' '"kind: HyperNode" in d["yaml"]'
want 2 "$bin" infer "$fx/allpairs15.json" --size 64K
one_line_error "measured sizes: 8 B, 4 MiB"
want 0 "$bin" compare "$fx/compare_a.json" "$fx/compare_b.json" --json --size 4M
json_is 'len(d["runs"]) == 2' 'len(d["rows"]) == 2' 'all(r["size_bytes"] == 4194304 for r in d["rows"])' \
  'd["rows"][0]["bw_winner"] == "A"'
want 2 "$bin" compare "$fx/compare_a.json" "$fx/compare_b.json" --size 1M
one_line_error "measured sizes: 64 KiB, 4 MiB"

# ---- a fresh loopback run: default sizes of allpairs ------------------------
echo "== allpairs, 4 ranks on nodes n0..n3, default sizes"
run=$tmp/ap.json
if ! timeout 300 mpirun -np 4 --oversubscribe --bind-to none \
    sh -c 'TIERPERF_NODE_NAME=n$OMPI_COMM_WORLD_RANK exec "$0" "$@"' "$bin" run \
    --transport mpi --pattern allpairs --duration 0.02 --lat-iters 50 --warmup 2 --timeout 20 \
    --no-bind --out "$run" >"$tmp/run.out" 2>&1; then
  cat "$tmp/run.out"; fail "allpairs run failed"
fi
grep -q "warning: without --topology, up to [0-9]* pairs of a round run at once and may share links" \
  "$tmp/run.out" || { cat "$tmp/run.out"; fail "no concurrent-pairs warning"; }
[ "$(grep -c "may share links" "$tmp/run.out")" -eq 1 ] || fail "the warning is not one line"
python3 - "$run" <<'PY' || fail "results header"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["options"]["sizes"] == [64, 4194304], d["options"]["sizes"]
c = d["concurrency"]
assert c["links_known"] is False and c["max_pairs_per_round"] >= 2 and "may share links" in c["warning"], c
PY
set +e; "$bin" check "$run" --profile test-dev --json >"$tmp/out" 2>"$tmp/err"; got=$?; set -e
[ "$got" -le 1 ] || { cat "$tmp/out" "$tmp/err"; fail "check on the fresh run: exit $got (64 B measured: never INCOMPLETE)"; }
json_is 'd["result"] in ("PASS", "FAIL")' 'd["exit_status"] == rc' 'd["unjudged_thresholds"] == 0' \
  'd["judged"] == 12'
echo "ok: check --json on the fresh run: exit $got"
want 0 "$bin" check "$run" --profile "$tmp/lat.yaml" --json
json_is 'd["result"] == "PASS"' 'all(p["lat_size_bytes"] == 64 for p in d["pairs"])'
want 3 "$bin" check "$run" --profile "$tmp/lat.yaml" --size 4M --json
json_is 'd["result"] == "INCOMPLETE"' 'd["judged_thresholds"] == 0' '"--size 64" in d["hints"][0]'
want 2 "$bin" check "$run" --profile test-dev --size 1M
one_line_error "measured sizes: 64 B, 4 MiB"
want 0 "$bin" infer "$run" --json
json_is 'd["nodes"] == 4' 'd["exit_status"] == 0'
want 0 "$bin" compare "$run" "$run" --json
json_is 'len(d["rows"]) == 2' 'all(r["bw_winner"] == "tie" for r in d["rows"])'
want 2 "$bin" recommend "$run" --need 1 --json
one_line_error "with --topology"
echo "PASS"

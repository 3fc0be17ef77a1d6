#!/usr/bin/env bash
# test_openmetrics.sh: `tierperf report RUN --openmetrics OUT.prom` writes text
# that `promtool check metrics` accepts, for a real loopback run under mpirun,
# a run with a failed pair and with check verdicts; the sample alert rules in
# deploy/prometheus/ pass `promtool check rules` and fire in `promtool test
# rules`.  promtool comes from Debian's prometheus package
# (scripts/install-deps.sh).
#   args: BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/lib.sh" "$@"
command -v promtool >/dev/null || fail "promtool not installed (scripts/install-deps.sh installs prometheus)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fx="$src/tests/fixtures/results"

promcheck() {   # FILE: promtool's lint, and the OpenMetrics end marker
  promtool check metrics <"$1" >"$work/lint" 2>&1 || fail "promtool check metrics $1: $(cat "$work/lint")"
  [ "$(tail -n 1 "$1")" = "# EOF" ] || fail "$1 does not end with # EOF"
  ! grep -Eqi ' (nan|[+-]?inf)$' "$1" || fail "$1 has a nan or inf value"
}

# a real run: 2 ranks on this host
timeout 120 mpirun -np 2 --oversubscribe --bind-to none "$bin" run --transport tcp --sizes 4K,64K \
  --duration 0.05 --lat-iters 50 --quiet --out "$work/run.json" >"$work/run.out" 2>&1 ||
  { cat "$work/run.out"; fail "tierperf run failed"; }
"$bin" report "$work/run.json" --openmetrics "$work/run.prom" >/dev/null || fail "report --openmetrics"
promcheck "$work/run.prom"
[ "$(grep -c '^tierperf_pair_bandwidth_bytes_per_second{' "$work/run.prom")" -ge 2 ] ||
  fail "no pair bandwidth series: $(cat "$work/run.prom")"
grep -q '^tierperf_pair_latency_seconds{.*size_bytes="4096",percentile="p99"} ' "$work/run.prom" ||
  fail "no p99 latency series for 4 KiB"
grep -q '^tierperf_run_complete 1$' "$work/run.prom" || fail "run not complete"
[ ! -e "$work/run.prom.tmp" ] || fail "temporary file left behind"

# fixtures: known values, a failed pair, verdicts
"$bin" report "$fx/recommend.json" --openmetrics "$work/rec.prom" --profile test-dev >/dev/null ||
  fail "report --openmetrics --profile"
promcheck "$work/rec.prom"
grep -q '^tierperf_pair_bandwidth_bytes_per_second{transport="tcp",pattern="tiers",src_node="r1",dst_node="r2",src_rank="1",dst_rank="2",tier="1",hypernode="leaf-a",size_bytes="4194304"} 11875000000$' \
  "$work/rec.prom" || fail "r1->r2 at 4 MiB is not 95 Gbit/s = 11875000000 B/s"
grep -q '^tierperf_check_passed{profile="test-dev"} [01]$' "$work/rec.prom" || fail "no check verdict"
grep -q '^tierperf_check_tier_judged_pairs{profile="test-dev",tier="2"} 4$' "$work/rec.prom" ||
  fail "tier 2 judged pairs"
grep -q '^tierperf_check_unjudged_thresholds{profile="test-dev"} 0$' "$work/rec.prom" ||
  fail "recommend.json: unjudged thresholds not 0"
# latency measured at 4 MiB only: nothing failed, nothing passed (INCOMPLETE)
"$bin" report "$fx/allpairs15_miswired.json" --openmetrics "$work/inc.prom" --profile test-dev \
  >/dev/null || fail "report allpairs15_miswired"
promcheck "$work/inc.prom"
grep -q '^tierperf_check_passed{profile="test-dev"} 0$' "$work/inc.prom" || fail "INCOMPLETE reported as passed"
grep -q '^tierperf_check_unjudged_thresholds{profile="test-dev"} 210$' "$work/inc.prom" ||
  fail "the 210 unjudged latency thresholds are not counted"
"$bin" report "$fx/bad_pair.json" --openmetrics "$work/bad.prom" >/dev/null || fail "report bad_pair"
promcheck "$work/bad.prom"
grep -q '^tierperf_pair_up{.*src_node="a3",dst_node="a4".*} 0$' "$work/bad.prom" || fail "failed pair not 0"

# bad use: one line, exit 2
rc=0
"$bin" report "$fx/recommend.json" --openmetrics /nonexistent-dir/x.prom >/dev/null 2>"$work/err" || rc=$?
[ "$rc" -eq 2 ] && [ "$(wc -l <"$work/err")" -eq 1 ] || fail "unwritable --openmetrics: rc $rc: $(cat "$work/err")"
rc=0
"$bin" report "$fx/recommend.json" --profile test-dev >/dev/null 2>"$work/err" || rc=$?
[ "$rc" -eq 2 ] || fail "--profile without --openmetrics accepted"

# the documented alert rules
promtool check rules "$src/deploy/prometheus/tierperf-alerts.yaml" >"$work/rules" 2>&1 ||
  fail "promtool check rules: $(cat "$work/rules")"
(cd "$src/tests/fixtures/prometheus" && promtool test rules tierperf-alerts.test.yaml) >"$work/rt" 2>&1 ||
  fail "promtool test rules: $(cat "$work/rt")"
echo "PASS: test_openmetrics"

#!/usr/bin/env bash
# test_report_partial.sh: `tierperf report` on a good results file, on a
# truncated one (non-zero exit, says "truncated") and on a killed run's
# journal with a torn last line (prints the saved entries and warns).
# The real binary on fixture files; no mpirun needed.
#   args: BUILD_DIR SOURCE_DIR
set -euo pipefail
build=${1:?usage: test_report_partial.sh BUILD_DIR SOURCE_DIR}
src=${2:-$(dirname "$0")/../..}
bin="$build/tierperf"
fixture="$src/tests/fixtures/results/recommend.json"
fail() { echo "FAIL: $*" >&2; exit 1; }
[ -x "$bin" ] || fail "$bin not built"
work=$(mktemp -d /tmp/tierperf-report-XXXXXX)
trap 'rm -rf "$work"' EXIT

# 1. A good file: the per-tier table, complete, exit 0.
"$bin" report "$fixture" >"$work/good.out" 2>"$work/good.err" || fail "report on a good file failed"
grep -q '(complete)' "$work/good.out" || fail "good file not shown as complete"
grep -q 'Gbit/s = 10^9 bit/s, GB/s = 10^9 byte/s' "$work/good.out" || fail "units not labelled"
# tier 1 (leaf) at 4 MiB: 3 pairs, bandwidth 92 / 95 / 97 Gbit/s in the fixture
grep -Eq '^ +1 +leaf +4 MiB +3 +92\.00 +95\.00 +97\.00 ' "$work/good.out" \
  || { cat "$work/good.out"; fail "tier 1 summary row missing or wrong"; }
grep -Eq '^ +3 +core ' "$work/good.out" || fail "tier 3 row missing"
! grep -q WARNING "$work/good.out" || fail "a complete run printed a warning"
[ ! -s "$work/good.err" ] || { cat "$work/good.err"; fail "stderr not empty for a good file"; }
"$bin" report "$fixture" --tier 2 --pairs >"$work/tier2.out" || fail "--tier 2 --pairs failed"
! grep -Eq '^ +1 +leaf ' "$work/tier2.out" || fail "--tier 2 printed tier 1"
grep -q 'Per pair' "$work/tier2.out" || fail "--pairs printed no pair rows"

# 2. Truncated: exit 2 and one line saying so.
size=$(stat -c %s "$fixture")
for cut in 1 $((size / 3)) $((size / 2)) $((size - 5)); do
  head -c "$cut" "$fixture" >"$work/cut.json"
  rc=0
  "$bin" report "$work/cut.json" >"$work/cut.out" 2>"$work/cut.err" || rc=$?
  [ "$rc" -eq 2 ] || fail "truncated at $cut bytes: exit $rc, expected 2"
  grep -q "cut.json: truncated JSON" "$work/cut.err" || { cat "$work/cut.err"; fail "truncated at $cut: not said"; }
  [ "$(wc -l <"$work/cut.err")" -eq 1 ] || fail "truncated at $cut: more than one line of error"
  [ ! -s "$work/cut.out" ] || fail "truncated at $cut: printed a table anyway"
done

# 3. A killed run's journal: header line, 5 entries, a failed pair, a torn line.
python3 - "$fixture" "$work/killed.json.journal.jsonl" <<'PY'
import json, sys
run = json.load(open(sys.argv[1]))
header = {k: v for k, v in run.items()
          if k not in ("results", "tier_summary", "errors", "end_time", "complete")}
with open(sys.argv[2], "w") as f:
    f.write(json.dumps({"run_header": header}) + "\n")
    for e in run["results"][:5]:
        f.write(json.dumps(e) + "\n")
    f.write(json.dumps({"run_error": {"src_rank": 2, "dst_rank": 5, "src_node": "r2",
                                      "dst_node": "r5", "status": "timed out",
                                      "message": "peer r5: no reply within 10 s"}}) + "\n")
    f.write(json.dumps(run["results"][5])[:57])   # killed mid-write
PY
"$bin" report "$work/killed.json.journal.jsonl" --pairs >"$work/j.out" 2>"$work/j.err" \
  || fail "report on a journal failed"
grep -q 'PARTIAL' "$work/j.out" || fail "journal not shown as partial"
grep -q 'WARNING: partial run: it did not finish (read from its journal); 5 measurements saved' \
  "$work/j.out" || { cat "$work/j.out"; fail "partial warning missing"; }
grep -q 'WARNING: 1 torn journal line(s) skipped (line 8; killed mid-write or disk full)' \
  "$work/j.out" || { cat "$work/j.out"; fail "torn line not reported"; }
[ "$(grep -c 'torn journal line' "$work/j.err")" -eq 1 ] || { cat "$work/j.err"; fail "torn line: not one warning on stderr"; }
grep -q 'partial run' "$work/j.err" || fail "no warning on stderr"
[ "$(grep -Ec '^ +[0-9]+ +[0-9]+  r[0-9] -> r[0-9] ' "$work/j.out")" -eq 5 ] \
  || { cat "$work/j.out"; fail "expected the 5 saved entries as pair rows"; }
grep -q 'rank 2 (r2) -> rank 5 (r5): timed out: peer r5: no reply within 10 s' "$work/j.out" \
  || fail "journalled pair error not shown"

# 4. A line torn before the last one (a full disk, a kill): skipped with one
# warning naming it, the lines after it kept.
{ head -n 2 "$work/killed.json.journal.jsonl"; echo '{"size_bytes": 8,'; \
  sed -n 3p "$work/killed.json.journal.jsonl"; } >"$work/bad.json.journal.jsonl"
"$bin" report "$work/bad.json.journal.jsonl" --pairs >"$work/bad.out" 2>"$work/bad.err" \
  || { cat "$work/bad.err"; fail "torn middle line: the journal was rejected"; }
grep -q 'bad.json.journal.jsonl: 1 torn journal line(s) skipped (line 3;' "$work/bad.err" \
  || { cat "$work/bad.err"; fail "torn middle line: no warning naming line 3"; }
[ "$(grep -Ec '^ +[0-9]+ +[0-9]+  r[0-9] -> r[0-9] ' "$work/bad.out")" -eq 2 ] \
  || { cat "$work/bad.out"; fail "torn middle line: the 2 whole entries were not kept"; }

# 5. Usage errors.
rc=0; "$bin" report >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "report without a file: exit $rc"
rc=0; "$bin" report "$fixture" --tier x >/dev/null 2>"$work/u.err" || rc=$?
[ "$rc" -eq 2 ] && grep -q -- "--tier 'x'" "$work/u.err" || fail "--tier x not rejected"
grep -q 'journal' <<<"$("$bin" report --help)" || fail "--help does not mention journals"
echo PASS

#!/usr/bin/env bash
# test_results_invalid.sh: every command that reads runs (report, check,
# recommend, infer, compare) refuses the same nonsense the same way: exit 2
# and one line naming the file, the entry and the field
# (tests/fixtures/results/invalid/).  /dev/zero is refused at once, not
# read to a limit.
#   args: BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/lib.sh" "$@"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
inv="$src/tests/fixtures/results/invalid"
good="$src/tests/fixtures/results/compare_b.json"

# fixture -> what the line must say after the file name
declare -A expect=(
  [size_huge.json]=": results[1]: size_bytes: out of range"
  [tier_huge.json]=": results[2]: tier: out of range"
  [tier_negative.json]=": results[0]: tier: negative"
  [bw_string.json]=": results[3]: bw_gbit_s: not a number (a string)"
  [bw_negative.json]=": results[1]: bw_gbit_s: negative"
  [lat_negative.json]=": results[2]: lat_us.p50: negative"
  [lat_negative.json.journal.jsonl]=":3: lat_us.p99: negative"
  [rank_range.json]=": results[3]: dst_rank: out of range"
  [duplicate.json]=": results[4]: duplicate: ranks 0 -> 2"
  [empty.json.journal.jsonl]=": empty (0 bytes)"
)

refused() {   # refused NAME FILE EXPECT CMD...
  local name=$1 file=$2 want=$3 rc=0
  shift 3
  timeout 30 "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
  [ "$rc" -eq 2 ] || { cat "$tmp/out" "$tmp/err"; fail "$name: exit $rc, expected 2"; }
  [ "$(wc -l <"$tmp/err")" -eq 1 ] || { cat "$tmp/err"; fail "$name: not one line"; }
  grep -qF -- "$file$want" "$tmp/err" || { cat "$tmp/err"; fail "$name: expected '$file$want'"; }
}

n=0
for f in "${!expect[@]}"; do
  file="$inv/$f"
  refused "report $f" "$file" "${expect[$f]}" "$bin" report "$file"
  refused "check $f" "$file" "${expect[$f]}" "$bin" check "$file" --profile test-dev
  refused "recommend $f" "$file" "${expect[$f]}" "$bin" recommend "$file" --need 1Gbit/s
  refused "infer $f" "$file" "${expect[$f]}" "$bin" infer "$file"
  refused "compare $f" "$file" "${expect[$f]}" "$bin" compare "$good" "$file"
  n=$((n + 5))
done

# not a regular file: refused before reading (a generous bound, not a timing)
refused "report /dev/zero" /dev/zero ": not a regular file" "$bin" report /dev/zero
refused "check /dev/zero" /dev/zero ": not a regular file" "$bin" check /dev/zero --profile test-dev
refused "recommend /dev/zero" /dev/zero ": not a regular file" "$bin" recommend /dev/zero --need 1Gbit/s
refused "infer /dev/zero" /dev/zero ": not a regular file" "$bin" infer /dev/zero
n=$((n + 4))
refused "compare /dev/zero" /dev/zero ": not a regular file" "$bin" compare "$good" /dev/zero

# the base of every fixture passes every command
"$bin" report "$good" >/dev/null || fail "report rejects the valid base"
"$bin" compare "$good" "$src/tests/fixtures/results/compare_a.json" >/dev/null ||
  fail "compare rejects the valid base"
echo "PASS: $((n + 1)) refusals, one line each, by all five commands"

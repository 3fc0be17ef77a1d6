#!/usr/bin/env bash
# test_infer_check.sh: what `infer` writes, `topo --check` accepts (DNS names,
# a tierName per tier that highestTierName can use); a --prefix that would
# make names Kubernetes refuses is refused up front with one line.
#   args: BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/lib.sh" "$@"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fx="$src/tests/fixtures/results/allpairs15.json"

for prefix in tierperf dc1 dc1.example.com rack-a; do
  "$bin" infer "$fx" --prefix "$prefix" >"$work/inf.yaml" || fail "infer --prefix $prefix failed"
  "$bin" topo "$work/inf.yaml" --check >"$work/check" 2>&1 ||
    fail "topo --check rejects infer --prefix $prefix: $(cat "$work/check")"
  grep -q "tierName: \"$prefix-t1\"" "$work/inf.yaml" || fail "no tierName $prefix-t1"
  "$bin" topo "$work/inf.yaml" >"$work/tree" || fail "topo tree of the inferred YAML"
  grep -q "($prefix-t2)" "$work/tree" || fail "tier names not read back: $(head -5 "$work/tree")"
done
for prefix in DC_1 -dc dc. "a..b" "" "$(printf 'x%.0s' {1..201})"; do
  rc=0
  "$bin" infer "$fx" --prefix "$prefix" >"$work/out" 2>"$work/err" || rc=$?
  [ "$rc" -eq 2 ] || fail "infer --prefix '$prefix': exit $rc, want 2"
  [ "$(wc -l <"$work/err")" -eq 1 ] && grep -qF -- "--prefix '$prefix'" "$work/err" ||
    fail "infer --prefix '$prefix': $(cat "$work/err")"
  [ ! -s "$work/out" ] || fail "infer --prefix '$prefix' wrote YAML"
done
echo "PASS: test_infer_check"

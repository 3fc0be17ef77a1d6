#!/usr/bin/env bash
# test_report_hints.sh: what `tierperf report` says so a reader is not
# misled: a killed run's FILE missing but FILE.journal.jsonl present points to
# the journal; several node names on one host are warned about (their tiers
# never crossed a network); p99/p99.9 from too few samples are marked.
#   args: BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/lib.sh" "$@"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# a killed run: no FILE, its journal there
: >"$work/killed.json.journal.jsonl"
rc=0
"$bin" report "$work/killed.json" >/dev/null 2>"$work/err" || rc=$?
[ "$rc" -eq 2 ] && [ "$(wc -l <"$work/err")" -eq 1 ] &&
  grep -qF "journal exists: tierperf report $work/killed.json.journal.jsonl" "$work/err" ||
  fail "report of a killed run does not point to its journal: $(cat "$work/err")"
rc=0
"$bin" report "$work/none.json" >/dev/null 2>"$work/err" || rc=$?
[ "$rc" -eq 2 ] && ! grep -q journal "$work/err" || fail "journal named where none exists: $(cat "$work/err")"

# one host, four node names, 50 latency samples per pair
python3 - "$src/tests/fixtures/results/recommend.json" "$work/loop.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for h in d["hosts"]:
    h["hostname"] = "laptop"
for r in d["results"]:
    if r.get("lat_us"):
        r["lat_us"]["samples"] = 50
json.dump(d, open(sys.argv[2], "w"))
PY
"$bin" report "$work/loop.json" --pairs >"$work/loop.out" 2>&1 || fail "report loop.json"
grep -q "^WARNING: [0-9]* node names on 1 host: .*not measured across one" "$work/loop.out" ||
  fail "no loopback warning: $(head -8 "$work/loop.out")"
[ "$(grep -c '[0-9]\* *[0-9.]*\*' "$work/loop.out")" -gt 0 ] || fail "p99/p99.9 not marked"
grep -q "^  \* fewer latency samples than the percentile needs" "$work/loop.out" || fail "no footnote"
# the original fixture: distinct hosts, enough samples: neither
"$bin" report "$src/tests/fixtures/results/recommend.json" --pairs >"$work/ok.out" 2>&1 || fail "report"
! grep -q "node names on\|fewer latency samples" "$work/ok.out" || fail "false warning: $(cat "$work/ok.out")"
# a profile rule that selects no pair (no node name has "storage") is said,
# and the verdict is INCOMPLETE (exit 3), not a silent PASS
rc=0
"$bin" check "$src/tests/fixtures/results/recommend.json" --profile sme-production >"$work/sme.out" 2>&1 || rc=$?
[ "$rc" -eq 3 ] || fail "sme-production without storage nodes: exit $rc, want 3: $(cat "$work/sme.out")"
grep -q "rule 'storage' selected no pair (no node name matches 'storage'" "$work/sme.out" ||
  fail "the unselecting storage rule is not named: $(cat "$work/sme.out")"
grep -q "node labels unknown: --nodes FILE selects nodes with node-role.kubernetes.io/storage=" "$work/sme.out" ||
  fail "the storage rule does not say how to select by label: $(cat "$work/sme.out")"
# storage nodes by label (kubectl get nodes -o yaml): r2 is storage; r0->r2
# crosses the core at 12 Gbit/s, so a 20 Gbit/s storage rule fails it
cat >"$work/nodes.yaml" <<'YAML'
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Node
  metadata:
    name: r2
    labels:
      kubernetes.io/hostname: r2
      node-role.kubernetes.io/storage: ""
YAML
rc=0
"$bin" check "$src/tests/fixtures/results/recommend.json" --profile sme-production \
  --nodes "$work/nodes.yaml" -v >"$work/sme-labels.out" 2>&1 || rc=$?
[ "$rc" -eq 0 ] || fail "sme-production with a labelled storage node: exit $rc, want 0: $(cat "$work/sme-labels.out")"
grep -q "selected no pair" "$work/sme-labels.out" && fail "storage rule unselected despite the label"
sed 's/min_bandwidth: 10Gbit/min_bandwidth: 20Gbit/' "$src/profiles/sme-production.yaml" >"$work/storage20.yaml"
rc=0
"$bin" check "$src/tests/fixtures/results/recommend.json" --profile "$work/storage20.yaml" \
  --nodes "$work/nodes.yaml" >"$work/s20.out" 2>&1 || rc=$?
[ "$rc" -eq 1 ] || fail "20 Gbit/s storage rule: exit $rc, want 1: $(cat "$work/s20.out")"
grep -q "FAIL r0->r2" "$work/s20.out" || fail "the slow storage pair is not named: $(cat "$work/s20.out")"
grep -q "FAIL r1->r2" "$work/s20.out" && fail "a pair of no storage node failed the storage rule"
rc=0
"$bin" check "$src/tests/fixtures/results/recommend.json" --profile sme-production \
  --nodes "$work/missing.yaml" >"$work/nf.out" 2>&1 || rc=$?
[ "$rc" -eq 2 ] && [ "$(wc -l <"$work/nf.out")" -eq 1 ] && grep -q "missing.yaml" "$work/nf.out" ||
  fail "a missing --nodes file: exit $rc, not one line naming it: $(cat "$work/nf.out")"
echo "PASS: test_report_hints"

#!/usr/bin/env bash
# test_topo_cli.sh: `tierperf topo` against golden files (tests/golden/topo/):
# tree/paths/matrix, --check, --emit sim, --emit yaml (and that it reads back
# to the same tree), --plan tiers|allpairs; bad input exits 2 with one line
# naming the file and field; --help.  Run from the source dir so the paths
# printed are the relative ones in the goldens.
#   args: BUILD_DIR SOURCE_DIR
#   TIERPERF_GOLDEN_UPDATE=1 rewrites the goldens from this build's output.
set -euo pipefail
build=$(cd "${1:?usage: test_topo_cli.sh BUILD_DIR SOURCE_DIR}" && pwd)
src=${2:-$(dirname "$0")/../..}
cd "$src"
bin="$build/tierperf"
gold=tests/golden/topo
fix=tests/fixtures/hypernodes
fail() { echo "FAIL: $*" >&2; failed=1; }
failed=0
[ -x "$bin" ] || { echo "FAIL: $bin not built" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# name|arguments (word-split).  The plan's timing line is dropped.
cases=(
  "sim-8node|topologies/sim-8node-3tier.yaml"
  "list-3tier-names|$fix/list-3tier.yaml --node-names gpu-node-0,gpu-node-3,gpu-node-4,gpu-node-7,gpu-node-9"
  "mixed-depth|$fix/good-mixed-depth.yaml"
  "labelexpr-nodes|$fix/good-labelexpr.yaml --nodes $fix/good-labelexpr-nodes.json"
  "kthena-no-nodes|$fix/seed-kthena.yaml"
  "check|$fix/good-mixed-depth.yaml --check"
  "emit-sim|topologies/sim-8node-3tier.yaml --emit sim"
  "emit-sim-regex|$fix/list-3tier.yaml --node-names gpu-node-0,gpu-node-1,gpu-node-5 --emit sim"
  "emit-yaml-regex|$fix/list-3tier.yaml --emit yaml"
  "emit-yaml-label|$fix/good-labelexpr.yaml --nodes $fix/good-labelexpr-nodes.json --emit yaml"
  "plan-tiers|topologies/sim-8node-3tier.yaml --plan tiers --ranks-per-node 2 --pairs"
  "plan-tiers-mixed|$fix/good-mixed-depth.yaml --plan tiers --pairs"
  "plan-allpairs|$fix/good-multidoc-tiername.yaml --plan allpairs --pairs"
  "plan-tiers-quiet|topologies/sim-8node-3tier.yaml --plan tiers --quiet"
  "plan-sweep|topologies/sim-8node-3tier.yaml --plan sweep --pairs"
)

for c in "${cases[@]}"; do
  name=${c%%|*}
  read -r -a args <<<"${c#*|}"
  rc=0
  "$bin" topo "${args[@]}" >"$work/out" 2>"$work/err" || rc=$?
  sed -i '/^planned in [0-9.]* ms$/d' "$work/out"
  if [ "$rc" -ne 0 ]; then fail "$name: exit $rc: $(cat "$work/err")"; continue; fi
  if [ "${TIERPERF_GOLDEN_UPDATE:-0}" = 1 ]; then
    mkdir -p "$gold"
    cp "$work/out" "$gold/$name.out"
    if [ -s "$work/err" ]; then cp "$work/err" "$gold/$name.err"; else rm -f "$gold/$name.err"; fi
    echo "updated $gold/$name.out"
    continue
  fi
  [ -f "$gold/$name.out" ] || { fail "$name: no golden $gold/$name.out (TIERPERF_GOLDEN_UPDATE=1)"; continue; }
  diff -u "$gold/$name.out" "$work/out" >&2 || fail "$name: stdout differs from $gold/$name.out"
  if [ -f "$gold/$name.err" ]; then
    diff -u "$gold/$name.err" "$work/err" >&2 || fail "$name: stderr differs from $gold/$name.err"
  elif [ -s "$work/err" ]; then
    fail "$name: unexpected stderr: $(cat "$work/err")"
  fi
  echo "ok: $name"
done

# --emit yaml reads back to the same tree: compare the sim forms.
for c in "topologies/sim-8node-3tier.yaml|" "$fix/good-labelexpr.yaml|--nodes $fix/good-labelexpr-nodes.json" \
         "$fix/good-mixed-depth.yaml|"; do
  file=${c%%|*}
  read -r -a extra <<<"${c#*|}"
  "$bin" topo "$file" "${extra[@]}" --emit yaml >"$work/rt.yaml" 2>/dev/null || { fail "emit yaml $file"; continue; }
  # nodes in no HyperNode (known from a nodes file only) are not HyperNode
  # YAML; the order of nodes follows the order HyperNodes are written
  "$bin" topo "$file" "${extra[@]}" --emit sim 2>/dev/null | grep -v '^node .* -$' | sort >"$work/a.sim"
  "$bin" topo "$work/rt.yaml" --emit sim 2>/dev/null | sort >"$work/b.sim"
  if [ "$(wc -l <"$work/b.sim")" -lt 3 ]; then fail "re-read of --emit yaml of $file"
  elif ! diff -u "$work/a.sim" "$work/b.sim" >&2; then fail "$file: --emit yaml does not read back to the same tree"
  else echo "ok: round trip $file"; fi
done

# Bad input: exit 2, nothing on stdout, one line on stderr holding each of
# the given words.  name|words (;-separated)|arguments
printf 'apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Pod, metadata: {name: p0}}\n' >"$work/pods.yaml"
bad=(
  "missing file|$fix/nope.yaml;cannot open|$fix/nope.yaml"
  "malformed yaml|$fix/bad-syntax.yaml:5:;YAML syntax error|$fix/bad-syntax.yaml"
  "bad tier|$fix/bad-tier-string.yaml:7:;HyperNode 'leaf';spec.tier|$fix/bad-tier-string.yaml"
  "dangling|$fix/bad-dangling.yaml;HyperNode 's1';spec.members[1].selector.exactMatch.name;rack-2|$fix/bad-dangling.yaml"
  "same tier on bind|$fix/bad-same-tier-regex.yaml;HyperNode 'rack-b';node 'gpu-7'|$fix/bad-same-tier-regex.yaml --node-names gpu-1,gpu-7"
  "unknown node|--node-names;node 'kthena-wrker';$fix/seed-kthena-nodes.yaml|$fix/seed-kthena.yaml --nodes $fix/seed-kthena-nodes.yaml --node-names kthena-worker,kthena-wrker"
  "nodes file not nodes|$work/pods.yaml;items[0].kind;'Pod'|$fix/list-3tier.yaml --nodes $work/pods.yaml"
  "missing nodes file|$fix/nope-nodes.yaml;cannot open|$fix/seed-kthena.yaml --nodes $fix/nope-nodes.yaml"
  "emit sim without names|$fix/list-3tier.yaml;--nodes|$fix/list-3tier.yaml --emit sim"
  "bad emit|--emit;'json'|$fix/good-single.yaml --emit json"
  "bad plan|--plan;'ring'|$fix/good-single.yaml --plan ring"
  "bad ranks per node|--ranks-per-node;'0'|$fix/good-single.yaml --plan tiers --ranks-per-node 0"
  "unknown option|'--frobnicate'|$fix/good-single.yaml --frobnicate"
  "no file|FILE is required|"
  "two files|expected one FILE|$fix/good-single.yaml $fix/list-3tier.yaml"
)
for b in "${bad[@]}"; do
  name=${b%%|*}; rest=${b#*|}
  words=${rest%%|*}
  read -r -a args <<<"${rest#*|}"
  rc=0
  "$bin" topo "${args[@]}" >"$work/out" 2>"$work/err" || rc=$?
  [ "$rc" -eq 2 ] || fail "$name: exit $rc, want 2"
  [ -s "$work/out" ] && fail "$name: wrote to stdout: $(head -3 "$work/out")"
  [ "$(wc -l <"$work/err")" -eq 1 ] || fail "$name: want one line on stderr, got: $(cat "$work/err")"
  IFS=';' read -r -a want <<<"$words"
  for w in "${want[@]}"; do
    grep -qF -- "$w" "$work/err" || fail "$name: '$w' missing in: $(cat "$work/err")"
  done
  echo "ok: $name -> $(cat "$work/err")"
done

# --help: exit 0, usage on stdout naming every option
rc=0
"$bin" topo --help >"$work/out" 2>"$work/err" || rc=$?
[ "$rc" -eq 0 ] || fail "--help: exit $rc"
for w in "usage: tierperf topo FILE" --nodes --node-names --matrix --check --emit --plan --ranks-per-node --pairs --quiet; do
  grep -qF -- "$w" "$work/out" || fail "--help lacks '$w'"
done
[ -s "$work/err" ] && fail "--help wrote to stderr"

[ "$failed" -eq 0 ] || exit 1
echo "PASS: test_topo_cli"

#!/usr/bin/env bash
# test_run_input.sh: bad `tierperf run` input is refused up front with one
# line and exit 2, before anything is allocated or measured: sizes that do
# not fit in this host's available memory (--sizes 1:1T), a --timeout under
# its 1 s floor, an explicit --out onto an existing file without --force, a
# --node-name in no HyperNode of --topology; -np 3 --pattern pairs warns
# about its idle rank, and --force lets --out replace a file.
#   args: BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/lib.sh" "$@"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mpi() { local np=$1; shift; timeout 120 mpirun -np "$np" --oversubscribe --bind-to none "$@"; }
quick=(--transport mpi --sizes 1K --duration 0.05 --lat-iters 10 --timeout 5 --quiet)

refused() {   # refused NAME EXPECT CMD...: exit 2, one line from tierperf saying EXPECT
  local name=$1 want=$2 rc=0
  shift 2
  "$@" >"$tmp/out" 2>&1 || rc=$?
  [ "$rc" -eq 2 ] || { cat "$tmp/out"; fail "$name: exit $rc, expected 2"; }
  [ "$(grep -c '^tierperf' "$tmp/out")" -eq 1 ] || { cat "$tmp/out"; fail "$name: not one line"; }
  grep -qF -- "$want" "$tmp/out" || { cat "$tmp/out"; fail "$name: expected '$want'"; }
}

refused "sizes 1:1T" "--sizes '1:1T': buffers of 1 TiB per rank x 2 rank(s) on" \
  mpi 2 "$bin" run "${quick[@]}" --sizes 1:1T --out "$tmp/big.json"
grep -q "of memory available there (MemAvailable, /proc/meminfo)" "$tmp/out" || fail "memory not stated"
[ ! -e "$tmp/big.json.journal.jsonl" ] || fail "1:1T: a run was started"
refused "timeout 100us" "--timeout 100 us: must be at least 1 s" \
  "$bin" run "${quick[@]}" --timeout 0.0001
refused "timeout 1e-9" "--timeout '1e-9'" "$bin" run "${quick[@]}" --timeout 1e-9
echo '{"results": []}' >"$tmp/old.json"
refused "out exists" "--out $tmp/old.json: exists (an earlier run's results?); pass --force to replace it" \
  mpi 2 "$bin" run "${quick[@]}" --out "$tmp/old.json"
grep -q '"results": \[\]' "$tmp/old.json" || fail "the existing --out file was touched"
refused "node-name" "rank 0: node 'no-such-node' is in no HyperNode of --topology $src/topologies/sim-8node-3tier.yaml" \
  mpi 2 "$bin" run "${quick[@]}" --pattern tiers --topology "$src/topologies/sim-8node-3tier.yaml" \
  --node-name no-such-node --out "$tmp/nn.json"
[ ! -e "$tmp/nn.json" ] || fail "node-name: results written"

# -np 3 pairs: rank 2 idle, said once; --force replaces the old file
mpi 3 "$bin" run "${quick[@]}" --pattern pairs --out "$tmp/old.json" --force >"$tmp/np3.out" 2>&1 ||
  { cat "$tmp/np3.out"; fail "-np 3 --pattern pairs --force failed"; }
[ "$(grep -c 'in no pair, idle for the whole run: rank 2 ' "$tmp/np3.out")" -eq 1 ] ||
  { cat "$tmp/np3.out"; fail "-np 3 pairs: the idle rank 2 was not named once"; }
grep -Eq '"pattern":[[:space:]]+"pairs"' "$tmp/old.json" || fail "--force did not replace the file"
echo "PASS: 5 kinds of bad run input refused up front, the idle rank named, --force replaces"

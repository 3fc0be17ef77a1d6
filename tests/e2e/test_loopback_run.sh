#!/usr/bin/env bash
# test_loopback_run.sh: `tierperf run` for real under mpirun on this
# machine: pairs with 2 and 4 ranks, allpairs, tiers (node names from
# TIERPERF_NODE_NAME against the shipped 3-tier HyperNode file), a
# streamed --size through a small ring, --bidir, --verify; each results
# file checked field by field (run_json_check.py), `tierperf report` on
# it; a rank frozen mid-run (SIGSTOP) makes its pair fail within --timeout
# while the other pair finishes and the run exits 1 with the error
# recorded; bad input exits 2 with one line.  MPI transport always, TCP
# too once `run --help` lists it as implemented.
#   args: BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/lib.sh" "$@"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
# Small and short: the figures do not matter here, only that they are real
# and complete.
quick=(--duration 0.02 --lat-iters 50 --timeout 20)
mpi() { local np=$1; shift; timeout 300 mpirun -np "$np" --oversubscribe --bind-to none "$@"; }

run_ok() {   # name np args...: run, expect exit 0
  local name=$1 np=$2; shift 2
  if ! mpi "$np" "$bin" run "$@" --out "$tmp/$name.json" >"$tmp/$name.out" 2>&1; then
    cat "$tmp/$name.out"; fail "$name: tierperf run failed"
  fi
  grep -q "results: $tmp/$name.json" "$tmp/$name.out" || { cat "$tmp/$name.out"; fail "$name: no results path printed"; }
}

step() { echo "== [${SECONDS}s] $*"; }
step "help"
"$bin" run --help >"$tmp/help" || fail "run --help exit $?"
for w in --transport --sizes --duration --timeout --verify "10^9 bit/s" allpairs mpi; do
  grep -q -- "$w" "$tmp/help" || fail "run --help does not mention $w"
done
transports=(mpi)
if grep -E '^ +tcp ' "$tmp/help" | grep -vq 'not implemented'; then transports+=(tcp); fi
echo "transports: ${transports[*]}"

for t in "${transports[@]}"; do
  step "$t: pairs, 2 ranks, verify"
  run_ok "pairs2-$t" 2 --transport "$t" --sizes 1,4K,64K --verify "${quick[@]}"
  $check "$tmp/pairs2-$t.json" --ranks 2 --pattern pairs --transport "$t" \
    --sizes 1,4096,65536 --pairs 0-1 --verify
  grep -q "Gbit/s" "$tmp/pairs2-$t.out" || fail "no table printed at the end"
  "$bin" report "$tmp/pairs2-$t.json" >"$tmp/report.out" || fail "report exit $?"
  grep -q "$t" "$tmp/report.out" || fail "report does not name the transport"

  if [ "$t" = mpi ]; then   # 4 ranks once: the engine is the same for every transport
    step "$t: pairs, 4 ranks, bidir"
    run_ok "pairs4-$t" 4 --transport "$t" --sizes 64K --bidir "${quick[@]}"
    $check "$tmp/pairs4-$t.json" --ranks 4 --pattern pairs --transport "$t" \
      --sizes 65536 --pairs 0-1,2-3 --bidir
  fi
  step "$t: streamed --size through a 1 MiB ring, verify"
  run_ok "stream-$t" 2 --transport "$t" --size 24M --sizes 256K --buffer-size 1M --verify \
    --timeout 20
  $check "$tmp/stream-$t.json" --ranks 2 --pattern pairs --transport "$t" \
    --sizes 262144 --pairs 0-1 --verify --stream 25165824,1048576
done

step "mpi: allpairs, 4 ranks"
run_ok allpairs 4 --transport mpi --pattern allpairs --sizes 4K --serial "${quick[@]}"
$check "$tmp/allpairs.json" --ranks 4 --pattern allpairs --transport mpi --sizes 4096 \
  --pairs 0-1,1-0,0-2,2-0,0-3,3-0,1-2,2-1,1-3,3-1,2-3,3-2

step "mpi: tiers, 4 ranks named sim-n0 sim-n2 sim-n4 sim-n6"
if ! mpi 4 sh -c 'TIERPERF_NODE_NAME=sim-n$((OMPI_COMM_WORLD_RANK * 2)) exec "$0" "$@"' \
    "$bin" run --transport mpi --pattern tiers --topology "$src/topologies/sim-8node-3tier.yaml" \
    --sizes 1K,64K "${quick[@]}" --out "$tmp/tiers.json" >"$tmp/tiers.out" 2>&1; then
  cat "$tmp/tiers.out"; fail "tiers run failed"
fi
$check "$tmp/tiers.json" --ranks 4 --pattern tiers --transport mpi --sizes 1024,65536 --tiers 2,3
python3 - "$tmp/tiers.json" <<'PY' || fail "tiers: node names or hypernodes wrong"
import json, sys
d = json.load(open(sys.argv[1]))
assert [h["node"] for h in d["hosts"]] == ["sim-n0", "sim-n2", "sim-n4", "sim-n6"], d["hosts"]
for r in d["results"]:
    a, b = sorted((int(r["src_node"][5:]), int(r["dst_node"][5:])))
    want = 2 if a // 4 == b // 4 else 3
    assert r["tier"] == want, (r["src_node"], r["dst_node"], r["tier"])
    assert r["hypernode"] == ("sim-spine-%d" % (a // 4) if want == 2 else "sim-core"), r["hypernode"]
PY

step "mpi: a frozen rank fails its pair within --timeout; the other pair finishes"
export TIERPERF_E2E_TAG="$tmp"     # marks this test's ranks
mpi 4 "$bin" run --transport mpi --sizes 4K,64K,256K,1M --duration 0.5 --lat-iters 20 \
  --timeout 2 --out "$tmp/frozen.json" >"$tmp/frozen.out" 2>&1 &
launcher=$!
victim=""
for _ in $(seq 300); do
  for p in $(pgrep -f -- "$bin run --transport mpi" 2>/dev/null || true); do
    envs=$(tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null || true)
    if grep -qx 'OMPI_COMM_WORLD_RANK=3' <<<"$envs" && grep -qx "TIERPERF_E2E_TAG=$tmp" <<<"$envs"; then
      victim=$p
    fi
  done
  [ -n "$victim" ] && [ -e "$tmp/frozen.json.journal.jsonl" ] && break
  sleep 0.1
done
unset TIERPERF_E2E_TAG
[ -n "$victim" ] || fail "rank 3 of the frozen run not found"
sleep 1
# Frozen for 2 x --timeout: rank 2 gives up on the pair after --timeout
# and says so; rank 3, running again, stops at once on that notice and
# reaches the round's end well within rank 0's wait there (2 x --timeout
# + 1 s after the pair's failure; run --help).  A longer freeze may end
# the run incomplete, as documented.
kill -STOP "$victim"
sleep 4
kill -CONT "$victim" 2>/dev/null || true
set +e
wait "$launcher"
rc=$?
set -e
[ "$rc" -eq 1 ] || { cat "$tmp/frozen.out"; fail "frozen run exit $rc, expected 1 (a pair failed)"; }
$check "$tmp/frozen.json" --ranks 4 --pattern pairs --transport mpi \
  --sizes 4096,65536,262144,1048576 --pairs 0-1 --failed 2-3
grep -q "timeout\|peer" "$tmp/frozen.out" || fail "no timeout or peer failure reported"

step "bad input: exit 2, one line naming the problem"
bad() {   # expected-text args...
  local want=$1; shift
  set +e
  "$bin" run "$@" >"$tmp/bad.out" 2>&1
  local rc=$?
  set -e
  [ "$rc" -eq 2 ] || { cat "$tmp/bad.out"; fail "run $*: exit $rc, expected 2"; }
  [ "$(wc -l <"$tmp/bad.out")" -eq 1 ] || { cat "$tmp/bad.out"; fail "run $*: not one line"; }
  grep -q -- "$want" "$tmp/bad.out" || { cat "$tmp/bad.out"; fail "run $*: does not say $want"; }
}
bad "carrier-pigeon" --transport carrier-pigeon
bad "1:banana" --sizes 1:banana
bad "/nonexistent/hn.yaml" --pattern tiers --topology /nonexistent/hn.yaml
bad "--timeout" --timeout -1
bad "needs --topology" --pattern tiers
# under mpirun, still one line from tierperf (not one per rank)
set +e
mpi 2 "$bin" run --sizes 4Q --transport mpi >"$tmp/bad2.out" 2>&1
rc=$?
set -e
[ "$rc" -eq 2 ] || { cat "$tmp/bad2.out"; fail "bad --sizes under mpirun: exit $rc"; }
[ "$(grep -c '^tierperf' "$tmp/bad2.out")" -eq 1 ] || { cat "$tmp/bad2.out"; fail "bad --sizes under mpirun: not one line"; }
echo "PASS (${SECONDS}s)"

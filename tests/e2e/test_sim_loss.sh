#!/usr/bin/env bash
# test_sim_loss.sh: retransmissions measured and judged end to end on the
# simulated cluster (scripts/simcluster.sh), a 4-node 2-tier tree.  Node
# sim-n1's transmit queue (eth0 in its namespace) is replaced by a tbf whose
# queue holds ten packets: the sender's bursts overflow it, the kernel drops
# packets and TCP retransmits them (18-48% of segments here).  Healthy pairs
# retransmit too where their congestion window overflows a shaped uplink's
# queue (up to ~4% here).  One `run --pattern allpairs` over TCP: every row
# carries extra.loss from TCP_INFO; `check --profile test-dev`, whose loss
# rule allows 10% (docs/answers.md, Loss), fails the pairs sim-n1 sends on
# for loss and no pair without sim-n1 (tier-2 pairs miss test-dev's
# 100 Mbit/s on the 100 Mbit/s uplinks: only the loss verdicts are
# asserted).  Always tears the cluster down.
#   args: BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/lib.sh" "$@"
for t in ip tc mpirun python3; do command -v "$t" >/dev/null || fail "$t not installed"; done

export TIERPERF_SIM_RATES=200,100
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0"
e2e_sim_work loss tpl

topo="$work/tree.yaml"
{
    echo "apiVersion: v1"; echo "kind: List"; echo "items:"
    for leaf in 0 1; do
        cat <<YAML
- apiVersion: topology.volcano.sh/v1alpha1
  kind: HyperNode
  metadata: {name: sim-leaf-$leaf}
  spec:
    tier: 1
    members:
    - {type: Node, selector: {exactMatch: {name: sim-n$((2 * leaf))}}}
    - {type: Node, selector: {exactMatch: {name: sim-n$((2 * leaf + 1))}}}
YAML
    done
    cat <<YAML
- apiVersion: topology.volcano.sh/v1alpha1
  kind: HyperNode
  metadata: {name: sim-spine}
  spec:
    tier: 2
    members:
    - {type: HyperNode, selector: {exactMatch: {name: sim-leaf-0}}}
    - {type: HyperNode, selector: {exactMatch: {name: sim-leaf-1}}}
YAML
} >"$topo"
"$src/scripts/simcluster.sh" up "$topo" >/dev/null

# sim-n1's transmit direction: its rate, but a queue of ten packets (the
# simulated links queue 25 ms): here 25-50% of its segments are resent
ip netns exec "${TIERPERF_SIM_PREFIX}sim-n1" tc qdisc replace dev eth0 root tbf rate 200mbit \
    burst 15000 limit 15000

timeout 240 "$src/scripts/sim-mpirun.sh" "$bin" run --pattern allpairs --transport tcp \
    --topology "$topo" --sizes 64K --duration 1 --warmup 4 --no-lat \
    --timeout 20 --subnet 198.18.0.0/15 --out "$work/run.json" >"$work/run.log" 2>&1 ||
    { cat "$work/run.log" >&2; fail "tierperf run exited with $?"; }

rc=0
"$bin" check "$work/run.json" --profile test-dev --json >"$work/check.json" 2>&1 || rc=$?
[ "$rc" -eq 1 ] || { cat "$work/check.json"; fail "check: exit $rc, want 1 (FAIL)"; }
"$bin" check "$work/run.json" --profile test-dev >"$work/check.txt" 2>&1 || true
cat "$work/check.txt"   # the docs' example (docs/answers.md, Loss)
python3 - "$work/run.json" "$work/check.json" <<'PY' || fail "loss not measured or judged as expected"
import json, sys
rows = json.load(open(sys.argv[1]))["results"]
check = json.load(open(sys.argv[2]))
bw = [r for r in rows if r.get("bw_gbit_s")]
assert bw, "no bandwidth rows"
for r in bw:
    loss = r.get("extra", {}).get("loss", {})
    assert loss.get("source") == "tcp_info" and loss.get("segs_out", 0) > 0, r
    assert "retrans_segs" in loss and "retrans_pct" in loss, r
    print("%s -> %s: %d of %d segments retransmitted (%.3f%%)" % (
        r["src_node"], r["dst_node"], loss["retrans_segs"], loss["segs_out"], loss["retrans_pct"]))
failed = {(p["src"], p["dst"]) for p in check["pairs"] if "loss: retransmits" in p["reason"]}
sends = {(r["src_node"], r["dst_node"]) for r in bw if r["src_node"] == "sim-n1"}
healthy = {(r["src_node"], r["dst_node"]) for r in bw if "sim-n1" not in (r["src_node"], r["dst_node"])}
assert sends and healthy, (sends, healthy)
assert sends <= failed, "pairs sim-n1 sends on not failed: %s" % sorted(sends - failed)
assert not (healthy & failed), "healthy pairs failed: %s" % sorted(healthy & failed)
assert not check["not_applicable"], check["not_applicable"]
print("failed for loss:", sorted(failed))
PY
# the shapes record their flows' loss the same way: alltoall's rows (made
# by the receiver, counted on the sender's socket) and fanout's chain (each
# hop counted by the rank that forwards)
for shape in alltoall fanout; do
    timeout 240 "$src/scripts/sim-mpirun.sh" "$bin" run --pattern "$shape" --transport tcp \
        --topology "$topo" --sizes 256K --size 4M --timeout 20 --subnet 198.18.0.0/15 \
        --out "$work/$shape.json" >"$work/$shape.log" 2>&1 ||
        { cat "$work/$shape.log" >&2; fail "tierperf run --pattern $shape exited with $?"; }
done
python3 - "$work/alltoall.json" "$work/fanout.json" <<'PY' || fail "shapes: loss not recorded per flow"
import json, sys
def pct(r): return r["extra"]["loss"]["retrans_pct"]
def mean(v): return sum(v) / len(v)
a2a, fan = (json.load(open(f))["results"] for f in sys.argv[1:])
for r in a2a + fan:
    assert r.get("extra", {}).get("loss", {}).get("source") == "tcp_info", r
    print("%s %s -> %s (%s): %.3f%% retransmitted" % (r["pattern"], r["src_node"], r["dst_node"],
          r["extra"].get("mode", "exchange"), pct(r)))
# alltoall: the flows sim-n1 sends lose through its queue (its flows in
# lose only acknowledgements); a row holding its reverse flow's loss fails
sent = [pct(r) for r in a2a if r["src_node"] == "sim-n1"]
into = [pct(r) for r in a2a if r["dst_node"] == "sim-n1"]
assert len(sent) == 3 and len(into) == 3, (sent, into)
assert mean(sent) > 10 and mean(sent) > mean(into), (sent, into)
# fanout chain: the hop sim-n1 forwards on is the lossy one; each row
# holds the hop into its reader, from its predecessor
chain = {r["extra"]["chain_position"]: r for r in fan if r["extra"]["mode"] == "chain"}
node = {p: r["dst_node"] for p, r in chain.items()}
node[0] = fan[0]["src_node"]
lossy = [p for p in chain if node[p - 1] == "sim-n1"]
assert len(lossy) == 1, node
assert pct(chain[lossy[0]]) > 10, chain[lossy[0]]
assert all(pct(chain[p]) < pct(chain[lossy[0]]) for p in chain if p != lossy[0]), chain
PY
echo "PASS: test_sim_loss"

#!/usr/bin/env bash
# test_sim_tiers.sh: the simulated cluster end to end.  Builds the 8-node
# 3-tier cluster (scripts/simcluster.sh) under a prefix of its own, runs
# `tierperf run --pattern tiers --transport tcp` through scripts/sim-mpirun.sh
# and checks from the JSON that every tier present was measured, that each
# pair's tier and hypernode are those of the HyperNode tree, that ranks ran on
# the nodes they claim, that no tier's bandwidth exceeds its shaped rate
# (tbf caps it whatever the load: above means the pair did not cross the
# uplinks its tier says) and that bandwidth decreases with tier (the rates
# differ 2.4x and more).  Always tears the cluster down.
#   args: BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/lib.sh" "$@"
topo="$src/topologies/sim-8node-3tier.yaml"
e2e_need_root "network namespaces need root (CI runs as root)"
for t in ip tc mpirun python3; do command -v "$t" >/dev/null || fail "$t not installed"; done

work=$(mktemp -d /tmp/tierperf-simtest.XXXXXX)
# Our own prefix and state: a leftover cluster (or main.sh's) cannot clash.
export TIERPERF_SIM_PREFIX="tpt$$-"
export TIERPERF_SIM_STATE="$work/state"
export TIERPERF_SIM_RATES=600,250,100
export TIERPERF_BIN="$bin"
cleanup() {
    "$src/scripts/simcluster.sh" down >/dev/null 2>&1 || echo "warning: teardown of $TIERPERF_SIM_PREFIX failed" >&2
    left=$(ip netns list | awk '{print $1}' | grep -c "^$TIERPERF_SIM_PREFIX" || true)
    [ "$left" -eq 0 ] || echo "warning: $left namespaces of $TIERPERF_SIM_PREFIX left" >&2
    rm -rf "$work"
}
trap cleanup EXIT

"$src/scripts/simcluster.sh" up "$topo"
# Idempotent: a second up keeps the cluster as it is.
grep -q "already up" <<<"$("$src/scripts/simcluster.sh" up "$topo" 2>&1)" || fail "second up did not find the cluster up"
"$src/scripts/simcluster.sh" status >/dev/null || fail "status after up"
# Launch check: every rank is in its node's namespace with its hostname.
names=$(timeout 60 "$src/scripts/sim-mpirun.sh" sh -c 'echo "$(hostname) $TIERPERF_NODE_NAME"' | sort)
expect=$(for i in 0 1 2 3 4 5 6 7; do echo "sim-n$i sim-n$i"; done)
[ "$names" = "$expect" ] || fail "hostnames through the rsh agent: got [$names]"

"$bin" topo "$topo" --emit sim >"$work/tree.txt"
out="$work/tiers.json"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# Under ASan: LeakSanitizer's exit check matches suppressions frame by
# frame, and frames from the fast (frame-pointer) unwinder that land outside
# every module make it re-read /proc/self/maps each time: minutes per rank
# on a 2-core machine.  Exact unwinding at malloc keeps it to seconds.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0"
timeout 600 "$src/scripts/sim-mpirun.sh" "$bin" run --pattern tiers --transport tcp \
    --topology "$topo" --sizes 4M --duration 2 --warmup 4 --subnet 198.18.0.0/15 --out "$out" ||
    fail "tierperf run under sim-mpirun.sh exited with $?"
[ -s "$out" ] || fail "no results JSON at $out"
python3 "$src/scripts/tier-table.py" "$out" --rates "$TIERPERF_SIM_RATES"

python3 - "$out" "$work/tree.txt" "$TIERPERF_SIM_RATES" <<'EOF'
import json, statistics, sys
out, tree_file, rates_text = sys.argv[1:4]
doc = json.load(open(out))
errors = []
def check(ok, msg):
    if not ok:
        errors.append(msg)

# The tree as simcluster.sh built it.
parent, tier_of, own = {}, {}, {}
for line in open(tree_file):
    w = line.split()
    if w and w[0] == "hypernode":
        tier_of[w[1]] = int(w[2]); parent[w[1]] = None if w[3] == "-" else w[3]
    elif w and w[0] == "node":
        own[w[1]] = w[2]
def chain(n):
    h, c = own[n], []
    while h is not None:
        c.append(h); h = parent[h]
    return c
def lca(a, b):
    cb = set(chain(b))
    return next(h for h in chain(a) if h in cb)
rates = [float(r) for r in rates_text.split(",")]
low = min(tier_of.values())
expected_tiers = sorted({tier_of[lca(a, b)] for a in own for b in own if a != b})

check(doc.get("complete") is True, "complete is not true")
check(doc.get("pattern") == "tiers" and doc.get("transport") == "tcp", "pattern/transport fields")
check(not doc.get("errors"), f"errors[]: {doc.get('errors')}")
hosts = doc.get("hosts") or []
check(sorted(h.get("node") for h in hosts) == sorted(own), f"hosts[].node: {[h.get('node') for h in hosts]}")
for h in hosts:
    check(h.get("hostname") == h.get("node"), f"rank {h.get('rank')}: hostname {h.get('hostname')} != node {h.get('node')}")

by_tier = {}
for r in doc.get("results", []):
    a, b = r.get("src_node"), r.get("dst_node")
    if a not in own or b not in own:
        check(False, f"result with unknown nodes {a} -> {b}"); continue
    h = lca(a, b)
    check(r.get("tier") == tier_of[h], f"{a}->{b}: tier {r.get('tier')}, the tree says {tier_of[h]}")
    check(r.get("hypernode") == h, f"{a}->{b}: hypernode {r.get('hypernode')}, the tree says {h}")
    check(r.get("error") is None, f"{a}->{b}: error {r.get('error')}")
    check((r.get("bw_gbit_s") or 0) > 0, f"{a}->{b}: no bandwidth")
    by_tier.setdefault(r.get("tier"), []).append(r)
check(sorted(by_tier) == expected_tiers, f"tiers measured {sorted(by_tier)}, tiers present {expected_tiers}")

summ = {s["tier"]: s for s in doc.get("tier_summary", []) if s.get("size_bytes") == 4 << 20}
check(sorted(summ) == expected_tiers, f"tier_summary tiers {sorted(summ)}, expected {expected_tiers}")
# TCP payload per 1500-byte frame as tbf counts it (Ethernet 14 + IP/TCP 52
# with timestamps): 1448 / 1514 of the shaped rate.
goodput = 1448 / 1514
medians = []
for t in expected_tiers:
    bws = [r["bw_gbit_s"] for r in by_tier.get(t, [])]
    if not bws:
        continue
    med = statistics.median(bws)
    medians.append(med)
    want = rates[min(t - low, len(rates) - 1)] * goodput / 1000
    print(f"tier {t}: median {med * 1000:.1f} Mbit/s over {len(bws)} pairs, shaped goodput "
          f"{want * 1000:.1f} ({med / want * 100:.1f}%)")
    # tbf caps a tier's path whatever the machine's load: above the cap
    # means the pair did not cross the shaped uplinks its tier says; how
    # far below it is a timing (printed above, and in the main job's table)
    check(0 < med <= want * 1.05,
          f"tier {t}: median {med * 1000:.1f} Mbit/s above the shaped {want * 1000:.1f} (or zero)")
    s = summ.get(t)
    if s:
        check(s.get("pairs") == len(bws), f"tier_summary tier {t}: pairs {s.get('pairs')} != {len(bws)}")
        check(abs(s["bw_gbit_s"]["median"] - med) <= 1e-6 * max(1, med),
              f"tier_summary tier {t}: median {s['bw_gbit_s']['median']} != {med}")
        check(s.get("tier_name") is not None, f"tier_summary tier {t}: tier_name missing")
check(all(a > b for a, b in zip(medians, medians[1:])), f"bandwidth does not decrease with tier: {medians}")
if errors:
    for e in errors:
        print("FAIL:", e, file=sys.stderr)
    sys.exit(1)
EOF
ip netns list | grep -q "^${TIERPERF_SIM_PREFIX}fabric" || fail "fabric namespace vanished during the run"
"$src/scripts/simcluster.sh" down
left=$(ip netns list | awk '{print $1}' | grep "^$TIERPERF_SIM_PREFIX" || true)
[ -z "$left" ] || fail "namespaces left after down: $left"
echo "PASS"

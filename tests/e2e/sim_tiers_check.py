#!/usr/bin/env python3
"""sim_tiers_check.py: checks a `tierperf run --pattern tiers` results file
measured on the simulated cluster (scripts/simcluster.sh) against the tree it
was built from and the rates it was shaped to.  Shared by test_sim_tiers.sh
(mpirun) and test_slurm.sh (srun, sbatch, salloc + mpirun).

  sim_tiers_check.py RESULTS.json TREE.txt RATES --size BYTES
      [--hostname-suffix S] [--slurm KEY=VALUE ...]

TREE.txt is `tierperf topo FILE --emit sim`; RATES the Mbit/s per tier,
lowest first.  Checks: the run is complete without errors; every rank ran on
the node it claims (hostname = node + S); every pair's tier and hypernode are
the tree's; every tier present was measured; at --size no tier's median
bandwidth exceeds its shaped rate (tbf caps it whatever the load: above
means the pair did not cross the uplinks its tier says) and bandwidth
decreases with tier (the rates differ 2.4x and more); every other size has
latency samples.  No timing band: how far below the cap a tier lands depends
on the machine's load.  --slurm KEY=VALUE: the header's slurm object has
that value (KEY=* any non-empty value).
"""
import argparse
import json
import statistics
import sys


def load_tree(path):
    parent, tier_of, own = {}, {}, {}
    with open(path) as f:
        for line in f:
            w = line.split()
            if w and w[0] == "hypernode":
                tier_of[w[1]] = int(w[2])
                parent[w[1]] = None if w[3] == "-" else w[3]
            elif w and w[0] == "node":
                own[w[1]] = w[2]
    return parent, tier_of, own


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("tree")
    ap.add_argument("rates")
    ap.add_argument("--size", type=int, required=True)
    ap.add_argument("--hostname-suffix", default="")
    ap.add_argument("--slurm", action="append", default=[])
    a = ap.parse_args()

    doc = json.load(open(a.results))
    parent, tier_of, own = load_tree(a.tree)
    errors = []

    def check(ok, msg):
        if not ok:
            errors.append(msg)

    def chain(n):
        h, c = own[n], []
        while h is not None:
            c.append(h)
            h = parent[h]
        return c

    def lca(x, y):
        cy = set(chain(y))
        return next(h for h in chain(x) if h in cy)

    rates = [float(r) for r in a.rates.split(",")]
    low = min(tier_of.values())
    expected_tiers = sorted({tier_of[lca(x, y)] for x in own for y in own if x != y})

    check(doc.get("complete") is True, "complete is not true")
    check(doc.get("pattern") == "tiers" and doc.get("transport") == "tcp", "pattern/transport fields")
    check(not doc.get("errors"), f"errors[]: {doc.get('errors')}")
    hosts = doc.get("hosts") or []
    check(sorted(h.get("node") for h in hosts) == sorted(own), f"hosts[].node: {[h.get('node') for h in hosts]}")
    for h in hosts:
        want = f"{h.get('node')}{a.hostname_suffix}"
        check(h.get("hostname") == want, f"rank {h.get('rank')}: hostname {h.get('hostname')}, expected {want}")

    by_tier = {}
    sizes = set()
    for r in doc.get("results", []):
        x, y = r.get("src_node"), r.get("dst_node")
        if x not in own or y not in own:
            check(False, f"result with unknown nodes {x} -> {y}")
            continue
        h = lca(x, y)
        sizes.add(r.get("size_bytes"))
        check(r.get("tier") == tier_of[h], f"{x}->{y}: tier {r.get('tier')}, the tree says {tier_of[h]}")
        check(r.get("hypernode") == h, f"{x}->{y}: hypernode {r.get('hypernode')}, the tree says {h}")
        check(r.get("error") is None, f"{x}->{y}: error {r.get('error')}")
        check((r.get("bw_gbit_s") or 0) > 0, f"{x}->{y}: no bandwidth")
        if r.get("size_bytes") == a.size:
            by_tier.setdefault(r.get("tier"), []).append(r)
        else:
            lat = r.get("lat_us") or {}
            check((lat.get("samples") or 0) > 0 and (lat.get("p50") or 0) > 0,
                  f"{x}->{y} {r.get('size_bytes')} B: no latency samples")
    check(a.size in sizes, f"no result at --size {a.size}: sizes {sorted(s for s in sizes if s)}")
    check(sorted(by_tier) == expected_tiers, f"tiers measured {sorted(by_tier)}, tiers present {expected_tiers}")

    summ = {s["tier"]: s for s in doc.get("tier_summary", []) if s.get("size_bytes") == a.size}
    check(sorted(summ) == expected_tiers, f"tier_summary tiers {sorted(summ)}, expected {expected_tiers}")
    # TCP payload per 1500-byte frame as tbf counts it (Ethernet 14 + IP/TCP
    # 52 with timestamps): 1448 / 1514 of the shaped rate.
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
        check(0 < med <= want * 1.05,
              f"tier {t}: median {med * 1000:.1f} Mbit/s above the shaped {want * 1000:.1f} (or zero)")
        s = summ.get(t)
        if s:
            check(s.get("pairs") == len(bws), f"tier_summary tier {t}: pairs {s.get('pairs')} != {len(bws)}")
            check(abs(s["bw_gbit_s"]["median"] - med) <= 1e-6 * max(1, med),
                  f"tier_summary tier {t}: median {s['bw_gbit_s']['median']} != {med}")
            check(s.get("tier_name") is not None, f"tier_summary tier {t}: tier_name missing")
    check(all(x > y for x, y in zip(medians, medians[1:])), f"bandwidth does not decrease with tier: {medians}")

    slurm = doc.get("slurm")
    for kv in a.slurm:
        key, _, want = kv.partition("=")
        got = slurm.get(key) if isinstance(slurm, dict) else None
        if want == "*":
            check(isinstance(got, str) and got != "", f"slurm.{key}: {got!r}, expected a value")
        else:
            check(got == want, f"slurm.{key}: {got!r}, expected {want!r}")

    if errors:
        for e in errors:
            print(f"FAIL: {a.results}: {e}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()

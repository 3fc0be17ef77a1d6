#!/usr/bin/env python3
"""tier-table.py: print the per-tier table of a tierperf results JSON.

    scripts/tier-table.py RESULTS.json [--rates 600,250,100]

Bandwidth is the largest message size's (Gbit/s = 10^9 bit/s, median over
the tier's pairs, with min..max); latency is the smallest size's half
round trip (median over pairs of each pair's p50 and p99, microseconds).
With --rates (the simulated cluster's Mbit/s per tier, lowest tier first)
it adds the shaped rate and the measured share of it.
"""
import argparse
import json
import statistics
import sys


def per_tier(doc):
    """{tier: {size: [result, ...]}} from results[] (measured entries only)."""
    tiers = {}
    for r in doc.get("results", []):
        if r.get("tier") is None or r.get("error"):
            continue
        tiers.setdefault(r["tier"], {}).setdefault(r["size_bytes"], []).append(r)
    return tiers


def fmt_size(n):
    for unit, k in (("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10)):
        if n >= k and n % k == 0:
            return f"{n // k}{unit}"
    return str(n)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("json")
    ap.add_argument("--rates", help="shaped Mbit/s per tier, lowest tier first")
    a = ap.parse_args()
    try:
        with open(a.json) as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        sys.exit(f"tier-table.py: {a.json}: {e}")
    names = {t["tier"]: t.get("name") for t in (doc.get("topology") or {}).get("tiers", [])}
    tiers = per_tier(doc)
    if not tiers:
        sys.exit(f"tier-table.py: {a.json}: no measured pairs with a tier")
    rates = [float(x) for x in a.rates.split(",")] if a.rates else None
    low = min(names) if names else min(tiers)
    head = f"{'tier':>4}  {'name':<10} {'pairs':>5}  {'size':>5}  {'Gbit/s median':>13}  {'(min..max)':<19}  {'lat p50 us':>10}  {'p99 us':>8}"
    if rates:
        head += f"  {'shaped Mbit/s':>13}  {'% of shaped':>11}"
    print(head)
    for tier in sorted(tiers):
        sizes = tiers[tier]
        big, small = max(sizes), min(sizes)
        bws = [r["bw_gbit_s"] for r in sizes[big] if r.get("bw_gbit_s") is not None]
        lats = [r["lat_us"] for r in sizes[small] if r.get("lat_us")]
        bw = f"{statistics.median(bws):13.3f}" if bws else f"{'-':>13}"
        rng = f"({min(bws):.3f}..{max(bws):.3f})" if bws else ""
        p50 = f"{statistics.median(l['p50'] for l in lats):10.1f}" if lats else f"{'-':>10}"
        p99 = f"{statistics.median(l['p99'] for l in lats):8.1f}" if lats else f"{'-':>8}"
        line = (f"{tier:>4}  {(names.get(tier) or '-'):<10} {len(sizes[big]):>5}  {fmt_size(big):>5}  "
                f"{bw}  {rng:<19}  {p50}  {p99}")
        if rates and tier < low:            # same node: nothing shaped
            line += f"  {'-':>13}  {'-':>11}"
        elif rates:
            rate = rates[min(tier - low, len(rates) - 1)]
            share = f"{100 * statistics.median(bws) * 1000 / rate:10.1f}%" if bws else f"{'-':>11}"
            line += f"  {rate:13.0f}  {share}"
        print(line)
    errs = doc.get("errors") or []
    if errs:
        print(f"{len(errs)} pair(s) failed:")
        for e in errs:
            print(f"  {e.get('src_node')} -> {e.get('dst_node')}: {e.get('message')}")
    if not doc.get("complete", False):
        print("note: the run did not complete; these are the results so far")


if __name__ == "__main__":
    main()

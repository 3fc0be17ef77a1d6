#!/usr/bin/env python3
"""gen_results.py TEMPLATE OUT MEGABYTES: a large, valid results file made
from a real one, for measuring what the answers commands take to read it.

The template's header is kept; hosts[] grows to as many ranks as the rows
need, and results[] is the template's entries (one per size) repeated over distinct
(src, dst) rank pairs with their figures varied a little, written as the
run writes them (tabs), until the file holds about MEGABYTES MB."""
import json
import sys


def main():
    template, out, mbytes = sys.argv[1], sys.argv[2], float(sys.argv[3])
    run = json.load(open(template))
    rows = list({e["size_bytes"]: e for e in run["results"] if e.get("error") is None}.values())
    target = int(mbytes * 1e6)
    # entries of one pair: one per template row; pairs over enough ranks
    per_row = len(json.dumps(rows[0], indent="\t", separators=(",", ":\t")))
    pairs = 2 * target // (per_row * len(rows)) + 1   # twice: rows grow with the ranks
    nranks = 2
    while nranks * (nranks - 1) < pairs:
        nranks += 1
    host = dict(run["hosts"][0])
    run["hosts"] = [dict(host, rank=r, node="n%d" % r, hostname="n%d" % r) for r in range(nranks)]
    run["tier_summary"] = []
    run["errors"] = []
    run["results"] = []
    head = json.dumps(run, indent="\t", separators=(",", ":\t"))
    cut = head.index('"results":\t[]') + len('"results":\t[')
    with open(out, "w") as f:
        f.write(head[:cut])
        written, k, first = cut, 0, True
        while written < target:
            src, dst = divmod(k, nranks - 1)
            dst += dst >= src
            k += 1
            for i, e in enumerate(rows):
                e = dict(e, src_rank=src, dst_rank=dst, src_node="n%d" % src,
                         dst_node="n%d" % dst, tier=(src ^ dst).bit_length() % 4)
                jitter = 1 + ((k * 7 + i) % 13) / 100.0
                for key in ("bw_gbit_s", "bw_gbyte_s", "seconds"):
                    if isinstance(e.get(key), (int, float)):
                        e[key] = round(e[key] * jitter, 6)
                if isinstance(e.get("lat_us"), dict):
                    e["lat_us"] = {n: (round(v * jitter, 3) if n != "samples" else v)
                                   for n, v in e["lat_us"].items()}
                text = ("" if first else ",") + json.dumps(e, indent="\t",
                                                           separators=(",", ":\t"))
                first = False
                f.write(text)
                written += len(text)
        f.write(head[cut:])


if __name__ == "__main__":
    main()

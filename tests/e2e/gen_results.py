#!/usr/bin/env python3
"""gen_results.py TEMPLATE OUT MEGABYTES: a large, valid results file made
from a real one, for measuring what the answers commands take to read it.

The template's header is kept; hosts[] grows to as many ranks as the rows
need, and results[] is the template's entries (one per size) repeated over
distinct (src, dst) rank pairs with their figures varied a little, written
as the run writes them (tabs), until the file holds about MEGABYTES MB."""
import json
import sys

VARIED = ("bw_gbit_s", "bw_gbyte_s", "seconds")
LAT = ("min", "mean", "p50", "p90", "p99", "p999", "max")


def dumps(obj):
    return json.dumps(obj, indent="\t", separators=(",", ":\t"))


def row_format(e):
    """The entry as a %-format string: ranks, nodes, tier and the varied
    figures are filled in per row (markers replaced after dumping)."""
    e = dict(e, src_rank="@src@", dst_rank="@dst@", src_node="n@src@", dst_node="n@dst@",
             tier="@tier@")
    base = {}
    for key in VARIED:
        if isinstance(e.get(key), (int, float)):
            base[key], e[key] = e[key], "@%s@" % key
    if isinstance(e.get("lat_us"), dict):
        e["lat_us"] = dict(e["lat_us"])
        for key in LAT:
            if isinstance(e["lat_us"].get(key), (int, float)):
                base["lat_" + key], e["lat_us"][key] = e["lat_us"][key], "@lat_%s@" % key
    text = dumps(e).replace("%", "%%")
    for key in ("src", "dst", "tier"):
        text = text.replace('"@%s@"' % key, "%%(%s)d" % key).replace("@%s@" % key, "%%(%s)d" % key)
    for key in base:
        text = text.replace('"@%s@"' % key, "%%(%s).6f" % key)
    return text, base


def main():
    template, out, mbytes = sys.argv[1], sys.argv[2], float(sys.argv[3])
    run = json.load(open(template))
    rows = list({e["size_bytes"]: e for e in run["results"] if e.get("error") is None}.values())
    formats = [row_format(e) for e in rows]
    target = int(mbytes * 1e6)
    per_pair = sum(len(f % dict(b, src=0, dst=0, tier=0)) for f, b in formats)
    pairs = 2 * target // per_pair + 1   # twice: the names grow with the ranks
    nranks = 2
    while nranks * (nranks - 1) < pairs:
        nranks += 1
    host = dict(run["hosts"][0])
    run["hosts"] = [dict(host, rank=r, node="n%d" % r, hostname="n%d" % r) for r in range(nranks)]
    run["tier_summary"], run["errors"], run["results"] = [], [], []
    head = dumps(run)
    cut = head.index('"results":\t[]') + len('"results":\t[')
    with open(out, "w") as f:
        f.write(head[:cut])
        written, k, sep = cut, 0, ""
        while written < target:
            src, dst = divmod(k, nranks - 1)
            dst += dst >= src
            k += 1
            for i, (fmt, base) in enumerate(formats):
                jitter = 1 + ((k * 7 + i) % 13) / 100.0
                vals = {key: v * jitter for key, v in base.items()}
                text = sep + fmt % dict(vals, src=src, dst=dst, tier=(src ^ dst).bit_length() % 4)
                sep = ","
                f.write(text)
                written += len(text)
        f.write(head[cut:])


if __name__ == "__main__":
    main()

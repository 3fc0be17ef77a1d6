#!/usr/bin/env python3
"""gpu-staged-table.py: the staged-TCP table of scripts/gpu-check.sh's report.

Staged TCP (--mem cuda) against the slower of TCP loopback (--mem host)
and the pinned PCIe copy it stages through (the issue's bar is >= 0.9).
  gpu-staged-table.py CUDA_JSON HOST_JSON REF_RUN_LOG   (markdown on stdout)
"""
import json, sys
def bw(path):
    out = {}
    for r in json.load(open(path)).get("results", []):
        if r.get("bw_gbit_s") and not r.get("error"):
            out.setdefault(r["size_bytes"], []).append(r["bw_gbit_s"])
    return {k: sorted(v)[len(v) // 2] for k, v in out.items()}
cuda, host = bw(sys.argv[1]), bw(sys.argv[2])
pcie = {}
for line in open(sys.argv[3]):
    f = line.split()
    if len(f) == 3 and f[0] in ("h2d_pinned", "d2h_pinned") and f[1].isdigit():
        gbit = float(f[2]) * 8
        pcie[int(f[1])] = min(pcie.get(int(f[1]), gbit), gbit)
print("| bytes | TCP --mem cuda Gbit/s | TCP --mem host Gbit/s | PCIe pinned Gbit/s | ratio to slower |")
print("|---:|---:|---:|---:|---:|")
for size in sorted(cuda):
    p = max((b for b in pcie if b <= size), default=None)
    ceiling = [x for x in (host.get(size), pcie.get(p) if p else None) if x]
    ratio = cuda[size] / min(ceiling) if ceiling else 0
    print(f"| {size} | {cuda[size]:.2f} | {host.get(size, 0):.2f} | {pcie.get(p, 0) if p else 0:.2f} | {ratio:.2f} |")

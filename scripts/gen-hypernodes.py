#!/usr/bin/env python3
"""gen-hypernodes.py: write a synthetic Volcano HyperNode tree (and the
matching `kubectl get nodes -o yaml` list) for scale tests of `tierperf topo`.

N nodes named PREFIX-<leaf>-<k> sit in leaf HyperNodes of LEAF_SIZE nodes at
tier 1; each higher tier groups FANOUT HyperNodes of the tier below, up to
tier T.  FANOUT defaults to the smallest value that leaves one HyperNode at
tier T.  Leaves select their nodes by exactMatch (one member per node) or
regexMatch (one anchored pattern per leaf, which needs the nodes file to
know the names).  Output is a kubectl `kind: List` or multi-document YAML.

  scripts/gen-hypernodes.py --nodes 10000 --tiers 4 -o hn.yaml
  scripts/gen-hypernodes.py --nodes 1000 --tiers 3 --form regex \\
      --nodes-out nodes.yaml -o hn.yaml
"""
import argparse
import math
import zlib
import sys


def fanout_for(leaves, tiers):
    if tiers <= 1 or leaves <= 1:
        return 2
    f = max(2, math.ceil(leaves ** (1.0 / (tiers - 1))))
    while f > 2 and math.ceil(leaves / (f - 1) ** (tiers - 1)) <= 1:
        f -= 1                      # ceil() of a float root may overshoot
    return f


def node_with_status(n):
    """One Node item shaped like `kubectl get nodes -o yaml` output: labels
    before name (kubectl sorts keys), annotations, spec, and a status with
    conditions, addresses, capacity, nodeInfo and a list of images."""
    images = "".join(
        f"    - names:\n      - registry.example.com/team/image-{i}@sha256:{i:064x}\n"
        f"      - registry.example.com/team/image-{i}:v1.{i}.0\n      sizeBytes: {100000000 + i * 7919}\n"
        for i in range(24))
    conds = "".join(
        f"    - lastHeartbeatTime: \"2026-11-23T10:00:00Z\"\n      lastTransitionTime: \"2026-11-01T10:00:00Z\"\n"
        f"      message: kubelet has no {c.lower()}\n      reason: Kubelet{c}\n      status: \"False\"\n"
        f"      type: {c}\n"
        for c in ("MemoryPressure", "DiskPressure", "PIDPressure"))
    return (f"- apiVersion: v1\n  kind: Node\n  metadata:\n    annotations:\n"
            f"      node.alpha.kubernetes.io/ttl: \"0\"\n"
            f"      volumes.kubernetes.io/controller-managed-attach-detach: \"true\"\n"
            f"    creationTimestamp: \"2026-11-01T10:00:00Z\"\n    labels:\n"
            f"      beta.kubernetes.io/arch: amd64\n      beta.kubernetes.io/os: linux\n"
            f"      kubernetes.io/arch: amd64\n      kubernetes.io/hostname: {n}\n      kubernetes.io/os: linux\n"
            f"      nvidia.com/gpu.product: NVIDIA-H100-80GB-HBM3\n    name: {n}\n"
            f"    resourceVersion: \"123456\"\n    uid: 0b6e4a1c-{zlib.crc32(n.encode()):012d}\n"
            f"  spec:\n    podCIDR: 10.244.0.0/24\n  status:\n    addresses:\n"
            f"    - address: 198.18.0.1\n      type: InternalIP\n    - address: {n}\n      type: Hostname\n"
            f"    allocatable: {{cpu: \"128\", memory: 2113412Mi, nvidia.com/gpu: \"8\", pods: \"110\"}}\n"
            f"    capacity: {{cpu: \"128\", memory: 2113512Mi, nvidia.com/gpu: \"8\", pods: \"110\"}}\n"
            f"    conditions:\n{conds}    images:\n{images}"
            f"    nodeInfo: {{architecture: amd64, containerRuntimeVersion: \"containerd://1.7.13\", "
            f"kernelVersion: 6.1.0-18-amd64, kubeletVersion: v1.30.2, operatingSystem: linux, "
            f"osImage: Debian GNU/Linux 12 (bookworm)}}\n")


def hypernode(name, tier, tier_name, members, indent):
    """members: (type, selector kind, value) tuples.  indent: '' or '  '."""
    p = indent
    out = [
        f"{p}apiVersion: topology.volcano.sh/v1alpha1\n",
        f"{p}kind: HyperNode\n",
        f"{p}metadata:\n",
        f"{p}  name: {name}\n",
        f"{p}spec:\n",
        f"{p}  tier: {tier}\n",
    ]
    if tier_name:
        out.append(f"{p}  tierName: {tier_name}\n")
    out.append(f"{p}  members:\n")
    for mtype, kind, value in members:
        if kind == "exact":
            sel = f"exactMatch: {{name: {value}}}"
        else:
            sel = f'regexMatch: {{pattern: "{value}"}}'
        out.append(f"{p}  - type: {mtype}\n{p}    selector:\n{p}      {sel}\n")
    return "".join(out)


def build(args):
    """Yields (name, tier, members) parents after children, and node names."""
    width = len(str(max(args.nodes - 1, 1)))
    leaves = math.ceil(args.nodes / args.leaf_size)
    lw = len(str(max(leaves - 1, 1)))
    fan = args.fanout or fanout_for(leaves, args.tiers)
    nodes = []
    level = []                      # names of the HyperNodes of the tier below
    objs = []
    for leaf in range(leaves):
        lo = leaf * args.leaf_size
        hi = min(args.nodes, lo + args.leaf_size)
        names = [f"{args.prefix}-{leaf:0{lw}d}-{k:0{width}d}" for k in range(lo, hi)]
        nodes += names
        name = f"{args.prefix}-t1-{leaf:0{lw}d}"
        if args.form == "exact":
            members = [("Node", "exact", n) for n in names]
        else:
            members = [("Node", "regex", f"^{args.prefix}-{leaf:0{lw}d}-[0-9]+$")]
        objs.append((name, 1, members))
        level.append(name)
    for tier in range(2, args.tiers + 1):
        groups = math.ceil(len(level) / fan)
        gw = len(str(max(groups - 1, 1)))
        nxt = []
        for g in range(groups):
            kids = level[g * fan:(g + 1) * fan]
            name = f"{args.prefix}-t{tier}-{g:0{gw}d}"
            objs.append((name, tier, [("HyperNode", "exact", k) for k in kids]))
            nxt.append(name)
        level = nxt
    return objs, nodes


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--nodes", type=int, required=True, help="number of nodes N")
    ap.add_argument("--tiers", type=int, default=4, help="number of tiers T (default 4)")
    ap.add_argument("--leaf-size", type=int, default=32, help="nodes per tier-1 HyperNode (default 32)")
    ap.add_argument("--fanout", type=int, default=0,
                    help="children per HyperNode above tier 1 (default: one root at tier T)")
    ap.add_argument("--form", choices=["exact", "regex"], default="exact",
                    help="how leaves select nodes (default exact)")
    ap.add_argument("--layout", choices=["list", "multidoc"], default="list",
                    help="kubectl kind: List (default) or documents separated by ---")
    ap.add_argument("--prefix", default="n", help="name prefix (default n)")
    ap.add_argument("--tier-names", action="store_true", help="set spec.tierName to tier-<k>")
    ap.add_argument("--nodes-out", help="also write `kubectl get nodes -o yaml` for the nodes")
    ap.add_argument("--node-status", action="store_true",
                    help="give each Node in --nodes-out the annotations, labels and status (conditions, "
                         "images, nodeInfo) a real cluster's node list carries (~6 KB a node)")
    ap.add_argument("-o", "--output", default="-", help="output file (default stdout)")
    args = ap.parse_args()
    if args.nodes < 1 or args.tiers < 1 or args.leaf_size < 1 or args.fanout < 0 or args.fanout == 1:
        ap.error("--nodes, --tiers and --leaf-size must be >= 1; --fanout 0 (auto) or >= 2")
    objs, nodes = build(args)
    out = sys.stdout if args.output == "-" else open(args.output, "w")
    form = "exactMatch" if args.form == "exact" else "regexMatch"
    out.write(f"# gen-hypernodes.py: {args.nodes} nodes, {args.tiers} tiers, "
              f"{len(objs)} HyperNodes, leaves by {form}\n")
    if args.layout == "list":
        out.write("apiVersion: v1\nkind: List\nitems:\n")
    for i, (name, tier, members) in enumerate(objs):
        tn = f"tier-{tier}" if args.tier_names else None
        if args.layout == "list":
            text = hypernode(name, tier, tn, members, "  ")
            out.write("- " + text[2:])
        else:
            if i:
                out.write("---\n")
            out.write(hypernode(name, tier, tn, members, ""))
    if out is not sys.stdout:
        out.close()
    if args.nodes_out:
        with open(args.nodes_out, "w") as f:
            f.write("apiVersion: v1\nkind: List\nitems:\n")
            for n in nodes:
                if args.node_status:
                    f.write(node_with_status(n))
                else:
                    f.write(f"- apiVersion: v1\n  kind: Node\n  metadata:\n    name: {n}\n"
                            f"    labels: {{kubernetes.io/hostname: {n}}}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

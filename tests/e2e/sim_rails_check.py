#!/usr/bin/env python3
"""sim_rails_check.py: checks a `tierperf run --pattern rails --ifaces auto`
results file measured on the two-rail simulated cluster
(scripts/simcluster.sh up --rails 2 topologies/sim-2node-rails.yaml).

  sim_rails_check.py RESULTS.json RAIL_MBIT CROSS_MBIT [CHECK.json]

Checks: complete, no errors; every row names both NICs (interface eth<rail>,
rail index, 2 rails) and says same/cross rail truly; round 0 holds both
same-rail pairs (rail 0 and rail 1 of the node pair, at once) and the later
round the cross-rail pairs; no same-rail pair exceeds its rail's shaped rate
and no cross-rail pair the rate of the link between the rails (tbf caps
them whatever the load: above means the traffic did not take its rail); a
node's same-rail sum stays below two rails' rate; same-rail pairs beat
cross-rail pairs (the rates differ 4x).  No timing band otherwise.
CHECK.json (`tierperf check --json` with a per-NIC threshold above the
shaped rate): its per-rail rows are the rows' medians (each NIC of both
nodes, same and cross rail), every same-rail NIC FAILs it, and its per-node
sums are the same-rail round's sum.
"""
import json
import sys

PAYLOAD = 1448 / 1514       # TCP payload per shaped Ethernet frame
SLACK = 1.05                # tbf's burst lets a short window run a bit over


def check_json(doc, rows, node_sum, check):
    check(doc.get("result") == "FAIL", "check: result %s, expected FAIL" % doc.get("result"))
    tables = doc.get("rails") or {}
    nics = tables.get("rails") or []
    check(len(nics) == 8, "check: %d per-rail rows, expected 8 (2 nodes x 2 rails x same/cross)"
          % len(nics))
    for n in nics:
        want = [r["bw_gbit_s"] for r in rows
                if r["src_node" if n["direction"] == "tx" else "dst_node"] == n["node"]
                and r["src_nic" if n["direction"] == "tx" else "dst_nic"]["rail"] == n["rail"]
                and r["rail_pair"] == n["rail_pair"]]
        check(len(want) == 1 and abs(want[0] - n["bw_gbit_s"]) < 1e-9,
              "check: per-rail row %s is not its pair's rate %s" % (n, want))
        check((n.get("verdict") == "FAIL") == (n["rail_pair"] == "same"),
              "check: NIC %s rail %d (%s): verdict %s" % (n["node"], n["rail"], n["rail_pair"],
                                                         n.get("verdict")))
    nodes = tables.get("nodes") or []
    check(len(nodes) == 2, "check: %d per-node rows, expected 2" % len(nodes))
    for n in nodes:
        check(n["rails"] == 2 and abs(n["bw_gbit_s"] - node_sum) < 1e-9,
              "check: node %s sum %s over %s rails, rows say %.6f over 2"
              % (n["node"], n["bw_gbit_s"], n["rails"], node_sum))


def main():
    doc = json.load(open(sys.argv[1]))
    rail, cross = float(sys.argv[2]) / 1000, float(sys.argv[3]) / 1000
    errors = []

    def check(ok, msg):
        if not ok:
            errors.append(msg)

    check(doc.get("complete") is True, "run not complete")
    check(not doc.get("errors"), "errors: %s" % doc.get("errors"))
    rows = [r for r in doc["results"] if r.get("bw_gbit_s") is not None]
    check(len(rows) == 4, "expected 4 bandwidth rows (2 same-rail, 2 cross-rail), got %d" % len(rows))
    same = []
    for r in rows:
        s, d = r.get("src_nic") or {}, r.get("dst_nic") or {}
        for end, n in (("src", s), ("dst", d)):
            check(n.get("rails") == 2 and n.get("rail") in (0, 1),
                  "rank %d: %s_nic %s has no rail of 2" % (r["src_rank"], end, n))
            check(n.get("interface") == "eth%s" % n.get("rail"),
                  "rank %d: %s_nic %s: rail and interface disagree" % (r["src_rank"], end, n))
        kind = "same" if s.get("rail") == d.get("rail") else "cross"
        check(r.get("rail_pair") == kind, "pair %d->%d: rail_pair %s, NICs say %s"
              % (r["src_rank"], r["dst_rank"], r.get("rail_pair"), kind))
        check((r["round"] == 0) == (kind == "same"),
              "pair %d->%d (%s rail) in round %d" % (r["src_rank"], r["dst_rank"], kind, r["round"]))
        cap = (rail if kind == "same" else cross) * PAYLOAD * SLACK
        check(r["bw_gbit_s"] <= cap, "pair %d->%d (%s rail): %.3f Gbit/s above the shaped %.3f"
              % (r["src_rank"], r["dst_rank"], kind, r["bw_gbit_s"], cap))
        if kind == "same":
            same.append(r)
    rails_used = sorted(r["src_nic"]["rail"] for r in same)
    check(rails_used == [0, 1], "same-rail round used rails %s, expected [0, 1]" % rails_used)
    node_sum = sum(r["bw_gbit_s"] for r in same)
    check(node_sum <= 2 * rail * PAYLOAD * SLACK, "node sum %.3f Gbit/s above two rails" % node_sum)
    xs = [r["bw_gbit_s"] for r in rows if r.get("rail_pair") == "cross"]
    if same and xs:
        check(min(r["bw_gbit_s"] for r in same) > max(xs),
              "same-rail pairs (%s) not faster than cross-rail ones (%s)"
              % ([r["bw_gbit_s"] for r in same], xs))
    print("node sum over rails %.3f Gbit/s (2 x %.3f shaped)" % (node_sum, rail))
    if len(sys.argv) > 4:
        check_json(json.load(open(sys.argv[4])), rows, node_sum, check)
    for e in errors:
        print("FAIL: %s" % e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())

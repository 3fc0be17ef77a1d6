#!/usr/bin/env python3
"""run_json_check.py: assert a `tierperf run` results file holds what
docs/results-schema.md promises.  Used by test_loopback_run.sh.

  run_json_check.py FILE --ranks N --pattern P --transport T --sizes S1,S2
                    [--pairs a-b,c-d] [--verify] [--stream BYTES,RING]
                    [--bidir] [--tiers 2,3] [--failed a-b] [--no-lat]
"""
import argparse
import json
import os
import stat
import sys


def fail(msg):
    print("FAIL: %s: %s" % (ARGS.file, msg), file=sys.stderr)
    sys.exit(1)


def need(cond, msg):
    if not cond:
        fail(msg)


def pairs_of(text):
    return {tuple(int(x) for x in p.split("-")) for p in text.split(",") if p}


def check_top(d):
    for k in ("schema_version", "tool", "version", "command_line", "start_time", "end_time",
              "complete", "transport", "mem", "pattern", "options", "hosts", "environment",
              "topology", "results", "tier_summary", "errors"):
        need(k in d, "top-level field %s missing" % k)
    need(d["schema_version"] == 1, "schema_version %r" % d["schema_version"])
    need(d["tool"] == "tierperf", "tool %r" % d["tool"])
    need(d["command_line"].startswith("tierperf run"), "command_line %r" % d["command_line"])
    need(d["complete"] is True, "run not complete")
    need(d["transport"] == ARGS.transport, "transport %r" % d["transport"])
    need(d["mem"] == "host", "mem %r" % d["mem"])
    need(d["pattern"] == ARGS.pattern, "pattern %r" % d["pattern"])
    need(d["start_time"] <= d["end_time"], "end before start")
    hosts = d["hosts"]
    need(len(hosts) == ARGS.ranks, "%d hosts for %d ranks" % (len(hosts), ARGS.ranks))
    for i, h in enumerate(hosts):
        for k in ("rank", "node", "hostname", "binding", "numa_node", "nic"):
            need(k in h, "hosts[%d].%s missing" % (i, k))
        need(h["rank"] == i, "hosts[%d].rank %r" % (i, h["rank"]))
        need(h["binding"] != "", "hosts[%d] has no CPU binding recorded" % i)
    env = d["environment"]
    for k in ("kernel", "mpi_version", "cpu_model", "links"):
        need(k in env, "environment.%s missing" % k)
    need(env["kernel"].startswith(os.uname().sysname), "kernel %r" % env["kernel"])
    need("MPI" in env["mpi_version"], "mpi_version %r" % env["mpi_version"])
    need(len(env["links"]) == ARGS.ranks, "links[] has %d entries" % len(env["links"]))
    if ARGS.tiers:
        need(isinstance(d["topology"], dict) and d["topology"]["max_tier"] >= 1,
             "topology missing")
    else:
        need(d["topology"] is None, "topology should be null without --topology")


def check_entry(i, r, sizes):
    for k in ("pattern", "src_rank", "dst_rank", "src_node", "dst_node", "tier", "hypernode",
              "size_bytes", "iters", "bytes_total", "seconds", "bw_gbit_s", "bw_gbyte_s",
              "lat_us", "line_rate_gbit", "verify", "error"):
        need(k in r, "results[%d].%s missing" % (i, k))
    need(r["pattern"] == ARGS.pattern, "results[%d].pattern %r" % (i, r["pattern"]))
    need(r["size_bytes"] in sizes, "results[%d].size_bytes %r" % (i, r["size_bytes"]))
    need(r["error"] is None, "results[%d].error %r" % (i, r["error"]))
    need(r["iters"] > 0, "results[%d].iters %r" % (i, r["iters"]))
    need(r["seconds"] > 0, "results[%d].seconds %r" % (i, r["seconds"]))
    need(r["bw_gbit_s"] > 0, "results[%d] bandwidth %r" % (i, r["bw_gbit_s"]))
    bw = r["bytes_total"] * 8 / r["seconds"] / 1e9
    need(abs(bw - r["bw_gbit_s"]) <= 1e-6 * bw, "bw_gbit_s %r is not bytes/seconds %r"
         % (r["bw_gbit_s"], bw))
    need(abs(r["bw_gbyte_s"] * 8 - r["bw_gbit_s"]) <= 1e-6 * r["bw_gbit_s"], "GB/s != Gbit/s / 8")
    if ARGS.no_lat or ARGS.stream:
        need(r["lat_us"] is None, "results[%d].lat_us should be null" % i)
    else:
        lat = r["lat_us"]
        need(lat is not None, "results[%d].lat_us null" % i)
        order = [lat[k] for k in ("min", "p50", "p90", "p99", "p999", "max")]
        need(order == sorted(order), "results[%d] latency not ordered: %r" % (i, lat))
        need(lat["min"] > 0, "results[%d] latency min %r" % (i, lat["min"]))
        need(lat["p50"] <= lat["p99"], "p50 > p99")
        need(lat["min"] <= lat["mean"] <= lat["max"], "mean outside [min, max]")
        need(lat["samples"] >= 1, "no latency samples")
    need(r["verify"] == ("ok" if ARGS.verify else "off"), "results[%d].verify %r"
         % (i, r["verify"]))
    if ARGS.bidir:
        need((r.get("extra") or {}).get("bidir") is True, "extra.bidir missing")
    if ARGS.stream:
        total, ring = (int(x) for x in ARGS.stream.split(","))
        s = (r.get("extra") or {}).get("stream") or {}
        need(s.get("bytes") == total, "stream bytes %r" % s["bytes"])
        need(s["ring_bytes"] == ring, "ring %r, expected %r" % (s["ring_bytes"], ring))
        need(r["bytes_total"] == total * (2 if ARGS.bidir else 1), "bytes_total %r" % r["bytes_total"])
        need(s["time_to_transfer_s"] > 0 and s["windows"] >= 1, "stream timing %r" % s)
        need(0 < s["slowest_window_gbit_s"] <= s["fastest_window_gbit_s"], "windows %r" % s)


def main():
    path = ARGS.file
    need(os.path.exists(path), "no results file")
    need(not os.path.exists(path + ".journal.jsonl"), "journal left behind after a complete run")
    mode = stat.S_IMODE(os.stat(path).st_mode)
    need(mode & 0o002 == 0, "results file is world-writable (%o)" % mode)
    d = json.load(open(path))
    check_top(d)
    sizes = [int(s) for s in ARGS.sizes.split(",")]
    failed = pairs_of(ARGS.failed or "")
    good = [r for r in d["results"] if (r["src_rank"], r["dst_rank"]) not in failed]
    for i, r in enumerate(good):
        check_entry(i, r, sizes)
    measured = {}
    for r in good:
        measured.setdefault((r["src_rank"], r["dst_rank"]), set()).add(r["size_bytes"])
    want = pairs_of(ARGS.pairs) if ARGS.pairs else None
    if want is not None:
        want -= failed
        need(set(measured) == want, "pairs measured %s, expected %s"
             % (sorted(measured), sorted(want)))
    for p, got in measured.items():
        need(got == set(sizes), "pair %s measured sizes %s, expected %s" % (p, sorted(got), sizes))
    if ARGS.tiers:
        want_tiers = {int(t) for t in ARGS.tiers.split(",")}
        got_tiers = {r["tier"] for r in good}
        need(got_tiers == want_tiers, "tiers %s, expected %s" % (got_tiers, want_tiers))
        for r in good:
            need(r["hypernode"] is not None, "tier %s entry without hypernode" % r["tier"])
        summ = {(t["tier"], t["size_bytes"]) for t in d["tier_summary"]}
        need({(t, s) for t in want_tiers for s in sizes} <= summ, "tier_summary incomplete")
    else:
        need(all(r["tier"] is None for r in good), "tier should be null without topology")
    if failed:
        errs = {(e["src_rank"], e["dst_rank"]) for e in d["errors"]}
        need(failed <= errs, "errors[] %s lacks the failed pairs %s" % (errs, failed))
        for e in d["errors"]:
            need(e["message"] and "\n" not in e["message"], "error message %r" % e["message"])
    else:
        need(d["errors"] == [], "errors[]: %r" % d["errors"])
    print("ok: %s: %d entries" % (os.path.basename(path), len(d["results"])))


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--ranks", type=int, required=True)
    ap.add_argument("--pattern", required=True)
    ap.add_argument("--transport", required=True)
    ap.add_argument("--sizes", required=True)
    ap.add_argument("--pairs")
    ap.add_argument("--verify", action="store_true")
    ap.add_argument("--bidir", action="store_true")
    ap.add_argument("--no-lat", action="store_true")
    ap.add_argument("--stream")
    ap.add_argument("--tiers")
    ap.add_argument("--failed")
    ARGS = ap.parse_args()
    main()

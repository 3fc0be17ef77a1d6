#!/usr/bin/env python3
"""bench-vs-peers-md.py: results/bench-vs-peers.md and .json from
scripts/bench-vs-peers.sh's measurements.

    scripts/bench-vs-peers-md.py RAW OUT ROUNDS SECS MSG LAT_MSG FACTS FIRST.json VERSION PEERS

RAW: tab-separated lines "tool streams metric value" (tools tierperf,
iperf3, iperf2, sockperf, and tierperf variants "tierperf-1thread" and
"tierperf-sockbuf"); OUT: the path without .md/.json; FACTS: the machine
line of scripts/machine-facts.py; FIRST.json: the results file of the
run's first tierperf run, a `--duration` one (its environment block gives
the CPU count, its options block the batch length).  Prints the tables.
"""
import datetime
import json
import math
import statistics
import sys

raw, out, rounds, secs, msg, lat_msg, facts, first, version, peers = sys.argv[1:]
rows = [line.rstrip("\n").split("\t") for line in open(raw) if line.strip()]
if not any(r[0] == "tierperf" for r in rows if len(r) == 4):
    sys.exit("bench-vs-peers-md.py: %s: no tierperf measurement" % raw)
first_doc = json.load(open(first))
cpus = first_doc.get("environment", {}).get("cpus_online") or "?"
# the engine's batch length in the --duration runs (a tenth of --duration, 0.05 to 1 s)
batch_s = first_doc.get("options", {}).get("batch_target_s") or 0.05


def vals(tool, streams, metric):
    return [float(v) for t, s, m, v in rows if t == tool and s == str(streams) and m == metric]


def spread(v):
    m = statistics.median(v)
    return (max(v) - min(v)) / m if m else 0.0


def fmt(v):   # 3 significant digits, never in scientific notation
    if not v:
        return "0"
    return "%.*f" % (max(0, 2 - int(math.floor(math.log10(abs(v))))), v)


def listed(v):
    return ", ".join(fmt(x) for x in v)


def throughput():
    tp = []
    for s in (1, 2):
        row = {"streams": s, "msg_size_bytes": int(msg), "target_ratio_min": 0.95 if s == 1 else 1.0}
        for tool in ("tierperf", "tierperf_stream", "iperf3", "iperf2"):
            v = vals(tool.replace("_", "-"), s, "gbit")
            row[tool + "_gbit_s"] = v
            row[tool + "_median_gbit_s"] = statistics.median(v)
            row[tool + "_spread"] = spread(v)
        for peer in ("iperf3", "iperf2"):
            m = row[peer + "_median_gbit_s"]
            row["ratio_" + peer] = row["tierperf_median_gbit_s"] / m if m else None
            row["stream_ratio_" + peer] = row["tierperf_stream_median_gbit_s"] / m if m else None
            # per round: tierperf over the peer measured beside it
            pairs = zip(row["tierperf_gbit_s"], row[peer + "_gbit_s"])
            row["round_ratios_" + peer] = [t / p for t, p in pairs if p]
        tp.append(row)
    return tp


def latency():
    lt = {"msg_size_bytes": int(lat_msg)}
    for tool in ("tierperf", "sockperf"):
        for q in ("p50", "p99"):
            lt["%s_%s_us" % (tool, q)] = vals(tool, 1, q)
        lt[tool + "_median_p50_us"] = statistics.median(lt[tool + "_p50_us"])
    lt["ratio_p50"] = lt["tierperf_median_p50_us"] / lt["sockperf_median_p50_us"]
    lt["target_ratio_max"] = 1.1
    return lt


tp, lt = throughput(), latency()
variants = {"2 streams on one thread (--stream-threads 1)": vals("tierperf-1thread", 2, "gbit"),
            "1 stream, --sockbuf 8M (fixed buffers, the old default)": vals("tierperf-sockbuf", 1, "gbit"),
            "2 streams, --sockbuf 8M": vals("tierperf-sockbuf", 2, "gbit")}
doc = {"benchmark": "bench-vs-peers", "machine": facts,
       "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
       "tierperf": version, "peers": peers, "rounds": int(rounds),
       "seconds_per_measurement": float(secs), "network": "loopback (127.0.0.1)",
       "units": "Gbit/s = 10^9 bit/s; latency one-way = RTT/2 in microseconds",
       "throughput": tp, "latency": lt,
       "tierperf_variants_gbit_s": {k: v for k, v in variants.items() if v}}
with open(out + ".json", "w") as f:
    json.dump(doc, f, indent=2)
    f.write("\n")

md = ["# tierperf TCP vs iperf3, iperf2 and sockperf (loopback)", "",
      "Written by `scripts/bench-vs-peers.sh` from one run; figures are measured, not typed.", "",
      "- Machine: %s (from the tierperf results' environment blocks; a machine shared with "
      "other engineers' jobs, so single figures are noisy: compare the ratios)" % facts,
      "- Date: %s; %s rounds, interleaved, %s s per measurement; medians compared" % (doc["date"], rounds, secs),
      "- Measured: %s, socket buffers autotuned by the kernel (no `--sockbuf`), `--no-bind`" % version,
      "- Peers: %s" % peers,
      "- Units: Gbit/s = 10^9 bit/s; latency is one-way (RTT/2) in microseconds; noise is "
      "the spread over rounds, (max - min) / median", "",
      "| Throughput, %d KiB messages | tierperf Gbit/s | iperf3 Gbit/s | iperf2 Gbit/s | "
      "ratio to iperf3 | ratio to iperf2 | target | noise tierperf / iperf3 / iperf2 |" % (int(msg) // 1024),
      "|---|---|---|---|---|---|---|---|"]
for r in tp:
    md.append("| %d stream(s) | %s | %s | %s | %.2f | %.2f | >= %.2f | %s |" % (
        r["streams"], fmt(r["tierperf_median_gbit_s"]), fmt(r["iperf3_median_gbit_s"]),
        fmt(r["iperf2_median_gbit_s"]), r["ratio_iperf3"], r["ratio_iperf2"], r["target_ratio_min"],
        " / ".join("%.0f%%" % (100 * r[t + "_spread"]) for t in ("tierperf", "iperf3", "iperf2"))))
md += ["", "The figures above are `--duration` runs: timed batches of about %s s (the "
       "engine's: a tenth of `--duration`, 0.05 to 1 s), each ending when the receiver has everything (the pipe "
       "drains between batches). The same " % ("%g" % batch_s) +
       "streams as one continuous transfer (`--size`, about %s s, as iperf's `-t` is one "
       "continuous stream), in the same rounds:" % secs, "",
       "| Streamed, %d KiB messages | tierperf Gbit/s | ratio to iperf3 | ratio to iperf2 | "
       "noise | rounds |" % (int(msg) // 1024), "|---|---|---|---|---|---|"]
md += ["| %d stream(s) | %s | %.2f | %.2f | %.0f%% | %s |" % (
    r["streams"], fmt(r["tierperf_stream_median_gbit_s"]), r["stream_ratio_iperf3"],
    r["stream_ratio_iperf2"], 100 * r["tierperf_stream_spread"], listed(r["tierperf_stream_gbit_s"]))
    for r in tp]
md += ["", "Ratio in each round (tierperf's `--duration` run over the peer run just before it):"]
for r in tp:
    md.append("%d stream(s): to iperf3 %s; to iperf2 %s." % (
        r["streams"], ", ".join("%.2f" % x for x in r["round_ratios_iperf3"]),
        ", ".join("%.2f" % x for x in r["round_ratios_iperf2"])))
md += ["", "| tierperf variant, same rounds | median Gbit/s | rounds |", "|---|---|---|"]
md += ["| %s | %s | %s |" % (k, fmt(statistics.median(v)), listed(v)) for k, v in variants.items() if v]
md += ["", "Both ends run on this host's %s cores: with 2 streams on a thread each, both ranks "
       "together keep four threads busy (iperf2 -P 2 too), so on a machine with fewer cores than "
       "that, one thread per end can be as fast or faster; the threads pay off where each end has "
       "cores of its own (two hosts, or a NIC faster than one core can drive)." % cpus]
md += ["", "| Latency, %s-byte ping-pong | tierperf | sockperf | ratio | target |" % lat_msg,
       "|---|---|---|---|---|",
       "| p50 us | %s | %s | %.2f | <= 1.1 |" % (fmt(lt["tierperf_median_p50_us"]),
                                               fmt(lt["sockperf_median_p50_us"]), lt["ratio_p50"]),
       "| p99 us (median over rounds) | %s | %s | | |" % (
           fmt(statistics.median(lt["tierperf_p99_us"])), fmt(statistics.median(lt["sockperf_p99_us"]))),
       ""]
for r in tp:
    md.append("Per round, %d stream(s), Gbit/s: tierperf %s; iperf3 %s; iperf2 %s." % (
        r["streams"], listed(r["tierperf_gbit_s"]), listed(r["iperf3_gbit_s"]), listed(r["iperf2_gbit_s"])))
md += ["", "Per round, p50 us: tierperf %s; sockperf %s." % (
    listed(lt["tierperf_p50_us"]), listed(lt["sockperf_p50_us"])), ""]
with open(out + ".md", "w") as f:
    f.write("\n".join(md))
print("\n".join(md[10:]))
print("written: %s.md %s.json" % (out, out))

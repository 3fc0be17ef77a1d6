#!/usr/bin/env python3
"""bench-vs-peers-parse.py: one figure from one tool's output, for
scripts/bench-vs-peers.sh.

    scripts/bench-vs-peers-parse.py port
        a free TCP port on 127.0.0.1
    scripts/bench-vs-peers-parse.py iperf3 FILE      (iperf3 -J)
        Gbit/s received, over all streams
    scripts/bench-vs-peers-parse.py iperf2 FILE      (iperf -y C)
        Gbit/s, the client's sum over its streams (the SUM line, id -1)
    scripts/bench-vs-peers-parse.py sockperf FILE    (sockperf ping-pong)
        "p50 p99" one-way microseconds
    scripts/bench-vs-peers-parse.py tierperf-bw FILE   (tierperf results)
        Gbit/s of the first row
    scripts/bench-vs-peers-parse.py tierperf-lat FILE
        "p50 p99" one-way microseconds of the first row

Exit 1 with one line naming the file when it lacks the figure.
"""
import csv
import json
import re
import socket
import sys


def iperf3(path):
    return json.load(open(path))["end"]["sum_received"]["bits_per_second"] / 1e9


def iperf2(path):
    # CSV: date,local,lport,remote,rport,id,interval,bytes,bits_per_second
    rows = [r for r in csv.reader(open(path)) if len(r) >= 9]
    total = [r for r in rows if r[5] == "-1"]
    if not rows:
        raise ValueError("no CSV report line")
    return sum(float(r[8]) for r in (total or rows)) / 1e9


def sockperf(path):
    text = re.sub(r"\x1b\[[0-9;]*m", "", open(path).read())
    p = {k: float(v) for k, v in re.findall(r"percentile (\d+\.\d+) =\s+([\d.]+)", text)}
    return "%s %s" % (p["50.000"], p["99.000"])


def tierperf_bw(path):
    return json.load(open(path))["results"][0]["bw_gbit_s"]


def tierperf_lat(path):
    lat = json.load(open(path))["results"][0]["lat_us"]
    return "%s %s" % (lat["p50"], lat["p99"])


def port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    return s.getsockname()[1]


KINDS = {"iperf3": iperf3, "iperf2": iperf2, "sockperf": sockperf,
         "tierperf-bw": tierperf_bw, "tierperf-lat": tierperf_lat}

if __name__ == "__main__":
    if sys.argv[1:] == ["port"]:
        print(port())
    elif len(sys.argv) == 3 and sys.argv[1] in KINDS:
        try:
            print(KINDS[sys.argv[1]](sys.argv[2]))
        except (OSError, ValueError, KeyError, IndexError, TypeError) as e:
            sys.exit("bench-vs-peers-parse.py: %s: no %s figure (%s: %s)"
                     % (sys.argv[2], sys.argv[1], type(e).__name__, e))
    else:
        sys.exit("usage: bench-vs-peers-parse.py port | %s FILE" % "|".join(KINDS))

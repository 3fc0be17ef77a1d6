#!/usr/bin/env python3
"""verbs_msgrate.py: the "Message rate" section of
results/verbs-vs-perftest.md from the raw outputs of
`scripts/bench-verbs-vs-perftest.sh --msgrate` (tierperf's sweep JSON and
perftest's per-size reports); the rest of the file is kept.

  verbs_msgrate.py OUT_DIR MD SIZES ITERS DEPTH REPS DURATION

perftest_rows() is shared with the script's bandwidth report.

perftest's "BW average[MB/sec]" is in 2^20 bytes/s and its MsgRate in
10^6 messages/s; tierperf's messages/s is its bandwidth over the message
size (every message of a bandwidth point has the full size)."""
import json
import os
import re
import statistics
import sys


def perftest_rows(path):
    """perftest's report rows (numbers only), [] when it has none."""
    rows = []
    try:
        for line in open(path):
            f = line.split()
            if len(f) >= 5 and f[0].isdigit() and f[1].isdigit():
                rows.append([float(x) for x in f[:9] if re.match(r"^[0-9.]+$", x)])
    except OSError:
        pass
    return rows


def perftest_last_row(path):
    rows = perftest_rows(path)
    return rows[-1] if rows and len(rows[-1]) >= 5 else None


def perftest_point(out, op, size, rep):
    """(Gbit/s, messages/s) of one perftest run, or (None, None)."""
    row = perftest_last_row(os.path.join(out, "pt-mr-%s-%d-r%d.out" % (op, size, rep)))
    if row is None or row[3] <= 0:
        return None, None
    return row[3] * 1048576 * 8 / 1e9, row[4] * 1e6


def tierperf_point(out, op, size, rep):
    """(Gbit/s, messages/s) of one tierperf run at one size, or (None,
    None); and its JSON."""
    try:
        d = json.load(open(os.path.join(out, "tp-mr-%s-%d-r%d.json" % (op, size, rep))))
    except (OSError, ValueError):
        return (None, None), None
    for r in d.get("results", []):
        if r.get("error") is None and r.get("bw_gbit_s") and r.get("size_bytes") == size:
            return (r["bw_gbit_s"], r["bw_gbit_s"] * 1e9 / 8 / size), d
    return (None, None), d


def med(values):
    values = [v for v in values if v]
    return statistics.median(values) if values else None


def human(s):
    return "%d KiB" % (s // 1024) if s >= 1024 else "%d B" % s


def fmt(v, f):
    return f % v if v else "failed"


def summary(op, ratios):
    """One line over every size of one op: the paired ratios' median and
    how many reach 0.95."""
    if not ratios:
        return "- %s: no paired runs" % op.upper()
    return ("- %s, all sizes: median of the %d paired ratios %.2fx (quartiles %.2f-%.2f); "
            "%d of them >= 0.95" % (
                op.upper(), len(ratios), statistics.median(ratios),
                statistics.quantiles(ratios, n=4)[0] if len(ratios) > 1 else ratios[0],
                statistics.quantiles(ratios, n=4)[2] if len(ratios) > 1 else ratios[0],
                sum(1 for r in ratios if r >= 0.95)))


def table(out, sizes, reps):
    """The table's rows, one summary line per op, and a tierperf JSON."""
    lines, sums, env = [], [], None
    for op in ("write", "send"):
        every = []
        for s in sizes:
            tp = []
            for r in range(1, reps + 1):
                point, d = tierperf_point(out, op, s, r)
                tp.append(point)
                env = env or d
            pt = [perftest_point(out, op, s, r) for r in range(1, reps + 1)]
            ratios = [a[1] / b[1] for a, b in zip(tp, pt) if a[1] and b[1]]
            every += ratios
            rtxt = "%.2fx" % statistics.median(ratios) if ratios else "n/a"
            rng = "%.2f-%.2f" % (min(ratios), max(ratios)) if ratios else "n/a"
            lines.append("| %s | %s | %s | %s | %s | %s | %s | %s (%d) |" % (
                op.upper(), human(s),
                fmt(med([p[0] for p in tp]), "%.5f"), fmt(med([p[1] for p in tp]), "%.0f"),
                fmt(med([p[0] for p in pt]), "%.5f"), fmt(med([p[1] for p in pt]), "%.0f"),
                rtxt, rng, len(ratios)))
        sums.append(summary(op, every))
    return lines, sums, env


def main():
    out, md, sizes, iters, depth, reps, dur = sys.argv[1:8]
    sizes = [int(s) for s in sizes.split()]
    reps = int(reps)
    lines, sums, env = table(out, sizes, reps)
    head = ("| op | size | tierperf Gbit/s | tierperf messages/s | perftest Gbit/s | "
            "perftest messages/s | tierperf / perftest messages/s (median of paired runs) | "
            "range of the paired ratios (pairs) |\n|---|---|---|---|---|---|---|---|")
    print(head + "\n" + "\n".join(lines) + "\n\n" + "\n".join(sums))
    try:
        params = open(os.path.join(out, "perftest-params.txt")).read().strip()
    except OSError:
        params = ""
    link = env["environment"]["links"][0] if env else {}
    sec = ["", "## Message rate", "",
           "Written by `scripts/bench-verbs-vs-perftest.sh --msgrate` from one run; do not edit "
           "by hand.", "",
           "- Sizes of `ib_write_bw -a` / `ib_send_bw -a` from 2 B to 4 KiB: perftest once per "
           "size with a fixed %s iterations, as `-a` does (`-a` itself would go on to 8 MiB, "
           "minutes per tool under TCG); tierperf one run `--sizes S --duration %s` per size "
           "right beside perftest's at that size; tx depth %s for both, one QP; %d "
           "repetitions, the order of the tools swapped every repetition" % (
               iters, dur, depth, reps),
           "- Both time from the first message posted to the last completion (perftest's "
           "MsgRate and BW average; tierperf's bandwidth, set-up and closing handshakes "
           "left out); tierperf warms up before each point, perftest does not",
           "- Same guest and link as above (%s, %s); both ranks/processes on the one rxe "
           "device" % (link.get("device"), link.get("detail", "").split(";")[0]),
           "- Messages/s: perftest's MsgRate; tierperf's bandwidth over the message size",
           ]
    if os.environ.get("BENCH_RUN_NOTE"):
        sec.append("- Run: %s" % os.environ["BENCH_RUN_NOTE"])
    if params:
        sec.append("- perftest parameters: %s" % "; ".join(
            p.strip(" -|") for p in params.splitlines()))
    sec += ["",
            "Soft-RoCE under TCG: each small message costs the emulated CPUs most of its "
            "time in rxe's kernel code, so the rates are the emulator's, not a NIC's, and "
            "swing with the host's load: with other jobs on the 2-core host (load 3-8) "
            "the same tool at the same size differed by 2-5x from one run to the next, "
            "while with the host otherwise idle the paired ratios of a point stay close "
            "(read each point's range for how steady this run was); slow runs "
            "of either tool come with rxe retransmissions (its `completer_retry_err` and "
            "`duplicate_request` counters, up to dozens per run of either tool) that no "
            "packet loss explains.", "",
            "What made tierperf slower here, and what changed: tierperf times its "
            "bandwidth in batches (50 ms to 1 s: a tenth of --duration), and used to time each around the "
            "call, so the receiver's READY and its closing ACK (a receiver asleep until "
            "the last message wakes it) counted: 12-20% of each batch at 8 B-1 KiB in "
            "this guest (instrumented runs). A WRITE or SEND transfer is now timed from "
            "its first WR posted to its last completion, as perftest times a run; and a "
            "side with WRs of its own in flight keeps polling instead of sleeping on the "
            "completion channel, as perftest's client does (docs/verbs-transport.md). "
            "The bench itself used to set one 40 s tierperf sweep against perftest runs "
            "up to a minute away from it; the tools now run side by side, size by size.",
            "", head] + lines + [""] + sums
    try:
        old = open(md).read()
    except OSError:
        old = "# tierperf verbs vs perftest on soft-RoCE (rxe) in a qemu guest\n"
    if "\n## Message rate" in old:
        old = old[:old.index("\n## Message rate")]
    with open(md, "w") as f:
        f.write(old.rstrip("\n") + "\n" + "\n".join(sec) + "\n")
    print("bench: wrote the message-rate section of %s" % md, file=sys.stderr)


if __name__ == "__main__":
    main()

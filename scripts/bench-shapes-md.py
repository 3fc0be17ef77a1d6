#!/usr/bin/env python3
"""bench-shapes-md.py: results/bench-shapes.md from scripts/bench-shapes.sh's
runs (s1, s20, v1 and, with the simulated cluster, fan JSON files in WORK).

    scripts/bench-shapes-md.py WORK FANOUT_OK(0|1) RATES MACHINE_FACTS
"""
import json, sys, datetime
work, fan_ok, rates, facts = sys.argv[1], sys.argv[2] == "1", sys.argv[3], sys.argv[4]
def one(name):
    return json.load(open(f"{work}/{name}.json"))["results"][0]
s1, s20, v1 = one("s1"), one("s20"), one("v1")
print("# Traffic shapes: streaming overhead and fanout over a shaped uplink\n")
print("Written by `scripts/bench-shapes.sh` from one run; figures are measured, not typed.\n")
print(f"- Machine: {facts} (a shared machine: single figures are noisy)")
print(f"- Date: {datetime.datetime.utcnow().strftime('%Y-%m-%dT%H:%M:%SZ')}")
print("- Units: Gbit/s = 10^9 bit/s; GB = 10^9 bytes\n")
print("## Streaming through a bounded ring (loopback TCP, 4 MiB messages, 64 MiB ring)\n")
print("| transfer | Gbit/s | time s | slowest ~1 s window Gbit/s |")
print("|---|---|---|---|")
for label, r in (("1 GB", s1), ("20 GB", s20), ("1 GB --verify", v1)):
    st = (r.get("extra") or {}).get("stream", {})
    print(f"| {label} | {r['bw_gbit_s']:.3f} | {st.get('time_to_transfer_s', r['seconds']):.1f} | {st.get('slowest_window_gbit_s', 0):.3f} |")
print(f"\n20 GB / 1 GB throughput: **{s20['bw_gbit_s'] / s1['bw_gbit_s']:.2f}x** (target >= 0.95x).  "
      f"Cost of --verify (every byte filled and checked): throughput {v1['bw_gbit_s'] / s1['bw_gbit_s']:.2f}x of the unverified run.\n")
if fan_ok:
    fan = json.load(open(f"{work}/fan.json"))["results"]
    core = float(rates.split(",")[-1]) / 1000
    print("## Fanout over one shaped uplink (simulated cluster)\n")
    print(f"Source sim-n0; readers sim-n4..n7, all behind the {core * 1000:.0f} Mbit/s core uplink; 64 MiB to each reader.\n")
    print("| mode | readers | all done s | aggregate Gbit/s | of the uplink's rate |")
    print("|---|---|---|---|---|")
    for mode in ("star", "chain"):
        rows = [r for r in fan if r["extra"]["mode"] == mode]
        if rows:
            x = rows[0]["extra"]
            print(f"| {mode} | {x['readers']} | {x['all_done_s']:.1f} | {x['aggregate_gbit_s']:.4f} | {x['aggregate_gbit_s'] / core:.2f}x |")
    print("\nStar: every reader's copy crosses the uplink, so the total is bounded by it (target >= 0.9x).  "
          "Chain: the copy crosses the uplink once and is relayed behind it, so the aggregate can exceed the uplink.")
else:
    print("Fanout over a shaped uplink: not measured (needs root for the simulated cluster).")

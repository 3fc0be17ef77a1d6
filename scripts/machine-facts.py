#!/usr/bin/env python3
"""machine-facts.py: the machine a benchmark ran on, from the environment
block tierperf writes into its results files (cpus_online, cpu_model,
memory_bytes, kernel, loadavg; docs/results-schema.md), so benchmark
scripts do not read /proc themselves.

    scripts/machine-facts.py FIRST.json [LAST.json]

Prints one line: "<N>-core <cpu model>, <memory> GiB, <kernel>; load
average at the start of the first run <1 5 15>" (and of the last run when
LAST.json is given).  Exit 1 (one line) when a file is unreadable or has no environment block.
"""
import json
import sys


def env_of(path):
    try:
        with open(path) as f:
            env = json.load(f).get("environment")
    except (OSError, ValueError) as e:
        sys.exit(f"machine-facts.py: {path}: {e}")
    if not isinstance(env, dict):
        sys.exit(f"machine-facts.py: {path}: no environment block")
    return env


def load(env):
    la = env.get("loadavg")
    return " ".join(f"{x:.2f}" for x in la) if la else "unknown"


def main(paths):
    if not 1 <= len(paths) <= 2:
        sys.exit(__doc__.strip().splitlines()[4].strip())
    first = env_of(paths[0])
    cpus = first.get("cpus_online")
    mem = first.get("memory_bytes")
    gib = f"{mem / 2**30:.1f}" if mem else "?"
    line = f"{cpus if cpus else '?'}-core {first.get('cpu_model', '?')}, {gib} GiB, "
    line += f"{first.get('kernel', '?')}; load average at the start of the first run {load(first)}"
    if len(paths) == 2:
        line += f", of the last {load(env_of(paths[1]))}"
    print(line)


if __name__ == "__main__":
    main(sys.argv[1:])

#!/usr/bin/env python3
"""doc-examples.py: rewrite the output in the docs' ```console blocks from the
binary, so every example is real output, never typed by hand.

A block whose first line is "$ tierperf ..." is re-run from the repository
root (the build's tierperf first on PATH, stderr with stdout).  Its output
replaces the block's body; a "# exit status N" line is kept up to date when
the block had one, and a final "..." line (after "| head") is kept.

usage: doc-examples.py [--check] [--build DIR] [--only REGEX] FILE.md...
  --check   change nothing; exit 1 and name the blocks that are out of date
"""
import argparse
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(cmd, build):
    env = dict(os.environ, PATH=os.path.abspath(build) + os.pathsep + os.environ["PATH"],
               COLUMNS="100", TERM="dumb")
    p = subprocess.run(["bash", "-c", cmd], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=60)
    rc = p.returncode
    if "|" in cmd:   # the exit status of tierperf, not of "| head" (nor its SIGPIPE)
        rc = subprocess.run(["bash", "-c", cmd.split("|")[0]], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            timeout=60).returncode
    return p.stdout.decode(), rc


def rewrite(text, build, only):
    out, stale, pos = [], [], 0
    for m in re.finditer(r"```console\n(.*?)```", text, re.S):
        body = m.group(1)
        lines = body.splitlines()
        if not lines or not lines[0].startswith("$ tierperf ") or \
                (only and not re.search(only, lines[0])):
            continue
        cmd = lines[0][2:]
        output, rc = run(cmd, build)
        new = lines[0] + "\n" + output
        if output and not output.endswith("\n"):
            new += "\n"
        if lines[-1] == "...":
            new += "...\n"
        if any(l.startswith("# exit status") for l in lines):
            new += "# exit status %d\n" % rc
        if new != body:
            stale.append(cmd)
        out.append(text[pos:m.start(1)])
        out.append(new)
        pos = m.end(1)
    out.append(text[pos:])
    return "".join(out), stale


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--only")
    ap.add_argument("files", nargs="+")
    a = ap.parse_args()
    bad = 0
    for f in a.files:
        text = open(f).read()
        new, stale = rewrite(text, a.build, a.only)
        for cmd in stale:
            print("%s: out of date: %s" % (f, cmd))
        if stale and a.check:
            bad = 1
        elif new != text:
            open(f, "w").write(new)
    return bad


if __name__ == "__main__":
    sys.exit(main())

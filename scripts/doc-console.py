#!/usr/bin/env python3
"""doc-console.py: regenerate the output in a Markdown file's ```console
blocks by running their commands, so the docs show what the binary prints.

  python3 scripts/doc-console.py docs/answers.md [BUILD_DIR]

A block is regenerated when every "$ " line in it runs `tierperf ...`
(blocks with other commands, e.g. `cat`, are left alone).  Each command
runs in the repository root with BUILD_DIR (default build) first on PATH;
its output (stdout and stderr) replaces the old one.  A "# exit status N"
line after a command is rewritten with tierperf's exit status (the first
command of a pipeline, which gets its whole output); a "..." line after it is kept.
"""
import os
import re
import subprocess
import sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(cmd, build):
    env = dict(os.environ, PATH=os.path.join(root, build) + os.pathsep + os.environ["PATH"])
    first, bar, rest = cmd.partition(" | ")
    # the whole output first, then the filter: tierperf never sees SIGPIPE
    script = f'__o=$({first} 2>&1); __rc=$?; printf "%s\\n" "$__o"'
    script += (f" | {rest}" if bar else "") + '; echo "__RC=$__rc"'
    p = subprocess.run(["bash", "-c", script],
                       cwd=root, env=env, capture_output=True, text=True, timeout=600)
    out = p.stdout
    m = re.search(r"__RC=(\d+)\n?$", out)
    return out[: m.start()], int(m.group(1))


def regen(block, build):
    cmds = [i for i, l in enumerate(block) if l.startswith("$ ")]
    if not cmds or any(not block[i][2:].startswith("tierperf ") for i in cmds):
        return block
    out = []
    for n, i in enumerate(cmds):
        end = cmds[n + 1] if n + 1 < len(cmds) else len(block)
        tail = [l for l in block[i + 1:end] if l.startswith("# exit status") or l == "..."]
        text, rc = run(block[i][2:], build)
        out.append(block[i])
        out.extend(text.rstrip("\n").split("\n") if text.strip() else [])
        for l in tail:
            out.append(f"# exit status {rc}" if l.startswith("# exit status") else l)
    return out


def main():
    path = sys.argv[1]
    build = sys.argv[2] if len(sys.argv) > 2 else "build"
    lines = open(path).read().split("\n")
    res, i = [], 0
    while i < len(lines):
        res.append(lines[i])
        if lines[i].strip() == "```console":
            j = i + 1
            while lines[j].strip() != "```":
                j += 1
            res.extend(regen(lines[i + 1:j], build))
            i = j
            continue
        i += 1
    open(path, "w").write("\n".join(res))


if __name__ == "__main__":
    main()

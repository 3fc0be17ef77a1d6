#!/usr/bin/env python3
"""func-length.py: no C function longer than LIMIT lines (default 80).

Counts the lines of each function body in the project's own C files
(common, transports, topology, bench, answers, report, tests): a body
opens with "{" alone at column 0 after a definition and ends at the next
"}" at column 0, the project's layout (a definition whose "{" is not alone
on its line is an error too, so none escapes the count).  Prints one line per function over the
limit (file:line: name: N lines) and exits 1 when there is any.
  scripts/func-length.py [--limit N] [FILE...]
"""
import glob
import re
import sys

DIRS = ("common", "transports", "topology", "bench/*", "answers", "report", "tests/*")
NAME = re.compile(r"([A-Za-z_]\w*)\s*\(")
DEF_SAME_LINE = re.compile(r"^[A-Za-z_][\w \t\*]*\b[A-Za-z_]\w*\s*\([^;]*\)\s*\{\s*$")


def functions(path):
    """(name, first line, body lines) of each function in path."""
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = f.read().split("\n")
    start = None
    for i, line in enumerate(lines):
        if line == "{" and start is None:
            # the definition's first line: at column 0, with the name
            for j in range(i - 1, max(-1, i - 6), -1):
                head = lines[j]
                if head[:1] not in ("", " ", "\t", "/", "*", "#") and NAME.search(head):
                    start, name = i, NAME.search(head).group(1)
                    break
        elif line.startswith("}") and start is not None:
            yield name, start, i - start - 1
            start = None


def misplaced_braces(path):
    """Lines where a function's "{" shares the definition's line."""
    with open(path, encoding="utf-8", errors="replace") as f:
        for i, line in enumerate(f, 1):
            if DEF_SAME_LINE.match(line):
                yield i


def main(argv):
    limit = 80
    if argv[:1] == ["--limit"]:
        limit, argv = int(argv[1]), argv[2:]
    files = argv or sorted(f for d in DIRS for f in glob.glob(f"{d}/*.c"))
    long = [(f, ln, n, body) for f in files for n, ln, body in functions(f) if body > limit]
    for f, ln, name, body in long:
        print(f"{f}:{ln}: {name}: {body} lines (limit {limit})")
    bad = [(f, ln) for f in files for ln in misplaced_braces(f)]
    for f, ln in bad:
        print(f"{f}:{ln}: a function's '{{' goes on a line of its own (so it is counted)")
    return 1 if long or bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

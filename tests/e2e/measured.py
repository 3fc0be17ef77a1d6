#!/usr/bin/env python3
"""measured.py FILE [ok|all|marked]: one line per measurement in a results
file or its journal (FILE.journal.jsonl), for the fault tests to compare
what was measured before a fault with what was saved after it.

  ok      "src:size" per good measurement (the default)
  all     "src:size" per measurement, failed ones too
  marked  "src:size" per good measurement, "E:src" per failure (failed
          rows, errors[] entries, journalled run errors)

A journal's last line is left out unless it is whole (it may be being
written); a missing file prints nothing."""
import json
import sys


def rows_of(path, mode):
    try:
        text = open(path).read()
    except FileNotFoundError:
        return []
    if not path.endswith(".jsonl"):
        doc = json.loads(text)
        return doc["results"] + (doc.get("errors", []) if mode == "marked" else [])
    rows = []
    for line in text.split("\n")[:-1]:
        try:
            rows.append(json.loads(line))
        except ValueError:
            pass
    if mode == "marked":
        rows = [r.get("run_error", r) for r in rows]
    return rows


def main():
    path = sys.argv[1]
    mode = sys.argv[2] if len(sys.argv) > 2 else "ok"
    for d in rows_of(path, mode):
        if "src_rank" not in d:
            continue
        good = d.get("error") is None and (mode != "marked" or "status" not in d)
        if good or mode == "all":
            print("%d:%d" % (d["src_rank"], d["size_bytes"]))
        elif mode == "marked":
            print("E:%d" % d["src_rank"])


main()

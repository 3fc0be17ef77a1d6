#!/usr/bin/env bash
# test_verify_once.sh: a failed --verify is reported once, by rank 0.  A
# real run over TCP whose receiving rank gets one byte of every large
# read flipped (tests/e2e/corrupt_recv.c, LD_PRELOAD on rank 1 only): the
# pairwise engine (2 sizes) and a shape (alltoall) each write one errors[]
# entry per failed row naming the pair, size, first bad offset and the
# byte received and expected; stderr carries exactly those lines, from
# rank 0, and none from the receiving rank.
#   args: BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/lib.sh" "$@"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
cc -O2 -shared -fPIC -o "$tmp/corrupt.so" "$src/tests/e2e/corrupt_recv.c" -ldl ||
  fail "cannot build the corrupting shim"
# an ASan build wants its runtime first; the shim only calls through
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"

corrupt_run() {   # name args...: a run whose rank 1 receives spoilt data; exits 1
  local name=$1; shift
  local rc=0
  timeout 120 mpirun -np 2 --oversubscribe --bind-to none -x LD_PRELOAD="$tmp/corrupt.so" \
    -x TP_CORRUPT_RANK=1 -x ASAN_OPTIONS "$bin" run --transport tcp --verify \
    --duration 0.02 --lat-iters 20 --timeout 20 "$@" --out "$tmp/$name.json" \
    >"$tmp/$name.out" 2>&1 || rc=$?
  [ "$rc" = 1 ] || { cat "$tmp/$name.out"; fail "$name: exit $rc, want 1 (failed rows)"; }
}

# name what sizes...: the results' errors[] and the log lines agree, once each
check_once() {
  python3 - "$tmp/$1.json" "$tmp/$1.out" "$2" "${@:3}" <<'PY' || fail "$1: see above"
import json, re, sys
path, out, what, sizes = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
run = json.load(open(path))
msgs = [e["message"] for e in run["errors"] if "verify failed" in (e["message"] or "")]
logged = [l.rstrip("\n") for l in open(out) if re.match(r"tierperf\[\d+\]: .*verify failed", l)]
bad = []
if sorted(r["size_bytes"] for r in run["results"] if r["verify"] == "failed") != sorted(map(int, sizes)):
    bad.append("rows failing verify: %s" % [(r["size_bytes"], r["verify"]) for r in run["results"]])
if len(msgs) != len(sizes):
    bad.append("%d verify entries in errors[], want %d: %s" % (len(msgs), len(sizes), msgs))
for size in sizes:
    pat = (r"verify failed: %s 0 \(\S+\) -> 1 \(\S+\), transport tcp, size %s: first bad byte "
           r"at offset \d+ is 0x[0-9a-f]{2}, expected 0x[0-9a-f]{2}$" % (what, size))
    if not any(re.match(pat, m) for m in msgs):
        bad.append("no errors[] entry like %r: %s" % (pat, msgs))
if len(logged) != len(msgs) or any(not l.startswith("tierperf[0]: error: ") for l in logged):
    bad.append("log lines %s, want one per entry, each from rank 0" % logged)
elif sorted(l.split("error: ", 1)[1] for l in logged) != sorted(msgs):
    bad.append("log lines %s differ from errors[] %s" % (logged, msgs))
if bad:
    print(open(out).read()); print("\n".join("FAIL: " + b for b in bad)); sys.exit(1)
print("%s: %d failed verification(s), each reported once by rank 0" % (what, len(msgs)))
PY
}

corrupt_run pairs --sizes 64K,1M
check_once pairs pair 65536 1048576
corrupt_run alltoall --pattern alltoall --sizes 1M
check_once alltoall alltoall 1048576
echo "verify once: ok"

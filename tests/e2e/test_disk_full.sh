#!/usr/bin/env bash
# test_disk_full.sh: a disk that fills mid-run loses nothing it need not.
# The results go to a 4 KiB tmpfs: the journal's header and the first few
# measurements fit, then appends fail (ENOSPC, short writes).  Appends are
# all or nothing, so the journal holds only whole lines; the first failure
# is logged once (not once per measurement); the final file cannot be
# written, yet the table of every size is printed and the error says which
# file holds how many of the measurements; `tierperf report` reads that
# journal without a torn-line warning.  Needs root (mount).
#   args: BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/lib.sh" "$@"
e2e_need_root "mounts a tmpfs"
tmp=$(mktemp -d)
disk="$tmp/disk"
cleanup() {
  umount "$disk" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
mkdir "$disk"
mount -t tmpfs -o size=4k,mode=0755 tmpfs "$disk" || { echo "SKIP: cannot mount a tmpfs"; exit 0; }
out="$disk/r.json"
journal="$out.journal.jsonl"
sizes=(1K 2K 4K 8K 16K 32K 64K 128K)

rc=0
timeout 240 mpirun -np 2 --oversubscribe --bind-to none --mca btl self,vader "$bin" run --transport tcp --if lo \
  --pattern pairs --sizes "$(IFS=,; echo "${sizes[*]}")" --duration 0.05 --lat-iters 10 \
  --timeout 5 --out "$out" >"$tmp/run.out" 2>"$tmp/run.err" || rc=$?
[ "$rc" -ne 124 ] || fail "the run hung on a full disk"
[ "$rc" -eq 1 ] || { cat "$tmp/run.out" "$tmp/run.err"; fail "full disk: exit $rc, expected 1"; }
[ ! -f "$out" ] || fail "a final file was written to a full disk"

# the table of every size, although the file could not be written
for s in "1 KiB" "2 KiB" "4 KiB" "8 KiB" "16 KiB" "32 KiB" "64 KiB" "128 KiB"; do
  grep -Eq " $s +1 " "$tmp/run.out" || { cat "$tmp/run.out"; fail "table lacks the $s row"; }
done

# the journal: whole lines only, some but not all measurements
n=$(python3 - "$journal" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().split("\n")
assert lines[-1] == "", "the journal ends inside a line"
rows = 0
for i, line in enumerate(lines[:-1]):
    d = json.loads(line)          # a torn line fails here
    assert i > 0 or "run_header" in d
    rows += "src_rank" in d
print(rows)
PY
) || { cat "$tmp/run.err"; fail "the journal holds a torn line"; }
[ "$n" -ge 1 ] && [ "$n" -lt ${#sizes[@]} ] ||
  fail "journal holds $n of ${#sizes[@]}: the disk did not fill mid-run, the test tells nothing"

# one line for the failed appends, one for the final file naming the journal
[ "$(grep -c 'r.json.journal.jsonl: write' "$tmp/run.err")" -eq 1 ] ||
  { cat "$tmp/run.err"; fail "the failed appends were not logged exactly once"; }
lost=$(( ${#sizes[@]} - n ))
grep -q "r.json.journal.jsonl holds $n of the ${#sizes[@]} measurement(s) (read it with \`tierperf report\`), the other $lost could not be saved" \
  "$tmp/run.err" || { cat "$tmp/run.err"; fail "the error does not say where the data is"; }

"$bin" report "$journal" >"$tmp/rep.out" 2>"$tmp/rep.err" ||
  { cat "$tmp/rep.err"; fail "report cannot read the journal of a full disk"; }
! grep -q 'torn' "$tmp/rep.out" "$tmp/rep.err" || fail "the journal has a torn line"
grep -q "$n measurements saved" "$tmp/rep.out" || { cat "$tmp/rep.out"; fail "report does not count $n"; }
echo "PASS: disk full after $n of ${#sizes[@]} measurements: journal whole, table printed, data located"

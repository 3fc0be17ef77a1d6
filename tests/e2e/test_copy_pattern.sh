#!/usr/bin/env bash
# test_copy_pattern.sh: `--pattern copy` (intra-node copy bandwidth, the
# tier-0 reference) end to end with the real binary under real mpirun, on
# host memory (the machine this runs on has no GPU):
#  1. two ranks, a three-size sweep, --verify: the JSON holds, for every
#     rank, direction (h2d, d2h, d2d) and size, one entry at tier 0 with
#     src == dst, positive bandwidth whose units agree, verify ok; the
#     tier summary leaves the copies out; `tierperf report` prints them
#     (and --pairs one row per rank, direction and size);
#  2. --iters counts copies exactly; --serial runs the ranks in turn;
#  3. --size does not apply: exit 2 with one line.
#   args: BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$(cd "${1:?usage: test_copy_pattern.sh BUILD_DIR SOURCE_DIR}" && pwd)
bin="$build/tierperf"
fail() { echo "FAIL: $*" >&2; exit 1; }
[ -x "$bin" ] || fail "$bin not built"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
work=$(mktemp -d /tmp/tierperf-copy.XXXXXX)
trap 'rm -rf "$work"' EXIT
mpi=(timeout 300 mpirun --oversubscribe --bind-to none --mca btl self,vader,tcp)

check_json() {  # FILE RANKS SIZES(comma) ITERS(0 = by duration) VERIFY(ok|off)
  python3 - "$@" <<'PY'
import json, sys
path, ranks, iters, verify = sys.argv[1], int(sys.argv[2]), int(sys.argv[4]), sys.argv[5]
sizes = [int(s) for s in sys.argv[3].split(",")]
d = json.load(open(path))
def need(c, msg):
    if not c:
        sys.exit("FAIL: %s (%s)" % (msg, path))
need(d["pattern"] == "copy" and d["complete"] is True, "pattern/complete")
need(d["errors"] == [], "errors: %r" % d["errors"])
need(d["options"]["gpu"] is None, "options.gpu %r without --gpu" % d["options"].get("gpu"))
need(d["tier_summary"] == [], "copies leaked into tier_summary: %r" % d["tier_summary"])
for h in d["hosts"]:
    need(h["gpu"] is None, "host memory but hosts[%d].gpu = %r" % (h["rank"], h["gpu"]))
seen = {}
for r in d["results"]:
    need(r["pattern"] == "copy", "entry of pattern %r" % r["pattern"])
    x = r["extra"]
    key = (r["src_rank"], x["direction"], r["size_bytes"])
    need(key not in seen, "duplicate entry %r" % (key,))
    seen[key] = r
    need(r["src_rank"] == r["dst_rank"] and r["src_node"] == r["dst_node"], "src != dst: %r" % r)
    need(r["tier"] == 0, "tier %r" % r["tier"])
    need(r["error"] is None and r["verify"] == verify, "error/verify: %r" % r)
    need(r["bw_gbit_s"] > 0 and r["bw_gbyte_s"] > 0, "no bandwidth: %r" % r)
    need(abs(r["bw_gbit_s"] - 8 * r["bw_gbyte_s"]) <= 1e-6 * r["bw_gbit_s"], "Gbit/s != 8 GB/s")
    need(r["iters"] > 0 and r["bytes_total"] == r["iters"] * r["size_bytes"], "bytes_total")
    want = r["bytes_total"] * 8 / r["seconds"] / 1e9
    need(abs(r["bw_gbit_s"] - want) <= 1e-6 * want, "bw_gbit_s is not bytes*8/seconds")
    if iters:
        need(r["iters"] == iters, "--iters %d but %d copies" % (iters, r["iters"]))
    need(x["mem"] == "host" and x["staging"] == "pageable", "extra: %r" % x)
want = {(k, dr, s) for k in range(ranks) for dr in ("h2d", "d2h", "d2d") for s in sizes}
need(set(seen) == want, "entries %s, missing %s" % (sorted(seen), sorted(want - set(seen))))
print("ok: %d copy entries" % len(seen))
PY
}

# ---- 1. two ranks, verified sweep
"${mpi[@]}" -np 2 "$bin" run --pattern copy --sizes 4K,64K,1M --duration 0.05 --verify --quiet \
  --out "$work/copy.json" >"$work/run.txt" 2>&1 || { cat "$work/run.txt"; fail "copy run failed"; }
check_json "$work/copy.json" 2 4096,65536,1048576 0 ok || fail "copy.json"
"$bin" report "$work/copy.json" >"$work/report.txt" || fail "report failed"
cat "$work/report.txt"
grep -q "Intra-node copies" "$work/report.txt" || fail "report has no copy section"
for dir in h2d d2h d2d; do
  n=$(grep -Ec "^  $dir .* (4 KiB|64 KiB|1 MiB) +2 " "$work/report.txt" || true)
  [ "$n" -eq 3 ] || fail "report: $n rows for $dir (want one per size, 2 ranks each)"
done
! grep -q "no successful" "$work/report.txt" || fail "report says nothing succeeded"
"$bin" report --pairs "$work/copy.json" >"$work/pairs.txt" || fail "report --pairs failed"
for dir in h2d d2h d2d; do
  n=$(grep -c " copy $dir " "$work/pairs.txt" || true)
  [ "$n" -eq 6 ] || fail "report --pairs: $n '$dir' rows (want 2 ranks x 3 sizes)"
done

# ---- 2. exact counts, and one rank at a time
"${mpi[@]}" -np 2 "$bin" run --pattern copy --sizes 1K,32K --iters 7 --serial --quiet \
  --out "$work/iters.json" >"$work/run2.txt" 2>&1 || { cat "$work/run2.txt"; fail "--iters run failed"; }
check_json "$work/iters.json" 2 1024,32768 7 off || fail "iters.json"

# ---- 3. bad usage
set +e
"${mpi[@]}" -np 1 "$bin" run --pattern copy --size 1G --out "$work/bad.json" >"$work/bad.txt" 2>&1
rc=$?
set -e
[ "$rc" -eq 2 ] || { cat "$work/bad.txt"; fail "--pattern copy --size exited $rc, want 2"; }
grep -q -- "--size does not apply" "$work/bad.txt" || fail "no line naming --size: $(cat "$work/bad.txt")"
[ ! -e "$work/bad.json" ] || fail "a results file for a refused run"
echo PASS

#!/usr/bin/env bash
# test_verbs_guest.sh: the ibverbs transport for real, on soft-RoCE (rxe0)
# in a qemu guest (scripts/guest/run.sh): the verbs unit test with its
# device tests required (TIERPERF_REQUIRE_RDMA=1), then `mpirun -np 2
# tierperf run --transport verbs --verify` for --rdma-op write, read and
# send at small sizes (send with --devices rxe0:1: rows name the NIC and its
# rail), and write with --rdma-cm (QPs connected through
# librdmacm), and the fanout and alltoall traffic shapes with three
# ranks, each results file checked (run_json_check.py plus
# the verbs facts: rdma_op, driver rdma_rxe, line rate, verify ok), and the
# transport conformance suite (tp_conformance --require verbs, the cases
# every transport passes: tests/e2e/test_conformance.sh runs tcp and mpi).  On
# the host: --transport verbs without a device fails with one line.
# Fails with a clear message when the guest cannot boot.
#   args: BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$(cd "${1:?usage: test_verbs_guest.sh BUILD_DIR SOURCE_DIR}" && pwd)
src=$(cd "${2:-.}" && pwd)
fail() { echo "FAIL: $*" >&2; exit 1; }

[ -x "$build/tierperf" ] || fail "$build/tierperf not built"
# (help captured first: grep -q closing the pipe early fails it under pipefail)
help_text=$("$build/tierperf" run --help 2>&1 || true)
if ! grep -qE '^ +verbs ' <<<"$help_text"; then
  fail "this build has no verbs transport (libibverbs-dev/librdmacm-dev missing at configure time?)"
fi
[ -x "$build/test_transport_verbs" ] || fail "$build/test_transport_verbs not built"
[ -x "$build/tp_conformance" ] || fail "$build/tp_conformance not built"
command -v qemu-system-x86_64 >/dev/null ||
  fail "qemu-system-x86_64 missing: run scripts/install-deps.sh guest"

export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
[ -f "$src/tests/lsan.supp" ] && export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$src/tests/lsan.supp:print_suppressions=0}"

# ---- on this host: no RDMA device means one clear line, exit non-zero ----
if [ ! -d /sys/class/infiniband ] || [ -z "$(ls -A /sys/class/infiniband 2>/dev/null)" ]; then
  echo "== host without RDMA: --transport verbs"
  set +e
  # detect_leaks=0: under ASan a rank that fails its transport's init hangs
  # in LeakSanitizer's report of MPI's allocations (any transport)
  out=$(ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
        timeout 120 mpirun -np 2 --oversubscribe --bind-to none -x ASAN_OPTIONS "$build/tierperf" run \
        --transport verbs --sizes 4K --quiet --out "$(mktemp -u)" 2>&1)
  rc=$?
  set -e
  [ $rc -ne 0 ] || fail "--transport verbs without a device exited 0"
  grep -q "verbs: no RDMA device found" <<<"$out" || { echo "$out"; fail "no 'no RDMA device found' line"; }
  [ "$(grep -c 'tierperf\[0\]: error: verbs:' <<<"$out")" -eq 1 ] ||
    { echo "$out"; fail "rank 0 should say it in one line"; }
fi

# ---- in the guest ----
# The guest sees everything read-only (writes land in its tmpfs overlay)
# except the shared work folder $out, so its results go there.
work=$(mktemp -d "$build/verbs-guest.XXXXXX")
trap 'rm -rf "$work"' EXIT
out="$work/g"
mkdir -p "$out"
cat > "$work/guest.sh" <<EOF
set -u
# LeakSanitizer's exit-time check hangs inside this guest (its
# stop-the-world never returns); leaks are checked by the host's tests.
export ASAN_OPTIONS="\${ASAN_OPTIONS:+\$ASAN_OPTIONS:}detect_leaks=0"
export OMPI_MCA_pml=ob1 OMPI_MCA_btl=self,vader,tcp OMPI_MCA_osc=^ucx OMPI_MCA_btl_tcp_if_include=lo
cd "$src"
echo "== unit test (device tests required)"
TIERPERF_REQUIRE_RDMA=1 timeout 400 "$build/test_transport_verbs" --jobs 1 > "$out/unit.log" 2>&1
echo \$? > "$out/unit.rc"
tail -n 3 "$out/unit.log"
# write-cm: the same run with the QPs connected through librdmacm; each
# op with one perftest-like setting changed (checked in the results)
declare -A extra=([write]="--tclass 96 --relaxed-ordering off" [read]="--rd-atomic 4"
                  [send]="--rx-depth 64 --hugepages --devices rxe0:1" [write-cm]="--rdma-cm --qps 2 --tos 32")
for op in write read send write-cm; do
  echo "== tierperf run --rdma-op \$op --verify \${extra[\$op]}"
  timeout 200 mpirun -np 2 --bind-to none -x ASAN_OPTIONS "$build/tierperf" run --transport verbs \
      --rdma-op \${op%-cm} \${extra[\$op]} \
      --verify --sizes 1,4K,64K --duration 0.05 --warmup 16 --lat-iters 100 \
      --timeout 60 --out "$out/run-\$op.json" > "$out/run-\$op.log" 2>&1
  echo \$? > "$out/run-\$op.rc"
  tail -n 4 "$out/run-\$op.log"
done
# traffic shapes: endpoints driven from several threads at once (three
# ranks on the one rxe device): model distribution and all-to-all
echo "== tierperf run --pattern fanout / alltoall over verbs, 3 ranks"
timeout 300 mpirun -np 3 --oversubscribe --bind-to none -x ASAN_OPTIONS "$build/tierperf" run \
    --transport verbs --pattern fanout --size 8M --buffer-size 2M --sizes 256K --verify \
    --timeout 60 --out "$out/shape-fanout.json" > "$out/shape-fanout.log" 2>&1
echo \$? > "$out/shape-fanout.rc"
timeout 300 mpirun -np 3 --oversubscribe --bind-to none -x ASAN_OPTIONS "$build/tierperf" run \
    --transport verbs --pattern alltoall --sizes 64K --verify \
    --timeout 60 --out "$out/shape-alltoall.json" > "$out/shape-alltoall.log" 2>&1
echo \$? > "$out/shape-alltoall.rc"
echo "== conformance suite over verbs"
timeout 300 mpirun -np 2 --bind-to none -x ASAN_OPTIONS "$build/tp_conformance" --transport verbs \
    --require verbs > "$out/conformance.log" 2>&1
echo \$? > "$out/conformance.rc"
grep -E '^(PASS|FAIL|SKIP) ' "$out/conformance.log"
# the port goes down in the middle of a bandwidth phase: the device's
# async event ends the pair with one line naming rxe0 port 1 (not the 60 s
# --duration, not retries as "peer not responding"); then the link comes
# back for nothing else
echo "== port down during a run"
timeout 150 mpirun -np 2 --bind-to none -x ASAN_OPTIONS "$build/tierperf" run --transport verbs \
    --sizes 64K --no-lat --duration 60 --timeout 30 \
    --out "$out/portdown.json" > "$out/portdown.log" 2>&1 &
pid=\$!
# down once data flows (rxe's packet counter moves), not at a guessed time
cnt=/sys/class/infiniband/rxe0/ports/1/hw_counters/sent_pkts
base=\$(cat \$cnt 2>/dev/null || echo 0)
for i in \$(seq 1 240); do
  [ \$(( \$(cat \$cnt 2>/dev/null || echo 0) - base )) -gt 5000 ] && break
  sleep 0.5
done
ip link set veth0 down
down_at=\$(date +%s)
wait \$pid
echo \$? > "$out/portdown.rc"
echo \$(( \$(date +%s) - down_at )) > "$out/portdown.secs"
ip link set veth0 up
EOF

echo "== booting the soft-RoCE guest"
set +e
"$src/scripts/guest/run.sh" --timeout 800 --work "$out" --env LSAN_OPTIONS \
  --env ASAN_OPTIONS --env UBSAN_OPTIONS -- bash "$work/guest.sh"
rc=$?
set -e
[ $rc -ne 97 ] || fail "the soft-RoCE guest did not boot or did not finish (see above)"
[ $rc -eq 0 ] || fail "the guest script exited $rc"

[ -f "$out/unit.rc" ] || fail "the unit test did not run in the guest"
if [ "$(cat "$out/unit.rc")" != 0 ]; then
  cat "$out/unit.log"
  fail "test_transport_verbs failed in the guest (exit $(cat "$out/unit.rc"))"
fi
grep -q "Failing: 0 | Crashing: 0" "$out/unit.log" || { cat "$out/unit.log"; fail "unit test summary"; }
if grep -q "^\[SKIP\].*stream_write" "$out/unit.log"; then fail "device tests skipped in the guest"; fi

for op in write read send write-cm; do
  [ "$(cat "$out/run-$op.rc" 2>/dev/null)" = 0 ] ||
    { cat "$out/run-$op.log" 2>/dev/null; fail "tierperf run ($op) failed in the guest"; }
  python3 "$src/tests/e2e/run_json_check.py" "$out/run-$op.json" --ranks 2 --pattern pairs \
    --transport verbs --sizes 1,4096,65536 --verify || fail "run-$op.json"
  python3 - "$out/run-$op.json" "$op" <<'PY' || fail "run-$op.json: verbs facts"
import json, sys
d = json.load(open(sys.argv[1]))
op = sys.argv[2]
cm = op.endswith("-cm")
assert d["options"]["rdma_op"] == op.replace("-cm", ""), d["options"]["rdma_op"]
assert d["options"]["rdma_cm"] == cm, d["options"]["rdma_cm"]
opts = d["options"]
assert opts["tx_depth"] == 128, opts["tx_depth"]          # verbs' own default
want = {"write": {"tclass": 96, "relaxed_ordering": "off"}, "read": {"rd_atomic": 4},
        "send": {"rx_depth": 64, "hugepages": True}, "write-cm": {"tos": 32}}[op]
for k, v in want.items():
    assert opts[k] == v, (k, opts[k], v)
detail = {"write": ["tclass 96", "strict ordering"], "read": ["reads 4"],
          "send": ["rx depth 64", "huge pages"], "write-cm": ["tx depth 128"]}[op]
for link in d["environment"]["links"]:
    assert link["driver"] == "rdma_rxe", link
    assert link["line_rate_gbit"] > 0 and link["mtu"] >= 256, link
    assert "RoCE v2" in link["detail"] and link["address"] == "198.18.0.1", link
    for w in detail:
        assert w in link["detail"], (w, link["detail"])
    # relaxed ordering by default: granted, or refused by the device (said so)
    if op != "write":
        assert ("relaxed ordering" in link["detail"] or
                "relaxed refused by the device" in link["detail"]), link["detail"]
for r in d["results"]:
    assert r["error"] is None and r["verify"] == "ok", r
    assert r["bw_gbit_s"] > 0 and r["lat_us"]["p50"] > 0, r
    assert r["line_rate_gbit"] > 0, r
    for end in ("src_nic", "dst_nic"):
        nic = r[end]
        assert nic["device"] == "rxe0:1" and nic["port"] == 1, nic
        # send ran with --devices rxe0:1 (one rail); the others choose alone
        assert (nic["rail"], nic["rails"]) == ((0, 1) if op == "send" else (None, None)), nic
        assert nic["interface"] in (None, "veth0"), nic
print("run-%s.json: %d results, verified, on rxe0" % (op, len(d["results"])))
PY
done
for shape in fanout alltoall; do
  [ "$(cat "$out/shape-$shape.rc" 2>/dev/null)" = 0 ] ||
    { cat "$out/shape-$shape.log" 2>/dev/null; fail "--pattern $shape over verbs failed in the guest"; }
  python3 - "$out/shape-$shape.json" "$shape" <<'PY' || fail "shape-$shape.json"
import json, sys
d = json.load(open(sys.argv[1]))
shape = sys.argv[2]
rows = d["results"]
# fanout: 2 readers x (star, chain); alltoall: 3 x 2 ordered pairs
want = 4 if shape == "fanout" else 6
assert len(rows) == want, (len(rows), want)
assert not d.get("errors"), d.get("errors")
for r in rows:
    assert r["pattern"] == shape and r["error"] is None and r["verify"] == "ok", r
    assert r["bw_gbit_s"] > 0, r
print("shape-%s.json: %d results over verbs, verified" % (shape, len(rows)))
PY
done
[ "$(cat "$out/conformance.rc" 2>/dev/null)" = 0 ] ||
  { cat "$out/conformance.log" 2>/dev/null; fail "the conformance suite failed over verbs"; }
ncases=$("$build/tp_conformance" --list | wc -l)
n=$(grep -cE '^(PASS verbs [a-z_]+:|SKIP verbs [a-z_]+: no TP_CAP_)' "$out/conformance.log" || true)
[ "$n" -eq "$ncases" ] || { cat "$out/conformance.log"; fail "verbs: $n of $ncases conformance cases passed"; }
# port down: the pair ended by the async event (named once per rank, in the
# results), not by the 60 s phase nor by the 30 s --timeout
rc=$(cat "$out/portdown.rc" 2>/dev/null || echo missing)
[ "$rc" != 124 ] && [ "$rc" != missing ] ||
  { cat "$out/portdown.log" 2>/dev/null; fail "port-down run did not end (rc $rc)"; }
grep -q "rxe0 port 1 went down (" "$out/portdown.log" "$out/portdown.json" 2>/dev/null ||
  { cat "$out/portdown.log"; fail "port down not named (device and port)"; }
[ "$(cat "$out/portdown.secs")" -lt 50 ] ||
  { cat "$out/portdown.log"; fail "port-down run went on $(cat "$out/portdown.secs") s after the link"; }
echo "port down: the run ended $(cat "$out/portdown.secs") s after the link, naming 'rxe0 port 1 went down'"
echo "PASS"

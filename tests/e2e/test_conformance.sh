#!/usr/bin/env bash
# test_conformance.sh: the transport conformance suite (tests/conformance/,
# build/tp_conformance) under `mpirun -np 2` over every transport in the
# registry: tcp and mpi run here (verbs SKIPs without an RDMA device; it
# runs in the soft-RoCE guest, test_verbs_guest.sh), tcp once more with 4
# streams (the cases that move data or fail, on several threads).  Every case must PASS, or SKIP naming the capability bit the
# transport lacks.  Then --corrupt (one byte spoiled by the sender) must
# FAIL the stream case: the suite can fail.  Under the ASan build,
# LeakSanitizer checks each rank at exit.
. "$(dirname "$0")/lib.sh" "$@"
conf="$build/tp_conformance"
[ -x "$conf" ] || fail "$conf not built"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mpi() { timeout 300 mpirun -np 2 --oversubscribe --bind-to none "$@"; }

ncases=$("$conf" --list | wc -l)     # (a singleton: no mpirun needed)
[ "$ncases" -ge 10 ] || fail "--list shows $ncases cases"

echo "== every transport, every case"
mpi "$conf" >"$tmp/all.out" 2>"$tmp/all.err" || { cat "$tmp/all.out" "$tmp/all.err"; fail "suite failed"; }
cat "$tmp/all.out"
echo "== tcp with --streams 4 (on threads)"
s4=(stream_sizes bidirectional check_failure silent_peer dead_peer teardown)
args=()
for c in "${s4[@]}"; do args+=(--case "$c"); done
mpi "$conf" --transport tcp --set streams=4 "${args[@]}" >"$tmp/s4.out" 2>"$tmp/s4.err" ||
  { cat "$tmp/s4.out" "$tmp/s4.err"; fail "suite failed with 4 streams"; }
grep -v '^PASS' "$tmp/s4.out" || true
for t in tcp mpi; do
  n=$(grep -cE "^(PASS|SKIP) $t [a-z_]+:" "$tmp/all.out" || true)
  [ "$n" -eq "$ncases" ] || fail "$t: $n of $ncases cases passed or skipped"
done
n=$(grep -cE "^PASS tcp [a-z_]+:" "$tmp/s4.out" || true)
[ "$n" -eq "${#s4[@]}" ] || fail "tcp with 4 streams: $n of ${#s4[@]} cases passed"
if grep -E '^SKIP [a-z]+ [a-z_]+:' "$tmp/all.out" | grep -v 'no TP_CAP_'; then
  fail "a case was skipped without naming the capability the transport lacks"
fi
grep -q '^PASS mpi stream_sizes' "$tmp/all.out" || fail "mpi stream_sizes did not pass"
grep -q '^PASS tcp silent_peer: .*--timeout' "$tmp/all.out" || fail "tcp silent_peer line"

echo "== --corrupt must fail"
if mpi "$conf" --transport tcp --case stream_sizes --corrupt >"$tmp/bad.out" 2>&1; then
  cat "$tmp/bad.out"; fail "--corrupt passed"
fi
grep -qE '^FAIL tcp stream_sizes: .*(verification failed|a byte differs)' "$tmp/bad.out" || { cat "$tmp/bad.out"; fail "--corrupt line"; }
echo "PASS"

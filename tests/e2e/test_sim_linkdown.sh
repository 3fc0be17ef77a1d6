#!/usr/bin/env bash
# test_sim_linkdown.sh: a node's link set down mid-run on the simulated
# cluster (pairs sim-n0 -> sim-n1 and sim-n2 -> sim-n3, sim-n1's link down
# once pair 0->1 has a size journalled).  The unreachable rank must not
# keep the job alive: the job ends on its own within a bound that is a
# small multiple of --timeout (the launcher learns within seconds that its
# daemon on sim-n1 is lost: scripts/sim-mpirun.sh), exits non-zero, leaves
# no process behind on sim-n1, and every measurement journalled before the
# link went down is in the saved file.
#   args: BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/lib.sh" "$@"
e2e_sim_up simdown tpl
# The daemon on the cut-off node learns it only when its own connection to
# mpirun times out: the kernel's retransmission limit (tcp_retries2, 15 by
# default: ~15 min) is what ends it; 4 here (~6 s), this cluster's only.
for ns in $(ip netns list | awk '{print $1}' | grep "^$TIERPERF_SIM_PREFIX"); do
    ip netns exec "$ns" sysctl -qw net.ipv4.tcp_retries2=4
done

out="$work/down.json"
journal="$out.journal.jsonl"
timeout 300 "$src/scripts/sim-mpirun.sh" -np 4 "$bin" run --pattern pairs --transport tcp \
    --subnet 198.18.0.0/15 --sizes 64K,256K,1M,4M --duration 1 --lat-iters 20 --timeout 3 \
    --quiet --out "$out" >"$work/run.out" 2>&1 &
launcher=$!
for _ in $(seq 1200); do
    grep -q '^0:' <(e2e_measured "$journal" 2>/dev/null) && break
    kill -0 "$launcher" 2>/dev/null || break
    sleep 0.1
done
grep -q '^0:' <(e2e_measured "$journal") || { cat "$work/run.out"; fail "nothing of pair 0->1 journalled"; }

dev=$(e2e_sim_dev sim-n1)
fabric="${TIERPERF_SIM_PREFIX}fabric"
ip netns exec "$fabric" ip link set dev "$dev" down
t0=$(date +%s)
before=$(e2e_measured "$journal")
echo "sim-n1's link down with $(wc -l <<<"$before") measurement(s) journalled"

e2e_wait_launcher
# the daemon on sim-n1 learns it is cut off the same way, then ends its rank
for _ in $(seq 60); do
    left=$(ip netns pids "${TIERPERF_SIM_PREFIX}sim-n1" 2>/dev/null | wc -l)
    [ "$left" -eq 0 ] && break
    sleep 1
done
gone=$(($(date +%s) - t0))
ip netns exec "$fabric" ip link set dev "$dev" up
cat "$work/run.out"
echo "job ended ${took} s after the link went down, exit $rc; ${left} process(es) left on sim-n1 after ${gone} s"
[ "$rc" -ne 124 ] || fail "the job hung with a node unreachable"
[ "$rc" -ne 0 ] || fail "exit 0 with a node unreachable"
# pair 2->3's 4 sizes (~4 s each), pair 0->1 fails within --timeout, the
# round's end waits 2 x --timeout + 1 s: ~25 s; the launcher's daemon
# keepalive ~11 s.  Without it the job waited until the link came back.
[ "$took" -le 90 ] || fail "the job ended ${took} s after the link went down (bound 90 s)"
[ "$left" -eq 0 ] || { ps -fp "$(ip netns pids "${TIERPERF_SIM_PREFIX}sim-n1" | tr '\n' ',' | sed 's/,$//')" || true; fail "$left process(es) left behind on sim-n1"; }
saved=$out
[ -f "$saved" ] || saved=$journal
missing=$(comm -23 <(sort <<<"$before") <(e2e_measured "$saved" | sort))
[ -z "$missing" ] || fail "measurements journalled before the link went down lost: $missing"
echo "PASS: with sim-n1 unreachable the job ended in ${took} s, nothing left behind, nothing lost"

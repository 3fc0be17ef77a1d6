#!/usr/bin/env bash
# test_tcp_stranger.sh: strangers on the TCP data ports do not disturb a
# run.  `mpirun -np 2 tierperf run --transport tcp --verify` runs while a
# background loop finds the tierperf processes' listening ports (ss -tlnp)
# and throws stray clients at them: garbage, a wrong-secret hello, an
# immediate close, and a silent connection held open.  The run must
# finish with exit 0, every result verified ok, each stranger dropped and
# logged naming its address, and the listeners bound only to the chosen
# address (--if lo), never to 0.0.0.0.  A flood of connections (bounded,
# loopback) is summarised: a bounded number of log lines, one summary
# naming the count from 127.0.0.1 per 10 s window.
#   args: BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/lib.sh" "$@"
command -v ss >/dev/null || fail "ss (iproute2) not installed"
tmp=$(mktemp -d)
strays=""
cleanup() {
  [ -n "$strays" ] && kill "$strays" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

# Only our ranks: tagged through the environment, found in /proc.
export TIERPERF_E2E_TAG="$tmp"
timeout 300 mpirun -np 2 --oversubscribe --bind-to none --mca btl self,vader \
  "$bin" run --transport tcp --if lo --streams 2 --verify --sizes 64K,1M \
  --duration 1.5 --lat-iters 300 --timeout 20 --out "$tmp/run.json" >"$tmp/run.out" 2>&1 &
launcher=$!
unset TIERPERF_E2E_TAG

our_pids() {
  local p
  for p in $(pgrep -x tierperf 2>/dev/null || true); do
    { tr '\0' '\n' <"/proc/$p/environ"; } 2>/dev/null | grep -qx "TIERPERF_E2E_TAG=$tmp" && echo "$p"
  done
  return 0
}

# "addr:port" of every TCP listener of the given pids.
listeners() {
  local p
  for p in "$@"; do
    ss -tlnpH 2>/dev/null | grep -F "pid=$p," | awk '{print $4}'
  done
  return 0
}

stray_round() {   # port: one of each kind of stranger
  local port=$1
  { exec 3<>"/dev/tcp/127.0.0.1/$port" && printf 'GET / HTTP/1.0\r\n\r\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' >&3 && exec 3>&-; } 2>/dev/null || true
  # a hello-shaped message ("TPT1", kind 1, ranks 1->0) with a wrong secret
  { exec 3<>"/dev/tcp/127.0.0.1/$port" && printf 'TPT1\0\0\0\001\0\0\0\001\0\0\0\0\0\0\0\0\0\0\0\001BADSECRTnoncenon' >&3 && exec 3>&-; } 2>/dev/null || true
  { exec 3<>"/dev/tcp/127.0.0.1/$port" && exec 3>&-; } 2>/dev/null || true
}

pids=""
for _ in $(seq 3000); do    # MPI start-up under ASan on a busy machine can take minutes
  pids=$(our_pids)
  [ "$(wc -w <<<"$pids")" -ge 2 ] && [ -n "$(listeners $pids)" ] && break
  kill -0 "$launcher" 2>/dev/null || break
  sleep 0.05
done
ports=$(listeners $pids)
[ -n "$ports" ] || { wait "$launcher" || true; cat "$tmp/run.out"; fail "no listening port of the tierperf ranks found"; }
echo "tierperf ranks $pids listening on: $ports"
for a in $ports; do
  case "$a" in 127.0.0.1:*) ;; *) fail "listener on $a, not only on the chosen address 127.0.0.1";; esac
done

# Strangers for as long as the run lasts, plus one silent connection, and
# a flood: a bounded number of connect-and-close on loopback, as fast as
# they go (at most 20 s), counted in $tmp/flood.
(
  silent_port=${ports%%$'\n'*}
  exec 4<>"/dev/tcp/127.0.0.1/${silent_port##*:}" || true
  python3 - "${silent_port##*:}" "$tmp/flood" <<'PY' &
import socket, sys, time
port, n, end = int(sys.argv[1]), 0, time.time() + 20
for _ in range(3000):
    if time.time() > end:
        break
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=2)
        s.close()
        n += 1
    except OSError:
        break
open(sys.argv[2], "w").write("%d\n" % n)
PY
  while kill -0 "$launcher" 2>/dev/null; do
    for a in $ports; do stray_round "${a##*:}"; done
    echo round >>"$tmp/rounds"
    sleep 0.2
  done
  wait
) &
strays=$!

set +e
wait "$launcher"
rc=$?
set -e
kill "$strays" 2>/dev/null || true
wait "$strays" 2>/dev/null || true
strays=""

cat "$tmp/run.out"
[ "$rc" -eq 0 ] || fail "tierperf run exit $rc with strangers on its ports"
rounds=$(wc -l <"$tmp/rounds" 2>/dev/null || echo 0)
[ "$rounds" -ge 2 ] || fail "only $rounds stranger rounds ran during the measurement"
python3 "$src/tests/e2e/run_json_check.py" "$tmp/run.json" --ranks 2 --pattern pairs \
  --transport tcp --sizes 65536,1048576 --pairs 0-1 --verify || fail "results file check"
grep -q "warning: tcp: dropped connection from 127.0.0.1:" "$tmp/run.out" ||
  fail "no stranger was logged as dropped"
for why in "not a tierperf hello" "wrong secret" "closed before completing a hello"; do
  grep -q "$why" "$tmp/run.out" || fail "no stranger dropped with reason '$why'"
done
# the flood and the rounds are summarised, not logged one line each: per
# listener and 10 s window, one full line and one summary per address
flood=$(cat "$tmp/flood" 2>/dev/null || echo 0)
[ "$flood" -ge 500 ] || fail "only $flood flood connections were made: the test tells nothing"
lines=$(grep -Ec 'tcp: (dropped connection from|[0-9]+ more connection\(s\) refused from|[0-9]+ connection\(s\) refused from other)' "$tmp/run.out")
[ "$lines" -le 40 ] || fail "$lines log lines for $flood flood connections and $rounds rounds: not rate limited"
grep -Eq 'warning: tcp: [0-9]+ more connection\(s\) refused from 127\.0\.0\.1 to 127\.0\.0\.1:[0-9]+ in the last [0-9]+ s: [0-9]+ ' \
  "$tmp/run.out" || fail "no summary line for the strangers from 127.0.0.1"
echo "PASS: $rounds stranger rounds and $flood flood connections in $lines log line(s), run verified"

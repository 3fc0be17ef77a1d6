#!/usr/bin/env bash
# test_machine_facts.sh: the machine facts a benchmark reports come from the
# results file's environment block (captured once by tierperf run):
# cpus_online, memory_bytes and loadavg are this machine's, and
# scripts/machine-facts.py turns them into the line the bench-*.sh scripts
# print; a file without the block is one line and a non-zero exit.
#   args: BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/lib.sh" "$@"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

timeout 120 mpirun -np 2 --oversubscribe --bind-to none "$bin" run --transport tcp --sizes 4K \
    --duration 0.05 --lat-iters 10 --timeout 5 --quiet --out "$tmp/r.json" >/dev/null ||
    fail "loopback run"
python3 - "$tmp/r.json" "$(nproc)" "$(uname -r)" <<'EOF2' || fail "environment block"
import json, sys
env = json.load(open(sys.argv[1]))["environment"]
assert env["cpus_online"] == int(sys.argv[2]), env["cpus_online"]
assert sys.argv[3] in env["kernel"], env["kernel"]
assert env["memory_bytes"] > 2**26, env["memory_bytes"]
assert len(env["loadavg"]) == 3 and all(x >= 0 for x in env["loadavg"]), env["loadavg"]
EOF2
line=$(python3 "$src/scripts/machine-facts.py" "$tmp/r.json" "$tmp/r.json")
grep -q "^$(nproc)-core .*$(uname -r); load average at the start of the first run [0-9.]* [0-9.]* [0-9.]*, of the last " \
    <<<"$line" || fail "machine-facts.py printed: $line"
echo '{"results": []}' >"$tmp/bare.json"
rc=0
python3 "$src/scripts/machine-facts.py" "$tmp/bare.json" >"$tmp/out" 2>&1 || rc=$?
[ "$rc" -ne 0 ] && [ "$(wc -l <"$tmp/out")" -eq 1 ] && grep -q "no environment block" "$tmp/out" ||
    fail "a file without an environment block: exit $rc, $(cat "$tmp/out")"
echo "PASS: test_machine_facts"

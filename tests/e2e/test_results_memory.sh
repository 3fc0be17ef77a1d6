#!/usr/bin/env bash
# test_results_memory.sh: the commands that read runs (report, check,
# recommend, infer, compare) read a 50 MB results file in less than twice
# its size (results_rows.h: no JSON tree per entry; that took ~6x), and every
# reader walks results[] through RESULTS_EACH / results_at / results_count
# (cJSON_ArrayForEach over a loaded run's results sees no entries).  The
# file is made from a fixture by tests/e2e/gen_results.py.  Peak RSS comes
# from wait4() per command; a sanitizer build (CI) runs the commands on a
# smaller file and, having its own allocator, asserts no bound.
#   args: BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/lib.sh" "$@"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# ---- every reader of results[] goes through results_rows.h ----------------
# (a results item's entries are not cJSON children once loaded)
if grep -rnE 'cJSON_(ArrayForEach\([a-z_]+, *|GetArraySize\(|GetArrayItem\()(results|res)\b|cJSON_(ArrayForEach\([a-z_]+, *|GetArraySize\(|GetArrayItem\().*"results"\)' \
    "$src/answers" "$src/report" "$src/bench/cli" "$src/bench/engine" >"$tmp/walks"; then
  cat "$tmp/walks"; fail "results[] walked as a cJSON array: use RESULTS_EACH/results_count/results_at"
fi

# a sanitizer build (CI) is ~20x slower: a 2 MB file, no bound
sanitized=0 mbytes=50
grep -q '^TIERPERF_SANITIZE:BOOL=ON' "$build/CMakeCache.txt" 2>/dev/null && sanitized=1 mbytes=2
big=$tmp/big.json
python3 "$src/tests/e2e/gen_results.py" "$src/tests/fixtures/results/allpairs15.json" "$big" "$mbytes"
size_kb=$(( $(stat -c %s "$big") / 1024 ))

# peak RSS (KiB) of one command (within 120 s; wait4 counts the reaped
# child of timeout too), exit 0 or 1; its output in $OUT
peak_kb() {
  python3 - "$@" <<'PY'
import os, subprocess, sys
with open(os.environ["OUT"], "w") as out:
    p = subprocess.Popen(["timeout", "120"] + sys.argv[1:], stdout=out, stderr=subprocess.STDOUT)
    _, status, usage = os.wait4(p.pid, 0)
code = os.waitstatus_to_exitcode(status)
if code not in (0, 1):
    sys.exit("exit %d" % code)
print(usage.ru_maxrss)
PY
}
export OUT=$tmp/out
for cmd in "report $big --pairs" "check $big --profile test-dev" "recommend $big --need 1" \
           "infer $big" "compare $big $src/tests/fixtures/results/allpairs15.json"; do
  # shellcheck disable=SC2086
  kb=$(peak_kb "$bin" $cmd 2>"$tmp/err") ||
    { cat "$tmp/out" "$tmp/err"; fail "${cmd%% *}: $(cat "$tmp/err")"; }
  [ -s "$tmp/out" ] || fail "${cmd%% *}: no output"
  echo "${cmd%% *}: peak RSS $((kb / 1024)) MiB for a $((size_kb / 1024)) MiB file"
  if [ "$sanitized" -eq 0 ] && [ "$kb" -ge $((2 * size_kb)) ]; then
    fail "${cmd%% *} took $kb KiB for a $size_kb KiB results file (bound: twice its size)"
  fi
done
grep -q "B/A" "$tmp/out" || fail "compare printed no table"
echo "PASS: test_results_memory"

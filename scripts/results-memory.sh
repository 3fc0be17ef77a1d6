#!/usr/bin/env bash
# results-memory.sh: peak memory (max RSS) and time of the commands that
# read runs, on a large results file generated from a real one
# (tests/e2e/gen_results.py), as docs/results-schema.md reports them.
#   scripts/results-memory.sh [-b TIERPERF] TEMPLATE.json MEGABYTES
# The generated file lives in a temp dir removed on exit.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
bin=$src/build/tierperf
if [ "${1:-}" = "-b" ]; then bin=$2; shift 2; fi
template=${1:?usage: results-memory.sh [-b TIERPERF] TEMPLATE.json MEGABYTES}
mbytes=${2:?usage: results-memory.sh [-b TIERPERF] TEMPLATE.json MEGABYTES}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
big=$tmp/big.json
python3 "$src/tests/e2e/gen_results.py" "$template" "$big" "$mbytes"
size=$(stat -c %s "$big")
echo "$(basename "$bin") on a $((size / 1000000)) MB file ($(nproc) cores, $(uname -m))"
printf '%-10s %12s %8s %8s\n' command "max RSS MB" "x file" seconds
for cmd in "report $big --pairs" "check $big --profile test-dev" "recommend $big --need 1" \
           "infer $big" "compare $big $template"; do
  # shellcheck disable=SC2086
  python3 - "$size" "$bin" $cmd <<'PY'
import os, subprocess, sys, time
size, argv = int(sys.argv[1]), sys.argv[2:]
t = time.monotonic()
p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
_, status, usage = os.wait4(p.pid, 0)
code = os.waitstatus_to_exitcode(status)
rss = usage.ru_maxrss * 1024
print("%-10s %12.0f %8.2f %8.1f%s" % (argv[1], rss / 1e6, rss / size, time.monotonic() - t,
                                      "" if code in (0, 1) else "  (exit %d)" % code))
PY
done

#!/usr/bin/env bash
# test_doc_examples.sh: the console examples in the docs are the binary's real
# output (scripts/doc-examples.py --check re-runs them).  Covers the commands
# whose docs this checks in full, the README's answers to the main.sh run
# (docs/results/main-sim-8node-3tier.json) and the README's main.sh output,
# whose run summary must be what `tierperf report` prints for that file; run
# `scripts/doc-examples.py FILE` to regenerate after a deliberate output
# change (and scripts/main.sh for a new README run).
#   args: BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/lib.sh" "$@"
cd "$src"
python3 scripts/doc-examples.py --check --build "$build" docs/units.md docs/prometheus.md ||
  fail "docs/units.md or docs/prometheus.md examples out of date (run scripts/doc-examples.py FILE)"
python3 scripts/doc-examples.py --check --build "$build" --only 'tierperf (recommend|estimate|compare|infer|check tests/fixtures)' \
  docs/answers.md || fail "docs/answers.md examples out of date"
python3 scripts/doc-examples.py --check --build "$build" README.md ||
  fail "README.md examples out of date (run scripts/doc-examples.py README.md)"
# the checked blocks must be there: a README without them passes the above
grep -q '^\$ tierperf check docs/results/main-sim-8node-3tier.json --profile test-dev$' README.md ||
  fail "README lost its check example"
# the README's main.sh output: its run summary is the committed run's report
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
awk '/<!-- MAIN-OUTPUT -->/ {m = 1} m && /^tierperf run 20/ {p = 1} p && /^results: / {exit} p' \
  README.md >"$work/readme.txt"
[ -s "$work/readme.txt" ] || fail "README: no run summary after <!-- MAIN-OUTPUT -->"
"$bin" report docs/results/main-sim-8node-3tier.json >"$work/report.txt"
diff -u "$work/readme.txt" "$work/report.txt" >"$work/diff" ||
  fail "README's main.sh output is not the report of docs/results/main-sim-8node-3tier.json: $(head -20 "$work/diff")"
echo "PASS: test_doc_examples"

#!/usr/bin/env bash
# test_doc_examples.sh: the console examples in the docs are the binary's real
# output (scripts/doc-examples.py --check re-runs them).  Covers the commands
# whose docs this checks in full; run `scripts/doc-examples.py FILE` to
# regenerate after a deliberate output change.
#   args: BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/lib.sh" "$@"
cd "$src"
python3 scripts/doc-examples.py --check --build "$build" docs/units.md docs/prometheus.md ||
  fail "docs/units.md or docs/prometheus.md examples out of date (run scripts/doc-examples.py FILE)"
python3 scripts/doc-examples.py --check --build "$build" --only 'tierperf (recommend|estimate|compare|infer)' \
  docs/answers.md || fail "docs/answers.md examples out of date"
echo "PASS: test_doc_examples"

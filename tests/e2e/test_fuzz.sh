#!/usr/bin/env bash
# test_fuzz.sh: every libFuzzer harness runs clean on its seed corpus and
# a fixed, seeded series of mutations (the same inputs on every run: new
# random exploration belongs to scripts/fuzz.sh, not to pass/fail CI).
set -euo pipefail
src=${2:-$(dirname "$0")/../..}
command -v clang >/dev/null || { echo "SKIP: clang not installed"; exit 0; }
unset LSAN_OPTIONS ASAN_OPTIONS
FUZZ_SEED=${FUZZ_SEED:-1} FUZZ_RUNS=${FUZZ_RUNS:-20000} \
  exec bash "$src/scripts/fuzz.sh" "${TIERPERF_FUZZ_SECONDS:-120}"

#!/usr/bin/env bash
# test_fuzz.sh: every libFuzzer harness runs clean for a bounded time.
set -euo pipefail
src=${2:-$(dirname "$0")/../..}
command -v clang >/dev/null || { echo "SKIP: clang not installed"; exit 0; }
unset LSAN_OPTIONS ASAN_OPTIONS
exec bash "$src/scripts/fuzz.sh" "${TIERPERF_FUZZ_SECONDS:-20}"

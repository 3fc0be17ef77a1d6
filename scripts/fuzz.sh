#!/usr/bin/env bash
# fuzz.sh: build the libFuzzer harnesses with clang and run each for a
# bounded time on its seed corpus (tests/fuzz/corpus/<name>/).
#   scripts/fuzz.sh [SECONDS_PER_HARNESS]   (default 20)
# Exploring: a random seed each time.  Regression (CI): FUZZ_SEED=N and
# FUZZ_RUNS=M make every run replay the same inputs, so a test that
# passed yesterday cannot fail today on a new random draw; the seconds
# then only cap the time.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-20}
replay=()
[ -n "${FUZZ_SEED:-}" ] && replay+=(-seed="$FUZZ_SEED")
[ -n "${FUZZ_RUNS:-}" ] && replay+=(-runs="$FUZZ_RUNS")
CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DTIERPERF_FUZZ=ON \
      -DTIERPERF_TESTS=OFF -DTIERPERF_WITH_CUDA=OFF >/dev/null
cmake --build build-fuzz -j"$(nproc)" >/dev/null
status=0
for harness in build-fuzz/fuzz_*; do
  name=$(basename "$harness"); name=${name#fuzz_}
  seeds=tests/fuzz/corpus/$name
  dict=(); [ -f "tests/fuzz/$name.dict" ] && dict=(-dict="tests/fuzz/$name.dict")
  work=$(mktemp -d)
  [ -d "$seeds" ] && cp -r "$seeds"/. "$work"/
  echo "== fuzz $name (at most ${secs}s${FUZZ_RUNS:+, $FUZZ_RUNS runs from seed ${FUZZ_SEED:-random}})"
  if ! ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 "$harness" "${dict[@]}" ${replay[@]+"${replay[@]}"} -max_total_time="$secs" -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 "$work" >"$work.log" 2>&1; then
    echo "FAIL: fuzz_$name found a crash:"; tail -40 "$work.log"; status=1
  else
    grep -E 'stat::number_of_executed_units' "$work.log" || true
  fi
  rm -rf "$work" "$work.log"
done
exit $status

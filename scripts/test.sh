#!/usr/bin/env bash
# test.sh: the README's test command.  On a fresh Debian 12 machine it
# installs what the tests need, builds tierperf twice (with ASan+UBSan for
# the tests; plain Release to check the warning-free build), and runs every
# unit and end-to-end test with ctest.
#   scripts/test.sh              all tests
#   scripts/test.sh -L unit      only unit tests (ctest arguments pass through)
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh guest browser fuzz lint slurm

export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# Open MPI keeps allocations until exit; leak reports there are not ours.
export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0"
# fast_unwind_on_malloc=0: with the fast unwinder, leak reports of Open MPI
# allocations carry bogus frames and suppression matching re-reads
# /proc/self/maps for each one (minutes per rank at exit).
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:allocator_may_return_null=1:fast_unwind_on_malloc=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

jobs=$(nproc)
echo "== build (Release, -Werror)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DTIERPERF_WERROR=ON >/dev/null
cmake --build build -j"$jobs"

echo "== static analysis (cppcheck, clang-tidy; new findings fail CI)"
bash scripts/lint.sh

echo "== build without CUDA (-Werror)"
cmake -S . -B build-nocuda -DCMAKE_BUILD_TYPE=Release -DTIERPERF_WERROR=ON \
      -DTIERPERF_WITH_CUDA=OFF -DTIERPERF_TESTS=OFF >/dev/null
cmake --build build-nocuda -j"$jobs"

echo "== build with ASan+UBSan, run tests"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DTIERPERF_SANITIZE=ON \
      -DTIERPERF_WERROR=ON >/dev/null
cmake --build build-asan -j"$jobs"
cd build-asan
ctest --output-on-failure "$@"

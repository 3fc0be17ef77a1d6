#!/usr/bin/env bash
# lint.sh: static analysis of tierperf's own C code (not
# third-party): no function body over 80 lines (scripts/func-length.py,
# tests included), then cppcheck and clang-tidy with .clang-tidy's
# bug-finding checks (not tests).  Exit 0 only when all are clean.  Used
# by scripts/test.sh.
#   scripts/lint.sh [BUILD_DIR]   (default build-lint; configured here)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh lint

echo "== function length (at most 80 lines)"
python3 scripts/func-length.py

build=${1:-build-lint}
cmake -S . -B "$build" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON -DTIERPERF_TESTS=OFF >/dev/null
# generated headers (tierperf_version.h) must exist for the analysers
cmake --build "$build" --target tierperf -j"$(nproc)" >/dev/null

mapfile -t sources < <(ls common/*.c transports/*.c topology/*.c bench/*/*.c answers/*.c report/*.c)

echo "== cppcheck"
cppcheck --quiet --std=c11 --enable=warning,portability,performance \
         --error-exitcode=1 --inline-suppr --suppress=missingIncludeSystem \
         -I . -I "$build" "${sources[@]}"

echo "== clang-tidy (${#sources[@]} files)"
# CUDA sources are compiled against the toolkit's headers; clang-tidy
# reads the flags from compile_commands.json, so they are checked too.
printf '%s\n' "${sources[@]}" |
  xargs -P"$(nproc)" -n4 clang-tidy -p "$build" --quiet 2> >(grep -Ev "warnings? generated" >&2)
echo "lint: clean"

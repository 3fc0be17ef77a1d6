#!/usr/bin/env bash
# build-matrix.sh: configure and build tierperf in the two corners of its
# optional backends, so both sides of every #ifdef TIERPERF_HAVE_CUDA and
# TIERPERF_HAVE_VERBS are compiled (-Werror) and checked:
#   build-mx-full/     CUDA memory and the ibverbs transport
#   build-mx-minimal/  neither
# then runs the memory unit test in each and checks that the full binary
# still starts without the NVIDIA driver.  Fails when the full variant did
# not actually find the CUDA toolkit or libibverbs.  (Own build dirs: the
# build-nocuda/ of scripts/test.sh is left alone.)
#   scripts/build-matrix.sh            Debug, -Werror
#   JOBS=2 BUILD_TYPE=Release scripts/build-matrix.sh
set -euo pipefail
cd "$(dirname "$0")/.."

jobs=${JOBS:-$(nproc)}
type=${BUILD_TYPE:-Debug}   # Debug builds quickest; test.sh checks Release
# FindCUDAToolkit looks on PATH and in /usr/local/cuda; CUDA_HOME wins.
cuda_root=${CUDA_HOME:-/usr/local/cuda}

build() {  # build DIR WITH_CUDA WITH_VERBS
  local dir=$1 cuda=$2 verbs=$3
  echo "== $dir (TIERPERF_WITH_CUDA=$cuda TIERPERF_WITH_VERBS=$verbs, $type)"
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE="$type" -DTIERPERF_WERROR=ON \
        -DTIERPERF_WITH_CUDA="$cuda" -DTIERPERF_WITH_VERBS="$verbs" \
        -DCUDAToolkit_ROOT="$cuda_root" >"$dir/configure.log" 2>&1 ||
    { cat "$dir/configure.log" >&2; echo "build-matrix: configure of $dir failed" >&2; exit 1; }
  grep -m1 '^-- tierperf:' "$dir/configure.log"
  cmake --build "$dir" -j"$jobs" >"$dir/build.log" 2>&1 ||
    { tail -40 "$dir/build.log" >&2; echo "build-matrix: build of $dir failed" >&2; exit 1; }
  (cd "$dir" && ctest -R 'unit\.test_mem$' --output-on-failure >/dev/null) ||
    { echo "build-matrix: unit.test_mem failed in $dir (run ctest there)" >&2; exit 1; }
  "$dir/tierperf" --version >/dev/null ||
    { echo "build-matrix: $dir/tierperf does not start" >&2; exit 1; }
}
defs() { grep -m1 '^-- tierperf:' "$1/configure.log"; }

mkdir -p build-mx-minimal build-mx-full
build build-mx-minimal OFF OFF
if defs build-mx-minimal | grep -Eq 'TIERPERF_HAVE_(CUDA|VERBS)'; then
  echo "build-matrix: build-mx-minimal has a backend enabled despite =OFF: $(defs build-mx-minimal)" >&2; exit 1
fi
build build-mx-full ON ON
if ! defs build-mx-full | grep -q 'TIERPERF_HAVE_CUDA=1'; then
  echo "build-matrix: CUDA toolkit not found (looked in $cuda_root; set CUDA_HOME)" >&2; exit 1
fi
# (Only once the verbs transport's sources exist: transports/tp_verbs*.c.)
if compgen -G 'transports/tp_verbs*.c' >/dev/null && ! defs build-mx-full | grep -q 'TIERPERF_HAVE_VERBS=1'; then
  echo "build-matrix: libibverbs/librdmacm not found (scripts/install-deps.sh installs them)" >&2; exit 1
fi
# The CUDA binary must still start where libcuda is absent (no driver).
if readelf -d build-mx-full/tierperf build-mx-full/test_mem | grep -q 'NEEDED.*libcuda\.so'; then
  echo "build-matrix: build-mx-full links libcuda.so directly; it would not start without the driver" >&2
  exit 1
fi
echo "build-matrix: minimal and full variants built; unit.test_mem passed in each"

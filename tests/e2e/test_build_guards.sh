#!/usr/bin/env bash
# test_build_guards.sh: the build's two guards for older GPU software, on
# a real CMake configure (CMakeLists.txt), no GPU needed:
#  - a CUDA toolkit older than 12.0 (here a stand-in whose nvcc says 11.8):
#    CMake warns and builds without --mem cuda, it does not fail;
#  - a libibverbs without ibv_reg_dmabuf_mr (rdma-core < 34; here the
#    symbol check's cached answer set to no): CMake says so, the verbs
#    transport is still built, and its GPU registration code compiles with
#    -Werror without dma-buf (the peer-memory-only branch).
# Configures with tests off and compiles only the one object: a few seconds.
#   args: BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/lib.sh" "$@"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# A CUDA 11.8 "toolkit": what FindCUDAToolkit looks at (nvcc --version,
# the runtime header and library), nothing that could compile.
fake=$tmp/cuda-11.8
mkdir -p "$fake/bin" "$fake/include" "$fake/lib64"
cat >"$fake/bin/nvcc" <<'EOF'
#!/bin/sh
echo "nvcc: NVIDIA (R) Cuda compiler driver"
echo "Cuda compilation tools, release 11.8, V11.8.89"
EOF
chmod +x "$fake/bin/nvcc"
: >"$fake/include/cuda_runtime.h"
: >"$fake/include/cuda.h"
: >"$fake/lib64/libcudart.so"
: >"$fake/lib64/libcudart_static.a"

set +e
env -u CUDA_HOME -u CUDA_PATH -u CUDACXX timeout 300 \
  cmake -S "$src" -B "$tmp/build" -DCMAKE_BUILD_TYPE=Release -DTIERPERF_WERROR=ON \
  -DTIERPERF_TESTS=OFF -DCUDAToolkit_ROOT="$fake" -DTIERPERF_IBV_DMABUF=OFF \
  >"$tmp/configure.log" 2>&1
rc=$?
set -e
cat "$tmp/configure.log"
[ "$rc" -eq 0 ] || fail "configure failed (exit $rc) with CUDA 11.8 and no ibv_reg_dmabuf_mr"
defs=$(sed -n 's/^-- tierperf: verbs=.* defs=//p' "$tmp/configure.log")

# 1. CUDA < 12: a warning naming both versions, no CUDA in the build.
grep -q 'CUDA 11\.8\.89 found, 12\.0 or newer needed' "$tmp/configure.log" ||
  fail "no warning about CUDA 11.8 being too old"
grep -q -- '-- tierperf: verbs=.* cuda=FALSE' "$tmp/configure.log" ||
  fail "CUDA 11.8 was taken for the build"
case ";$defs;" in *TIERPERF_HAVE_CUDA*) fail "TIERPERF_HAVE_CUDA defined with CUDA 11.8: $defs" ;; esac

# 2. No ibv_reg_dmabuf_mr (only where this machine builds verbs at all).
if [[ ";$defs;" != *TIERPERF_HAVE_VERBS=1* ]]; then
  echo "note: no libibverbs here: the dma-buf guard is not checked"
else
  grep -q 'libibverbs has no ibv_reg_dmabuf_mr (rdma-core < 34)' "$tmp/configure.log" ||
    fail "no line saying libibverbs lacks ibv_reg_dmabuf_mr"
  case ";$defs;" in *TIERPERF_HAVE_IBV_DMABUF*) fail "dma-buf registration defined: $defs" ;; esac
  timeout 300 cmake --build "$tmp/build" --target transports/tp_verbs_mr.c.o \
    >"$tmp/compile.log" 2>&1 || { cat "$tmp/compile.log"; fail "tp_verbs_mr.c does not compile without ibv_reg_dmabuf_mr"; }
  grep -q 'Werror' "$tmp/build/CMakeFiles/tierperf_core.dir/flags.make" ||
    fail "the guard build did not compile with -Werror"
fi
echo "PASS"

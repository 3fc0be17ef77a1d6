#!/usr/bin/env bash
# test_cuda_nogpu.sh: on a machine without an NVIDIA driver, a tierperf
# built with or without CUDA must start, and `tierperf run --mem cuda`
# under mpirun must fail fast with one clear line per rank, never crash,
# hang or refuse to load for want of libcuda.
#   args: BUILD_DIR SOURCE_DIR
set -euo pipefail
build=${1:?usage: test_cuda_nogpu.sh BUILD_DIR SOURCE_DIR}
bin="$build/tierperf"
fail() { echo "FAIL: $*" >&2; exit 1; }

if [ -e /dev/nvidiactl ]; then
  echo "SKIP: an NVIDIA driver is present; this test is for GPU-less machines"
  exit 0
fi
[ -x "$bin" ] || fail "$bin not built"

# Which variant is this build?  The core library holds the CUDA kind only
# when the toolkit was found.
if nm -A "$build/libtierperf_core.a" 2>/dev/null | grep -q ' [DR] tp_mem_cuda_ops$'; then
  # the CUDA call's own error, at the default log level
  variant=cuda; expect='--mem cuda: no usable GPU found at run time (cudaGetDeviceCount: .*CUDA'
else
  variant=nocuda; expect='--mem cuda: this tierperf was built without CUDA'
fi
echo "build variant: $variant"

# 1. Nothing may need libcuda.so.1 at load time: it exists only with the driver.
for f in "$bin" "$build"/test_*; do
  [ -f "$f" ] && [ -x "$f" ] || continue
  if readelf -d "$f" | grep -q 'NEEDED.*libcuda\.so'; then
    fail "$f links libcuda.so directly; it cannot start without the NVIDIA driver"
  fi
done
"$bin" --version >/dev/null || fail "tierperf --version failed to start"

# 2. The real command under the real launcher, once `run` is implemented.
if ! "$bin" run --help >/dev/null 2>&1; then
  echo "note: 'tierperf run' is not implemented in this build; checked start-up only"
  echo "PASS"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# The memory kind is chosen per run, separate from the transport: try each
# transport this build has (a transport not built in says so and is skipped;
# verbs opens its device later, so it reaches the memory check here too).
# --gpu auto opens the transport first (it needs the NIC), then fails the
# same way.
checked=0
for combo in tcp verbs mpi "tcp --gpu auto"; do
  transport=${combo%% *}
  read -r -a extra <<<"${combo#"$transport"}"
  rm -f "$tmp/run.json"
  set +e
  timeout 120 mpirun -np 2 --oversubscribe --bind-to none \
    --mca btl_vader_single_copy_mechanism none \
    "$bin" run --mem cuda --transport "$transport" ${extra[@]+"${extra[@]}"} \
    --out "$tmp/run.json" >"$tmp/out" 2>&1
  rc=$?
  set -e
  echo "--- tierperf run --mem cuda --transport $combo (exit $rc)"
  cat "$tmp/out"
  [ "$rc" -ne 124 ] || fail "tierperf run --mem cuda --transport $transport hung (killed after 120 s)"
  if grep -Eq -- "--transport '?$transport'?: (not available|unknown)" "$tmp/out"; then
    echo "(transport $transport not in this build: skipped)"
    continue
  fi
  [ "$rc" -ne 0 ] || fail "tierperf run --mem cuda succeeded on a machine without a GPU"
  grep -q -- "$expect" "$tmp/out" || fail "--transport $transport: no line saying '$expect'"
  ! grep -Eq 'Segmentation|Aborted|core dumped|AddressSanitizer|runtime error:' "$tmp/out" ||
    fail "tierperf crashed instead of reporting the missing GPU"
  lines=$(grep -c -- '--mem cuda' "$tmp/out" || true)
  [ "$lines" -le 2 ] || fail "$lines lines about --mem cuda for 2 ranks (want one per rank at most)"
  [ ! -s "$tmp/run.json" ] || fail "a results file was written although nothing was measured"
  checked=$((checked + 1))
done
[ "$checked" -gt 0 ] || fail "no transport in this build to run --mem cuda with"
echo "PASS"

#!/usr/bin/env bash
# test_gpu_bundle.sh: the GPU bundle (scripts/gpu-bundle.sh) carries
# everything scripts/gpu-check.sh needs besides the NVIDIA driver.  Builds
# it (reusing build-gpu-bundle/), then runs gpu-check from it in a mount
# namespace where Open MPI, PMIx, libyaml, libcjson, hwloc, libevent,
# criterion and the CUDA toolkit are hidden (empty files and folders bound
# over them), as on a bare GPU machine.  The host-only steps must pass
# (tierperf starts, test_mem, two ranks over TCP with --verify under the
# bundle's mpirun) and the check must stop at "no GPU" with a clear line,
# writing its report and at most 8 files to $OUT.
#   args: BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/lib.sh" "$@"
e2e_need_root "needs a mount namespace to hide the system's libraries"
[ -x /usr/local/cuda/bin/nvcc ] || [ -n "${CUDA_HOME:-}" ] ||
  { echo "SKIP: no CUDA toolkit to build the bundle with"; exit 0; }
if [ -e /dev/nvidiactl ]; then
  echo "SKIP: an NVIDIA driver is present; this test expects the no-GPU answer"; exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# 1. The bundle, with its size checked by the script itself.  CI's
# Release build (scripts/test.sh: build/, -Werror, CUDA found) is reused
# when there is one, else the bundle's own build-gpu-bundle/.
reuse=()
cache="$src/build/CMakeCache.txt"
if [ -z "${GPU_BUNDLE_BUILD:-}" ] && [ -f "$cache" ] &&
   grep -q '^CMAKE_BUILD_TYPE:STRING=Release$' "$cache" &&
   grep -q '^TIERPERF_WERROR:BOOL=ON$' "$cache" &&
   grep -q '^CUDAToolkit_NVCC_EXECUTABLE:FILEPATH=/' "$cache"; then
  reuse=(GPU_BUNDLE_BUILD="$src/build")
fi
env "${reuse[@]}" GPU_BUNDLE_DIR="$tmp/gpu-bundle" timeout 900 bash "$src/scripts/gpu-bundle.sh" \
  >"$tmp/bundle.out" 2>&1 || { cat "$tmp/bundle.out"; fail "gpu-bundle.sh failed"; }
cat "$tmp/bundle.out"
grep -q 'MiB (.* KiB, limit 48 MiB)' "$tmp/bundle.out" || fail "gpu-bundle.sh did not state its size"
for f in bin/tierperf bin/test_mem bin/mem_copy_bw bin/memcpy_ref mpirun env.sh \
         ompi/bin/orterun ompi/bin/orted lib/libmpi.so.40 lib/libyaml-0.so.2 lib/libcjson.so.1 \
         lib/libhwloc.so.15 ompi/share/openmpi/help-orterun.txt MANIFEST; do
  [ -e "$tmp/gpu-bundle/$f" ] || fail "bundle lacks $f"
done
! ls "$tmp"/gpu-bundle/lib | grep -Eq '^(libc|libm|libcuda|libnvidia-[^.]*)\.so' ||
  fail "bundle carries glibc or driver libraries: $(ls "$tmp"/gpu-bundle/lib | grep -E '^(libc|libm|libcuda|libnvidia-[^.]*)\.so')"

# 2. A minimal root: what a bare GPU machine lacks is hidden.
cat >"$tmp/hide.sh" <<'EOF'
set -u
tmp=$1; shift
: >"$tmp/empty"; mkdir -p "$tmp/emptydir"
for d in /usr/lib/x86_64-linux-gnu/openmpi /usr/lib/x86_64-linux-gnu/pmix2 \
         /usr/lib/x86_64-linux-gnu/hwloc /usr/share/openmpi /etc/openmpi \
         "$(readlink -f /usr/local/cuda)"; do
  [ -d "$d" ] && mount --bind "$tmp/emptydir" "$d"
done
for pat in 'libmpi*.so*' 'libopen-pal.so*' 'libopen-rte.so*' 'libpmix.so*' 'libyaml*.so*' \
           'libcjson*.so*' 'libhwloc.so*' 'libevent*.so*' 'libcriterion.so*' 'libmca_common*.so*'; do
  for f in /usr/lib/x86_64-linux-gnu/$pat; do
    [ -e "$f" ] && mount --bind "$tmp/empty" "$(readlink -f "$f")"
  done
done
for p in mpirun mpiexec orterun orted ompi_info nvcc; do
  f=$(command -v "$p") && mount --bind "$tmp/empty" "$(readlink -f "$f")"
done
# Hidden for real: the system's launcher must not run here.
if mpirun --version >/dev/null 2>&1; then echo "HIDE FAILED: system mpirun still runs"; exit 90; fi
exec "$@"
EOF
set +e
OUT="$tmp/out" GPU_BUNDLE_DIR="$tmp/gpu-bundle" GPU_CHECK_TCP_SIZES=64K,1M GPU_CHECK_DURATION=0.2 \
  timeout 600 unshare -m bash "$tmp/hide.sh" "$tmp" bash "$src/scripts/gpu-check.sh" >"$tmp/check.out" 2>&1
rc=$?
set -e
cat "$tmp/check.out"
[ "$rc" -ne 90 ] || fail "could not hide the system's Open MPI"
[ "$rc" -ne 124 ] || fail "gpu-check.sh did not end within 600 s"
[ "$rc" -eq 3 ] || fail "gpu-check.sh exited $rc, want 3 (no GPU)"

# 3. What it printed first, and the clear line.
head -n1 "$tmp/check.out" | grep -q '^GPU model:' || fail "the GPU model is not the first line"
for k in 'driver version:' 'driver CUDA version:.*bundle CUDA runtime: 13\|driver CUDA version:.*bundle CUDA runtime: [0-9]' \
         'compute mode:' 'dma-buf:' 'programs: *bundle'; do
  grep -q "$k" "$tmp/check.out" || fail "no '$k' line"
done
grep -q '^gpu-check: no GPU: nvidia-smi not found' "$tmp/check.out" || fail "no clear 'no GPU' line"
grep -q 'no GPU: tierperf says: .*no usable GPU found at run time (cudaGetDeviceCount: ' "$tmp/check.out" ||
  fail "tierperf's --mem cuda line (with the CUDA error) is missing"
grep -q '^gpu-check: no GPU: host-only steps passed' "$tmp/check.out" ||
  fail "a host-only step failed from the bundle"

# 4. The files it kept.
n=$(find "$tmp/out" -type f | wc -l)
[ "$n" -ge 2 ] && [ "$n" -le 8 ] || fail "$n files in \$OUT (want 2..8): $(ls "$tmp/out")"
report=$(ls "$tmp"/out/gpu-*.md)
grep -q '^# GPU check: no GPU' "$report" || fail "report $report has no title"
grep -q 'steps failed: none' "$report" || fail "report lists failed steps: $(grep 'steps failed' "$report")"
grep -q 'test_mem: passed' "$report" || fail "test_mem did not pass from the bundle"
[ -s "$tmp/out/gpu-check.log" ] || fail "no log in \$OUT"
$check "$tmp/out/gpu-tcp-host.json" --ranks 2 --pattern pairs --transport tcp --sizes 65536,1048576 --verify >/dev/null || fail "gpu-tcp-host.json is not a valid 2-rank run"
python3 - "$tmp/out/gpu-tcp-host.json" <<'PY' || fail "host TCP run from the bundle not verified"
import json, sys
rs = [r for r in json.load(open(sys.argv[1]))["results"] if r.get("bw_gbit_s")]
assert rs and all(r.get("verify") == "ok" for r in rs), rs
PY
echo "PASS"

#!/usr/bin/env bash
# gpu-check.sh: the one call to make on a machine with an NVIDIA GPU.  It
# builds tierperf with CUDA, runs the memory unit test (device round trip,
# dma-buf export), measures host<->device and device<->device copy bandwidth
# with tierperf's own `run --pattern copy --mem cuda:0` against a minimal
# nvcc-built cudaMemcpy reference (pinned host memory), and the pageable
# copies through the memory ops (scripts/gpu/mem_copy_bw.c), records which
# GPU `--gpu auto` picks, runs `tierperf run --mem cuda` over TCP between
# two ranks on loopback with --verify, and writes everything to
# results/gpu-<model>.md.  Exits non-zero when any step failed; the report
# is written either way and says which step.
#   scripts/gpu-check.sh
#   CUDA_HOME=/opt/cuda GPU_CHECK_MAX_BYTES=67108864 scripts/gpu-check.sh
#   GPU_CHECK_RUN_ARGS="--pattern pairs --transport tcp --verify" (default)
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
src=$PWD

cuda=${CUDA_HOME:-/usr/local/cuda}
max=${GPU_CHECK_MAX_BYTES:-268435456}
run_args=${GPU_CHECK_RUN_ARGS:---pattern pairs --transport tcp --verify}
build="build-gpu"
jobs=$(nproc)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
die() { echo "gpu-check: $*" >&2; exit 2; }

# --- prerequisites: a GPU, the toolkit, and the build dependencies --------
command -v nvidia-smi >/dev/null || die "nvidia-smi not found: no NVIDIA driver on this machine"
nvidia-smi -L >/dev/null 2>&1 || die "nvidia-smi -L failed: the driver sees no GPU"
[ -x "$cuda/bin/nvcc" ] || die "no nvcc at $cuda/bin/nvcc (set CUDA_HOME)"
missing=()
for c in cmake gcc mpirun pkg-config readelf; do command -v "$c" >/dev/null || missing+=("$c"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "gpu-check: missing ${missing[*]}; trying scripts/install-deps.sh" >&2
  bash scripts/install-deps.sh || die "could not install ${missing[*]} (no package archive?)"
fi

model=$(nvidia-smi --query-gpu=name --format=csv,noheader -i 0 | head -n1)
slug=$(printf '%s' "$model" | tr '[:upper:]' '[:lower:]' | sed -E 's/^nvidia //; s/[^a-z0-9]+/-/g; s/^-|-$//g')
mkdir -p results
report=results/gpu-${slug:-unknown}.md
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

failed=()
step() {  # step NAME COMMAND...: run, keep the log, remember failures
  local name=$1; shift
  echo "== $name"
  if "$@" >"$work/$name.log" 2>&1; then
    return 0
  fi
  failed+=("$name")
  tail -20 "$work/$name.log" >&2
  return 1
}

# --- 1. build with CUDA --------------------------------------------------------
tests=ON
pkg-config --exists criterion || tests=OFF
step build bash -c "cmake -S '$src' -B '$build' -DCMAKE_BUILD_TYPE=Release \
    -DTIERPERF_WITH_CUDA=ON -DCUDAToolkit_ROOT='$cuda' -DTIERPERF_TESTS=$tests \
  && cmake --build '$build' -j$jobs"
if ! grep -q 'defs=.*TIERPERF_HAVE_CUDA=1' "$work/build.log"; then
  grep -q build <<<"${failed[*]:-}" || failed+=("build")
  echo "gpu-check: the build did not enable CUDA (toolkit not found under $cuda?)" >&2
fi

# --- 2. unit test on the device -------------------------------------------
unit="not built (criterion missing)"
if [ "$tests" = ON ] && [ -x "$build/test_mem" ]; then
  if step unit_mem "$build/test_mem" --jobs 1 --verbose; then unit="passed"; else unit="FAILED"; fi
  grep -E '^\[(PASS|SKIP|FAIL)' "$work/unit_mem.log" >"$work/unit_lines" 2>/dev/null || true
fi

# --- 3. copy bandwidth: tierperf ops vs cudaMemcpy --------------------------
step ref_build "$cuda/bin/nvcc" -O2 -o "$work/memcpy_ref" scripts/gpu/memcpy_ref.cu
step probe_build gcc -std=gnu11 -O2 -I"$src" -o "$work/mem_copy_bw" \
  scripts/gpu/mem_copy_bw.c "$build/libtierperf_core.a" \
  -L"$cuda/lib64" -lcudart_static -ldl -lrt -lpthread
[ -x "$work/memcpy_ref" ] && step ref_run "$work/memcpy_ref" 0 "$max"
[ -x "$work/mem_copy_bw" ] && step probe_run "$work/mem_copy_bw" cuda:0 "$max"
dmabuf=$(sed -n 's/^# dmabuf //p' "$work/probe_run.log" 2>/dev/null)

# tierperf's own copy pattern on one rank, the same sizes as the reference
# (4 KiB .. max, x4); its JSON turned into "OP BYTES GB/s" lines named as
# the reference's pinned copies (h2d -> h2d_pinned, d2h -> d2h_pinned).
sizes=""
for ((b = 4096; b <= max; b *= 4)); do sizes+="${sizes:+,}$b"; done
mpirun_n() {  # mpirun_n NRANKS ARGS...
  local n=$1; shift
  timeout 300 mpirun -np "$n" --oversubscribe --bind-to none \
    --mca btl_vader_single_copy_mechanism none "$@"
}
copy_lines() {  # copy_lines JSON: "OP BYTES GB/s" per copy entry
  python3 - "$1" <<'PY'
import json, sys
name = {"h2d": "h2d_pinned", "d2h": "d2h_pinned", "d2d": "d2d"}
for r in json.load(open(sys.argv[1])).get("results", []):
    d = (r.get("extra") or {}).get("direction")
    if r.get("pattern") == "copy" and d in name and r.get("bw_gbyte_s") and not r.get("error"):
        print(name[d], r["size_bytes"], "%.3f" % r["bw_gbyte_s"])
PY
}
if step copy_run mpirun_n 1 "$build/tierperf" run --pattern copy --mem cuda:0 --sizes "$sizes" \
     --duration 0.2 --verify --quiet --out "$work/copy.json"; then
  copy_lines "$work/copy.json" >"$work/copy_run.log" || failed+=("copy_lines")
fi
# --gpu auto on this machine: which GPU and why (hosts[].gpu)
gpu_auto="not run"
if step gpu_auto mpirun_n 1 "$build/tierperf" run --pattern copy --mem cuda --gpu auto \
     --sizes 1M --iters 10 --quiet --out "$work/gpu_auto.json"; then
  gpu_auto=$(python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["hosts"][0]["gpu"]))' \
             "$work/gpu_auto.json" 2>&1)
fi

bw_table() {  # bw_table OURS REF [both]: join "OP BYTES GB/s" lines
  awk -v both="${3:-}" '
    FNR == 1 { file++ }
    NF != 3 || $2 !~ /^[0-9]+$/ { next }
    file == 1 { ours[$1 " " $2] = $3; next }
    { ref[$1 " " $2] = $3; order[n++] = $1 " " $2 }
    END {
      print "| copy | bytes | tierperf GB/s | cudaMemcpy GB/s | ratio |"
      print "|---|---:|---:|---:|---:|"
      for (i = 0; i < n; i++) {
        k = order[i]; split(k, f, " ")
        if (k in ours)
          printf "| %s | %d | %.2f | %.2f | %.2f |\n", f[1], f[2], ours[k], ref[k], (ref[k] > 0 ? ours[k] / ref[k] : 0)
        else if (both == "")
          printf "| %s (reference only) | %d | | %.2f | |\n", f[1], f[2], ref[k]
      }
    }' "$1" "$2"
}

# --- 4. tierperf run --mem cuda over TCP loopback ----------------------------
mpirun_2() {
  timeout 300 mpirun -np 2 --oversubscribe --bind-to none \
    --mca btl_vader_single_copy_mechanism none "$@"
}
run_note="not run: 'tierperf run' is not implemented in this build"
if "$build/tierperf" run --help >/dev/null 2>&1; then
  # shellcheck disable=SC2086  # run_args is a word list on purpose
  if step run_cuda mpirun_2 "$build/tierperf" run $run_args --mem cuda:0 --out "$work/cuda.json" &&
     step run_host mpirun_2 "$build/tierperf" run $run_args --mem host --out "$work/host.json"; then
    run_note="passed (--verify on)"
  else
    run_note="FAILED (see below)"
  fi
fi

# Staged TCP (--mem cuda) against the slower of TCP loopback (--mem host)
# and the PCIe copy it stages through (pinned, the slower direction), per
# message size: the issue's bar is >= 0.9.
staged_table() {
  python3 - "$work/cuda.json" "$work/host.json" "$work/ref_run.log" <<'PY'
import json, sys
def bw(path):
    out = {}
    for r in json.load(open(path)).get("results", []):
        if r.get("bw_gbit_s") and not r.get("error"):
            out.setdefault(r["size_bytes"], []).append(r["bw_gbit_s"])
    return {k: sorted(v)[len(v) // 2] for k, v in out.items()}
cuda, host = bw(sys.argv[1]), bw(sys.argv[2])
pcie = {}
for line in open(sys.argv[3]):
    f = line.split()
    if len(f) == 3 and f[0] in ("h2d_pinned", "d2h_pinned") and f[1].isdigit():
        gbit = float(f[2]) * 8
        pcie[int(f[1])] = min(pcie.get(int(f[1]), gbit), gbit)
print("| bytes | TCP --mem cuda Gbit/s | TCP --mem host Gbit/s | PCIe pinned Gbit/s | ratio to slower |")
print("|---:|---:|---:|---:|---:|")
for size in sorted(cuda):
    p = max((b for b in pcie if b <= size), default=None)
    ceiling = [x for x in (host.get(size), pcie.get(p) if p else None) if x]
    ratio = cuda[size] / min(ceiling) if ceiling else 0
    print(f"| {size} | {cuda[size]:.2f} | {host.get(size, 0):.2f} | {pcie.get(p, 0) if p else 0:.2f} | {ratio:.2f} |")
PY
}

# --- 5. the report -------------------------------------------------------------
{
  echo "# GPU check: $model"
  echo
  echo "Written by scripts/gpu-check.sh on $(date -u +%Y-%m-%dT%H:%MZ), tierperf $(git -C "$src" describe --always --dirty 2>/dev/null || echo '?')."
  echo
  echo "## Machine"
  echo
  echo '```'
  nvidia-smi --query-gpu=index,name,pci.bus_id,driver_version,memory.total --format=csv
  echo "nvcc: $("$cuda/bin/nvcc" --version | tail -n1)"
  echo "kernel: $(uname -r); nvidia module: $(cat /sys/module/nvidia/version 2>/dev/null || echo '?')"
  echo "nvidia-peermem loaded: $(lsmod 2>/dev/null | grep -q '^nvidia_peermem' && echo yes || echo no)"
  echo '```'
  echo
  echo "## Results"
  echo
  echo "- steps failed: ${failed[*]:-none}"
  echo "- unit test test_mem: $unit"
  [ -s "$work/unit_lines" ] && sed 's/^/  - /' "$work/unit_lines"
  echo "- dma-buf export of a cudaMalloc range (cuMemGetHandleForAddressRange): ${dmabuf:-not measured}"
  echo "- --gpu auto on one rank chose: $gpu_auto"
  echo "- tierperf run --mem cuda, TCP loopback, 2 ranks: $run_note"
  echo
  echo "## Copy bandwidth: tierperf run --pattern copy vs cudaMemcpy (pinned host memory)"
  echo
  echo "tierperf: h2d/d2h through page-locked staging memory (cudaMemcpyAsync batches on one"
  echo "stream), d2d copy_local; the bar is >= 0.95 for h2d and d2h."
  echo
  if [ -s "$work/copy_run.log" ] && [ -s "$work/ref_run.log" ]; then
    bw_table "$work/copy_run.log" "$work/ref_run.log" both
  else
    echo "not measured (see failed steps)"
  fi
  echo
  echo "## Copy bandwidth through the memory ops (mem_copy_bw; synchronous cudaMemcpy, pageable host memory unless marked pinned)"
  echo
  if [[ " ${failed[*]:-} " != *" probe_run "* && " ${failed[*]:-} " != *" ref_run "* ]] &&
     [ -s "$work/probe_run.log" ] && [ -s "$work/ref_run.log" ]; then
    bw_table "$work/probe_run.log" "$work/ref_run.log"
  else
    echo "not measured (see failed steps)"
  fi
  if [ -s "$work/cuda.json" ] && [ -s "$work/host.json" ] && [ -s "$work/ref_run.log" ]; then
    echo
    echo "## Staged TCP vs its ceilings (median pair per size; PCIe at the nearest measured size at or below)"
    echo
    staged_table 2>&1 || echo "(could not compare: see the JSON files)"
  fi
  if [ -s "$work/copy.json" ]; then
    echo
    echo "## tierperf report of the copy run"
    echo
    echo '```'
    "$build/tierperf" report "$work/copy.json" 2>&1 | head -60
    echo '```'
  fi
  for r in cuda host; do
    [ -s "$work/$r.json" ] || continue
    echo
    echo "## tierperf run --mem $r (TCP loopback)"
    echo
    echo '```'
    "$build/tierperf" report "$work/$r.json" 2>&1 | head -60
    echo '```'
  done
  for f in "${failed[@]}"; do
    echo
    echo "## Log of failed step: $f"
    echo
    echo '```'
    tail -40 "$work/$f.log"
    echo '```'
  done
} >"$report"

echo "gpu-check: wrote $report"
[ ${#failed[@]} -eq 0 ] || { echo "gpu-check: failed steps: ${failed[*]}" >&2; exit 1; }

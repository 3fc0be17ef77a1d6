#!/usr/bin/env bash
# gpu-bundle.sh: build, on this machine, everything scripts/gpu-check.sh
# needs on a bare GPU machine (an NVIDIA driver, Python, no package
# archive, no network) into one ignored folder, gpu-bundle/:
#   bin/       tierperf (CUDA, Release), test_mem, mem_copy_bw (tierperf's
#              memory ops), memcpy_ref (the cudaMemcpy reference)
#   lib/       every shared library they and Open MPI load that is not part
#              of glibc or the NVIDIA driver (ldd; libcuda/libnvidia-* come
#              with the driver)
#   ompi/      a relocatable Open MPI runtime: orterun (mpirun), orted, the
#              MCA components, help files and parameter files; pmix/ and
#              hwloc/ the same for PMIx and hwloc's PCI plugin
#   env.sh     sourced by mpirun and gpu-check.sh: PATH, LD_LIBRARY_PATH,
#              OPAL_PREFIX and friends, PMIX_*, HWLOC_PLUGINS_PATH
#   mpirun     wrapper: env.sh, then the bundle's orterun
#   MANIFEST   CUDA runtime version, minimum driver, newest glibc symbol
#              version needed, size, and every file
# Fails when the bundle is over 48 MiB (the repository copied to a GPU
# machine, build folders included, may be 64 MiB at most).
#   scripts/gpu-bundle.sh                   build in build-gpu-bundle/
#   GPU_BUNDLE_DIR=/tmp/b scripts/gpu-bundle.sh
#   CUDA_HOME=/opt/cuda-12.4 scripts/gpu-bundle.sh
#   GPU_BUNDLE_BUILD=build scripts/gpu-bundle.sh   reuse a Release CUDA build
set -euo pipefail
shopt -s nullglob
cd "$(dirname "$0")/.."
src=$PWD
cuda=${CUDA_HOME:-/usr/local/cuda}
build=${GPU_BUNDLE_BUILD:-$src/build-gpu-bundle}
out=${GPU_BUNDLE_DIR:-$src/gpu-bundle}
max_mib=48
jobs=${JOBS:-$(nproc)}
die() { echo "gpu-bundle: $*" >&2; exit 1; }

# --- 1. build with CUDA (own build dir, Release) -----------------------------
[ -x "$cuda/bin/nvcc" ] || die "no nvcc at $cuda/bin/nvcc (set CUDA_HOME)"
# ccache for a fresh build dir only: adding it to an existing one (a
# reused Release build, GPU_BUNDLE_BUILD=build) would rebuild everything.
launcher=()
[ ! -f "$build/CMakeCache.txt" ] && command -v ccache >/dev/null &&
  launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache)
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DTIERPERF_WERROR=ON \
      -DTIERPERF_WITH_CUDA=ON -DCUDAToolkit_ROOT="$cuda" -DTIERPERF_TESTS=ON \
      "${launcher[@]}" >"$build.configure.log" 2>&1 ||
  { tail -20 "$build.configure.log" >&2; die "cmake configure failed (log above)"; }
grep -q 'defs=.*TIERPERF_HAVE_CUDA=1' "$build.configure.log" ||
  die "cmake did not enable CUDA (toolkit under $cuda too old or not found): $(grep 'tierperf:' "$build.configure.log")"
rm -f "$build.configure.log"
cmake --build "$build" -j"$jobs" --target tierperf test_mem mem_copy_bw >/dev/null ||
  die "build failed (rerun: cmake --build $build --target tierperf test_mem mem_copy_bw)"

# The reference: nvcc, or any C++ compiler with the static runtime (it has
# no kernels).  Rebuilt only when its source changed.
ref=$build/memcpy_ref
if [ ! -x "$ref" ] || [ scripts/gpu/memcpy_ref.cu -nt "$ref" ]; then
  "$cuda/bin/nvcc" -O2 -o "$ref" scripts/gpu/memcpy_ref.cu 2>"$build/memcpy_ref.log" ||
    c++ -O2 -x c++ -I"$cuda/include" -o "$ref" scripts/gpu/memcpy_ref.cu \
        -L"$cuda/lib64" -lcudart_static -ldl -lrt -lpthread 2>>"$build/memcpy_ref.log" ||
    { cat "$build/memcpy_ref.log" >&2; die "cannot build scripts/gpu/memcpy_ref.cu"; }
fi

# --- 2. the folder -----------------------------------------------------------
rm -rf "$out"
mkdir -p "$out"/{bin,lib,ompi/bin,ompi/lib,ompi/share,ompi/etc,pmix/lib,pmix/share,hwloc}
cp "$build/tierperf" "$build/test_mem" "$build/mem_copy_bw" "$ref" "$out/bin/"

ompi_pkglib=$(ompi_info --path pkglibdir --parsable 2>/dev/null | sed -n 's/^path:pkglibdir://p')
ompi_data=$(ompi_info --path pkgdatadir --parsable 2>/dev/null | sed -n 's/^path:pkgdatadir://p')
ompi_etc=$(ompi_info --path sysconfdir --parsable 2>/dev/null | sed -n 's/^path:sysconfdir://p')
[ -d "$ompi_pkglib" ] && [ -d "$ompi_data" ] ||
  die "cannot find Open MPI's component and help dirs (ompi_info --path all)"
orterun=$(readlink -f "$(command -v orterun || command -v mpirun)")
cp "$orterun" "$out/ompi/bin/orterun"
cp "$(command -v orted)" "$out/ompi/bin/orted"
cp "$ompi_pkglib"/*.so "$out/ompi/lib/"
cp -r "$ompi_data" "$out/ompi/share/openmpi"
rm -f "$out"/ompi/share/openmpi/*wrapper-data.txt   # compilers: not shipped
cp "$ompi_etc/openmpi-mca-params.conf" "$out/ompi/etc/" 2>/dev/null || : >"$out/ompi/etc/openmpi-mca-params.conf"
: >"$out/ompi/etc/openmpi-default-hostfile"

# PMIx (Debian builds Open MPI 4.1 against an external PMIx): its plugins
# and help files, found from the library Open MPI's pmix component loads.
pmix_so=$(ldd "$ompi_pkglib"/mca_pmix_*.so 2>/dev/null | awk '$1 ~ /^libpmix/ {print $3; exit}')
if [ -n "$pmix_so" ]; then
  pmix_libdir=$(dirname "$(readlink -f "$pmix_so")")
  for d in "$pmix_libdir/pmix" "$pmix_libdir/pmix2/lib/pmix"; do
    [ -d "$d" ] && cp "$d"/*.so "$out/pmix/lib/" && cp -r "$d/../../share/." "$out/pmix/share/" && break
  done
  # Its parameter file points at the system's component dir: ours instead.
  : >"$out/pmix/share/pmix-mca-params.conf"
fi
# hwloc's PCI plugin (without it hwloc sees no PCI devices: --gpu auto).
for p in /usr/lib/x86_64-linux-gnu/hwloc/hwloc_pci.so /usr/lib64/hwloc/hwloc_pci.so; do
  [ -f "$p" ] && cp "$p" "$out/hwloc/" && break
done

# --- 3. every non-system library all of the above loads ----------------------
is_system() {  # glibc and the NVIDIA driver's own libraries
  case "$1" in
    libc.so*|libm.so*|libmvec.so*|ld-linux*|libpthread.so*|libdl.so*|librt.so*|\
    libresolv.so*|libutil.so*|libanl.so*|libnsl.so*|libBrokenLocale.so*|\
    libcuda.so*|libnvidia-*|linux-vdso.so*) return 0 ;;
  esac
  return 1
}
missing=()
elves=("$out"/bin/* "$out"/ompi/bin/* "$out"/ompi/lib/*.so "$out"/pmix/lib/*.so "$out"/hwloc/*.so)
while read -r name path; do
  is_system "$name" && continue
  if [ "$path" = "not" ] || [ ! -f "$path" ]; then
    missing+=("$name"); continue
  fi
  [ -e "$out/lib/$name" ] || cp -L "$path" "$out/lib/$name"
done < <(for f in "${elves[@]}"; do
           LD_LIBRARY_PATH="$out/lib" ldd "$f" 2>/dev/null | awk '$2 == "=>" {print $1, $3}'
         done | sort -u)
# A component whose libraries exist nowhere here would not load here either
# (Open MPI skips it); only the programs' own must all be found.
for f in "$out"/bin/* "$out"/ompi/bin/*; do
  if ldd "$f" 2>/dev/null | grep -q 'not found'; then
    die "$f needs a library found nowhere on this machine: $(ldd "$f" | grep 'not found' | head -3 | tr '\n' ' ')"
  fi
done
[ ${#missing[@]} -eq 0 ] || echo "gpu-bundle: note: not found here, components needing them are skipped: ${missing[*]}" >&2

# --- 4. environment and launcher ---------------------------------------------
cat >"$out/env.sh" <<'EOF'
# env.sh: source to run the bundle's programs (scripts/gpu-bundle.sh).
b=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export PATH="$b:$b/bin:$b/ompi/bin:$PATH"
export LD_LIBRARY_PATH="$b/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
# Open MPI 4.1: everything relative to OPAL_PREFIX, and the dirs Debian
# configures outside it (sysconfdir /etc/openmpi) named one by one.
export OPAL_PREFIX="$b/ompi" OPAL_EXEC_PREFIX="$b/ompi" OPAL_BINDIR="$b/ompi/bin"
export OPAL_LIBDIR="$b/lib" OPAL_PKGLIBDIR="$b/ompi/lib"
export OPAL_DATADIR="$b/ompi/share" OPAL_DATAROOTDIR="$b/ompi/share"
export OPAL_PKGDATADIR="$b/ompi/share/openmpi" OPAL_SYSCONFDIR="$b/ompi/etc"
export OMPI_MCA_mca_base_component_path="$b/ompi/lib"
export PMIX_PREFIX="$b/pmix" PMIX_EXEC_PREFIX="$b/pmix" PMIX_LIBDIR="$b/pmix/lib"
export PMIX_PKGLIBDIR="$b/pmix/lib" PMIX_PKGDATADIR="$b/pmix/share/pmix"
export PMIX_MCA_mca_base_component_path="$b/pmix/lib"
export OMPI_MCA_pmix_ext3x_silence_warning=1
export HWLOC_PLUGINS_PATH="$b/hwloc"
unset b
EOF
cat >"$out/mpirun" <<'EOF'
#!/usr/bin/env bash
# The bundle's Open MPI launcher: its environment, then its orterun.
. "$(dirname "$(readlink -f "$0")")/env.sh"
exec orterun "$@"
EOF
chmod +x "$out/mpirun"

# --- 5. manifest and size -------------------------------------------------------
cuda_ver=$("$cuda/bin/nvcc" --version | sed -n 's/.*release \([0-9.]*\),.*/\1/p')
glibc_need=$(for f in "$out"/bin/* "$out"/ompi/bin/* "$out"/lib/* "$out"/ompi/lib/*.so "$out"/pmix/lib/*.so; do
               objdump -T "$f" 2>/dev/null | grep -o 'GLIBC_[0-9.]*'
             done | sort -t_ -k2 -V -u | tail -n1 || true)
kib=$(du -sk "$out" | cut -f1)
{
  echo "cuda_runtime $cuda_ver (static cudart; the driver must support CUDA $cuda_ver or newer)"
  echo "glibc_needed ${glibc_need#GLIBC_}"
  echo "built $(date -u +%Y-%m-%dT%H:%MZ) on $(. /etc/os-release && echo "$PRETTY_NAME"), tierperf $(git -C "$src" describe --always --dirty 2>/dev/null || echo '?')"
  echo "size_kib $kib"
  (cd "$out" && find . -type f | sort)
} >"$out/MANIFEST"
echo "gpu-bundle: $out: $((kib / 1024)) MiB ($kib KiB, limit $max_mib MiB), CUDA runtime $cuda_ver, needs glibc >= ${glibc_need#GLIBC_}"
[ "$kib" -le $((max_mib * 1024)) ] || die "bundle is $((kib / 1024)) MiB, over the $max_mib MiB limit"

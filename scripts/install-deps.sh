#!/usr/bin/env bash
# install-deps.sh: install every Debian 12 package tierperf needs to build,
# test and run its simulated cluster.  Idempotent; needs root (or sudo).
set -euo pipefail

PKGS=(
  build-essential cmake pkg-config git ca-certificates
  openmpi-bin libopenmpi-dev
  libcjson-dev libyaml-dev libhwloc-dev libnuma-dev
  libibverbs-dev librdmacm-dev ibverbs-providers
  libcriterion-dev
  iproute2 procps util-linux kmod gdb
  iperf iperf3 sockperf
  prometheus
  python3 python3-yaml time
  nodejs shellcheck
)
# extra groups, asked for by name: guest (soft-RoCE qemu), browser, fuzz,
# lint, slurm (Slurm 22.05 daemons, clients and its PMIx plugin: the
# daemons scripts/simslurm.sh starts with its own config, not the services)
for group in "$@"; do
  case "$group" in
    guest)   PKGS+=(qemu-system-x86 ibverbs-utils perftest busybox-static cpio rdmacm-utils) ;;
    browser) PKGS+=(chromium fonts-dejavu-core) ;;
    fuzz)    PKGS+=(clang libclang-rt-14-dev) ;;
    lint)    PKGS+=(clang-tidy cppcheck) ;;
    slurm)   PKGS+=(slurmctld slurmd slurm-client munge slurm-wlm-basic-plugins) ;;
    *) echo "install-deps.sh: unknown group '$group' (guest, browser, fuzz, lint, slurm)" >&2; exit 2 ;;
  esac
done

# npm runs the manifest schema checks (tests/manifests).  Debian's nodejs
# comes without it; a NodeSource nodejs bundles its own and conflicts with
# Debian's npm package, so ask for npm only when no npm is on PATH.
command -v npm >/dev/null 2>&1 || PKGS+=(npm)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"

#!/usr/bin/env bash
# kernel.sh CACHE_DIR: fetch Debian's guest kernel (the package that
# linux-image-amd64 depends on) with `apt-get download`, unpack it with
# `dpkg-deb -x` and run depmod on the copy; nothing is installed on the
# host.  Prints the unpacked directory; reuses it when already there.
set -euo pipefail

cache=${1:?usage: kernel.sh CACHE_DIR}
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)

pkg=${TIERPERF_GUEST_KERNEL_PKG:-}
if [ -z "$pkg" ]; then
  pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
        awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
fi
if [ -z "$pkg" ]; then
  echo "guest: cannot tell which kernel linux-image-amd64 depends on (run apt-get update, or set TIERPERF_GUEST_KERNEL_PKG)" >&2
  exit 1
fi
kver=${pkg#linux-image-}
dir="$cache/kernel-$kver"
if [ -f "$dir/.ready" ]; then
  echo "$dir"
  exit 0
fi

rm -rf "$dir" "$cache/dl"
mkdir -p "$cache/dl"
# _apt cannot write into a root-owned folder; that only costs a warning
if ! (cd "$cache/dl" && apt-get download -q "$pkg" >/dev/null 2>"$cache/dl/apt.err"); then
  echo "guest: apt-get download $pkg failed: $(grep -v '^W:' "$cache/dl/apt.err" | head -n1)" >&2
  exit 1
fi
dpkg-deb -x "$cache"/dl/"$pkg"_*.deb "$dir"
depmod -b "$dir" "$kver"
[ -f "$dir/boot/vmlinuz-$kver" ] || { echo "guest: $pkg has no /boot/vmlinuz-$kver" >&2; exit 1; }
echo "$kver" > "$dir/.kver"
rm -rf "$cache/dl"
touch "$dir/.ready"
echo "$dir"

#!/usr/bin/env bash
# initramfs.sh KERNEL_DIR OUT: a tiny initramfs of busybox (static), the
# virtio/9p/overlay modules with their dependencies in load order, and
# scripts/guest/init as /init.
set -euo pipefail

kdir=${1:?usage: initramfs.sh KERNEL_DIR OUT}
out=${2:?usage: initramfs.sh KERNEL_DIR OUT}
here=$(cd "$(dirname "$0")" && pwd)
kver=$(cat "$kdir/.kver")
mods="$kdir/lib/modules/$kver"
busybox=/bin/busybox
[ -x "$busybox" ] || { echo "guest: $busybox not found (scripts/install-deps.sh guest)" >&2; exit 1; }
if ldd "$busybox" >/dev/null 2>&1; then
  echo "guest: $busybox is dynamically linked; the initramfs needs busybox-static" >&2
  exit 1
fi

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,dev,proc,sys,mnt,newroot,modules}
cp "$busybox" "$stage/bin/busybox"
for applet in sh mount umount mkdir insmod switch_root cat sleep echo poweroff ls mknod; do
  ln -s busybox "$stage/bin/$applet"
done

# Dependencies first (depth-first over modules.dep), each module once.
declare -A seen=()
order=()
add_module() {
  local rel=$1 deps dep
  [ -n "${seen[$rel]:-}" ] && return
  seen[$rel]=1
  deps=$(awk -v m="$rel:" '$1 == m { $1 = ""; print; exit }' "$mods/modules.dep")
  for dep in $deps; do add_module "$dep"; done
  order+=("$rel")
}
for name in virtio_pci 9pnet_virtio 9p overlay; do
  rel=$(awk -F: -v n="/$name.ko" 'index($1, n) && substr($1, length($1) - length(n) + 1) == n { print $1; exit }' "$mods/modules.dep")
  [ -n "$rel" ] || { echo "guest: module $name not in $mods/modules.dep" >&2; exit 1; }
  add_module "$rel"
done
: > "$stage/modules/order"
for rel in "${order[@]}"; do
  base=$(basename "$rel")
  case "$rel" in
    *.ko) cp "$mods/$rel" "$stage/modules/$base" ;;
    *.ko.xz) xz -dc "$mods/$rel" > "$stage/modules/${base%.xz}"; base=${base%.xz} ;;
    *.ko.zst) zstd -qdc "$mods/$rel" > "$stage/modules/${base%.zst}"; base=${base%.zst} ;;
  esac
  echo "$base" >> "$stage/modules/order"
done

install -m 0755 "$here/init" "$stage/init"
(cd "$stage" && find . | cpio -o -H newc --quiet) | gzip -1 > "$out.tmp"
mv "$out.tmp" "$out"

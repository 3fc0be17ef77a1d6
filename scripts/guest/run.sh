#!/usr/bin/env bash
# run.sh: run a command inside a qemu guest (TCG, -nic none) that has
# soft-RoCE: one rxe device, rxe0, on veth0 (198.18.0.1/24), GID index 1
# its RoCE v2 IPv4 GID.  The guest sees the host's / read-only (with a
# tmpfs overlay, so it can write anywhere) and the work folder read-write
# at the same path, so host-built binaries run unchanged.
#
#   scripts/guest/run.sh [--timeout S] [--work DIR] [--env NAME]... -- CMD [ARG]...
#
# Prints the command's output; exits with its status, or 97 when the guest
# did not boot or finish (console tail shown).  The kernel (Debian's, via
# apt-get download; nothing installed) and initramfs are cached under
# $TIERPERF_GUEST_CACHE (default: <repo>/.guest).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cache=${TIERPERF_GUEST_CACHE:-$repo/.guest}
cmd_timeout=600
work=
envs=(OMPI_ALLOW_RUN_AS_ROOT OMPI_ALLOW_RUN_AS_ROOT_CONFIRM)

usage() { echo "usage: run.sh [--timeout S] [--work DIR] [--env NAME]... -- CMD [ARG]..." >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --timeout) cmd_timeout=${2:?}; shift 2 ;;
    --work) work=${2:?}; shift 2 ;;
    --env) envs+=("${2:?}"); shift 2 ;;
    --) shift; break ;;
    *) usage ;;
  esac
done
[ $# -gt 0 ] || usage

for tool in qemu-system-x86_64 apt-get dpkg-deb depmod cpio; do
  command -v "$tool" >/dev/null || { echo "guest: $tool not found (scripts/install-deps.sh guest)" >&2; exit 97; }
done

mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
kdir=$("$here/kernel.sh" "$cache") || exit 97
kver=$(cat "$kdir/.kver")
initrd="$kdir/initramfs.gz"
if [ ! -f "$initrd" ] || [ "$here/init" -nt "$initrd" ] || [ "$here/initramfs.sh" -nt "$initrd" ]; then
  "$here/initramfs.sh" "$kdir" "$initrd" || exit 97
fi

own_work=0
if [ -z "$work" ]; then
  work=$(mktemp -d "$cache/work.XXXXXX")
  own_work=1
fi
mkdir -p "$work"
work=$(cd "$work" && pwd)
rm -f "$work/rc" "$work/output.log" "$work/console.log"
cp "$here/stage2.sh" "$work/stage2.sh"
echo "$cmd_timeout" > "$work/timeout"
{
  echo "cd $(printf %q "$PWD") || exit 96"
  for name in "${envs[@]}"; do
    [ -n "${!name+x}" ] && echo "export $name=$(printf %q "${!name}")"
  done
  printf '%q ' "$@"
  echo
} > "$work/cmd.sh"

# tsc=reliable clocksource=tsc: without them clock_gettime in the guest
# costs ~1 us, which ruins self-timed benchmarks.
start=$(date +%s)
set +e
timeout -k 10 $((cmd_timeout + 120)) qemu-system-x86_64 \
  -accel tcg,thread=multi -cpu max -smp 2 -m 2G \
  -display none -monitor none -serial "file:$work/console.log" -no-reboot -nic none \
  -kernel "$kdir/boot/vmlinuz-$kver" -initrd "$initrd" \
  -append "console=ttyS0 quiet panic=-1 tsc=reliable clocksource=tsc tierperf.work=$work tierperf.kdir=$kdir" \
  -virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
  -virtfs "local,path=$work,mount_tag=work,security_model=none"
qemu_rc=$?
set -e

[ -f "$work/output.log" ] && cat "$work/output.log"
if [ ! -f "$work/rc" ]; then
  echo "guest: the guest did not boot or did not finish (qemu exit $qemu_rc after $(( $(date +%s) - start ))s); console tail:" >&2
  tail -n 20 "$work/console.log" >&2 2>/dev/null || true
  [ $own_work -eq 1 ] && rm -rf "$work"
  exit 97
fi
rc=$(cat "$work/rc")
echo "guest: command exited $rc after $(( $(date +%s) - start ))s in the guest" >&2
[ $own_work -eq 1 ] && rm -rf "$work"
exit "$rc"

#!/bin/sh
# stage2.sh: runs in the guest after switch_root, from the shared work
# folder (copied there by run.sh).  Brings up soft-RoCE (one rxe device on
# a veth end, 198.18.0.1/24), runs $work/cmd.sh under a timeout, leaves
# its output in $work/output.log and its exit status in $work/rc, and
# powers the guest off.
work=$(dirname "$0")
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root
cmd_timeout=$(cat "$work/timeout" 2>/dev/null || echo 600)

log() { echo "guest: $*"; echo "guest: $*" >> "$work/output.log"; }
finish() {
    echo "$1" > "$work/rc"
    sync
    echo o > /proc/sysrq-trigger
    sleep 10
}

: > "$work/output.log"
hostname tierperf-guest
echo "127.0.1.1 tierperf-guest" >> /etc/hosts
ip link set lo up
if ! modprobe rdma_rxe || ! modprobe veth; then
    log "modprobe rdma_rxe/veth failed"; finish 90
fi
ip link add veth0 type veth peer name veth1 &&
ip addr add 198.18.0.1/24 dev veth0 &&
ip link set veth1 up && ip link set veth0 up || { log "veth setup failed"; finish 91; }
if ! rdma link add rxe0 type rxe netdev veth0 >> "$work/output.log" 2>&1; then
    log "rdma link add rxe0 failed"; finish 92
fi
# rdma_ucm: /dev/infiniband/rdma_cm, for --rdma-cm (librdmacm)
modprobe rdma_ucm >> "$work/output.log" 2>&1 || log "modprobe rdma_ucm failed (--rdma-cm will not work)"
i=0
while [ "$(cat /sys/class/infiniband/rxe0/ports/1/state 2>/dev/null)" != "4: ACTIVE" ]; do
    i=$((i + 1))
    [ $i -gt 100 ] && { log "rxe0 port 1 never became ACTIVE"; finish 93; }
    sleep 0.1
done

log "rxe0 up at $(cut -d' ' -f1 /proc/uptime)s of guest uptime; running the command"
timeout -k 5 "$cmd_timeout" /bin/bash "$work/cmd.sh" >> "$work/output.log" 2>&1
rc=$?
log "command done at $(cut -d' ' -f1 /proc/uptime)s, exit $rc"
[ $rc -eq 124 ] && log "command timed out after ${cmd_timeout}s"
finish $rc

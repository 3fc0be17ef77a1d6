#!/usr/bin/env bash
# tierperf-pod: what a tierperf pod runs in a Volcano MPI Job.
#   tierperf-pod rank              a rank's pod: sshd only; mpirun starts the
#                                  rank through it
#   tierperf-pod launch ARGS...    the launcher's pod: rank 0 here, the other
#                                  ranks on $MPI_HOST, `tierperf ARGS...`
#                                  under mpirun; then report (and recommend
#                                  when TIERPERF_NEED is set) and keep the
#                                  results for `kubectl cp` a while
#   tierperf-pod exec ARGS...      what mpirun starts in every pod: tierperf
#                                  with this pod's node name
# Environment: TIERPERF_NODE_NAME (downward API spec.nodeName, required),
# MPI_HOST (set by Volcano's mpi plugin), TIERPERF_OUT, TIERPERF_NEED,
# TIERPERF_HOLD_SECONDS (default 600), TIERPERF_CONTROL_IF (interface for
# MPI's own traffic, e.g. eth0 when hostNetwork exposes many),
# TIERPERF_WAIT_SECONDS (for the rank pods' sshd, default 300).
set -euo pipefail

say() { echo "tierperf-pod: $*" >&2; }
die() { say "$*"; exit 2; }

# Ranks started by mpirun through ssh do not see the pod's environment, so
# the node name the downward API gave the pod is kept in a file for them.
node_file=${TIERPERF_NODE_FILE:-/run/tierperf/node-name}
ssh_port=${TIERPERF_SSH_PORT:-2222}   # as in /etc/ssh/sshd_config.d/tierperf.conf

keep_node_name() {
  [ -n "${TIERPERF_NODE_NAME:-}" ] ||
    die "TIERPERF_NODE_NAME is not set: add it from the downward API (fieldRef spec.nodeName)"
  case "$TIERPERF_NODE_NAME" in
    *[!A-Za-z0-9._-]*) die "TIERPERF_NODE_NAME '$TIERPERF_NODE_NAME' is not a node name" ;;
  esac
  mkdir -p "$(dirname "$node_file")"
  printf '%s\n' "$TIERPERF_NODE_NAME" >"$node_file"
}

serve_sshd() {  # sshd in the foreground, with host keys made for this pod;
  # exec, so the kubelet's SIGTERM reaches sshd (bash as PID 1 ignores it)
  ssh-keygen -A >/dev/null
  mkdir -p /run/sshd
  exec /usr/sbin/sshd -D -e
}

wait_for_ssh() {  # wait_for_ssh HOST...: every rank pod's sshd answers
  local deadline=$((SECONDS + ${TIERPERF_WAIT_SECONDS:-300})) h
  for h in "$@"; do
    until timeout 5 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$h" "$ssh_port" 2>/dev/null; do
      [ "$SECONDS" -lt "$deadline" ] || die "rank pod $h: no sshd on port $ssh_port after ${TIERPERF_WAIT_SECONDS:-300} s"
      sleep 2
    done
  done
}

launch() {
  local hosts out rc=0
  hosts=${MPI_HOST:-}
  # The svc plugin's host file is the same list, one name a line.
  [ -n "$hosts" ] || [ ! -r /etc/volcano/rank.host ] || hosts=$(paste -sd, /etc/volcano/rank.host)
  [ -n "$hosts" ] || die "MPI_HOST is empty: is the Volcano mpi plugin enabled with --worker=rank?"
  IFS=, read -r -a ranks <<<"$hosts"
  wait_for_ssh "${ranks[@]}"
  out=${TIERPERF_OUT:-/results/tiers.json}
  mkdir -p "$(dirname "$out")"

  local mca=(--mca pml ob1 --mca btl "tcp,self")   # MPI is only the control plane
  if [ -n "${TIERPERF_CONTROL_IF:-}" ]; then
    mca+=(--mca btl_tcp_if_include "$TIERPERF_CONTROL_IF" --mca oob_tcp_if_include "$TIERPERF_CONTROL_IF")
  fi
  say "rank 0 on $TIERPERF_NODE_NAME, ${#ranks[@]} more on: $hosts"
  # Rank 0 runs in this pod (it writes the results here); one rank per pod,
  # one pod per node (the Job's podAntiAffinity).  Binding is left to
  # tierperf, which places itself near the NIC.
  mpirun --allow-run-as-root --host "$(hostname),$hosts" -np $((${#ranks[@]} + 1)) \
    --map-by node --bind-to none "${mca[@]}" \
    tierperf-pod exec "$@" || rc=$?
  if [ "$rc" -eq 0 ] && [ -s "$out" ]; then
    tierperf report "$out" || rc=$?
    if [ -n "${TIERPERF_NEED:-}" ]; then
      tierperf recommend "$out" --need "$TIERPERF_NEED" || rc=$?
    fi
    echo "---- BEGIN $out"
    cat "$out"
    echo "---- END $out"
  elif [ "$rc" -ne 0 ]; then
    say "tierperf exited with status $rc"
  elif [ "${1:-}" = run ]; then
    say "tierperf run wrote no results to $out (does --out match TIERPERF_OUT?)"
    rc=1
  fi
  say "results stay in $(hostname):$out for ${TIERPERF_HOLD_SECONDS:-600} s (kubectl cp)"
  # In the background and waited for, so SIGTERM (kubectl delete) ends the
  # hold at once instead of after the grace period.
  trap 'exit "$rc"' TERM
  sleep "${TIERPERF_HOLD_SECONDS:-600}" &
  wait $!
  exit "$rc"
}

case "${1:-}" in
  rank)   keep_node_name; serve_sshd ;;
  launch) shift; keep_node_name; launch "$@" ;;
  exec)
    shift
    [ -r "$node_file" ] || die "$node_file missing: this pod was not started by tierperf-pod rank/launch"
    TIERPERF_NODE_NAME=$(cat "$node_file") exec tierperf "$@" ;;
  *) die "usage: tierperf-pod rank | launch TIERPERF-ARGS... | exec TIERPERF-ARGS..." ;;
esac

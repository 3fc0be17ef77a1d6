# shellcheck shell=bash
# sim_stall_dump.sh: what a simulated-cluster test prints when a run it
# started takes too long, so that a stall seen once in CI can be read
# afterwards.  Source it after lib.sh; needs TIERPERF_SIM_PREFIX.
#   e2e_sim_watch PID LOG AFTER_S: wait for PID; if it is still running
#     after AFTER_S seconds, print the dump below and stop it (SIGTERM:
#     start it under `timeout -k`).  Returns PID's exit status.
#   e2e_sim_dump LOG: the last 40 lines of LOG; every tierperf rank of the
#     cluster with its node and the stacks of all its threads (gdb, when
#     installed); each node's qdisc statistics (tc -s) and TCP sockets
#     (ss -tnio); the fabric's qdisc statistics.

e2e_sim_dump() {   # LOG
    local log=$1 pid ns
    echo "---- stall dump $(date -u +%H:%M:%SZ): last lines of $log"
    tail -n 40 "$log" 2>/dev/null || true
    for pid in $(pgrep -x tierperf || true); do
        ns=$(ip netns identify "$pid" 2>/dev/null || true)
        case "$ns" in "$TIERPERF_SIM_PREFIX"*) ;; *) continue ;; esac
        echo "---- rank pid $pid in $ns"
        if command -v gdb >/dev/null; then
            timeout 60 gdb -p "$pid" -batch -ex 'thread apply all bt' 2>&1 |
                grep -E '^(Thread|#)' || true
        else
            echo "(gdb not installed: no stacks)"
            grep -E '^(State|Threads)' "/proc/$pid/status" 2>/dev/null || true
        fi
    done
    for ns in $(ip netns list | awk '{print $1}'); do
        case "$ns" in "$TIERPERF_SIM_PREFIX"*) ;; *) continue ;; esac
        echo "---- $ns: qdiscs"
        ip netns exec "$ns" tc -s qdisc show 2>&1 | grep -vE '^ *$' || true
        case "$ns" in *fabric) continue ;; esac
        echo "---- $ns: TCP sockets"
        ip netns exec "$ns" ss -tnio 2>&1 || true
    done
    echo "---- end of stall dump"
}

e2e_sim_watch() {   # PID LOG AFTER_S
    local pid=$1 log=$2 after=$3 waited=0 rc
    while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt "$after" ]; do
        sleep 1
        waited=$((waited + 1))
    done
    if kill -0 "$pid" 2>/dev/null; then
        echo "run still going after ${after} s: dumping its state" >&2
        e2e_sim_dump "$log" >&2
        kill "$pid" 2>/dev/null || true
    fi
    set +e
    wait "$pid"
    rc=$?
    set -e
    return "$rc"
}

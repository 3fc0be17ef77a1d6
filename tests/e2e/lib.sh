# lib.sh: the start the end-to-end tests share.  Source it first thing:
#   . "$(dirname "$0")/lib.sh" "$@"        (args: BUILD_DIR SOURCE_DIR)
# Sets build and src (absolute paths), bin (the tierperf binary), check
# (run_json_check.py), fail (one FAIL line, exit 1), Open MPI's permission
# to run as root and the LeakSanitizer suppressions; e2e_need_root skips a
# test (exit 0 with a SKIP line) when not root.
set -euo pipefail
build=$(cd "${1:?usage: $(basename "$0") BUILD_DIR SOURCE_DIR}" && pwd)
src=$(cd "${2:-$(dirname "$0")/../..}" && pwd)
bin="$build/tierperf"
check="python3 $src/tests/e2e/run_json_check.py"
fail() { echo "FAIL: $*" >&2; exit 1; }
e2e_need_root() {
  if [ "$(id -u)" -ne 0 ]; then echo "SKIP: not root: $*"; exit 0; fi
}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
if [ -f "$src/tests/lsan.supp" ]; then
  export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$src/tests/lsan.supp:print_suppressions=0}"
fi
[ -x "$bin" ] || fail "$bin not built"
# e2e_measured FILE [ok|all|marked]: the measurements in a results file or
# its journal, one line each (tests/e2e/measured.py says the forms).
e2e_measured() { python3 "$src/tests/e2e/measured.py" "$@"; }
# e2e_sim_work NAME PREFIX: what a simulated-cluster test needs before the
# cluster is up (root only, else SKIP): namespaces under PREFIX plus this
# shell's pid, their state and the test's files in a fresh $work
# (/tmp/tierperf-NAME.*), TIERPERF_SIM_RATES as the test set it (default
# 600,250,100).  On exit the job in $launcher (if any) is killed, the
# cluster torn down and $work removed.
e2e_sim_work() {
    e2e_need_root "network namespaces need root (CI runs as root)"
    work=$(mktemp -d "/tmp/tierperf-$1.XXXXXX")
    export TIERPERF_SIM_PREFIX="$2$$-" TIERPERF_SIM_STATE="$work/state"
    export TIERPERF_SIM_RATES=${TIERPERF_SIM_RATES:-600,250,100} TIERPERF_BIN="$bin"
    launcher=""
    trap e2e_sim_down EXIT
}
# e2e_sim_up NAME PREFIX [TOPOLOGY]: e2e_sim_work, then the cluster of
# TOPOLOGY (default sim-8node-3tier; in $topo) up.
e2e_sim_up() {
    e2e_sim_work "$1" "$2"
    topo=${3:-$src/topologies/sim-8node-3tier.yaml}
    "$src/scripts/simcluster.sh" up "$topo" >/dev/null
}
e2e_sim_down() {
    if [ -n "${launcher:-}" ]; then kill "$launcher" 2>/dev/null || true; fi
    "$src/scripts/simcluster.sh" down >/dev/null 2>&1 || echo "warning: teardown failed" >&2
    rm -rf "$work"
}
# e2e_sim_dev NODE: the fabric's end of NODE's link (eth0 in NODE's own
# namespace).
e2e_sim_dev() {
    local idx
    idx=$(awk '$1 == "node" {print $2}' "$TIERPERF_SIM_STATE/cluster.$TIERPERF_SIM_PREFIX" |
          grep -nx "$1" | cut -d: -f1)
    [ -n "$idx" ] || fail "$1 not in the cluster state"
    echo "n$((idx - 1))"
}
# e2e_wait_launcher: wait for the job in $launcher; sets rc and took
# (seconds since $t0).
e2e_wait_launcher() {
    set +e
    wait "$launcher"
    rc=$?
    set -e
    launcher=""
    took=$(($(date +%s) - t0))
}
# e2e_job_ended LABEL LOG WHAT BOUND [RC]: the end of the job in $launcher
# after WHAT (the fault, at $t0): waits for it (e2e_wait_launcher), shows
# LOG and one line, and fails when it hung (timeout's 124), exited 0 (or
# other than RC when given), or ended more than BOUND s after WHAT.  LABEL
# (may be empty) names the case in these lines.
e2e_job_ended() {
    local p=${1:+$1: } log=$2 what=$3 bound=$4 want=${5:-}
    e2e_wait_launcher
    cat "$log"
    echo "${p}job ended ${took} s after $what, exit $rc"
    [ "$rc" -ne 124 ] || fail "${p}the job hung"
    if [ -n "$want" ]; then
        [ "$rc" -eq "$want" ] || fail "${p}exit $rc after $what, expected $want"
    else
        [ "$rc" -ne 0 ] || fail "${p}exit 0 after $what"
    fi
    [ "$took" -le "$bound" ] || fail "${p}the job ended ${took} s after $what (bound $bound s)"
}
# e2e_kept LABEL WHAT BEFORE KEPT: every measurement line of BEFORE (seen
# before WHAT) is among those of KEPT (what the run left), else fail.
e2e_kept() {
    local missing
    missing=$(comm -23 <(sort <<<"$3") <(sort <<<"$4"))
    [ -z "$missing" ] || fail "${1:+$1: }measurements journalled before $2 lost: $missing"
}

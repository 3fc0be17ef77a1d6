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

#!/usr/bin/env bash
# test_cli_options.sh: every subcommand answers a misspelled option with one
# line naming it and a "did you mean", an option without its value with one
# line, exits 2, and lists its exit statuses in --help (issue 16).
#   args: BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/lib.sh" "$@"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# command|misspelled option|the option it should suggest|an option that needs a value
cases=(
  "run|--sizs|--sizes|--timeout"
  "report|--htlm|--html|--html"
  "topo|--chek|--check|--nodes"
  "check|--profle|--profile|--size"
  "recommend|--ned|--need|--need"
  "estimate|--targt|--target|--target"
  "infer|--prefx|--prefix|--prefix"
  "compare|--hlep|--help|"
)
for c in "${cases[@]}"; do
  IFS='|' read -r cmd typo want needs <<<"$c"
  rc=0
  "$bin" "$cmd" "$typo" x.json y.json >"$work/out" 2>"$work/err" || rc=$?
  [ "$rc" -eq 2 ] || fail "$cmd $typo: exit $rc, want 2"
  [ "$(wc -l <"$work/err")" -eq 1 ] || fail "$cmd $typo: not one line: $(cat "$work/err")"
  grep -q -- "unknown option '$typo' (did you mean $want?" "$work/err" ||
    fail "$cmd $typo: no 'did you mean $want': $(cat "$work/err")"
  [ ! -s "$work/out" ] || fail "$cmd $typo: wrote to stdout"
  if [ -n "$needs" ]; then
    rc=0
    "$bin" "$cmd" "$needs" >"$work/out" 2>"$work/err" || rc=$?
    [ "$rc" -eq 2 ] || fail "$cmd $needs (no value): exit $rc, want 2"
    [ "$(wc -l <"$work/err")" -eq 1 ] && grep -q -- "option '$needs' needs a value" "$work/err" ||
      fail "$cmd $needs (no value): $(cat "$work/err")"
  fi
  "$bin" "$cmd" --help >"$work/help" 2>&1 || fail "$cmd --help: non-zero exit"
  grep -qi "exit status: 0" "$work/help" || fail "$cmd --help lists no exit statuses"
done
# a word that is far from every option gets no guess
rc=0
"$bin" check --frobnicate x.json 2>"$work/err" || rc=$?
[ "$rc" -eq 2 ] && grep -q "unknown option '--frobnicate' (see tierperf check --help)" "$work/err" ||
  fail "check --frobnicate: $(cat "$work/err")"
# values refused with one line naming what was wrong (issue 16)
fx="$src/tests/fixtures/results/recommend.json"
bad_value() {   # expected-text args...
  local want=$1; shift
  rc=0
  "$bin" "$@" >"$work/out" 2>"$work/err" || rc=$?
  [ "$rc" -eq 2 ] || fail "$*: exit $rc, want 2"
  [ "$(wc -l <"$work/err")" -eq 1 ] && grep -qF -- "$want" "$work/err" ||
    fail "$*: want one line with '$want', got: $(cat "$work/err")"
}
bad_value "--need must be more than 0" recommend "$fx" --need 0
bad_value "--role-need must be more than 0" recommend "$fx" --need 1 --role-need 0Gbit/s
bad_value "--need given twice" recommend "$fx" --need 10 --need 20
bad_value "--mode 'medium': expected hard or soft" recommend "$fx" --need 10 --mode medium
bad_value "unexpected argument 'minute'" estimate --model-size 10GB --target 1 minute
bad_value "size '0.5': not a whole number of bytes" estimate --model-size 0.5 --target 1s
bad_value "--sizes '0.5': size '0.5': not a whole number of bytes" run --size 4Ki --sizes 0.5
"$bin" recommend "$fx" --need 10 --mode soft >"$work/out" || fail "recommend --mode soft failed"
grep -q "mode: soft" "$work/out" && ! grep -q "mode: hard" "$work/out" ||
  fail "recommend --mode soft: $(cat "$work/out")"
echo "PASS: test_cli_options"

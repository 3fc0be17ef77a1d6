#!/usr/bin/env bash
# test_run_interrupt.sh: SIGTERM and SIGINT to mpirun mid-run.  mpirun
# passes the stop on to its ranks (Open MPI 4.1: SIGCONT, then SIGTERM,
# then SIGKILL about half a second later).  Rank 0 must say "interrupted"
# in one line, write the results so far (complete: false) holding every
# measurement the journal had before the signal, and the job must end
# within a few seconds with a non-zero status.
#   args: BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/lib.sh" "$@"
tmp=$(mktemp -d)
launcher=""
cleanup() {
  [ -n "$launcher" ] && kill -KILL "$launcher" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

# "src:size" of every complete measurement line of a journal or results file
measured() { e2e_measured "$1"; }

interrupt() {   # SIGNAL
  local sig=$1 out="$tmp/$1.json" journal="$tmp/$1.json.journal.jsonl" mpirun_pid=""
  # pairs: 2 pairs in one round, 6 sizes of about 2 s each
  timeout 120 mpirun -np 4 --oversubscribe --bind-to none --mca btl self,vader "$bin" run \
    --transport tcp --if lo --pattern pairs --sizes 4K,16K,64K,256K,512K,1M --duration 1 \
    --lat-iters 20 --timeout 3 --quiet --out "$out" >"$tmp/$sig.out" 2>&1 &
  launcher=$!
  for _ in $(seq 600); do   # two measurements journalled
    [ "$(measured "$journal" | wc -l)" -ge 2 ] && break
    kill -0 "$launcher" 2>/dev/null || break
    sleep 0.1
  done
  before=$(measured "$journal")
  [ "$(wc -l <<<"$before")" -ge 2 ] || { cat "$tmp/$sig.out"; fail "$sig: nothing journalled"; }
  mpirun_pid=$(pgrep -P "$launcher" -x mpirun || true)
  [ -n "$mpirun_pid" ] || fail "$sig: mpirun not found"
  t0=$(date +%s)
  kill "-$sig" "$mpirun_pid"
  e2e_job_ended "$sig" "$tmp/$sig.out" "the signal" 15
  [ "$(grep -c 'interrupted' "$tmp/$sig.out")" -eq 1 ] ||
    fail "$sig: rank 0 did not say 'interrupted' in exactly one line"
  grep -Eq "tierperf\[0\]: error: interrupted by SIG(TERM|INT): results so far saved in $out \(complete: false\)" \
    "$tmp/$sig.out" || fail "$sig: no 'interrupted ... saved' line from rank 0"
  python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(d['complete'] is not False)" \
    "$out" || fail "$sig: $out does not say complete: false"
  e2e_kept "$sig" "the signal" "$before" "$(measured "$out")"
}

interrupt TERM
interrupt INT
echo "PASS: SIGTERM and SIGINT: one 'interrupted' line, results saved (complete: false), job ended"

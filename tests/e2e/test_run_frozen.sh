#!/usr/bin/env bash
# test_run_frozen.sh: a rank frozen for good (SIGSTOP, never continued).
# The run must not wait for it: its pair fails within --timeout (the
# other side reports the failure, whichever side froze), the
# other pair carries on and is measured in full, and then rank 0 saves the
# results (complete: false) and ends the job (MPI_Abort, exit non-zero),
# well within the bound `run --help` states; every measurement journalled
# before the freeze is in the saved file.  Once with the frozen rank
# receiving (rank 3 of pair 2->3), once sending (rank 2).  Then rank 0
# itself: the others hear no heartbeat from it and end the job within
# 4 x --timeout (the bound run --help states), with one line naming rank 0
# and its node, exit non-zero, every measurement journalled before the
# freeze kept, and no rank left behind.
#   args: BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/lib.sh" "$@"
tmp=$(mktemp -d)
launcher=""
victim=""
cleanup() {
  [ -n "$victim" ] && kill -KILL "$victim" 2>/dev/null || true
  [ -n "$launcher" ] && kill -KILL "$launcher" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

measured() { e2e_measured "$1" "${2:-ok}"; }   # FILE [all]

rank_pid() {   # NAME RANK
  local p envs
  for p in $(pgrep -x tierperf 2>/dev/null || true); do
    envs=$({ tr '\0' '\n' <"/proc/$p/environ"; } 2>/dev/null || true)
    if grep -qx "OMPI_COMM_WORLD_RANK=$2" <<<"$envs" && grep -qx "TIERPERF_E2E_TAG=$tmp/$1" <<<"$envs"; then
      echo "$p"
      return 0
    fi
  done
  return 1
}

# start NAME RANK: the job of case NAME, rank RANK stopped (SIGSTOP) once
# pair 2->3 has a size journalled; sets victim, t0, before
start() {
  local name=$1 rank=$2 out="$tmp/$1.json" journal="$tmp/$1.json.journal.jsonl"
  export TIERPERF_E2E_TAG="$tmp/$name"
  # pairs 0->1 and 2->3 in one round, 4 sizes of about 1.5 s each
  timeout 300 mpirun -np 4 --oversubscribe --bind-to none --mca btl self,vader "$bin" run \
    --transport tcp --if lo --pattern pairs --sizes 4K,64K,256K,1M --duration 0.5 \
    --lat-iters 20 --timeout 3 --quiet --out "$out" >"$tmp/$name.out" 2>&1 &
  launcher=$!
  unset TIERPERF_E2E_TAG
  victim=""
  for _ in $(seq 600); do
    victim=$(rank_pid "$name" "$rank") && [ "$(measured "$journal" | grep -c '^2:')" -ge 1 ] && break
    kill -0 "$launcher" 2>/dev/null || break
    sleep 0.05
  done
  [ -n "$victim" ] || { cat "$tmp/$name.out"; fail "$name: rank $rank not found"; }
  kill -STOP "$victim"
  t0=$(date +%s)
  before=$(measured "$journal")
}

freeze() {   # NAME RANK
  local name=$1 rank=$2 out="$tmp/$1.json"
  start "$name" "$rank"
  # pair 0->1: 4 sizes (~6 s); pair 2->3 fails within --timeout, the
  # round's end waits 2 x --timeout + 1 s: ~16 s (a frozen sender was held
  # for a step's bound, ~40 s here, before its receiver reported)
  e2e_job_ended "$name" "$tmp/$name.out" "rank $rank froze" 40
  kill -KILL "$victim" 2>/dev/null || true
  victim=""
  python3 - "$out" <<'PY' || { cat "$out" 2>/dev/null | head -c 20000; fail "$name: saved file wrong"; }
import json, sys
d = json.load(open(sys.argv[1]))
assert d["complete"] is False, "complete is not false"
ok = {(r["src_rank"], r["size_bytes"]) for r in d["results"] if r["error"] is None}
assert {(0, s) for s in (4096, 65536, 262144, 1048576)} <= ok, "pair 0->1 not measured in full: %s" % ok
assert any(e["src_rank"] == 2 and e["dst_rank"] == 3 for e in d["errors"]), "pair 2->3 not in errors[]"
PY
  e2e_kept "$name" "the freeze" "$before" "$(measured "$out")"
}

# Rank 0 frozen: nobody is left to save the final file; the others end the
# job.  Whatever rank 0 journalled is kept (in the final file when, woken by
# mpirun's SIGCONT and SIGTERM on the way out, rank 0 still saved it).
freeze_rank0() {
  local name=rank0 out="$tmp/rank0.json" journal="$tmp/rank0.json.journal.jsonl" left
  start "$name" 0
  # 4 x --timeout as run --help states, plus the abort: far below the
  # round's budget (~200 s here), which bounded it before
  e2e_job_ended "$name" "$tmp/$name.out" "rank 0 froze" 40
  grep -Eq "error: rank 0 \(node [^)]+\) has not answered for [0-9]+ s" "$tmp/$name.out" ||
    fail "$name: no line naming rank 0 and its node"
  left=""
  for _ in $(seq 50); do
    left=$(rank_pid "$name" 0 || rank_pid "$name" 1 || rank_pid "$name" 2 || rank_pid "$name" 3) || break
    sleep 0.1
  done
  [ -z "$left" ] || fail "$name: rank process $left left behind"
  victim=""
  kept=$(for f in "$journal" "$out"; do if [ -f "$f" ]; then measured "$f"; fi; done | sort -u)
  e2e_kept "$name" "the freeze" "$before" "$kept"
  [ -n "$before" ] || fail "$name: nothing was journalled before the freeze (the test proves nothing)"
}

# the bounds this test holds the run to are the ones --help states
grep -q "3 x --timeout + 1 s per fault" <("$bin" run --help) || fail "run --help does not state the bound"
grep -q "within 4 x --timeout of rank 0 stopping" <("$bin" run --help) ||
  fail "run --help does not state the bound for rank 0"

freeze receiver 3
freeze sender 2
freeze_rank0
echo "PASS: a frozen rank (receiving, sending or rank 0) ended the run in bounded time, results kept"

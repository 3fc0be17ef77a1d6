#!/usr/bin/env bash
# test_run_journal_listener.sh: every measurement reaches the journal as
# soon as it is measured, even while rank 0's own pair is stuck.  Pairs
# 0->1 and 2->3 run in one round.  Rank 1 is frozen (SIGSTOP), so rank 0
# sits in one transfer until --timeout (8 s); meanwhile pair 2->3 goes on
# measuring, and its sizes must appear in the journal before rank 0's pair
# has failed (rank 0 journals reports from a listener thread, not between
# its own transfers).  Then rank 3 is killed: the job ends, and every
# measurement journalled before the kill is in what is left (the final
# file, complete: false, or the journal).
#   args: BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/lib.sh" "$@"
tmp=$(mktemp -d)
launcher=""
frozen=""
cleanup() {
  [ -n "$frozen" ] && kill -KILL "$frozen" 2>/dev/null || true
  [ -n "$launcher" ] && kill -KILL "$launcher" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
out="$tmp/run.json"
journal="$out.journal.jsonl"

measured() { e2e_measured "${1:-$journal}" marked; }   # [FILE]

rank_pid() {   # RANK
  local p envs
  for p in $(pgrep -x tierperf 2>/dev/null || true); do
    envs=$({ tr '\0' '\n' <"/proc/$p/environ"; } 2>/dev/null || true)
    if grep -qx "OMPI_COMM_WORLD_RANK=$1" <<<"$envs" && grep -qx "TIERPERF_E2E_TAG=$tmp" <<<"$envs"; then
      echo "$p"
      return 0
    fi
  done
  return 1
}

export TIERPERF_E2E_TAG="$tmp"
timeout 300 mpirun -np 4 --oversubscribe --bind-to none --mca btl self,vader "$bin" run \
  --transport tcp --if lo --pattern pairs --sizes 4K,8K,16K,32K,64K,128K,256K,512K \
  --duration 0.3 --lat-iters 20 --timeout 8 --quiet --out "$out" >"$tmp/run.out" 2>&1 &
launcher=$!
unset TIERPERF_E2E_TAG

# both pairs under way
for _ in $(seq 1200); do
  m=$(measured)
  grep -q '^0:' <<<"$m" && grep -q '^2:' <<<"$m" && break
  kill -0 "$launcher" 2>/dev/null || break
  sleep 0.05
done
frozen=$(rank_pid 1) || { cat "$tmp/run.out"; fail "rank 1 not found"; }
kill -STOP "$frozen"
n2=$(measured | grep -c '^2:' || true)
[ "$n2" -ge 1 ] || { cat "$tmp/run.out"; fail "pair 2->3 measured nothing before the freeze"; }

# pair 2->3 journalled twice more while rank 0's pair (0->1) has not failed
ok=""
for _ in $(seq 400); do
  m=$(measured)
  grep -q '^E:0' <<<"$m" && break
  if [ "$(grep -c '^2:' <<<"$m")" -ge $((n2 + 2)) ]; then
    ok=1
    break
  fi
  sleep 0.02
done
[ -n "$ok" ] || { cat "$tmp/run.out" "$journal"; fail "pair 2->3's sizes were not journalled while rank 0's own pair was stuck"; }
before=$(measured | grep -v '^E:')
victim=$(rank_pid 3) || fail "rank 3 not found"
kill -KILL "$victim"
t0=$(date +%s)
e2e_job_ended "" "$tmp/run.out" "the kill of rank 3" 30
saved=$out
[ -f "$saved" ] || saved=$journal
e2e_kept "" "the kill" "$before" "$(measured "$saved")"
echo "PASS: $(wc -l <<<"$before") measurements journalled while rank 0's own pair was stuck, all kept in $saved"

#!/usr/bin/env bash
# test_report_html.sh: the answer commands end to end on the fixture runs:
# `tierperf report --html --csv` renders in headless Chromium (screenshot not
# blank: png_check.py), `check` exit codes and JUnit, `recommend`, `estimate`
# (13.3 Gbit/s), `infer --topology` naming the miswired node, `compare`, and
# one-line errors (never a crash) on empty, truncated and odd results files.
#   bash test_report_html.sh BUILD_DIR SOURCE_DIR
set -uo pipefail
build=$(cd "${1:?build dir}" && pwd)
src=$(cd "${2:-$(dirname "$0")/../..}" && pwd)
bin=$build/tierperf
fx=$src/tests/fixtures/results
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

# run CMD... : stdout+stderr in $tmp/out, exit status in $rc
run() { "$@" >"$tmp/out" 2>"$tmp/err"; rc=$?; cat "$tmp/err" >>"$tmp/out"; }
expect_rc() {   # WANT WHAT
  if [ "$rc" -ne "$1" ]; then fail "$2: exit $rc, want $1"; sed 's/^/  | /' "$tmp/out" | head -20
  else ok "$2 (exit $rc)"; fi
}
expect_out() {  # TEXT WHAT
  if grep -qF -- "$1" "$tmp/out"; then ok "$2"
  else fail "$2: output lacks '$1'"; sed 's/^/  | /' "$tmp/out" | head -20; fi
}

# ---- report: HTML + CSV -------------------------------------------------
for f in allpairs15 recommend; do
  run "$bin" report "$fx/$f.json" --html "$tmp/$f.html" --csv "$tmp/$f.csv"
  if [ "$rc" -eq 2 ] && grep -q "not implemented" "$tmp/out"; then
    # the report command lives on the results branch; until it is merged
    # the same renderer is reachable through check --html
    echo "NOTE: 'tierperf report' not built yet; HTML through 'check --html', CSV skipped"
    run "$bin" check "$fx/$f.json" --profile test-dev --html "$tmp/$f.html"
    [ "$rc" -le 1 ] || [ "$rc" -eq 3 ] || fail "check --html $f: exit $rc"
  else
    expect_rc 0 "report $f --html --csv"
    rows=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["results"]))' "$fx/$f.json")
    lines=$(python3 -c 'import csv,sys; print(len(list(csv.reader(open(sys.argv[1], newline="")))))' "$tmp/$f.csv")
    [ "$lines" -eq $((rows + 1)) ] && ok "CSV $f: header + $rows rows" \
      || fail "CSV $f: $lines records, want $((rows + 1))"
  fi
  [ -s "$tmp/$f.html" ] || { fail "report $f: no HTML written"; continue; }
  grep -q "<svg" "$tmp/$f.html" && ok "HTML $f has inline SVG" || fail "HTML $f: no <svg>"
  if grep -qiE "<script|<link|src=['\"]?https?:" "$tmp/$f.html"; then
    fail "HTML $f is not self-contained"
  fi
done
grep -q "id='heatmap'" "$tmp/allpairs15.html" && ok "allpairs HTML has the heatmap" \
  || fail "allpairs HTML: no heatmap"
# a tiers run (11 of 56 node pairs): the compact per-tier view, screenshot below
grep -q "id='tierview'" "$tmp/recommend.html" && ! grep -q "Node-by-node" "$tmp/recommend.html" &&
  ok "tiers HTML has the per-tier view, not a mostly grey matrix" || fail "tiers HTML: no per-tier view"

# ---- the page renders in a real browser -----------------------------------
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
  fail "chromium not installed (scripts/install-deps.sh browser)"
else
  for f in allpairs15 recommend; do
    timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
      --hide-scrollbars --no-first-run --user-data-dir="$tmp/chromium-$f" \
      --window-size=1280,2400 --screenshot="$tmp/$f.png" "file://$tmp/$f.html" \
      >"$tmp/chromium.log" 2>&1
    if [ ! -s "$tmp/$f.png" ]; then
      fail "chromium wrote no screenshot of $f.html"; tail -5 "$tmp/chromium.log"
    elif python3 "$src/tests/e2e/png_check.py" "$tmp/$f.png" 0.02 2000; then
      ok "$f.html renders in headless Chromium"
    else
      fail "$f.html screenshot is blank"
    fi
  done
  # the checker itself must be able to fail: a blank page
  echo "<!DOCTYPE html><html><body></body></html>" >"$tmp/blank.html"
  timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
    --no-first-run --user-data-dir="$tmp/chromium-blank" --window-size=640,480 \
    --screenshot="$tmp/blank.png" "file://$tmp/blank.html" >/dev/null 2>&1
  if python3 "$src/tests/e2e/png_check.py" "$tmp/blank.png" 0.02 2000 >/dev/null; then
    fail "png_check.py passes a blank page"
  else
    ok "png_check.py rejects a blank page"
  fi
fi

# ---- what the pages say (issue 16) ------------------------------------------
# check --html: the verdict above run and environment, and it renders
run "$bin" check "$fx/threshold.json" --profile sme-production --html "$tmp/check.html"
expect_rc 1 "check --html threshold.json"
python3 - "$tmp/check.html" <<'PY' && ok "check --html: verdict before run and environment" || fail "check --html: verdict not first"
import sys
t = open(sys.argv[1]).read()
c, r, e = t.find("id='check'"), t.find("id='run'"), t.find("id='environment'")
sys.exit(0 if 0 <= c < r < e else 1)
PY
if [ -n "$browser" ]; then
  timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
    --hide-scrollbars --no-first-run --user-data-dir="$tmp/chromium-check" \
    --window-size=1280,2400 --screenshot="$tmp/check.png" "file://$tmp/check.html" >/dev/null 2>&1
  python3 "$src/tests/e2e/png_check.py" "$tmp/check.png" 0.02 2000 >/dev/null &&
    ok "check.html renders in headless Chromium" || fail "check.html screenshot missing or blank"
fi
# two sizes far apart: points and a note, no line drawn across the gap
grep -q "Only 2 message sizes measured" "$tmp/recommend.html" && ok "2-size chart says so" ||
  fail "recommend.html: no note on its 2 sizes"
bwchart=$(sed -n "/id='bandwidth'/,/id='latency'/p" "$tmp/recommend.html")
[ "$(grep -c '<polyline' <<<"$bwchart")" -eq 0 ] && [ "$(grep -c '<circle' <<<"$bwchart")" -gt 0 ] &&
  ok "bandwidth chart: measured points only" || fail "bandwidth chart draws a line across unmeasured sizes"
# virtual links: no made-up % of line rate
python3 - "$fx/recommend.json" "$tmp/veth.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for l in d["environment"]["links"]:
    l["driver"], l["model"], l["line_rate_gbit"] = "veth", "veth", 10
json.dump(d, open(sys.argv[2], "w"))
PY
run "$bin" report "$tmp/veth.json" --pairs --html "$tmp/veth.html"
expect_rc 0 "report of a veth run"
expect_out "%line ?: virtual links" "text report: % of line unknown on veth"
grep -q "% of line rate: unknown" "$tmp/veth.html" && ! grep -q "<td class='n'>750.0</td>" "$tmp/veth.html" &&
  ok "HTML: % of line unknown on veth" || fail "HTML: % of line rate shown for veth"
grep -q "% of line rate: unknown" "$tmp/recommend.html" && fail "HTML: real NICs said unknown" ||
  ok "HTML: % of line kept for real NICs"

# ---- check ----------------------------------------------------------------
# outlier.json measured 1 MiB only and o0->o5 has no latency: INCOMPLETE
run "$bin" check "$fx/outlier.json" --profile test-dev --junit "$tmp/pass.xml"
expect_rc 3 "check outlier.json test-dev: INCOMPLETE (latency not judgeable)"
expect_out "WARN o3->o4" "check names the outlier pair"
expect_out "result: INCOMPLETE" "INCOMPLETE stated"
grep -q "result: PASS" "$tmp/out" && fail "PASS printed with unjudged thresholds"
grep -q 'name="result: INCOMPLETE" time="0"><failure' "$tmp/pass.xml" && ok "JUnit carries INCOMPLETE" \
  || fail "JUnit lacks the INCOMPLETE verdict"
run "$bin" check "$fx/outlier.json" --profile test-dev --allow-unjudged --latency-max-size 1M
expect_rc 0 "check --allow-unjudged accepts the one unmeasured latency"
expect_out "result: INCOMPLETE, accepted with --allow-unjudged" "accepted INCOMPLETE still stated"
run "$bin" check "$fx/outlier.json" --profile test-dev --fail-outliers
expect_rc 1 "check --fail-outliers fails on the outlier"
run "$bin" check "$fx/threshold.json" --profile sme-production --junit "$tmp/fail.xml"
expect_rc 1 "check threshold.json sme-production fails"
expect_out "FAIL n2->n3" "check names the pair just below the threshold"
for x in pass fail; do
  if python3 -c 'import sys, xml.etree.ElementTree as E; r = E.parse(sys.argv[1]).getroot(); assert r.tag == "testsuites"; print(r.get("tests"), r.get("failures"))' "$tmp/$x.xml" >"$tmp/junit"; then
    ok "JUnit $x.xml well-formed: tests/failures $(cat "$tmp/junit")"
  else
    fail "JUnit $x.xml not well-formed"
  fi
done
grep -q 'failures="3"' "$tmp/fail.xml" && ok "JUnit counts 2 failed pairs + the verdict" \
  || fail "JUnit failure count"
printf 'name: bad\nrules:\n  - name: r\n    speed: 1\n' >"$tmp/bad.yaml"
run "$bin" check "$fx/outlier.json" --profile "$tmp/bad.yaml"
expect_rc 2 "check with a bad profile"
expect_out "bad.yaml:4: rule 'r' speed: unknown key" "bad profile error names file, line, field"

# ---- recommend, estimate ----------------------------------------------------
run "$bin" recommend "$fx/recommend.json" --need 25Gbit/s
expect_rc 0 "recommend --need 25Gbit/s"
expect_out "highestTierAllowed: 2" "recommend picks tier 2"
expect_out "groupPolicy:" "recommend prints kthena YAML"
run "$bin" recommend "$fx/recommend.json" --need 100Gbit/s
expect_rc 1 "recommend with a need no tier meets"
run "$bin" estimate --model-size 10GB --concurrency 10 --target 60s
expect_rc 0 "estimate"
expect_out "13.3 Gbit/s" "estimate: 10 GB x 10 / 60 s = 13.3 Gbit/s"
expect_out "1.67 GB/s" "estimate states GB/s too"

# ---- infer, compare ----------------------------------------------------------
run "$bin" infer "$fx/allpairs15.json" --topology "$fx/declared15.yaml"
expect_rc 0 "infer agrees with the declared tree"
sed -n '/^apiVersion/,$p' "$tmp/out" | grep -v '^tierperf' >"$tmp/inferred.yaml"
run "$bin" topo "$tmp/inferred.yaml" --check
expect_rc 0 "inferred HyperNode YAML passes tierperf topo --check"
run "$bin" infer "$fx/allpairs15_miswired.json" --topology "$fx/declared15.yaml"
expect_rc 1 "infer finds disagreements"
expect_out "miswired? h05" "infer names the miswired node"
expect_out "slow uplink? leaf-4" "infer names the slow uplink"
run "$bin" compare "$fx/compare_a.json" "$fx/compare_b.json"
expect_rc 0 "compare"
expect_out "ConnectX-6 fw 22.31.1014" "compare shows each run's links"
expect_out "A wins" "compare: A wins somewhere"
expect_out "B wins" "compare: B wins somewhere"

# ---- odd inputs: an answer or one error line, never a crash -----------------
echo '{"results":[]}' >"$tmp/empty.json"
head -c 300 "$fx/recommend.json" >"$tmp/truncated.json"
echo '{"results":[{"src_node":"a","dst_node":"b","tier":null,"size_bytes":8,"lat_us":null,"bw_gbit_s":null}],"environment":null,"topology":{"tiers":5},"errors":[null,{"src_node":"a"}]}' >"$tmp/odd.json"
printf '{"run_header":{"pattern":"pairs"}}\n{"src_node":"a","dst_node":"b","tier":1,"size_bytes":8,"bw_gbit_s":3}\n{"src_' >"$tmp/killed.json.journal.jsonl"
: >"$tmp/zero.json"
for input in empty truncated odd zero killed.json.journal; do
  f=$tmp/$input.json; [ -e "$f" ] || f=$tmp/$input.jsonl
  for cmd in "check --profile test-dev" "recommend --need 1" "infer" "report --html $tmp/o.html --csv $tmp/o.csv" \
             "compare $f" "estimate --model-size 1GB --target 1s --results"; do
    run "$bin" $cmd "$f"
    # 3 is check's INCOMPLETE; anything above is a crash
    if [ "$rc" -ge 4 ] || { [ "$rc" -eq 3 ] && [ "${cmd%% *}" != check ]; }; then
      fail "tierperf $cmd on $input: exit $rc (crash?)"; sed 's/^/  | /' "$tmp/out" | tail -8
    elif [ "$rc" -eq 2 ] && [ "$(wc -l <"$tmp/err")" -ne 1 ]; then
      fail "tierperf $cmd on $input: exit 2 without exactly one error line"; sed 's/^/  | /' "$tmp/err"
    fi
  done
done
ok "odd inputs: no crash, errors are one line"

echo "== $fails failure(s)"
[ "$fails" -eq 0 ]

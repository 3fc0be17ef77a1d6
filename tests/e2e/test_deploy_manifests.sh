#!/usr/bin/env bash
# test_deploy_manifests.sh: CI check of deploy/ (no cluster needed).
#  1. k8s_schema.mjs: the ConfigMap and the Volcano Job's pod templates
#     against the Kubernetes schemas, the Job and the HyperNodes against
#     Volcano's API (our JSON schemas), unknown fields included;
#  2. check_manifests.py: cross-references (ConfigMap name and key, node
#     name from spec.nodeName, networkTopology vs the tree, one rank per
#     node, ssh port, memlock/hugepages, Dockerfile COPY sources);
#  3. `tierperf topo --check` reads the ConfigMap's HyperNodes with the
#     real parser;
#  4. bash -n and shellcheck of deploy/tierperf-pod.sh;
#  5. each of a dozen broken copies of deploy/ must be rejected with the
#     expected message, so the checks above are shown able to fail.
#   args: BUILD_DIR SOURCE_DIR
set -euo pipefail
build=${1:?usage: test_deploy_manifests.sh BUILD_DIR SOURCE_DIR}
src=${2:?usage: test_deploy_manifests.sh BUILD_DIR SOURCE_DIR}
checks="$src/tests/manifests"
fail() { echo "FAIL: $*" >&2; exit 1; }

command -v node >/dev/null || fail "node not found (scripts/install-deps.sh installs nodejs)"
python3 -c 'import yaml' 2>/dev/null || fail "python3-yaml missing (scripts/install-deps.sh installs it)"
if [ ! -d "$checks/node_modules" ]; then
  command -v npm >/dev/null || fail "npm not found and $checks/node_modules missing"
  echo "installing the checker's npm packages (npm ci, from package-lock.json)"
  (cd "$checks" && npm ci --no-audit --no-fund --prefer-offline --loglevel=error) ||
    fail "npm ci in $checks failed (no registry? run it once where the npm registry is reachable)"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# same FILE DIR: DIR/FILE is the committed deploy/FILE (its check already passed)
same() { [ "$2" != "$src/deploy" ] && cmp -s "$2/$1" "$src/deploy/$1"; }

check_all() {  # check_all DEPLOY_DIR: every check; output in $tmp/out
  local d=$1 rc=0
  rm -f "$tmp/hypernodes.yaml"
  {
    node "$checks/k8s_schema.mjs" "$d/hypernodes-configmap.yaml" "$d/tierperf-tiers-job.yaml" || rc=1
    python3 "$checks/check_manifests.py" "$d" --extract-hypernodes "$tmp/hypernodes.yaml" || rc=1
    if [ -x "$build/tierperf" ] && [ -s "$tmp/hypernodes.yaml" ] && ! same hypernodes-configmap.yaml "$d"; then
      "$build/tierperf" topo "$tmp/hypernodes.yaml" --check || { echo "tierperf topo --check: rejected"; rc=1; }
    fi
    if ! same tierperf-pod.sh "$d"; then
      bash -n "$d/tierperf-pod.sh" || { echo "bash -n: $d/tierperf-pod.sh: syntax error"; rc=1; }
      if command -v shellcheck >/dev/null; then
        shellcheck -S warning "$d/tierperf-pod.sh" || { echo "shellcheck: $d/tierperf-pod.sh: warnings"; rc=1; }
      fi
    fi
  } >"$tmp/out" 2>&1
  return "$rc"
}

# --- the manifests as committed --------------------------------------------
check_all "$src/deploy" || { cat "$tmp/out"; fail "deploy/ does not pass its checks"; }
cat "$tmp/out"
command -v shellcheck >/dev/null || echo "note: shellcheck not installed; bash -n only"
[ -x "$build/tierperf" ] || echo "note: $build/tierperf not built; HyperNodes checked by schema only"

# --- tierperf-pod's own error paths and node-name hand-over (no cluster) ----
pod() {  # pod EXPECTED-RC EXPECTED-TEXT ENV... -- ARGS...: run deploy/tierperf-pod.sh
  local want_rc=$1 want=$2 rc=0; shift 2
  local envs=()
  while [ "$1" != -- ]; do envs+=("$1"); shift; done; shift
  env -u TIERPERF_NODE_NAME -u MPI_HOST PATH="$build:$PATH" TIERPERF_NODE_FILE="$tmp/node-name" \
    "${envs[@]}" bash "$src/deploy/tierperf-pod.sh" "$@" >"$tmp/pod.out" 2>&1 || rc=$?
  [ "$rc" -eq "$want_rc" ] || { cat "$tmp/pod.out"; fail "tierperf-pod $*: exit $rc, expected $want_rc"; }
  grep -qF -- "$want" "$tmp/pod.out" || { cat "$tmp/pod.out"; fail "tierperf-pod $*: no line saying '$want'"; }
}
rm -f "$tmp/node-name"
pod 2 "usage: tierperf-pod" -- bogus
pod 2 "was not started by tierperf-pod rank/launch" -- exec --version
pod 2 "add it from the downward API" -- launch run
pod 2 "is not a node name" "TIERPERF_NODE_NAME=bad name" -- launch run
if [ ! -r /etc/volcano/rank.host ]; then
  pod 2 "MPI_HOST is empty" TIERPERF_NODE_NAME=node-3 -- launch run
  [ "$(cat "$tmp/node-name")" = node-3 ] || fail "tierperf-pod launch did not keep the node name for the ranks"
  # The ranks' side (what mpirun starts over ssh, without the pod's
  # environment): tierperf runs with the kept name.  A stand-in tierperf
  # shows what it was given.
  mkdir -p "$tmp/fakebin"
  printf '#!/bin/sh\necho "node=$TIERPERF_NODE_NAME args=$*"\n' >"$tmp/fakebin/tierperf"
  chmod +x "$tmp/fakebin/tierperf"
  pod 0 "node=node-3 args=run --pattern tiers" "PATH=$tmp/fakebin:$PATH" -- exec run --pattern tiers
fi
echo "tierperf-pod: usage, node-name and MPI_HOST errors as expected"

# --- broken copies: each must fail, saying why -------------------------------
broken=0
must_fail() {  # must_fail FILE SED-EXPR EXPECTED-TEXT
  local file=$1 expr=$2 want=$3
  rm -rf "$tmp/repo" && mkdir -p "$tmp/repo" && cp -r "$src/deploy" "$tmp/repo/deploy"
  sed -i -e "$expr" "$tmp/repo/deploy/$file"
  cmp -s "$src/deploy/$file" "$tmp/repo/deploy/$file" && fail "mutation '$expr' changed nothing in $file (test is stale)"
  if check_all "$tmp/repo/deploy"; then
    fail "broken copy accepted: $file with '$expr'"
  fi
  grep -qF -- "$want" "$tmp/out" || { cat "$tmp/out"; fail "$file with '$expr': no line saying '$want'"; }
  echo "rejected as expected: $file: $(grep -F -m1 -- "$want" "$tmp/out")"
  broken=$((broken + 1))
}
job=tierperf-tiers-job.yaml cm=hypernodes-configmap.yaml
# Kubernetes schema: enum, unknown field, type.
must_fail "$job" 's/imagePullPolicy: IfNotPresent/imagePullPolicy: Sometimes/' "imagePullPolicy: must be equal to one of the allowed values"
must_fail "$job" 's/resources: &rank-resources/resorces: \&rank-resources/' "unknown field 'resorces'"
must_fail "$cm" 's/^kind: ConfigMap$/kind: ConfigMap\nimmutable: "yes"/' "/immutable: must be boolean"
# Volcano schemas: Job and HyperNode.
must_fail "$job" 's/mode: hard/mode: firm/' "networkTopology/mode: must be equal to one of the allowed values: hard, soft"
must_fail "$job" 's/event: PodEvicted/event: PodGone/' "policies/0/event: must be equal to one of the allowed values"
must_fail "$cm" 's/tier: 2/tier: -1/' "/spec/tier: must be >= 0"
must_fail "$cm" '0,/exactMatch:/s/exactMatch:/exactMatch:\n              name: leaf-1\n            regexMatch:/' "selector: must NOT have more than 1 properties"
# Cross-references.
must_fail "$job" 's/name: tierperf-hypernodes/name: hypernodes/' "but hypernodes-configmap.yaml defines 'tierperf-hypernodes'"
must_fail "$job" 's/fieldPath: spec.nodeName/fieldPath: metadata.name/' "TIERPERF_NODE_NAME: must come from the downward API"
must_fail "$job" 's/highestTierAllowed: 2/highestTierAllowed: 1/' "highestTierAllowed: 1 keeps every rank inside one tier-1 HyperNode"
must_fail "$job" 's/minAvailable: 8/minAvailable: 4/' "spec.minAvailable: 4 but the tasks have 8 replicas"
must_fail "$job" 's/--port=2222/--port=22/' "--port=22 but sshd in the image listens on 2222"
must_fail "$job" 's/topologyKey: kubernetes.io\/hostname/topologyKey: topology.kubernetes.io\/zone/' "one rank per node"
must_fail "$job" 's/add: \["IPC_LOCK"\]/add: ["NET_ADMIN"]/' "add capability IPC_LOCK"
must_fail "$job" 's#/etc/tierperf/hypernodes.yaml#/etc/tierperf/topology.yaml#' "--topology /etc/tierperf/topology.yaml is not the mounted ConfigMap file"
# The real HyperNode parser (a member pointing at a HyperNode nobody defines).
if [ -x "$build/tierperf" ]; then
  must_fail "$cm" 's/^              name: leaf-1$/              name: leaf-9/' "HyperNode 'leaf-9' is not defined"
fi
# The launcher script.
must_fail tierperf-pod.sh 's/^  rank)   keep_node_name; serve_sshd ;;$/  rank)   keep_node_name; serve_sshd ;;\n  oops) if true; then ;;/' "syntax error"

echo "$broken broken copies rejected"
echo "PASS"

#!/usr/bin/env python3
"""check_manifests.py: the cross-references inside deploy/ that no schema sees.

    check_manifests.py DEPLOY_DIR [--extract-hypernodes FILE]

k8s_schema.mjs checks each object against its schema; this checks that the
objects, the launcher script, the ssh configs and the Dockerfile agree with
each other: the Job mounts the ConfigMap that exists and reads the key it
holds, every pod gets TIERPERF_NODE_NAME from spec.nodeName, one rank per
node, networkTopology lets the sweep span the whole HyperNode tree, the
mpi plugin's tasks and port match, memlock/hugepages/RDMA are dealt with.
One line per problem naming file and field; exit status 1 when any.
--extract-hypernodes writes the ConfigMap's HyperNode file out, for
`tierperf topo FILE --check` (the real parser) to read.
"""
import os
import re
import sys

import yaml

JOB_FILE = "tierperf-tiers-job.yaml"
CONFIGMAP_FILE = "hypernodes-configmap.yaml"
POD_SCRIPT = "tierperf-pod.sh"
SSHD_CONF = "ssh/sshd_tierperf.conf"
SSH_CONF = "ssh/ssh_tierperf.conf"
DOCKERFILE = "Dockerfile"


class Checker:
    def __init__(self, deploy_dir):
        self.dir = deploy_dir
        self.problems = []

    def problem(self, file, field, message):
        self.problems.append(f"check_manifests: {os.path.join(self.dir, file)}: {field}: {message}")

    def read(self, file):
        try:
            with open(os.path.join(self.dir, file), encoding="utf-8") as f:
                return f.read()
        except OSError as err:
            self.problem(file, "-", f"cannot read: {err.strerror}")
            return None

    def load_one(self, file, kind):
        text = self.read(file)
        if text is None:
            return None, ""
        try:
            docs = [d for d in yaml.safe_load_all(text) if d is not None]
        except yaml.YAMLError as err:
            self.problem(file, "-", f"not YAML: {str(err).splitlines()[0]}")
            return None, text
        found = [d for d in docs if isinstance(d, dict) and d.get("kind") == kind]
        if len(found) != 1:
            self.problem(file, "kind", f"expected exactly one {kind}, found {len(found)}")
            return None, text
        return found[0], text


def dig(obj, *path, default=None):
    for key in path:
        if isinstance(obj, dict) and key in obj:
            obj = obj[key]
        elif isinstance(obj, list) and isinstance(key, int) and -len(obj) <= key < len(obj):
            obj = obj[key]
        else:
            return default
    return obj


def conf_port(text):
    """The Port line of an sshd/ssh config (first one wins, as in OpenSSH)."""
    m = re.search(r"^\s*Port\s+(\d+)\s*$", text or "", re.MULTILINE | re.IGNORECASE)
    return int(m.group(1)) if m else None


def check_hypernodes(c, cm):
    """The ConfigMap's HyperNodes: returns (file key, text, tiers, tier names)."""
    data = cm.get("data") or {}
    keys = [k for k in data if re.search(r"\.ya?ml$", k)]
    if len(keys) != 1:
        c.problem(CONFIGMAP_FILE, "data", f"expected one *.yaml key with the HyperNodes, found {keys}")
        return None, None, set(), {}
    key = keys[0]
    try:
        docs = [d for d in yaml.safe_load_all(data[key]) if d is not None]
    except yaml.YAMLError as err:
        c.problem(CONFIGMAP_FILE, f"data.{key}", f"not YAML: {str(err).splitlines()[0]}")
        return key, None, set(), {}
    items = []
    for d in docs:
        items += d.get("items") or [] if isinstance(d, dict) and d.get("kind") == "List" else [d]
    nodes = [i for i in items if isinstance(i, dict) and i.get("kind") == "HyperNode"]
    if not nodes:
        c.problem(CONFIGMAP_FILE, f"data.{key}", "holds no HyperNode")
    tiers = {t for t in (dig(n, "spec", "tier") for n in nodes) if isinstance(t, int)}
    names = {}
    for n in nodes:
        if dig(n, "spec", "tierName") is not None:
            names.setdefault(dig(n, "spec", "tierName"), set()).add(dig(n, "spec", "tier"))
    for name, ts in names.items():
        if len(ts) > 1:
            c.problem(CONFIGMAP_FILE, f"data.{key}", f"tierName '{name}' is used at tiers {sorted(ts)}")
    return key, data[key], tiers, names


def check_network_topology(c, job, tiers, names):
    nt = dig(job, "spec", "networkTopology")
    field = "spec.networkTopology"
    if not isinstance(nt, dict):
        c.problem(JOB_FILE, field, "missing: without it Volcano places ranks anywhere and the tiers are not under test")
        return
    mode = nt.get("mode", "hard")
    allowed, tier_name = nt.get("highestTierAllowed"), nt.get("highestTierName")
    if allowed is not None and tier_name is not None:
        c.problem(JOB_FILE, field, "highestTierAllowed and highestTierName are mutually exclusive")
    if mode == "hard" and allowed is None and tier_name is None:
        c.problem(JOB_FILE, field, "mode hard needs highestTierAllowed or highestTierName "
                  "(Volcano defaults highestTierAllowed to 1: the sweep would stay inside one tier-1 HyperNode)")
    if not tiers:
        return
    top = max(tiers)
    if tier_name is not None:
        if tier_name not in names:
            c.problem(JOB_FILE, f"{field}.highestTierName", f"'{tier_name}' is no tierName in {CONFIGMAP_FILE} "
                      f"(known: {', '.join(sorted(names)) or 'none'})")
        else:
            allowed = max(names[tier_name])
    if isinstance(allowed, int) and mode == "hard" and allowed < top:
        c.problem(JOB_FILE, f"{field}.highestTierAllowed",
                  f"{allowed} keeps every rank inside one tier-{allowed} HyperNode, so tiers above it "
                  f"(up to {top} in {CONFIGMAP_FILE}) are never measured; set it to {top}")


def container(task):
    cs = dig(task, "template", "spec", "containers") or []
    return cs[0] if cs and isinstance(cs[0], dict) else {}


def env_of(c0):
    return {e.get("name"): e for e in c0.get("env") or [] if isinstance(e, dict)}


def check_tasks(c, job, cm, hn_key, ssh_port):
    tasks = dig(job, "spec", "tasks") or []
    by_name = {t.get("name"): t for t in tasks if isinstance(t, dict)}
    cm_name = dig(cm, "metadata", "name")

    # The mpi plugin: master/worker tasks exist, its port is sshd's.
    plugins = dig(job, "spec", "plugins") or {}
    for p in ("mpi", "ssh", "svc"):
        if p not in plugins:
            c.problem(JOB_FILE, "spec.plugins", f"'{p}' missing (mpirun needs MPI_HOST, ssh keys and stable host names)")
    args = dict(a.lstrip("-").split("=", 1) for a in plugins.get("mpi") or [] if "=" in a)
    master, worker = args.get("master", "master"), args.get("worker", "worker")
    for role, name in (("--master", master), ("--worker", worker)):
        if name not in by_name:
            c.problem(JOB_FILE, "spec.plugins.mpi", f"{role}={name} names no task (tasks: {', '.join(map(str, by_name))})")
    port = int(args.get("port", 22)) if str(args.get("port", 22)).isdigit() else None
    if ssh_port is not None and port != ssh_port:
        c.problem(JOB_FILE, "spec.plugins.mpi", f"--port={port} but sshd in the image listens on {ssh_port} ({SSHD_CONF})")

    # Gang: all ranks or none.
    total = sum(t.get("replicas", 0) for t in tasks if isinstance(t, dict) and isinstance(t.get("replicas"), int))
    if dig(job, "spec", "minAvailable") != total:
        c.problem(JOB_FILE, "spec.minAvailable", f"{dig(job, 'spec', 'minAvailable')} but the tasks have {total} "
                  "replicas: a benchmark needs every rank at once")
    if dig(by_name, master, "replicas") not in (None, 1):
        c.problem(JOB_FILE, f"spec.tasks[{master}].replicas", "the launcher task must have exactly one replica")

    images = set()
    for i, t in enumerate(tasks):
        where = f"spec.tasks[{i}]({t.get('name')})"
        spec = dig(t, "template", "spec") or {}
        c0 = container(t)
        images.add(c0.get("image"))
        env = env_of(c0)

        node_env = env.get("TIERPERF_NODE_NAME")
        if dig(node_env, "valueFrom", "fieldRef", "fieldPath") != "spec.nodeName":
            c.problem(JOB_FILE, f"{where}.containers[0].env.TIERPERF_NODE_NAME",
                      "must come from the downward API (valueFrom.fieldRef.fieldPath: spec.nodeName) so ranks "
                      "match the Kubernetes node names in the HyperNodes")

        # One rank per node: required anti-affinity on the hostname over
        # labels every task's pods carry.
        terms = dig(spec, "affinity", "podAntiAffinity", "requiredDuringSchedulingIgnoredDuringExecution") or []
        ok = False
        for term in terms:
            sel = dig(term, "labelSelector", "matchLabels") or {}
            if term.get("topologyKey") == "kubernetes.io/hostname" and sel and all(
                    all((dig(u, "template", "metadata", "labels") or {}).get(k) == v for k, v in sel.items())
                    for u in tasks):
                ok = True
        if not ok:
            c.problem(JOB_FILE, f"{where}.template.spec.affinity",
                      "needs a required podAntiAffinity on kubernetes.io/hostname whose labelSelector matches "
                      "every task's pod labels (one rank per node)")

        # The ConfigMap is mounted, and the file --topology names is in it.
        vols = {v.get("name"): v for v in spec.get("volumes") or [] if isinstance(v, dict)}
        cm_vols = [n for n, v in vols.items() if dig(v, "configMap", "name") is not None]
        for n in cm_vols:
            if dig(vols[n], "configMap", "name") != cm_name:
                c.problem(JOB_FILE, f"{where}.volumes.{n}.configMap.name",
                          f"'{dig(vols[n], 'configMap', 'name')}' but {CONFIGMAP_FILE} defines '{cm_name}'")
        mounts = {m.get("name"): m.get("mountPath") for m in c0.get("volumeMounts") or [] if isinstance(m, dict)}
        cm_paths = [mounts[n] for n in cm_vols if n in mounts]
        if not cm_paths:
            c.problem(JOB_FILE, where, f"does not mount the ConfigMap '{cm_name}' (the HyperNode file)")

        command = c0.get("command") or []
        role = "launch" if t.get("name") == master else "rank"
        if command[:2] != ["tierperf-pod", role]:
            c.problem(JOB_FILE, f"{where}.containers[0].command", f"expected [tierperf-pod, {role}], found {command}")
        if role == "launch":
            check_launcher_args(c, where, c0, env, cm_paths, hn_key)
        if "IPC_LOCK" not in (dig(c0, "securityContext", "capabilities", "add") or []):
            c.problem(JOB_FILE, f"{where}.containers[0].securityContext",
                      "add capability IPC_LOCK: ibv_reg_mr pins memory beyond the default RLIMIT_MEMLOCK")
        check_hugepages(c, where, c0, spec)
    if len(images) != 1:
        c.problem(JOB_FILE, "spec.tasks[*].containers[0].image", f"tasks use different images {sorted(map(str, images))}")


def check_launcher_args(c, where, c0, env, cm_paths, hn_key):
    args = [str(a) for a in c0.get("args") or []]
    opts = {args[i]: args[i + 1] for i in range(len(args) - 1) if args[i].startswith("--")}
    if not args or args[0] != "run":
        c.problem(JOB_FILE, f"{where}.containers[0].args", f"should start with 'run', found {args[:1]}")
    if opts.get("--pattern") != "tiers":
        c.problem(JOB_FILE, f"{where}.containers[0].args", "--pattern tiers expected (every tier of the tree)")
    topo = opts.get("--topology")
    wanted = [f"{p.rstrip('/')}/{hn_key}" for p in cm_paths]
    if topo not in wanted:
        c.problem(JOB_FILE, f"{where}.containers[0].args", f"--topology {topo} is not the mounted ConfigMap file "
                  f"({' or '.join(wanted) or 'none mounted'})")
    out = opts.get("--out", "")
    ref = re.fullmatch(r"\$\((\w+)\)", out)
    if ref and ref.group(1) not in env:
        c.problem(JOB_FILE, f"{where}.containers[0].args", f"--out {out}: no env {ref.group(1)} to expand")
    if not ref and out != dig(env, "TIERPERF_OUT", "value", default="/results/tiers.json"):
        c.problem(JOB_FILE, f"{where}.containers[0].args", f"--out {out} differs from TIERPERF_OUT, "
                  "where tierperf-pod looks for the results")


def check_hugepages(c, where, c0, spec):
    res = c0.get("resources") or {}
    for kind in ("limits", "requests"):
        for r in res.get(kind) or {}:
            if not str(r).startswith("hugepages-"):
                continue
            if (res.get("limits") or {}).get(r) is None:
                c.problem(JOB_FILE, f"{where}.resources", f"{r} needs a limit (Kubernetes rejects a request alone)")
            if not any(dig(v, "emptyDir", "medium") in ("HugePages", f"HugePages-{r[len('hugepages-'):]}")
                       for v in spec.get("volumes") or []):
                c.problem(JOB_FILE, f"{where}.volumes", f"{r} without an emptyDir of medium HugePages to map them from")


def check_notes(c, job_text):
    """The commented-out knobs an operator needs must stay documented."""
    for what, pattern in (("RDMA device plugin resource", r"rdma/|rdma_"),
                          ("hugepages", r"hugepages-"),
                          ("memlock (IPC_LOCK / RLIMIT_MEMLOCK)", r"RLIMIT_MEMLOCK"),
                          ("hostNetwork", r"hostNetwork")):
        if not re.search(pattern, job_text):
            c.problem(JOB_FILE, "comments", f"no note on {what}")


def check_image(c, ssh_port):
    text = c.read(DOCKERFILE) or ""
    for src in re.findall(r"^COPY\s+(?!--from)(\S+)\s+\S+\s*$", text, re.MULTILINE):
        if src != "." and not os.path.exists(os.path.join(self_root(c), src)):
            c.problem(DOCKERFILE, "COPY", f"{src} does not exist in the repository")
    exposed = re.findall(r"^EXPOSE\s+(\d+)", text, re.MULTILINE)
    if ssh_port is not None and str(ssh_port) not in exposed:
        c.problem(DOCKERFILE, "EXPOSE", f"sshd listens on {ssh_port} but EXPOSE says {exposed}")
    for pkg in ("openmpi-bin", "openssh-server", "libibverbs1", "ibverbs-providers"):
        if not re.search(rf"\b{re.escape(pkg)}\b", text):
            c.problem(DOCKERFILE, "apt-get install", f"runtime package {pkg} missing")
    if "COPY deploy/tierperf-pod.sh /usr/local/bin/tierperf-pod" not in text:
        c.problem(DOCKERFILE, "COPY", "tierperf-pod.sh is not installed as /usr/local/bin/tierperf-pod")


def self_root(c):
    """The repository root: the deploy directory's parent (or a copy's)."""
    return os.path.dirname(os.path.abspath(c.dir))


def check_pod_script(c, ssh_port):
    text = c.read(POD_SCRIPT) or ""
    m = re.search(r"ssh_port=\$\{TIERPERF_SSH_PORT:-(\d+)\}", text)
    if not m:
        c.problem(POD_SCRIPT, "ssh_port", "no default TIERPERF_SSH_PORT found")
    elif ssh_port is not None and int(m.group(1)) != ssh_port:
        c.problem(POD_SCRIPT, "ssh_port", f"default {m.group(1)} but sshd listens on {ssh_port}")
    if "TIERPERF_NODE_NAME" not in text:
        c.problem(POD_SCRIPT, "TIERPERF_NODE_NAME", "the node name is never passed on to the ranks")


def main(argv):
    if len(argv) not in (2, 4) or (len(argv) == 4 and argv[2] != "--extract-hypernodes"):
        print("usage: check_manifests.py DEPLOY_DIR [--extract-hypernodes FILE]", file=sys.stderr)
        return 2
    c = Checker(argv[1])
    sshd_port = conf_port(c.read(SSHD_CONF))
    ssh_port = conf_port(c.read(SSH_CONF))
    if sshd_port is None:
        c.problem(SSHD_CONF, "Port", "no Port line")
    if ssh_port != sshd_port:
        c.problem(SSH_CONF, "Port", f"{ssh_port} but sshd listens on {sshd_port}")
    cm, _ = c.load_one(CONFIGMAP_FILE, "ConfigMap")
    job, job_text = c.load_one(JOB_FILE, "Job")
    hn_key, hn_text, tiers, names = check_hypernodes(c, cm) if cm else (None, None, set(), {})
    if job is not None and cm is not None:
        if dig(job, "spec", "schedulerName") != "volcano":
            c.problem(JOB_FILE, "spec.schedulerName", "must be volcano (networkTopology is Volcano's)")
        check_network_topology(c, job, tiers, names)
        check_tasks(c, job, cm, hn_key, sshd_port)
        check_notes(c, job_text)
    check_image(c, sshd_port)
    check_pod_script(c, sshd_port)
    if len(argv) == 4 and hn_text is not None:
        with open(argv[3], "w", encoding="utf-8") as f:
            f.write(hn_text)
    for p in c.problems:
        print(p)
    if c.problems:
        print(f"check_manifests: {len(c.problems)} problem(s) in {c.dir}")
        return 1
    print(f"check_manifests: {c.dir}: ConfigMap, Job, image, launcher and ssh configs agree "
          f"(HyperNode tiers {sorted(tiers)})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

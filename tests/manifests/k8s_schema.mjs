// k8s_schema.mjs: schema checks of tierperf's Kubernetes manifests.
//   node k8s_schema.mjs FILE.yaml...
// Core objects (ConfigMap, the Volcano Job's pod templates, metadata) are
// checked against the Kubernetes API schemas that kubernetes-models ships
// (types, enums, required fields) plus an unknown-field pass, as kubectl's
// strict field validation would; Volcano's CRDs (batch.volcano.sh Job,
// topology.volcano.sh HyperNode, also inside the ConfigMap) against our own
// JSON schemas in schemas/.  One line per problem, naming file, line,
// object and field; exit status 1 when any.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import Ajv from "ajv";
import { LineCounter, parseAllDocuments } from "yaml";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { PodTemplateSpec } from "kubernetes-models/v1/PodTemplateSpec";
import { ObjectMeta } from "@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta";

const here = dirname(fileURLToPath(import.meta.url));
const loadSchema = (name) => JSON.parse(readFileSync(join(here, "schemas", name), "utf8"));
// strictRequired off: "not both A and B" is written as not: {required: [A, B]}.
const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, verbose: true });
const validateVolcanoJob = ajv.compile(loadSchema("volcano-job-v1alpha1.schema.json"));
const validateHyperNode = ajv.compile(loadSchema("hypernode-v1alpha1.schema.json"));

const problems = [];
let checked = 0;

// Where a problem is: "file:line: Kind/name: /json/pointer".
function report(where, pointer, message) {
  const line = where.lineOf ? where.lineOf(pointer) : 0;
  problems.push(`${where.file}${line ? ":" + line : ""}: ${where.object}: ${pointer || "/"}: ${message}`);
}

// ajv error list -> problems, paths prefixed with the sub-object's pointer.
function reportAjv(where, prefix, errors) {
  for (const e of errors || []) {
    let msg = e.message;
    if (e.keyword === "additionalProperties") msg = `unknown field '${e.params.additionalProperty}'`;
    else if (e.keyword === "enum") msg += `: ${e.params.allowedValues.join(", ")}`;
    else if (e.keyword === "not" && e.schema?.description) msg = e.schema.description;
    else if (e.keyword === "propertyNames") continue; // the property name itself is reported next
    report(where, prefix + e.instancePath, msg);
  }
}

// Run a kubernetes-models validator over a Proxy that records every field
// it reads: any field of the object the schema never looked at is one the
// Kubernetes API does not know (a typo such as "resorces").
function validateModel(Model, data, where, prefix) {
  const reads = new Map();
  const wrap = (obj, path) =>
    new Proxy(obj, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver);
        if (typeof key !== "string") return value;
        if (!reads.has(path)) reads.set(path, new Set());
        reads.get(path).add(key);
        return value !== null && typeof value === "object" ? wrap(value, `${path}/${key}`) : value;
      },
    });
  try {
    Model.prototype.validate.call(wrap(data, ""));
  } catch (err) {
    if (!err.errors) throw err;
    reportAjv(where, prefix, err.errors);
    return;
  }
  const walk = (obj, path) => {
    if (obj === null || typeof obj !== "object") return;
    if (Array.isArray(obj)) return obj.forEach((v, i) => walk(v, `${path}/${i}`));
    const seen = reads.get(path) || new Set();
    for (const key of Object.keys(obj)) {
      if (seen.has(key)) walk(obj[key], `${path}/${key}`);
      else report(where, `${prefix}${path}/${key}`, `unknown field '${key}' (not in the Kubernetes API)`);
    }
  };
  walk(data, "");
}

function checkRegexes(hn, where) {
  (hn.spec?.members || []).forEach((m, i) => {
    const pattern = m?.selector?.regexMatch?.pattern;
    if (typeof pattern !== "string") return;
    try {
      new RegExp(pattern);
    } catch (err) {
      report(where, `/spec/members/${i}/selector/regexMatch/pattern`, `does not compile: ${err.message}`);
    }
  });
}

function checkHyperNode(hn, where) {
  if (!validateHyperNode(hn)) reportAjv(where, "", validateHyperNode.errors);
  if (hn?.metadata && typeof hn.metadata === "object") validateModel(ObjectMeta, hn.metadata, where, "/metadata");
  checkRegexes(hn, where);
}

// A HyperNode file in a ConfigMap: `kubectl get hypernodes -o yaml` (a
// List), one HyperNode, or several YAML documents.
function checkEmbeddedHyperNodes(text, where) {
  let docs;
  try {
    docs = parseAllDocuments(text).map((d) => {
      if (d.errors.length) throw d.errors[0];
      return d.toJS();
    });
  } catch (err) {
    report(where, "", `not YAML: ${err.message.split("\n")[0]}`);
    return;
  }
  let found = 0;
  for (const doc of docs) {
    const items = doc?.kind === "List" ? doc.items || [] : [doc];
    items.forEach((hn, i) => {
      const name = hn?.metadata?.name ?? `#${i}`;
      const sub = { file: where.file, object: `${where.object} > HyperNode/${name}` };
      if (hn?.kind !== "HyperNode") {
        report(sub, doc?.kind === "List" ? `/items/${i}/kind` : "/kind", `expected HyperNode, found ${JSON.stringify(hn?.kind)}`);
        return;
      }
      found++;
      checkHyperNode(hn, sub);
    });
  }
  if (!found) report(where, "", "holds no HyperNode");
  checked += found;
}

function checkConfigMap(cm, where) {
  validateModel(ConfigMap, cm, where, "");
  for (const [key, value] of Object.entries(cm.data || {})) {
    if (typeof value === "string" && /\.ya?ml$/.test(key) && /\bkind:\s*(List|HyperNode)\b/.test(value))
      checkEmbeddedHyperNodes(value, { file: where.file, object: `${where.object} data.${key}` });
  }
}

function checkVolcanoJob(job, where) {
  if (!validateVolcanoJob(job)) reportAjv(where, "", validateVolcanoJob.errors);
  if (job?.metadata && typeof job.metadata === "object") validateModel(ObjectMeta, job.metadata, where, "/metadata");
  (job?.spec?.tasks || []).forEach((task, i) => {
    if (task?.template && typeof task.template === "object")
      validateModel(PodTemplateSpec, task.template, where, `/spec/tasks/${i}/template`);
  });
}

const checkers = {
  "v1/ConfigMap": checkConfigMap,
  "batch.volcano.sh/v1alpha1/Job": checkVolcanoJob,
  "topology.volcano.sh/v1alpha1/HyperNode": checkHyperNode,
};

function checkObject(obj, where) {
  if (obj === null || typeof obj !== "object" || Array.isArray(obj)) {
    report(where, "", "not a Kubernetes object (a YAML mapping with apiVersion and kind)");
    return;
  }
  if (obj.apiVersion === "v1" && obj.kind === "List") {
    (obj.items || []).forEach((item, i) =>
      checkObject(item, { ...where, object: `${where.object}/items/${i}`, lineOf: null }));
    return;
  }
  const check = checkers[`${obj.apiVersion}/${obj.kind}`];
  if (!check) {
    report(where, "/kind", `no schema for apiVersion ${JSON.stringify(obj.apiVersion)} kind ${JSON.stringify(obj.kind)}`);
    return;
  }
  checked++;
  check(obj, { ...where, object: `${obj.kind}/${obj.metadata?.name ?? "?"}` });
}

function checkFile(file) {
  let text;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    problems.push(`${file}: cannot read: ${err.code || err.message}`);
    return;
  }
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, prettyErrors: true });
  docs.forEach((doc, n) => {
    if (doc.errors.length) {
      for (const e of doc.errors) problems.push(`${file}:${e.linePos?.[0]?.line ?? "?"}: YAML: ${e.message.split("\n")[0]}`);
      return;
    }
    if (doc.contents === null) return; // an empty document (comments only)
    const lineOf = (pointer) => {
      const path = pointer.split("/").slice(1).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
      for (let k = path.length; k >= 0; k--) {
        const node = doc.getIn(path.slice(0, k), true);
        if (node?.range) return lines.linePos(node.range[0]).line;
      }
      return 0;
    };
    checkObject(doc.toJS({ maxAliasCount: 1000 }), { file, object: `document ${n + 1}`, lineOf });
  });
}

const files = process.argv.slice(2);
if (!files.length) {
  console.error("usage: node k8s_schema.mjs FILE.yaml...");
  process.exit(2);
}
files.forEach(checkFile);
for (const p of problems) console.log(`k8s_schema: ${p}`);
if (problems.length) {
  console.log(`k8s_schema: ${problems.length} problem(s) in ${files.length} file(s)`);
  process.exit(1);
}
console.log(`k8s_schema: ${checked} object(s) in ${files.length} file(s) match their schemas`);

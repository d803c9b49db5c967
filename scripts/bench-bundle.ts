// Bundle benchmark: the Worker as `wrangler deploy --dry-run` builds it, raw and gzipped against the 3 MiB limit, and the generated assets' share.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const LIMIT = 3 * 1024 * 1024;
const mib = (n: number) => `${(n / 1024 / 1024).toFixed(2)} MiB`;

export function runBundleBench(): void {
  const out = mkdtempSync(join(tmpdir(), "iam-bundle-"));
  try {
    execFileSync("npx", ["wrangler", "deploy", "--dry-run", "--outdir", out], { cwd: root, stdio: "ignore" });
    const code = readFileSync(join(out, "index.js"));
    const gzipped = gzipSync(code, { level: 9 }).length;
    console.log(
      `Worker bundle: ${mib(code.length)} raw, ${mib(gzipped)} gzipped (limit ${mib(LIMIT)}, ${((100 * gzipped) / LIMIT).toFixed(0)}% used)`,
    );
    for (const asset of ["aws-managed-policies.json", "aws-managed-versions.json", "action-index.json"]) {
      const data = readFileSync(join(root, "src/generated", asset));
      console.log(`  ${asset.padEnd(28)} ${mib(data.length)} raw, ${mib(gzipSync(data, { level: 9 }).length)} gzipped`);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

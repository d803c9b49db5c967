// Policy engine benchmark: decisions per policy-set size, warm compiles and simulations, and the heap they hold.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { Miniflare } from "miniflare";
import { clearPolicyCaches, compilePolicySet, evaluate, policyCacheStats } from "../src/engine/index.ts";
import type { EvalRequest, PolicySetInput } from "../src/engine/index.ts";
import { runSimulation } from "../src/simulator/custom.ts";
import { ACCOUNT, readOnlySet, roleSet, smallSet, USER } from "./lib/engine-sets.ts";

function measure(name: string, make: () => { set: PolicySetInput; requests: EvalRequest[] }): void {
  const { set, requests } = make();
  const t0 = process.hrtime.bigint();
  const compiled = compilePolicySet(set);
  const compileUs = Number(process.hrtime.bigint() - t0) / 1000;
  const batch = 20_000;
  let sink = 0;
  const run = (): number => {
    const start = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) {
      const d = evaluate(compiled, requests[i % requests.length] as EvalRequest);
      sink += d.matchedStatements.length;
    }
    return Number(process.hrtime.bigint() - start) / batch;
  };
  for (let w = 0; w < 5; w++) run();
  const samples: number[] = [];
  for (let b = 0; b < 15; b++) samples.push(run());
  samples.sort((x, y) => x - y);
  const median = samples[Math.floor(samples.length / 2)] as number;
  console.log(
    `${name.padEnd(46)} compile ${compileUs.toFixed(0).padStart(7)} us   median ${median.toFixed(0).padStart(6)} ns/decision   ${Math.round(
      1e9 / median,
    )
      .toLocaleString("en-US")
      .padStart(11)} decisions/s${sink < 0 ? "!" : ""}`,
  );
}

/** Median microseconds of `fn` over `n` runs after a warm-up. */
function medianUs(n: number, fn: () => void): number {
  for (let i = 0; i < 20; i++) fn();
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = process.hrtime.bigint();
    fn();
    samples.push(Number(process.hrtime.bigint() - start) / 1000);
  }
  samples.sort((x, y) => x - y);
  return samples[Math.floor(samples.length / 2)] as number;
}

/** Warm reuse: a one-request /v1/simulate body (fresh objects every call) and an API-style set of stored texts. */
function measureWarm(): void {
  const { set, requests } = roleSet();
  const documents = set.identity.map((s) => JSON.parse(s.document as string) as object);
  const body = JSON.stringify({ policies: { identity: documents }, requests: [requests[0]] });
  const sim = medianUs(500, () => void runSimulation(JSON.parse(body)));
  const parsedBody: unknown = JSON.parse(body);
  const simOnly = medianUs(500, () => void runSimulation(parsedBody));
  console.log(
    `(b) one-request /v1/simulate, warm, documents as objects: ${simOnly.toFixed(1)} us simulating (each object ` +
      `re-serialised to find its compiled form), ${sim.toFixed(1)} us with JSON.parse of the ${body.length}-byte body`,
  );
  // Documents as JSON strings (as AWS's own simulate APIs take them): found by their text, nothing re-serialised.
  const textBody = JSON.stringify({
    policies: { identity: set.identity.map((s) => s.document) },
    requests: [requests[0]],
  });
  const textSim = medianUs(500, () => void runSimulation(JSON.parse(textBody)));
  const parsedText: unknown = JSON.parse(textBody);
  const textOnly = medianUs(500, () => void runSimulation(parsedText));
  console.log(
    `(b) one-request /v1/simulate, warm, documents as JSON strings: ${textOnly.toFixed(1)} us simulating, ` +
      `${textSim.toFixed(1)} us with JSON.parse of the ${textBody.length}-byte body`,
  );
  const hashed: PolicySetInput = {
    identity: set.identity.map((s, i) => ({ ...s, document: `${s.document as string}`, hash: `sha256-${i}` })),
  };
  const batch = JSON.stringify({
    policies: { identity: documents },
    requests: Array.from({ length: 1000 }, (_, i) => requests[i % requests.length]),
    results: "summary",
  });
  const batchMs = medianUs(30, () => void JSON.stringify(runSimulation(JSON.parse(batch)))) / 1000;
  console.log(
    `(b) 1,000-request /v1/simulate, summary results (parse, simulate, serialize)  median ${batchMs.toFixed(2)} ms`,
  );
  for (const results of ["summary", "decision", "full"] as const) {
    const big = JSON.stringify({
      policies: { identity: documents },
      requests: Array.from({ length: 10_000 }, (_, i) => requests[i % requests.length]),
      results,
    });
    const bigMs = medianUs(10, () => void JSON.stringify(runSimulation(JSON.parse(big)))) / 1000;
    console.log(
      `(b) 10,000-request /v1/simulate, ${results} results (parse, simulate, serialize)  median ${bigMs.toFixed(2)} ms`,
    );
  }
  const api = medianUs(2000, () => void evaluate(compilePolicySet(hashed), requests[0] as EvalRequest));
  console.log(`(b) API call: compilePolicySet of stored, hashed documents + 1 decision  median ${api.toFixed(1)} us`);
}

/** A distinct policy of about `bytes` characters: many statements with actions, resources and conditions. */
function bigPolicy(seed: number, bytes: number): object {
  const statements = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const st = {
      Sid: `S${seed}x${i}`,
      Effect: "Allow",
      Action: [`s3:Get${seed}x${i}*`, `ec2:Describe${i}*`, `dynamodb:Query${i % 50}`],
      Resource: [`arn:aws:s3:::bucket-${seed}-${i}/*`, `arn:aws:dynamodb:*:${ACCOUNT}:table/t${i}`],
      Condition: { StringEquals: { "aws:PrincipalTag/team": `team-${seed}-${i}` } },
    };
    size += JSON.stringify(st).length + 1;
    statements.push(st);
  }
  return { Version: "2012-10-17", Statement: statements };
}

/** Heap held after 20 distinct ~2 MB /v1/simulate calls: the caches are bounded by size, not by entry count. */
function measureHeap(): void {
  let gc: (() => void) | undefined = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) {
    setFlagsFromString("--expose-gc");
    gc = runInNewContext("gc") as () => void;
  }
  clearPolicyCaches();
  gc();
  const before = process.memoryUsage().heapUsed;
  const mb = (n: number): string => (n / 1024 / 1024).toFixed(1);
  const line: string[] = [];
  for (let i = 0; i < 20; i++) {
    const body = JSON.stringify({
      policies: { identity: [bigPolicy(i, 2_000_000)] },
      requests: [{ principal: USER, action: "s3:GetObject", resource: "arn:aws:s3:::bucket-1-1/k" }],
    });
    runSimulation(JSON.parse(body));
    gc();
    line.push(mb(process.memoryUsage().heapUsed - before));
  }
  const stats = policyCacheStats();
  console.log(`heap held after each of 20 distinct 2 MB simulations (MB above start): ${line.join(" ")}`);
  console.log(
    `caches: documents ${stats.documents.count} (${mb(stats.documents.cost)} of ${mb(stats.documents.capacity)} MB est.), sets ${stats.sets.count} (${mb(stats.sets.cost)} of ${mb(stats.sets.capacity)} MB est.)`,
  );
}

/**
 * Run in a fresh process (`--cold`): the first compile of a ReadOnlyAccess-sized policy, then the role set's first
 * 1,000 decisions against its steady rate. Prints one JSON line.
 */
function coldProcess(): void {
  const t0 = process.hrtime.bigint();
  compilePolicySet(readOnlySet().set);
  const compileMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const { set, requests } = roleSet();
  const compiled = compilePolicySet(set);
  const time = (n: number): number => {
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) evaluate(compiled, requests[i % requests.length] as EvalRequest);
    return Number(process.hrtime.bigint() - start) / n;
  };
  const firstNs = time(1000);
  for (let w = 0; w < 20; w++) time(10_000);
  const steady: number[] = [];
  for (let b = 0; b < 15; b++) steady.push(time(20_000));
  steady.sort((x, y) => x - y);
  console.log(JSON.stringify({ compileMs, firstNs, steadyNs: steady[7] }));
}

/** Medians over several fresh processes, so each figure is a cold isolate's. */
function measureCold(): void {
  const runs: { compileMs: number; firstNs: number; steadyNs: number }[] = [];
  for (let i = 0; i < 7; i++) {
    const out = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), "--cold"], {
      encoding: "utf8",
    });
    if (out.status !== 0) throw new Error(`cold run failed: ${out.stderr}`);
    runs.push(JSON.parse(out.stdout.trim().split("\n").pop() ?? "{}") as (typeof runs)[number]);
  }
  const mid = <K extends keyof (typeof runs)[number]>(k: K): number =>
    runs.map((r) => r[k]).sort((x, y) => x - y)[Math.floor(runs.length / 2)] as number;
  console.log(
    `fresh process (median of ${runs.length}): first compile of a ReadOnlyAccess-sized policy ${mid("compileMs").toFixed(2)} ms; ` +
      `role set's first 1,000 decisions ${mid("firstNs").toFixed(0)} ns each, steady ${mid("steadyNs").toFixed(0)} ns ` +
      `(${(mid("firstNs") / mid("steadyNs")).toFixed(1)}x)`,
  );
}

/**
 * The same cold figures in a fresh workerd isolate, the runtime the Worker really runs in: the probe Worker
 * (lib/cold-isolate-worker.ts) bundled as `wrangler deploy` bundles, then one new Miniflare (one new isolate) per run.
 * workerd's clock moves only at I/O, so figures have 1 ms resolution; each step's one KV read is subtracted.
 */
async function measureColdIsolate(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "iam-cold-"));
  try {
    const entry = fileURLToPath(new URL("./lib/cold-isolate-worker.ts", import.meta.url));
    const config = `name = "cold-probe"\nmain = ${JSON.stringify(entry)}\ncompatibility_date = "2026-04-01"\nsend_metrics = false\n`;
    writeFileSync(join(dir, "wrangler.toml"), config);
    const wrangler = fileURLToPath(new URL("../node_modules/.bin/wrangler", import.meta.url));
    execFileSync(wrangler, ["deploy", "--dry-run", "--outdir", join(dir, "out")], { cwd: dir, stdio: "ignore" });
    const script = readFileSync(join(dir, "out", "cold-isolate-worker.js"), "utf8");
    type Run = { read: number; compile: number; roleCompile: number; first: number; steady: number };
    const runs: Run[] = [];
    for (let i = 0; i < 7; i++) {
      const mf = new Miniflare({ modules: true, script, kvNamespaces: ["KV"], compatibilityDate: "2026-04-01" });
      try {
        runs.push((await (await mf.dispatchFetch("http://probe/")).json()) as Run);
      } finally {
        await mf.dispose();
      }
    }
    const mid = (k: keyof Run): number => runs.map((r) => r[k]).sort((x, y) => x - y)[3] as number;
    const less = (k: keyof Run): number => Math.max(0, mid(k) - mid("read"));
    const firstUs = (less("first") * 1000) / 1000;
    const steadyUs = (less("steady") * 1000) / 20_000;
    console.log(
      `fresh workerd isolate (median of ${runs.length}, 1 ms resolution): first compile of a ReadOnlyAccess-sized policy ${less("compile")} ms; ` +
        `role set compile ${less("roleCompile")} ms; its first 1,000 decisions ${firstUs.toFixed(1)} µs each, ` +
        `then ${steadyUs.toFixed(2)} µs each after 100,000 (${(firstUs / steadyUs).toFixed(1)}x)`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runEngineBench(): Promise<void> {
  measureCold();
  await measureColdIsolate();
  clearPolicyCaches();
  console.log("policy engine (median of 15 batches of 20,000 decisions)");
  measure("(a) one small identity policy", smallSet);
  measure("(b) role: 200 statements, boundary, 2 SCP levels", roleSet);
  measure("(c) ReadOnlyAccess-sized: 3000 patterns", readOnlySet);
  measureWarm();
  measureHeap();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.argv.includes("--cold")) coldProcess();
  else await runEngineBench();
}

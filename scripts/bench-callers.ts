// The boto3-style IAM loop per caller kind (root, IAM user, role session): calls/s, median latency and D1 round trips
// per operation against `wrangler dev`, and the same loop against moto's in-memory server when it is installed.
import {
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeleteUserCommand,
  DetachUserPolicyCommand,
  GetUserCommand,
  IAMClient,
  ListAttachedUserPoliciesCommand,
  ListUsersCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
} from "@aws-sdk/client-iam";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { spawn, spawnSync } from "node:child_process";
import { createServer } from "node:net";
import { startDevServer } from "./lib/dev-server.ts";
import { median } from "./lib/measure.ts";

const ACCOUNT = "123456789012";
const LOOPS = 30;
/** A customer managed policy, created first: moto has no AWS managed policies loaded by default. */
const POLICY = `arn:aws:iam::${"123456789012"}:policy/bench-policy`;
const ALL = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] });

interface Creds {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** What the last response said of itself: D1 round trips, and Server-Timing's time in the Worker and in D1. */
type Probe = { trips: number; worker: number; d1: number };

/** One duration of a Server-Timing header (NaN when absent). */
function timing(header: string | undefined, name: string): number {
  const m = new RegExp(`(?:^|,)\\s*${name};dur=(\\d+)`).exec(header ?? "");
  return m ? Number(m[1]) : NaN;
}

function client(endpoint: string, credentials: Creds, probe?: Probe): IAMClient {
  const iam = new IAMClient({ endpoint, region: "us-east-1", credentials, maxAttempts: 1 });
  if (probe) {
    iam.middlewareStack.add(
      (next) => async (args) => {
        const out = await next(args);
        const headers = (out.response as { headers?: Record<string, string> }).headers ?? {};
        probe.trips = Number(headers["x-d1-round-trips"] ?? NaN);
        probe.worker = timing(headers["server-timing"], "worker");
        probe.d1 = timing(headers["server-timing"], "d1");
        return out;
      },
      { step: "deserialize", name: "roundTripProbe" },
    );
  }
  return iam;
}

const OPS = [
  "CreateUser",
  "GetUser",
  "AttachUserPolicy",
  "ListAttachedUserPolicies",
  "ListUsers",
  "DetachUserPolicy",
  "DeleteUser",
];

/** One pass of the loop on its own user; returns each operation's time (ms) and round trips. */
async function loop(iam: IAMClient, probe: Probe | undefined, name: string) {
  const calls: [string, () => Promise<unknown>][] = [
    ["CreateUser", () => iam.send(new CreateUserCommand({ UserName: name }))],
    ["GetUser", () => iam.send(new GetUserCommand({ UserName: name }))],
    ["AttachUserPolicy", () => iam.send(new AttachUserPolicyCommand({ UserName: name, PolicyArn: POLICY }))],
    ["ListAttachedUserPolicies", () => iam.send(new ListAttachedUserPoliciesCommand({ UserName: name }))],
    ["ListUsers", () => iam.send(new ListUsersCommand({ MaxItems: 100 }))],
    ["DetachUserPolicy", () => iam.send(new DetachUserPolicyCommand({ UserName: name, PolicyArn: POLICY }))],
    ["DeleteUser", () => iam.send(new DeleteUserCommand({ UserName: name }))],
  ];
  const out: Record<string, { ms: number; trips: number; worker: number; d1: number }> = {};
  for (const [op, call] of calls) {
    const t0 = performance.now();
    await call();
    out[op] = {
      ms: performance.now() - t0,
      trips: probe?.trips ?? NaN,
      worker: probe?.worker ?? NaN,
      d1: probe?.d1 ?? NaN,
    };
  }
  return out;
}

interface LoopSummary {
  msPerCall: number;
  tripsPerCall: number;
}

async function run(label: string, iam: IAMClient, probe: Probe | undefined, prefix: string): Promise<LoopSummary> {
  await iam
    .send(new CreatePolicyCommand({ PolicyName: "bench-policy", PolicyDocument: ALL }))
    .catch((err: { name?: string }) => {
      if (err.name !== "EntityAlreadyExistsException" && err.name !== "EntityAlreadyExists") throw err;
    });
  await loop(iam, probe, `${prefix}-warm`);
  const per: Record<string, { ms: number[]; trips: number[]; worker: number[]; d1: number[] }> = {};
  for (const op of OPS) per[op] = { ms: [], trips: [], worker: [], d1: [] };
  const t0 = performance.now();
  for (let i = 0; i < LOOPS; i++) {
    const r = await loop(iam, probe, `${prefix}-${i}`);
    for (const op of OPS) {
      per[op]?.ms.push(r[op]?.ms ?? NaN);
      per[op]?.trips.push(r[op]?.trips ?? NaN);
      per[op]?.worker.push(r[op]?.worker ?? NaN);
      per[op]?.d1.push(r[op]?.d1 ?? NaN);
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  console.log(`\n${label}: ${((LOOPS * OPS.length) / seconds).toFixed(1)} calls/s`);
  let tripSum = 0;
  for (const op of OPS) tripSum += median(per[op]?.trips ?? []);
  for (const op of OPS) {
    const f = per[op];
    // Median and worst: the worst includes the key lookup again when the isolate's 30 s memory of it lapses.
    const trips = probe ? `${median(f?.trips ?? [])} (max ${Math.max(...(f?.trips ?? []))})` : "-";
    const inside = probe ? `   in the Worker ${median(f?.worker ?? [])} ms, awaiting D1 ${median(f?.d1 ?? [])} ms` : "";
    console.log(
      `  ${op.padEnd(26)}${median(f?.ms ?? [])
        .toFixed(2)
        .padStart(8)} ms   D1 round trips ${trips}${inside}`,
    );
  }
  if (probe) {
    // The Worker reports its own time, but workerd's clock moves only at I/O: CPU work after the Worker's last I/O
    // (encoding the response) is not in it, so "outside" is an upper bound of HTTP, wrangler dev's proxy and the SDK.
    const mean = (k: "ms" | "worker" | "d1") =>
      OPS.reduce((sum, op) => sum + (per[op]?.[k].reduce((a, b) => a + b, 0) ?? 0), 0) / (LOOPS * OPS.length);
    const [client, worker, d1] = [mean("ms"), mean("worker"), mean("d1")];
    console.log(
      `  mean per call: ${client.toFixed(2)} ms at the client = ${(client - worker).toFixed(2)} ms outside the Worker's ` +
        `clock (HTTP through wrangler dev's proxy, the SDK, the Worker's CPU after its last I/O) + ` +
        `${worker.toFixed(2)} ms on it, of which ` +
        `${d1.toFixed(2)} ms awaiting D1`,
    );
  }
  return { msPerCall: (seconds * 1000) / (LOOPS * OPS.length), tripsPerCall: tripSum / OPS.length };
}

/** Median milliseconds of `n` sequential calls after a warm-up. */
async function medianMs(n: number, call: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 10; i++) await call();
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await call();
    samples.push(performance.now() - t0);
  }
  return median(samples);
}

interface Probes {
  /** An unsigned GET of an unknown path: HTTP through wrangler dev and the router, nothing else. */
  transport: number;
  /** Root's signed GetCallerIdentity: transport, body, SigV4 and the core, with no D1 and no policy. */
  signedRoot: number;
  /** Root's GetUser: the same plus one D1 round trip. */
  getUserRoot: number;
  /** An IAM user's GetCallerIdentity: its key resolved from the isolate's memory, authorization skipped. */
  signedUser: number;
  /** An IAM user's GetUser: its policies loaded in the same round trip and decided. */
  getUserUser: number;
}

/**
 * Where a loop call's time goes, estimated by differences between probes that each add one part: transport, SigV4
 * and the core, D1 (round trips times the cost of one), authorization, and the handler (the rest).
 */
function breakdown(label: string, loop: LoopSummary, p: Probes, user: boolean): void {
  const sigv4 = Math.max(0, (user ? p.signedUser : p.signedRoot) - p.transport);
  const perTrip = Math.max(0, p.getUserRoot - p.signedRoot);
  const d1 = loop.tripsPerCall * perTrip;
  const authz = user ? Math.max(0, p.getUserUser - p.getUserRoot - (p.signedUser - p.signedRoot)) : 0;
  const rest = Math.max(0, loop.msPerCall - p.transport - sigv4 - d1 - authz);
  const share = (ms: number) => `${ms.toFixed(2)} ms (${Math.round((100 * ms) / loop.msPerCall)}%)`;
  console.log(
    `  ${label}: ${loop.msPerCall.toFixed(2)} ms per call = transport ${share(p.transport)} + SigV4 and core ` +
      `${share(sigv4)} + D1 ${loop.tripsPerCall.toFixed(2)} round trips x ${perTrip.toFixed(2)} = ${share(d1)} + ` +
      `authorization ${share(authz)} + handler and encoding ${share(rest)}`,
  );
}

async function probe(url: string, root: Creds, user: Creds): Promise<Probes> {
  // One client per caller, as the loop has, so every probe rides a warm keep-alive connection.
  const sts = (c: Creds) => new STSClient({ endpoint: url, region: "us-east-1", credentials: c, maxAttempts: 1 });
  const [iamRoot, iamUser, stsRoot, stsUser] = [client(url, root), client(url, user), sts(root), sts(user)];
  const n = 100;
  return {
    transport: await medianMs(n, () => fetch(`${url}/bench-unknown-path`).then((r) => r.arrayBuffer())),
    signedRoot: await medianMs(n, () => stsRoot.send(new GetCallerIdentityCommand({}))),
    getUserRoot: await medianMs(n, () => iamRoot.send(new GetUserCommand({ UserName: "bench-admin" }))),
    signedUser: await medianMs(n, () => stsUser.send(new GetCallerIdentityCommand({}))),
    getUserUser: await medianMs(n, () => iamUser.send(new GetUserCommand({ UserName: "bench-admin" }))),
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const a = srv.address();
      srv.close(() => resolve(typeof a === "object" && a ? a.port : 0));
    });
  });
}

/** moto's in-memory server, the baseline the issue names; skipped with a message where it is not installed. */
async function runMoto(): Promise<void> {
  if (spawnSync("python3", ["-c", "import moto.server"]).status !== 0) {
    console.log("\nmoto is not installed (python3 -m moto.server): no in-memory baseline.");
    return;
  }
  const port = await freePort();
  const child = spawn("python3", ["-m", "moto.server", "-p", String(port)], { stdio: "ignore", detached: true });
  const url = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; i < 100; i++) {
      try {
        await fetch(url);
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    await run("moto (in-memory), root", client(url, { accessKeyId: "test", secretAccessKey: "test" }), undefined, "m");
  } finally {
    if (child.pid) process.kill(-child.pid);
  }
}

export async function runCallersBench(): Promise<void> {
  const server = await startDevServer({});
  try {
    const url = server.url;
    const rootProbe: Probe = { trips: 0, worker: 0, d1: 0 };
    const root = client(url, { accessKeyId: "test", secretAccessKey: "test" }, rootProbe);
    const rootLoop = await run("root", root, rootProbe, "r");

    await root.send(new CreateUserCommand({ UserName: "bench-admin" }));
    await root.send(new PutUserPolicyCommand({ UserName: "bench-admin", PolicyName: "all", PolicyDocument: ALL }));
    const key = (await root.send(new CreateAccessKeyCommand({ UserName: "bench-admin" }))).AccessKey;
    const user: Creds = { accessKeyId: key?.AccessKeyId ?? "", secretAccessKey: key?.SecretAccessKey ?? "" };
    const userProbe: Probe = { trips: 0, worker: 0, d1: 0 };
    const userLoop = await run("IAM user (inline Allow *)", client(url, user, userProbe), userProbe, "u");

    const trust = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "sts:AssumeRole" }],
    });
    await root.send(new CreateRoleCommand({ RoleName: "bench-role", AssumeRolePolicyDocument: trust }));
    await root.send(new PutRolePolicyCommand({ RoleName: "bench-role", PolicyName: "all", PolicyDocument: ALL }));
    const sts = new STSClient({ endpoint: url, region: "us-east-1", credentials: user, maxAttempts: 1 });
    const assumed = await sts.send(
      new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/bench-role`, RoleSessionName: "bench" }),
    );
    const c = assumed.Credentials;
    const session: Creds = {
      accessKeyId: c?.AccessKeyId ?? "",
      secretAccessKey: c?.SecretAccessKey ?? "",
      sessionToken: c?.SessionToken,
    };
    const sessionProbe: Probe = { trips: 0, worker: 0, d1: 0 };
    await run("role session (KV credentials)", client(url, session, sessionProbe), sessionProbe, "s");

    const probes = await probe(url, { accessKeyId: "test", secretAccessKey: "test" }, user);
    console.log(
      `\nwhere a call's time goes (medians of single probes; parts estimated by differences): unsigned route ` +
        `${probes.transport.toFixed(2)} ms, signed GetCallerIdentity root ${probes.signedRoot.toFixed(2)} / user ` +
        `${probes.signedUser.toFixed(2)} ms, GetUser root ${probes.getUserRoot.toFixed(2)} / user ` +
        `${probes.getUserUser.toFixed(2)} ms`,
    );
    breakdown("root loop", rootLoop, probes, false);
    breakdown("IAM user loop", userLoop, probes, true);
  } finally {
    await server.stop();
  }
  await runMoto();
}

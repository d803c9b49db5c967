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
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
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

type Probe = { trips: number };

function client(endpoint: string, credentials: Creds, probe?: Probe): IAMClient {
  const iam = new IAMClient({ endpoint, region: "us-east-1", credentials, maxAttempts: 1 });
  if (probe) {
    iam.middlewareStack.add(
      (next) => async (args) => {
        const out = await next(args);
        const headers = (out.response as { headers?: Record<string, string> }).headers ?? {};
        probe.trips = Number(headers["x-d1-round-trips"] ?? NaN);
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
  const out: Record<string, { ms: number; trips: number }> = {};
  for (const [op, call] of calls) {
    const t0 = performance.now();
    await call();
    out[op] = { ms: performance.now() - t0, trips: probe?.trips ?? NaN };
  }
  return out;
}

async function run(label: string, iam: IAMClient, probe: Probe | undefined, prefix: string) {
  await iam
    .send(new CreatePolicyCommand({ PolicyName: "bench-policy", PolicyDocument: ALL }))
    .catch((err: { name?: string }) => {
      if (err.name !== "EntityAlreadyExistsException" && err.name !== "EntityAlreadyExists") throw err;
    });
  await loop(iam, probe, `${prefix}-warm`);
  const per: Record<string, { ms: number[]; trips: number[] }> = {};
  for (const op of OPS) per[op] = { ms: [], trips: [] };
  const t0 = performance.now();
  for (let i = 0; i < LOOPS; i++) {
    const r = await loop(iam, probe, `${prefix}-${i}`);
    for (const op of OPS) {
      per[op]?.ms.push(r[op]?.ms ?? NaN);
      per[op]?.trips.push(r[op]?.trips ?? NaN);
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  console.log(`\n${label}: ${((LOOPS * OPS.length) / seconds).toFixed(1)} calls/s`);
  for (const op of OPS) {
    const f = per[op];
    // Median and worst: the worst includes the key lookup again when the isolate's 30 s memory of it lapses.
    const trips = probe ? `${median(f?.trips ?? [])} (max ${Math.max(...(f?.trips ?? []))})` : "-";
    console.log(
      `  ${op.padEnd(26)}${median(f?.ms ?? [])
        .toFixed(2)
        .padStart(8)} ms   D1 round trips ${trips}`,
    );
  }
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
    const rootProbe: Probe = { trips: 0 };
    const root = client(url, { accessKeyId: "test", secretAccessKey: "test" }, rootProbe);
    await run("root", root, rootProbe, "r");

    await root.send(new CreateUserCommand({ UserName: "bench-admin" }));
    await root.send(new PutUserPolicyCommand({ UserName: "bench-admin", PolicyName: "all", PolicyDocument: ALL }));
    const key = (await root.send(new CreateAccessKeyCommand({ UserName: "bench-admin" }))).AccessKey;
    const user: Creds = { accessKeyId: key?.AccessKeyId ?? "", secretAccessKey: key?.SecretAccessKey ?? "" };
    const userProbe: Probe = { trips: 0 };
    await run("IAM user (inline Allow *)", client(url, user, userProbe), userProbe, "u");

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
    const sessionProbe: Probe = { trips: 0 };
    await run("role session (KV credentials)", client(url, session, sessionProbe), sessionProbe, "s");
  } finally {
    await server.stop();
  }
  await runMoto();
}

// API benchmark: an account seeded at AWS's quotas behind `wrangler dev`, median latency and D1 round trips per op.
import {
  AttachUserPolicyCommand,
  CreateUserCommand,
  GetAccountAuthorizationDetailsCommand,
  GetUserCommand,
  IAMClient,
  ListUsersCommand,
} from "@aws-sdk/client-iam";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startDevServer, type DevServer } from "./lib/dev-server.ts";
import { median, timedSignedPost } from "./lib/measure.ts";

const ACCOUNT = "123456789012";
const ITERATIONS = 40;
/** Users stop one warm-up plus ITERATIONS short of the 5,000 quota, so the measured CreateUser calls fill it. */
export const SEED = { users: 5000 - ITERATIONS - 1, roles: 1000, policies: 1500 };

function pad(n: number): string {
  // Unique ids use IAM's alphabet (A-Z, 2-7); the index is spelled in it so seeded ids stay valid.
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let out = "";
  for (let i = 0; i < 12; i++) {
    out = alphabet[n % 32] + out;
    n = Math.floor(n / 32);
  }
  return out;
}

function seedSql(): string {
  const now = Date.now();
  const lines: string[] = [];
  const trust = JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
  }).replace(/'/g, "''");
  for (let i = 0; i < SEED.users; i++) {
    const name = `seed-user-${i}`;
    lines.push(
      `INSERT INTO users (id, account_id, name, name_key, path, arn, created_at) VALUES ('AIDABENCH${pad(i)}', '${ACCOUNT}', '${name}', '${name}', '/seed/', 'arn:aws:iam::${ACCOUNT}:user/seed/${name}', ${now});`,
    );
  }
  for (let i = 0; i < SEED.roles; i++) {
    const name = `seed-role-${i}`;
    lines.push(
      `INSERT INTO roles (id, account_id, name, name_key, path, arn, assume_role_policy, max_session_duration, created_at) VALUES ('AROABENCH${pad(i)}', '${ACCOUNT}', '${name}', '${name}', '/', 'arn:aws:iam::${ACCOUNT}:role/${name}', '${trust}', 3600, ${now});`,
    );
  }
  const doc = JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }],
  });
  for (let i = 0; i < SEED.policies; i++) {
    const name = `seed-policy-${i}`;
    const id = `ANPABENCH${pad(i)}`;
    lines.push(
      `INSERT INTO policies (id, account_id, name, name_key, path, arn, default_version_id, next_version, created_at, updated_at) VALUES ('${id}', '${ACCOUNT}', '${name}', '${name}', '/', 'arn:aws:iam::${ACCOUNT}:policy/${name}', 'v1', 2, ${now}, ${now});`,
      `INSERT INTO policy_versions (policy_id, version_id, document, created_at) VALUES ('${id}', 'v1', '${doc}', ${now});`,
    );
  }
  return lines.join("\n");
}

interface OpFigures {
  op: string;
  medianMs: number;
  roundTrips: number;
  /** The same call as a bare signed HTTP request, without the SDK's client-side work. */
  httpMs?: number;
}

/** A signed query-protocol POST without the SDK, so the figure is the server's time plus the HTTP hop. */
function rawCall(url: string, params: Record<string, string>): Promise<number> {
  const body = new URLSearchParams({ Version: "2010-05-08", ...params }).toString();
  return timedSignedPost(new URL(url), "application/x-www-form-urlencoded; charset=utf-8", body);
}

async function measureHttp(url: string, params: (i: number) => Record<string, string>): Promise<number> {
  await rawCall(url, params(ITERATIONS));
  const times: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) times.push(await rawCall(url, params(i)));
  return median(times);
}

async function measure(
  lastRoundTrips: () => number,
  op: string,
  call: (i: number) => Promise<unknown>,
): Promise<OpFigures> {
  const times: number[] = [];
  const trips: number[] = [];
  await call(ITERATIONS); // warm-up: the first call of an operation compiles its code paths in the isolate
  for (let i = 0; i < ITERATIONS; i++) {
    const t0 = performance.now();
    await call(i);
    times.push(performance.now() - t0);
    trips.push(lastRoundTrips());
  }
  return { op, medianMs: median(times), roundTrips: Math.max(...trips) };
}

export async function runApiBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "iam-sim-bench-"));
  const seedFile = join(dir, "seed.sql");
  writeFileSync(seedFile, seedSql());
  let server: DevServer | undefined;
  try {
    console.log(
      `seeding ${SEED.users} users, ${SEED.roles} roles, ${SEED.policies} policies and starting wrangler dev…`,
    );
    server = await startDevServer({}, seedFile);
    let trips = 0;
    const iam = new IAMClient({
      endpoint: server.url,
      region: "us-east-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      maxAttempts: 1,
    });
    iam.middlewareStack.add(
      (next) => async (args) => {
        const out = await next(args);
        const headers = (out.response as { headers?: Record<string, string> }).headers ?? {};
        trips = Number(headers["x-d1-round-trips"] ?? NaN);
        return out;
      },
      { step: "deserialize", name: "roundTripProbe" },
    );
    const rt = () => trips;
    const policyArn = (i: number) => `arn:aws:iam::${ACCOUNT}:policy/seed-policy-${(i + 1000) % SEED.policies}`;
    const figures = [
      await measure(rt, "CreateUser", (i) => iam.send(new CreateUserCommand({ UserName: `bench-${i + 1}` }))),
      await measure(rt, "GetUser", (i) =>
        iam.send(new GetUserCommand({ UserName: `seed-user-${(i * 97 + 13) % SEED.users}` })),
      ),
      await measure(rt, "ListUsers (page of 100)", (i) =>
        iam.send(new ListUsersCommand({ MaxItems: 100, PathPrefix: i % 2 ? "/seed/" : undefined })),
      ),
      await measure(rt, "AttachUserPolicy", (i) =>
        iam.send(new AttachUserPolicyCommand({ UserName: `seed-user-${i + 1}`, PolicyArn: policyArn(i) })),
      ),
      await measure(rt, "GetAccountAuthorizationDetails", () =>
        iam.send(new GetAccountAuthorizationDetailsCommand({ MaxItems: 100 })),
      ),
    ];
    const url = server.url;
    const http: Record<string, (i: number) => Record<string, string>> = {
      GetUser: (i) => ({ Action: "GetUser", UserName: `seed-user-${(i * 89 + 7) % SEED.users}` }),
      "ListUsers (page of 100)": () => ({ Action: "ListUsers", MaxItems: "100" }),
      AttachUserPolicy: (i) => ({
        Action: "AttachUserPolicy",
        UserName: `seed-user-${i + 200}`,
        PolicyArn: policyArn(i),
      }),
      GetAccountAuthorizationDetails: () => ({ Action: "GetAccountAuthorizationDetails", MaxItems: "100" }),
    };
    for (const f of figures) {
      const params = http[f.op];
      // CreateUser has no bare-HTTP row: the SDK's calls already filled the account to its quota.
      if (params) f.httpMs = await measureHttp(url, params);
    }
    const floor = await (async () => {
      const times: number[] = [];
      for (let i = 0; i < ITERATIONS; i++) {
        const t0 = performance.now();
        await (await fetch(`${url}/_floor`)).arrayBuffer();
        times.push(performance.now() - t0);
      }
      return median(times);
    })();
    console.log(`\nAPI against wrangler dev (account at quotas), ${ITERATIONS} calls each, medians:`);
    console.log("operation".padEnd(34) + "SDK ms".padStart(9) + "HTTP ms".padStart(10) + "D1 round trips".padStart(16));
    for (const f of figures) {
      const httpText = f.httpMs === undefined ? "-" : f.httpMs.toFixed(2);
      console.log(
        f.op.padEnd(34) + f.medianMs.toFixed(2).padStart(9) + httpText.padStart(10) + String(f.roundTrips).padStart(16),
      );
    }
    console.log(`(transport floor: an unsigned request to a 404 route takes ${floor.toFixed(2)} ms)`);
  } finally {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

// /v1/simulate and /v1/simulations benchmarks in workerd (wrangler dev): batch wall times, and the D1 round trips and wall time of a 10,000-cell grid over a stored user with 10 managed policies and of opening its link.
import { AttachUserPolicyCommand, CreatePolicyCommand, CreateUserCommand, IAMClient } from "@aws-sdk/client-iam";
import { signRequest } from "../src/aws/sigv4.ts";
import { startDevServer, type DevServer } from "./lib/dev-server.ts";
import { median, timedSignedPost } from "./lib/measure.ts";

const REPEATS = 15;

/** A role-like policy set: 10 policies of 20 statements with conditions and variables, as a real account has. */
function policySet() {
  const services = ["s3", "ec2", "dynamodb", "sqs", "sns", "lambda", "iam", "kms", "logs", "cloudwatch"];
  return services.map((svc, p) => ({
    Version: "2012-10-17",
    Statement: Array.from({ length: 20 }, (_, s) => ({
      Sid: `P${p}S${s}`,
      Effect: s % 7 === 6 ? "Deny" : "Allow",
      Action: [`${svc}:Get*`, `${svc}:List*`, `${svc}:Describe${s}*`],
      Resource: s % 3 === 0 ? `arn:aws:${svc}:*:111111111111:thing/\${aws:username}/*` : "*",
      Condition:
        s % 2 === 0
          ? { StringEquals: { "aws:PrincipalTag/team": `team-${s}` }, Bool: { "aws:SecureTransport": "true" } }
          : { IpAddress: { "aws:SourceIp": ["10.0.0.0/8", "192.168.0.0/16"] } },
    })),
  }));
}

function requests(n: number) {
  const actions = ["s3:GetObject", "ec2:DescribeInstances", "dynamodb:GetItem", "sqs:ListQueues", "kms:Decrypt"];
  return Array.from({ length: n }, (_, i) => ({
    principal: "arn:aws:iam::111111111111:user/alice",
    action: actions[i % actions.length],
    resource: `arn:aws:s3:::bucket/alice/object-${i}`,
    context: {
      "aws:SourceIp": `10.0.${i % 256}.1`,
      "aws:PrincipalTag/team": `team-${i % 20}`,
      "aws:SecureTransport": true,
    },
  }));
}

function timeCall(url: string, body: string): Promise<number> {
  return timedSignedPost(new URL(`${url}/v1/simulate`), "application/json", body);
}

/** One signed POST: wall time, the x-d1-round-trips header and the JSON answer. */
async function measuredPost(url: URL, body: string) {
  const headers = await signRequest({
    method: "POST",
    url,
    headers: { "content-type": "application/json" },
    body,
    accessKeyId: "test",
    secret: "test",
    region: "us-east-1",
    service: "iam",
    now: new Date(),
  });
  const t0 = performance.now();
  const res = await fetch(url, { method: "POST", headers, body });
  const json = (await res.json()) as { id?: string; results?: unknown[]; error?: { message: string } };
  const ms = performance.now() - t0;
  if (res.status !== 200) throw new Error(`${url.pathname} answered ${res.status}: ${json.error?.message ?? ""}`);
  return { ms, roundTrips: Number(res.headers.get("x-d1-round-trips")), json };
}

async function measuredGet(url: URL) {
  const t0 = performance.now();
  const res = await fetch(url);
  await res.arrayBuffer();
  return { ms: performance.now() - t0, roundTrips: Number(res.headers.get("x-d1-round-trips")), status: res.status };
}

/** A stored user with 10 customer managed policies, then a 100-action x 100-resource grid with a what-if. */
export async function runGridBench(url: string): Promise<void> {
  const iam = new IAMClient({
    endpoint: url,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
  await iam.send(new CreateUserCommand({ UserName: "bench-grid" }));
  for (const [i, doc] of policySet().entries()) {
    const { Policy } = await iam.send(
      new CreatePolicyCommand({ PolicyName: `bench-grid-${i}`, PolicyDocument: JSON.stringify(doc) }),
    );
    await iam.send(new AttachUserPolicyCommand({ UserName: "bench-grid", PolicyArn: Policy!.Arn! }));
  }
  const services = ["s3", "ec2", "dynamodb", "sqs", "sns", "lambda", "iam", "kms", "logs", "cloudwatch"];
  const actions = services.flatMap((svc) => Array.from({ length: 10 }, (_, i) => `${svc}:GetThing${i}`));
  const resources = Array.from({ length: 100 }, (_, i) => `arn:aws:s3:::bucket/bench-grid/object-${i}`);
  const body = JSON.stringify({
    principal: "arn:aws:iam::123456789012:user/bench-grid",
    whatIf: {
      sessionPolicies: [{ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }] }],
    },
    actions,
    resources,
    context: { "aws:SecureTransport": true, "aws:SourceIp": "10.1.2.3" },
  });
  const target = new URL(`${url}/v1/simulations`);
  for (let i = 0; i < 2; i++) await measuredPost(target, body); // warm-up
  const runs: { ms: number; roundTrips: number }[] = [];
  let id = "";
  for (let i = 0; i < 5; i++) {
    const r = await measuredPost(target, body);
    runs.push(r);
    id = r.json.id ?? "";
    if (r.json.results?.length !== 10_000) throw new Error(`expected 10,000 results, got ${r.json.results?.length}`);
  }
  const brief: { ms: number; roundTrips: number }[] = [];
  const briefBody = JSON.stringify({ ...(JSON.parse(body) as object), explain: "decision" });
  for (let i = 0; i < 5; i++) brief.push(await measuredPost(target, briefBody));
  const page = await measuredGet(new URL(`${url}/s/${id}`));
  const json = await measuredGet(new URL(`${url}/v1/simulations/${id}`));
  console.log("\n/v1/simulations: 10,000 cells (100 actions x 100 resources, before and after a what-if),");
  console.log("stored user with 10 customer managed policies of 20 statements, root caller, median of 5:");
  console.log(
    `  wall ms ${median(runs.map((r) => r.ms)).toFixed(1)}, D1 round trips ${Math.max(...runs.map((r) => r.roundTrips))} (target <= 3)`,
  );
  console.log(
    `  with "explain": "decision" (no matched statements): wall ms ${median(brief.map((r) => r.ms)).toFixed(1)}, ` +
      `D1 round trips ${Math.max(...brief.map((r) => r.roundTrips))}`,
  );
  console.log(
    `  open the link: GET /s/<id> ${page.ms.toFixed(1)} ms, ${page.roundTrips} D1 round trips (KV read only)`,
  );
  console.log(`  GET /v1/simulations/<id> ${json.ms.toFixed(1)} ms, ${json.roundTrips} D1 round trips`);
}

export async function runSimulateBench(): Promise<void> {
  let server: DevServer | undefined;
  try {
    server = await startDevServer();
    const policies = { identity: policySet() };
    const figures: [string, number][] = [];
    for (const n of [1, 1000, 10_000]) {
      const body = JSON.stringify({ policies, requests: requests(n) });
      for (let i = 0; i < 3; i++) await timeCall(server.url, body); // warm-up: JIT and isolate start
      const times: number[] = [];
      for (let i = 0; i < REPEATS; i++) times.push(await timeCall(server.url, body));
      figures.push([`${n} requests`, median(times)]);
    }
    const base = figures[0]?.[1] ?? 0;
    console.log(`\n/v1/simulate in workerd (wrangler dev, root caller: no D1 on this path), median of ${REPEATS}:`);
    console.log("batch".padEnd(18) + "wall ms".padStart(10) + "minus 1-request call".padStart(24));
    for (const [label, ms] of figures) {
      console.log(label.padEnd(18) + ms.toFixed(2).padStart(10) + (ms - base).toFixed(2).padStart(24));
    }
    await runGridBench(server.url);
  } finally {
    await server?.stop();
  }
}

// /v1/simulate benchmark: time of 1,000- and 10,000-request batches inside workerd (wrangler dev), minus a 1-request call.
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
  } finally {
    await server?.stop();
  }
}

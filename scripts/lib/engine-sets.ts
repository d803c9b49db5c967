// The policy sets the engine benchmarks decide over: a small policy, a 200-statement role, a ReadOnlyAccess-sized one.
import type { EvalRequest, PolicySetInput } from "../../src/engine/index.ts";

export const ACCOUNT = "111122223333";
export const USER = `arn:aws:iam::${ACCOUNT}:user/alice`;
const SESSION = `arn:aws:sts::${ACCOUNT}:assumed-role/app/session-1`;

/** (a) One small identity policy. */
export function smallSet(): { set: PolicySetInput; requests: EvalRequest[] } {
  const doc = {
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Action: ["s3:GetObject", "s3:ListBucket"], Resource: "arn:aws:s3:::reports/*" },
      { Effect: "Deny", Action: "s3:DeleteObject", Resource: "*" },
    ],
  };
  return {
    set: { identity: [{ document: JSON.stringify(doc) }] },
    requests: [
      { principal: USER, action: "s3:GetObject", resource: "arn:aws:s3:::reports/2024/q1.csv" },
      { principal: USER, action: "s3:DeleteObject", resource: "arn:aws:s3:::reports/2024/q1.csv" },
      { principal: USER, action: "ec2:DescribeInstances", resource: "*" },
    ],
  };
}

/** (b) A role with 10 managed policies, 200 statements with conditions and variables, a boundary and 2 SCP levels. */
export function roleSet(): { set: PolicySetInput; requests: EvalRequest[] } {
  const services = ["s3", "ec2", "dynamodb", "sqs", "sns", "lambda", "kms", "logs", "iam", "sts"];
  const identity = [];
  for (let p = 0; p < 10; p++) {
    const statements = [];
    for (let s = 0; s < 20; s++) {
      const svc = services[(p + s) % services.length] as string;
      statements.push({
        Sid: `P${p}S${s}`,
        Effect: s % 7 === 6 ? "Deny" : "Allow",
        Action: [`${svc}:Get*`, `${svc}:List*`, `${svc}:Describe*`, `${svc}:Put${s}*`],
        Resource: [
          `arn:aws:${svc}:*:${ACCOUNT}:team/\${aws:PrincipalTag/team}/*`,
          `arn:aws:${svc}:::bucket-${p}-${s}/*`,
        ],
        Condition: {
          StringEquals: {
            "aws:RequestedRegion": ["eu-west-1", "us-east-1"],
            "aws:PrincipalTag/team": "${aws:PrincipalTag/team}",
          },
          IpAddress: { "aws:SourceIp": ["10.0.0.0/8", "192.168.0.0/16"] },
          Bool: { "aws:SecureTransport": s % 7 === 6 ? "false" : "true" },
          DateLessThan: { "aws:CurrentTime": "2030-01-01T00:00:00Z" },
        },
      });
    }
    identity.push({ id: `managed-${p}`, document: JSON.stringify({ Version: "2012-10-17", Statement: statements }) });
  }
  const context = {
    "aws:RequestedRegion": "eu-west-1",
    "aws:PrincipalTag/team": "blue",
    "aws:SourceIp": "10.1.2.3",
    "aws:SecureTransport": true,
    "aws:CurrentTime": "2026-01-01T12:00:00Z",
  };
  // A permissions boundary and a two-level SCP, as an organization's role has.
  const boundary = {
    document: JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: services.map((svc) => `${svc}:*`), Resource: "*" }],
    }),
  };
  const scp = (deny: string) => ({
    document: JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Action: "*", Resource: "*" },
        {
          Effect: "Deny",
          Action: deny,
          Resource: "*",
          Condition: { StringNotEquals: { "aws:RequestedRegion": ["eu-west-1", "us-east-1"] } },
        },
      ],
    }),
  });
  return {
    set: { identity, boundary, scps: [[scp("ec2:*")], [scp("iam:*")]] },
    requests: [
      {
        principal: SESSION,
        action: "dynamodb:GetItem",
        resource: `arn:aws:dynamodb:eu-west-1:${ACCOUNT}:team/blue/t1`,
        context,
      },
      { principal: SESSION, action: "s3:PutObject", resource: `arn:aws:s3:::bucket-3-5/key`, context },
      { principal: SESSION, action: "ec2:RunInstances", resource: "*", context },
    ],
  };
}

/** (c) A synthetic policy the size of AWS's ReadOnlyAccess: ~3000 patterns across ~300 service prefixes. */
export function readOnlySet(): { set: PolicySetInput; requests: EvalRequest[] } {
  const verbs = ["Get", "List", "Describe", "BatchGet", "Search", "Lookup", "View", "Query", "Scan", "Check"];
  const actions: string[] = [];
  for (let s = 0; s < 300; s++) for (const v of verbs) actions.push(`svc${s}:${v}*`);
  const doc = {
    Version: "2012-10-17",
    Statement: [{ Sid: "ReadOnly", Effect: "Allow", Action: actions, Resource: "*" }],
  };
  return {
    set: { identity: [{ document: JSON.stringify(doc) }] },
    requests: [
      { principal: USER, action: "svc150:DescribeThings", resource: "*" },
      { principal: USER, action: "svc299:CreateThing", resource: "*" },
      { principal: USER, action: "unknown:GetThing", resource: "*" },
    ],
  };
}

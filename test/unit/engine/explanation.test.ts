// Decisions explain themselves: matched statements with positions, per-type decisions, missing context keys.
import { describe, expect, it } from "vitest";
import { compilePolicySet, evaluate } from "../../../src/engine/index.ts";

const USER = "arn:aws:iam::111122223333:user/alice";

const IDENTITY = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "ReadReports",
      "Effect": "Allow",
      "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::reports/*"
    },
    {"Sid": "NoDelete", "Effect": "Deny", "Action": "s3:Delete*", "Resource": "*"}
  ]
}`;

describe("matched statements", () => {
  const set = compilePolicySet({ identity: [{ id: "reports-policy", document: IDENTITY }] });

  it("reports the statement with its source position", () => {
    const d = evaluate(set, { principal: USER, action: "s3:GetObject", resource: "arn:aws:s3:::reports/q1.csv" });
    expect(d.decision).toBe("Allowed");
    expect(d.decidedBy).toBe("identity");
    expect(d.policyTypes).toEqual({ identity: "Allowed" });
    expect(d.matchedStatements).toEqual([
      {
        policyType: "identity",
        policy: "identity[0]",
        policyId: "reports-policy",
        policyIndex: 0,
        statementIndex: 0,
        sid: "ReadReports",
        effect: "Allow",
        start: { line: 4, column: 5 },
        end: { line: 9, column: 5 },
      },
    ]);
  });

  it("reports a one-line statement's span", () => {
    const d = evaluate(set, { principal: USER, action: "s3:DeleteObject", resource: "arn:aws:s3:::reports/q1.csv" });
    expect(d.decision).toBe("ExplicitDeny");
    expect(d.matchedStatements.map((m) => [m.sid, m.start, m.end])).toEqual([
      ["NoDelete", { line: 10, column: 5 }, { line: 10, column: 82 }],
    ]);
  });

  it("has no positions for documents given as objects", () => {
    const objectSet = compilePolicySet({ identity: [{ document: JSON.parse(IDENTITY) as object }] });
    const d = evaluate(objectSet, { principal: USER, action: "s3:GetObject", resource: "arn:aws:s3:::reports/x" });
    expect(d.matchedStatements[0]?.start).toBeUndefined();
    expect(d.matchedStatements[0]?.sid).toBe("ReadReports");
  });

  it("lists matches across policy types in a stable order", () => {
    const allow = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }] };
    const multi = compilePolicySet({
      identity: [{ document: allow }, { document: allow }],
      boundary: { document: allow },
      scps: [[{ document: allow }], [{ document: allow }]],
    });
    const d = evaluate(multi, { principal: USER, action: "s3:GetObject", resource: "arn:aws:s3:::b/k" });
    expect(d.matchedStatements.map((m) => m.policy)).toEqual([
      "identity[0]",
      "identity[1]",
      "boundary",
      "scps[0][0]",
      "scps[1][0]",
    ]);
    expect(d.policyTypes).toEqual({ identity: "Allowed", boundary: "Allowed", scp: "Allowed" });
  });

  it("reports an implicit deny with no matched statement", () => {
    const d = evaluate(set, { principal: USER, action: "ec2:RunInstances", resource: "*" });
    expect(d).toMatchObject({ decision: "ImplicitDeny", decidedBy: "identity", matchedStatements: [] });
  });
});

describe("missing context keys", () => {
  const policy = {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Action: "s3:*",
        Resource: "arn:aws:s3:::b/${aws:PrincipalTag/team}/*",
        Condition: { IpAddress: { "aws:SourceIp": "10.0.0.0/8" }, Bool: { "aws:SecureTransport": "true" } },
      },
      { Effect: "Allow", Action: "ec2:*", Resource: "*", Condition: { StringEquals: { "ec2:Region": "x" } } },
    ],
  };
  const set = compilePolicySet({ identity: [{ document: policy }] });

  it("lists the keys of matching statements the request lacks", () => {
    const d = evaluate(set, {
      principal: USER,
      action: "s3:GetObject",
      resource: "arn:aws:s3:::b/blue/k",
      context: { "aws:PrincipalTag/team": "blue" },
    });
    expect(d.missingContextKeys).toEqual(["aws:SourceIp", "aws:SecureTransport"]);
  });

  it("lists a variable's key when the Resource cannot be resolved", () => {
    const d = evaluate(set, { principal: USER, action: "s3:GetObject", resource: "arn:aws:s3:::b/blue/k" });
    expect(d.missingContextKeys).toEqual(["aws:PrincipalTag/team"]);
  });

  it("ignores statements for other actions", () => {
    const d = evaluate(set, {
      principal: USER,
      action: "s3:GetObject",
      resource: "arn:aws:s3:::b/blue/k",
      context: { "aws:PrincipalTag/team": "blue", "aws:SourceIp": "10.1.1.1", "aws:SecureTransport": true },
    });
    expect(d.decision).toBe("Allowed");
    expect(d.missingContextKeys).toEqual([]);
  });

  it("never lists keys derived from the principal", () => {
    const derived = compilePolicySet({
      identity: [
        {
          document: {
            Version: "2012-10-17",
            Statement: [
              {
                Effect: "Allow",
                Action: "*",
                Resource: "*",
                Condition: {
                  StringEquals: {
                    "aws:username": "alice",
                    "aws:PrincipalAccount": "111122223333",
                    "aws:PrincipalType": "User",
                  },
                  ArnEquals: { "aws:PrincipalArn": USER },
                },
              },
            ],
          },
        },
      ],
    });
    const d = evaluate(derived, { principal: USER, action: "s3:GetObject", resource: "*" });
    expect(d.decision).toBe("Allowed");
    expect(d.missingContextKeys).toEqual([]);
  });

  it("includes keys tested by SCPs", () => {
    const scp = {
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Action: "*", Resource: "*" },
        {
          Effect: "Deny",
          Action: "*",
          Resource: "*",
          Condition: { StringNotEquals: { "aws:RequestedRegion": "eu-west-1" } },
        },
      ],
    };
    const s = compilePolicySet({ identity: [], scps: [[{ document: scp }]] });
    const d = evaluate(s, { principal: USER, action: "s3:GetObject", resource: "*" });
    expect(d.decision).toBe("ExplicitDeny");
    expect(d.decidedBy).toBe("scp");
    expect(d.missingContextKeys).toEqual(["aws:RequestedRegion"]);
  });
});

// End to end: the AWS CLI v2's simulate-principal-policy, simulate-custom-policy and get-context-keys-for-* against `wrangler dev`, unchanged.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevServer, type DevServer } from "../../scripts/lib/dev-server.ts";
import { findAwsCliV2, makeCli, type CliResult } from "./aws-cli.ts";

const cliBin = findAwsCliV2();
if (!cliBin) console.warn("Skipping the AWS CLI simulate test: AWS CLI v2 not found (apt-get install awscli).");

function ok(r: CliResult): Record<string, unknown> {
  if (r.status !== 0) throw new Error(`aws exited ${r.status}: ${r.stderr}`);
  return r.json() as Record<string, unknown>;
}

const READ = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Action: "s3:GetObject",
      Resource: "*",
      Condition: { StringEquals: { "aws:RequestedRegion": "eu-west-1" } },
    },
  ],
});

interface EvalResult {
  EvalActionName: string;
  EvalDecision: string;
  MissingContextValues?: string[];
  MatchedStatements?: { SourcePolicyId: string; SourcePolicyType: string }[];
}

describe.skipIf(!cliBin)("AWS CLI v2 simulate commands against wrangler dev", () => {
  let server: DevServer;
  let aws: ReturnType<typeof makeCli>;

  beforeAll(async () => {
    server = await startDevServer();
    aws = makeCli(cliBin as string, server.url);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("simulates a stored user's policies with context entries, and custom policies", () => {
    ok(aws("iam", "create-user", "--user-name", "cli-sim"));
    ok(aws("iam", "put-user-policy", "--user-name", "cli-sim", "--policy-name", "read", "--policy-document", READ));
    const arn = "arn:aws:iam::123456789012:user/cli-sim";

    const missing = ok(
      aws("iam", "simulate-principal-policy", "--policy-source-arn", arn, "--action-names", "s3:GetObject"),
    ).EvaluationResults as EvalResult[];
    expect(missing[0]).toMatchObject({ EvalDecision: "implicitDeny", MissingContextValues: ["aws:RequestedRegion"] });

    const allowed = ok(
      aws(
        "iam",
        "simulate-principal-policy",
        "--policy-source-arn",
        arn,
        "--action-names",
        "s3:GetObject",
        "s3:PutObject",
        "--context-entries",
        "ContextKeyName=aws:RequestedRegion,ContextKeyValues=eu-west-1,ContextKeyType=string",
      ),
    ).EvaluationResults as EvalResult[];
    expect(allowed.map((r) => r.EvalDecision)).toEqual(["allowed", "implicitDeny"]);
    expect(allowed[0]?.MatchedStatements?.[0]).toMatchObject({ SourcePolicyId: "read", SourcePolicyType: "user" });

    const custom = ok(
      aws("iam", "simulate-custom-policy", "--policy-input-list", READ, "--action-names", "s3:GetObject"),
    ).EvaluationResults as EvalResult[];
    expect(custom[0]?.MatchedStatements ?? []).toEqual([]);

    const keys = ok(aws("iam", "get-context-keys-for-principal-policy", "--policy-source-arn", arn));
    expect(keys.ContextKeyNames).toEqual(["aws:RequestedRegion"]);
    const customKeys = ok(aws("iam", "get-context-keys-for-custom-policy", "--policy-input-list", READ));
    expect(customKeys.ContextKeyNames).toEqual(["aws:RequestedRegion"]);

    const noSuch = aws(
      "iam",
      "simulate-principal-policy",
      "--policy-source-arn",
      `${arn}-gone`,
      "--action-names",
      "s3:*",
    );
    expect(noSuch.status).not.toBe(0);
    expect(noSuch.stderr).toContain("NoSuchEntity");
  });
});

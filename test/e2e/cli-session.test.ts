// End to end: `wrangler dev` driven by the AWS CLI v2 through a scripted IAM session, torn down in AWS's order.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findAwsCliV2, makeCli, type CliResult } from "./aws-cli.ts";
import { startDevServer, type DevServer } from "../../scripts/lib/dev-server.ts";

const cliBin = findAwsCliV2();
if (!cliBin) console.warn("Skipping the AWS CLI session: AWS CLI v2 not found (apt-get install awscli).");

const POLICY_V1 = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::bucket/*" }],
});
const POLICY_V2 = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: ["s3:GetObject", "s3:ListBucket"], Resource: "*" }],
});
const INLINE = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Sid: "Read", Effect: "Allow", Action: "iam:Get*", Resource: "*" }],
});

function ok(r: CliResult): Record<string, unknown> {
  if (r.status !== 0) throw new Error(`aws exited ${r.status}: ${r.stderr}`);
  return r.json() as Record<string, unknown>;
}

describe.skipIf(!cliBin)("AWS CLI v2 session against wrangler dev", () => {
  let server: DevServer;
  let aws: ReturnType<typeof makeCli>;

  beforeAll(async () => {
    server = await startDevServer({ ALLOW_RESET: "true" });
    aws = makeCli(cliBin as string, server.url);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("runs a whole session: users, groups, policies, versions, keys, inline policies and teardown", () => {
    const user = ok(aws("iam", "create-user", "--user-name", "cli-alice", "--tags", "Key=team,Value=core"));
    expect(user).toMatchObject({ User: { UserName: "cli-alice", Arn: "arn:aws:iam::123456789012:user/cli-alice" } });

    ok(aws("iam", "create-group", "--group-name", "cli-devs"));
    ok(aws("iam", "add-user-to-group", "--group-name", "cli-devs", "--user-name", "cli-alice"));

    const policy = ok(aws("iam", "create-policy", "--policy-name", "cli-read", "--policy-document", POLICY_V1));
    const policyArn = (policy.Policy as { Arn: string }).Arn;
    expect(policyArn).toBe("arn:aws:iam::123456789012:policy/cli-read");
    const v2 = ok(
      aws(
        "iam",
        "create-policy-version",
        "--policy-arn",
        policyArn,
        "--policy-document",
        POLICY_V2,
        "--set-as-default",
      ),
    );
    expect(v2).toMatchObject({ PolicyVersion: { VersionId: "v2", IsDefaultVersion: true } });
    const doc = ok(aws("iam", "get-policy-version", "--policy-arn", policyArn, "--version-id", "v2"));
    expect((doc.PolicyVersion as { Document: unknown }).Document).toEqual(JSON.parse(POLICY_V2));

    ok(aws("iam", "attach-user-policy", "--user-name", "cli-alice", "--policy-arn", policyArn));
    ok(aws("iam", "attach-group-policy", "--group-name", "cli-devs", "--policy-arn", policyArn));
    ok(
      aws("iam", "put-user-policy", "--user-name", "cli-alice", "--policy-name", "inline", "--policy-document", INLINE),
    );

    const key = ok(aws("iam", "create-access-key", "--user-name", "cli-alice")).AccessKey as Record<string, string>;
    expect(key.AccessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
    expect(key.SecretAccessKey).toHaveLength(40);

    // The created user signs its own calls: its inline policy allows iam:Get*, nothing allows iam:CreateUser.
    const asAlice = makeCli(cliBin as string, server.url, {
      id: key.AccessKeyId ?? "",
      secret: key.SecretAccessKey ?? "",
    });
    const me = ok(asAlice("sts", "get-caller-identity"));
    expect(me.Arn).toBe("arn:aws:iam::123456789012:user/cli-alice");
    expect(ok(asAlice("iam", "get-user", "--user-name", "cli-alice"))).toMatchObject({
      User: { UserName: "cli-alice" },
    });
    const denied = asAlice("iam", "create-user", "--user-name", "nope");
    expect(denied.status).not.toBe(0);
    expect(denied.stderr).toContain("AccessDenied");

    const users = ok(aws("iam", "list-users")).Users as { UserName: string }[];
    expect(users.map((u) => u.UserName)).toContain("cli-alice");
    const attached = ok(aws("iam", "list-attached-user-policies", "--user-name", "cli-alice"));
    expect(attached.AttachedPolicies).toEqual([{ PolicyName: "cli-read", PolicyArn: policyArn }]);
    expect(ok(aws("iam", "list-user-policies", "--user-name", "cli-alice")).PolicyNames).toEqual(["inline"]);

    // Error cases come back with AWS's codes.
    expect(aws("iam", "get-user", "--user-name", "ghost").stderr).toContain("(NoSuchEntity)");
    expect(aws("iam", "create-user", "--user-name", "CLI-ALICE").stderr).toContain("(EntityAlreadyExists)");
    expect(aws("iam", "delete-user", "--user-name", "cli-alice").stderr).toContain("(DeleteConflict)");
    expect(aws("iam", "delete-policy", "--policy-arn", policyArn).stderr).toContain("(DeleteConflict)");
    expect(
      aws("iam", "create-policy", "--policy-name", "bad", "--policy-document", '{"Version":"2012-10-17"').stderr,
    ).toContain("(MalformedPolicyDocument)");

    // Teardown in the order AWS requires.
    ok(aws("iam", "delete-access-key", "--user-name", "cli-alice", "--access-key-id", key.AccessKeyId ?? ""));
    ok(aws("iam", "delete-user-policy", "--user-name", "cli-alice", "--policy-name", "inline"));
    ok(aws("iam", "detach-user-policy", "--user-name", "cli-alice", "--policy-arn", policyArn));
    ok(aws("iam", "detach-group-policy", "--group-name", "cli-devs", "--policy-arn", policyArn));
    ok(aws("iam", "remove-user-from-group", "--group-name", "cli-devs", "--user-name", "cli-alice"));
    ok(aws("iam", "delete-group", "--group-name", "cli-devs"));
    ok(aws("iam", "delete-user", "--user-name", "cli-alice"));
    ok(aws("iam", "delete-policy-version", "--policy-arn", policyArn, "--version-id", "v1"));
    ok(aws("iam", "delete-policy", "--policy-arn", policyArn));
    expect(ok(aws("iam", "list-policies", "--scope", "Local")).Policies).toEqual([]);
    expect(asAlice("sts", "get-caller-identity").stderr).toContain("InvalidClientTokenId");
  });
});

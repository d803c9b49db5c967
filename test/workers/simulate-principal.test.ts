// AWS's simulate APIs through @aws-sdk/client-iam: SimulatePrincipalPolicy over stored users, groups and roles, SimulateCustomPolicy, GetContextKeysFor*, paging and errors.
import {
  AddUserToGroupCommand,
  AttachRolePolicyCommand,
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  GetContextKeysForCustomPolicyCommand,
  GetContextKeysForPrincipalPolicyCommand,
  PutGroupPolicyCommand,
  PutRolePermissionsBoundaryCommand,
  PutUserPolicyCommand,
  SimulateCustomPolicyCommand,
  SimulatePrincipalPolicyCommand,
} from "@aws-sdk/client-iam";
import { describe, expect, it } from "vitest";
import { ACCOUNT, TRUST } from "./fixtures";
import { awsError, iamClient } from "./sdk";

const root = iamClient();
const policy = (...statements: Record<string, unknown>[]) =>
  JSON.stringify({ Version: "2012-10-17", Statement: statements }, null, 2);

describe("SimulatePrincipalPolicy", () => {
  it("evaluates a user's inline and group policies with matched statements and positions", async () => {
    await root.send(new CreateUserCommand({ UserName: "sim-alice" }));
    await root.send(
      new PutUserPolicyCommand({
        UserName: "sim-alice",
        PolicyName: "read",
        PolicyDocument: policy({ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::bucket/*" }),
      }),
    );
    await root.send(new CreateGroupCommand({ GroupName: "sim-devs" }));
    await root.send(new AddUserToGroupCommand({ GroupName: "sim-devs", UserName: "sim-alice" }));
    await root.send(
      new PutGroupPolicyCommand({
        GroupName: "sim-devs",
        PolicyName: "no-delete",
        PolicyDocument: policy({ Effect: "Deny", Action: "s3:DeleteObject", Resource: "*" }),
      }),
    );
    const out = await root.send(
      new SimulatePrincipalPolicyCommand({
        PolicySourceArn: `arn:aws:iam::${ACCOUNT}:user/sim-alice`,
        ActionNames: ["s3:GetObject", "s3:DeleteObject", "s3:PutObject"],
        ResourceArns: ["arn:aws:s3:::bucket/key"],
      }),
    );
    const r = out.EvaluationResults ?? [];
    expect(r.map((x) => [x.EvalActionName, x.EvalResourceName, x.EvalDecision])).toEqual([
      ["s3:GetObject", "arn:aws:s3:::bucket/key", "allowed"],
      ["s3:DeleteObject", "arn:aws:s3:::bucket/key", "explicitDeny"],
      ["s3:PutObject", "arn:aws:s3:::bucket/key", "implicitDeny"],
    ]);
    expect(r[0]?.MatchedStatements).toEqual([
      {
        SourcePolicyId: "read",
        SourcePolicyType: "user",
        StartPosition: { Line: 4, Column: 5 },
        EndPosition: { Line: 8, Column: 5 },
      },
    ]);
    expect(r[1]?.MatchedStatements?.[0]).toMatchObject({ SourcePolicyId: "no-delete", SourcePolicyType: "group" });
    expect(r[2]?.MatchedStatements ?? []).toEqual([]);
    expect(r[0]?.ResourceSpecificResults?.[0]).toMatchObject({ EvalResourceDecision: "allowed" });
    expect(out.IsTruncated).toBe(false);
  });

  it("simulates a role with its managed policies and boundary, and a passed boundary replaces it", async () => {
    await root.send(new CreateRoleCommand({ RoleName: "sim-role", AssumeRolePolicyDocument: TRUST }));
    await root.send(
      new AttachRolePolicyCommand({ RoleName: "sim-role", PolicyArn: "arn:aws:iam::aws:policy/AmazonS3FullAccess" }),
    );
    const { Policy } = await root.send(
      new CreatePolicyCommand({
        PolicyName: "sim-boundary",
        PolicyDocument: policy({ Effect: "Allow", Action: "s3:Get*", Resource: "*" }),
      }),
    );
    await root.send(new PutRolePermissionsBoundaryCommand({ RoleName: "sim-role", PermissionsBoundary: Policy?.Arn }));
    const arn = `arn:aws:iam::${ACCOUNT}:role/sim-role`;
    const out = await root.send(
      new SimulatePrincipalPolicyCommand({ PolicySourceArn: arn, ActionNames: ["s3:GetObject", "s3:PutObject"] }),
    );
    const [get, put] = out.EvaluationResults ?? [];
    expect(get).toMatchObject({ EvalDecision: "allowed", EvalResourceName: "*" });
    expect(get?.MatchedStatements?.[0]).toMatchObject({
      SourcePolicyId: "AmazonS3FullAccess",
      SourcePolicyType: "aws-managed",
    });
    expect(get?.PermissionsBoundaryDecisionDetail).toEqual({ AllowedByPermissionsBoundary: true });
    expect(put).toMatchObject({ EvalDecision: "implicitDeny" });
    expect(put?.PermissionsBoundaryDecisionDetail).toEqual({ AllowedByPermissionsBoundary: false });

    const replaced = await root.send(
      new SimulatePrincipalPolicyCommand({
        PolicySourceArn: arn,
        ActionNames: ["s3:PutObject"],
        PermissionsBoundaryPolicyInputList: [policy({ Effect: "Allow", Action: "s3:*", Resource: "*" })],
      }),
    );
    expect(replaced.EvaluationResults?.[0]?.EvalDecision).toBe("allowed");
  });

  it("expands wildcards, pages with Marker/MaxItems and reports missing context keys", async () => {
    await root.send(new CreateUserCommand({ UserName: "sim-pager" }));
    await root.send(
      new PutUserPolicyCommand({
        UserName: "sim-pager",
        PolicyName: "cond",
        PolicyDocument: policy({
          Effect: "Allow",
          Action: "s3:*",
          Resource: "*",
          Condition: { StringEquals: { "aws:RequestedRegion": "eu-west-1" } },
        }),
      }),
    );
    const input = {
      PolicySourceArn: `arn:aws:iam::${ACCOUNT}:user/sim-pager`,
      ActionNames: ["s3:GetObject*"],
      MaxItems: 2,
    };
    const first = await root.send(new SimulatePrincipalPolicyCommand(input));
    expect(first.IsTruncated).toBe(true);
    expect(first.EvaluationResults).toHaveLength(2);
    expect(first.EvaluationResults?.[0]?.MissingContextValues).toEqual(["aws:RequestedRegion"]);
    const names = (first.EvaluationResults ?? []).map((r) => r.EvalActionName);
    let marker = first.Marker;
    while (marker) {
      const page = await root.send(new SimulatePrincipalPolicyCommand({ ...input, Marker: marker }));
      names.push(...(page.EvaluationResults ?? []).map((r) => r.EvalActionName));
      marker = page.IsTruncated ? page.Marker : undefined;
    }
    expect(names).toContain("s3:GetObjectAcl");
    expect(names.every((n) => n?.startsWith("s3:GetObject"))).toBe(true);

    const withContext = await root.send(
      new SimulatePrincipalPolicyCommand({
        ...input,
        ActionNames: ["s3:GetObject"],
        ContextEntries: [
          { ContextKeyName: "aws:RequestedRegion", ContextKeyValues: ["eu-west-1"], ContextKeyType: "string" },
        ],
      }),
    );
    expect(withContext.EvaluationResults?.[0]).toMatchObject({ EvalDecision: "allowed", MissingContextValues: [] });
  });

  it("answers NoSuchEntity for a missing principal and InvalidInput for bad input", async () => {
    const missing = await awsError(
      root.send(
        new SimulatePrincipalPolicyCommand({
          PolicySourceArn: `arn:aws:iam::${ACCOUNT}:user/nobody-here`,
          ActionNames: ["s3:GetObject"],
        }),
      ),
    );
    expect(missing).toMatchObject({ name: "NoSuchEntity", status: 404 });
    await root.send(new CreateRoleCommand({ RoleName: "sim-role-2", AssumeRolePolicyDocument: TRUST }));
    const noCaller = await awsError(
      root.send(
        new SimulatePrincipalPolicyCommand({
          PolicySourceArn: `arn:aws:iam::${ACCOUNT}:role/sim-role-2`,
          ActionNames: ["s3:GetObject"],
          ResourcePolicy: policy({ Effect: "Allow", Principal: "*", Action: "s3:*", Resource: "*" }),
        }),
      ),
    );
    expect(noCaller).toMatchObject({ name: "InvalidInput", status: 400 });
    const malformed = await awsError(
      root.send(new SimulateCustomPolicyCommand({ PolicyInputList: ["{not json"], ActionNames: ["s3:GetObject"] })),
    );
    expect(malformed).toMatchObject({ name: "InvalidInput", status: 400 });
  });

  it("is authorized as iam:SimulatePrincipalPolicy on the principal's ARN", async () => {
    await root.send(new CreateUserCommand({ UserName: "sim-nobody" }));
    const { AccessKey } = await root.send(new CreateAccessKeyCommand({ UserName: "sim-nobody" }));
    const client = iamClient({ accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! });
    const denied = await awsError(
      client.send(
        new SimulatePrincipalPolicyCommand({
          PolicySourceArn: `arn:aws:iam::${ACCOUNT}:user/sim-nobody`,
          ActionNames: ["s3:GetObject"],
        }),
      ),
    );
    expect(denied.name).toBe("AccessDenied");
    expect(denied.message).toContain("iam:SimulatePrincipalPolicy");
  });
});

describe("SimulateCustomPolicy", () => {
  it("evaluates the passed policies, SCP levels and a resource policy across accounts", async () => {
    const out = await root.send(
      new SimulateCustomPolicyCommand({
        PolicyInputList: [policy({ Effect: "Allow", Action: "s3:*", Resource: "*" })],
        OrderedOrganizationPolicyInputList: [
          { ServiceControlPolicyInputList: [policy({ Effect: "Deny", Action: "s3:PutObject", Resource: "*" })] },
        ],
        ActionNames: ["s3:GetObject", "s3:PutObject"],
        ResourceArns: ["arn:aws:s3:::b/k"],
      }),
    );
    const [get, put] = out.EvaluationResults ?? [];
    expect(get?.EvalDecision).toBe("implicitDeny"); // an SCP level without an Allow allows nothing
    expect(put?.EvalDecision).toBe("explicitDeny");
    expect(put?.MatchedStatements?.[0]?.SourcePolicyId).toBe(
      "OrderedOrganizationPolicyInputList.1.ServiceControlPolicyInputList.1",
    );
    expect(put?.OrganizationsDecisionDetail).toEqual({ AllowedByOrganizations: false });

    const cross = await root.send(
      new SimulateCustomPolicyCommand({
        PolicyInputList: [policy({ Effect: "Allow", Action: "s3:GetObject", Resource: "*" })],
        ResourcePolicy: policy({
          Effect: "Allow",
          Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/bob` },
          Action: "s3:GetObject",
          Resource: "*",
        }),
        ResourceOwner: "arn:aws:iam::210987654321:root",
        CallerArn: `arn:aws:iam::${ACCOUNT}:user/bob`,
        ActionNames: ["s3:GetObject"],
        ResourceArns: ["arn:aws:s3:::other/k"],
      }),
    );
    expect(cross.EvaluationResults?.[0]).toMatchObject({
      EvalDecision: "allowed",
      EvalDecisionDetails: { "IAM Policy": "allowed", "Resource Policy": "allowed" },
    });
  });
});

describe("GetContextKeysFor*", () => {
  const doc = policy(
    {
      Effect: "Allow",
      Action: "s3:*",
      Resource: "arn:aws:s3:::b/${aws:username}/*",
      Condition: { StringEquals: { "aws:RequestedRegion": "eu-west-1", "s3:prefix": "x" } },
    },
    { Effect: "Deny", Action: "*", Resource: "*", Condition: { Bool: { "aws:MultiFactorAuthPresent": "false" } } },
  );

  it("lists the keys and variables of custom policies", async () => {
    const out = await root.send(new GetContextKeysForCustomPolicyCommand({ PolicyInputList: [doc] }));
    expect(out.ContextKeyNames).toEqual([
      "aws:username",
      "aws:RequestedRegion",
      "s3:prefix",
      "aws:MultiFactorAuthPresent",
    ]);
  });

  it("lists the keys of a stored principal's policies plus the passed ones", async () => {
    await root.send(new CreateUserCommand({ UserName: "sim-keys" }));
    await root.send(new PutUserPolicyCommand({ UserName: "sim-keys", PolicyName: "p", PolicyDocument: doc }));
    const out = await root.send(
      new GetContextKeysForPrincipalPolicyCommand({
        PolicySourceArn: `arn:aws:iam::${ACCOUNT}:user/sim-keys`,
        PolicyInputList: [
          policy({
            Effect: "Allow",
            Action: "ec2:*",
            Resource: "*",
            Condition: { IpAddress: { "aws:SourceIp": "1.2.3.4/32" } },
          }),
        ],
      }),
    );
    expect(out.ContextKeyNames).toContain("aws:SourceIp");
    expect(out.ContextKeyNames).toContain("s3:prefix");
  });
});

// GetAccountAuthorizationDetails through the real AWS SDK: shapes, filters, pagination and one D1 round trip a page.
import {
  AddUserToGroupCommand,
  AttachGroupPolicyCommand,
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  CreateUserCommand,
  GetAccountAuthorizationDetailsCommand,
  PutGroupPolicyCommand,
  PutRolePolicyCommand,
  PutUserPermissionsBoundaryCommand,
  PutUserPolicyCommand,
  type EntityType,
  type GetAccountAuthorizationDetailsCommandOutput,
} from "@aws-sdk/client-iam";
import { beforeAll, describe, expect, it } from "vitest";
import { iamClient } from "./sdk";
import { ACCOUNT, READ_ONLY, TRUST, doc } from "./fixtures";

const iam = iamClient();

let managedArn = "";

beforeAll(async () => {
  const managed = await iam.send(
    new CreatePolicyCommand({ PolicyName: "gaad-managed", PolicyDocument: doc("s3:*"), Description: "for gaad" }),
  );
  managedArn = managed.Policy?.Arn ?? "";
  await iam.send(
    new CreatePolicyVersionCommand({ PolicyArn: managedArn, PolicyDocument: doc("ec2:*"), SetAsDefault: true }),
  );
  await iam.send(new CreatePolicyCommand({ PolicyName: "gaad-unused", PolicyDocument: doc("sns:*") }));

  await iam.send(new CreateGroupCommand({ GroupName: "gaad-group", Path: "/g/" }));
  await iam.send(
    new PutGroupPolicyCommand({ GroupName: "gaad-group", PolicyName: "g-inline", PolicyDocument: doc("sqs:*") }),
  );
  await iam.send(new AttachGroupPolicyCommand({ GroupName: "gaad-group", PolicyArn: managedArn }));

  await iam.send(new CreateUserCommand({ UserName: "gaad-alice", Tags: [{ Key: "team", Value: "core" }] }));
  await iam.send(new CreateUserCommand({ UserName: "gaad-bob" }));
  await iam.send(new AddUserToGroupCommand({ GroupName: "gaad-group", UserName: "gaad-alice" }));
  await iam.send(
    new PutUserPolicyCommand({ UserName: "gaad-alice", PolicyName: "u-inline", PolicyDocument: doc("kms:*") }),
  );
  await iam.send(new AttachUserPolicyCommand({ UserName: "gaad-alice", PolicyArn: READ_ONLY }));
  await iam.send(new PutUserPermissionsBoundaryCommand({ UserName: "gaad-bob", PermissionsBoundary: managedArn }));

  await iam.send(
    new CreateRoleCommand({
      RoleName: "gaad-role",
      AssumeRolePolicyDocument: TRUST,
      Tags: [{ Key: "env", Value: "prod" }],
    }),
  );
  await iam.send(
    new PutRolePolicyCommand({ RoleName: "gaad-role", PolicyName: "r-inline", PolicyDocument: doc("logs:*") }),
  );
  await iam.send(new AttachRolePolicyCommand({ RoleName: "gaad-role", PolicyArn: READ_ONLY }));
});

/** Calls the operation and also returns the D1 round trips the Worker reports for it. */
async function details(input: { Filter?: EntityType[]; MaxItems?: number; Marker?: string } = {}) {
  const client = iamClient();
  let roundTrips = "";
  client.middlewareStack.add(
    (next) => async (args) => {
      const out = await next(args);
      roundTrips = (out.response as { headers: Record<string, string> }).headers["x-d1-round-trips"] ?? "";
      return out;
    },
    { step: "deserialize" },
  );
  const out = await client.send(new GetAccountAuthorizationDetailsCommand(input));
  return { out, roundTrips };
}

const decode = (s: string | undefined) => JSON.parse(decodeURIComponent(s ?? ""));

function itemNames(out: GetAccountAuthorizationDetailsCommandOutput): string[] {
  return [
    ...(out.UserDetailList ?? []).map((u) => `user:${u.UserName}`),
    ...(out.GroupDetailList ?? []).map((g) => `group:${g.GroupName}`),
    ...(out.RoleDetailList ?? []).map((r) => `role:${r.RoleName}`),
    ...(out.Policies ?? []).map((p) => `policy:${p.PolicyName}`),
  ];
}

describe("GetAccountAuthorizationDetails", () => {
  it("describes users with their groups, inline and attached policies, boundary and tags", async () => {
    const { out } = await details();
    expect(out.IsTruncated).toBe(false);
    const alice = out.UserDetailList?.find((u) => u.UserName === "gaad-alice");
    expect(alice).toMatchObject({
      Path: "/",
      Arn: `arn:aws:iam::${ACCOUNT}:user/gaad-alice`,
      GroupList: ["gaad-group"],
      AttachedManagedPolicies: [{ PolicyName: "ReadOnlyAccess", PolicyArn: READ_ONLY }],
      Tags: [{ Key: "team", Value: "core" }],
    });
    expect(alice?.UserId).toMatch(/^AIDA/);
    expect(alice?.CreateDate).toBeInstanceOf(Date);
    expect(alice?.UserPolicyList?.map((p) => p.PolicyName)).toEqual(["u-inline"]);
    expect(decode(alice?.UserPolicyList?.[0]?.PolicyDocument)).toEqual(JSON.parse(doc("kms:*")));
    expect(alice?.PermissionsBoundary).toBeUndefined();

    const bob = out.UserDetailList?.find((u) => u.UserName === "gaad-bob");
    expect(bob).toMatchObject({ GroupList: [], AttachedManagedPolicies: [], UserPolicyList: [] });
    expect(bob?.PermissionsBoundary).toEqual({
      PermissionsBoundaryType: "PermissionsBoundaryPolicy",
      PermissionsBoundaryArn: managedArn,
    });
  });

  it("describes groups and roles", async () => {
    const { out } = await details();
    const group = out.GroupDetailList?.find((g) => g.GroupName === "gaad-group");
    expect(group).toMatchObject({
      Path: "/g/",
      Arn: `arn:aws:iam::${ACCOUNT}:group/g/gaad-group`,
      AttachedManagedPolicies: [{ PolicyName: "gaad-managed", PolicyArn: managedArn }],
    });
    expect(group?.GroupPolicyList?.map((p) => [p.PolicyName, decode(p.PolicyDocument).Statement[0].Action])).toEqual([
      ["g-inline", "sqs:*"],
    ]);

    const role = out.RoleDetailList?.find((r) => r.RoleName === "gaad-role");
    expect(role).toMatchObject({
      Arn: `arn:aws:iam::${ACCOUNT}:role/gaad-role`,
      InstanceProfileList: [],
      AttachedManagedPolicies: [{ PolicyName: "ReadOnlyAccess", PolicyArn: READ_ONLY }],
      Tags: [{ Key: "env", Value: "prod" }],
    });
    expect(role?.RoleId).toMatch(/^AROA/);
    expect(decode(role?.AssumeRolePolicyDocument)).toEqual(JSON.parse(TRUST));
    expect(role?.RolePolicyList?.map((p) => p.PolicyName)).toEqual(["r-inline"]);
  });

  it("lists customer managed policies with every version, and only the AWS managed ones in use", async () => {
    const { out } = await details();
    const managed = out.Policies?.find((p) => p.PolicyName === "gaad-managed");
    expect(managed).toMatchObject({
      Arn: managedArn,
      DefaultVersionId: "v2",
      AttachmentCount: 1,
      PermissionsBoundaryUsageCount: 1,
      IsAttachable: true,
      Description: "for gaad",
    });
    expect(managed?.PolicyVersionList?.map((v) => [v.VersionId, v.IsDefaultVersion])).toEqual([
      ["v2", true],
      ["v1", false],
    ]);
    expect(decode(managed?.PolicyVersionList?.[0]?.Document)).toEqual(JSON.parse(doc("ec2:*")));
    expect(out.Policies?.some((p) => p.PolicyName === "gaad-unused")).toBe(true);

    const aws = (out.Policies ?? []).filter((p) => p.Arn?.startsWith("arn:aws:iam::aws:"));
    expect(aws.map((p) => [p.PolicyName, p.AttachmentCount])).toEqual([["ReadOnlyAccess", 2]]);
    expect(aws[0]?.PolicyVersionList).toHaveLength(1);
    expect(aws[0]?.PolicyVersionList?.[0]?.IsDefaultVersion).toBe(true);
    expect(decode(aws[0]?.PolicyVersionList?.[0]?.Document).Statement.length).toBeGreaterThan(0);
  });

  it("applies the Filter", async () => {
    const users = (await details({ Filter: ["User"] })).out;
    expect(users.UserDetailList?.length).toBeGreaterThanOrEqual(2);
    expect(users.GroupDetailList).toEqual([]);
    expect(users.RoleDetailList).toEqual([]);
    expect(users.Policies).toEqual([]);

    const local = (await details({ Filter: ["LocalManagedPolicy"] })).out;
    expect(local.UserDetailList).toEqual([]);
    expect(local.Policies?.every((p) => p.Arn?.startsWith(`arn:aws:iam::${ACCOUNT}:`))).toBe(true);
    expect(local.Policies?.some((p) => p.PolicyName === "gaad-managed")).toBe(true);

    const aws = (await details({ Filter: ["AWSManagedPolicy", "Role"] })).out;
    expect(aws.Policies?.map((p) => p.PolicyName)).toEqual(["ReadOnlyAccess"]);
    expect(aws.RoleDetailList?.some((r) => r.RoleName === "gaad-role")).toBe(true);
    expect(aws.UserDetailList).toEqual([]);
  });

  it("pages through every section in one D1 round trip per page", async () => {
    const full = await details();
    expect(full.roundTrips).toBe("1");
    const everything = itemNames(full.out);
    expect(everything.length).toBeGreaterThan(6);

    for (const size of [1, 2, 3]) {
      const seen: string[] = [];
      let marker: string | undefined;
      let pages = 0;
      do {
        const page = await details({ MaxItems: size, Marker: marker });
        expect(page.roundTrips).toBe("1");
        const names = itemNames(page.out);
        expect(names.length).toBeLessThanOrEqual(size);
        seen.push(...names);
        marker = page.out.IsTruncated ? page.out.Marker : undefined;
        if (page.out.IsTruncated) expect(names.length).toBe(size);
        pages++;
      } while (marker && pages < 100);
      expect(seen).toEqual(everything);
    }
  });

  it("rejects an unknown filter value with AWS's validation message", async () => {
    const err = await iam
      .send(new GetAccountAuthorizationDetailsCommand({ Filter: ["Nobody" as EntityType] }))
      .catch((e: Error) => e);
    expect(err).toMatchObject({
      name: "ValidationError",
      message:
        "1 validation error detected: Value 'Nobody' at 'filter.1.member' failed to satisfy constraint: Member must satisfy enum value set: [User, Role, Group, LocalManagedPolicy, AWSManagedPolicy]",
    });
  });
});

// Managed policy attachments and permissions boundaries through the real AWS SDK, including their effect on access.
import {
  AttachGroupPolicyCommand,
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeleteRolePermissionsBoundaryCommand,
  DeleteUserPermissionsBoundaryCommand,
  DetachGroupPolicyCommand,
  DetachRolePolicyCommand,
  DetachUserPolicyCommand,
  GetPolicyCommand,
  GetRoleCommand,
  GetUserCommand,
  ListAttachedGroupPoliciesCommand,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListEntitiesForPolicyCommand,
  ListUsersCommand,
  PutRolePermissionsBoundaryCommand,
  PutUserPermissionsBoundaryCommand,
} from "@aws-sdk/client-iam";
import { describe, expect, it } from "vitest";
import { awsError, iamClient } from "./sdk";
import { ACCOUNT, READ_ONLY, TRUST, doc } from "./fixtures";

const iam = iamClient();

async function policy(name: string, path = "/") {
  const out = await iam.send(new CreatePolicyCommand({ PolicyName: name, PolicyDocument: doc(), Path: path }));
  return out.Policy?.Arn as string;
}

describe("attach, list and detach", () => {
  it("attaches customer and AWS managed policies to a user, idempotently, and lists them", async () => {
    await iam.send(new CreateUserCommand({ UserName: "att-user" }));
    const mine = await policy("att-mine", "/team/");
    await iam.send(new AttachUserPolicyCommand({ UserName: "att-user", PolicyArn: mine }));
    await iam.send(new AttachUserPolicyCommand({ UserName: "ATT-USER", PolicyArn: READ_ONLY }));
    await iam.send(new AttachUserPolicyCommand({ UserName: "att-user", PolicyArn: mine }));

    const listed = await iam.send(new ListAttachedUserPoliciesCommand({ UserName: "att-user" }));
    expect(listed.AttachedPolicies).toEqual([
      { PolicyName: "att-mine", PolicyArn: mine },
      { PolicyName: "ReadOnlyAccess", PolicyArn: READ_ONLY },
    ]);
    expect(listed.IsTruncated).toBe(false);
    const team = await iam.send(new ListAttachedUserPoliciesCommand({ UserName: "att-user", PathPrefix: "/team/" }));
    expect(team.AttachedPolicies?.map((p) => p.PolicyName)).toEqual(["att-mine"]);
    const first = await iam.send(new ListAttachedUserPoliciesCommand({ UserName: "att-user", MaxItems: 1 }));
    expect(first).toMatchObject({ IsTruncated: true, AttachedPolicies: [{ PolicyName: "att-mine" }] });
    const second = await iam.send(
      new ListAttachedUserPoliciesCommand({ UserName: "att-user", MaxItems: 1, Marker: first.Marker }),
    );
    expect(second).toMatchObject({ IsTruncated: false, AttachedPolicies: [{ PolicyName: "ReadOnlyAccess" }] });

    expect((await iam.send(new GetPolicyCommand({ PolicyArn: mine }))).Policy?.AttachmentCount).toBe(1);
    expect((await iam.send(new GetPolicyCommand({ PolicyArn: READ_ONLY }))).Policy?.AttachmentCount).toBe(1);

    await iam.send(new DetachUserPolicyCommand({ UserName: "att-user", PolicyArn: mine }));
    const after = await iam.send(new ListAttachedUserPoliciesCommand({ UserName: "att-user" }));
    expect(after.AttachedPolicies?.map((p) => p.PolicyArn)).toEqual([READ_ONLY]);
    const again = await awsError(iam.send(new DetachUserPolicyCommand({ UserName: "att-user", PolicyArn: mine })));
    expect(again).toEqual({ name: "NoSuchEntity", status: 404, message: `Policy ${mine} was not found.` });
  });

  it("attaches to groups and roles", async () => {
    await iam.send(new CreateGroupCommand({ GroupName: "att-group" }));
    await iam.send(new CreateRoleCommand({ RoleName: "att-role", AssumeRolePolicyDocument: TRUST }));
    const p = await policy("att-shared");
    await iam.send(new AttachGroupPolicyCommand({ GroupName: "att-group", PolicyArn: p }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: "att-role", PolicyArn: p }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: "att-role", PolicyArn: READ_ONLY }));
    expect((await iam.send(new ListAttachedGroupPoliciesCommand({ GroupName: "att-group" }))).AttachedPolicies).toEqual(
      [{ PolicyName: "att-shared", PolicyArn: p }],
    );
    expect(
      (await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: "att-role" }))).AttachedPolicies?.map(
        (a) => a.PolicyName,
      ),
    ).toEqual(["att-shared", "ReadOnlyAccess"]);
    expect((await iam.send(new GetPolicyCommand({ PolicyArn: p }))).Policy?.AttachmentCount).toBe(2);
    await iam.send(new DetachGroupPolicyCommand({ GroupName: "att-group", PolicyArn: p }));
    await iam.send(new DetachRolePolicyCommand({ RoleName: "att-role", PolicyArn: p }));
    expect((await iam.send(new GetPolicyCommand({ PolicyArn: p }))).Policy?.AttachmentCount).toBe(0);
  });

  it("reports missing identities and policies in AWS's words and changes nothing", async () => {
    await iam.send(new CreateUserCommand({ UserName: "att-missing" }));
    const nobody = await awsError(iam.send(new AttachUserPolicyCommand({ UserName: "nobody", PolicyArn: READ_ONLY })));
    expect(nobody).toEqual({
      name: "NoSuchEntity",
      status: 404,
      message: "The user with name nobody cannot be found.",
    });
    const noGroup = await awsError(
      iam.send(new AttachGroupPolicyCommand({ GroupName: "nogroup", PolicyArn: READ_ONLY })),
    );
    expect(noGroup).toEqual({
      name: "NoSuchEntity",
      status: 404,
      message: "The group with name nogroup cannot be found.",
    });
    const noRole = await awsError(iam.send(new AttachRolePolicyCommand({ RoleName: "norole", PolicyArn: READ_ONLY })));
    expect(noRole).toEqual({
      name: "NoSuchEntity",
      status: 404,
      message: "The role with name norole cannot be found.",
    });

    for (const arn of ["arn:aws:iam::aws:policy/NotARealPolicy", `arn:aws:iam::${ACCOUNT}:policy/NotMine`]) {
      const err = await awsError(iam.send(new AttachUserPolicyCommand({ UserName: "att-missing", PolicyArn: arn })));
      expect(err).toEqual({
        name: "NoSuchEntity",
        status: 404,
        message: `Policy ${arn} does not exist or is not attachable.`,
      });
    }
    const serviceLinked = await awsError(
      iam.send(
        new AttachUserPolicyCommand({
          UserName: "att-missing",
          PolicyArn: "arn:aws:iam::aws:policy/aws-service-role/AccessAnalyzerServiceRolePolicy",
        }),
      ),
    );
    expect(serviceLinked).toEqual({
      name: "PolicyNotAttachable",
      status: 400,
      message: "Cannot attach a Service Role Policy to a Customer Role.",
    });
    expect((await iam.send(new ListAttachedUserPoliciesCommand({ UserName: "att-missing" }))).AttachedPolicies).toEqual(
      [],
    );
  });

  it("caps managed policies at ten per user, group and role", async () => {
    await iam.send(new CreateUserCommand({ UserName: "att-ten" }));
    await iam.send(new CreateGroupCommand({ GroupName: "att-ten-group" }));
    await iam.send(new CreateRoleCommand({ RoleName: "att-ten-role", AssumeRolePolicyDocument: TRUST }));
    const arns: string[] = [];
    for (let n = 0; n < 11; n++) arns.push(await policy(`ten-${n}`));
    const targets = [
      {
        quota: "PoliciesPerUser",
        attach: (arn: string) => iam.send(new AttachUserPolicyCommand({ UserName: "att-ten", PolicyArn: arn })),
      },
      {
        quota: "PoliciesPerGroup",
        attach: (arn: string) => iam.send(new AttachGroupPolicyCommand({ GroupName: "att-ten-group", PolicyArn: arn })),
      },
      {
        quota: "PoliciesPerRole",
        attach: (arn: string) => iam.send(new AttachRolePolicyCommand({ RoleName: "att-ten-role", PolicyArn: arn })),
      },
    ];
    for (const t of targets) {
      for (const arn of arns.slice(0, 10)) await t.attach(arn);
      // Re-attaching one already attached is still fine at the limit.
      await t.attach(arns[0] as string);
      const err = await awsError(t.attach(arns[10] as string));
      expect(err).toEqual({ name: "LimitExceeded", status: 409, message: `Cannot exceed quota for ${t.quota}: 10` });
    }
    const user = await iam.send(new ListAttachedUserPoliciesCommand({ UserName: "att-ten" }));
    expect(user.AttachedPolicies).toHaveLength(10);
    expect(user.AttachedPolicies?.map((p) => p.PolicyArn)).not.toContain(arns[10]);
    expect((await iam.send(new GetPolicyCommand({ PolicyArn: arns[10] }))).Policy?.AttachmentCount).toBe(0);
  });
});

describe("ListEntitiesForPolicy", () => {
  it("lists groups, users and roles using a policy, with filters and pages", async () => {
    const p = await policy("ent-policy");
    await iam.send(new CreateGroupCommand({ GroupName: "ent-g", Path: "/ent/" }));
    await iam.send(new CreateUserCommand({ UserName: "ent-u1", Path: "/ent/" }));
    await iam.send(new CreateUserCommand({ UserName: "ent-u2" }));
    await iam.send(new CreateRoleCommand({ RoleName: "ent-r", AssumeRolePolicyDocument: TRUST }));
    await iam.send(new AttachGroupPolicyCommand({ GroupName: "ent-g", PolicyArn: p }));
    await iam.send(new AttachUserPolicyCommand({ UserName: "ent-u1", PolicyArn: p }));
    await iam.send(new PutUserPermissionsBoundaryCommand({ UserName: "ent-u2", PermissionsBoundary: p }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: "ent-r", PolicyArn: p }));
    await iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: "ent-r", PermissionsBoundary: p }));

    const all = await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: p }));
    expect(all.PolicyGroups?.map((g) => g.GroupName)).toEqual(["ent-g"]);
    expect(all.PolicyGroups?.[0]?.GroupId).toMatch(/^AGPA/);
    expect(all.PolicyUsers?.map((u) => u.UserName)).toEqual(["ent-u1", "ent-u2"]);
    expect(all.PolicyUsers?.[0]?.UserId).toMatch(/^AIDA/);
    expect(all.PolicyRoles?.map((r) => r.RoleName)).toEqual(["ent-r"]);
    expect(all.IsTruncated).toBe(false);

    const names = async (input: Partial<ConstructorParameters<typeof ListEntitiesForPolicyCommand>[0]>) => {
      const out = await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: p, ...input }));
      return [
        ...(out.PolicyGroups ?? []).map((g) => g.GroupName),
        ...(out.PolicyUsers ?? []).map((u) => u.UserName),
        ...(out.PolicyRoles ?? []).map((r) => r.RoleName),
      ];
    };
    expect(await names({ EntityFilter: "User" })).toEqual(["ent-u1", "ent-u2"]);
    expect(await names({ EntityFilter: "Role" })).toEqual(["ent-r"]);
    expect(await names({ PolicyUsageFilter: "PermissionsBoundary" })).toEqual(["ent-u2", "ent-r"]);
    expect(await names({ PolicyUsageFilter: "PermissionsPolicy" })).toEqual(["ent-g", "ent-u1", "ent-r"]);
    expect(await names({ PathPrefix: "/ent/" })).toEqual(["ent-g", "ent-u1"]);
    expect(await names({ EntityFilter: "LocalManagedPolicy" })).toEqual(["ent-g", "ent-u1", "ent-u2", "ent-r"]);
    expect(await names({ EntityFilter: "AWSManagedPolicy" })).toEqual([]);

    const seen: string[] = [];
    let marker: string | undefined;
    do {
      const page = await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: p, MaxItems: 1, Marker: marker }));
      seen.push(
        ...(page.PolicyGroups ?? []).map((g) => g.GroupName ?? ""),
        ...(page.PolicyUsers ?? []).map((u) => u.UserName ?? ""),
        ...(page.PolicyRoles ?? []).map((r) => r.RoleName ?? ""),
      );
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
    expect(seen).toEqual(["ent-g", "ent-u1", "ent-u2", "ent-r"]);

    const missing = await awsError(
      iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/ent-nothing` })),
    );
    expect(missing).toEqual({
      name: "NoSuchEntity",
      status: 404,
      message: `Policy arn:aws:iam::${ACCOUNT}:policy/ent-nothing was not found.`,
    });
  });
});

describe("permissions boundaries", () => {
  it("sets and removes user and role boundaries, customer or AWS managed", async () => {
    const p = await policy("pb-policy");
    await iam.send(new CreateUserCommand({ UserName: "pb-user" }));
    await iam.send(new CreateRoleCommand({ RoleName: "pb-role", AssumeRolePolicyDocument: TRUST }));
    await iam.send(new PutUserPermissionsBoundaryCommand({ UserName: "pb-user", PermissionsBoundary: p }));
    await iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: "pb-role", PermissionsBoundary: READ_ONLY }));
    expect((await iam.send(new GetUserCommand({ UserName: "pb-user" }))).User?.PermissionsBoundary).toEqual({
      PermissionsBoundaryType: "PermissionsBoundaryPolicy",
      PermissionsBoundaryArn: p,
    });
    expect((await iam.send(new GetRoleCommand({ RoleName: "pb-role" }))).Role?.PermissionsBoundary).toEqual({
      PermissionsBoundaryType: "PermissionsBoundaryPolicy",
      PermissionsBoundaryArn: READ_ONLY,
    });
    expect((await iam.send(new GetPolicyCommand({ PolicyArn: p }))).Policy?.PermissionsBoundaryUsageCount).toBe(1);
    expect((await iam.send(new GetPolicyCommand({ PolicyArn: READ_ONLY }))).Policy?.PermissionsBoundaryUsageCount).toBe(
      1,
    );

    await iam.send(new DeleteUserPermissionsBoundaryCommand({ UserName: "pb-user" }));
    await iam.send(new DeleteRolePermissionsBoundaryCommand({ RoleName: "pb-role" }));
    expect((await iam.send(new GetUserCommand({ UserName: "pb-user" }))).User?.PermissionsBoundary).toBeUndefined();
    expect((await iam.send(new GetRoleCommand({ RoleName: "pb-role" }))).Role?.PermissionsBoundary).toBeUndefined();
  });

  it("refuses a boundary policy that does not exist and keeps the old one", async () => {
    const p = await policy("pb-keep");
    await iam.send(new CreateUserCommand({ UserName: "pb-keeper" }));
    await iam.send(new PutUserPermissionsBoundaryCommand({ UserName: "pb-keeper", PermissionsBoundary: p }));
    const ghost = `arn:aws:iam::${ACCOUNT}:policy/pb-ghost`;
    const err = await awsError(
      iam.send(new PutUserPermissionsBoundaryCommand({ UserName: "pb-keeper", PermissionsBoundary: ghost })),
    );
    expect(err).toEqual({
      name: "NoSuchEntity",
      status: 404,
      message: `Policy ${ghost} does not exist or is not attachable.`,
    });
    const noUser = await awsError(
      iam.send(new PutUserPermissionsBoundaryCommand({ UserName: "pb-nobody", PermissionsBoundary: p })),
    );
    expect(noUser).toEqual({
      name: "NoSuchEntity",
      status: 404,
      message: "The user with name pb-nobody cannot be found.",
    });
    const noRole = await awsError(iam.send(new DeleteRolePermissionsBoundaryCommand({ RoleName: "pb-norole" })));
    expect(noRole).toEqual({
      name: "NoSuchEntity",
      status: 404,
      message: "The role with name pb-norole cannot be found.",
    });
    expect(
      (await iam.send(new GetUserCommand({ UserName: "pb-keeper" }))).User?.PermissionsBoundary?.PermissionsBoundaryArn,
    ).toBe(p);
  });
});

describe("attached policies decide access", () => {
  it("lets a user with ReadOnlyAccess read but not write, and a boundary cut it", async () => {
    await iam.send(new CreateUserCommand({ UserName: "reader" }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: "reader" }))).AccessKey;
    const reader = iamClient({ accessKeyId: key?.AccessKeyId ?? "", secretAccessKey: key?.SecretAccessKey ?? "" });

    const denied = await awsError(reader.send(new ListUsersCommand({})));
    expect(denied).toMatchObject({ name: "AccessDenied", status: 403 });

    await iam.send(new AttachUserPolicyCommand({ UserName: "reader", PolicyArn: READ_ONLY }));
    const users = await reader.send(new ListUsersCommand({}));
    expect(users.Users?.some((u) => u.UserName === "reader")).toBe(true);
    const write = await awsError(reader.send(new CreateUserCommand({ UserName: "not-allowed" })));
    expect(write).toEqual({
      name: "AccessDenied",
      status: 403,
      message: `User: arn:aws:iam::${ACCOUNT}:user/reader is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::${ACCOUNT}:user/not-allowed because no identity-based policy allows the iam:CreateUser action`,
    });

    // A boundary that allows only S3 takes IAM reads away again.
    const s3Only = await policy("reader-boundary");
    await iam.send(new PutUserPermissionsBoundaryCommand({ UserName: "reader", PermissionsBoundary: s3Only }));
    const bounded = await awsError(reader.send(new ListUsersCommand({})));
    expect(bounded).toMatchObject({ name: "AccessDenied", status: 403 });
    expect(bounded.message).toContain("no permissions boundary allows the iam:ListUsers action");
  });
});

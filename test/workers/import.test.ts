// POST /v1/accounts/import with a hand-written snapshot: every entity kind kept exactly, imported users authorized, replace.
import {
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreatePolicyVersionCommand,
  GetAccountAuthorizationDetailsCommand,
  GetInstanceProfileCommand,
  GetPolicyCommand,
  GetRoleCommand,
  GetUserCommand,
  ListGroupsCommand,
  ListRolesCommand,
  ListUsersCommand,
  type GetAccountAuthorizationDetailsCommandOutput,
} from "@aws-sdk/client-iam";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ACCOUNT } from "./fixtures";
import { handSnapshot, idFor, importSnapshot, rowCounts } from "./import-fixtures";
import { awsError, iamClient } from "./sdk";

const iam = iamClient();
const OTHER = "210987654321";

async function exportAll(): Promise<GetAccountAuthorizationDetailsCommandOutput> {
  return iam.send(new GetAccountAuthorizationDetailsCommand({ MaxItems: 1000 }));
}

describe("importing a hand-written snapshot", () => {
  it("imports every entity kind and reports what it imported and skipped", async () => {
    const { status, body, roundTrips } = await importSnapshot(handSnapshot(ACCOUNT));
    expect(status).toBe(200);
    expect(body.account).toBe(ACCOUNT);
    // One read batch (is the account empty, whose ids are taken) and one write batch.
    expect(roundTrips).toBe(2);
    expect(body.imported).toEqual({
      users: 2,
      groups: 1,
      roles: 1,
      policies: 2,
      policyVersions: 4,
      inlinePolicies: 3,
      attachments: 2,
      tags: 4,
      groupMemberships: 1,
      instanceProfiles: 1,
    });
    expect(body.skipped).toEqual([
      {
        entity: "attached to user bob: arn:aws:iam::aws:policy/NoSuchAwsPolicyForImport",
        reason: "AWS managed policy not in the bundled catalogue",
      },
    ]);
    expect(body.notes?.join("\n")).toContain("aws iam create-access-key --user-name alice");
  });

  it("keeps ids, names, paths, ARNs, dates, documents, memberships, boundaries and tags as they were", async () => {
    const d = await exportAll();
    const alice = d.UserDetailList?.find((u) => u.UserName === "alice");
    expect(alice).toMatchObject({
      Path: "/dev/",
      UserId: idFor("AIDA", ACCOUNT, "alice"),
      Arn: `arn:aws:iam::${ACCOUNT}:user/dev/alice`,
      CreateDate: new Date("2020-01-02T03:04:05Z"),
      GroupList: ["Developers"],
      PermissionsBoundary: { PermissionsBoundaryArn: `arn:aws:iam::${ACCOUNT}:policy/Boundary` },
      Tags: [{ Key: "team", Value: "core" }],
    });
    expect(JSON.parse(decodeURIComponent(alice?.UserPolicyList?.[0]?.PolicyDocument ?? ""))).toEqual(
      handSnapshot(ACCOUNT).UserDetailList[0]?.UserPolicyList[0]?.PolicyDocument,
    );
    const bob = d.UserDetailList?.find((u) => u.UserName === "bob");
    expect(bob?.AttachedManagedPolicies).toEqual([]);

    const group = d.GroupDetailList?.[0];
    expect(group).toMatchObject({
      GroupName: "Developers",
      GroupId: idFor("AGPA", ACCOUNT, "developers"),
      Path: "/dev/",
      AttachedManagedPolicies: [
        { PolicyName: "DevAccess", PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/teams/DevAccess` },
      ],
    });
    const role = d.RoleDetailList?.[0];
    expect(role).toMatchObject({
      RoleName: "deploy",
      RoleId: idFor("AROA", ACCOUNT, "deploy"),
      Path: "/service/",
      CreateDate: new Date("2022-02-02T02:02:02Z"),
      AttachedManagedPolicies: [{ PolicyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" }],
      PermissionsBoundary: { PermissionsBoundaryArn: `arn:aws:iam::${ACCOUNT}:policy/teams/DevAccess` },
      Tags: [
        { Key: "env", Value: "prod" },
        { Key: "owner", Value: "ops" },
      ],
      RoleLastUsed: { LastUsedDate: new Date("2024-03-03T03:03:03Z"), Region: "eu-west-1" },
    });
    const profile = await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: "deploy-profile" }));
    expect(profile.InstanceProfile).toMatchObject({
      InstanceProfileId: idFor("AIPA", ACCOUNT, "deployprofile"),
      Roles: [{ RoleName: "deploy" }],
    });
    const got = await iam.send(new GetRoleCommand({ RoleName: "deploy" }));
    expect(got.Role).toMatchObject({ Description: "deploys things", MaxSessionDuration: 7200 });

    const dev = d.Policies?.find((p) => p.PolicyName === "DevAccess");
    expect(dev).toMatchObject({
      PolicyId: idFor("ANPA", ACCOUNT, "devaccess"),
      Path: "/teams/",
      DefaultVersionId: "v2",
      Description: "what developers may do",
      AttachmentCount: 1,
      PermissionsBoundaryUsageCount: 1,
      UpdateDate: new Date("2023-01-01T00:00:00Z"),
    });
    expect(dev?.PolicyVersionList?.map((v) => [v.VersionId, v.IsDefaultVersion])).toEqual([
      ["v4", false],
      ["v2", true],
      ["v1", false],
    ]);
    const boundary = d.Policies?.find((p) => p.PolicyName === "Boundary");
    expect(JSON.parse(decodeURIComponent(boundary?.PolicyVersionList?.[0]?.Document ?? ""))).toMatchObject({
      Statement: [{ Action: ["iam:List*", "iam:Get*"] }],
    });
    // AWS never reuses a version number: the next one follows the highest imported, not the count.
    const arn = `arn:aws:iam::${ACCOUNT}:policy/teams/DevAccess`;
    const next = await iam.send(
      new CreatePolicyVersionCommand({
        PolicyArn: arn,
        PolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }],
        }),
      }),
    );
    expect(next.PolicyVersion?.VersionId).toBe("v5");
    const policy = await iam.send(new GetPolicyCommand({ PolicyArn: arn }));
    expect(policy.Policy?.DefaultVersionId).toBe("v2");
  });

  it("authorizes the imported users by their imported policies once root gives them a key", async () => {
    const key = await iam.send(new CreateAccessKeyCommand({ UserName: "alice" }));
    const alice = iamClient({
      accessKeyId: key.AccessKey?.AccessKeyId ?? "",
      secretAccessKey: key.AccessKey?.SecretAccessKey ?? "",
    });
    // The group's managed policy at its default version v2, and the group's inline policy.
    expect((await alice.send(new ListUsersCommand({}))).Users?.length).toBeGreaterThan(0);
    expect((await alice.send(new ListGroupsCommand({}))).Groups?.[0]?.GroupName).toBe("Developers");
    expect((await alice.send(new GetUserCommand({}))).User?.UserName).toBe("alice");
    // Allowed only by non-default versions (v1, v4): denied.
    expect((await awsError(alice.send(new ListRolesCommand({})))).name).toBe("AccessDenied");
    // Allowed by her inline policy but outside her permissions boundary: denied.
    expect((await awsError(alice.send(new CreateGroupCommand({ GroupName: "x" })))).name).toBe("AccessDenied");
  });

  it("refuses to merge into a non-empty account, and replaces it idempotently on request", async () => {
    const before = await rowCounts(ACCOUNT);
    const merge = await importSnapshot(handSnapshot(ACCOUNT));
    expect(merge.status).toBe(409);
    expect(merge.body.error?.code).toBe("EntityAlreadyExists");
    expect(merge.body.error?.message).toContain("mode=replace");
    expect(await rowCounts(ACCOUNT)).toEqual(before);

    const first = await importSnapshot(handSnapshot(ACCOUNT), { query: "mode=replace" });
    expect(first.status).toBe(200);
    const once = await exportAll();
    const again = await importSnapshot(handSnapshot(ACCOUNT), { query: "mode=replace" });
    expect(again.body).toEqual(first.body);
    const twice = await exportAll();
    expect(twice.UserDetailList).toEqual(once.UserDetailList);
    expect(twice.GroupDetailList).toEqual(once.GroupDetailList);
    expect(twice.RoleDetailList).toEqual(once.RoleDetailList);
    expect(twice.Policies).toEqual(once.Policies);
    // The replaced policy came back as the snapshot has it: v5, created above, is gone.
    expect(once.Policies?.find((p) => p.PolicyName === "DevAccess")?.PolicyVersionList).toHaveLength(3);
  });

  it("imports a second account, scoped by account id, without touching the first", async () => {
    const before = await rowCounts(ACCOUNT);
    const { status, body } = await importSnapshot(handSnapshot(OTHER));
    expect(status).toBe(200);
    expect(body.account).toBe(OTHER);
    expect(body.notes?.join("\n")).toContain(`cannot create keys for users of account ${OTHER}`);
    expect(await rowCounts(OTHER)).toEqual({
      users: 2,
      groups: 1,
      roles: 1,
      policies: 2,
      inline_policies: 3,
      attachments: 2,
      tags: 4,
      group_members: 1,
      instance_profiles: 1,
      policy_versions: 4,
    });
    expect(await rowCounts(ACCOUNT)).toEqual(before);
  });

  it("moves a snapshot into another account on request, with fresh ids where the originals are taken", async () => {
    const target = "333344445555";
    const { status, body } = await importSnapshot(handSnapshot(ACCOUNT), { query: `account=${target}` });
    expect(status).toBe(200);
    expect(body.account).toBe(target);
    expect(body.notes?.join("\n")).toContain("ids were already used by another account");
    const { results } = await env.DB.prepare(
      "select id, arn, permissions_boundary_arn as b from users where account_id = ? order by name_key",
    )
      .bind(target)
      .all<{ id: string; arn: string; b: string | null }>();
    expect(results.map((r) => r.arn)).toEqual([
      `arn:aws:iam::${target}:user/dev/alice`,
      `arn:aws:iam::${target}:user/bob`,
    ]);
    expect(results[0]?.b).toBe(`arn:aws:iam::${target}:policy/Boundary`);
    expect(results[0]?.id).toMatch(/^AIDA[A-Z2-7]{17}$/);
    expect(results[0]?.id).not.toBe(idFor("AIDA", ACCOUNT, "alice"));
    // The trust policy named the source account's root; the copy names its own.
    const trust = await env.DB.prepare("select assume_role_policy as t from roles where account_id = ?")
      .bind(target)
      .first<{ t: string }>();
    expect(trust?.t).toContain(`arn:aws:iam::${target}:root`);
    // Loading the same file again in replace mode gives the same ids (they derive from account and original id).
    const again = await importSnapshot(handSnapshot(ACCOUNT), { query: `account=${target}&mode=replace` });
    expect(again.status).toBe(200);
    const ids = await env.DB.prepare("select id from users where account_id = ? order by name_key")
      .bind(target)
      .all<{ id: string }>();
    expect(ids.results.map((r) => r.id)).toEqual(results.map((r) => r.id));
  });
});

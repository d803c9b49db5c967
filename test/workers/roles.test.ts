// IAM roles through the real AWS SDK against the Worker with real local D1.
import {
  CreateAccessKeyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeleteRoleCommand,
  GetRoleCommand,
  ListRolesCommand,
  ListRoleTagsCommand,
  TagRoleCommand,
  UntagRoleCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateRoleCommand,
  UpdateRoleDescriptionCommand,
} from "@aws-sdk/client-iam";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { awsError, iamClient } from "./sdk";
import { ACCOUNT, TRUST } from "./fixtures";

const iam = iamClient();

const TRUST_2 = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "sts:AssumeRole" }],
});

async function role(name: string, extra: Partial<ConstructorParameters<typeof CreateRoleCommand>[0]> = {}) {
  return iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: TRUST, ...extra }));
}

async function roleNames(pathPrefix?: string): Promise<string[]> {
  const out = await iam.send(new ListRolesCommand({ PathPrefix: pathPrefix }));
  return (out.Roles ?? []).map((r) => r.RoleName ?? "");
}

describe("roles", () => {
  it("creates a role and reads it back with the shape AWS returns", async () => {
    // The boundary must exist: CreateRole refuses one that does not.
    const boundary = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }],
    });
    await iam.send(new CreatePolicyCommand({ PolicyName: "boundary", PolicyDocument: boundary }));
    const created = await role("app", {
      Path: "/svc/",
      Description: "the app role",
      MaxSessionDuration: 7200,
      PermissionsBoundary: `arn:aws:iam::${ACCOUNT}:policy/boundary`,
      Tags: [{ Key: "team", Value: "core" }],
    });
    expect(created.Role).toMatchObject({
      RoleName: "app",
      Path: "/svc/",
      Arn: `arn:aws:iam::${ACCOUNT}:role/svc/app`,
      Description: "the app role",
      MaxSessionDuration: 7200,
      PermissionsBoundary: {
        PermissionsBoundaryType: "PermissionsBoundaryPolicy",
        PermissionsBoundaryArn: `arn:aws:iam::${ACCOUNT}:policy/boundary`,
      },
      Tags: [{ Key: "team", Value: "core" }],
    });
    expect(created.Role?.RoleId).toMatch(/^AROA[A-Z2-7]{17}$/);
    expect(created.Role?.CreateDate).toBeInstanceOf(Date);
    // The SDK hands the document over exactly as the service sent it: URL-encoded.
    expect(decodeURIComponent(created.Role?.AssumeRolePolicyDocument ?? "")).toBe(TRUST);
    expect(created.Role?.AssumeRolePolicyDocument).toBe(encodeURIComponent(TRUST));

    const got = await iam.send(new GetRoleCommand({ RoleName: "APP" }));
    expect(got.Role).toMatchObject({
      RoleId: created.Role?.RoleId,
      RoleName: "app",
      Description: "the app role",
      MaxSessionDuration: 7200,
      Tags: [{ Key: "team", Value: "core" }],
      RoleLastUsed: {},
    });
    expect(got.Role?.RoleLastUsed?.LastUsedDate).toBeUndefined();
  });

  it("defaults path, MaxSessionDuration and leaves Description and Tags out", async () => {
    const { Role } = await role("bare");
    expect(Role).toMatchObject({ Path: "/", MaxSessionDuration: 3600, Arn: `arn:aws:iam::${ACCOUNT}:role/bare` });
    expect(Role?.Description).toBeUndefined();
    expect(Role?.Tags).toBeUndefined();
    expect(Role?.PermissionsBoundary).toBeUndefined();
  });

  it("refuses a duplicate name case-insensitively and leaves the first role intact", async () => {
    await role("Dup");
    const err = await awsError(role("DUP", { Path: "/x/" }));
    expect(err).toEqual({ name: "EntityAlreadyExists", status: 409, message: "Role with name DUP already exists." });
    expect((await iam.send(new GetRoleCommand({ RoleName: "dup" }))).Role?.Path).toBe("/");
  });

  it("answers ValidationError for names, paths, durations and descriptions out of bounds", async () => {
    const name = await awsError(role("r".repeat(65)));
    expect(name).toEqual({
      name: "ValidationError",
      status: 400,
      message: `1 validation error detected: Value '${"r".repeat(65)}' at 'roleName' failed to satisfy constraint: Member must have length less than or equal to 64`,
    });
    const pattern = await awsError(role("bad/name"));
    expect(pattern.message).toBe(
      "1 validation error detected: Value 'bad/name' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+",
    );
    const duration = await awsError(role("short", { MaxSessionDuration: 3599 }));
    expect(duration.message).toBe(
      "1 validation error detected: Value '3599' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600",
    );
    const tooLong = await awsError(role("long", { MaxSessionDuration: 43201 }));
    expect(tooLong.message).toContain("Member must have value less than or equal to 43200");
    const desc = await awsError(role("desc", { Description: "d".repeat(1001) }));
    expect(desc.message).toContain(
      "at 'description' failed to satisfy constraint: Member must have length less than or equal to 1000",
    );
    const path = await awsError(role("pathy", { Path: "/no-trailing" }));
    expect(path.name).toBe("ValidationError");
    const names = await roleNames();
    for (const n of ["short", "long", "desc", "pathy"]) expect(names).not.toContain(n);
  });

  it("refuses a malformed or oversized trust policy and creates nothing", async () => {
    const malformed = await awsError(role("broken", { AssumeRolePolicyDocument: "{not json" }));
    expect(malformed).toMatchObject({ name: "MalformedPolicyDocument", status: 400 });
    expect(malformed.message.length).toBeGreaterThan(0);

    const statements = Array.from({ length: 40 }, (_, i) => ({
      Sid: `S${i}`,
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
      Action: "sts:AssumeRole",
    }));
    const big = JSON.stringify({ Version: "2012-10-17", Statement: statements });
    expect(big.length).toBeGreaterThan(2048);
    const oversized = await awsError(role("huge", { AssumeRolePolicyDocument: big }));
    expect(oversized).toEqual({
      name: "LimitExceeded",
      status: 409,
      message: "Cannot exceed quota for ACLSizePerRole: 2048",
    });
    // Whitespace does not count towards the quota.
    const padded = TRUST.replace(/,/g, `,\n${" ".repeat(1000)}`);
    expect(padded.length).toBeGreaterThan(2048);
    await role("padded", { AssumeRolePolicyDocument: padded });
    const names = await roleNames();
    expect(names).toContain("padded");
    expect(names).not.toContain("broken");
    expect(names).not.toContain("huge");
  });

  it("answers NoSuchEntity for a missing role on every operation", async () => {
    const message = "The role with name ghost cannot be found.";
    // Thunks, so each call starts only when awaited: a rejection nobody awaits yet is an unhandled error.
    for (const call of [
      () => iam.send(new GetRoleCommand({ RoleName: "ghost" })),
      () => iam.send(new UpdateRoleCommand({ RoleName: "ghost", Description: "x" })),
      () => iam.send(new UpdateRoleDescriptionCommand({ RoleName: "ghost", Description: "x" })),
      () => iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: "ghost", PolicyDocument: TRUST })),
      () => iam.send(new DeleteRoleCommand({ RoleName: "ghost" })),
      () => iam.send(new TagRoleCommand({ RoleName: "ghost", Tags: [{ Key: "a", Value: "b" }] })),
      () => iam.send(new UntagRoleCommand({ RoleName: "ghost", TagKeys: ["a"] })),
      () => iam.send(new ListRoleTagsCommand({ RoleName: "ghost" })),
    ]) {
      expect(await awsError(call())).toEqual({ name: "NoSuchEntity", status: 404, message });
    }
  });

  it("paginates ListRoles in name order, filters by PathPrefix and leaves out tags and last use", async () => {
    for (const n of ["r4", "r2", "r5", "r1", "r3"]) {
      await role(`pr-${n}`, { Path: "/paged/", Tags: [{ Key: "k", Value: "v" }] });
    }
    await role("pr-elsewhere", { Path: "/elsewhere/" });
    const names: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const out = await iam.send(new ListRolesCommand({ PathPrefix: "/paged/", MaxItems: 2, Marker: marker }));
      for (const r of out.Roles ?? []) {
        expect(r.Tags).toBeUndefined();
        expect(r.RoleLastUsed).toBeUndefined();
        expect(r.MaxSessionDuration).toBe(3600);
        expect(decodeURIComponent(r.AssumeRolePolicyDocument ?? "")).toBe(TRUST);
      }
      names.push(...(out.Roles ?? []).map((r) => r.RoleName ?? ""));
      marker = out.IsTruncated ? out.Marker : undefined;
      pages++;
    } while (marker);
    expect(pages).toBe(3);
    expect(names).toEqual(["pr-r1", "pr-r2", "pr-r3", "pr-r4", "pr-r5"]);
    expect(await roleNames("/elsewhere/")).toEqual(["pr-elsewhere"]);
  });

  it("updates description and session duration, and UpdateRoleDescription returns the role", async () => {
    await role("upd", { Description: "before", Tags: [{ Key: "t", Value: "1" }] });
    await iam.send(new UpdateRoleCommand({ RoleName: "upd", MaxSessionDuration: 43200 }));
    let got = await iam.send(new GetRoleCommand({ RoleName: "upd" }));
    expect(got.Role).toMatchObject({ Description: "before", MaxSessionDuration: 43200 });
    await iam.send(new UpdateRoleCommand({ RoleName: "upd", Description: "after" }));
    got = await iam.send(new GetRoleCommand({ RoleName: "upd" }));
    expect(got.Role).toMatchObject({ Description: "after", MaxSessionDuration: 43200 });

    const out = await iam.send(new UpdateRoleDescriptionCommand({ RoleName: "UPD", Description: "third" }));
    expect(out.Role).toMatchObject({
      RoleName: "upd",
      Description: "third",
      MaxSessionDuration: 43200,
      Tags: [{ Key: "t", Value: "1" }],
    });
    const bad = await awsError(iam.send(new UpdateRoleCommand({ RoleName: "upd", MaxSessionDuration: 100 })));
    expect(bad.name).toBe("ValidationError");
    expect((await iam.send(new GetRoleCommand({ RoleName: "upd" }))).Role?.MaxSessionDuration).toBe(43200);
  });

  it("replaces the trust policy, refusing a malformed one without changing it", async () => {
    await role("trusty");
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: "trusty", PolicyDocument: TRUST_2 }));
    let got = await iam.send(new GetRoleCommand({ RoleName: "trusty" }));
    expect(decodeURIComponent(got.Role?.AssumeRolePolicyDocument ?? "")).toBe(TRUST_2);
    const err = await awsError(
      iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: "trusty", PolicyDocument: '{"Statement": 5}' })),
    );
    expect(err).toMatchObject({ name: "MalformedPolicyDocument", status: 400 });
    got = await iam.send(new GetRoleCommand({ RoleName: "trusty" }));
    expect(decodeURIComponent(got.Role?.AssumeRolePolicyDocument ?? "")).toBe(TRUST_2);
  });

  it("tags, lists with paging and untags a role, refusing more than 50 tags", async () => {
    await role("tagged");
    await iam.send(
      new TagRoleCommand({
        RoleName: "tagged",
        Tags: [
          { Key: "b", Value: "2" },
          { Key: "a", Value: "1" },
          { Key: "c", Value: "3" },
        ],
      }),
    );
    await iam.send(new TagRoleCommand({ RoleName: "tagged", Tags: [{ Key: "A", Value: "9" }] }));
    const page1 = await iam.send(new ListRoleTagsCommand({ RoleName: "tagged", MaxItems: 2 }));
    expect(page1.Tags).toEqual([
      { Key: "A", Value: "9" },
      { Key: "b", Value: "2" },
    ]);
    expect(page1.IsTruncated).toBe(true);
    const page2 = await iam.send(new ListRoleTagsCommand({ RoleName: "tagged", MaxItems: 2, Marker: page1.Marker }));
    expect(page2.Tags).toEqual([{ Key: "c", Value: "3" }]);
    expect(page2.IsTruncated).toBe(false);

    const many = Array.from({ length: 48 }, (_, i) => ({ Key: `k${i}`, Value: "v" }));
    const err = await awsError(iam.send(new TagRoleCommand({ RoleName: "tagged", Tags: many })));
    expect(err).toEqual({
      name: "LimitExceeded",
      status: 409,
      message: "The number of tags has reached the maximum limit of 50.",
    });
    const dupKeys = await awsError(
      iam.send(
        new TagRoleCommand({
          RoleName: "tagged",
          Tags: [
            { Key: "x", Value: "1" },
            { Key: "X", Value: "2" },
          ],
        }),
      ),
    );
    expect(dupKeys.name).toBe("InvalidInput");
    expect((await iam.send(new ListRoleTagsCommand({ RoleName: "tagged" }))).Tags).toHaveLength(3);

    await iam.send(new UntagRoleCommand({ RoleName: "tagged", TagKeys: ["B", "c"] }));
    expect((await iam.send(new ListRoleTagsCommand({ RoleName: "tagged" }))).Tags).toEqual([{ Key: "A", Value: "9" }]);
    expect((await iam.send(new GetRoleCommand({ RoleName: "tagged" }))).Role?.Tags).toEqual([{ Key: "A", Value: "9" }]);
  });

  it("refuses to delete a role with inline or attached policies, then deletes it and its tags", async () => {
    const { Role } = await role("doomed", { Tags: [{ Key: "a", Value: "b" }] });
    const roleId = Role?.RoleId ?? "";
    await env.DB.prepare(
      "insert into inline_policies (account_id, principal_kind, principal_id, name, document, size) values (?, 'role', ?, 'p', '{}', 2)",
    )
      .bind(ACCOUNT, roleId)
      .run();
    expect(await awsError(iam.send(new DeleteRoleCommand({ RoleName: "doomed" })))).toEqual({
      name: "DeleteConflict",
      status: 409,
      message: "Cannot delete entity, must delete policies first.",
    });
    await env.DB.prepare("delete from inline_policies where principal_id = ?").bind(roleId).run();
    await env.DB.prepare(
      "insert into attachments (account_id, principal_kind, principal_id, policy_arn, created_at) values (?, 'role', ?, 'arn:aws:iam::aws:policy/ReadOnlyAccess', 0)",
    )
      .bind(ACCOUNT, roleId)
      .run();
    expect(await awsError(iam.send(new DeleteRoleCommand({ RoleName: "doomed" })))).toEqual({
      name: "DeleteConflict",
      status: 409,
      message: "Cannot delete entity, must detach all policies first.",
    });
    expect((await iam.send(new GetRoleCommand({ RoleName: "doomed" }))).Role?.Tags).toEqual([{ Key: "a", Value: "b" }]);
    await env.DB.prepare("delete from attachments where principal_id = ?").bind(roleId).run();

    await iam.send(new DeleteRoleCommand({ RoleName: "DOOMED" }));
    expect((await awsError(iam.send(new GetRoleCommand({ RoleName: "doomed" })))).name).toBe("NoSuchEntity");
    const left = await env.DB.prepare("select count(*) as n from tags where resource_id = ?")
      .bind(roleId)
      .first<{ n: number }>();
    expect(left?.n).toBe(0);
  });

  it("denies a user with no policies", async () => {
    await iam.send(new CreateUserCommand({ UserName: "role-powerless" }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: "role-powerless" }));
    const asUser = iamClient({
      accessKeyId: AccessKey?.AccessKeyId ?? "",
      secretAccessKey: AccessKey?.SecretAccessKey ?? "",
    });
    const err = await awsError(asUser.send(new GetRoleCommand({ RoleName: "bare" })));
    expect(err).toEqual({
      name: "AccessDenied",
      status: 403,
      message: `User: arn:aws:iam::${ACCOUNT}:user/role-powerless is not authorized to perform: iam:GetRole on resource: arn:aws:iam::${ACCOUNT}:role/bare because no identity-based policy allows the iam:GetRole action`,
    });
    expect(
      (await awsError(asUser.send(new CreateRoleCommand({ RoleName: "sneaky", AssumeRolePolicyDocument: TRUST }))))
        .name,
    ).toBe("AccessDenied");
    expect(await roleNames()).not.toContain("sneaky");
  });
});

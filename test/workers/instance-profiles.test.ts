// Instance profiles through the real AWS SDK: shapes, one role per profile, conflicts, paging, tags and errors.
import {
  AddRoleToInstanceProfileCommand,
  CreateInstanceProfileCommand,
  CreateRoleCommand,
  DeleteInstanceProfileCommand,
  DeleteRoleCommand,
  GetAccountAuthorizationDetailsCommand,
  GetInstanceProfileCommand,
  GetRoleCommand,
  ListInstanceProfilesCommand,
  ListInstanceProfilesForRoleCommand,
  ListInstanceProfileTagsCommand,
  ListRolesCommand,
  RemoveRoleFromInstanceProfileCommand,
  TagInstanceProfileCommand,
  UntagInstanceProfileCommand,
} from "@aws-sdk/client-iam";
import { describe, expect, it } from "vitest";
import { ACCOUNT, TRUST } from "./fixtures";
import { awsError, iamClient } from "./sdk";

const iam = iamClient();

const profile = (name: string, extra: { Path?: string; Tags?: { Key: string; Value: string }[] } = {}) =>
  iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: name, ...extra }));
const role = (name: string) => iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: TRUST }));

describe("instance profiles", () => {
  it("creates a profile, puts a role in it and reads it back as AWS shapes it", async () => {
    const created = await profile("web", { Path: "/app/", Tags: [{ Key: "team", Value: "core" }] });
    expect(created.InstanceProfile).toMatchObject({
      InstanceProfileName: "web",
      Path: "/app/",
      Arn: `arn:aws:iam::${ACCOUNT}:instance-profile/app/web`,
      Roles: [],
      Tags: [{ Key: "team", Value: "core" }],
    });
    expect(created.InstanceProfile?.InstanceProfileId).toMatch(/^AIPA[A-Z2-7]{17}$/);
    expect(created.InstanceProfile?.CreateDate).toBeInstanceOf(Date);

    await role("web-role");
    await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: "WEB", RoleName: "web-role" }));
    const got = await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: "web" }));
    expect(got.InstanceProfile?.Roles).toHaveLength(1);
    expect(got.InstanceProfile?.Roles?.[0]).toMatchObject({
      RoleName: "web-role",
      Arn: `arn:aws:iam::${ACCOUNT}:role/web-role`,
      AssumeRolePolicyDocument: encodeURIComponent(TRUST),
    });
    expect(got.InstanceProfile?.Tags).toEqual([{ Key: "team", Value: "core" }]);

    const forRole = await iam.send(new ListInstanceProfilesForRoleCommand({ RoleName: "web-role" }));
    expect(forRole.InstanceProfiles?.map((p) => p.InstanceProfileName)).toEqual(["web"]);
    expect(forRole.IsTruncated).toBe(false);

    // GetRole and ListRoles are not changed by the membership.
    expect((await iam.send(new GetRoleCommand({ RoleName: "web-role" }))).Role?.RoleName).toBe("web-role");
    const listed = await iam.send(new ListRolesCommand({}));
    expect(listed.Roles?.some((r) => r.RoleName === "web-role")).toBe(true);

    // GetAccountAuthorizationDetails lists the profile under the role.
    const details = await iam.send(new GetAccountAuthorizationDetailsCommand({ Filter: ["Role"] }));
    const detail = details.RoleDetailList?.find((r) => r.RoleName === "web-role");
    expect(detail?.InstanceProfileList).toHaveLength(1);
    expect(detail?.InstanceProfileList?.[0]).toMatchObject({
      InstanceProfileName: "web",
      Arn: `arn:aws:iam::${ACCOUNT}:instance-profile/app/web`,
      Roles: [{ RoleName: "web-role" }],
    });
  });

  it("holds one role per profile and refuses deletes while the role is in it", async () => {
    await profile("one");
    await role("r1");
    await role("r2");
    await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: "one", RoleName: "r1" }));
    for (const name of ["r2", "r1"]) {
      expect(
        await awsError(iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: "one", RoleName: name }))),
      ).toMatchObject({
        name: "LimitExceeded",
        status: 409,
        message: "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1",
      });
    }
    expect(await awsError(iam.send(new DeleteRoleCommand({ RoleName: "r1" })))).toMatchObject({
      name: "DeleteConflict",
      status: 409,
      message: "Cannot delete entity, must remove roles from instance profile first.",
    });
    expect(await awsError(iam.send(new DeleteInstanceProfileCommand({ InstanceProfileName: "one" })))).toMatchObject({
      name: "DeleteConflict",
      message: "Cannot delete entity, must remove roles from instance profile first.",
    });

    expect(
      await awsError(
        iam.send(new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: "one", RoleName: "r2" })),
      ),
    ).toMatchObject({ name: "NoSuchEntity", status: 404 });
    await iam.send(new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: "one", RoleName: "r1" }));
    await iam.send(new DeleteRoleCommand({ RoleName: "r1" }));
    await iam.send(new DeleteInstanceProfileCommand({ InstanceProfileName: "one" }));
    expect(await awsError(iam.send(new GetInstanceProfileCommand({ InstanceProfileName: "one" })))).toMatchObject({
      name: "NoSuchEntity",
      status: 404,
      message: "Instance Profile one cannot be found.",
    });
  });

  it("answers every error code of the family", async () => {
    await profile("dup");
    expect(await awsError(profile("DUP"))).toMatchObject({
      name: "EntityAlreadyExists",
      status: 409,
      message: "Instance Profile DUP already exists.",
    });
    expect(await awsError(profile("bad name"))).toMatchObject({
      name: "ValidationError",
      message: expect.stringContaining("at 'instanceProfileName' failed to satisfy constraint"),
    });
    expect(await awsError(profile("x", { Path: "nope" }))).toMatchObject({ name: "ValidationError" });
    expect(
      await awsError(
        profile("tagdup", {
          Tags: [
            { Key: "a", Value: "1" },
            { Key: "A", Value: "2" },
          ],
        }),
      ),
    ).toMatchObject({ name: "InvalidInput" });
    expect(
      await awsError(iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: "none", RoleName: "r" }))),
    ).toMatchObject({ name: "NoSuchEntity", message: "Instance Profile none cannot be found." });
    expect(
      await awsError(iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: "dup", RoleName: "ghost" }))),
    ).toMatchObject({ name: "NoSuchEntity", message: "The role with name ghost cannot be found." });
    expect(await awsError(iam.send(new ListInstanceProfilesForRoleCommand({ RoleName: "ghost" })))).toMatchObject({
      name: "NoSuchEntity",
    });
    expect(await awsError(iam.send(new DeleteInstanceProfileCommand({ InstanceProfileName: "none" })))).toMatchObject({
      name: "NoSuchEntity",
    });
    expect(await awsError(iam.send(new ListInstanceProfilesCommand({ Marker: "garbage" })))).toMatchObject({
      name: "ValidationError",
    });
  });

  it("pages profiles in name order under a path prefix", async () => {
    for (const n of ["p-c", "p-a", "p-b"]) await profile(n, { Path: "/paged/" });
    await profile("p-other", { Path: "/elsewhere/" });
    const first = await iam.send(new ListInstanceProfilesCommand({ PathPrefix: "/paged/", MaxItems: 2 }));
    expect(first.InstanceProfiles?.map((p) => p.InstanceProfileName)).toEqual(["p-a", "p-b"]);
    expect(first.IsTruncated).toBe(true);
    const second = await iam.send(
      new ListInstanceProfilesCommand({ PathPrefix: "/paged/", MaxItems: 2, Marker: first.Marker }),
    );
    expect(second.InstanceProfiles?.map((p) => p.InstanceProfileName)).toEqual(["p-c"]);
    expect(second.IsTruncated).toBe(false);
    // The list leaves tags out.
    expect(second.InstanceProfiles?.[0]?.Tags).toBeUndefined();
  });

  it("tags, untags and pages the tags of a profile, within the quota of 50", async () => {
    await profile("tagged");
    await iam.send(
      new TagInstanceProfileCommand({
        InstanceProfileName: "tagged",
        Tags: [
          { Key: "b", Value: "2" },
          { Key: "a", Value: "1" },
        ],
      }),
    );
    const page = await iam.send(new ListInstanceProfileTagsCommand({ InstanceProfileName: "tagged", MaxItems: 1 }));
    expect(page.Tags).toEqual([{ Key: "a", Value: "1" }]);
    expect(page.IsTruncated).toBe(true);
    const rest = await iam.send(
      new ListInstanceProfileTagsCommand({ InstanceProfileName: "tagged", Marker: page.Marker }),
    );
    expect(rest.Tags).toEqual([{ Key: "b", Value: "2" }]);
    await iam.send(new UntagInstanceProfileCommand({ InstanceProfileName: "tagged", TagKeys: ["A"] }));
    const left = await iam.send(new ListInstanceProfileTagsCommand({ InstanceProfileName: "tagged" }));
    expect(left.Tags).toEqual([{ Key: "b", Value: "2" }]);

    const many = Array.from({ length: 50 }, (_, n) => ({ Key: `k${n}`, Value: "v" }));
    expect(
      await awsError(iam.send(new TagInstanceProfileCommand({ InstanceProfileName: "tagged", Tags: many }))),
    ).toMatchObject({ name: "LimitExceeded", message: "The number of tags has reached the maximum limit of 50." });
    expect(
      await awsError(
        iam.send(new TagInstanceProfileCommand({ InstanceProfileName: "ghost", Tags: [{ Key: "a", Value: "" }] })),
      ),
    ).toMatchObject({ name: "NoSuchEntity" });
    // The tags go with the profile: a new one of the same name starts without them.
    await iam.send(new DeleteInstanceProfileCommand({ InstanceProfileName: "tagged" }));
    await profile("tagged");
    const fresh = await iam.send(new ListInstanceProfileTagsCommand({ InstanceProfileName: "tagged" }));
    expect(fresh.Tags).toEqual([]);
  });
});

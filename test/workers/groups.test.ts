// IAM groups and group membership through the real AWS SDK against the Worker with real local D1.
import {
  AddUserToGroupCommand,
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreateUserCommand,
  DeleteGroupCommand,
  GetGroupCommand,
  ListGroupsCommand,
  ListGroupsForUserCommand,
  RemoveUserFromGroupCommand,
  UpdateGroupCommand,
} from "@aws-sdk/client-iam";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { awsError, iamClient } from "./sdk";
import { ACCOUNT } from "./fixtures";

const iam = iamClient();

async function user(name: string) {
  await iam.send(new CreateUserCommand({ UserName: name }));
}

async function groupNames(pathPrefix?: string): Promise<string[]> {
  const out = await iam.send(new ListGroupsCommand({ PathPrefix: pathPrefix }));
  return (out.Groups ?? []).map((g) => g.GroupName ?? "");
}

describe("groups", () => {
  it("creates a group and reads it back with the shape AWS returns", async () => {
    const created = await iam.send(new CreateGroupCommand({ GroupName: "Admins", Path: "/eng/" }));
    expect(created.Group).toMatchObject({
      GroupName: "Admins",
      Path: "/eng/",
      Arn: `arn:aws:iam::${ACCOUNT}:group/eng/Admins`,
    });
    expect(created.Group?.GroupId).toMatch(/^AGPA[A-Z2-7]{17}$/);
    expect(created.Group?.CreateDate).toBeInstanceOf(Date);

    const got = await iam.send(new GetGroupCommand({ GroupName: "admins" }));
    expect(got.Group).toEqual(created.Group);
    expect(got.Users).toEqual([]);
    expect(got.IsTruncated).toBe(false);
    expect(got.Marker).toBeUndefined();
  });

  it("defaults the path to /", async () => {
    const created = await iam.send(new CreateGroupCommand({ GroupName: "plain" }));
    expect(created.Group).toMatchObject({ Path: "/", Arn: `arn:aws:iam::${ACCOUNT}:group/plain` });
  });

  it("refuses a duplicate name case-insensitively and leaves the first group intact", async () => {
    await iam.send(new CreateGroupCommand({ GroupName: "Dup" }));
    const err = await awsError(iam.send(new CreateGroupCommand({ GroupName: "DUP", Path: "/x/" })));
    expect(err).toEqual({ name: "EntityAlreadyExists", status: 409, message: "Group with name DUP already exists." });
    const got = await iam.send(new GetGroupCommand({ GroupName: "dup" }));
    expect(got.Group).toMatchObject({ GroupName: "Dup", Path: "/" });
  });

  it("answers ValidationError with AWS's wording for names and paths out of pattern or length", async () => {
    const bad = await awsError(iam.send(new CreateGroupCommand({ GroupName: "has space" })));
    expect(bad).toEqual({
      name: "ValidationError",
      status: 400,
      message:
        "1 validation error detected: Value 'has space' at 'groupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+",
    });
    const long = await awsError(iam.send(new CreateGroupCommand({ GroupName: "g".repeat(129) })));
    expect(long.message).toBe(
      `1 validation error detected: Value '${"g".repeat(129)}' at 'groupName' failed to satisfy constraint: Member must have length less than or equal to 128`,
    );
    const path = await awsError(iam.send(new CreateGroupCommand({ GroupName: "okname", Path: "nopath" })));
    expect(path.name).toBe("ValidationError");
    expect(path.message).toContain("at 'path' failed to satisfy constraint: Member must satisfy regular expression");
    // 128 characters is allowed for groups (users stop at 64).
    await iam.send(new CreateGroupCommand({ GroupName: "h".repeat(128) }));
    const names = await groupNames();
    expect(names).not.toContain("has space");
    expect(names).not.toContain("okname");
    expect(names).toContain("h".repeat(128));
  });

  it("answers NoSuchEntity for a missing group on every operation", async () => {
    await user("nsuser");
    const message = "The group with name ghost cannot be found.";
    // Thunks, so each call starts only when awaited: a rejection nobody awaits yet is an unhandled error.
    for (const call of [
      () => iam.send(new GetGroupCommand({ GroupName: "ghost" })),
      () => iam.send(new UpdateGroupCommand({ GroupName: "ghost", NewGroupName: "x" })),
      () => iam.send(new DeleteGroupCommand({ GroupName: "ghost" })),
      () => iam.send(new AddUserToGroupCommand({ GroupName: "ghost", UserName: "nsuser" })),
      () => iam.send(new RemoveUserFromGroupCommand({ GroupName: "ghost", UserName: "nsuser" })),
    ]) {
      expect(await awsError(call())).toEqual({ name: "NoSuchEntity", status: 404, message });
    }
    await iam.send(new CreateGroupCommand({ GroupName: "nsgroup" }));
    expect(await awsError(iam.send(new AddUserToGroupCommand({ GroupName: "nsgroup", UserName: "nobody" })))).toEqual({
      name: "NoSuchEntity",
      status: 404,
      message: "The user with name nobody cannot be found.",
    });
    expect(await awsError(iam.send(new ListGroupsForUserCommand({ UserName: "nobody" })))).toEqual({
      name: "NoSuchEntity",
      status: 404,
      message: "The user with name nobody cannot be found.",
    });
    expect((await iam.send(new GetGroupCommand({ GroupName: "nsgroup" }))).Users).toEqual([]);
  });

  it("paginates ListGroups in name order with Marker and filters by PathPrefix", async () => {
    for (const n of ["g5", "g3", "g1", "g4", "g2"]) {
      await iam.send(new CreateGroupCommand({ GroupName: `pg-${n}`, Path: "/paged/deep/" }));
    }
    await iam.send(new CreateGroupCommand({ GroupName: "pg-other", Path: "/pagedother/" }));
    const names: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const out = await iam.send(new ListGroupsCommand({ PathPrefix: "/paged/", MaxItems: 2, Marker: marker }));
      expect(out.Groups?.length).toBeLessThanOrEqual(2);
      names.push(...(out.Groups ?? []).map((g) => g.GroupName ?? ""));
      marker = out.IsTruncated ? out.Marker : undefined;
      if (!out.IsTruncated) expect(out.Marker).toBeUndefined();
      pages++;
    } while (marker);
    expect(pages).toBe(3);
    expect(names).toEqual(["pg-g1", "pg-g2", "pg-g3", "pg-g4", "pg-g5"]);
    expect(await groupNames("/pagedother/")).toEqual(["pg-other"]);
    expect(await groupNames("/nothing-here/")).toEqual([]);
    const badMax = await awsError(iam.send(new ListGroupsCommand({ MaxItems: 0 })));
    expect(badMax).toMatchObject({ name: "ValidationError", status: 400 });
    expect(badMax.message).toContain(
      "at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
  });

  it("renames and moves a group, keeping its id and members", async () => {
    const { Group } = await iam.send(new CreateGroupCommand({ GroupName: "old-name" }));
    await user("mover");
    await iam.send(new AddUserToGroupCommand({ GroupName: "old-name", UserName: "mover" }));
    await iam.send(new UpdateGroupCommand({ GroupName: "OLD-NAME", NewGroupName: "new-name", NewPath: "/ops/" }));
    const got = await iam.send(new GetGroupCommand({ GroupName: "new-name" }));
    expect(got.Group).toMatchObject({
      GroupId: Group?.GroupId,
      Path: "/ops/",
      Arn: `arn:aws:iam::${ACCOUNT}:group/ops/new-name`,
    });
    expect(got.Users?.map((u) => u.UserName)).toEqual(["mover"]);
    expect((await awsError(iam.send(new GetGroupCommand({ GroupName: "old-name" })))).name).toBe("NoSuchEntity");
  });

  it("refuses to rename a group onto another group's name and changes nothing", async () => {
    await iam.send(new CreateGroupCommand({ GroupName: "taken" }));
    await iam.send(new CreateGroupCommand({ GroupName: "renamer" }));
    const err = await awsError(
      iam.send(new UpdateGroupCommand({ GroupName: "renamer", NewGroupName: "TAKEN", NewPath: "/moved/" })),
    );
    expect(err).toEqual({ name: "EntityAlreadyExists", status: 409, message: "Group with name TAKEN already exists." });
    expect((await iam.send(new GetGroupCommand({ GroupName: "renamer" }))).Group?.Path).toBe("/");
  });

  it("adds and removes members, lists them paginated and lists a user's groups", async () => {
    await iam.send(new CreateGroupCommand({ GroupName: "team" }));
    for (const n of ["m3", "m1", "m2"]) {
      await user(`member-${n}`);
      await iam.send(new AddUserToGroupCommand({ GroupName: "team", UserName: `member-${n}` }));
    }
    // Adding an existing member again succeeds and changes nothing.
    await iam.send(new AddUserToGroupCommand({ GroupName: "TEAM", UserName: "MEMBER-M1" }));

    const first = await iam.send(new GetGroupCommand({ GroupName: "team", MaxItems: 2 }));
    expect(first.Users?.map((u) => u.UserName)).toEqual(["member-m1", "member-m2"]);
    expect(first.Users?.[0]).toMatchObject({ Path: "/", Arn: `arn:aws:iam::${ACCOUNT}:user/member-m1` });
    expect(first.Users?.[0]?.UserId).toMatch(/^AIDA/);
    expect(first.IsTruncated).toBe(true);
    expect(first.Marker).toBeTruthy();
    const second = await iam.send(new GetGroupCommand({ GroupName: "team", MaxItems: 2, Marker: first.Marker }));
    expect(second.Users?.map((u) => u.UserName)).toEqual(["member-m3"]);
    expect(second.IsTruncated).toBe(false);
    expect(second.Group?.GroupName).toBe("team");

    await iam.send(new CreateGroupCommand({ GroupName: "another" }));
    await iam.send(new AddUserToGroupCommand({ GroupName: "another", UserName: "member-m1" }));
    const forUser = await iam.send(new ListGroupsForUserCommand({ UserName: "member-m1" }));
    expect(forUser.Groups?.map((g) => g.GroupName)).toEqual(["another", "team"]);
    expect(forUser.Groups?.[1]).toMatchObject({ Arn: `arn:aws:iam::${ACCOUNT}:group/team`, Path: "/" });
    const paged = await iam.send(new ListGroupsForUserCommand({ UserName: "member-m1", MaxItems: 1 }));
    expect(paged.Groups?.map((g) => g.GroupName)).toEqual(["another"]);
    expect(paged.IsTruncated).toBe(true);
    const rest = await iam.send(
      new ListGroupsForUserCommand({ UserName: "member-m1", MaxItems: 1, Marker: paged.Marker }),
    );
    expect(rest.Groups?.map((g) => g.GroupName)).toEqual(["team"]);
    expect(rest.IsTruncated).toBe(false);

    await iam.send(new RemoveUserFromGroupCommand({ GroupName: "team", UserName: "member-m2" }));
    const after = await iam.send(new GetGroupCommand({ GroupName: "team" }));
    expect(after.Users?.map((u) => u.UserName)).toEqual(["member-m1", "member-m3"]);
    const again = await awsError(
      iam.send(new RemoveUserFromGroupCommand({ GroupName: "team", UserName: "member-m2" })),
    );
    expect(again).toEqual({
      name: "NoSuchEntity",
      status: 404,
      message: "The user with name member-m2 cannot be found.",
    });
  });

  it("refuses an eleventh group for one user and keeps the ten", async () => {
    await user("joiner");
    for (let n = 0; n < 10; n++) {
      await iam.send(new CreateGroupCommand({ GroupName: `quota-${n}` }));
      await iam.send(new AddUserToGroupCommand({ GroupName: `quota-${n}`, UserName: "joiner" }));
    }
    await iam.send(new CreateGroupCommand({ GroupName: "quota-10" }));
    const err = await awsError(iam.send(new AddUserToGroupCommand({ GroupName: "quota-10", UserName: "joiner" })));
    expect(err).toEqual({ name: "LimitExceeded", status: 409, message: "Cannot exceed quota for GroupsPerUser: 10" });
    // Re-adding to a group the user is already in is still fine at the quota.
    await iam.send(new AddUserToGroupCommand({ GroupName: "quota-3", UserName: "joiner" }));
    const groups = await iam.send(new ListGroupsForUserCommand({ UserName: "joiner" }));
    expect(groups.Groups).toHaveLength(10);
    expect(groups.Groups?.map((g) => g.GroupName)).not.toContain("quota-10");
    expect((await iam.send(new GetGroupCommand({ GroupName: "quota-10" }))).Users).toEqual([]);
  });

  it("refuses to delete a group that still has members, inline or attached policies", async () => {
    await iam.send(new CreateGroupCommand({ GroupName: "busy" }));
    await user("busy-member");
    await iam.send(new AddUserToGroupCommand({ GroupName: "busy", UserName: "busy-member" }));
    expect(await awsError(iam.send(new DeleteGroupCommand({ GroupName: "busy" })))).toEqual({
      name: "DeleteConflict",
      status: 409,
      message: "Cannot delete entity, must remove users from group first.",
    });
    expect((await iam.send(new GetGroupCommand({ GroupName: "busy" }))).Users).toHaveLength(1);
    await iam.send(new RemoveUserFromGroupCommand({ GroupName: "busy", UserName: "busy-member" }));

    const { Group } = await iam.send(new GetGroupCommand({ GroupName: "busy" }));
    const groupId = Group?.GroupId ?? "";
    // Policies are written directly: the policy operations belong to another module.
    await env.DB.prepare(
      "insert into inline_policies (account_id, principal_kind, principal_id, name, document, size) values (?, 'group', ?, 'p', '{}', 2)",
    )
      .bind(ACCOUNT, groupId)
      .run();
    expect(await awsError(iam.send(new DeleteGroupCommand({ GroupName: "busy" })))).toEqual({
      name: "DeleteConflict",
      status: 409,
      message: "Cannot delete entity, must delete policies first.",
    });
    await env.DB.prepare("delete from inline_policies where principal_id = ?").bind(groupId).run();

    await env.DB.prepare(
      "insert into attachments (account_id, principal_kind, principal_id, policy_arn, created_at) values (?, 'group', ?, 'arn:aws:iam::aws:policy/ReadOnlyAccess', 0)",
    )
      .bind(ACCOUNT, groupId)
      .run();
    expect(await awsError(iam.send(new DeleteGroupCommand({ GroupName: "busy" })))).toEqual({
      name: "DeleteConflict",
      status: 409,
      message: "Cannot delete entity, must detach all policies first.",
    });
    expect((await iam.send(new GetGroupCommand({ GroupName: "busy" }))).Group?.GroupId).toBe(groupId);
    await env.DB.prepare("delete from attachments where principal_id = ?").bind(groupId).run();

    await iam.send(new DeleteGroupCommand({ GroupName: "BUSY" }));
    expect((await awsError(iam.send(new GetGroupCommand({ GroupName: "busy" })))).name).toBe("NoSuchEntity");
    expect(await groupNames()).not.toContain("busy");
  });

  it("denies a user with no policies, naming the action and resource", async () => {
    await user("powerless");
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: "powerless" }));
    const asUser = iamClient({
      accessKeyId: AccessKey?.AccessKeyId ?? "",
      secretAccessKey: AccessKey?.SecretAccessKey ?? "",
    });
    const err = await awsError(asUser.send(new CreateGroupCommand({ GroupName: "sneaky" })));
    expect(err).toEqual({
      name: "AccessDenied",
      status: 403,
      message: `User: arn:aws:iam::${ACCOUNT}:user/powerless is not authorized to perform: iam:CreateGroup on resource: arn:aws:iam::${ACCOUNT}:group/sneaky because no identity-based policy allows the iam:CreateGroup action`,
    });
    const list = await awsError(asUser.send(new ListGroupsCommand({})));
    expect(list.name).toBe("AccessDenied");
    expect(await groupNames()).not.toContain("sneaky");
  });
});

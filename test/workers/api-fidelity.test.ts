// Bad input per operation family, as the AWS SDK sees it: exact codes, statuses and messages, and no state change.
import {
  AddUserToGroupCommand,
  AttachGroupPolicyCommand,
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreateLoginProfileCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeleteAccountAliasCommand,
  DeletePolicyVersionCommand,
  DeleteUserPermissionsBoundaryCommand,
  DetachUserPolicyCommand,
  GetAccessKeyLastUsedCommand,
  GetAccountAuthorizationDetailsCommand,
  GetGroupCommand,
  GetLoginProfileCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  GetUserCommand,
  ListAccessKeysCommand,
  ListAccountAliasesCommand,
  ListAttachedRolePoliciesCommand,
  ListEntitiesForPolicyCommand,
  ListGroupPoliciesCommand,
  ListGroupsForUserCommand,
  ListPoliciesCommand,
  ListPolicyVersionsCommand,
  ListRolesCommand,
  ListUsersCommand,
  ListUserTagsCommand,
  PutRolePermissionsBoundaryCommand,
  PutRolePolicyCommand,
  PutUserPermissionsBoundaryCommand,
  TagPolicyCommand,
  TagRoleCommand,
  TagUserCommand,
  UntagUserCommand,
  UpdateAccessKeyCommand,
  UpdateGroupCommand,
  UpdateLoginProfileCommand,
  UpdateRoleCommand,
  UpdateUserCommand,
  type EntityType,
  type PolicyScopeType,
  type PolicyUsageType,
  type StatusType,
} from "@aws-sdk/client-iam";
import { describe, expect, it } from "vitest";
import { awsError, iamClient } from "./sdk";
import { ACCOUNT, READ_ONLY, TRUST, doc } from "./fixtures";

const iam = iamClient();

/** AWS's one-problem ValidationError text. */
const invalid = (value: string, member: string, constraint: string) => ({
  name: "ValidationError",
  status: 400,
  message: `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: ${constraint}`,
});
const atLeast1 = "Member must have value greater than or equal to 1";
const atMost1000 = "Member must have value less than or equal to 1000";
const INVALID_MARKER = {
  name: "ValidationError",
  status: 400,
  message: "Invalid Marker: the marker does not come from a previous response.",
};
/** A well-formed base64url marker that no response ever handed out (it decodes to a bare user name). */
const FORGED_MARKER = btoa("alice").replace(/=+$/, "");
const TAG_PATTERN = "Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*";
const POLICY_PATH_PATTERN = "Member must satisfy regular expression pattern: ((/[A-Za-z0-9\\.,\\+@=_-]+)*)/";

async function userNames(): Promise<string[]> {
  return ((await iam.send(new ListUsersCommand({ MaxItems: 1000 }))).Users ?? []).map((u) => u.UserName ?? "");
}
async function roleNames(): Promise<string[]> {
  return ((await iam.send(new ListRolesCommand({ MaxItems: 1000 }))).Roles ?? []).map((r) => r.RoleName ?? "");
}
async function policy(name: string): Promise<string> {
  const out = await iam.send(new CreatePolicyCommand({ PolicyName: name, PolicyDocument: doc() }));
  return out.Policy?.Arn as string;
}

describe("users", () => {
  it("answers MaxItems 0 and 1001 with AWS's range wording", async () => {
    expect(await awsError(iam.send(new ListUsersCommand({ MaxItems: 0 })))).toEqual(invalid("0", "maxItems", atLeast1));
    expect(await awsError(iam.send(new ListUsersCommand({ MaxItems: 1001 })))).toEqual(
      invalid("1001", "maxItems", atMost1000),
    );
  });

  it("refuses a Marker that no response handed out, even a well-formed one", async () => {
    await iam.send(new CreateUserCommand({ UserName: "fid-marker" }));
    expect(await awsError(iam.send(new ListUsersCommand({ Marker: FORGED_MARKER })))).toEqual(INVALID_MARKER);
    expect(await awsError(iam.send(new ListUsersCommand({ Marker: "not a marker!" })))).toEqual(INVALID_MARKER);
    expect(
      await awsError(iam.send(new ListUserTagsCommand({ UserName: "fid-marker", Marker: FORGED_MARKER }))),
    ).toEqual(INVALID_MARKER);
  });

  it("refuses a PathPrefix without its leading slash", async () => {
    expect(await awsError(iam.send(new ListUsersCommand({ PathPrefix: "eng/" })))).toEqual(
      invalid("eng/", "pathPrefix", "Member must satisfy regular expression pattern: \\u002F[\\u0021-\\u007F]*"),
    );
  });

  it("leaves PermissionsBoundary out of ListUsers while GetUser shows it", async () => {
    const boundary = await policy("fid-user-boundary");
    await iam.send(new CreateUserCommand({ UserName: "fid-bounded", PermissionsBoundary: boundary }));
    const got = await iam.send(new GetUserCommand({ UserName: "fid-bounded" }));
    expect(got.User?.PermissionsBoundary).toEqual({
      PermissionsBoundaryType: "PermissionsBoundaryPolicy",
      PermissionsBoundaryArn: boundary,
    });
    const listed = (await iam.send(new ListUsersCommand({}))).Users?.find((u) => u.UserName === "fid-bounded");
    expect(listed && Object.keys(listed).sort()).toEqual(["Arn", "CreateDate", "Path", "UserId", "UserName"]);
  });

  it("refuses CreateUser with a boundary that does not exist or is no policy ARN, creating nothing", async () => {
    const ghost = `arn:aws:iam::${ACCOUNT}:policy/fid-ghost-boundary`;
    expect(
      await awsError(iam.send(new CreateUserCommand({ UserName: "fid-nb1", PermissionsBoundary: ghost }))),
    ).toEqual({
      name: "NoSuchEntity",
      status: 404,
      message: `Scope ARN: ${ghost} does not exist or is not attachable.`,
    });
    const notPolicy = "arn:aws:s3:::some-bucket-name";
    expect(
      await awsError(iam.send(new CreateUserCommand({ UserName: "fid-nb2", PermissionsBoundary: notPolicy }))),
    ).toEqual({ name: "InvalidInput", status: 400, message: `ARN ${notPolicy} is not valid.` });
    expect(await userNames()).not.toContain("fid-nb1");
    expect(await userNames()).not.toContain("fid-nb2");
  });

  it("refuses a tag value with characters outside the pattern and keeps the tags", async () => {
    await iam.send(new CreateUserCommand({ UserName: "fid-tags", Tags: [{ Key: "team", Value: "core" }] }));
    const err = await awsError(
      iam.send(new TagUserCommand({ UserName: "fid-tags", Tags: [{ Key: "team", Value: "a#b" }] })),
    );
    expect(err).toEqual(invalid("a#b", "tags.1.member.value", TAG_PATTERN));
    const long = await awsError(
      iam.send(new TagUserCommand({ UserName: "fid-tags", Tags: [{ Key: "k".repeat(129), Value: "v" }] })),
    );
    expect(long).toEqual(
      invalid("k".repeat(129), "tags.1.member.key", "Member must have length less than or equal to 128"),
    );
    expect((await iam.send(new ListUserTagsCommand({ UserName: "fid-tags" }))).Tags).toEqual([
      { Key: "team", Value: "core" },
    ]);
  });

  it("accepts an empty Tags list (sent as a bare Tags=) without changing anything", async () => {
    await iam.send(new CreateUserCommand({ UserName: "fid-empty-tags", Tags: [{ Key: "k", Value: "v" }] }));
    await iam.send(new TagUserCommand({ UserName: "fid-empty-tags", Tags: [] }));
    await iam.send(new UntagUserCommand({ UserName: "fid-empty-tags", TagKeys: [] }));
    expect((await iam.send(new ListUserTagsCommand({ UserName: "fid-empty-tags" }))).Tags).toEqual([
      { Key: "k", Value: "v" },
    ]);
  });

  it("refuses UpdateUser with a bad new path and keeps name and path", async () => {
    await iam.send(new CreateUserCommand({ UserName: "fid-move", Path: "/a/" }));
    const err = await awsError(
      iam.send(new UpdateUserCommand({ UserName: "fid-move", NewUserName: "fid-moved", NewPath: "/no-trailing" })),
    );
    expect(err).toEqual(
      invalid(
        "/no-trailing",
        "newPath",
        "Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)",
      ),
    );
    const got = await iam.send(new GetUserCommand({ UserName: "fid-move" }));
    expect(got.User).toMatchObject({ UserName: "fid-move", Path: "/a/" });
    expect(await awsError(iam.send(new UntagUserCommand({ UserName: "fid-nobody", TagKeys: ["k"] })))).toEqual({
      name: "NoSuchEntity",
      status: 404,
      message: "The user with name fid-nobody cannot be found.",
    });
  });
});

describe("groups", () => {
  it("checks GetGroup's MaxItems and Marker and refuses a bad new name without renaming", async () => {
    await iam.send(new CreateGroupCommand({ GroupName: "fid-group" }));
    expect(await awsError(iam.send(new GetGroupCommand({ GroupName: "fid-group", MaxItems: 1001 })))).toEqual(
      invalid("1001", "maxItems", atMost1000),
    );
    expect(await awsError(iam.send(new GetGroupCommand({ GroupName: "fid-group", Marker: FORGED_MARKER })))).toEqual(
      INVALID_MARKER,
    );
    const rename = await awsError(iam.send(new UpdateGroupCommand({ GroupName: "fid-group", NewGroupName: "a b" })));
    expect(rename).toEqual(
      invalid("a b", "newGroupName", "Member must satisfy regular expression pattern: [\\w+=,.@-]+"),
    );
    expect((await iam.send(new GetGroupCommand({ GroupName: "fid-group" }))).Group?.GroupName).toBe("fid-group");
  });

  it("refuses ListGroupsForUser's MaxItems 0 and keeps memberships on a refused add", async () => {
    await iam.send(new CreateUserCommand({ UserName: "fid-member" }));
    expect(await awsError(iam.send(new ListGroupsForUserCommand({ UserName: "fid-member", MaxItems: 0 })))).toEqual(
      invalid("0", "maxItems", atLeast1),
    );
    expect(
      await awsError(iam.send(new AddUserToGroupCommand({ GroupName: "fid-nogroup", UserName: "fid-member" }))),
    ).toEqual({ name: "NoSuchEntity", status: 404, message: "The group with name fid-nogroup cannot be found." });
    expect((await iam.send(new ListGroupsForUserCommand({ UserName: "fid-member" }))).Groups).toEqual([]);
  });
});

describe("roles", () => {
  it("refuses CreateRole with a missing boundary and creates nothing", async () => {
    const ghost = `arn:aws:iam::${ACCOUNT}:policy/fid-ghost-role-boundary`;
    const err = await awsError(
      iam.send(
        new CreateRoleCommand({ RoleName: "fid-nb-role", AssumeRolePolicyDocument: TRUST, PermissionsBoundary: ghost }),
      ),
    );
    expect(err).toEqual({
      name: "NoSuchEntity",
      status: 404,
      message: `Scope ARN: ${ghost} does not exist or is not attachable.`,
    });
    expect(await roleNames()).not.toContain("fid-nb-role");
  });

  it("refuses a bad tag value on CreateRole and TagRole, changing nothing", async () => {
    const created = await awsError(
      iam.send(
        new CreateRoleCommand({
          RoleName: "fid-tag-role",
          AssumeRolePolicyDocument: TRUST,
          Tags: [{ Key: "k", Value: "no*star" }],
        }),
      ),
    );
    expect(created).toEqual(invalid("no*star", "tags.1.member.value", TAG_PATTERN));
    expect(await roleNames()).not.toContain("fid-tag-role");
    await iam.send(new CreateRoleCommand({ RoleName: "fid-tag-role", AssumeRolePolicyDocument: TRUST }));
    const tagged = await awsError(
      iam.send(new TagRoleCommand({ RoleName: "fid-tag-role", Tags: [{ Key: "k", Value: "no*star" }] })),
    );
    expect(tagged).toEqual(invalid("no*star", "tags.1.member.value", TAG_PATTERN));
    expect((await iam.send(new GetRoleCommand({ RoleName: "fid-tag-role" }))).Role?.Tags).toBeUndefined();
  });

  it("refuses UpdateRole out of bounds and keeps description and duration", async () => {
    await iam.send(
      new CreateRoleCommand({ RoleName: "fid-upd-role", AssumeRolePolicyDocument: TRUST, Description: "kept" }),
    );
    const err = await awsError(
      iam.send(new UpdateRoleCommand({ RoleName: "fid-upd-role", Description: "x".repeat(1001) })),
    );
    expect(err).toEqual(invalid("x".repeat(1001), "description", "Member must have length less than or equal to 1000"));
    const duration = await awsError(
      iam.send(new UpdateRoleCommand({ RoleName: "fid-upd-role", MaxSessionDuration: 43201 })),
    );
    expect(duration).toEqual(
      invalid("43201", "maxSessionDuration", "Member must have value less than or equal to 43200"),
    );
    expect((await iam.send(new GetRoleCommand({ RoleName: "fid-upd-role" }))).Role).toMatchObject({
      Description: "kept",
      MaxSessionDuration: 3600,
    });
  });

  it("refuses a ListRoles PathPrefix without a leading slash and a forged Marker", async () => {
    expect(await awsError(iam.send(new ListRolesCommand({ PathPrefix: "service/" })))).toEqual(
      invalid("service/", "pathPrefix", "Member must satisfy regular expression pattern: \\u002F[\\u0021-\\u007F]*"),
    );
    expect(await awsError(iam.send(new ListRolesCommand({ Marker: FORGED_MARKER })))).toEqual(INVALID_MARKER);
  });
});

describe("access keys and login profiles", () => {
  it("refuses a Status outside the enum and keeps the key active", async () => {
    await iam.send(new CreateUserCommand({ UserName: "fid-keys" }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: "fid-keys" }))).AccessKey;
    const id = key?.AccessKeyId ?? "";
    const err = await awsError(
      iam.send(new UpdateAccessKeyCommand({ UserName: "fid-keys", AccessKeyId: id, Status: "Foo" as StatusType })),
    );
    expect(err).toEqual(invalid("Foo", "status", "Member must satisfy enum value set: [Active, Inactive, Expired]"));
    const listed = await iam.send(new ListAccessKeysCommand({ UserName: "fid-keys" }));
    expect(listed.AccessKeyMetadata).toEqual([
      { UserName: "fid-keys", AccessKeyId: id, Status: "Active", CreateDate: key?.CreateDate },
    ]);
    expect(listed.IsTruncated).toBe(false);
  });

  it("checks ListAccessKeys' MaxItems and GetAccessKeyLastUsed's key id pattern", async () => {
    await iam.send(new CreateUserCommand({ UserName: "fid-keys2" }));
    expect(await awsError(iam.send(new ListAccessKeysCommand({ UserName: "fid-keys2", MaxItems: 0 })))).toEqual(
      invalid("0", "maxItems", atLeast1),
    );
    expect(await awsError(iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: "AKIA-AAAAAAAAAAAAAAA" })))).toEqual(
      invalid("AKIA-AAAAAAAAAAAAAAA", "accessKeyId", "Member must satisfy regular expression pattern: [\\w]+"),
    );
    expect(
      await awsError(
        iam.send(
          new UpdateAccessKeyCommand({
            UserName: "fid-ghost",
            AccessKeyId: "AKIAAAAAAAAAAAAAAAAA",
            Status: "Inactive",
          }),
        ),
      ),
    ).toEqual({ name: "NoSuchEntity", status: 404, message: "The user with name fid-ghost cannot be found." });
  });

  it("refuses an oversized password or none, and UpdateLoginProfile without a profile, creating nothing", async () => {
    await iam.send(new CreateUserCommand({ UserName: "fid-pw" }));
    const long = "Aa1!".repeat(33);
    // The password is a sensitive member: AWS's message leaves its value out.
    expect(await awsError(iam.send(new CreateLoginProfileCommand({ UserName: "fid-pw", Password: long })))).toEqual({
      name: "ValidationError",
      status: 400,
      message:
        "1 validation error detected: Value at 'password' failed to satisfy constraint: Member must have length less than or equal to 128",
    });
    expect(await awsError(iam.send(new CreateLoginProfileCommand({ UserName: "fid-pw" })))).toEqual({
      name: "ValidationError",
      status: 400,
      message:
        "1 validation error detected: Value null at 'password' failed to satisfy constraint: Member must not be null",
    });
    const missing = {
      name: "NoSuchEntity",
      status: 404,
      message: "Login Profile for User fid-pw cannot be found.",
    };
    expect(
      await awsError(iam.send(new UpdateLoginProfileCommand({ UserName: "fid-pw", PasswordResetRequired: true }))),
    ).toEqual(missing);
    expect(await awsError(iam.send(new GetLoginProfileCommand({ UserName: "fid-pw" })))).toEqual(missing);
  });
});

describe("account", () => {
  it("checks ListAccountAliases' MaxItems and refuses to delete an alias the account does not hold", async () => {
    expect(await awsError(iam.send(new ListAccountAliasesCommand({ MaxItems: 1001 })))).toEqual(
      invalid("1001", "maxItems", atMost1000),
    );
    expect(await awsError(iam.send(new ListAccountAliasesCommand({ Marker: FORGED_MARKER })))).toEqual(INVALID_MARKER);
    expect(await awsError(iam.send(new DeleteAccountAliasCommand({ AccountAlias: "fid-not-mine" })))).toEqual({
      name: "NoSuchEntity",
      status: 404,
      message: "The account alias fid-not-mine cannot be found.",
    });
  });

  it("checks GetAccountAuthorizationDetails' MaxItems and Marker", async () => {
    expect(await awsError(iam.send(new GetAccountAuthorizationDetailsCommand({ MaxItems: 0 })))).toEqual(
      invalid("0", "maxItems", atLeast1),
    );
    expect(await awsError(iam.send(new GetAccountAuthorizationDetailsCommand({ Marker: FORGED_MARKER })))).toEqual(
      INVALID_MARKER,
    );
    const filter = await awsError(
      iam.send(new GetAccountAuthorizationDetailsCommand({ Filter: ["User", "Bar" as EntityType] })),
    );
    expect(filter).toEqual(
      invalid(
        "Bar",
        "filter.2.member",
        "Member must satisfy enum value set: [User, Role, Group, LocalManagedPolicy, AWSManagedPolicy]",
      ),
    );
  });
});

describe("managed policies and versions", () => {
  it("prints the policy path pattern as the model writes it, slashes unescaped", async () => {
    expect(await awsError(iam.send(new ListPoliciesCommand({ PathPrefix: "team" })))).toEqual(
      invalid("team", "pathPrefix", POLICY_PATH_PATTERN),
    );
    expect(
      await awsError(
        iam.send(new CreatePolicyCommand({ PolicyName: "fid-path", PolicyDocument: doc(), Path: "/a b/" })),
      ),
    ).toEqual(invalid("/a b/", "path", POLICY_PATH_PATTERN));
  });

  it("refuses unknown Scope and PolicyUsageFilter values and a forged Marker", async () => {
    expect(await awsError(iam.send(new ListPoliciesCommand({ Scope: "Bar" as PolicyScopeType })))).toEqual(
      invalid("Bar", "scope", "Member must satisfy enum value set: [All, AWS, Local]"),
    );
    expect(await awsError(iam.send(new ListPoliciesCommand({ PolicyUsageFilter: "Both" as PolicyUsageType })))).toEqual(
      invalid(
        "Both",
        "policyUsageFilter",
        "Member must satisfy enum value set: [PermissionsPolicy, PermissionsBoundary]",
      ),
    );
    expect(await awsError(iam.send(new ListPoliciesCommand({ Marker: FORGED_MARKER })))).toEqual(INVALID_MARKER);
  });

  it("refuses an oversized description and creates nothing; CreatePolicy leaves Description out", async () => {
    const err = await awsError(
      iam.send(
        new CreatePolicyCommand({ PolicyName: "fid-desc", PolicyDocument: doc(), Description: "d".repeat(1001) }),
      ),
    );
    expect(err).toEqual(invalid("d".repeat(1001), "description", "Member must have length less than or equal to 1000"));
    const arn = `arn:aws:iam::${ACCOUNT}:policy/fid-desc`;
    expect(await awsError(iam.send(new GetPolicyCommand({ PolicyArn: arn })))).toEqual({
      name: "NoSuchEntity",
      status: 404,
      message: `Policy ${arn} was not found.`,
    });
    const created = await iam.send(
      new CreatePolicyCommand({ PolicyName: "fid-desc", PolicyDocument: doc(), Description: "kept" }),
    );
    expect(created.Policy && Object.keys(created.Policy)).toEqual([
      "PolicyName",
      "PolicyId",
      "Arn",
      "Path",
      "DefaultVersionId",
      "AttachmentCount",
      "PermissionsBoundaryUsageCount",
      "IsAttachable",
      "CreateDate",
      "UpdateDate",
    ]);
    expect((await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy?.Description).toBe("kept");
  });

  it("answers NoSuchEntity for tags and versions of a missing policy", async () => {
    const arn = `arn:aws:iam::${ACCOUNT}:policy/fid-nopolicy`;
    const missing = { name: "NoSuchEntity", status: 404, message: `Policy ${arn} was not found.` };
    expect(
      await awsError(iam.send(new TagPolicyCommand({ PolicyArn: arn, Tags: [{ Key: "a", Value: "b" }] }))),
    ).toEqual(missing);
    expect(await awsError(iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc() })))).toEqual(
      missing,
    );
    expect(await awsError(iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn })))).toEqual(missing);
  });

  it("refuses a version id outside the pattern", async () => {
    const arn = await policy("fid-versions");
    expect(await awsError(iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: "1" })))).toEqual(
      invalid("1", "versionId", "Member must satisfy regular expression pattern: v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?"),
    );
  });

  it("pages versions newest first, refuses a forged Marker, and survives deleting the version a Marker names", async () => {
    const arn = await policy("fid-paged-versions");
    for (const a of ["s3:PutObject", "s3:ListBucket", "s3:DeleteObject"]) {
      await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc(a) }));
    }
    const first = await iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn, MaxItems: 2 }));
    expect(first.Versions?.map((v) => [v.VersionId, v.IsDefaultVersion])).toEqual([
      ["v4", false],
      ["v3", false],
    ]);
    expect(first.Versions?.[0]).not.toHaveProperty("Document");
    expect(first.IsTruncated).toBe(true);
    await iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: "v3" }));
    const rest = await iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn, Marker: first.Marker }));
    expect(rest.Versions?.map((v) => [v.VersionId, v.IsDefaultVersion])).toEqual([
      ["v2", false],
      ["v1", true],
    ]);
    expect(rest.IsTruncated).toBe(false);
    expect(await awsError(iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn, Marker: FORGED_MARKER })))).toEqual(
      INVALID_MARKER,
    );
  });
});

describe("attachments, boundaries and inline policies", () => {
  it("checks policy ARN length and kind, leaving the user's attachments as they were", async () => {
    await iam.send(new CreateUserCommand({ UserName: "fid-att" }));
    expect(
      await awsError(iam.send(new AttachUserPolicyCommand({ UserName: "fid-att", PolicyArn: "arn:short" }))),
    ).toEqual(invalid("arn:short", "policyArn", "Member must have length greater than or equal to 20"));
    const bucket = "arn:aws:s3:::some-bucket-name";
    expect(await awsError(iam.send(new AttachUserPolicyCommand({ UserName: "fid-att", PolicyArn: bucket })))).toEqual({
      name: "InvalidInput",
      status: 400,
      message: `ARN ${bucket} is not valid.`,
    });
    expect(
      await awsError(iam.send(new DetachUserPolicyCommand({ UserName: "fid-att", PolicyArn: READ_ONLY }))),
    ).toEqual({
      name: "NoSuchEntity",
      status: 404,
      message: `Policy ${READ_ONLY} was not found.`,
    });
    const user = await iam.send(new GetUserCommand({ UserName: "fid-att" }));
    expect(user.User?.PermissionsBoundary).toBeUndefined();
  });

  it("refuses a ListAttachedRolePolicies PathPrefix outside the policy path pattern", async () => {
    await iam.send(new CreateRoleCommand({ RoleName: "fid-att-role", AssumeRolePolicyDocument: TRUST }));
    expect(
      await awsError(
        iam.send(new ListAttachedRolePoliciesCommand({ RoleName: "fid-att-role", PathPrefix: "job-function" })),
      ),
    ).toEqual(invalid("job-function", "pathPrefix", POLICY_PATH_PATTERN));
  });

  it("checks ListEntitiesForPolicy's EntityFilter, PathPrefix and policy", async () => {
    expect(
      await awsError(
        iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: READ_ONLY, EntityFilter: "Bar" as EntityType })),
      ),
    ).toEqual(
      invalid(
        "Bar",
        "entityFilter",
        "Member must satisfy enum value set: [User, Role, Group, LocalManagedPolicy, AWSManagedPolicy]",
      ),
    );
    expect(
      await awsError(iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: READ_ONLY, PathPrefix: "team" }))),
    ).toEqual(
      invalid(
        "team",
        "pathPrefix",
        "Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)",
      ),
    );
    const ghost = "arn:aws:iam::aws:policy/FidNoSuchPolicy";
    expect(await awsError(iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: ghost })))).toEqual({
      name: "NoSuchEntity",
      status: 404,
      message: `Policy ${ghost} was not found.`,
    });
  });

  it("lists a policy's entities with their ids, groups then users then roles", async () => {
    const arn = await policy("fid-entities");
    await iam.send(new CreateUserCommand({ UserName: "fid-ent-user" }));
    await iam.send(new CreateGroupCommand({ GroupName: "fid-ent-group" }));
    await iam.send(new CreateRoleCommand({ RoleName: "fid-ent-role", AssumeRolePolicyDocument: TRUST }));
    await iam.send(new AttachUserPolicyCommand({ UserName: "fid-ent-user", PolicyArn: arn }));
    await iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: "fid-ent-role", PermissionsBoundary: arn }));
    await iam.send(new AttachGroupPolicyCommand({ GroupName: "fid-ent-group", PolicyArn: arn }));
    const out = await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: arn }));
    const user = (await iam.send(new GetUserCommand({ UserName: "fid-ent-user" }))).User;
    const group = (await iam.send(new GetGroupCommand({ GroupName: "fid-ent-group" }))).Group;
    const role = (await iam.send(new GetRoleCommand({ RoleName: "fid-ent-role" }))).Role;
    expect(out.PolicyGroups).toEqual([{ GroupName: "fid-ent-group", GroupId: group?.GroupId }]);
    expect(out.PolicyUsers).toEqual([{ UserName: "fid-ent-user", UserId: user?.UserId }]);
    expect(out.PolicyRoles).toEqual([{ RoleName: "fid-ent-role", RoleId: role?.RoleId }]);
    expect(out.IsTruncated).toBe(false);
    expect(out.Marker).toBeUndefined();
  });

  it("refuses boundaries that are no policy ARN, or on missing entities, keeping the old boundary", async () => {
    const boundary = await policy("fid-keep-boundary");
    await iam.send(new CreateRoleCommand({ RoleName: "fid-pb-role", AssumeRolePolicyDocument: TRUST }));
    await iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: "fid-pb-role", PermissionsBoundary: boundary }));
    const bucket = "arn:aws:s3:::some-bucket-name";
    expect(
      await awsError(
        iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: "fid-pb-role", PermissionsBoundary: bucket })),
      ),
    ).toEqual({ name: "InvalidInput", status: 400, message: `ARN ${bucket} is not valid.` });
    expect(await awsError(iam.send(new DeleteUserPermissionsBoundaryCommand({ UserName: "fid-pb-nobody" })))).toEqual({
      name: "NoSuchEntity",
      status: 404,
      message: "The user with name fid-pb-nobody cannot be found.",
    });
    expect(
      await awsError(
        iam.send(new PutUserPermissionsBoundaryCommand({ UserName: "fid-pb-nobody", PermissionsBoundary: boundary })),
      ),
    ).toMatchObject({ name: "NoSuchEntity", status: 404 });
    expect(
      (await iam.send(new GetRoleCommand({ RoleName: "fid-pb-role" }))).Role?.PermissionsBoundary
        ?.PermissionsBoundaryArn,
    ).toBe(boundary);
  });

  it("answers missing inline policies, bad documents and MaxItems in AWS's words, storing nothing", async () => {
    await iam.send(new CreateRoleCommand({ RoleName: "fid-inline-role", AssumeRolePolicyDocument: TRUST }));
    expect(
      await awsError(iam.send(new GetRolePolicyCommand({ RoleName: "fid-inline-role", PolicyName: "absent" }))),
    ).toEqual({ name: "NoSuchEntity", status: 404, message: "The role policy with name absent cannot be found." });
    const wide = doc("s3:GetObject").replace("*", "\u0100");
    expect(
      await awsError(
        iam.send(new PutRolePolicyCommand({ RoleName: "fid-inline-role", PolicyName: "wide", PolicyDocument: wide })),
      ),
    ).toEqual(
      invalid(
        wide,
        "policyDocument",
        "Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u00FF]+",
      ),
    );
    expect(
      await awsError(iam.send(new GetRolePolicyCommand({ RoleName: "fid-inline-role", PolicyName: "wide" }))),
    ).toMatchObject({ name: "NoSuchEntity" });
    await iam.send(new CreateGroupCommand({ GroupName: "fid-inline-group" }));
    expect(
      await awsError(iam.send(new ListGroupPoliciesCommand({ GroupName: "fid-inline-group", MaxItems: 1001 }))),
    ).toEqual(invalid("1001", "maxItems", atMost1000));
  });
});

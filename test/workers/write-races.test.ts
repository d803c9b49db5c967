// Writes racing deletes when an IAM user calls (its policies are read and decided before anything is written, so its
// write is a second round trip). Each race is replayed in its losing order: one request is held at its write (its
// reads done) while the other runs to the end. Every answer is a success or AWS's error, never a 500, and no order
// hands out a deleted user's key, leaves a row pointing at no identity or no policy, or takes an identity past its
// quota.
import {
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreateInstanceProfileCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  CreateUserCommand,
  PutUserPolicyCommand,
} from "@aws-sdk/client-iam";
import { env } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asAwsError } from "../../src/api/errors";
import { hold, installGate } from "./d1-gate";
import { ACCOUNT, doc, READ_ONLY, TRUST } from "./fixtures";
import { iamClient, iamQuery } from "./sdk";

const iam = iamClient();

interface Key {
  id: string;
  secret: string;
}

type Answer = Awaited<ReturnType<typeof iamQuery>>;

/** One signed IAM query call: its status and, for a refusal, AWS's code and message. */
function call(params: Record<string, string>, key: Key): Promise<Answer> {
  return iamQuery(params, { accessKeyId: key.id, secretAccessKey: key.secret });
}

/** A user allowed everything: authorized with a batch of its own policies before its handler writes. */
let admin: Key;
let restoreD1: () => void;

beforeAll(async () => {
  await iam.send(new CreateUserCommand({ UserName: "wr-admin" }));
  await iam.send(new PutUserPolicyCommand({ UserName: "wr-admin", PolicyName: "all", PolicyDocument: doc("*", "*") }));
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: "wr-admin" }));
  admin = { id: AccessKey?.AccessKeyId ?? "", secret: AccessKey?.SecretAccessKey ?? "" };
  restoreD1 = installGate();
});

afterAll(() => restoreD1());

const by = (params: Record<string, string>) => () => call(params, admin);

/**
 * Runs `held` up to its D1 call matching `write` (every read before it done), then `other` to the end, then lets
 * `held` finish: the order in which the check `held` made on its reads is stale by the time it writes.
 */
async function interleave(
  write: RegExp,
  held: () => Promise<Answer>,
  other: () => Promise<Answer>,
): Promise<[Answer, Answer]> {
  const gate = hold(write);
  const first = held();
  const reached = await Promise.race([gate.reached.then(() => true), first.then(() => false)]);
  if (!reached) {
    gate.release();
    throw new Error(`never reached ${String(write)}: ${(await first).body}`);
  }
  let second: Answer;
  try {
    second = await other();
  } finally {
    gate.release();
  }
  return [await first, second];
}

const ok = (a: Answer) => expect([a.status, a.code], a.body).toEqual([200, undefined]);
const refused = (a: Answer, status: number, code: string, message: string) =>
  expect([a.status, a.code, a.message], a.body).toEqual([status, code, message]);

const noUser = (name: string): [number, string, string] => [
  404,
  "NoSuchEntity",
  `The user with name ${name} cannot be found.`,
];
const conflict = (what: string): [number, string, string] => [409, "DeleteConflict", `Cannot delete entity, ${what}`];

async function count(query: string, ...params: unknown[]): Promise<number> {
  const row = await env.DB.prepare(query)
    .bind(...params)
    .first<{ n: number }>();
  return row?.n ?? -1;
}

const userRows = (name: string) =>
  count("select count(*) as n from users where account_id = ? and name = ?", ACCOUNT, name);

/** No stored row names a user, group or role that is gone. */
async function expectNoOrphans(): Promise<void> {
  const identity = (col: string) =>
    `not exists (select 1 from users where id = ${col}) and not exists (select 1 from groups where id = ${col})
     and not exists (select 1 from roles where id = ${col})`;
  const orphans: Record<string, string> = {
    attachments: `select count(*) as n from attachments a where ${identity("a.principal_id")}`,
    inline_policies: `select count(*) as n from inline_policies p where ${identity("p.principal_id")}`,
    user_tags: `select count(*) as n from tags t where t.resource_kind in ('user', 'role') and ${identity("t.resource_id")}`,
    access_keys: "select count(*) as n from access_keys k where not exists (select 1 from users where id = k.user_id)",
    group_members:
      "select count(*) as n from group_members m where not exists (select 1 from users where id = m.user_id)",
    login_profiles:
      "select count(*) as n from login_profiles l where not exists (select 1 from users where id = l.user_id)",
    service_credentials:
      "select count(*) as n from service_credentials c where not exists (select 1 from users where id = c.user_id)",
  };
  for (const [table, query] of Object.entries(orphans)) expect(await count(query), table).toBe(0);
}

const DELETE_USER_WRITE = /^delete from "users"/;

describe("an IAM user's DeleteUser racing CreateAccessKey", () => {
  it("refuses the delete (DeleteConflict) when the key goes in between its checks and its write", async () => {
    await iam.send(new CreateUserCommand({ UserName: "wr-key-late" }));
    const [deleted, created] = await interleave(
      DELETE_USER_WRITE,
      by({ Action: "DeleteUser", UserName: "wr-key-late" }),
      by({ Action: "CreateAccessKey", UserName: "wr-key-late" }),
    );
    ok(created);
    refused(deleted, ...conflict("must delete access keys first."));
    // The key handed out is still there: no cascade took it with the user.
    const keyId = /<AccessKeyId>([^<]*)<\/AccessKeyId>/.exec(created.body)?.[1] ?? "";
    expect(await count("select count(*) as n from access_keys where id = ?", keyId)).toBe(1);
    expect(await userRows("wr-key-late")).toBe(1);
  });

  it("answers the key NoSuchEntity (not a 500) when the user goes between its lookup and its insert", async () => {
    await iam.send(new CreateUserCommand({ UserName: "wr-key-gone" }));
    const [created, deleted] = await interleave(
      /^insert into "access_keys"/,
      by({ Action: "CreateAccessKey", UserName: "wr-key-gone" }),
      by({ Action: "DeleteUser", UserName: "wr-key-gone" }),
    );
    ok(deleted);
    refused(created, ...noUser("wr-key-gone"));
    expect(await userRows("wr-key-gone")).toBe(0);
    await expectNoOrphans();
  });
});

describe("an IAM user's DeleteUser racing AttachUserPolicy", () => {
  it("refuses the delete when the policy is attached between its checks and its write", async () => {
    await iam.send(new CreateUserCommand({ UserName: "wr-att-late" }));
    const [deleted, attached] = await interleave(
      DELETE_USER_WRITE,
      by({ Action: "DeleteUser", UserName: "wr-att-late" }),
      by({ Action: "AttachUserPolicy", UserName: "wr-att-late", PolicyArn: READ_ONLY }),
    );
    ok(attached);
    refused(deleted, ...conflict("must detach all policies first."));
    expect(await userRows("wr-att-late")).toBe(1);
    await expectNoOrphans();
  });

  it("answers the attach NoSuchEntity and attaches nothing when the user goes before its write", async () => {
    await iam.send(new CreateUserCommand({ UserName: "wr-att-gone" }));
    const [attached, deleted] = await interleave(
      /^insert into "attachments"/,
      by({ Action: "AttachUserPolicy", UserName: "wr-att-gone", PolicyArn: READ_ONLY }),
      by({ Action: "DeleteUser", UserName: "wr-att-gone" }),
    );
    ok(deleted);
    refused(attached, ...noUser("wr-att-gone"));
    await expectNoOrphans();
  });
});

describe("an IAM user's parallel AttachUserPolicy near the quota", () => {
  const limit: [number, string, string] = [409, "LimitExceeded", "Cannot exceed quota for PoliciesPerUser: 10"];
  const arns: string[] = [];
  const attached = (name: string) =>
    count(
      "select count(*) as n from attachments a join users u on u.id = a.principal_id where u.account_id = ? and u.name = ?",
      ACCOUNT,
      name,
    );

  beforeAll(async () => {
    for (let n = 0; n < 12; n++) {
      const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: `wr-q-${n}`, PolicyDocument: doc() }));
      arns.push(Policy?.Arn ?? "");
    }
  });

  const attachAll = (name: string) =>
    Promise.all(arns.map((arn) => call({ Action: "AttachUserPolicy", UserName: name, PolicyArn: arn }, admin)));

  /** Ten attached, two refused at the quota, as AWS words it. */
  function expectStoppedAtTen(answers: Answer[]): void {
    expect(answers.filter((a) => a.status === 200).length).toBe(10);
    for (const a of answers.filter((x) => x.status !== 200)) refused(a, ...limit);
  }

  it("attaches exactly ten of twelve sent at once", async () => {
    await iam.send(new CreateUserCommand({ UserName: "wr-quota" }));
    // The user already has eight: the twelve compete for the last two places.
    for (const arn of arns.slice(0, 8)) {
      await iam.send(new AttachUserPolicyCommand({ UserName: "wr-quota", PolicyArn: arn }));
    }
    const answers = await attachAll("wr-quota");
    expectStoppedAtTen(answers);
    expect(await attached("wr-quota")).toBe(10);
  });

  it("refuses a DeleteUser whose checks ran before the twelve, and keeps them to ten", async () => {
    await iam.send(new CreateUserCommand({ UserName: "wr-quota-del" }));
    const gate = hold(DELETE_USER_WRITE);
    const deleted = call({ Action: "DeleteUser", UserName: "wr-quota-del" }, admin);
    await gate.reached;
    const answers = await attachAll("wr-quota-del");
    gate.release();
    expectStoppedAtTen(answers);
    refused(await deleted, ...conflict("must detach all policies first."));
    expect(await attached("wr-quota-del")).toBe(10);
    await expectNoOrphans();
  });

  it("answers all twelve NoSuchEntity when the user goes after their checks and before their writes", async () => {
    await iam.send(new CreateUserCommand({ UserName: "wr-quota-gone" }));
    const gate = hold(/^insert into "attachments"/, arns.length);
    const pending = attachAll("wr-quota-gone");
    await gate.reached;
    const deleted = await call({ Action: "DeleteUser", UserName: "wr-quota-gone" }, admin);
    gate.release();
    ok(deleted);
    for (const a of await pending) refused(a, ...noUser("wr-quota-gone"));
    const most = await env.DB.prepare(
      "select max(n) as n from (select count(*) as n from attachments group by principal_id)",
    ).first<{ n: number }>();
    expect(most?.n ?? 0).toBeLessThanOrEqual(10);
    await expectNoOrphans();
  });
});

describe("other writes that hang off a user, racing DeleteUser", () => {
  // Each: the write's parameters for a user, its insert, and the DeleteConflict it causes once stored.
  const writes: [string, (name: string) => Record<string, string>, RegExp, string][] = [
    [
      "login",
      (n) => ({ Action: "CreateLoginProfile", UserName: n, Password: "Str0ng-Passw0rd!" }),
      /^insert into "login_profiles"/,
      "must delete login profile first.",
    ],
    [
      "member",
      (n) => ({ Action: "AddUserToGroup", GroupName: "wr-group", UserName: n }),
      /^insert into "group_members"/,
      "must remove users from group first.",
    ],
    [
      "inline",
      (n) => ({ Action: "PutUserPolicy", UserName: n, PolicyName: "p", PolicyDocument: doc() }),
      /^insert into "inline_policies"/,
      "must delete policies first.",
    ],
    [
      "git",
      (n) => ({ Action: "CreateServiceSpecificCredential", UserName: n, ServiceName: "codecommit.amazonaws.com" }),
      /^insert into "service_credentials"/,
      "must delete service specific credentials first.",
    ],
  ];

  beforeAll(async () => {
    await iam.send(new CreateGroupCommand({ GroupName: "wr-group" }));
  });

  for (const [label, params, insert, blocks] of writes) {
    it(`${label}: refuses the delete when the write lands between its checks and its write`, async () => {
      const name = `wr-${label}-late`;
      await iam.send(new CreateUserCommand({ UserName: name }));
      const [deleted, written] = await interleave(
        DELETE_USER_WRITE,
        by({ Action: "DeleteUser", UserName: name }),
        by(params(name)),
      );
      ok(written);
      refused(deleted, ...conflict(blocks));
      expect(await userRows(name)).toBe(1);
    });

    it(`${label}: answers NoSuchEntity (not a 500) and stores nothing when the user goes first`, async () => {
      const name = `wr-${label}-gone`;
      await iam.send(new CreateUserCommand({ UserName: name }));
      const [written, deleted] = await interleave(
        insert,
        by(params(name)),
        by({ Action: "DeleteUser", UserName: name }),
      );
      ok(deleted);
      refused(written, ...noUser(name));
      await expectNoOrphans();
    });
  }

  it("tag: answers NoSuchEntity and leaves no tag when the user goes before TagUser writes", async () => {
    await iam.send(new CreateUserCommand({ UserName: "wr-tag-gone" }));
    const [tagged, deleted] = await interleave(
      /^insert into "tags"/,
      by({ Action: "TagUser", UserName: "wr-tag-gone", "Tags.member.1.Key": "k", "Tags.member.1.Value": "v" }),
      by({ Action: "DeleteUser", UserName: "wr-tag-gone" }),
    );
    ok(deleted);
    refused(tagged, ...noUser("wr-tag-gone"));
    await expectNoOrphans();
  });
});

describe("writes racing DeleteRole and DeleteGroup", () => {
  it("refuses DeleteRole when a policy is attached between its checks and its write", async () => {
    await iam.send(new CreateRoleCommand({ RoleName: "wr-role-late", AssumeRolePolicyDocument: TRUST }));
    const [deleted, attached] = await interleave(
      /^delete from "roles"/,
      by({ Action: "DeleteRole", RoleName: "wr-role-late" }),
      by({ Action: "AttachRolePolicy", RoleName: "wr-role-late", PolicyArn: READ_ONLY }),
    );
    ok(attached);
    refused(deleted, ...conflict("must detach all policies first."));
    await expectNoOrphans();
  });

  it("answers AddRoleToInstanceProfile NoSuchEntity (not a 500) when the role goes before its insert", async () => {
    await iam.send(new CreateRoleCommand({ RoleName: "wr-role-gone", AssumeRolePolicyDocument: TRUST }));
    await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: "wr-profile" }));
    const [added, deleted] = await interleave(
      /^insert into "instance_profile_roles"/,
      by({ Action: "AddRoleToInstanceProfile", InstanceProfileName: "wr-profile", RoleName: "wr-role-gone" }),
      by({ Action: "DeleteRole", RoleName: "wr-role-gone" }),
    );
    ok(deleted);
    refused(added, 404, "NoSuchEntity", "The role with name wr-role-gone cannot be found.");
    expect(await count("select count(*) as n from instance_profile_roles")).toBe(0);
  });

  it("refuses DeleteGroup when a member is added between its checks and its write", async () => {
    await iam.send(new CreateGroupCommand({ GroupName: "wr-group-late" }));
    await iam.send(new CreateUserCommand({ UserName: "wr-member" }));
    const [deleted, added] = await interleave(
      /^delete from "groups"/,
      by({ Action: "DeleteGroup", GroupName: "wr-group-late" }),
      by({ Action: "AddUserToGroup", GroupName: "wr-group-late", UserName: "wr-member" }),
    );
    ok(added);
    refused(deleted, ...conflict("must remove users from group first."));
    // The membership AddUserToGroup reported is stored: no cascade took it with the group.
    expect(
      await count(
        "select count(*) as n from group_members m join groups g on g.id = m.group_id where g.name = 'wr-group-late'",
      ),
    ).toBe(1);
  });
});

describe("writes racing DeletePolicy", () => {
  const DELETE_POLICY_WRITE = /^delete from "policies"/;
  const notAttachable = (arn: string): [number, string, string] => [
    404,
    "NoSuchEntity",
    `Policy ${arn} does not exist or is not attachable.`,
  ];
  const inUse: [number, string, string] = [409, "DeleteConflict", "Cannot delete a policy attached to entities."];
  const policyRows = (arn: string) => count("select count(*) as n from policies where arn = ?", arn);

  async function createPolicy(name: string): Promise<string> {
    const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: name, PolicyDocument: doc() }));
    return Policy?.Arn ?? "";
  }

  /**
   * No stored row names a customer managed policy that is gone: no attachment, no user's or role's boundary, no
   * version, and no policy whose default version is missing.
   */
  async function expectNoDanglingPolicies(): Promise<void> {
    const gone = (col: string) =>
      `${col} not like 'arn:aws%:iam::aws:policy/%' and not exists (select 1 from policies p where p.arn = ${col})`;
    const dangling: Record<string, string> = {
      attachments: `select count(*) as n from attachments a where ${gone("a.policy_arn")}`,
      user_boundaries: `select count(*) as n from users u where u.permissions_boundary_arn is not null and ${gone("u.permissions_boundary_arn")}`,
      role_boundaries: `select count(*) as n from roles r where r.permissions_boundary_arn is not null and ${gone("r.permissions_boundary_arn")}`,
      policy_versions:
        "select count(*) as n from policy_versions v where not exists (select 1 from policies p where p.id = v.policy_id)",
      default_versions:
        "select count(*) as n from policies p where not exists (select 1 from policy_versions v where v.policy_id = p.id and v.version_id = p.default_version_id)",
    };
    for (const [what, query] of Object.entries(dangling)) expect(await count(query), what).toBe(0);
  }

  it("refuses the delete (DeleteConflict) when AttachUserPolicy lands between its checks and its write", async () => {
    const arn = await createPolicy("wr-pol-att-late");
    await iam.send(new CreateUserCommand({ UserName: "wr-pol-att-late" }));
    const [deleted, attached] = await interleave(
      DELETE_POLICY_WRITE,
      by({ Action: "DeletePolicy", PolicyArn: arn }),
      by({ Action: "AttachUserPolicy", UserName: "wr-pol-att-late", PolicyArn: arn }),
    );
    ok(attached);
    refused(deleted, ...inUse);
    expect(await policyRows(arn)).toBe(1);
    expect(await count("select count(*) as n from attachments where policy_arn = ?", arn)).toBe(1);
    await expectNoDanglingPolicies();
  });

  it("answers AttachUserPolicy NoSuchEntity and attaches nothing when the policy goes before its insert", async () => {
    const arn = await createPolicy("wr-pol-att-gone");
    await iam.send(new CreateUserCommand({ UserName: "wr-pol-att-gone" }));
    const [attached, deleted] = await interleave(
      /^insert into "attachments"/,
      by({ Action: "AttachUserPolicy", UserName: "wr-pol-att-gone", PolicyArn: arn }),
      by({ Action: "DeletePolicy", PolicyArn: arn }),
    );
    ok(deleted);
    refused(attached, ...notAttachable(arn));
    expect(await count("select count(*) as n from attachments where policy_arn = ?", arn)).toBe(0);
    await expectNoDanglingPolicies();
  });

  it("refuses the delete (DeleteConflict) when PutUserPermissionsBoundary lands between its checks and its write", async () => {
    const arn = await createPolicy("wr-pol-pb-late");
    await iam.send(new CreateUserCommand({ UserName: "wr-pol-pb-late" }));
    const [deleted, bounded] = await interleave(
      DELETE_POLICY_WRITE,
      by({ Action: "DeletePolicy", PolicyArn: arn }),
      by({ Action: "PutUserPermissionsBoundary", UserName: "wr-pol-pb-late", PermissionsBoundary: arn }),
    );
    ok(bounded);
    refused(deleted, ...inUse);
    expect(await policyRows(arn)).toBe(1);
    await expectNoDanglingPolicies();
  });

  it("answers PutUserPermissionsBoundary NoSuchEntity and keeps the old boundary when the policy goes first", async () => {
    const arn = await createPolicy("wr-pol-pb-gone");
    await iam.send(new CreateUserCommand({ UserName: "wr-pol-pb-gone" }));
    const [bounded, deleted] = await interleave(
      /^update "users" set "permissions_boundary_arn"/,
      by({ Action: "PutUserPermissionsBoundary", UserName: "wr-pol-pb-gone", PermissionsBoundary: arn }),
      by({ Action: "DeletePolicy", PolicyArn: arn }),
    );
    ok(deleted);
    refused(bounded, ...notAttachable(arn));
    expect(
      await count("select count(*) as n from users where name = 'wr-pol-pb-gone' and permissions_boundary_arn is null"),
    ).toBe(1);
    await expectNoDanglingPolicies();
  });

  it("answers PutRolePermissionsBoundary NoSuchEntity when the policy goes first", async () => {
    const arn = await createPolicy("wr-pol-rpb-gone");
    await iam.send(new CreateRoleCommand({ RoleName: "wr-pol-rpb-gone", AssumeRolePolicyDocument: TRUST }));
    const [bounded, deleted] = await interleave(
      /^update "roles" set "permissions_boundary_arn"/,
      by({ Action: "PutRolePermissionsBoundary", RoleName: "wr-pol-rpb-gone", PermissionsBoundary: arn }),
      by({ Action: "DeletePolicy", PolicyArn: arn }),
    );
    ok(deleted);
    refused(bounded, ...notAttachable(arn));
    await expectNoDanglingPolicies();
  });

  it("answers CreateUser NoSuchEntity and stores no user when its boundary policy goes before its insert", async () => {
    const arn = await createPolicy("wr-pol-cu-gone");
    const [created, deleted] = await interleave(
      /^insert into "users"/,
      by({ Action: "CreateUser", UserName: "wr-pol-cu-gone", PermissionsBoundary: arn }),
      by({ Action: "DeletePolicy", PolicyArn: arn }),
    );
    ok(deleted);
    refused(created, 404, "NoSuchEntity", `Scope ARN: ${arn} does not exist or is not attachable.`);
    expect(await userRows("wr-pol-cu-gone")).toBe(0);
    await expectNoDanglingPolicies();
  });

  it("refuses the delete (DeleteConflict) when CreatePolicyVersion adds a version between its checks and its write", async () => {
    const arn = await createPolicy("wr-pol-ver-late");
    const [deleted, versioned] = await interleave(
      DELETE_POLICY_WRITE,
      by({ Action: "DeletePolicy", PolicyArn: arn }),
      by({ Action: "CreatePolicyVersion", PolicyArn: arn, PolicyDocument: doc("ec2:*") }),
    );
    ok(versioned);
    refused(
      deleted,
      409,
      "DeleteConflict",
      "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
    );
    // The version CreatePolicyVersion reported is stored, with its policy.
    expect(
      await count(
        "select count(*) as n from policy_versions v join policies p on p.id = v.policy_id where p.arn = ?",
        arn,
      ),
    ).toBe(2);
    await expectNoDanglingPolicies();
  });

  it("answers CreatePolicyVersion NoSuchEntity (not a 500) when the policy goes before its insert", async () => {
    const arn = await createPolicy("wr-pol-ver-gone");
    const [versioned, deleted] = await interleave(
      /^insert into "policy_versions"/,
      by({ Action: "CreatePolicyVersion", PolicyArn: arn, PolicyDocument: doc("ec2:*") }),
      by({ Action: "DeletePolicy", PolicyArn: arn }),
    );
    ok(deleted);
    refused(versioned, 404, "NoSuchEntity", `Policy ${arn} was not found.`);
    expect(await policyRows(arn)).toBe(0);
    await expectNoDanglingPolicies();
  });
});

describe("SetDefaultPolicyVersion racing DeletePolicyVersion", () => {
  async function twoVersions(name: string): Promise<string> {
    const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: name, PolicyDocument: doc() }));
    const arn = Policy?.Arn ?? "";
    await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc("ec2:*") }));
    return arn;
  }
  const defaultOf = async (arn: string) =>
    (
      await env.DB.prepare("select default_version_id as v from policies where arn = ?")
        .bind(arn)
        .first<{ v: string }>()
    )?.v;
  const versionRows = (arn: string) =>
    count("select count(*) as n from policy_versions v join policies p on p.id = v.policy_id where p.arn = ?", arn);

  it("answers SetDefaultPolicyVersion NoSuchEntity and keeps the default when the version goes first", async () => {
    const arn = await twoVersions("wr-ver-default-gone");
    const [set, deleted] = await interleave(
      /^update "policies" set "default_version_id"/,
      by({ Action: "SetDefaultPolicyVersion", PolicyArn: arn, VersionId: "v2" }),
      by({ Action: "DeletePolicyVersion", PolicyArn: arn, VersionId: "v2" }),
    );
    ok(deleted);
    refused(set, 404, "NoSuchEntity", `Policy ${arn} version v2 does not exist or is not attachable.`);
    expect(await defaultOf(arn)).toBe("v1");
    expect(await versionRows(arn)).toBe(1);
  });

  it("refuses DeletePolicyVersion (DeleteConflict) when the version became the default since its checks", async () => {
    const arn = await twoVersions("wr-ver-default-late");
    const [deleted, set] = await interleave(
      /^delete from "policy_versions"/,
      by({ Action: "DeletePolicyVersion", PolicyArn: arn, VersionId: "v2" }),
      by({ Action: "SetDefaultPolicyVersion", PolicyArn: arn, VersionId: "v2" }),
    );
    ok(set);
    refused(deleted, 409, "DeleteConflict", "Cannot delete the default version of a policy.");
    expect(await defaultOf(arn)).toBe("v2");
    expect(await versionRows(arn)).toBe(2);
  });
});

describe("the last net for a foreign key", () => {
  it("answers a D1 FOREIGN KEY failure as ConcurrentModification (409), not InternalFailure", async () => {
    const failure = await env.DB.prepare(
      "insert into access_keys (id, account_id, user_id, secret_encrypted, status, created_at) values ('AKIAWRNOUSER', ?, 'AIDA-NOBODY', 's', 'Active', 0)",
    )
      .bind(ACCOUNT)
      .run()
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(failure).toBeDefined();
    const mapped = asAwsError(failure, "req");
    expect([mapped.code, mapped.status]).toEqual(["ConcurrentModification", 409]);
  });
});

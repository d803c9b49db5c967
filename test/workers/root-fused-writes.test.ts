// Root's Attach*/Detach*Policy and DeleteUser send their checks and guarded write as one D1 batch: every refusal
// matches an IAM user's (code, message, precedence), costs root one round trip and writes nothing, and races with
// CreateAccessKey or AttachUserPolicy leave no deleted user's key handed out and no orphan attachment.
import {
  AddUserToGroupCommand,
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreateLoginProfileCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateServiceLinkedRoleCommand,
  CreateUserCommand,
  DeleteUserCommand,
  GetUserCommand,
  ListAttachedGroupPoliciesCommand,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
  PutUserPolicyCommand,
} from "@aws-sdk/client-iam";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { ACCOUNT, READ_ONLY, TRUST, doc } from "./fixtures";
import { awsError, iamClient, iamQuery } from "./sdk";

const iam = iamClient();

interface Key {
  id: string;
  secret: string;
}

const ROOT_KEY: Key = { id: "test", secret: "test" };

/** One signed IAM query call: its status, round trips and, for a refusal, AWS's code and message. */
function call(params: Record<string, string>, key: Key) {
  return iamQuery(params, { accessKeyId: key.id, secretAccessKey: key.secret });
}

/** A user allowed everything, whose calls are authorized with the preload before the handler writes. */
let admin: Key;
let customerPolicy = "";
const SERVICE_LINKED = "AWSServiceRoleForAutoScaling";
const SERVICE_POLICY = "arn:aws:iam::aws:policy/aws-service-role/AutoScalingServiceRolePolicy";
const MISSING_CUSTOMER = `arn:aws:iam::${ACCOUNT}:policy/fw-not-there`;
const MISSING_AWS = "arn:aws:iam::aws:policy/NotARealPolicy";
const NOT_A_POLICY = "arn:aws:s3:::not-a-policy-arn";

beforeAll(async () => {
  await iam.send(new CreateUserCommand({ UserName: "fw-admin" }));
  await iam.send(new PutUserPolicyCommand({ UserName: "fw-admin", PolicyName: "all", PolicyDocument: doc("*", "*") }));
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: "fw-admin" }));
  admin = { id: AccessKey?.AccessKeyId ?? "", secret: AccessKey?.SecretAccessKey ?? "" };
  await iam.send(new CreateUserCommand({ UserName: "fw-user" }));
  await iam.send(new CreateGroupCommand({ GroupName: "fw-group" }));
  await iam.send(new CreateRoleCommand({ RoleName: "fw-role", AssumeRolePolicyDocument: TRUST }));
  await iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: "autoscaling.amazonaws.com" }));
  const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: "fw-policy", PolicyDocument: doc() }));
  customerPolicy = Policy?.Arn ?? "";
});

/** The same call by root and by the admin user: the same answer, root's in one round trip. */
async function expectSameRefusal(params: Record<string, string>, code: string, message: string) {
  const byRoot = await call(params, ROOT_KEY);
  expect({ code: byRoot.code, message: byRoot.message }, JSON.stringify(params)).toEqual({ code, message });
  expect(byRoot.trips, JSON.stringify(params)).toBe(1);
  const byUser = await call(params, admin);
  expect(byUser.status, JSON.stringify(params)).toBe(byRoot.status);
  expect({ code: byUser.code, message: byUser.message }, JSON.stringify(params)).toEqual({ code, message });
}

const unmodifiable = `Cannot perform the operation on the protected role '${SERVICE_LINKED}' - this role is only modifiable by AWS`;

describe("root's attach and detach refusals", () => {
  it("answers as for a user, in AWS's precedence, in one round trip, and attaches nothing", async () => {
    const cases: [Record<string, string>, string, string][] = [
      // The identity is looked at first, whatever is wrong with the policy.
      [
        { Action: "AttachUserPolicy", UserName: "fw-nobody", PolicyArn: customerPolicy },
        "NoSuchEntity",
        "The user with name fw-nobody cannot be found.",
      ],
      [
        { Action: "AttachUserPolicy", UserName: "fw-nobody", PolicyArn: MISSING_CUSTOMER },
        "NoSuchEntity",
        "The user with name fw-nobody cannot be found.",
      ],
      [
        { Action: "AttachGroupPolicy", GroupName: "fw-nogroup", PolicyArn: NOT_A_POLICY },
        "NoSuchEntity",
        "The group with name fw-nogroup cannot be found.",
      ],
      [
        { Action: "AttachRolePolicy", RoleName: "fw-norole", PolicyArn: READ_ONLY },
        "NoSuchEntity",
        "The role with name fw-norole cannot be found.",
      ],
      // Then whether the identity is the service's, then the policy.
      [
        { Action: "AttachRolePolicy", RoleName: SERVICE_LINKED, PolicyArn: READ_ONLY },
        "UnmodifiableEntity",
        unmodifiable,
      ],
      [
        { Action: "AttachRolePolicy", RoleName: SERVICE_LINKED, PolicyArn: MISSING_CUSTOMER },
        "UnmodifiableEntity",
        unmodifiable,
      ],
      [
        { Action: "AttachUserPolicy", UserName: "fw-user", PolicyArn: MISSING_CUSTOMER },
        "NoSuchEntity",
        `Policy ${MISSING_CUSTOMER} does not exist or is not attachable.`,
      ],
      [
        { Action: "AttachGroupPolicy", GroupName: "fw-group", PolicyArn: MISSING_AWS },
        "NoSuchEntity",
        `Policy ${MISSING_AWS} does not exist or is not attachable.`,
      ],
      [
        { Action: "AttachRolePolicy", RoleName: "fw-role", PolicyArn: SERVICE_POLICY },
        "PolicyNotAttachable",
        "Cannot attach a Service Role Policy to a Customer Role.",
      ],
      [
        { Action: "AttachUserPolicy", UserName: "fw-user", PolicyArn: NOT_A_POLICY },
        "InvalidInput",
        `ARN ${NOT_A_POLICY} is not valid.`,
      ],
      [
        { Action: "DetachUserPolicy", UserName: "fw-nobody", PolicyArn: READ_ONLY },
        "NoSuchEntity",
        "The user with name fw-nobody cannot be found.",
      ],
      [
        { Action: "DetachRolePolicy", RoleName: SERVICE_LINKED, PolicyArn: SERVICE_POLICY },
        "UnmodifiableEntity",
        unmodifiable,
      ],
      // Found by the guarded delete changing nothing.
      [
        { Action: "DetachUserPolicy", UserName: "fw-user", PolicyArn: customerPolicy },
        "NoSuchEntity",
        `Policy ${customerPolicy} was not found.`,
      ],
      [
        { Action: "DetachGroupPolicy", GroupName: "fw-group", PolicyArn: READ_ONLY },
        "NoSuchEntity",
        `Policy ${READ_ONLY} was not found.`,
      ],
      [
        { Action: "DetachRolePolicy", RoleName: "fw-role", PolicyArn: NOT_A_POLICY },
        "InvalidInput",
        `ARN ${NOT_A_POLICY} is not valid.`,
      ],
    ];
    for (const [params, code, message] of cases) await expectSameRefusal(params, code, message);

    expect((await iam.send(new ListAttachedUserPoliciesCommand({ UserName: "fw-user" }))).AttachedPolicies).toEqual([]);
    expect((await iam.send(new ListAttachedGroupPoliciesCommand({ GroupName: "fw-group" }))).AttachedPolicies).toEqual(
      [],
    );
    expect((await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: "fw-role" }))).AttachedPolicies).toEqual([]);
    const linked = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: SERVICE_LINKED }));
    expect(linked.AttachedPolicies?.map((p) => p.PolicyArn)).toEqual([SERVICE_POLICY]);
  });

  it("refuses the eleventh policy in one round trip, and re-attaching one already attached still succeeds", async () => {
    const arns: string[] = [];
    for (let n = 0; n < 11; n++) {
      const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: `fw-ten-${n}`, PolicyDocument: doc() }));
      arns.push(Policy?.Arn ?? "");
    }
    await iam.send(new CreateUserCommand({ UserName: "fw-ten" }));
    await iam.send(new CreateGroupCommand({ GroupName: "fw-ten" }));
    await iam.send(new CreateRoleCommand({ RoleName: "fw-ten", AssumeRolePolicyDocument: TRUST }));
    for (const [action, member, quota] of [
      ["AttachUserPolicy", "UserName", "PoliciesPerUser"],
      ["AttachGroupPolicy", "GroupName", "PoliciesPerGroup"],
      ["AttachRolePolicy", "RoleName", "PoliciesPerRole"],
    ] as const) {
      for (const arn of arns.slice(0, 10)) {
        const attached = await call({ Action: action, [member]: "fw-ten", PolicyArn: arn }, ROOT_KEY);
        expect([attached.status, attached.trips], action).toEqual([200, 1]);
      }
      await expectSameRefusal(
        { Action: action, [member]: "fw-ten", PolicyArn: arns[10] ?? "" },
        "LimitExceeded",
        `Cannot exceed quota for ${quota}: 10`,
      );
      const again = await call({ Action: action, [member]: "fw-ten", PolicyArn: arns[0] ?? "" }, ROOT_KEY);
      expect([again.status, again.trips], action).toEqual([200, 1]);
    }
    const listed = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: "fw-ten" }));
    expect(listed.AttachedPolicies?.map((p) => p.PolicyArn).sort()).toEqual(arns.slice(0, 10).sort());
  });
});

/** Puts a row that blocks DeleteUser straight into D1, for the kinds whose API calls need keys or certificates. */
async function insertBlocker(table: string, userId: string): Promise<void> {
  const id = `fw-${table}-${userId}`;
  const rows: Record<string, [string, unknown[]]> = {
    ssh_public_keys: [
      "insert into ssh_public_keys (id, account_id, user_id, body, fingerprint, status, uploaded_at) values (?, ?, ?, 'k', 'f', 'Active', 0)",
      [id, ACCOUNT, userId],
    ],
    service_credentials: [
      "insert into service_credentials (id, account_id, user_id, service_name, service_user_name, password_hash, status, created_at) values (?, ?, ?, 'codecommit.amazonaws.com', 'u', 'h', 'Active', 0)",
      [id, ACCOUNT, userId],
    ],
    mfa_devices: [
      "insert into mfa_devices (id, account_id, serial, serial_key, name, path, seed_encrypted, user_id, enabled_at, created_at) values (?, ?, ?, ?, ?, '/', 's', ?, 0, 0)",
      [id, ACCOUNT, `arn:aws:iam::${ACCOUNT}:mfa/${id}`, id.toLowerCase(), id, userId],
    ],
    signing_certificates: [
      "insert into signing_certificates (account_id, id, user_id, body, status, uploaded_at) values (?, ?, ?, 'b', 'Active', 0)",
      [ACCOUNT, id, userId],
    ],
  };
  const [sql, params] = rows[table] ?? ["", []];
  await env.DB.prepare(sql)
    .bind(...params)
    .run();
}

describe("root's DeleteUser", () => {
  it("refuses each dependent kind with its DeleteConflict, as for a user, in one round trip, deleting nothing", async () => {
    await iam.send(new CreateGroupCommand({ GroupName: "fw-members" }));
    const blockers: [string, (name: string, id: string) => Promise<unknown>, string][] = [
      [
        "key",
        (n) => iam.send(new CreateAccessKeyCommand({ UserName: n })),
        "Cannot delete entity, must delete access keys first.",
      ],
      [
        "login",
        (n) => iam.send(new CreateLoginProfileCommand({ UserName: n, Password: "Str0ng-Passw0rd!" })),
        "Cannot delete entity, must delete login profile first.",
      ],
      [
        "member",
        (n) => iam.send(new AddUserToGroupCommand({ GroupName: "fw-members", UserName: n })),
        "Cannot delete entity, must remove users from group first.",
      ],
      [
        "inline",
        (n) => iam.send(new PutUserPolicyCommand({ UserName: n, PolicyName: "p", PolicyDocument: doc() })),
        "Cannot delete entity, must delete policies first.",
      ],
      [
        "attached",
        (n) => iam.send(new AttachUserPolicyCommand({ UserName: n, PolicyArn: READ_ONLY })),
        "Cannot delete entity, must detach all policies first.",
      ],
      [
        "ssh",
        (_n, id) => insertBlocker("ssh_public_keys", id),
        "Cannot delete entity, must delete SSH public keys first.",
      ],
      [
        "service",
        (_n, id) => insertBlocker("service_credentials", id),
        "Cannot delete entity, must delete service specific credentials first.",
      ],
      ["mfa", (_n, id) => insertBlocker("mfa_devices", id), "Cannot delete entity, must delete MFA device first."],
      [
        "signing",
        (_n, id) => insertBlocker("signing_certificates", id),
        "Cannot delete entity, must delete signing certificates first.",
      ],
    ];
    for (const [label, add, message] of blockers) {
      const name = `fw-del-${label}`;
      const { User } = await iam.send(new CreateUserCommand({ UserName: name, Tags: [{ Key: "k", Value: "v" }] }));
      await add(name, User?.UserId ?? "");
      await expectSameRefusal({ Action: "DeleteUser", UserName: name }, "DeleteConflict", message);
      const kept = await iam.send(new GetUserCommand({ UserName: name }));
      expect(kept.User?.UserId, label).toBe(User?.UserId);
      expect(kept.User?.Tags, label).toEqual([{ Key: "k", Value: "v" }]);
    }
    // Several at once: the first in AWS's order.
    await iam.send(new CreateUserCommand({ UserName: "fw-del-many" }));
    await iam.send(new PutUserPolicyCommand({ UserName: "fw-del-many", PolicyName: "p", PolicyDocument: doc() }));
    await iam.send(new CreateLoginProfileCommand({ UserName: "fw-del-many", Password: "Str0ng-Passw0rd!" }));
    await expectSameRefusal(
      { Action: "DeleteUser", UserName: "fw-del-many" },
      "DeleteConflict",
      "Cannot delete entity, must delete login profile first.",
    );
    await expectSameRefusal(
      { Action: "DeleteUser", UserName: "fw-del-nobody" },
      "NoSuchEntity",
      "The user with name fw-del-nobody cannot be found.",
    );
  });

  it("deletes the user and its tags in one round trip", async () => {
    const { User } = await iam.send(new CreateUserCommand({ UserName: "fw-del-ok", Tags: [{ Key: "k", Value: "v" }] }));
    const deleted = await call({ Action: "DeleteUser", UserName: "FW-DEL-OK" }, ROOT_KEY);
    expect([deleted.status, deleted.trips]).toEqual([200, 1]);
    expect((await awsError(iam.send(new GetUserCommand({ UserName: "fw-del-ok" })))).name).toBe("NoSuchEntity");
    const tags = await env.DB.prepare("select count(*) as n from tags where resource_id = ?")
      .bind(User?.UserId ?? "")
      .first<{ n: number }>();
    expect(tags?.n).toBe(0);
  });
});

describe("root's deletes racing other writes", () => {
  const rounds = Array.from({ length: 8 }, (_, i) => i);

  it("never hands out a key of a user DeleteUser removed", async () => {
    for (const i of rounds) await iam.send(new CreateUserCommand({ UserName: `fw-race-key-${i}` }));
    const outcomes = await Promise.all(
      rounds.map(async (i) => {
        const [deleted, created] = await Promise.allSettled([
          iam.send(new DeleteUserCommand({ UserName: `fw-race-key-${i}` })),
          iam.send(new CreateAccessKeyCommand({ UserName: `fw-race-key-${i}` })),
        ]);
        return { deleted: deleted.status === "fulfilled", key: created.status === "fulfilled" ? created.value : null };
      }),
    );
    for (const o of outcomes) {
      // One of the two went first: a key made before the delete blocks it, a delete made first refuses the key.
      expect(o.deleted && o.key !== null).toBe(false);
      if (o.key) {
        const row = await env.DB.prepare("select count(*) as n from access_keys where id = ?")
          .bind(o.key.AccessKey?.AccessKeyId ?? "")
          .first<{ n: number }>();
        expect(row?.n).toBe(1);
      }
    }
  });

  it("leaves no attachment of a deleted user when AttachUserPolicy races DeleteUser", async () => {
    for (const i of rounds) await iam.send(new CreateUserCommand({ UserName: `fw-race-att-${i}` }));
    const outcomes = await Promise.all(
      rounds.map(async (i) => {
        const [deleted, attached] = await Promise.allSettled([
          iam.send(new DeleteUserCommand({ UserName: `fw-race-att-${i}` })),
          iam.send(new AttachUserPolicyCommand({ UserName: `fw-race-att-${i}`, PolicyArn: READ_ONLY })),
        ]);
        return { deleted: deleted.status === "fulfilled", attached: attached.status === "fulfilled" };
      }),
    );
    for (const o of outcomes) expect(o.deleted && o.attached).toBe(false);
    const orphans = await env.DB.prepare(
      `select count(*) as n from attachments a where not exists (select 1 from users where id = a.principal_id)
         and not exists (select 1 from groups where id = a.principal_id)
         and not exists (select 1 from roles where id = a.principal_id)`,
    ).first<{ n: number }>();
    expect(orphans?.n).toBe(0);
  });
});

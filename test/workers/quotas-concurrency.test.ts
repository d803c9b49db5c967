// Quotas under concurrency: a burst of parallel requests through the real AWS SDK never leaves more than the quota.
import {
  AddUserToGroupCommand,
  AttachGroupPolicyCommand,
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateAccountAliasCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  CreateUserCommand,
  GetPolicyCommand,
  ListAccessKeysCommand,
  ListAccountAliasesCommand,
  ListAttachedGroupPoliciesCommand,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListGroupsForUserCommand,
  ListPolicyTagsCommand,
  ListPolicyVersionsCommand,
  ListRoleTagsCommand,
  ListUserPoliciesCommand,
  ListUserTagsCommand,
  PutUserPolicyCommand,
  TagPolicyCommand,
  TagRoleCommand,
  TagUserCommand,
  type Tag,
} from "@aws-sdk/client-iam";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { iamClient } from "./sdk";
import { ACCOUNT, TRUST, doc } from "./fixtures";

const iam = iamClient();

/** How a burst ended: the results of the calls that succeeded and the errors of those that failed. */
interface Burst<T> {
  won: T[];
  lost: { name: string; message: string }[];
}

/** Starts every call at once and sorts the outcomes; an error that is not an AWS error fails the test. */
async function burst<T>(calls: (() => Promise<T>)[]): Promise<Burst<T>> {
  const settled = await Promise.allSettled(calls.map((call) => call()));
  const out: Burst<T> = { won: [], lost: [] };
  for (const s of settled) {
    if (s.status === "fulfilled") {
      out.won.push(s.value);
    } else {
      const e = s.reason as { name: string; Code?: string; message: string };
      out.lost.push({ name: e.Code ?? e.name, message: e.message });
    }
  }
  return out;
}

/** Every loser was refused by the quota, with AWS's code and message. */
function expectLosers(b: Burst<unknown>, count: number, message: string) {
  expect(b.lost).toHaveLength(count);
  for (const l of b.lost) expect(l).toEqual({ name: "LimitExceeded", message });
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

async function countRows(sql: string, ...params: string[]): Promise<number> {
  const row = await env.DB.prepare(sql)
    .bind(...params)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

/** Rows of a named table, ready for a bulk fill: the columns beyond the shared ones and their SQL values. */
const FILL_EXTRA: Record<string, { columns: string; values: string }> = {
  users: { columns: "", values: "" },
  groups: { columns: "", values: "" },
  roles: { columns: ", assume_role_policy", values: ", '{}'" },
  policies: { columns: ", default_version_id, updated_at", values: ", 'v1', 0" },
};

const ARN_KIND: Record<string, string> = { users: "user", groups: "group", roles: "role", policies: "policy" };

/**
 * Brings the account's rows in `table` up to `target` with one recursive insert straight into D1, so a test can
 * start a few rows short of a quota of thousands without thousands of API calls. The rows are named fill-<n>.
 */
async function fillTo(table: string, target: number): Promise<void> {
  const have = await countRows(`select count(*) as n from ${table} where account_id = ?`, ACCOUNT);
  const extra = FILL_EXTRA[table];
  if (!extra || have >= target) return;
  await env.DB.prepare(
    `with recursive n(i) as (select 1 union all select i + 1 from n where i < ?)
     insert into ${table} (id, account_id, name, name_key, path, arn, created_at${extra.columns})
     select '${table}-fill-' || i, ?, 'fill-' || i, 'fill-' || i, '/',
            'arn:aws:iam::${ACCOUNT}:${ARN_KIND[table]}/fill-' || i, 0${extra.values}
     from n`,
  )
    .bind(target - have, ACCOUNT)
    .run();
}

/** Removes the bulk rows and the burst's winners (named burst-*), with their tags and versions, to make room again. */
async function emptyTable(table: string): Promise<void> {
  const mine = `select id from ${table} where account_id = ? and (name like 'fill-%' or name like 'burst-%')`;
  await env.DB.batch([
    env.DB.prepare(`delete from tags where resource_id in (${mine})`).bind(ACCOUNT),
    env.DB.prepare(`delete from policy_versions where policy_id in (${mine})`).bind(ACCOUNT),
    env.DB.prepare(`delete from ${table} where id in (${mine})`).bind(ACCOUNT),
  ]);
}

/** Tags whose resource no longer exists: what a refused create would leave behind if its tags went in anyway. */
const orphanTags = () =>
  countRows(
    `select count(*) as n from tags t where not exists (select 1 from users where id = t.resource_id)
       and not exists (select 1 from roles where id = t.resource_id)
       and not exists (select 1 from policies where id = t.resource_id)`,
  );

describe("entities per account", () => {
  const cases = [
    {
      table: "users",
      quota: 5000,
      message: "Cannot exceed quota for UsersPerAccount: 5000",
      create: (name: string) => iam.send(new CreateUserCommand({ UserName: name, Tags: [{ Key: "k", Value: "v" }] })),
    },
    {
      table: "groups",
      quota: 300,
      message: "Cannot exceed quota for GroupsPerAccount: 300",
      create: (name: string) => iam.send(new CreateGroupCommand({ GroupName: name })),
    },
    {
      table: "roles",
      quota: 1000,
      message: "Cannot exceed quota for RolesPerAccount: 1000",
      create: (name: string) =>
        iam.send(
          new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: TRUST, Tags: [{ Key: "k", Value: "v" }] }),
        ),
    },
    {
      table: "policies",
      quota: 1500,
      message: "Cannot exceed quota for PoliciesPerAccount: 1500",
      create: (name: string) =>
        iam.send(
          new CreatePolicyCommand({ PolicyName: name, PolicyDocument: doc(), Tags: [{ Key: "k", Value: "v" }] }),
        ),
    },
  ];
  for (const c of cases) {
    it(`${c.table}: ten parallel creates with five left make exactly ${c.quota}`, async () => {
      await fillTo(c.table, c.quota - 5);
      try {
        const b = await burst(range(10).map((i) => () => c.create(`burst-${i}`)));
        expect(b.won).toHaveLength(5);
        expectLosers(b, 5, c.message);
        expect(await countRows(`select count(*) as n from ${c.table} where account_id = ?`, ACCOUNT)).toBe(c.quota);
        // A refused create leaves neither tags nor (for a policy) a version behind.
        expect(await orphanTags()).toBe(0);
        expect(
          await countRows(
            "select count(*) as n from policy_versions v where not exists (select 1 from policies where id = v.policy_id)",
          ),
        ).toBe(0);
      } finally {
        await emptyTable(c.table);
      }
    });
  }
});

/** Eighteen customer managed policies, created once and shared by the attachment tests. */
let attachable: Promise<string[]> | undefined;
const eighteenPolicies = () =>
  (attachable ??= Promise.all(
    range(18).map(async (i) => {
      const out = await iam.send(new CreatePolicyCommand({ PolicyName: `attachable-${i}`, PolicyDocument: doc() }));
      return out.Policy?.Arn ?? "";
    }),
  ));

describe("managed policies attached per identity", () => {
  const cases = [
    {
      kind: "user",
      make: (n: string) => iam.send(new CreateUserCommand({ UserName: n })),
      attach: (n: string, arn: string) => iam.send(new AttachUserPolicyCommand({ UserName: n, PolicyArn: arn })),
      list: async (n: string) =>
        (await iam.send(new ListAttachedUserPoliciesCommand({ UserName: n }))).AttachedPolicies ?? [],
      quota: "PoliciesPerUser",
    },
    {
      kind: "group",
      make: (n: string) => iam.send(new CreateGroupCommand({ GroupName: n })),
      attach: (n: string, arn: string) => iam.send(new AttachGroupPolicyCommand({ GroupName: n, PolicyArn: arn })),
      list: async (n: string) =>
        (await iam.send(new ListAttachedGroupPoliciesCommand({ GroupName: n }))).AttachedPolicies ?? [],
      quota: "PoliciesPerGroup",
    },
    {
      kind: "role",
      make: (n: string) => iam.send(new CreateRoleCommand({ RoleName: n, AssumeRolePolicyDocument: TRUST })),
      attach: (n: string, arn: string) => iam.send(new AttachRolePolicyCommand({ RoleName: n, PolicyArn: arn })),
      list: async (n: string) =>
        (await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: n }))).AttachedPolicies ?? [],
      quota: "PoliciesPerRole",
    },
  ];
  for (const c of cases) {
    it(`${c.kind}: sixteen parallel attaches with eight left leave exactly ten`, async () => {
      const arns = await eighteenPolicies();
      const name = `att-${c.kind}`;
      await c.make(name);
      for (const arn of arns.slice(0, 2)) await c.attach(name, arn);

      const b = await burst(arns.slice(2).map((arn) => () => c.attach(name, arn)));
      expect(b.won).toHaveLength(8);
      expectLosers(b, 8, `Cannot exceed quota for ${c.quota}: 10`);
      expect(await c.list(name)).toHaveLength(10);

      // At the quota, attaching a policy that is already attached still succeeds and changes nothing.
      const again = await burst(arns.slice(0, 2).map((arn) => () => c.attach(name, arn)));
      expect(again.lost).toEqual([]);
      expect(await c.list(name)).toHaveLength(10);
    });
  }
});

describe("tags per resource", () => {
  const fortyFive: Tag[] = range(45).map((i) => ({ Key: `old-${i}`, Value: "v" }));
  const cases = [
    {
      kind: "user",
      make: async () => {
        await iam.send(new CreateUserCommand({ UserName: "tag-user", Tags: fortyFive }));
        return "tag-user";
      },
      tag: (id: string, tags: Tag[]) => iam.send(new TagUserCommand({ UserName: id, Tags: tags })),
      list: async (id: string) => (await iam.send(new ListUserTagsCommand({ UserName: id }))).Tags ?? [],
    },
    {
      kind: "role",
      make: async () => {
        await iam.send(
          new CreateRoleCommand({ RoleName: "tag-role", AssumeRolePolicyDocument: TRUST, Tags: fortyFive }),
        );
        return "tag-role";
      },
      tag: (id: string, tags: Tag[]) => iam.send(new TagRoleCommand({ RoleName: id, Tags: tags })),
      list: async (id: string) => (await iam.send(new ListRoleTagsCommand({ RoleName: id }))).Tags ?? [],
    },
    {
      kind: "policy",
      make: async () => {
        const out = await iam.send(
          new CreatePolicyCommand({ PolicyName: "tag-policy", PolicyDocument: doc(), Tags: fortyFive }),
        );
        return out.Policy?.Arn ?? "";
      },
      tag: (id: string, tags: Tag[]) => iam.send(new TagPolicyCommand({ PolicyArn: id, Tags: tags })),
      list: async (id: string) => (await iam.send(new ListPolicyTagsCommand({ PolicyArn: id }))).Tags ?? [],
    },
  ];
  const limit = "The number of tags has reached the maximum limit of 50.";

  for (const c of cases) {
    it(`${c.kind}: ten parallel one-tag requests with five left leave exactly fifty`, async () => {
      const id = await c.make();
      const b = await burst(range(10).map((i) => () => c.tag(id, [{ Key: `new-${i}`, Value: "v" }])));
      expect(b.won).toHaveLength(5);
      expectLosers(b, 5, limit);
      expect(await c.list(id)).toHaveLength(50);

      // Overwriting keys that are present (in any case) adds none, so it succeeds at the quota, in parallel too.
      const overwrite = await burst(range(10).map((i) => () => c.tag(id, [{ Key: `OLD-${i}`, Value: "w" }])));
      expect(overwrite.lost).toEqual([]);
      const tags = await c.list(id);
      expect(tags).toHaveLength(50);
      expect(tags.filter((t) => t.Value === "w").map((t) => t.Key)).toHaveLength(10);
    });
  }

  it("applies a request's tags all together or not at all", async () => {
    await iam.send(new CreateUserCommand({ UserName: "tag-atomic", Tags: fortyFive }));
    // Each request adds three keys and re-sends one present key; only one request fits in the five left.
    const b = await burst(
      range(6).map(
        (i) => () =>
          iam.send(
            new TagUserCommand({
              UserName: "tag-atomic",
              Tags: [{ Key: "old-0", Value: `r${i}` }, ...range(3).map((j) => ({ Key: `r${i}-${j}`, Value: "v" }))],
            }),
          ),
      ),
    );
    expect(b.won).toHaveLength(1);
    expectLosers(b, 5, limit);
    const tags = (await iam.send(new ListUserTagsCommand({ UserName: "tag-atomic" }))).Tags ?? [];
    expect(tags).toHaveLength(48);
    const winner = tags.find((t) => t.Key === "old-0")?.Value ?? "";
    expect(tags.filter((t) => t.Key?.startsWith(`${winner}-`))).toHaveLength(3);
  });
});

describe("policy versions per policy", () => {
  it("six parallel creates with two left keep exactly five versions, numbered without gaps", async () => {
    const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: "ver-burst", PolicyDocument: doc() }));
    const arn = Policy?.Arn ?? "";
    for (const n of [2, 3]) {
      await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc(`s3:Get${n}`) }));
    }
    const b = await burst(
      range(6).map(
        (i) => () =>
          iam.send(
            new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc(`s3:Put${i}`), SetAsDefault: true }),
          ),
      ),
    );
    expect(b.won).toHaveLength(2);
    expectLosers(
      b,
      4,
      "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.",
    );
    const won = b.won.map((w) => w.PolicyVersion?.VersionId).sort();
    expect(won).toEqual(["v4", "v5"]);
    const versions = (await iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn }))).Versions ?? [];
    expect(versions.map((v) => v.VersionId).sort()).toEqual(["v1", "v2", "v3", "v4", "v5"]);
    // The default is one of the winners, and the next version number follows the last one handed out.
    const policy = (await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy;
    expect(["v4", "v5"]).toContain(policy?.DefaultVersionId);
    expect(versions.filter((v) => v.IsDefaultVersion).map((v) => v.VersionId)).toEqual([policy?.DefaultVersionId]);
  });
});

// These were already one guarded statement each; the bursts keep them that way.
describe("quotas that were already atomic", () => {
  it("groups per user: twenty parallel adds leave exactly ten memberships", async () => {
    await iam.send(new CreateUserCommand({ UserName: "joiner" }));
    for (const i of range(20)) await iam.send(new CreateGroupCommand({ GroupName: `join-${i}` }));
    const b = await burst(
      range(20).map((i) => () => iam.send(new AddUserToGroupCommand({ GroupName: `join-${i}`, UserName: "joiner" }))),
    );
    expect(b.won).toHaveLength(10);
    expectLosers(b, 10, "Cannot exceed quota for GroupsPerUser: 10");
    expect((await iam.send(new ListGroupsForUserCommand({ UserName: "joiner" }))).Groups).toHaveLength(10);
  });

  it("access keys per user: four parallel creates leave exactly two keys", async () => {
    await iam.send(new CreateUserCommand({ UserName: "keyholder" }));
    const b = await burst(range(4).map(() => () => iam.send(new CreateAccessKeyCommand({ UserName: "keyholder" }))));
    expect(b.won).toHaveLength(2);
    expectLosers(b, 2, "Cannot exceed quota for AccessKeysPerUser: 2");
    expect((await iam.send(new ListAccessKeysCommand({ UserName: "keyholder" }))).AccessKeyMetadata).toHaveLength(2);
  });

  it("inline policy size per user: twenty parallel puts of 200 characters leave ten (2,048 in all)", async () => {
    await iam.send(new CreateUserCommand({ UserName: "inliner" }));
    const sized = (i: number) => {
      const base = doc("s3:GetObject", "arn:aws:s3:::b");
      return doc("s3:GetObject", `arn:aws:s3:::b${String(i).padStart(200 - base.length, "x")}`);
    };
    expect(sized(0)).toHaveLength(200);
    expect(sized(19)).toHaveLength(200);
    const b = await burst(
      range(20).map(
        (i) => () =>
          iam.send(new PutUserPolicyCommand({ UserName: "inliner", PolicyName: `p${i}`, PolicyDocument: sized(i) })),
      ),
    );
    expect(b.won).toHaveLength(10);
    expectLosers(b, 10, "Maximum policy size of 2048 bytes exceeded for user inliner");
    expect((await iam.send(new ListUserPoliciesCommand({ UserName: "inliner" }))).PolicyNames).toHaveLength(10);
  });

  it("one alias per account: parallel creates of different aliases leave exactly one", async () => {
    const b = await burst(
      range(6).map((i) => () => iam.send(new CreateAccountAliasCommand({ AccountAlias: `burst-alias-${i}` }))),
    );
    expect(b.lost).toEqual([]);
    expect((await iam.send(new ListAccountAliasesCommand({}))).AccountAliases).toHaveLength(1);
  });
});

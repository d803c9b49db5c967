// Shared by the import tests: a signed POST /v1/accounts/import, a hand-written snapshot with every entity kind, row counts.
import { SELF } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { signRequest } from "../../src/aws/sigv4";
import { ENDPOINT, ROOT, type Credentials } from "./sdk";

export interface ImportAnswer {
  status: number;
  roundTrips: number;
  body: {
    account?: string;
    imported?: Record<string, number>;
    skipped?: { entity: string; reason: string }[];
    notes?: string[];
    error?: { code: string; message: string };
  };
}

/** Posts a snapshot (an object, or raw text for malformed input) signed with `credentials` (root by default). */
export async function importSnapshot(
  snapshot: unknown,
  opts: { query?: string; raw?: string; credentials?: Credentials; sign?: boolean } = {},
): Promise<ImportAnswer> {
  const text = opts.raw ?? JSON.stringify(snapshot);
  const url = new URL(`${ENDPOINT}/v1/accounts/import${opts.query ? `?${opts.query}` : ""}`);
  const creds: Credentials = opts.credentials ?? ROOT;
  const base = { "content-type": "application/json" };
  const headers =
    opts.sign === false
      ? new Headers(base)
      : await signRequest({
          method: "POST",
          url,
          headers: base,
          body: text,
          accessKeyId: creds.accessKeyId,
          secret: creds.secretAccessKey,
          sessionToken: creds.sessionToken,
          region: "us-east-1",
          service: "iam",
          now: new Date(),
        });
  const res = await SELF.fetch(url, { method: "POST", headers, body: text });
  return { status: res.status, roundTrips: Number(res.headers.get("x-d1-round-trips")), body: await res.json() };
}

/** How many rows of each IAM table belong to an account: "nothing stored" is all zeros. */
export async function rowCounts(account: string): Promise<Record<string, number>> {
  const tables = [
    "users",
    "groups",
    "roles",
    "policies",
    "inline_policies",
    "attachments",
    "tags",
    "group_members",
    "instance_profiles",
  ];
  const out: Record<string, number> = {};
  for (const t of tables) {
    const row = await env.DB.prepare(`select count(*) as n from "${t}" where account_id = ?`)
      .bind(account)
      .first<{ n: number }>();
    out[t] = row?.n ?? 0;
  }
  const versions = await env.DB.prepare(
    `select count(*) as n from policy_versions where policy_id in (select id from policies where account_id = ?)`,
  )
    .bind(account)
    .first<{ n: number }>();
  out.policy_versions = versions?.n ?? 0;
  return out;
}

export const EMPTY = {
  users: 0,
  groups: 0,
  roles: 0,
  policies: 0,
  inline_policies: 0,
  attachments: 0,
  tags: 0,
  group_members: 0,
  instance_profiles: 0,
  policy_versions: 0,
};

const allow = (action: string | string[], resource = "*") => ({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: action, Resource: resource }],
});

/** A 21-character id of the given prefix, distinct per account and tag (the tests use several accounts). */
export const idFor = (prefix: string, account: string, tag: string) =>
  `${prefix}${account.slice(0, 4)}${tag.toUpperCase().padEnd(13, "X")}`.slice(0, 21);

/**
 * A snapshot as the AWS CLI writes it (documents decoded into objects, ISO dates) with every entity kind: paths,
 * a boundary, tagged roles, non-default policy versions, AWS managed attachments (one not in the bundled catalogue),
 * group memberships and inline policies of users, groups and roles.
 */
export function handSnapshot(account: string) {
  const arn = (type: string, pathAndName: string) => `arn:aws:iam::${account}:${type}/${pathAndName}`;
  return {
    UserDetailList: [
      {
        Path: "/dev/",
        UserName: "alice",
        UserId: idFor("AIDA", account, "alice"),
        Arn: arn("user", "dev/alice"),
        CreateDate: "2020-01-02T03:04:05+00:00",
        UserPolicyList: [{ PolicyName: "AliceInline", PolicyDocument: allow(["iam:GetUser", "iam:CreateGroup"]) }],
        GroupList: ["Developers"],
        AttachedManagedPolicies: [],
        PermissionsBoundary: {
          PermissionsBoundaryType: "PermissionsBoundaryPolicy",
          PermissionsBoundaryArn: arn("policy", "Boundary"),
        },
        Tags: [{ Key: "team", Value: "core" }],
      },
      {
        Path: "/",
        UserName: "bob",
        UserId: idFor("AIDA", account, "bob"),
        Arn: arn("user", "bob"),
        CreateDate: "2021-06-07T08:09:10+00:00",
        UserPolicyList: [],
        GroupList: [],
        AttachedManagedPolicies: [
          { PolicyName: "NoSuchAwsPolicyForImport", PolicyArn: "arn:aws:iam::aws:policy/NoSuchAwsPolicyForImport" },
        ],
        Tags: [],
      },
    ],
    GroupDetailList: [
      {
        Path: "/dev/",
        GroupName: "Developers",
        GroupId: idFor("AGPA", account, "developers"),
        Arn: arn("group", "dev/Developers"),
        CreateDate: "2019-05-05T05:05:05+00:00",
        GroupPolicyList: [{ PolicyName: "GroupInline", PolicyDocument: allow("iam:ListGroups") }],
        AttachedManagedPolicies: [{ PolicyName: "DevAccess", PolicyArn: arn("policy", "teams/DevAccess") }],
      },
    ],
    RoleDetailList: [
      {
        Path: "/service/",
        RoleName: "deploy",
        RoleId: idFor("AROA", account, "deploy"),
        Arn: arn("role", "service/deploy"),
        CreateDate: "2022-02-02T02:02:02+00:00",
        AssumeRolePolicyDocument: {
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: "sts:AssumeRole" },
          ],
        },
        InstanceProfileList: [
          {
            Path: "/",
            InstanceProfileName: "deploy-profile",
            InstanceProfileId: idFor("AIPA", account, "deployprofile"),
            Arn: arn("instance-profile", "deploy-profile"),
            CreateDate: "2022-02-02T02:02:03+00:00",
            Roles: [],
            Tags: [{ Key: "tier", Value: "web" }],
          },
        ],
        RolePolicyList: [{ PolicyName: "RoleInline", PolicyDocument: allow("s3:GetObject", "arn:aws:s3:::b/*") }],
        AttachedManagedPolicies: [
          { PolicyName: "ReadOnlyAccess", PolicyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" },
        ],
        PermissionsBoundary: {
          PermissionsBoundaryType: "PermissionsBoundaryPolicy",
          PermissionsBoundaryArn: arn("policy", "teams/DevAccess"),
        },
        Tags: [
          { Key: "env", Value: "prod" },
          { Key: "owner", Value: "ops" },
        ],
        RoleLastUsed: { LastUsedDate: "2024-03-03T03:03:03+00:00", Region: "eu-west-1" },
        Description: "deploys things",
        MaxSessionDuration: 7200,
      },
    ],
    Policies: [
      {
        PolicyName: "DevAccess",
        PolicyId: idFor("ANPA", account, "devaccess"),
        Arn: arn("policy", "teams/DevAccess"),
        Path: "/teams/",
        DefaultVersionId: "v2",
        AttachmentCount: 1,
        PermissionsBoundaryUsageCount: 1,
        IsAttachable: true,
        Description: "what developers may do",
        CreateDate: "2019-01-01T00:00:00+00:00",
        UpdateDate: "2023-01-01T00:00:00+00:00",
        PolicyVersionList: [
          {
            Document: allow("iam:ListRoles"),
            VersionId: "v4",
            IsDefaultVersion: false,
            CreateDate: "2023-02-01T00:00:00+00:00",
          },
          {
            Document: allow(["iam:ListUsers", "sts:AssumeRole"]),
            VersionId: "v2",
            IsDefaultVersion: true,
            CreateDate: "2023-01-01T00:00:00+00:00",
          },
          {
            Document: allow("iam:*"),
            VersionId: "v1",
            IsDefaultVersion: false,
            CreateDate: "2019-01-01T00:00:00+00:00",
          },
        ],
      },
      {
        PolicyName: "Boundary",
        PolicyId: idFor("ANPA", account, "boundary"),
        Arn: arn("policy", "Boundary"),
        Path: "/",
        DefaultVersionId: "v1",
        CreateDate: "2019-01-01T00:00:00+00:00",
        UpdateDate: "2019-01-01T00:00:00+00:00",
        PolicyVersionList: [
          {
            // URL-encoded text, as the SDK and the raw API give documents.
            Document: encodeURIComponent(JSON.stringify(allow(["iam:List*", "iam:Get*"]))),
            VersionId: "v1",
            IsDefaultVersion: true,
            CreateDate: "2019-01-01T00:00:00+00:00",
          },
        ],
      },
      {
        // An AWS managed policy in use: GetAccountAuthorizationDetails lists it, the import resolves it from the catalogue.
        PolicyName: "ReadOnlyAccess",
        PolicyId: "ANPAILL3HVNFSB6DCOWYQ",
        Arn: "arn:aws:iam::aws:policy/ReadOnlyAccess",
        Path: "/",
        DefaultVersionId: "v1",
        CreateDate: "2015-02-06T18:39:48+00:00",
        PolicyVersionList: [],
      },
    ],
  };
}

// Import benchmark: a 5,000-user, 1,000-role, 1,500-policy snapshot into `wrangler dev`: seconds and D1 round trips.
import { startDevServer } from "./lib/dev-server.ts";
import { postSnapshot } from "./import-account.ts";

const ACCOUNT = "123456789012";
const SIZE = { users: 5000, groups: 300, roles: 1000, policies: 1500 };

/** A unique id in IAM's alphabet (A-Z, 2-7): the index spelled in base 32 after the kind's prefix. */
function id(prefix: string, n: number): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let out = "";
  for (let i = 0; i < 17; i++) {
    out = alphabet[n % 32] + out;
    n = Math.floor(n / 32);
  }
  return prefix + out;
}

const doc = (action: string, resource = "*") => ({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: action, Resource: resource }],
});

/** What the AWS CLI would write for such an account: documents as objects, ISO dates. */
export function benchSnapshot() {
  const date = "2024-01-01T00:00:00+00:00";
  const arn = (type: string, name: string) => `arn:aws:iam::${ACCOUNT}:${type}/${name}`;
  const policyArn = (i: number) => arn("policy", `team/p-${i}`);
  return {
    UserDetailList: Array.from({ length: SIZE.users }, (_, i) => ({
      Path: "/",
      UserName: `user-${i}`,
      UserId: id("AIDA", i),
      Arn: arn("user", `user-${i}`),
      CreateDate: date,
      UserPolicyList:
        i % 5 === 0 ? [{ PolicyName: "own", PolicyDocument: doc("s3:GetObject", `arn:aws:s3:::u${i}/*`) }] : [],
      GroupList: [`group-${i % SIZE.groups}`],
      AttachedManagedPolicies: [{ PolicyName: `p-${i % SIZE.policies}`, PolicyArn: policyArn(i % SIZE.policies) }],
      Tags: [{ Key: "team", Value: `t${i % 40}` }],
    })),
    GroupDetailList: Array.from({ length: SIZE.groups }, (_, i) => ({
      Path: "/",
      GroupName: `group-${i}`,
      GroupId: id("AGPA", i),
      Arn: arn("group", `group-${i}`),
      CreateDate: date,
      GroupPolicyList: [],
      AttachedManagedPolicies: [{ PolicyName: "ReadOnlyAccess", PolicyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" }],
    })),
    RoleDetailList: Array.from({ length: SIZE.roles }, (_, i) => ({
      Path: "/service/",
      RoleName: `role-${i}`,
      RoleId: id("AROA", i),
      Arn: arn("role", `service/role-${i}`),
      CreateDate: date,
      AssumeRolePolicyDocument: {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
      },
      InstanceProfileList: [],
      RolePolicyList: [{ PolicyName: "logs", PolicyDocument: doc("logs:PutLogEvents") }],
      AttachedManagedPolicies: [{ PolicyName: `p-${i}`, PolicyArn: policyArn(i) }],
      Tags: [{ Key: "env", Value: i % 2 ? "prod" : "dev" }],
    })),
    Policies: Array.from({ length: SIZE.policies }, (_, i) => ({
      PolicyName: `p-${i}`,
      PolicyId: id("ANPA", i),
      Arn: policyArn(i),
      Path: "/team/",
      DefaultVersionId: "v2",
      CreateDate: date,
      UpdateDate: date,
      PolicyVersionList: [
        {
          Document: doc(`s3:GetObject`, `arn:aws:s3:::bucket-${i}/*`),
          VersionId: "v2",
          IsDefaultVersion: true,
          CreateDate: date,
        },
        {
          Document: doc(`s3:*`, `arn:aws:s3:::bucket-${i}/*`),
          VersionId: "v1",
          IsDefaultVersion: false,
          CreateDate: date,
        },
      ],
    })),
  };
}

export async function runImportBench(): Promise<void> {
  const text = JSON.stringify(benchSnapshot());
  console.log(
    `\n== import: ${SIZE.users} users, ${SIZE.groups} groups, ${SIZE.roles} roles, ${SIZE.policies} policies (${(text.length / 1048576).toFixed(1)} MiB) ==`,
  );
  const server = await startDevServer();
  try {
    for (const [label, replace] of [
      ["into an empty account", false],
      ["again, mode=replace", true],
    ] as const) {
      const r = await postSnapshot(server.url, text, { replace });
      if (r.status !== 200) throw new Error(`import answered ${r.status}: ${JSON.stringify(r.body)}`);
      console.log(`${label.padEnd(24)} ${(r.ms / 1000).toFixed(2)} s   ${r.roundTrips} D1 round trips`);
    }
  } finally {
    await server.stop();
  }
}

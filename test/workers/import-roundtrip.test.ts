// The project's own GetAccountAuthorizationDetails round-trips through POST /v1/accounts/import to the same state.
import {
  AddUserToGroupCommand,
  AttachGroupPolicyCommand,
  AttachRolePolicyCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  CreateUserCommand,
  GetAccountAuthorizationDetailsCommand,
  PutRolePermissionsBoundaryCommand,
  PutRolePolicyCommand,
  PutUserPermissionsBoundaryCommand,
  PutUserPolicyCommand,
} from "@aws-sdk/client-iam";
import { SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { signRequest } from "../../src/aws/sigv4";
import { ACCOUNT, READ_ONLY, TRUST, doc } from "./fixtures";
import { EMPTY, importSnapshot, rowCounts } from "./import-fixtures";
import { ENDPOINT, iamClient } from "./sdk";

const iam = iamClient();

interface Snapshot {
  UserDetailList: unknown[];
  GroupDetailList: unknown[];
  RoleDetailList: unknown[];
  Policies: unknown[];
}

/** Every page merged into one object, as `aws iam get-account-authorization-details` writes it (small pages on purpose). */
async function exportAccount(): Promise<Snapshot> {
  const out: Snapshot = { UserDetailList: [], GroupDetailList: [], RoleDetailList: [], Policies: [] };
  let marker: string | undefined;
  do {
    const page = await iam.send(new GetAccountAuthorizationDetailsCommand({ MaxItems: 3, Marker: marker }));
    out.UserDetailList.push(...(page.UserDetailList ?? []));
    out.GroupDetailList.push(...(page.GroupDetailList ?? []));
    out.RoleDetailList.push(...(page.RoleDetailList ?? []));
    out.Policies.push(...(page.Policies ?? []));
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  // Through JSON, as a file on disk: dates become ISO text.
  return JSON.parse(JSON.stringify(out)) as Snapshot;
}

async function reset(): Promise<void> {
  const url = new URL(`${ENDPOINT}/_admin/reset`);
  const headers = await signRequest({
    method: "POST",
    url,
    body: "",
    accessKeyId: "test",
    secret: "test",
    region: "us-east-1",
    service: "iam",
    now: new Date(),
  });
  expect((await SELF.fetch(url, { method: "POST", headers })).status).toBe(200);
}

/** The CLI decodes every policy document into an object. */
function asCli(s: Snapshot): Snapshot {
  const decode = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(decode);
    if (v === null || typeof v !== "object") return v;
    return Object.fromEntries(
      Object.entries(v).map(([k, x]) => [
        k,
        ["PolicyDocument", "AssumeRolePolicyDocument", "Document"].includes(k) && typeof x === "string"
          ? (JSON.parse(decodeURIComponent(x)) as unknown)
          : decode(x),
      ]),
    );
  };
  return decode(s) as Snapshot;
}

let original: Snapshot;

beforeAll(async () => {
  const p = await iam.send(
    new CreatePolicyCommand({
      PolicyName: "rt-managed",
      Path: "/rt/",
      PolicyDocument: doc("s3:*"),
      Description: "round trip",
    }),
  );
  const arn = p.Policy?.Arn ?? "";
  await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc("ec2:*"), SetAsDefault: true }));
  await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc("sqs:*") }));
  await iam.send(new CreateGroupCommand({ GroupName: "rt-group", Path: "/g/" }));
  await iam.send(new AttachGroupPolicyCommand({ GroupName: "rt-group", PolicyArn: arn }));
  for (const name of ["rt-alice", "rt-bob", "rt-carol", "rt-dave"]) {
    await iam.send(new CreateUserCommand({ UserName: name, Path: "/people/", Tags: [{ Key: "who", Value: name }] }));
  }
  await iam.send(new AddUserToGroupCommand({ GroupName: "rt-group", UserName: "rt-alice" }));
  await iam.send(new PutUserPolicyCommand({ UserName: "rt-bob", PolicyName: "inline", PolicyDocument: doc("kms:*") }));
  await iam.send(new PutUserPermissionsBoundaryCommand({ UserName: "rt-carol", PermissionsBoundary: READ_ONLY }));
  await iam.send(
    new CreateRoleCommand({
      RoleName: "rt-role",
      AssumeRolePolicyDocument: TRUST,
      Tags: [{ Key: "env", Value: "prod" }],
    }),
  );
  await iam.send(new AttachRolePolicyCommand({ RoleName: "rt-role", PolicyArn: READ_ONLY }));
  await iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: "rt-role", PermissionsBoundary: arn }));
  await iam.send(
    new PutRolePolicyCommand({ RoleName: "rt-role", PolicyName: "role-inline", PolicyDocument: doc("sns:*") }),
  );
  original = await exportAccount();
});

describe("export, reset, import, export", () => {
  it("gives back the same account from the SDK's export (URL-encoded documents)", async () => {
    await reset();
    expect(await rowCounts(ACCOUNT)).toEqual(EMPTY);
    const answer = await importSnapshot(original);
    expect(answer.status).toBe(200);
    expect(answer.body.imported).toMatchObject({ users: 4, groups: 1, roles: 1, policies: 1, policyVersions: 3 });
    expect(answer.body.skipped).toEqual([]);
    expect(await exportAccount()).toEqual(original);
  });

  it("gives back the same account from the CLI's form (documents as objects), replacing it", async () => {
    const answer = await importSnapshot(asCli(original), { query: "mode=replace" });
    expect(answer.status).toBe(200);
    expect(await exportAccount()).toEqual(original);
  });

  it("gives back the same account from the query API's raw XML pages, concatenated", async () => {
    // The pages as the API writes them (MaxItems 3 forces several), one after another in one file.
    let xml = "";
    let marker: string | undefined;
    do {
      const body = `Action=GetAccountAuthorizationDetails&Version=2010-05-08&MaxItems=3${marker ? `&Marker=${encodeURIComponent(marker)}` : ""}`;
      const url = new URL(`${ENDPOINT}/`);
      const headers = await signRequest({
        method: "POST",
        url,
        headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
        body,
        accessKeyId: "test",
        secret: "test",
        region: "us-east-1",
        service: "iam",
        now: new Date(),
      });
      const page = await (await SELF.fetch(url, { method: "POST", headers, body })).text();
      xml += `${page}\n`;
      marker = /<IsTruncated>true<\/IsTruncated>/.test(page) ? /<Marker>([^<]*)<\/Marker>/.exec(page)?.[1] : undefined;
    } while (marker);
    expect(xml.match(/<GetAccountAuthorizationDetailsResponse/g)?.length).toBeGreaterThan(1);
    const answer = await importSnapshot(undefined, { raw: xml, query: "mode=replace" });
    expect(answer.status).toBe(200);
    expect(await exportAccount()).toEqual(original);
    const broken = await importSnapshot(undefined, { raw: xml.slice(0, xml.length / 2), query: "mode=replace" });
    expect(broken.status).toBe(400);
    expect(await exportAccount()).toEqual(original);
  });

  it("loads the same export into another account: same names and shape, that account's ARNs", async () => {
    const other = "210987654321";
    const answer = await importSnapshot(original, { query: `account=${other}` });
    expect(answer.status).toBe(200);
    expect(await rowCounts(other)).toEqual(await rowCounts(ACCOUNT));
    expect(await exportAccount()).toEqual(original);
  });
});

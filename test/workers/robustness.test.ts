// Every operation, fed malformed input, answers with an AWS 4xx error and never a 500.
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { findOperation, operationNames } from "../../src/core/table";
import { signRequest } from "../../src/aws/sigv4";
import { TRUST } from "./fixtures";

async function call(service: "iam" | "sts", params: Record<string, string>): Promise<Response> {
  const version = service === "iam" ? "2010-05-08" : "2011-06-15";
  const body = new URLSearchParams({ Version: version, ...params }).toString();
  const url = new URL("http://127.0.0.1:8787/");
  const headers = await signRequest({
    method: "POST",
    url,
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body,
    accessKeyId: "test",
    secret: "test",
    region: "us-east-1",
    service,
    now: new Date(),
  });
  return SELF.fetch(url, { method: "POST", headers, body });
}

/** Values that break naive code: empty, oversized, wrong type, control characters, lone surrogates, JSON-ish text. */
const NASTY = ["", "x".repeat(5000), "-1", "1e309", "\u0000\u0001", "\ud800", '{"Version":', "null", "../../", "%zz"];

/** Member names the operations take, each given every nasty value in turn. */
const MEMBERS = [
  "UserName",
  "GroupName",
  "RoleName",
  "PolicyName",
  "PolicyArn",
  "PolicyDocument",
  "AssumeRolePolicyDocument",
  "Path",
  "PathPrefix",
  "Marker",
  "MaxItems",
  "VersionId",
  "AccessKeyId",
  "Status",
  "Password",
  "AccountAlias",
  "Tags.member.1.Key",
  "TagKeys.member.1",
  "MaxSessionDuration",
  "Scope",
  "Filter.member.1",
  "PermissionsBoundary",
  // STS members (AssumeRole, GetSessionToken, GetFederationToken, GetAccessKeyInfo).
  "RoleArn",
  "RoleSessionName",
  "DurationSeconds",
  "Policy",
  "PolicyArns.member.1.arn",
  "TransitiveTagKeys.member.1",
  "ExternalId",
  "SerialNumber",
  "TokenCode",
  "SourceIdentity",
  "Name",
];

/** Well-formed STS members, so one bad member at a time reaches STS's own checks. */
const VALID_STS: Record<string, string> = {
  RoleArn: "arn:aws:iam::123456789012:role/robust-role",
  RoleSessionName: "robust-session",
  DurationSeconds: "900",
  Policy: DOC_TEXT(),
  "PolicyArns.member.1.arn": "arn:aws:iam::aws:policy/ReadOnlyAccess",
  "Tags.member.1.Key": "k",
  "Tags.member.1.Value": "v",
  "TransitiveTagKeys.member.1": "k",
  ExternalId: "robust-external",
  SourceIdentity: "robust-source",
  Name: "robust-fed",
  AccessKeyId: "test",
};

function DOC_TEXT(): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: "iam:List*", Resource: "*" }],
  });
}

const DOC = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }],
});

/** Well-formed values naming entities that exist, so one bad member at a time reaches the handlers' own checks. */
const VALID: Record<string, string> = {
  UserName: "robust-user",
  GroupName: "robust-group",
  RoleName: "robust-role",
  PolicyName: "robust-policy",
  PolicyArn: "arn:aws:iam::123456789012:policy/robust-policy",
  PolicyDocument: DOC,
  AssumeRolePolicyDocument: TRUST,
  Path: "/",
  PathPrefix: "/",
  MaxItems: "10",
  VersionId: "v1",
  Status: "Active",
  Password: "Correct-Horse-9-Battery",
  AccountAlias: "robust-alias",
  "Tags.member.1.Key": "k",
  "Tags.member.1.Value": "v",
  "TagKeys.member.1": "k",
  MaxSessionDuration: "3600",
  Scope: "All",
  "Filter.member.1": "User",
};

describe("robustness", () => {
  it("answers every operation with one malformed member among valid ones without a 500", async () => {
    for (const [action, extra] of [
      ["CreateUser", {}],
      ["CreateGroup", {}],
      ["CreateRole", {}],
      ["CreatePolicy", {}],
    ] as const) {
      expect((await call("iam", { Action: action, ...VALID, ...extra })).status).toBe(200);
    }
    let n = 0;
    for (const action of operationNames("iam")) {
      // Only the members this operation declares: the others would be ignored and prove nothing.
      const shape = (findOperation("iam", action)?.input as { shape?: Record<string, unknown> }).shape ?? {};
      const members = Object.keys(VALID).filter((m) => (m.split(".")[0] ?? m) in shape);
      for (const member of members) {
        const bad = NASTY[n++ % NASTY.length] ?? "";
        const res = await call("iam", { Action: action, ...VALID, [member]: bad });
        if (res.status >= 500) throw new Error(`${action} with ${member}=${JSON.stringify(bad)}: ${await res.text()}`);
        await res.arrayBuffer();
      }
    }
  }, 300_000);

  it("answers every STS operation with one malformed member among valid ones without a 500", async () => {
    let n = 0;
    for (const action of operationNames("sts")) {
      const shape = (findOperation("sts", action)?.input as { shape?: Record<string, unknown> }).shape ?? {};
      const members = Object.keys(VALID_STS).filter((m) => (m.split(".")[0] ?? m) in shape);
      for (const member of members) {
        for (const bad of [NASTY[n++ % NASTY.length] ?? "", NASTY[n++ % NASTY.length] ?? ""]) {
          const res = await call("sts", { Action: action, ...VALID_STS, [member]: bad });
          const text = await res.text();
          if (res.status >= 500) throw new Error(`${action} with ${member}=${JSON.stringify(bad)}: ${text}`);
          if (res.status !== 200) expect(text).toMatch(/<ErrorResponse xmlns=.*<Code>[A-Za-z]+<\/Code>/s);
        }
      }
    }
  }, 300_000);

  // One test for all operations: each test in the workers pool pays for isolating its storage.
  it("answers every operation fed only malformed members with a 4xx AWS error", async () => {
    let k = 0;
    for (const service of ["iam", "sts"] as const) {
      for (const action of operationNames(service)) {
        // Three rotations per operation keep the run short while every value still reaches every member somewhere.
        for (const i of [k++ % NASTY.length, (k + 3) % NASTY.length, (k + 6) % NASTY.length]) {
          const value = NASTY[i] ?? "";
          const params: Record<string, string> = { Action: action };
          for (const [j, member] of MEMBERS.entries()) params[member] = NASTY[(i + j) % NASTY.length] ?? value;
          const res = await call(service, params);
          const text = await res.text();
          if (res.status >= 500) throw new Error(`${service}:${action} answered ${res.status}: ${text}`);
          if (res.status !== 200) expect(text).toMatch(/<ErrorResponse xmlns=.*<Code>[A-Za-z]+<\/Code>/s);
        }
      }
    }
  }, 300_000);
});

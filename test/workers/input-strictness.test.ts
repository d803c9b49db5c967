// Strict input: integers are plain integers in range, patterned text refuses what AWS refuses, presigned URLs live X-Amz-Expires.
import {
  CreatePolicyCommand,
  CreateRoleCommand,
  GetPolicyCommand,
  GetRoleCommand,
  TagUserCommand,
  CreateUserCommand,
  ListUserTagsCommand,
} from "@aws-sdk/client-iam";
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { presignUrl, signRequest } from "../../src/aws/sigv4";
import { ACCOUNT, doc, TRUST } from "./fixtures";
import { awsError, iamClient } from "./sdk";

const URL_BASE = "http://127.0.0.1:8787/";
const iam = iamClient();

/** A root-signed query POST; the body is sent exactly as given, so members can carry text the SDK would not send. */
async function call(params: Record<string, string>): Promise<{ status: number; xml: string }> {
  const body = new URLSearchParams({ Version: "2010-05-08", ...params }).toString();
  const url = new URL(URL_BASE);
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
  const res = await SELF.fetch(url, { method: "POST", headers, body });
  return { status: res.status, xml: await res.text() };
}

const codeOf = (xml: string) => /<Code>([^<]*)<\/Code>/.exec(xml)?.[1];
const messageOf = (xml: string) => /<Message>([^<]*)<\/Message>/.exec(xml)?.[1];

describe("integer members parse strictly", () => {
  it.each([" 5", "5 ", "5.0", "1e1", "+5", "0x5", "five", ""])("refuses MaxItems=%j with a type error", async (v) => {
    const { status, xml } = await call({ Action: "ListUsers", MaxItems: v });
    expect(status).toBe(400);
    expect(codeOf(xml)).toBe("ValidationError");
    expect(messageOf(xml)).toBe(
      `1 validation error detected: Value &apos;${v}&apos; at &apos;maxItems&apos; ` +
        "failed to satisfy constraint: Member must be of type integer",
    );
  });

  it("refuses MaxItems out of range with AWS's range wording", async () => {
    const low = await call({ Action: "ListUsers", MaxItems: "0" });
    expect(codeOf(low.xml)).toBe("ValidationError");
    expect(low.xml).toContain("Member must have value greater than or equal to 1");
    const high = await call({ Action: "ListUsers", MaxItems: "1001" });
    expect(codeOf(high.xml)).toBe("ValidationError");
    expect(high.xml).toContain("Member must have value less than or equal to 1000");
    const huge = await call({ Action: "ListUsers", MaxItems: "99999999999999999999" });
    expect(codeOf(huge.xml)).toBe("ValidationError");
  });

  it("still accepts a plain integer", async () => {
    const { status, xml } = await call({ Action: "ListUsers", MaxItems: "5" });
    expect(status).toBe(200);
    expect(xml).toContain("<IsTruncated>false</IsTruncated>");
  });

  it("applies to every integer member: MaxSessionDuration and the password policy numbers", async () => {
    const role = await call({
      Action: "CreateRole",
      RoleName: "strict-int-role",
      AssumeRolePolicyDocument: TRUST,
      MaxSessionDuration: "3600.0",
    });
    expect(codeOf(role.xml)).toBe("ValidationError");
    expect(role.xml).toContain("maxSessionDuration");
    expect(codeOf((await call({ Action: "GetRole", RoleName: "strict-int-role" })).xml)).toBe("NoSuchEntity");

    for (const [member, value] of [
      ["MinimumPasswordLength", " 8"],
      ["MaxPasswordAge", "90d"],
      ["PasswordReusePrevention", "1e1"],
    ] as const) {
      const res = await call({ Action: "UpdateAccountPasswordPolicy", [member]: value });
      expect(codeOf(res.xml), member).toBe("ValidationError");
      expect(res.xml).toContain("Member must be of type integer");
    }
  });
});

describe("patterned text refuses what the pattern refuses", () => {
  it.each(["\u0000", "\u0007"])("refuses a policy Description with %j and stores nothing", async (ch) => {
    const name = `strict-desc-${ch.charCodeAt(0)}`;
    const err = await awsError(
      iam.send(new CreatePolicyCommand({ PolicyName: name, PolicyDocument: doc(), Description: `bad${ch}text` })),
    );
    expect(err.name).toBe("ValidationError");
    expect(err.message).toContain(
      "at 'description' failed to satisfy constraint: Member must satisfy regular expression pattern: " +
        "[\\p{L}\\p{M}\\p{Z}\\p{S}\\p{N}\\p{P}]*",
    );
    const missing = await awsError(
      iam.send(new GetPolicyCommand({ PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/${name}` })),
    );
    expect(missing.name).toBe("NoSuchEntity");
  });

  it("keeps accepting ordinary and non-ASCII descriptions", async () => {
    const description = "Read-only: café, 日本 (v2)";
    await iam.send(
      new CreatePolicyCommand({ PolicyName: "strict-desc-ok", PolicyDocument: doc(), Description: description }),
    );
    const got = await iam.send(new GetPolicyCommand({ PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/strict-desc-ok` }));
    expect(got.Policy?.Description).toBe(description);
  });

  it.each(["\u0000", "\u0007"])("refuses a role Description with %j and stores nothing", async (ch) => {
    const name = `strict-role-${ch.charCodeAt(0)}`;
    const err = await awsError(
      iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: TRUST, Description: `a${ch}b` })),
    );
    expect(err.name).toBe("ValidationError");
    expect(err.message).toContain(
      "Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*",
    );
    expect((await awsError(iam.send(new GetRoleCommand({ RoleName: name })))).name).toBe("NoSuchEntity");
  });

  it("refuses a tag value with a control character and keeps the tags unchanged", async () => {
    await iam.send(new CreateUserCommand({ UserName: "strict-tags" }));
    const err = await awsError(
      iam.send(new TagUserCommand({ UserName: "strict-tags", Tags: [{ Key: "k", Value: "v\u0007" }] })),
    );
    expect(err.name).toBe("ValidationError");
    expect(err.message).toContain("at 'tags.1.member.value'");
    expect((await iam.send(new ListUserTagsCommand({ UserName: "strict-tags" }))).Tags).toEqual([]);
  });
});

describe("presigned URLs live for their X-Amz-Expires", () => {
  const presign = (expiresIn: number, now: Date) =>
    presignUrl({
      method: "GET",
      url: new URL(`${URL_BASE}?Action=GetUser&Version=2010-05-08`),
      accessKeyId: "test",
      secret: "test",
      region: "us-east-1",
      service: "iam",
      now,
      expiresIn,
    });

  it("works for an hour-long URL signed 20 minutes ago", async () => {
    const res = await SELF.fetch(await presign(3600, new Date(Date.now() - 20 * 60_000)));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain(`<Arn>arn:aws:iam::${ACCOUNT}:root</Arn>`);
  });

  it("refuses a one-second URL signed two seconds ago with RequestExpired", async () => {
    const res = await SELF.fetch(await presign(1, new Date(Date.now() - 2_000)));
    expect(res.status).toBe(400);
    const xml = await res.text();
    expect(codeOf(xml)).toBe("RequestExpired");
    expect(messageOf(xml)).toBe("Request has expired.");
  });

  it.each([
    [604_801, "X-Amz-Expires must be less than a week (in seconds) that is 604800"],
    [0, "X-Amz-Expires must be at least 1 second."],
  ])("refuses X-Amz-Expires=%i with IncompleteSignature", async (expires, message) => {
    const res = await SELF.fetch(await presign(expires, new Date()));
    expect(res.status).toBe(400);
    const xml = await res.text();
    expect(codeOf(xml)).toBe("IncompleteSignature");
    expect(messageOf(xml)).toBe(message);
  });

  it("refuses a non-integer X-Amz-Expires with IncompleteSignature", async () => {
    const url = await presign(60, new Date());
    url.searchParams.set("X-Amz-Expires", "60.5");
    const res = await SELF.fetch(url);
    expect(res.status).toBe(400);
    expect(codeOf(await res.text())).toBe("IncompleteSignature");
  });
});

// The query protocol at the HTTP level: signing errors, envelopes, GET form, unknown actions, bad bodies, STS.
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { presignUrl, signRequest } from "../../src/aws/sigv4";

const URL_BASE = "http://127.0.0.1:8787/";

async function signedPost(
  body: string,
  opts: { service?: string; secret?: string; accessKeyId?: string; now?: Date } = {},
): Promise<Response> {
  const url = new URL(URL_BASE);
  const headers = await signRequest({
    method: "POST",
    url,
    headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
    body,
    accessKeyId: opts.accessKeyId ?? "test",
    secret: opts.secret ?? "test",
    region: "us-east-1",
    service: opts.service ?? "iam",
    now: opts.now ?? new Date(),
  });
  return SELF.fetch(url, { method: "POST", headers, body });
}

function errorCode(xml: string): string | undefined {
  return /<Code>([^<]*)<\/Code>/.exec(xml)?.[1];
}

describe("query protocol", () => {
  it("writes success envelopes with the IAM namespace and a RequestId", async () => {
    const res = await signedPost("Action=ListUsers&Version=2010-05-08");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/xml");
    const xml = await res.text();
    expect(xml).toMatch(/<ListUsersResponse xmlns="https:\/\/iam\.amazonaws\.com\/doc\/2010-05-08\/">/);
    expect(xml).toMatch(
      /<ListUsersResult><Users\s*\/?>(<\/Users>)?<IsTruncated>false<\/IsTruncated><\/ListUsersResult>/,
    );
    expect(xml).toMatch(/<ResponseMetadata><RequestId>[0-9a-f-]{36}<\/RequestId><\/ResponseMetadata>/);
  });

  it("refuses unsigned calls with MissingAuthenticationToken", async () => {
    const res = await SELF.fetch(URL_BASE, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "Action=ListUsers&Version=2010-05-08",
    });
    expect(res.status).toBe(403);
    const xml = await res.text();
    expect(errorCode(xml)).toBe("MissingAuthenticationToken");
    expect(xml).toContain(
      '<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type>',
    );
  });

  it("refuses a wrong secret with SignatureDoesNotMatch and an unknown key with InvalidClientTokenId", async () => {
    const bad = await signedPost("Action=ListUsers&Version=2010-05-08", { secret: "wrong" });
    expect(bad.status).toBe(403);
    expect(errorCode(await bad.text())).toBe("SignatureDoesNotMatch");
    const unknown = await signedPost("Action=ListUsers&Version=2010-05-08", { accessKeyId: "AKIAUNKNOWNKEY000000" });
    expect(unknown.status).toBe(403);
    expect(errorCode(await unknown.text())).toBe("InvalidClientTokenId");
  });

  it("refuses a request signed more than 15 minutes ago with RequestExpired", async () => {
    const res = await signedPost("Action=ListUsers&Version=2010-05-08", { now: new Date(Date.now() - 16 * 60_000) });
    expect(res.status).toBe(400);
    expect(errorCode(await res.text())).toBe("RequestExpired");
  });

  it("answers a malformed Authorization header with IncompleteSignature", async () => {
    const res = await SELF.fetch(URL_BASE, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/iam/aws4_request",
        "x-amz-date": "20260101T000000Z",
      },
      body: "Action=ListUsers&Version=2010-05-08",
    });
    expect(res.status).toBe(400);
    expect(errorCode(await res.text())).toBe("IncompleteSignature");
  });

  it("accepts GET with the parameters in a presigned query string", async () => {
    const url = await presignUrl({
      method: "GET",
      url: new URL(`${URL_BASE}?Action=GetUser&Version=2010-05-08`),
      accessKeyId: "test",
      secret: "test",
      region: "us-east-1",
      service: "iam",
      now: new Date(),
      expiresIn: 300,
    });
    const res = await SELF.fetch(url);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("<Arn>arn:aws:iam::123456789012:root</Arn>");
  });

  it("answers an unknown action with InvalidAction and a missing one with MissingAction", async () => {
    const res = await signedPost("Action=MakeCoffee&Version=2010-05-08");
    expect(res.status).toBe(400);
    const xml = await res.text();
    expect(errorCode(xml)).toBe("InvalidAction");
    expect(xml).toContain("Could not find operation MakeCoffee for version 2010-05-08");
    const missing = await signedPost("Version=2010-05-08");
    expect(errorCode(await missing.text())).toBe("MissingAction");
  });

  it("never answers garbage or oversized bodies with a 500", async () => {
    const garbage = await signedPost("%%%&&&==Action=%ZZ");
    expect(garbage.status).toBeGreaterThanOrEqual(400);
    expect(garbage.status).toBeLessThan(500);
    const big = await signedPost(`Action=CreateUser&Version=2010-05-08&UserName=${"a".repeat(2 * 1024 * 1024)}`);
    expect(big.status).toBe(413);
    expect(errorCode(await big.text())).toBe("RequestEntityTooLarge");
    const missingName = await signedPost("Action=CreateUser&Version=2010-05-08");
    expect(missingName.status).toBe(400);
    const xml = await missingName.text();
    expect(errorCode(xml)).toBe("ValidationError");
    expect(xml).toContain("Value null at &apos;userName&apos; failed to satisfy constraint: Member must not be null");
  });

  it("serves STS GetCallerIdentity in the STS namespace", async () => {
    const res = await signedPost("Action=GetCallerIdentity&Version=2011-06-15", { service: "sts" });
    expect(res.status).toBe(200);
    const xml = await res.text();
    expect(xml).toContain('<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">');
    expect(xml).toContain("<Arn>arn:aws:iam::123456789012:root</Arn>");
    expect(xml).toContain("<Account>123456789012</Account>");
  });

  it("reports the D1 round trips a call made", async () => {
    const res = await signedPost("Action=ListUsers&Version=2010-05-08");
    expect(Number(res.headers.get("x-d1-round-trips"))).toBeGreaterThanOrEqual(1);
  });
});

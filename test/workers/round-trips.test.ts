// D1 round trips per call (the x-d1-round-trips header): what the isolate remembers, and what it must never serve stale.
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  PutUserPolicyCommand,
  UpdateAccessKeyCommand,
} from "@aws-sdk/client-iam";
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { signRequest } from "../../src/aws/sigv4";
import { iamClient } from "./sdk";

const root = iamClient();

async function call(body: string, key: { id: string; secret: string; token?: string }, service = "iam") {
  const url = new URL("http://127.0.0.1:8787/");
  const headers = await signRequest({
    method: "POST",
    url,
    headers: {
      "content-type": "application/x-www-form-urlencoded; charset=utf-8",
      ...(key.token ? { "x-amz-security-token": key.token } : {}),
    },
    body,
    accessKeyId: key.id,
    secret: key.secret,
    region: "us-east-1",
    service,
    now: new Date(),
  });
  const res = await SELF.fetch(url, { method: "POST", headers, body });
  return { status: res.status, trips: Number(res.headers.get("x-d1-round-trips")), text: await res.text() };
}

async function userKey(name: string) {
  await root.send(new CreateUserCommand({ UserName: name }));
  await root.send(
    new PutUserPolicyCommand({
      UserName: name,
      PolicyName: "all",
      PolicyDocument: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }],
      }),
    }),
  );
  const { AccessKey } = await root.send(new CreateAccessKeyCommand({ UserName: name }));
  return { id: AccessKey?.AccessKeyId ?? "", secret: AccessKey?.SecretAccessKey ?? "" };
}

const WHO = "Action=GetCallerIdentity&Version=2011-06-15";

describe("round trips", () => {
  it("looks a user's key up once, then serves it from the isolate (last use recorded off the response path)", async () => {
    const key = await userKey("rt-alice");
    const first = await call(WHO, key, "sts");
    expect(first.status).toBe(200);
    // The lookup, and the key's last use recorded once (started, not awaited).
    expect(first.trips).toBe(2);
    const second = await call(WHO, key, "sts");
    expect(second.status).toBe(200);
    // Neither again: the key is remembered and its last use was recorded moments ago.
    expect(second.trips).toBe(0);
  });

  it("refuses a key at once after it is deactivated or its user renamed, despite the isolate's memory", async () => {
    const key = await userKey("rt-bob");
    expect((await call(WHO, key, "sts")).status).toBe(200);
    await root.send(new UpdateAccessKeyCommand({ UserName: "rt-bob", AccessKeyId: key.id, Status: "Inactive" }));
    const refused = await call(WHO, key, "sts");
    expect(refused.status).toBe(403);
    expect(refused.text).toContain("InvalidClientTokenId");
    await root.send(new UpdateAccessKeyCommand({ UserName: "rt-bob", AccessKeyId: key.id, Status: "Active" }));
    expect((await call(WHO, key, "sts")).status).toBe(200);
    expect((await call("Action=UpdateUser&Version=2010-05-08&UserName=rt-bob&NewUserName=rt-robert", key)).status).toBe(
      200,
    );
    expect((await call(WHO, key, "sts")).text).toContain("arn:aws:iam::123456789012:user/rt-robert");
  });

  it("costs root nothing for GetCallerIdentity and one batch for a read", async () => {
    const root = { id: "test", secret: "test" };
    expect((await call(WHO, root, "sts")).trips).toBe(0);
    await userKey("rt-carol");
    expect((await call("Action=GetUser&Version=2010-05-08&UserName=rt-carol", root)).trips).toBeLessThanOrEqual(2);
  });
});

// D1 round trips per call (the x-d1-round-trips header): what the isolate remembers, and what it must never serve stale.
import {
  CreateAccessKeyCommand,
  CreatePolicyCommand,
  CreateUserCommand,
  DeleteUserPermissionsBoundaryCommand,
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

  it("forgets only the keys a credential write touched", async () => {
    const kept = await userKey("rt-kept");
    expect((await call(WHO, kept, "sts")).status).toBe(200);
    await root.send(new CreateUserCommand({ UserName: "rt-short-lived" }));
    expect(
      (await call("Action=DeleteUser&Version=2010-05-08&UserName=rt-short-lived", { id: "test", secret: "test" }))
        .status,
    ).toBe(200);
    // Another user's deletion leaves this key remembered: no lookup.
    expect((await call(WHO, kept, "sts")).trips).toBe(0);
  });

  it("costs root nothing for GetCallerIdentity and one batch for a read", async () => {
    const root = { id: "test", secret: "test" };
    expect((await call(WHO, root, "sts")).trips).toBe(0);
    await userKey("rt-carol");
    const got = await call("Action=GetUser&Version=2010-05-08&UserName=rt-carol", root);
    expect(got.text).toContain("<UserName>rt-carol</UserName>");
    expect(got.trips).toBe(1);
    const listed = await call("Action=ListUsers&Version=2010-05-08&MaxItems=5", root);
    expect(listed.text).toContain("<UserName>rt-carol</UserName>");
    expect(listed.trips).toBe(1);
  });

  it("answers a user's read with one round trip: its policies, the target and the handler's rows in one batch", async () => {
    const key = await userKey("rt-dave");
    await call(WHO, key, "sts"); // the key is now remembered
    for (const body of [
      "Action=GetUser&Version=2010-05-08&UserName=rt-dave",
      "Action=GetUser&Version=2010-05-08",
      "Action=ListUsers&Version=2010-05-08",
    ]) {
      const res = await call(body, key);
      expect(res.status).toBe(200);
      expect(res.text).toContain("<UserName>rt-dave</UserName>");
      expect(res.trips).toBe(1);
    }
    const missing = await call("Action=GetUser&Version=2010-05-08&UserName=rt-nobody", key);
    expect(missing.status).toBe(404);
    expect(missing.trips).toBe(1);
  });

  it("reads roles in one round trip, with their tags", async () => {
    const rootKey = { id: "test", secret: "test" };
    const trust = encodeURIComponent(
      JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
      }),
    );
    const created = await call(
      `Action=CreateRole&Version=2010-05-08&RoleName=rt-role&AssumeRolePolicyDocument=${trust}&Tags.member.1.Key=team&Tags.member.1.Value=blue`,
      rootKey,
    );
    expect(created.status).toBe(200);
    const got = await call("Action=GetRole&Version=2010-05-08&RoleName=rt-role", rootKey);
    expect(got.text).toContain("<Key>team</Key>");
    expect(got.trips).toBe(1);
    const listed = await call("Action=ListRoles&Version=2010-05-08", rootKey);
    expect(listed.text).toContain("<RoleName>rt-role</RoleName>");
    expect(listed.trips).toBe(1);
    expect((await call("Action=GetRole&Version=2010-05-08&RoleName=rt-none", rootKey)).status).toBe(404);
  });

  it("deletes a user in one round trip for root, and still refuses one with keys (DeleteConflict) without deleting it", async () => {
    const rootKey = { id: "test", secret: "test" };
    await userKey("rt-frank");
    const blocked = await call("Action=DeleteUser&Version=2010-05-08&UserName=rt-frank", rootKey);
    expect(blocked.status).toBe(409);
    expect(blocked.text).toContain("must delete access keys first");
    // The checks and the guarded deletes are one batch: the refusal costs no more than the deletion.
    expect(blocked.trips).toBe(1);
    await root.send(new CreateUserCommand({ UserName: "rt-gone" }));
    const deleted = await call("Action=DeleteUser&Version=2010-05-08&UserName=rt-gone", rootKey);
    expect(deleted.status).toBe(200);
    expect(deleted.trips).toBe(1);
    expect((await call("Action=GetUser&Version=2010-05-08&UserName=rt-gone", rootKey)).status).toBe(404);
    expect((await call("Action=GetUser&Version=2010-05-08&UserName=rt-frank", rootKey)).status).toBe(200);
  });

  it("sets a boundary and deletes a policy in one round trip for root and two for users, refusals included", async () => {
    const key = await userKey("rt-gina");
    await call(WHO, key, "sts");
    await root.send(new CreateUserCommand({ UserName: "rt-hank" }));
    const document = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }],
    });
    for (const [who, caller, writeTrips] of [
      ["root", { id: "test", secret: "test" }, 1],
      ["user", key, 2],
    ] as const) {
      const { Policy } = await root.send(
        new CreatePolicyCommand({ PolicyName: `rt-pol-${who}`, PolicyDocument: document }),
      );
      const arn = encodeURIComponent(Policy?.Arn ?? "");
      const bounded = await call(
        `Action=PutUserPermissionsBoundary&Version=2010-05-08&UserName=rt-hank&PermissionsBoundary=${arn}`,
        caller,
      );
      expect(bounded.status, who).toBe(200);
      expect(bounded.trips, who).toBe(writeTrips);
      // In use as a boundary: refused on the reads of the first batch, with no write sent.
      const blocked = await call(`Action=DeletePolicy&Version=2010-05-08&PolicyArn=${arn}`, caller);
      expect(blocked.status, who).toBe(409);
      expect(blocked.text, who).toContain("Cannot delete a policy attached to entities.");
      expect(blocked.trips, who).toBe(1);
      await root.send(new DeleteUserPermissionsBoundaryCommand({ UserName: "rt-hank" }));
      const deleted = await call(`Action=DeletePolicy&Version=2010-05-08&PolicyArn=${arn}`, caller);
      expect(deleted.status, who).toBe(200);
      expect(deleted.trips, who).toBe(writeTrips);
    }
  });

  it("attaches and detaches in one round trip for root and two for users, and lists attachments in one", async () => {
    const key = await userKey("rt-erin");
    await call(WHO, key, "sts");
    const arn = "arn:aws:iam::aws:policy/ReadOnlyAccess";
    // Root needs no authorization batch, so its checks and its guarded write go in one; a user's policies must be
    // read and decided before anything is written.
    for (const [who, caller, writeTrips] of [
      ["root", { id: "test", secret: "test" }, 1],
      ["user", key, 2],
    ] as const) {
      const attached = await call(
        `Action=AttachUserPolicy&Version=2010-05-08&UserName=rt-erin&PolicyArn=${arn}`,
        caller,
      );
      expect(attached.status, who).toBe(200);
      expect(attached.trips, who).toBe(writeTrips);
      const listed = await call("Action=ListAttachedUserPolicies&Version=2010-05-08&UserName=rt-erin", caller);
      expect(listed.text, who).toContain(`<PolicyArn>${arn}</PolicyArn>`);
      expect(listed.trips, who).toBe(1);
      const detached = await call(
        `Action=DetachUserPolicy&Version=2010-05-08&UserName=rt-erin&PolicyArn=${arn}`,
        caller,
      );
      expect(detached.status, who).toBe(200);
      expect(detached.trips, who).toBe(writeTrips);
    }
  });
});

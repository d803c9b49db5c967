// POST /_admin/reset: wipes all state for external test suites, only when enabled and only for root.
import { CreateAccessKeyCommand, CreateUserCommand, ListUsersCommand } from "@aws-sdk/client-iam";
import { createExecutionContext, SELF, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { signRequest } from "../../src/aws/sigv4";
import { iamClient } from "./sdk";

const RESET_URL = "http://127.0.0.1:8787/_admin/reset";

async function signedReset(creds = { id: "test", secret: "test" }): Promise<Request> {
  const url = new URL(RESET_URL);
  const headers = await signRequest({
    method: "POST",
    url,
    accessKeyId: creds.id,
    secret: creds.secret,
    region: "us-east-1",
    service: "iam",
    now: new Date(),
  });
  return new Request(url, { method: "POST", headers });
}

describe("POST /_admin/reset", () => {
  it("wipes every entity but keeps the root credentials working", async () => {
    const iam = iamClient();
    await iam.send(new CreateUserCommand({ UserName: "before-reset" }));
    const res = await SELF.fetch(await signedReset());
    expect(res.status).toBe(200);
    const after = await iam.send(new ListUsersCommand({}));
    expect(after.Users).toEqual([]);
  });

  it("refuses unsigned calls and callers other than root, changing nothing", async () => {
    const iam = iamClient();
    await iam.send(new CreateUserCommand({ UserName: "keeper" }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: "keeper" }));
    const unsigned = await SELF.fetch(RESET_URL, { method: "POST" });
    expect(unsigned.status).toBe(403);
    expect(await unsigned.text()).toContain("<Code>MissingAuthenticationToken</Code>");
    const asUser = await SELF.fetch(
      await signedReset({ id: AccessKey?.AccessKeyId ?? "", secret: AccessKey?.SecretAccessKey ?? "" }),
    );
    expect(asUser.status).toBe(403);
    expect(await asUser.text()).toContain("<Code>AccessDenied</Code>");
    const users = await iam.send(new ListUsersCommand({}));
    expect(users.Users?.map((u) => u.UserName)).toEqual(["keeper"]);
  });

  it("does not exist unless ALLOW_RESET is true", async () => {
    const app = createApp();
    const ctx = createExecutionContext();
    const res = await app.fetch(await signedReset(), { ...env, ALLOW_RESET: "false" }, ctx);
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(404);
  });
});

// POST /moto-api/reset: the unsigned reset of emulator test suites, only with ALLOW_RESET and only on this machine.
import { CreateUserCommand, ListUsersCommand, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { iamClient } from "./sdk";

async function post(url: string, vars: Record<string, string> = {}): Promise<Response> {
  const app = createApp();
  const ctx = createExecutionContext();
  const res = await app.fetch(new Request(url, { method: "POST" }), { ...env, ...vars }, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

describe("POST /moto-api/reset", () => {
  it("wipes every table, including rows that reference others, when ALLOW_RESET is true", async () => {
    const iam = iamClient();
    await iam.send(new CreateUserCommand({ UserName: "wiped" }));
    // An inline policy references its user: the wipe must not trip over the foreign key.
    await iam.send(
      new PutUserPolicyCommand({
        UserName: "wiped",
        PolicyName: "p",
        PolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }],
        }),
      }),
    );
    const res = await post("http://localhost:8787/moto-api/reset", { ALLOW_RESET: "true" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
    expect((await iam.send(new ListUsersCommand({}))).Users).toEqual([]);
    // The same name can be created again: nothing of the old user is left behind.
    await iam.send(new CreateUserCommand({ UserName: "wiped" }));
  });

  it("is not served unless ALLOW_RESET is true, and never to a non-local host name", async () => {
    const iam = iamClient();
    await iam.send(new CreateUserCommand({ UserName: "kept" }));
    const before = (await iam.send(new ListUsersCommand({}))).Users?.map((u) => u.UserName);
    expect(before).toContain("kept");
    expect((await post("http://localhost:8787/moto-api/reset", { ALLOW_RESET: "false" })).status).toBe(404);
    expect((await post("https://iam.example.com/moto-api/reset", { ALLOW_RESET: "true" })).status).not.toBe(200);
    const after = await iam.send(new ListUsersCommand({}));
    expect(after.Users?.map((u) => u.UserName)).toEqual(before);
  });
});

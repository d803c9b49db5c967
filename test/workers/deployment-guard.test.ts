// A deployment still on wrangler.toml's development secrets refuses every call; local development servers work.
import { GetUserCommand } from "@aws-sdk/client-iam";
import { SELF } from "cloudflare:test";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import {
  deploymentGuard,
  developmentSecretsInUse,
  DEVELOPMENT_SECRETS,
  isLocalHost,
} from "../../src/api/deployment-guard";
import { AwsError } from "../../src/aws/errors";
import type { AppEnv, Env } from "../../src/env";
import { iamClient, signedPost } from "./sdk";

const DEPLOYED = "https://iam-simulator.example.workers.dev/";
const STRONG = {
  ROOT_ACCESS_KEY_ID: "AKIAROOTKEYDEPLOYED1",
  ROOT_SECRET_ACCESS_KEY: "a-real-secret-from-wrangler-secret-put",
  SECRET_ENCRYPTION_KEY: "another-real-secret-from-wrangler-secret-put",
};

/** A root-signed ListUsers POST to `base`, as a client of that host name would send it. */
function listUsersAt(base: string): Promise<Response> {
  return signedPost("Action=ListUsers&Version=2010-05-08", { base });
}

describe("developmentSecretsInUse", () => {
  it("names every secret still at its committed default on a deployed host", () => {
    expect(developmentSecretsInUse({ ...DEVELOPMENT_SECRETS }, new URL(DEPLOYED))).toEqual([
      "ROOT_ACCESS_KEY_ID",
      "ROOT_SECRET_ACCESS_KEY",
      "SECRET_ENCRYPTION_KEY",
    ]);
    expect(developmentSecretsInUse({ ...STRONG, SECRET_ENCRYPTION_KEY: "" }, new URL(DEPLOYED))).toEqual([
      "SECRET_ENCRYPTION_KEY",
    ]);
    const { ROOT_SECRET_ACCESS_KEY: _omitted, ...withoutRootSecret } = STRONG;
    expect(developmentSecretsInUse(withoutRootSecret, new URL(DEPLOYED))).toEqual(["ROOT_SECRET_ACCESS_KEY"]);
  });

  it("is empty when every secret is set, on a local server, or when explicitly allowed", () => {
    expect(developmentSecretsInUse(STRONG, new URL(DEPLOYED))).toEqual([]);
    for (const local of [
      "http://localhost:8787/",
      "http://127.0.0.1:8787/",
      "http://127.1.2.3/",
      "http://[::1]:8787/",
      "http://iam.localhost/",
      "http://LOCALHOST./",
    ]) {
      expect(developmentSecretsInUse({ ...DEVELOPMENT_SECRETS }, new URL(local)), local).toEqual([]);
    }
    expect(
      developmentSecretsInUse({ ...DEVELOPMENT_SECRETS, ALLOW_DEVELOPMENT_SECRETS: "true" }, new URL(DEPLOYED)),
    ).toEqual([]);
    expect(
      developmentSecretsInUse({ ...DEVELOPMENT_SECRETS, ALLOW_DEVELOPMENT_SECRETS: "yes" }, new URL(DEPLOYED)),
    ).toHaveLength(3);
  });

  it("does not take look-alike host names for local ones", () => {
    for (const host of ["localhost.example.com", "127.0.0.1.nip.io", "notlocalhost", "10.0.0.1", "0.0.0.0"]) {
      expect(isLocalHost(host), host).toBe(false);
    }
  });
});

describe("the deployed Worker", () => {
  it("refuses a call on a non-local host name with a 503 naming the secrets to set", async () => {
    const res = await listUsersAt(DEPLOYED);
    expect(res.status).toBe(503);
    const xml = await res.text();
    expect(xml).toContain("<Code>ServiceUnavailable</Code>");
    expect(xml).toContain("<Type>Receiver</Type>");
    expect(xml).toContain(
      "This deployment still uses the development value of ROOT_ACCESS_KEY_ID, ROOT_SECRET_ACCESS_KEY and " +
        "SECRET_ENCRYPTION_KEY; set them with `wrangler secret put ROOT_ACCESS_KEY_ID`, " +
        "`wrangler secret put ROOT_SECRET_ACCESS_KEY`, `wrangler secret put SECRET_ENCRYPTION_KEY`",
    );
    expect(xml).not.toContain("<ListUsersResponse");
  });

  it("refuses unsigned, admin and simulate calls too", async () => {
    for (const [path, init] of [
      ["", { method: "GET" }],
      ["_admin/reset", { method: "POST" }],
      ["v1/simulate", { method: "POST", body: "{}" }],
    ] as const) {
      const res = await SELF.fetch(`${DEPLOYED}${path}`, init);
      expect(res.status, path).toBe(503);
      expect(await res.text(), path).toContain("ServiceUnavailable");
    }
  });

  it("serves local development servers with no setup", async () => {
    for (const local of ["http://localhost:8787/", "http://127.0.0.1:8787/"]) {
      const res = await listUsersAt(local);
      expect(res.status, local).toBe(200);
      expect(await res.text()).toContain("<ListUsersResponse");
    }
    const out = await iamClient().send(new GetUserCommand({}));
    expect(out.User?.Arn).toBe("arn:aws:iam::123456789012:root");
  });
});

describe("deploymentGuard middleware", () => {
  const app = new Hono<AppEnv>();
  app.use(deploymentGuard);
  app.get("/", (c) => c.text("served"));
  app.onError((err, c) =>
    c.text(err instanceof AwsError ? `${err.code} ${err.status}` : "unexpected", err instanceof AwsError ? 503 : 500),
  );
  const run = async (vars: Partial<Env> & { ALLOW_DEVELOPMENT_SECRETS?: string }) => {
    const res = await app.request(DEPLOYED, {}, vars as Env);
    return `${res.status} ${await res.text()}`;
  };

  it("lets a deployment with real secrets through and stops one with the defaults", async () => {
    expect(await run(STRONG)).toBe("200 served");
    expect(await run({ ...STRONG, ROOT_SECRET_ACCESS_KEY: "test" })).toBe("503 ServiceUnavailable 503");
    expect(await run({ ...DEVELOPMENT_SECRETS, ALLOW_DEVELOPMENT_SECRETS: "true" })).toBe("200 served");
  });
});

// End to end: role sessions against `wrangler dev` with the AWS CLI v2 (assume-role, exported credentials) and the
// JS SDK's shared-config role profile (role_arn + source_profile + endpoint_url), resolved by fromIni itself.
import { IAMClient, ListUsersCommand } from "@aws-sdk/client-iam";
import { fromIni } from "@aws-sdk/credential-provider-ini";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevServer, type DevServer } from "../../scripts/lib/dev-server.ts";
import { findAwsCliV2, makeCli, type CliResult } from "./aws-cli.ts";

const cliBin = findAwsCliV2();
if (!cliBin)
  console.warn("Skipping the AWS CLI part of the STS session: AWS CLI v2 not found (apt-get install awscli).");

const ACCOUNT = "123456789012";
const policy = (statements: object[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const TRUST = policy([
  {
    Effect: "Allow",
    Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
    Action: "sts:AssumeRole",
    Condition: { StringEquals: { "sts:ExternalId": "e2e-external" } },
  },
]);

function ok(r: CliResult): Record<string, unknown> {
  if (r.status !== 0) throw new Error(`aws exited ${r.status}: ${r.stderr}`);
  return r.json() as Record<string, unknown>;
}

describe("role sessions against wrangler dev", () => {
  let server: DevServer;
  let dir: string;
  const key = { id: "", secret: "" };

  beforeAll(async () => {
    server = await startDevServer({ ALLOW_RESET: "true" });
    dir = mkdtempSync(join(tmpdir(), "sts-e2e-"));
    // Set up with the SDK as root: a user allowed to assume, and a role that may only list users.
    const root = new IAMClient({
      endpoint: server.url,
      region: "us-east-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
    const { CreateUserCommand, PutUserPolicyCommand, CreateAccessKeyCommand, CreateRoleCommand, PutRolePolicyCommand } =
      await import("@aws-sdk/client-iam");
    await root.send(new CreateUserCommand({ UserName: "e2e-switcher" }));
    await root.send(
      new PutUserPolicyCommand({
        UserName: "e2e-switcher",
        PolicyName: "assume",
        PolicyDocument: policy([{ Effect: "Allow", Action: "sts:AssumeRole", Resource: "*" }]),
      }),
    );
    const created = await root.send(new CreateAccessKeyCommand({ UserName: "e2e-switcher" }));
    key.id = created.AccessKey?.AccessKeyId ?? "";
    key.secret = created.AccessKey?.SecretAccessKey ?? "";
    await root.send(new CreateRoleCommand({ RoleName: "e2e-lister", AssumeRolePolicyDocument: TRUST }));
    await root.send(
      new PutRolePolicyCommand({
        RoleName: "e2e-lister",
        PolicyName: "list",
        PolicyDocument: policy([{ Effect: "Allow", Action: ["iam:ListUsers", "iam:ListRoles"], Resource: "*" }]),
      }),
    );
  });
  afterAll(async () => {
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf(!cliBin)("aws sts assume-role, then IAM calls as the session, cut by its session policy", () => {
    const asUser = makeCli(cliBin as string, server.url, key);
    const roleArn = `arn:aws:iam::${ACCOUNT}:role/e2e-lister`;
    const denied = asUser("sts", "assume-role", "--role-arn", roleArn, "--role-session-name", "cli");
    expect(denied.status).not.toBe(0);
    expect(denied.stderr).toContain("AccessDenied");

    const out = ok(
      asUser(
        "sts",
        "assume-role",
        "--role-arn",
        roleArn,
        "--role-session-name",
        "cli",
        "--external-id",
        "e2e-external",
        "--policy",
        policy([{ Effect: "Allow", Action: "iam:ListUsers", Resource: "*" }]),
      ),
    );
    const creds = out.Credentials as Record<string, string>;
    expect(creds.AccessKeyId).toMatch(/^ASIA/);
    const asSession = makeCli(cliBin as string, server.url, {
      id: creds.AccessKeyId ?? "",
      secret: creds.SecretAccessKey ?? "",
      token: creds.SessionToken ?? "",
    });
    expect(ok(asSession("sts", "get-caller-identity")).Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/e2e-lister/cli`);
    const users = ok(asSession("iam", "list-users")).Users as { UserName: string }[];
    expect(users.map((u) => u.UserName)).toContain("e2e-switcher");
    // The role allows ListRoles, the session policy does not.
    const cut = asSession("iam", "list-roles");
    expect(cut.status).not.toBe(0);
    expect(cut.stderr).toContain("because no session policy allows the iam:ListRoles action");
  });

  it("the SDK's fromIni assumes a role profile against the simulator's endpoint", async () => {
    const config = join(dir, "config");
    const credentials = join(dir, "credentials");
    writeFileSync(credentials, `[source]\naws_access_key_id = ${key.id}\naws_secret_access_key = ${key.secret}\n`);
    writeFileSync(
      config,
      [
        "[profile source]",
        "region = us-east-1",
        `endpoint_url = ${server.url}`,
        "[profile lister]",
        "region = us-east-1",
        `role_arn = arn:aws:iam::${ACCOUNT}:role/e2e-lister`,
        "source_profile = source",
        "external_id = e2e-external",
        "duration_seconds = 900",
        "role_session_name = from-ini",
        `endpoint_url = ${server.url}`,
        "",
      ].join("\n"),
    );
    // As a user runs it: the shared files and profile named by the environment, where the SDK's own STS client
    // (the one fromIni assumes the role with) also finds the profile's endpoint_url.
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_CONFIG_FILE: config,
      AWS_SHARED_CREDENTIALS_FILE: credentials,
      AWS_PROFILE: "lister",
    });
    let creds: Awaited<ReturnType<ReturnType<typeof fromIni>>>;
    try {
      creds = await fromIni({ profile: "lister" })();
    } finally {
      for (const k of ["AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_PROFILE"]) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
    }
    expect(creds.accessKeyId).toMatch(/^ASIA/);
    expect(creds.sessionToken).toBeTruthy();
    const lifetime = (creds.expiration?.getTime() ?? 0) - Date.now();
    expect(lifetime).toBeGreaterThan(800_000);
    expect(lifetime).toBeLessThanOrEqual(900_000);
    const iam = new IAMClient({ endpoint: server.url, region: "us-east-1", credentials: creds });
    const listed = await iam.send(new ListUsersCommand({}));
    expect(listed.Users?.map((u) => u.UserName)).toContain("e2e-switcher");
  });
});

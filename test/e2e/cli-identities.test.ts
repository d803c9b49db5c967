// End to end with the AWS CLI v2 against `wrangler dev`: an instance profile, a virtual MFA device enabled with real
// TOTP codes and an MFA-protected AssumeRole, and the credential report.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_enable_virtual.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_configure-api-require.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html
import { createHmac } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevServer, type DevServer } from "../../scripts/lib/dev-server.ts";
import { findAwsCliV2, makeCli, type CliResult } from "./aws-cli.ts";

const cliBin = findAwsCliV2();
if (!cliBin) console.warn("Skipping the AWS CLI identities test: AWS CLI v2 not found (apt-get install awscli).");

const ACCOUNT = "123456789012";

function ok(r: CliResult): Record<string, unknown> {
  if (r.status !== 0) throw new Error(`aws exited ${r.status}: ${r.stderr}`);
  return r.json() as Record<string, unknown>;
}

/** RFC 4648 Base32 to bytes (the seed the CLI writes out). */
function base32(text: string): Buffer {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const ch of text.replace(/=+$/, "").toUpperCase()) {
    value = (value << 5) | alphabet.indexOf(ch);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** RFC 6238 TOTP (HMAC-SHA1, 30-second steps, 6 digits) for a step, written here independently of the Worker. */
function totp(seed: Buffer, step: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac("sha1", seed).update(counter).digest();
  const offset = (mac[mac.length - 1] as number) & 0x0f;
  const code = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(code).padStart(6, "0");
}

describe.skipIf(!cliBin)("AWS CLI v2: instance profiles, MFA and the credential report", () => {
  let server: DevServer;
  let aws: ReturnType<typeof makeCli>;
  let dir: string;

  beforeAll(async () => {
    server = await startDevServer({});
    aws = makeCli(cliBin as string, server.url);
    dir = mkdtempSync(join(tmpdir(), "iam-sim-cli-"));
  });
  afterAll(async () => {
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("puts a role in an instance profile, refuses to delete it there, and tears down in AWS's order", () => {
    const trust = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
    });
    ok(aws("iam", "create-role", "--role-name", "cli-ec2", "--assume-role-policy-document", trust));
    const profile = ok(aws("iam", "create-instance-profile", "--instance-profile-name", "cli-web", "--path", "/web/"));
    expect(profile).toMatchObject({
      InstanceProfile: { Arn: `arn:aws:iam::${ACCOUNT}:instance-profile/web/cli-web`, Roles: [] },
    });
    ok(aws("iam", "add-role-to-instance-profile", "--instance-profile-name", "cli-web", "--role-name", "cli-ec2"));
    const got = ok(aws("iam", "get-instance-profile", "--instance-profile-name", "cli-web"));
    expect((got.InstanceProfile as { Roles: { RoleName: string }[] }).Roles.map((r) => r.RoleName)).toEqual([
      "cli-ec2",
    ]);
    const forRole = ok(aws("iam", "list-instance-profiles-for-role", "--role-name", "cli-ec2"));
    expect((forRole.InstanceProfiles as { InstanceProfileName: string }[]).map((p) => p.InstanceProfileName)).toEqual([
      "cli-web",
    ]);
    // A profile holds one role.
    ok(aws("iam", "create-role", "--role-name", "cli-ec2-b", "--assume-role-policy-document", trust));
    const second = aws(
      "iam",
      "add-role-to-instance-profile",
      "--instance-profile-name",
      "cli-web",
      "--role-name",
      "cli-ec2-b",
    );
    expect(second.status).not.toBe(0);
    expect(second.stderr).toContain("LimitExceeded");
    const busy = aws("iam", "delete-role", "--role-name", "cli-ec2");
    expect(busy.status).not.toBe(0);
    expect(busy.stderr).toContain("DeleteConflict");
    ok(aws("iam", "remove-role-from-instance-profile", "--instance-profile-name", "cli-web", "--role-name", "cli-ec2"));
    ok(aws("iam", "delete-instance-profile", "--instance-profile-name", "cli-web"));
    ok(aws("iam", "delete-role", "--role-name", "cli-ec2"));
  });

  it("enables a virtual MFA device with two consecutive codes; the role's trust then demands MFA", () => {
    ok(aws("iam", "create-user", "--user-name", "cli-mfa"));
    const seedFile = join(dir, "seed.txt");
    const created = ok(
      aws(
        "iam",
        "create-virtual-mfa-device",
        "--virtual-mfa-device-name",
        "cli-mfa-device",
        "--outfile",
        seedFile,
        "--bootstrap-method",
        "Base32StringSeed",
      ),
    );
    const serial = (created.VirtualMFADevice as { SerialNumber: string }).SerialNumber;
    expect(serial).toBe(`arn:aws:iam::${ACCOUNT}:mfa/cli-mfa-device`);
    const seed = base32(readFileSync(seedFile, "utf8").trim());
    expect(seed.length).toBe(20);

    const step = Math.floor(Date.now() / 30_000);
    const wrong = aws(
      "iam",
      "enable-mfa-device",
      "--user-name",
      "cli-mfa",
      "--serial-number",
      serial,
      "--authentication-code1",
      totp(seed, step - 1),
      "--authentication-code2",
      totp(seed, step - 1),
    );
    expect(wrong.status).not.toBe(0);
    expect(wrong.stderr).toContain("InvalidAuthenticationCode");
    ok(
      aws(
        "iam",
        "enable-mfa-device",
        "--user-name",
        "cli-mfa",
        "--serial-number",
        serial,
        "--authentication-code1",
        totp(seed, step - 1),
        "--authentication-code2",
        totp(seed, step),
      ),
    );
    const devices = ok(aws("iam", "list-mfa-devices", "--user-name", "cli-mfa"));
    expect((devices.MFADevices as { SerialNumber: string }[]).map((d) => d.SerialNumber)).toEqual([serial]);

    const trust = JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
          Action: "sts:AssumeRole",
          Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } },
        },
      ],
    });
    ok(aws("iam", "create-role", "--role-name", "cli-mfa-role", "--assume-role-policy-document", trust));
    const allow = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: "*" }],
    });
    ok(aws("iam", "put-user-policy", "--user-name", "cli-mfa", "--policy-name", "assume", "--policy-document", allow));
    const key = ok(aws("iam", "create-access-key", "--user-name", "cli-mfa")).AccessKey as {
      AccessKeyId: string;
      SecretAccessKey: string;
    };
    const asUser = makeCli(cliBin as string, server.url, { id: key.AccessKeyId, secret: key.SecretAccessKey });
    const roleArn = `arn:aws:iam::${ACCOUNT}:role/cli-mfa-role`;

    const withoutMfa = asUser("sts", "assume-role", "--role-arn", roleArn, "--role-session-name", "no-mfa");
    expect(withoutMfa.status).not.toBe(0);
    expect(withoutMfa.stderr).toContain("AccessDenied");
    // A code of a later step than `step`, the device's last used one: a code is never accepted twice.
    const session = ok(
      asUser(
        "sts",
        "assume-role",
        "--role-arn",
        roleArn,
        "--role-session-name",
        "with-mfa",
        "--serial-number",
        serial,
        "--token-code",
        totp(seed, Math.max(step + 1, Math.floor(Date.now() / 30_000))),
      ),
    );
    expect(session).toMatchObject({
      AssumedRoleUser: { Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/cli-mfa-role/with-mfa` },
    });
  });

  it("generates the credential report and returns it as the CSV AWS documents", () => {
    const started = ok(aws("iam", "generate-credential-report"));
    expect(["STARTED", "INPROGRESS", "COMPLETE"]).toContain(started.State);
    let report: Record<string, unknown> = {};
    for (let i = 0; i < 10; i++) {
      const r = aws("iam", "get-credential-report");
      if (r.status === 0) {
        report = r.json() as Record<string, unknown>;
        break;
      }
      ok(aws("iam", "generate-credential-report"));
    }
    expect(report.ReportFormat).toBe("text/csv");
    const csv = Buffer.from(report.Content as string, "base64")
      .toString("utf8")
      .trim()
      .split("\n");
    const header = (csv[0] ?? "").split(",");
    expect(header.slice(0, 8)).toEqual([
      "user",
      "arn",
      "user_creation_time",
      "password_enabled",
      "password_last_used",
      "password_last_changed",
      "password_next_rotation",
      "mfa_active",
    ]);
    const rows = csv.slice(1).map((line) => line.split(","));
    expect(rows[0]?.[0]).toBe("<root_account>");
    const mfaUser = rows.find((r) => r[0] === "cli-mfa");
    expect(mfaUser?.[1]).toBe(`arn:aws:iam::${ACCOUNT}:user/cli-mfa`);
    expect(mfaUser?.[header.indexOf("mfa_active")]).toBe("true");
    expect(mfaUser?.[header.indexOf("access_key_1_active")]).toBe("true");
  });
});

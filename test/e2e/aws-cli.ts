// Runs the AWS CLI v2 (Debian's awscli) against a local endpoint with the simulator's default credentials.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

/** Debian installs CLI v2 at /usr/bin/aws; an `aws` earlier on PATH may be v1, which we do not target. */
export function findAwsCliV2(): string | undefined {
  for (const candidate of ["/usr/bin/aws", "aws"]) {
    if (candidate.startsWith("/") && !existsSync(candidate)) continue;
    const out = spawnSync(candidate, ["--version"], { encoding: "utf8" });
    if (out.status === 0 && /^aws-cli\/2\./.test(out.stdout.trim())) return candidate;
  }
  return undefined;
}

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
  json: () => unknown;
}

export interface CliCredentials {
  id: string;
  secret: string;
  /** The session token of temporary credentials (AWS_SESSION_TOKEN). */
  token?: string;
}

export function makeCli(bin: string, endpoint: string, creds: CliCredentials = { id: "test", secret: "test" }) {
  return (...args: string[]): CliResult => {
    const out = spawnSync(bin, ["--endpoint-url", endpoint, "--output", "json", ...args], {
      encoding: "utf8",
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: process.env.HOME ?? "/tmp",
        AWS_ACCESS_KEY_ID: creds.id,
        AWS_SECRET_ACCESS_KEY: creds.secret,
        ...(creds.token !== undefined ? { AWS_SESSION_TOKEN: creds.token } : {}),
        AWS_DEFAULT_REGION: "us-east-1",
        AWS_CONFIG_FILE: "/dev/null",
        AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
        AWS_PAGER: "",
        AWS_EC2_METADATA_DISABLED: "true",
        AWS_MAX_ATTEMPTS: "1",
      },
    });
    return {
      status: out.status ?? -1,
      stdout: out.stdout,
      stderr: out.stderr,
      json: () => (out.stdout.trim() ? JSON.parse(out.stdout) : {}),
    };
  };
}

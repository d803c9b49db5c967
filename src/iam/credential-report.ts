// GenerateCredentialReport and GetCredentialReport: AWS's CSV of every user's passwords, access keys and MFA.
import { z } from "zod";
import { AwsError } from "../aws/errors";
import { toBase64 } from "../aws/crypto";
import { iamOperation } from "../core/operation";
import { loadCredentialData, readReport, REPORT_TTL_SECONDS, writeReport } from "../store/credential-report";

/** The columns AWS documents, in its order. */
const COLUMNS = [
  "user",
  "arn",
  "user_creation_time",
  "password_enabled",
  "password_last_used",
  "password_last_changed",
  "password_next_rotation",
  "mfa_active",
  "access_key_1_active",
  "access_key_1_last_rotated",
  "access_key_1_last_used_date",
  "access_key_1_last_used_region",
  "access_key_1_last_used_service",
  "access_key_2_active",
  "access_key_2_last_rotated",
  "access_key_2_last_used_date",
  "access_key_2_last_used_region",
  "access_key_2_last_used_service",
  "cert_1_active",
  "cert_1_last_rotated",
  "cert_2_active",
  "cert_2_last_rotated",
];

/** AWS writes times as ISO 8601 without milliseconds, and N/A where a value cannot exist. */
const time = (ms: number | null | undefined, missing = "N/A") =>
  ms === null || ms === undefined ? missing : new Date(ms).toISOString().replace(/\.\d{3}Z$/, "+00:00");

async function buildCsv(db: Parameters<typeof loadCredentialData>[0], accountId: string): Promise<string> {
  const data = await loadCredentialData(db, accountId);
  const withMfa = new Set(data.devices.map((d) => d.userId));
  const rows: string[][] = [
    // The root user's own row: its keys and password live outside IAM here, so they read as not in use.
    [
      "<root_account>",
      `arn:aws:iam::${accountId}:root`,
      time(0),
      "not_supported",
      "N/A",
      "not_supported",
      "not_supported",
      "false",
      ...["false", "N/A", "N/A", "N/A", "N/A"],
      ...["false", "N/A", "N/A", "N/A", "N/A"],
      ...["false", "N/A", "false", "N/A"],
    ],
  ];
  for (const u of data.users) {
    const profile = data.profiles.find((p) => p.userId === u.id);
    const keys = data.keys.filter((k) => k.userId === u.id).slice(0, 2);
    const keyColumns = [0, 1].flatMap((n) => {
      const k = keys[n];
      return k
        ? [
            String(k.status === "Active"),
            time(k.createdAt),
            time(k.lastUsedAt),
            k.lastUsedRegion ?? "N/A",
            k.lastUsedService ?? "N/A",
          ]
        : ["false", "N/A", "N/A", "N/A", "N/A"];
    });
    rows.push([
      u.name,
      u.arn,
      time(u.createdAt),
      String(profile !== undefined),
      profile ? time(u.passwordLastUsed, "no_information") : "N/A",
      profile ? time(profile.createdAt) : "N/A",
      "N/A",
      String(withMfa.has(u.id)),
      ...keyColumns,
      ...["false", "N/A", "false", "N/A"],
    ]);
  }
  return [COLUMNS, ...rows].map((r) => r.join(",")).join("\n");
}

export const generateCredentialReport = iamOperation(
  "GenerateCredentialReport",
  z.object({}),
  () => "*",
  async (_i, ctx) => {
    const existing = await readReport(ctx.env.KV, ctx.accountId);
    if (existing && ctx.now.getTime() - existing.generatedAt < REPORT_TTL_SECONDS * 1000) {
      return { State: "COMPLETE" };
    }
    // Generated at once; AWS answers STARTED for a new report, and COMPLETE to the next request.
    const csv = await buildCsv(ctx.db, ctx.accountId);
    await writeReport(ctx.env.KV, ctx.accountId, { generatedAt: ctx.now.getTime(), csv });
    return { State: "STARTED", Description: "No report exists. Starting a new report generation task" };
  },
);

export const getCredentialReport = iamOperation(
  "GetCredentialReport",
  z.object({}),
  () => "*",
  async (_i, ctx) => {
    const report = await readReport(ctx.env.KV, ctx.accountId);
    if (!report) {
      throw new AwsError(
        "ReportNotPresent",
        "Credential report not present. Call GenerateCredentialReport to generate a new report.",
      );
    }
    if (ctx.now.getTime() - report.generatedAt >= REPORT_TTL_SECONDS * 1000) {
      throw new AwsError("ReportExpired", "Credential report is expired. Call GenerateCredentialReport.");
    }
    return {
      // A blob member: base64 on the wire.
      Content: toBase64(new TextEncoder().encode(report.csv)),
      ReportFormat: "text/csv",
      GeneratedTime: new Date(report.generatedAt),
    };
  },
);

export const credentialReportOperations = [generateCredentialReport, getCredentialReport];

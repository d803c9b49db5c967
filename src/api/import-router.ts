// POST /v1/accounts/import: the root user loads a GetAccountAuthorizationDetails snapshot into an account; JSON errors.
import { Hono } from "hono";
import { AwsError } from "../aws/errors";
import { snapshotFromXml } from "../iam/account-snapshot-xml";
import { authenticate } from "../core/authenticate";
import { invalidateCredentials } from "../core/credential-cache";
import type { AppEnv } from "../env";
import { importAccount } from "../iam/account-import";
import { asAwsError } from "./errors";
import { readBody } from "./query-router";
import { partRef, receivePart } from "../store/import-uploads";
import { requestServices } from "./request-services";

/** The same cap as /v1/simulate: a 5,000-user account exported by the CLI fits with room to spare. */
const MAX_IMPORT_BODY_BYTES = 8 * 1024 * 1024;

export const importRouter = new Hono<AppEnv>();

importRouter.post("/accounts/import", async (c) => {
  const now = new Date();
  const body = await readBody(c, MAX_IMPORT_BODY_BYTES);
  const services = requestServices(c, now, "us-east-1");
  const url = new URL(c.req.url);
  const { principal } = await authenticate(
    services,
    { method: "POST", url, headers: c.req.raw.headers, body },
    now,
    services.waitUntil,
  );
  c.set("principal", principal);
  // Creating or replacing a whole account is the account owner's act; no IAM policy can grant it.
  // An AssumeRoot session is only as strong as its task policy, which grants no import.
  if (principal.kind !== "root" || principal.assumedRoot) {
    throw new AwsError(
      "AccessDenied",
      `User: ${principal.arn} is not authorized to import an account: only the root user may.`,
    );
  }
  // A snapshot larger than one body arrives in parts (?upload=<id>&part=<n>&of=<total>); the last one imports.
  const ref = partRef(principal.accountId, url.searchParams);
  let whole = body;
  if (ref) {
    const assembled = await receivePart(c.env.KV, ref, body);
    if (assembled === undefined) return c.json({ upload: ref.upload, received: ref.part, of: ref.of }, 202);
    whole = assembled;
  }
  const account = url.searchParams.get("account") ?? undefined;
  const mode = url.searchParams.get("mode");
  if (mode !== null && mode !== "replace") {
    throw new AwsError("ValidationError", `Unknown mode ${mode}: the only mode is replace.`);
  }
  // A member account's root (a session in its own account) may load only that account; the deployment's root any.
  if (principal.accountId !== c.env.DEFAULT_ACCOUNT_ID && account !== undefined && account !== principal.accountId) {
    throw new AwsError("AccessDenied", `The root user of ${principal.accountId} may import only into its own account.`);
  }
  const text = new TextDecoder().decode(whole);
  let parsed: unknown;
  // The AWS CLI's JSON, or the query API's own XML pages (one or more GetAccountAuthorizationDetailsResponse).
  if (text.trimStart().startsWith("<")) parsed = snapshotFromXml(text);
  else {
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new AwsError("ValidationError", "The snapshot is not valid JSON (is the file complete?).");
    }
  }
  const report = await importAccount(services.db, parsed, {
    account: account ?? (principal.accountId !== c.env.DEFAULT_ACCOUNT_ID ? principal.accountId : undefined),
    replace: mode === "replace",
    defaultAccountId: c.env.DEFAULT_ACCOUNT_ID,
    now,
  });
  // Replacing deleted the account's access keys; keys this isolate remembers must not outlive them.
  if (mode === "replace") invalidateCredentials();
  return c.json(report);
});

importRouter.onError((err, c) => {
  const id = c.get("requestId");
  const known = asAwsError(err, id);
  return c.json({ error: { code: known.code, message: known.message }, requestId: id }, known.status as 400);
});

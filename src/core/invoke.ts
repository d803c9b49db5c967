// The protocol-neutral core: validate an operation's input, authorize it for the principal, run its handler.
import type { BatchItem } from "drizzle-orm/batch";
import { partitionOf } from "../aws/arn";
import { AwsError } from "../aws/errors";
import type { XmlValue } from "../aws/xml";
import { parseInput } from "../api/validation";
import type { Env } from "../env";
import type { Db } from "../store/db";
import type { SessionStore } from "../store/sessions";
import { recordAccess } from "./access-record";
import { authorize } from "./authorize";
import { credentialWriteDone } from "./credential-cache";
import type { Operation, OperationContext } from "./operation";
import type { Principal } from "./principal";

/** The services and facts of one request that every operation may use. */
export interface Services {
  env: Env;
  db: Db;
  sessions: SessionStore;
  requestId: string;
  now: Date;
  region: string;
  sourceIp?: string;
  secureTransport: boolean;
  /** The request reached a development server on this machine (localhost or loopback, as the deployment guard sees it). */
  localRequest?: boolean;
  /** The origin (scheme, host, port) the request reached: what this Worker serves under, e.g. outbound issuers. */
  origin?: string;
  waitUntil: (promise: Promise<unknown>) => void;
}

/**
 * What AWS documents for temporary credentials that are not role sessions: GetSessionToken credentials call IAM only
 * with MFA and STS only for AssumeRole and GetCallerIdentity; GetFederationToken credentials call no IAM operation
 * and only GetCallerIdentity in STS.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any operation
function refuseBySessionKind(op: Operation<any>, principal: Principal): void {
  const temporary = principal.credentials.tokenIssuedAt !== undefined;
  // An AssumeRoot session acts as its account's root user, scoped by its task policy rather than by these rules.
  if (!temporary || principal.kind === "assumed-role" || (principal.kind === "root" && principal.assumedRoot)) return;
  const federated = principal.kind === "federated-user";
  if (op.service === "iam" && (federated || principal.credentials.mfaPresent !== true)) {
    throw new AwsError("InvalidClientTokenId", "The security token included in the request is invalid");
  }
  const allowed = federated ? ["GetCallerIdentity"] : ["AssumeRole", "GetCallerIdentity"];
  if (op.service === "sts" && !allowed.includes(op.name)) {
    throw new AwsError("AccessDenied", `Cannot call ${op.name} with session credentials`);
  }
}

/** One batch of an operation's guarded write statements and their results. */
async function sendWrite(db: Db, statements: BatchItem<"sqlite">[], name: string): Promise<unknown[]> {
  const [first, ...rest] = statements;
  // A handler asks for its write only after its checks pass, and those refuse every input that builds no statement.
  if (first === undefined) throw new Error(`${name}: the handler asked for a write its input builds no statement for`);
  return db.batch([first, ...rest]);
}

/**
 * Runs one operation for one principal, whatever the wire: each codec decodes its protocol into `rawInput` and
 * encodes the result or the AwsError this throws.
 */
export async function invoke(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- every operation keeps its own input type
  op: Operation<any>,
  rawInput: unknown,
  principal: Principal,
  services: Services,
): Promise<XmlValue | undefined> {
  refuseBySessionKind(op, principal);
  // Last-accessed data counts every authenticated attempt, denied ones too (AWS); written after the response.
  recordAccess(op, principal, services);
  const input: unknown = parseInput(op.input, rawInput);
  const ctx: OperationContext = {
    ...services,
    principal,
    accountId: principal.accountId,
    partition: partitionOf(services.region),
  };
  const preload = op.preload?.(input, ctx) ?? [];
  if (op.action !== null) {
    const ac = await authorize(ctx.db, principal, ctx, {
      action: op.action,
      target: op.resource(input, ctx),
      input,
      extraKeys: op.conditionKeys?.(input, ctx),
      alsoRequires: op.alsoRequires?.(input),
      preload,
    });
    ctx.preloaded = ac.preloaded;
  }
  const write = op.write?.(input, ctx) ?? [];
  let written: Promise<unknown[]> | undefined;
  // Nothing was loaded for this caller (the management account's root): the reads form one batch of their own, and
  // the handler's guarded write rides in it, so a write costs one round trip.
  if (ctx.preloaded === undefined) {
    const [first, ...rest] = [...preload, ...write];
    if (first !== undefined) {
      const results: unknown[] = await ctx.db.batch([first, ...rest]);
      ctx.preloaded = results.slice(0, preload.length);
      if (write.length > 0) written = Promise.resolve(results.slice(preload.length));
    }
  }
  if (op.write) {
    // Everyone else's write is the same statements, sent once the handler's checks pass: one more round trip.
    ctx.write = () => (written ??= sendWrite(ctx.db, write, op.name));
  }
  const result = await op.run(input, ctx);
  if (op.action !== null) credentialWriteDone(op.action, input, ctx.accountId);
  return result;
}

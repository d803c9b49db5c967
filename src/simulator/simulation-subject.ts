// Who a /v1/simulations grid is about: a stored user, role or group, a role session, an account, a service, a federated IdP or only pasted policies; its policy set and, in the same D1 batch, the trust policies of the roles the grid assumes.
import { inArray } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { AwsError } from "../aws/errors";
import type { ContextValue, PolicySetInput, PolicySource } from "../engine/index";
import type { Db } from "../store/db";
import { loadPrincipalPolicies } from "../store/principal-policies";
import { findRole } from "../store/roles";
import { roles } from "../store/schema";
import { findPrincipalByArn, loadStoredSource, orgLevels, type StoredPrincipal } from "./principal-source";
import type { PrincipalSpec, SimulationRequest } from "./simulation-request";
import { principalContext, shownPolicies, type ShownPolicy } from "./whatif";

export type SubjectKind = "user" | "group" | "role" | "session" | "root" | "service" | "federated" | "pasted";

export interface Subject {
  kind: SubjectKind;
  /** The principal as the request named it (how the page and the answer label it). */
  label: string;
  /** What the engine sees as the request's principal (a session ARN, a service name, an account root...). */
  evalPrincipal: string;
  accountId: string;
  /** The stored entity whose policies apply (a session's role); what SimulatePrincipalPolicy is authorized on. */
  stored?: StoredPrincipal;
  set: PolicySetInput;
  shown: ShownPolicy[];
  context: Record<string, ContextValue>;
  /** Trust policies by role ARN, for cells that assume a stored role. */
  trust: Map<string, string>;
}

export const ASSUME_ROLE = /^sts:AssumeRole(WithSAML|WithWebIdentity)?$/i;
const ROLE_ARN = /^arn:aws(?:-[a-z]+(?:-[a-z])?)?:iam::(\d{12}):role\/(?:.*\/)?[^/]+$/;
const SESSION_ARN = /^arn:aws(?:-[a-z]+(?:-[a-z])?)?:sts::(\d{12}):assumed-role\/([^/]+)\/(.+)$/;
const ROOT_ARN = /^arn:aws(?:-[a-z]+(?:-[a-z])?)?:iam::(\d{12}):root$/;
/** Service principals are DNS names such as lambda.amazonaws.com (IAM "AWS service principals"). */
const SERVICE = /^[a-z0-9][a-z0-9.-]*\.[a-z]{2,}$/;

const text = (d: string | Record<string, unknown>) => (typeof d === "string" ? d : JSON.stringify(d, null, 2));

/** The role ARNs among the resources that an sts:AssumeRole* action of the grid targets. */
export function trustRoleArns(actions: string[], resources: string[]): string[] {
  if (!actions.some((a) => ASSUME_ROLE.test(a))) return [];
  return [...new Set(resources.filter((r) => ROLE_ARN.test(r)))];
}

/** The roles' trust policies in the same batch as the principal's policies. */
function trustQuery(db: Db, arns: string[]): BatchItem<"sqlite"> {
  return db.select({ arn: roles.arn, trust: roles.assumeRolePolicy }).from(roles).where(inArray(roles.arn, arns));
}

function trustMap(rows: unknown): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of (rows ?? []) as { arn: string; trust: string }[]) out.set(r.arn, r.trust);
  return out;
}

/** Pasted policies become a policy set with stable ids the page and matched statements share. */
function pastedSet(p: NonNullable<SimulationRequest["policies"]>): { set: PolicySetInput; shown: ShownPolicy[] } {
  const shown: ShownPolicy[] = [];
  const source = (id: string, type: string, d: string | Record<string, unknown>): PolicySource => {
    const document = text(d);
    shown.push({ id, name: id, type, document });
    return { id, document };
  };
  const set: PolicySetInput = { identity: p.identity.map((d, i) => source(`pasted/identity/${i}`, "identity", d)) };
  if (p.boundary !== undefined) set.boundary = source("pasted/boundary", "permissions boundary", p.boundary);
  if (p.session) set.session = p.session.map((d, i) => source(`pasted/session/${i}`, "session", d));
  if (p.scps) set.scps = p.scps.map((l, n) => l.map((d, i) => source(`pasted/scp/${n}/${i}`, "scp", d)));
  if (p.rcps) set.rcps = p.rcps.map((l, n) => l.map((d, i) => source(`pasted/rcp/${n}/${i}`, "rcp", d)));
  if (p.resource !== undefined) set.resource = source("pasted/resource", "resource", p.resource);
  if (p.resourceAccount !== undefined) set.resourceAccount = p.resourceAccount;
  return { set, shown };
}

/** A stored user, group or role (or a role behind a session): its policies and the trust rows, one batch. */
async function storedSubject(
  db: Db,
  p: StoredPrincipal,
  trustArns: string[],
  session?: { arn: string; name: string },
): Promise<Subject> {
  const extra = trustArns.length > 0 ? [trustQuery(db, trustArns)] : [];
  const source = await loadStoredSource(db, p, extra);
  const context = principalContext(p);
  if (session) {
    // A role session's aws:userid is "<role id>:<session name>"; its aws:PrincipalArn is the role's ARN.
    context["aws:userid"] = `${p.id}:${session.name}`;
  }
  return {
    kind: session ? "session" : p.kind,
    label: session?.arn ?? p.arn,
    evalPrincipal: session?.arn ?? p.arn,
    accountId: p.accountId,
    stored: p,
    set: source.set,
    shown: shownPolicies(source),
    context,
    trust: trustMap(source.preloaded[0]),
  };
}

/** Principals without stored policies of their own: only SCPs (for an account) and the trust rows are read. */
async function bareSubject(
  db: Db,
  kind: "root" | "service" | "federated",
  name: string,
  accountId: string,
  trustArns: string[],
): Promise<Subject> {
  const extra = trustArns.length > 0 ? [trustQuery(db, trustArns)] : [];
  const subject: Subject = {
    kind,
    label: name,
    evalPrincipal: name,
    accountId,
    set: { identity: [] },
    shown: [],
    context: kind === "root" ? { "aws:PrincipalArn": name, "aws:PrincipalAccount": accountId } : {},
    trust: new Map(),
  };
  if (kind !== "root" && extra.length === 0) return subject;
  // SCPs cut an account's root user too; a service or IdP outside any account has none.
  const loaded = await loadPrincipalPolicies(
    db,
    null,
    undefined,
    [],
    kind === "root" ? { scpAccount: accountId } : {},
    extra,
  );
  subject.trust = trustMap(loaded.preloaded[0]);
  if (kind === "root") {
    const scps = orgLevels(loaded.scpLevels, new Map());
    if (scps) subject.set.scps = scps;
  }
  return subject;
}

/** Resolves the request's principal; throws NoSuchEntity (404) for a stored one that does not exist. */
export async function resolveSubject(
  db: Db,
  req: SimulationRequest,
  callerAccount: string,
  trustArns: string[],
): Promise<Subject> {
  const spec: PrincipalSpec | undefined = req.principal;
  if (req.policies) {
    // Pasted policies are the whole identity side: the principal, if named, only labels the requests.
    const { set, shown } = pastedSet(req.policies);
    const name = typeof spec === "string" ? spec : (spec?.federated ?? `arn:aws:iam::${callerAccount}:user/simulated`);
    const extra = trustArns.length > 0 ? [trustQuery(db, trustArns)] : [];
    const trust =
      extra.length > 0
        ? trustMap((await loadPrincipalPolicies(db, null, undefined, [], {}, extra)).preloaded[0])
        : new Map<string, string>();
    return {
      kind: "pasted",
      label: name,
      evalPrincipal: name,
      accountId: callerAccount,
      set,
      shown,
      context: {},
      trust,
    };
  }
  if (spec === undefined) throw new AwsError("ValidationError", "Name a principal or paste policies.");
  if (typeof spec !== "string") return bareSubject(db, "federated", spec.federated, callerAccount, trustArns);
  const root = ROOT_ARN.exec(spec) ?? (/^\d{12}$/.test(spec) ? [spec, spec] : null);
  if (root) return bareSubject(db, "root", `arn:aws:iam::${root[1]}:root`, root[1] as string, trustArns);
  const session = SESSION_ARN.exec(spec);
  if (session) {
    const [, account, roleName, sessionName] = session as unknown as [string, string, string, string];
    const row = await findRole(db, account, roleName);
    if (!row) throw new AwsError("NoSuchEntity", `The role with name ${roleName} cannot be found.`);
    const p: StoredPrincipal = { kind: "role", id: row.id, name: row.name, arn: row.arn, accountId: account };
    return storedSubject(db, p, trustArns, { arn: spec, name: sessionName });
  }
  if (!spec.startsWith("arn:")) {
    if (!SERVICE.test(spec)) {
      throw new AwsError("ValidationError", `Principal ${spec} is neither an ARN nor a service principal.`);
    }
    return bareSubject(db, "service", spec, callerAccount, trustArns);
  }
  return storedSubject(db, await findPrincipalByArn(db, spec), trustArns);
}

// The request's principal (parsed from its ARN) and the Principal/NotPrincipal element matched against it.
import type { ParsedPrincipal } from "./parse.ts";

export type PrincipalKind =
  | "user"
  | "role"
  | "assumed-role"
  | "federated-user"
  | "root"
  | "anonymous"
  | "service"
  | "other";

export interface PrincipalInfo {
  raw: string;
  kind: PrincipalKind;
  account?: string;
  partition?: string;
  /** The aws:PrincipalArn value: for an assumed-role session it is the role's ARN. */
  principalArn?: string;
  name?: string;
  roleName?: string;
  /** A service-linked role (IAM path /aws-service-role/): organization policies do not restrict it. */
  serviceLinked?: true;
}

const ARN_RE = /^arn:([^:]+):(iam|sts)::(\d{12}):(.+)$/;

const lastSegment = (s: string): string => s.slice(s.lastIndexOf("/") + 1);

/** Parsed principals by ARN: the same few callers come back request after request. Bounded, so never a leak. */
const cache = new Map<string, PrincipalInfo>();
const CACHE_LIMIT = 4096;

export function parsePrincipal(raw: string): PrincipalInfo {
  let p = cache.get(raw);
  if (p === undefined) {
    if (cache.size >= CACHE_LIMIT) cache.clear();
    p = Object.freeze(parseUncached(raw));
    cache.set(raw, p);
  }
  return p;
}

function parseUncached(raw: string): PrincipalInfo {
  if (raw === "*" || raw === "" || raw.toLowerCase() === "anonymous") return { raw, kind: "anonymous" };
  if (/^\d{12}$/.test(raw)) {
    return { raw, kind: "root", account: raw, partition: "aws", principalArn: `arn:aws:iam::${raw}:root` };
  }
  const m = ARN_RE.exec(raw);
  if (!m) {
    if (raw.startsWith("arn:")) {
      const account = raw.split(":")[4];
      return account ? { raw, kind: "other", account, principalArn: raw } : { raw, kind: "other", principalArn: raw };
    }
    return { raw, kind: "service" };
  }
  const [, partition, service, account, rest] = m as unknown as [string, string, string, string, string];
  const base = { raw, account, partition };
  if (service === "iam") {
    if (rest === "root") return { ...base, kind: "root", principalArn: raw };
    if (rest.startsWith("user/")) return { ...base, kind: "user", principalArn: raw, name: lastSegment(rest) };
    if (rest.startsWith("role/aws-service-role/")) {
      return { ...base, kind: "role", principalArn: raw, roleName: lastSegment(rest), serviceLinked: true };
    }
    if (rest.startsWith("role/")) return { ...base, kind: "role", principalArn: raw, roleName: lastSegment(rest) };
    return { ...base, kind: "other", principalArn: raw };
  }
  if (rest.startsWith("assumed-role/")) {
    const [, roleName = "", ...session] = rest.split("/");
    return {
      ...base,
      kind: "assumed-role",
      roleName,
      name: session.join("/"),
      principalArn: `arn:${partition}:iam::${account}:role/${roleName}`,
    };
  }
  if (rest.startsWith("federated-user/")) {
    return { ...base, kind: "federated-user", name: rest.slice("federated-user/".length), principalArn: raw };
  }
  return { ...base, kind: "other", principalArn: raw };
}

/**
 * How a Principal element named the request's principal; the resource-policy rules depend on it:
 * "direct" (the session ARN, or everyone), "user" (the IAM user ARN), "role" (the role ARN), "account".
 */
export type PrincipalMatch = "direct" | "user" | "role" | "account";

type AwsEntry =
  | { kind: "any" }
  | { kind: "account"; account: string }
  | { kind: "role"; arn: string; account: string; name: string }
  | { kind: "exact"; value: string };

export interface CompiledPrincipal {
  any: boolean;
  aws: AwsEntry[];
  /** Service, Federated and CanonicalUser values, compared with the request principal as given. */
  others: Set<string>;
}

export function compilePrincipal(p: ParsedPrincipal): CompiledPrincipal {
  if (p === "*") return { any: true, aws: [], others: new Set() };
  const aws = p.AWS.map((v): AwsEntry => {
    if (v === "*") return { kind: "any" };
    if (/^\d{12}$/.test(v)) return { kind: "account", account: v };
    const m = ARN_RE.exec(v);
    if (m && m[2] === "iam" && m[4] === "root") return { kind: "account", account: m[3] as string };
    if (m && m[2] === "iam" && (m[4] as string).startsWith("role/")) {
      const rest = m[4] as string;
      return { kind: "role", arn: v, account: m[3] as string, name: rest.slice(rest.lastIndexOf("/") + 1) };
    }
    return { kind: "exact", value: v };
  });
  const others = new Set([...p.Service, ...p.Federated, ...p.CanonicalUser]);
  return { any: aws.some((e) => e.kind === "any"), aws, others };
}

/** The strongest way the element names the principal, or null when it does not name it. */
export function matchPrincipal(c: CompiledPrincipal, p: PrincipalInfo): PrincipalMatch | null {
  // INVARIANT: "*" and {"AWS": "*"} name every principal, the anonymous one included.
  if (c.any) return "direct";
  if (c.others.size > 0 && c.others.has(p.raw)) return "direct";
  let best = 0;
  for (const e of c.aws) {
    if (e.kind === "exact") {
      if (p.raw === e.value) return p.kind === "user" ? "user" : "direct";
    } else if (e.kind === "role") {
      // A role ARN names the role and every session of it; sessions' ARNs carry no role path.
      if (
        (p.kind === "role" && p.raw === e.arn) ||
        (p.kind === "assumed-role" && p.account === e.account && p.roleName === e.name)
      )
        best = 2;
    } else if (e.kind === "account") {
      if (best < 1 && p.account === e.account && p.kind !== "anonymous" && p.kind !== "service") best = 1;
    }
  }
  return best === 2 ? "role" : best === 1 ? "account" : null;
}

// A trust policy may only name IAM users and roles that exist: AWS refuses others as "Invalid principal in policy".
import { and, eq, inArray } from "drizzle-orm";
import { AwsError } from "../aws/errors";
import type { Db } from "../store/db";
import { roles, users } from "../store/schema";

const ENTITY_ARN = /^arn:aws(?:-[a-z]+(?:-[a-z])?)?:iam::(\d{12}):(user|role)\/(?:.*\/)?([^/*?]+)$/;

function awsPrincipals(document: string): string[] {
  const out: string[] = [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(document);
  } catch {
    return out;
  }
  const statements = (parsed as { Statement?: unknown }).Statement;
  for (const st of Array.isArray(statements) ? statements : [statements]) {
    const principal = (st as { Principal?: unknown } | null)?.Principal;
    if (typeof principal !== "object" || principal === null || !Object.hasOwn(principal, "AWS")) continue;
    const aws = (principal as { AWS: unknown }).AWS;
    for (const v of Array.isArray(aws) ? aws : [aws]) if (typeof v === "string") out.push(v);
  }
  return out;
}

/**
 * Users and roles named by ARN must exist (AWS turns them into unique ids when it stores the policy). Only ARNs of
 * `accountId`'s own entities are checked: other accounts' entities are beyond what this account can see.
 */
export async function assertTrustPrincipalsExist(db: Db, accountId: string, document: string): Promise<void> {
  const wanted = { user: new Map<string, string>(), role: new Map<string, string>() };
  for (const arn of awsPrincipals(document)) {
    const m = ENTITY_ARN.exec(arn);
    if (!m || m[1] !== accountId) continue;
    wanted[m[2] as "user" | "role"].set(arn, arn);
  }
  if (wanted.user.size === 0 && wanted.role.size === 0) return;
  const [foundUsers, foundRoles] = await db.batch([
    db
      .select({ arn: users.arn })
      .from(users)
      .where(and(eq(users.accountId, accountId), inArray(users.arn, [...wanted.user.keys(), ""]))),
    db
      .select({ arn: roles.arn })
      .from(roles)
      .where(and(eq(roles.accountId, accountId), inArray(roles.arn, [...wanted.role.keys(), ""]))),
  ]);
  const found = new Set([...foundUsers, ...foundRoles].map((r) => r.arn));
  for (const arn of [...wanted.user.keys(), ...wanted.role.keys()]) {
    if (!found.has(arn)) throw new AwsError("MalformedPolicyDocument", `Invalid principal in policy: "AWS":"${arn}"`);
  }
}

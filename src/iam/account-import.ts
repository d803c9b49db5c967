// Bring your own account: loads a GetAccountAuthorizationDetails snapshot into one account, whole or not at all.
import { AwsError } from "../aws/errors";
import type { UniqueIdPrefix } from "../aws/ids";
import { readImportTarget, writeImport, NOT_EMPTY_GUARD } from "../store/account-import";
import { isUniqueViolation, type Db } from "../store/db";
import { parseSnapshot } from "./account-snapshot";
import { buildPlan, snapshotAccount, type Skipped } from "./account-import-plan";

export interface ImportOptions {
  /** `?account=`: load into this account instead of the one the snapshot's ARNs name. */
  account?: string;
  /** `mode=replace`: the account's IAM entities are wiped first (in the same transaction). */
  replace: boolean;
  /** The account the deployment's root keys act in, for the report's advice on keys. */
  defaultAccountId: string;
  now: Date;
}

export interface ImportReport {
  account: string;
  imported: {
    users: number;
    groups: number;
    roles: number;
    policies: number;
    policyVersions: number;
    inlinePolicies: number;
    attachments: number;
    tags: number;
    groupMemberships: number;
    instanceProfiles: number;
  };
  skipped: Skipped[];
  notes: string[];
}

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/**
 * A stand-in for an id another account already holds (the same snapshot loaded into a second account): derived from
 * the target account and the original id, so re-importing the same file gives the same ids again.
 */
async function derivedId(account: string, id: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`${account}/${id}`)));
  let out = "";
  for (let i = 0; i < 17; i++) out += BASE32[(digest[i] ?? 0) & 31];
  return (id.slice(0, 4) as UniqueIdPrefix) + out;
}

export async function importAccount(db: Db, raw: unknown, opts: ImportOptions): Promise<ImportReport> {
  const snapshot = parseSnapshot(raw);
  if (opts.account !== undefined && !/^\d{12}$/.test(opts.account)) {
    throw new AwsError("ValidationError", `The account ${opts.account} is not a 12-digit account id.`);
  }
  const source = snapshotAccount(snapshot);
  const target = opts.account ?? source;
  if (target === undefined) {
    throw new AwsError("ValidationError", "The snapshot names no account (it has no ARNs); pass ?account=<id>.");
  }
  const customer = snapshot.Policies.filter((p) => !p.Arn.startsWith("arn:aws:iam::aws:"));
  const { contents, taken } = await readImportTarget(db, target, {
    users: snapshot.UserDetailList.map((u) => u.UserId),
    groups: snapshot.GroupDetailList.map((g) => g.GroupId),
    roles: snapshot.RoleDetailList.map((r) => r.RoleId),
    policies: customer.map((p) => p.PolicyId),
    instanceProfiles: snapshot.RoleDetailList.flatMap((r) => r.InstanceProfileList.map((ip) => ip.InstanceProfileId)),
  });
  const held = Object.entries(contents).map(([table, n]) => `${n} ${table.replaceAll("_", " ")}`);
  if (held.length > 0 && !opts.replace) {
    throw new AwsError(
      "EntityAlreadyExists",
      `Account ${target} already has IAM entities (${held.join(", ")}); an import never merges: add mode=replace to replace them. Nothing was changed.`,
    );
  }

  const renamed = new Map<string, string>();
  for (const id of taken.keys()) renamed.set(id, await derivedId(target, id));
  const plan = buildPlan(snapshot, {
    source: source ?? target,
    target,
    idOf: (id) => renamed.get(id) ?? id,
  });

  try {
    await writeImport(db, plan.rows, opts.replace, opts.now.getTime());
  } catch (err) {
    const text = err instanceof Error ? `${err.message} ${String((err as { cause?: unknown }).cause ?? "")}` : "";
    // The guard fails through json() of its marker text, which SQLite reports as malformed JSON.
    if (!opts.replace && (text.includes(NOT_EMPTY_GUARD) || text.includes("malformed JSON"))) {
      throw new AwsError(
        "EntityAlreadyExists",
        `Account ${target} received IAM entities while the import ran; nothing was imported. Retry with mode=replace to replace them.`,
      );
    }
    if (isUniqueViolation(err)) {
      throw new AwsError(
        "ConcurrentModification",
        `Another account took one of the snapshot's ids or names while the import ran; nothing was imported. Retry.`,
      );
    }
    throw err;
  }
  return report(plan, target, source, renamed, opts);
}

function report(
  plan: ReturnType<typeof buildPlan>,
  target: string,
  source: string | undefined,
  renamed: Map<string, string>,
  opts: ImportOptions,
): ImportReport {
  const { rows } = plan;
  const notes: string[] = [];
  const firstUser = rows.users[0]?.name ?? "NAME";
  notes.push(
    "Access keys and passwords are not in a snapshot and none were created.",
    target === opts.defaultAccountId
      ? `To act as a user, create a key for it signed with the root keys: aws iam create-access-key --user-name ${firstUser} --endpoint-url <endpoint> (then sign calls with that key).`
      : `The deployment's root keys act in account ${opts.defaultAccountId}, so they cannot create keys for users of account ${target}; to act as these users, import into ${opts.defaultAccountId} (?account=${opts.defaultAccountId}&mode=replace) and run aws iam create-access-key --user-name ${firstUser} as root.`,
  );
  if (opts.replace) {
    notes.push(
      `mode=replace: the IAM entities account ${target} held before (with their access keys and passwords) were replaced.`,
    );
  }
  if (source !== undefined && source !== target) {
    notes.push(
      `The snapshot's account ${source} was moved to ${target}: ARNs, and account ids inside policy documents, now name ${target}.`,
    );
  }
  if (renamed.size > 0) {
    const examples = [...renamed].slice(0, 5).map(([from, to]) => `${from} -> ${to}`);
    notes.push(
      `${renamed.size} ids were already used by another account of the simulator, so those entities got ids derived from the account and the original id: ${examples.join(", ")}${renamed.size > 5 ? ", ..." : ""}.`,
    );
  }
  if (plan.rolesWithDefaults > 0) {
    notes.push(
      `${plan.rolesWithDefaults} roles took MaxSessionDuration 3600 and no description: GetAccountAuthorizationDetails does not report them (add MaxSessionDuration and Description to a role's entry to keep them).`,
    );
  }
  return {
    account: target,
    imported: {
      users: rows.users.length,
      groups: rows.groups.length,
      roles: rows.roles.length,
      policies: rows.policies.length,
      policyVersions: rows.versions.length,
      inlinePolicies: rows.inline.length,
      attachments: rows.attachments.length,
      tags: rows.tags.length,
      groupMemberships: rows.members.length,
      instanceProfiles: rows.instanceProfiles.length,
    },
    skipped: plan.skipped,
    notes,
  };
}

// Turns a parsed snapshot into the rows an import writes, refusing it whole (AWS's errors, naming the entity) on any problem.
import { AwsError } from "../aws/errors";
import { iamArn, parseIamArn, type IamResourceType } from "../aws/arn";
import { validatePolicyDocument } from "../engine/index";
import { MAX_ATTACHED_POLICIES } from "../store/attachments";
import { MAX_GROUPS_PER_ACCOUNT, MAX_GROUPS_PER_USER } from "../store/groups";
import { MAX_INLINE_SIZE } from "../store/inline-policies";
import { MAX_INSTANCE_PROFILES } from "../store/instance-profiles";
import { MAX_POLICIES_PER_ACCOUNT, MAX_POLICY_VERSIONS, versionNumber } from "../store/policies";
import { MAX_ROLES_PER_ACCOUNT } from "../store/roles";
import type { PrincipalKind, TaggableKind } from "../store/schema";
import type { ImportRows } from "../store/account-import";
import { MAX_TAGS } from "../store/tags";
import { MAX_USERS_PER_ACCOUNT } from "../store/users";
import { documentText, type AttachedDetail, type InlineDetail, type Snapshot } from "./account-snapshot";
import { findAwsManagedPolicy, isAwsManagedArn } from "./aws-managed-policies";
import { nameKey } from "./names";
import { MAX_MANAGED_POLICY_SIZE, policySize } from "./policies";
import { MAX_TRUST_POLICY_SIZE } from "./roles";

export interface Skipped {
  entity: string;
  reason: string;
}

export interface Plan {
  rows: ImportRows;
  skipped: Skipped[];
  /** How many roles took AWS's defaults for members GetAccountAuthorizationDetails does not carry. */
  rolesWithDefaults: number;
}

/** Moves the snapshot into the target account: ARNs and ids to write, account ids inside documents. */
export interface Relocation {
  source: string;
  target: string;
  /** The id an entity gets: its own, unless another account of the simulator already holds it. */
  idOf: (id: string) => string;
}

const invalid = (message: string) => new AwsError("ValidationError", message);

/** `arn:aws:iam::<account>:`: the only part of a customer ARN that changes when the account does. */
function relocateArn(arn: string, r: Relocation): string {
  const from = `arn:aws:iam::${r.source}:`;
  return r.source !== r.target && arn.startsWith(from) ? `arn:aws:iam::${r.target}:${arn.slice(from.length)}` : arn;
}

/** Strings naming the source account (the id itself, or inside an ARN) now name the target, so a copy behaves alike. */
function relocateDocument(text: string, r: Relocation): string {
  if (r.source === r.target || !text.includes(r.source)) return text;
  const swap = (v: unknown): unknown => {
    if (typeof v === "string") return v === r.source ? r.target : v.split(`:${r.source}:`).join(`:${r.target}:`);
    if (Array.isArray(v)) return v.map(swap);
    if (v !== null && typeof v === "object") {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, swap(x)]));
    }
    return v;
  };
  try {
    return JSON.stringify(swap(JSON.parse(text)));
  } catch {
    return text; // not JSON: the validation below names the problem
  }
}

function checkDocument(text: string, kind: "identity" | "trust", what: string): void {
  const result = validatePolicyDocument(text, kind);
  if (!result.ok) throw new AwsError("MalformedPolicyDocument", `${what}: ${result.message}`);
}

/** Refuses a second entry whose key (already case-folded where IAM compares case-insensitively) was seen. */
function uniqueBy<T>(items: T[], key: (t: T) => string, duplicate: (t: T) => string): void {
  const seen = new Set<string>();
  for (const item of items) {
    const k = key(item);
    if (seen.has(k)) throw new AwsError("EntityAlreadyExists", duplicate(item));
    seen.add(k);
  }
}

function quota(count: number, max: number, name: string): void {
  if (count > max) {
    throw new AwsError("LimitExceeded", `Cannot exceed quota for ${name}: ${max} (the snapshot has ${count}).`);
  }
}

/** The account every ARN of the snapshot names; a ValidationError naming the first ARN that disagrees. */
export function snapshotAccount(s: Snapshot): string | undefined {
  let found: { account: string; arn: string } | undefined;
  const see = (arn: string, what: string) => {
    if (isAwsManagedArn(arn)) return;
    const parts = parseIamArn(arn);
    if (!parts || !/^\d{12}$/.test(parts.account)) throw invalid(`The ARN ${arn} of ${what} is not an IAM ARN.`);
    if (!found) found = { account: parts.account, arn };
    else if (found.account !== parts.account) {
      throw invalid(
        `The snapshot's ARNs name two accounts: ${arn} (${what}) is in account ${parts.account}, but ${found.arn} is in account ${found.account}.`,
      );
    }
  };
  const refs = (what: string, list: AttachedDetail[], boundary?: { PermissionsBoundaryArn: string } | null) => {
    for (const a of list) see(a.PolicyArn, `a policy attached to ${what}`);
    if (boundary) see(boundary.PermissionsBoundaryArn, `the permissions boundary of ${what}`);
  };
  for (const u of s.UserDetailList) {
    see(u.Arn, `user ${u.UserName}`);
    refs(`user ${u.UserName}`, u.AttachedManagedPolicies, u.PermissionsBoundary);
  }
  for (const g of s.GroupDetailList) {
    see(g.Arn, `group ${g.GroupName}`);
    refs(`group ${g.GroupName}`, g.AttachedManagedPolicies);
  }
  for (const r of s.RoleDetailList) {
    see(r.Arn, `role ${r.RoleName}`);
    refs(`role ${r.RoleName}`, r.AttachedManagedPolicies, r.PermissionsBoundary);
  }
  for (const p of s.Policies) see(p.Arn, `policy ${p.PolicyName}`);
  return found?.account;
}

/** Validates the whole snapshot and builds every row; nothing is written here. */
export function buildPlan(s: Snapshot, r: Relocation): Plan {
  const skipped: Skipped[] = [];
  const rows: ImportRows = {
    accountId: r.target,
    users: [],
    groups: [],
    members: [],
    roles: [],
    policies: [],
    versions: [],
    inline: [],
    attachments: [],
    tags: [],
    instanceProfiles: [],
    profileRoles: [],
  };
  const customer = s.Policies.filter((p) => !isAwsManagedArn(p.Arn));

  quota(s.UserDetailList.length, MAX_USERS_PER_ACCOUNT, "UsersPerAccount");
  quota(s.GroupDetailList.length, MAX_GROUPS_PER_ACCOUNT, "GroupsPerAccount");
  quota(s.RoleDetailList.length, MAX_ROLES_PER_ACCOUNT, "RolesPerAccount");
  quota(customer.length, MAX_POLICIES_PER_ACCOUNT, "PoliciesPerAccount");
  const profiles = s.RoleDetailList.flatMap((x) => x.InstanceProfileList);
  quota(profiles.length, MAX_INSTANCE_PROFILES, "InstanceProfilesPerAccount");
  const dup = (kind: string) => (name: string) =>
    `The snapshot has two ${kind}s named ${name} (IAM names are unique case-insensitively).`;
  uniqueBy(
    s.UserDetailList,
    (u) => nameKey(u.UserName),
    (u) => dup("user")(u.UserName),
  );
  uniqueBy(
    s.GroupDetailList,
    (g) => nameKey(g.GroupName),
    (g) => dup("group")(g.GroupName),
  );
  uniqueBy(
    s.RoleDetailList,
    (x) => nameKey(x.RoleName),
    (x) => dup("role")(x.RoleName),
  );
  uniqueBy(
    customer,
    (p) => nameKey(p.PolicyName),
    (p) => dup("policy")(p.PolicyName),
  );
  const ids = [
    ...s.UserDetailList.map((u) => u.UserId),
    ...s.GroupDetailList.map((g) => g.GroupId),
    ...s.RoleDetailList.map((x) => x.RoleId),
    ...customer.map((p) => p.PolicyId),
    // A profile holds one role, so it is listed under that role only; the same id twice is an error too.
    ...s.RoleDetailList.flatMap((x) => x.InstanceProfileList.map((ip) => ip.InstanceProfileId)),
  ];
  uniqueBy(
    ids,
    (i) => i,
    (i) => `The snapshot uses the id ${i} for two entities.`,
  );

  /** The entity's ARN must be the one its path and name make in its account (what every lookup relies on). */
  const entityArn = (type: IamResourceType, arn: string, path: string, name: string, what: string) => {
    if (iamArn(r.source, type, path, name) !== arn) {
      throw invalid(`The ARN ${arn} of ${what} does not match its path ${path} and name ${name}.`);
    }
    return iamArn(r.target, type, path, name);
  };

  // Customer managed policies first: attachments and boundaries below must point at one of them.
  const policyArns = new Set<string>();
  for (const p of customer) {
    const what = `policy ${p.PolicyName}`;
    const arn = entityArn("policy", p.Arn, p.Path, p.PolicyName, what);
    policyArns.add(p.Arn);
    if (p.PolicyVersionList.length === 0) throw invalid(`The snapshot has no versions of ${what}.`);
    quota(p.PolicyVersionList.length, MAX_POLICY_VERSIONS, `PolicyVersionsPerPolicy (${what})`);
    uniqueBy(
      p.PolicyVersionList,
      (v) => v.VersionId,
      (v) => `${what} has two versions ${v.VersionId}.`,
    );
    const flagged = p.PolicyVersionList.find((v) => v.IsDefaultVersion === true)?.VersionId;
    const defaultVersionId = p.DefaultVersionId ?? flagged;
    if (defaultVersionId === undefined || !p.PolicyVersionList.some((v) => v.VersionId === defaultVersionId)) {
      throw invalid(`The default version of ${what} is not among its versions.`);
    }
    const id = r.idOf(p.PolicyId);
    for (const v of p.PolicyVersionList) {
      if (v.Document === undefined) throw invalid(`Version ${v.VersionId} of ${what} has no document.`);
      const text = relocateDocument(documentText(v.Document), r);
      checkDocument(text, "identity", `Version ${v.VersionId} of ${what}`);
      if (policySize(text) > MAX_MANAGED_POLICY_SIZE) {
        throw new AwsError(
          "LimitExceeded",
          `Version ${v.VersionId} of ${what}: cannot exceed quota for PolicySize: ${MAX_MANAGED_POLICY_SIZE}`,
        );
      }
      rows.versions.push({ policyId: id, versionId: v.VersionId, document: text, createdAt: v.CreateDate });
    }
    const highest = Math.max(...p.PolicyVersionList.map((v) => versionNumber(v.VersionId)));
    rows.policies.push({
      id,
      accountId: r.target,
      name: p.PolicyName,
      nameKey: nameKey(p.PolicyName),
      path: p.Path,
      arn,
      description: p.Description ?? null,
      defaultVersionId,
      nextVersion: highest + 1,
      createdAt: p.CreateDate,
      updatedAt: p.UpdateDate ?? p.CreateDate,
    });
    addTags(rows, r, "policy", id, p.Tags, what);
  }

  /** A managed policy reference: the customer policy's new ARN, the AWS one if bundled, or undefined (skipped). */
  const managedRef = (arn: string, what: string): string | undefined => {
    if (isAwsManagedArn(arn)) {
      if (findAwsManagedPolicy(arn)) return arn;
      skipped.push({ entity: `${what}: ${arn}`, reason: "AWS managed policy not in the bundled catalogue" });
      return undefined;
    }
    if (!policyArns.has(arn)) {
      throw new AwsError("NoSuchEntity", `The policy ${arn} (${what}) is not among the snapshot's Policies.`);
    }
    return relocateArn(arn, r);
  };

  const identity = (
    kind: PrincipalKind,
    id: string,
    what: string,
    inline: InlineDetail[],
    attachedList: AttachedDetail[],
    createdAt: number,
  ) => {
    uniqueBy(
      inline,
      (p) => p.PolicyName,
      (p) => `${what} has two inline policies named ${p.PolicyName}.`,
    );
    let total = 0;
    for (const p of inline) {
      const text = relocateDocument(documentText(p.PolicyDocument), r);
      checkDocument(text, "identity", `Inline policy ${p.PolicyName} of ${what}`);
      const size = policySize(text);
      total += size;
      rows.inline.push({
        accountId: r.target,
        principalKind: kind,
        principalId: id,
        name: p.PolicyName,
        document: text,
        size,
      });
    }
    if (total > MAX_INLINE_SIZE[kind]) {
      throw new AwsError("LimitExceeded", `Maximum policy size of ${MAX_INLINE_SIZE[kind]} bytes exceeded for ${what}`);
    }
    uniqueBy(
      attachedList,
      (a) => a.PolicyArn,
      (a) => `${what} has ${a.PolicyArn} attached twice.`,
    );
    quota(attachedList.length, MAX_ATTACHED_POLICIES, `PoliciesPer${kind[0]?.toUpperCase()}${kind.slice(1)} (${what})`);
    for (const a of attachedList) {
      const arn = managedRef(a.PolicyArn, `attached to ${what}`);
      if (arn !== undefined) {
        rows.attachments.push({ accountId: r.target, principalKind: kind, principalId: id, policyArn: arn, createdAt });
      }
    }
  };
  const boundaryOf = (b: { PermissionsBoundaryArn: string } | null | undefined, what: string) =>
    b ? (managedRef(b.PermissionsBoundaryArn, `permissions boundary of ${what}`) ?? null) : null;

  const groupIds = new Map<string, string>();
  for (const g of s.GroupDetailList) {
    const what = `group ${g.GroupName}`;
    const id = r.idOf(g.GroupId);
    groupIds.set(nameKey(g.GroupName), id);
    const arn = entityArn("group", g.Arn, g.Path, g.GroupName, what);
    rows.groups.push({
      id,
      accountId: r.target,
      name: g.GroupName,
      nameKey: nameKey(g.GroupName),
      path: g.Path,
      arn,
      createdAt: g.CreateDate,
    });
    identity("group", id, what, g.GroupPolicyList, g.AttachedManagedPolicies, g.CreateDate);
  }

  for (const u of s.UserDetailList) {
    const what = `user ${u.UserName}`;
    const id = r.idOf(u.UserId);
    const arn = entityArn("user", u.Arn, u.Path, u.UserName, what);
    rows.users.push({
      id,
      accountId: r.target,
      name: u.UserName,
      nameKey: nameKey(u.UserName),
      path: u.Path,
      arn,
      permissionsBoundaryArn: boundaryOf(u.PermissionsBoundary, what),
      passwordLastUsed: null,
      createdAt: u.CreateDate,
    });
    identity("user", id, what, u.UserPolicyList, u.AttachedManagedPolicies, u.CreateDate);
    addTags(rows, r, "user", id, u.Tags, what);
    uniqueBy(u.GroupList, nameKey, (g) => `${what} is listed in group ${g} twice.`);
    quota(u.GroupList.length, MAX_GROUPS_PER_USER, `GroupsPerUser (${what})`);
    for (const g of u.GroupList) {
      const groupId = groupIds.get(nameKey(g));
      if (groupId === undefined) {
        throw new AwsError("NoSuchEntity", `${what} is in group ${g}, which is not among the snapshot's groups.`);
      }
      rows.members.push({ accountId: r.target, groupId, userId: id, createdAt: u.CreateDate });
    }
  }

  let rolesWithDefaults = 0;
  for (const x of s.RoleDetailList) {
    const what = `role ${x.RoleName}`;
    const id = r.idOf(x.RoleId);
    const arn = entityArn("role", x.Arn, x.Path, x.RoleName, what);
    const trust = relocateDocument(documentText(x.AssumeRolePolicyDocument), r);
    if (policySize(trust) > MAX_TRUST_POLICY_SIZE) {
      throw new AwsError("LimitExceeded", `${what}: cannot exceed quota for ACLSizePerRole: ${MAX_TRUST_POLICY_SIZE}`);
    }
    checkDocument(trust, "trust", `The trust policy of ${what}`);
    if (x.MaxSessionDuration == null) rolesWithDefaults++;
    rows.roles.push({
      id,
      accountId: r.target,
      name: x.RoleName,
      nameKey: nameKey(x.RoleName),
      path: x.Path,
      arn,
      assumeRolePolicy: trust,
      description: x.Description ?? null,
      maxSessionDuration: x.MaxSessionDuration ?? 3600,
      permissionsBoundaryArn: boundaryOf(x.PermissionsBoundary, what),
      lastUsedAt: x.RoleLastUsed?.LastUsedDate ?? null,
      lastUsedRegion: x.RoleLastUsed?.Region ?? null,
      createdAt: x.CreateDate,
    });
    identity("role", id, what, x.RolePolicyList, x.AttachedManagedPolicies, x.CreateDate);
    addTags(rows, r, "role", id, x.Tags, what);
    for (const ip of x.InstanceProfileList) {
      const profile = `instance profile ${ip.InstanceProfileName}`;
      const profileId = r.idOf(ip.InstanceProfileId);
      rows.instanceProfiles.push({
        id: profileId,
        accountId: r.target,
        name: ip.InstanceProfileName,
        nameKey: nameKey(ip.InstanceProfileName),
        path: ip.Path,
        arn: entityArn("instance-profile", ip.Arn, ip.Path, ip.InstanceProfileName, profile),
        createdAt: ip.CreateDate,
      });
      rows.profileRoles.push({ profileId, roleId: id, accountId: r.target, createdAt: ip.CreateDate });
      addTags(rows, r, "instance-profile", profileId, ip.Tags, profile);
    }
  }

  return { rows, skipped, rolesWithDefaults };
}

function addTags(
  rows: ImportRows,
  r: Relocation,
  kind: TaggableKind,
  id: string,
  list: { Key: string; Value: string }[],
  what: string,
): void {
  quota(list.length, MAX_TAGS, `TagsPerResource (${what})`);
  uniqueBy(
    list,
    (t) => t.Key.toLowerCase(),
    (t) => `${what} has the tag key ${t.Key} twice (keys are case-insensitive).`,
  );
  for (const t of list) {
    rows.tags.push({
      accountId: r.target,
      resourceKind: kind,
      resourceId: id,
      key: t.Key,
      keyLower: t.Key.toLowerCase(),
      value: t.Value,
    });
  }
}

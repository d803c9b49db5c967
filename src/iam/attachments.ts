// Managed policy attachments: attach, detach and list the policies of users, groups and roles, and a policy's entities.
import { z } from "zod";
import { AwsError } from "../aws/errors";
import { parsePolicyArn } from "../aws/arn";
import { entityRef, guardedWrite, iamOperation, type OperationContext } from "../core/operation";
import {
  attachedArnsQuery,
  attachOutcome,
  attachQuotaExceeded,
  attachStatements,
  detachOutcome,
  detachStatements,
  fetchedPrincipal,
  listEntitiesForPolicy,
  policyNotAttached,
  principalQuery,
  type EntityKind,
  type NamedIdentity,
  type Principal,
} from "../store/attachments";
import { findPolicy, policyExistsQuery } from "../store/policies";
import type { PrincipalKind } from "../store/schema";
import { findAwsManagedPolicy, isAwsManagedArn } from "./aws-managed-policies";
import { arn, groupName, paging, path, policyPath, roleName, userName } from "./fields";
import { decodeMarker, DEFAULT_MAX_ITEMS, toPage } from "./paging";
import { assertPolicyArn } from "./policies";
import { refuseServiceLinkedEdit, SERVICE_ROLE_PATH } from "./service-linked-guard";

/**
 * Checks that a policy can be attached (or set as a boundary): it exists in the caller's account or among the AWS
 * managed policies. Policies reserved for service-linked roles only go on those roles.
 */
export async function requireAttachablePolicy(
  ctx: OperationContext,
  policyArn: string,
  principal: Principal,
  missingMessage = `Policy ${policyArn} does not exist or is not attachable.`,
  /** Whether the customer managed policy exists, when a preload already looked. */
  customerExists?: boolean,
): Promise<void> {
  assertPolicyArn(policyArn);
  const missing = () => new AwsError("NoSuchEntity", missingMessage);
  if (isAwsManagedArn(policyArn)) {
    const aws = findAwsManagedPolicy(policyArn);
    if (!aws) throw missing();
    if (aws.serviceLinked && !(principal.kind === "role" && principal.path.startsWith("/aws-service-role/"))) {
      throw new AwsError("PolicyNotAttachable", "Cannot attach a Service Role Policy to a Customer Role.");
    }
    return;
  }
  const exists = customerExists ?? (await findPolicy(ctx.db, ctx.accountId, policyArn)) !== undefined;
  if (!exists) throw missing();
}

/** The member naming the identity differs per kind (UserName, GroupName, RoleName); each schema maps it to `name`. */
const attachInput = {
  user: z
    .object({ UserName: userName, PolicyArn: arn })
    .transform((i) => ({ name: i.UserName, PolicyArn: i.PolicyArn })),
  group: z
    .object({ GroupName: groupName, PolicyArn: arn })
    .transform((i) => ({ name: i.GroupName, PolicyArn: i.PolicyArn })),
  role: z
    .object({ RoleName: roleName, PolicyArn: arn })
    .transform((i) => ({ name: i.RoleName, PolicyArn: i.PolicyArn })),
};

const listFilters = { PathPrefix: policyPath.optional(), ...paging };
const listInput = {
  user: z
    .object({ UserName: userName, ...listFilters })
    .transform(({ UserName, ...rest }) => ({ name: UserName, ...rest })),
  group: z
    .object({ GroupName: groupName, ...listFilters })
    .transform(({ GroupName, ...rest }) => ({ name: GroupName, ...rest })),
  role: z
    .object({ RoleName: roleName, ...listFilters })
    .transform(({ RoleName, ...rest }) => ({ name: RoleName, ...rest })),
};

const TITLE = { user: "User", group: "Group", role: "Role" } as const;

/**
 * Whether an attach could succeed as far as the policy ARN alone tells: a valid ARN, and an AWS managed policy that
 * exists and is not a service role policy (that one goes only on service-linked roles, whose policies no caller
 * edits). When it could not, a fused write sends no statement and the handler's checks answer.
 */
export function attachableByArn(policyArn: string): boolean {
  if (!parsePolicyArn(policyArn)) return false;
  if (!isAwsManagedArn(policyArn)) return true;
  const aws = findAwsManagedPolicy(policyArn);
  return aws !== undefined && !aws.serviceLinked;
}

/**
 * The identity a guarded write finds by name. A service-linked role is left alone in SQL, as refuseServiceLinkedEdit
 * refuses it in the handler.
 */
export function namedIdentity(ctx: OperationContext, kind: PrincipalKind, name: string): NamedIdentity {
  return { accountId: ctx.accountId, kind, name, protectedPath: kind === "role" ? SERVICE_ROLE_PATH : undefined };
}

/**
 * The checks, in AWS's order, before a managed policy goes on an identity (attached, or as its boundary), on the
 * identity's and the policy's rows: the preload's, or the guarded write's reads when its guard refused.
 */
export async function checkAttachable(
  ctx: OperationContext,
  kind: PrincipalKind,
  name: string,
  policyArn: string,
  rows: unknown[],
): Promise<void> {
  const [principalRows, policyRows] = rows;
  const principal = fetchedPrincipal(kind, name, principalRows);
  // A service-linked role's policies and boundary are its service's to change (UnmodifiableEntity).
  refuseServiceLinkedEdit(principal);
  const exists = (policyRows as unknown[] | undefined)?.length === 1;
  await requireAttachablePolicy(ctx, policyArn, principal, undefined, exists);
}

function attachOperations(kind: PrincipalKind) {
  const title = TITLE[kind];

  // Each reads the identity (and the policy, or the attached ARNs) in the authorization batch, then sends its guarded
  // write: two round trips in all, a read one. A caller with no authorization batch sends the write with the reads:
  // one.
  const named = (ctx: OperationContext, name: string) => namedIdentity(ctx, kind, name);

  /** The attach's checks in AWS's order, on the identity's and the policy's rows (the preload's or the write's). */
  const checkAttach = (ctx: OperationContext, i: { name: string; PolicyArn: string }, rows: unknown[]) =>
    checkAttachable(ctx, kind, i.name, i.PolicyArn, rows);

  /** The detach's checks, on the identity's row (the preload's or the write's). */
  const checkDetach = (i: { name: string; PolicyArn: string }, principalRows: unknown) => {
    refuseServiceLinkedEdit(fetchedPrincipal(kind, i.name, principalRows));
    assertPolicyArn(i.PolicyArn);
  };

  const attach = {
    ...iamOperation(
      `Attach${title}Policy`,
      attachInput[kind],
      (i, ctx) => entityRef(ctx, kind, i.name),
      async (i, ctx) => {
        await checkAttach(ctx, i, ctx.preloaded ?? []);
        const outcome = attachOutcome(await guardedWrite(ctx));
        if (outcome.attached) return undefined;
        // The guard refused what the preload allowed: a concurrent request deleted the identity or the policy, or
        // filled the quota. The guard's own reads say which, in the same words.
        await checkAttach(ctx, i, [outcome.principalRows, outcome.policyRows]);
        throw attachQuotaExceeded(kind);
      },
    ),
    preload: (i: { name: string; PolicyArn: string }, ctx: OperationContext) => [
      principalQuery(ctx.db, ctx.accountId, kind, i.name),
      policyExistsQuery(ctx.db, ctx.accountId, i.PolicyArn),
    ],
    write: (i: { name: string; PolicyArn: string }, ctx: OperationContext) =>
      attachableByArn(i.PolicyArn)
        ? attachStatements(ctx.db, named(ctx, i.name), i.PolicyArn, ctx.now.getTime(), !isAwsManagedArn(i.PolicyArn))
        : [],
  };

  const detach = {
    ...iamOperation(
      `Detach${title}Policy`,
      attachInput[kind],
      (i, ctx) => entityRef(ctx, kind, i.name),
      async (i, ctx) => {
        checkDetach(i, ctx.preloaded?.[0]);
        const outcome = detachOutcome(await guardedWrite(ctx));
        if (outcome.detached) return undefined;
        // The identity may have gone since the preload; otherwise the policy is not (or no longer) attached.
        checkDetach(i, outcome.principalRows);
        throw policyNotAttached(i.PolicyArn);
      },
    ),
    preload: (i: { name: string }, ctx: OperationContext) => [principalQuery(ctx.db, ctx.accountId, kind, i.name)],
    // An ARN that is no policy ARN is refused by the handler; nothing to send.
    write: (i: { name: string; PolicyArn: string }, ctx: OperationContext) =>
      parsePolicyArn(i.PolicyArn) ? detachStatements(ctx.db, named(ctx, i.name), i.PolicyArn) : [],
  };

  const list = {
    ...iamOperation(
      `ListAttached${title}Policies`,
      listInput[kind],
      (i, ctx) => entityRef(ctx, kind, i.name),
      async (i, ctx) => {
        const [rows, arnRows] = ctx.preloaded ?? [];
        fetchedPrincipal(kind, i.name, rows);
        // At most ten per identity, so filtered and paged in memory after one query; names come from the ARNs.
        const after = decodeMarker(i.Marker);
        const prefix = i.PathPrefix ?? "/";
        const items = ((arnRows ?? []) as { arn: string }[])
          .map((r) => r.arn)
          .map((a) => ({ arn: a, parts: parsePolicyArn(a) }))
          .filter((a) => a.parts !== null && a.parts.path.startsWith(prefix) && (after === undefined || a.arn > after));
        const page = toPage(items, i.MaxItems ?? DEFAULT_MAX_ITEMS, (a) => a.arn);
        return {
          AttachedPolicies: page.items.map((a) => ({ PolicyName: a.parts?.name ?? a.arn, PolicyArn: a.arn })),
          IsTruncated: page.IsTruncated,
          Marker: page.Marker,
        };
      },
    ),
    preload: (i: { name: string }, ctx: OperationContext) => [
      principalQuery(ctx.db, ctx.accountId, kind, i.name),
      attachedArnsQuery(ctx.db, ctx.accountId, kind, i.name),
    ],
  };

  return [attach, detach, list];
}

const ENTITY_KINDS: Record<string, EntityKind> = { User: "user", Group: "group", Role: "role" };

export const listEntitiesForPolicyOp = iamOperation(
  "ListEntitiesForPolicy",
  z.object({
    PolicyArn: arn,
    EntityFilter: z.enum(["User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy"]).optional(),
    PathPrefix: path.optional(),
    PolicyUsageFilter: z.enum(["PermissionsPolicy", "PermissionsBoundary"]).optional(),
    ...paging,
  }),
  (i) => i.PolicyArn,
  async (i, ctx) => {
    assertPolicyArn(i.PolicyArn);
    const aws = isAwsManagedArn(i.PolicyArn);
    const exists = aws ? findAwsManagedPolicy(i.PolicyArn) : await findPolicy(ctx.db, ctx.accountId, i.PolicyArn);
    if (!exists) throw new AwsError("NoSuchEntity", `Policy ${i.PolicyArn} was not found.`);

    const filter = i.EntityFilter;
    let kinds: EntityKind[] = ["group", "user", "role"];
    const single = filter === undefined || !Object.hasOwn(ENTITY_KINDS, filter) ? undefined : ENTITY_KINDS[filter];
    if (single) kinds = [single];
    // The policy-type filters keep every entity when the policy is of that type, and none otherwise.
    else if ((filter === "LocalManagedPolicy" && aws) || (filter === "AWSManagedPolicy" && !aws)) kinds = [];

    const max = i.MaxItems ?? DEFAULT_MAX_ITEMS;
    const rows = await listEntitiesForPolicy(ctx.db, {
      accountId: ctx.accountId,
      policyArn: i.PolicyArn,
      kinds,
      asPolicy: i.PolicyUsageFilter !== "PermissionsBoundary",
      asBoundary: i.PolicyUsageFilter !== "PermissionsPolicy",
      pathPrefix: i.PathPrefix,
      after: decodeMarker(i.Marker),
      limit: max + 1,
    });
    const page = toPage(rows, max, (r) => r.sortKey);
    const of = (k: EntityKind) => page.items.filter((r) => r.kind === k);
    return {
      PolicyGroups: of("group").map((g) => ({ GroupName: g.name, GroupId: g.id })),
      PolicyUsers: of("user").map((u) => ({ UserName: u.name, UserId: u.id })),
      PolicyRoles: of("role").map((r) => ({ RoleName: r.name, RoleId: r.id })),
      IsTruncated: page.IsTruncated,
      Marker: page.Marker,
    };
  },
);

export const attachmentOperations = [
  ...attachOperations("user"),
  ...attachOperations("group"),
  ...attachOperations("role"),
  listEntitiesForPolicyOp,
];

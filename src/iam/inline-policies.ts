// Inline policies: put, get, delete and list the policies embedded in users, groups and roles.
import { z } from "zod";
import { AwsError } from "../aws/errors";
import { entityRef, iamOperation } from "../core/operation";
import { requirePrincipal } from "../store/attachments";
import { deleteInlinePolicy, findInlinePolicy, listInlinePolicyNames, putInlinePolicy } from "../store/inline-policies";
import type { PrincipalKind } from "../store/schema";
import { existingUserName, groupName, paging, policyDocument, policyName, roleName } from "./fields";
import { decodeMarker, DEFAULT_MAX_ITEMS, toPage } from "./paging";
import { assertValidIdentityPolicy, policySize } from "./policies";
import { refuseServiceLinkedEdit } from "./service-linked-guard";

/** Each kind names its identity with its own member; the schemas map it to `name`. */
const putInput = {
  user: z
    .object({ UserName: existingUserName, PolicyName: policyName, PolicyDocument: policyDocument })
    .transform(({ UserName, ...rest }) => ({ name: UserName, ...rest })),
  group: z
    .object({ GroupName: groupName, PolicyName: policyName, PolicyDocument: policyDocument })
    .transform(({ GroupName, ...rest }) => ({ name: GroupName, ...rest })),
  role: z
    .object({ RoleName: roleName, PolicyName: policyName, PolicyDocument: policyDocument })
    .transform(({ RoleName, ...rest }) => ({ name: RoleName, ...rest })),
};

const namedInput = {
  user: z
    .object({ UserName: existingUserName, PolicyName: policyName })
    .transform(({ UserName, ...rest }) => ({ name: UserName, ...rest })),
  group: z
    .object({ GroupName: groupName, PolicyName: policyName })
    .transform(({ GroupName, ...rest }) => ({ name: GroupName, ...rest })),
  role: z
    .object({ RoleName: roleName, PolicyName: policyName })
    .transform(({ RoleName, ...rest }) => ({ name: RoleName, ...rest })),
};

const listInput = {
  user: z
    .object({ UserName: existingUserName, ...paging })
    .transform(({ UserName, ...rest }) => ({ name: UserName, ...rest })),
  group: z
    .object({ GroupName: groupName, ...paging })
    .transform(({ GroupName, ...rest }) => ({ name: GroupName, ...rest })),
  role: z.object({ RoleName: roleName, ...paging }).transform(({ RoleName, ...rest }) => ({ name: RoleName, ...rest })),
};

const TITLE = { user: "User", group: "Group", role: "Role" } as const;
const NAME_MEMBER = { user: "UserName", group: "GroupName", role: "RoleName" } as const;

function inlineOperations(kind: PrincipalKind) {
  const title = TITLE[kind];
  const missing = (name: string) =>
    new AwsError("NoSuchEntity", `The ${kind} policy with name ${name} cannot be found.`);

  const put = iamOperation(
    `Put${title}Policy`,
    putInput[kind],
    (i, ctx) => entityRef(ctx, kind, i.name),
    async (i, ctx) => {
      const principal = await requirePrincipal(ctx.db, ctx.accountId, kind, i.name);
      // A service-linked role's policies are its service's to change (UnmodifiableEntity).
      refuseServiceLinkedEdit(principal);
      assertValidIdentityPolicy(i.PolicyDocument, ctx.partition);
      const size = policySize(i.PolicyDocument);
      await putInlinePolicy(ctx.db, ctx.accountId, principal, i.PolicyName, i.PolicyDocument, size);
      return undefined;
    },
  );

  const get = iamOperation(
    `Get${title}Policy`,
    namedInput[kind],
    (i, ctx) => entityRef(ctx, kind, i.name),
    async (i, ctx) => {
      const principal = await requirePrincipal(ctx.db, ctx.accountId, kind, i.name);
      const row = await findInlinePolicy(ctx.db, principal.id, i.PolicyName);
      if (!row) throw missing(i.PolicyName);
      return {
        [NAME_MEMBER[kind]]: principal.name,
        PolicyName: row.name,
        // Documents travel URL-encoded, as AWS sends them.
        PolicyDocument: encodeURIComponent(row.document),
      };
    },
  );

  const del = iamOperation(
    `Delete${title}Policy`,
    namedInput[kind],
    (i, ctx) => entityRef(ctx, kind, i.name),
    async (i, ctx) => {
      const principal = await requirePrincipal(ctx.db, ctx.accountId, kind, i.name);
      refuseServiceLinkedEdit(principal);
      if (!(await deleteInlinePolicy(ctx.db, principal.id, i.PolicyName))) throw missing(i.PolicyName);
      return undefined;
    },
  );

  const list = iamOperation(
    `List${title}Policies`,
    listInput[kind],
    (i, ctx) => entityRef(ctx, kind, i.name),
    async (i, ctx) => {
      const principal = await requirePrincipal(ctx.db, ctx.accountId, kind, i.name);
      const max = i.MaxItems ?? DEFAULT_MAX_ITEMS;
      const rows = await listInlinePolicyNames(ctx.db, principal.id, decodeMarker(i.Marker), max + 1);
      const page = toPage(rows, max, (r) => r.name);
      return { PolicyNames: page.items.map((r) => r.name), IsTruncated: page.IsTruncated, Marker: page.Marker };
    },
  );

  return [put, get, del, list];
}

export const inlinePolicyOperations = [
  ...inlineOperations("user"),
  ...inlineOperations("group"),
  ...inlineOperations("role"),
];

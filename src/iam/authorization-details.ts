// GetAccountAuthorizationDetails: users, groups, roles and managed policies with everything attached, one batch a page.
import { z } from "zod";
import { AwsError } from "../aws/errors";
import { parsePolicyArn } from "../aws/arn";
import type { XmlValue } from "../aws/xml";
import { iamOperation } from "../core/operation";
import { list } from "../api/validation";
import { loadAuthorizationDetails } from "../store/authorization-details";
import { versionNumber } from "../store/policies";
import { awsManagedInPartition, awsManagedPolicies } from "./aws-managed-policies";
import { marker, maxItems } from "./fields";
import { decodeMarker, DEFAULT_MAX_ITEMS, encodeMarker } from "./paging";
import { policyShape, viewOfAws, viewOfRow } from "./policies";
import { versionShape } from "./policy-versions";
import { roleShape } from "./shapes";

const ENTITY_TYPES = ["User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy"] as const;

/** The page walks five sections in this order; the marker names the section and the last name key returned in it. */
const SECTIONS = ["users", "groups", "roles", "policies", "aws"] as const;
type Section = (typeof SECTIONS)[number];
const SECTION_FILTER: Record<Section, (typeof ENTITY_TYPES)[number]> = {
  users: "User",
  groups: "Group",
  roles: "Role",
  policies: "LocalManagedPolicy",
  aws: "AWSManagedPolicy",
};

function parseMarker(raw: string | undefined): { section: Section; key: string } | undefined {
  const text = decodeMarker(raw);
  if (text === undefined) return undefined;
  const bar = text.indexOf("|");
  const section = text.slice(0, bar) as Section;
  if (bar < 0 || !SECTIONS.includes(section)) {
    throw new AwsError("ValidationError", "Invalid Marker: the marker does not come from a previous response.");
  }
  return { section, key: text.slice(bar + 1) };
}

function groupBy<T>(rows: T[], key: (row: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const r of rows) {
    const k = key(r);
    const list = map.get(k);
    if (list) list.push(r);
    else map.set(k, [r]);
  }
  return map;
}

const boundary = (arn: string | null): XmlValue | undefined =>
  arn ? { PermissionsBoundaryType: "PermissionsBoundaryPolicy", PermissionsBoundaryArn: arn } : undefined;

export const getAccountAuthorizationDetails = iamOperation(
  "GetAccountAuthorizationDetails",
  z.object({ Filter: list(z.enum(ENTITY_TYPES)).optional(), MaxItems: maxItems.optional(), Marker: marker.optional() }),
  () => "*",
  async (i, ctx) => {
    const max = i.MaxItems ?? DEFAULT_MAX_ITEMS;
    const wanted = new Set(i.Filter && i.Filter.length > 0 ? i.Filter : ENTITY_TYPES);
    const from = parseMarker(i.Marker);
    const startIndex = from ? SECTIONS.indexOf(from.section) : 0;
    const active = (s: Section) => wanted.has(SECTION_FILTER[s]) && SECTIONS.indexOf(s) >= startIndex;
    const afterIn = (s: Section) => (from?.section === s ? from.key : undefined);
    const limit = (s: Section) => (active(s) ? max + 1 : 0);

    const d = await loadAuthorizationDetails(ctx.db, {
      accountId: ctx.accountId,
      limits: { users: limit("users"), groups: limit("groups"), roles: limit("roles"), policies: limit("policies") },
      after: {
        users: afterIn("users"),
        groups: afterIn("groups"),
        roles: afterIn("roles"),
        policies: afterIn("policies"),
      },
    });

    // AWS managed policies appear only when something in the account uses them.
    const awsAfter = afterIn("aws");
    const awsInUse = active("aws")
      ? awsManagedPolicies()
          .map((p) => awsManagedInPartition(p, ctx.partition))
          .filter((p) => d.awsUsage.has(p.arn) && (awsAfter === undefined || p.name.toLowerCase() > awsAfter))
      : [];

    // The page takes the first `max` items across the sections in order; the one after them decides truncation.
    const keys: { section: Section; key: string }[] = [
      ...d.users.map((u) => ({ section: "users" as const, key: u.nameKey })),
      ...d.groups.map((g) => ({ section: "groups" as const, key: g.nameKey })),
      ...d.roles.map((r) => ({ section: "roles" as const, key: r.nameKey })),
      ...d.policies.map((p) => ({ section: "policies" as const, key: p.policy.nameKey })),
      ...awsInUse.slice(0, max + 1).map((p) => ({ section: "aws" as const, key: p.name.toLowerCase() })),
    ];
    const truncated = keys.length > max;
    const taken = keys.slice(0, max);
    const count = (s: Section) => taken.filter((k) => k.section === s).length;
    const last = taken[taken.length - 1];

    const inline = groupBy(d.inline, (r) => r.owner);
    const attached = groupBy(d.attached, (r) => r.owner);
    const memberships = groupBy(d.memberships, (r) => r.userId);
    const tagsOf = groupBy(d.tags, (r) => r.owner);
    const versions = groupBy(d.versions, (r) => r.policyId);
    const inlineOf = (id: string) =>
      (inline.get(id) ?? []).map((p) => ({ PolicyName: p.name, PolicyDocument: encodeURIComponent(p.document) }));
    const attachedOf = (id: string) =>
      (attached.get(id) ?? []).map((a) => ({ PolicyName: parsePolicyArn(a.arn)?.name ?? a.arn, PolicyArn: a.arn }));
    const tagList = (id: string) => (tagsOf.get(id) ?? []).map((t) => ({ Key: t.Key, Value: t.Value }));

    return {
      UserDetailList: d.users.slice(0, count("users")).map((u) => ({
        Path: u.path,
        UserName: u.name,
        UserId: u.id,
        Arn: u.arn,
        CreateDate: new Date(u.createdAt),
        UserPolicyList: inlineOf(u.id),
        GroupList: (memberships.get(u.id) ?? []).map((m) => m.group),
        AttachedManagedPolicies: attachedOf(u.id),
        PermissionsBoundary: boundary(u.permissionsBoundaryArn),
        Tags: tagList(u.id),
      })),
      GroupDetailList: d.groups.slice(0, count("groups")).map((g) => ({
        Path: g.path,
        GroupName: g.name,
        GroupId: g.id,
        Arn: g.arn,
        CreateDate: new Date(g.createdAt),
        GroupPolicyList: inlineOf(g.id),
        AttachedManagedPolicies: attachedOf(g.id),
      })),
      RoleDetailList: d.roles.slice(0, count("roles")).map((r) => ({
        Path: r.path,
        RoleName: r.name,
        RoleId: r.id,
        Arn: r.arn,
        CreateDate: new Date(r.createdAt),
        AssumeRolePolicyDocument: encodeURIComponent(r.assumeRolePolicy),
        InstanceProfileList: d.profiles
          .filter((m) => m.roleId === r.id)
          .map(({ profile: p }) => ({
            Path: p.path,
            InstanceProfileName: p.name,
            InstanceProfileId: p.id,
            Arn: p.arn,
            CreateDate: new Date(p.createdAt),
            Roles: [roleShape({ ...r, permissionsBoundaryArn: null }, undefined, false)],
          })),
        RolePolicyList: inlineOf(r.id),
        AttachedManagedPolicies: attachedOf(r.id),
        PermissionsBoundary: boundary(r.permissionsBoundaryArn),
        Tags: tagList(r.id),
        RoleLastUsed: {
          LastUsedDate: r.lastUsedAt === null ? undefined : new Date(r.lastUsedAt),
          Region: r.lastUsedRegion ?? undefined,
        },
      })),
      Policies: [
        ...d.policies.slice(0, count("policies")).map((p) => ({
          ...(policyShape(viewOfRow(p.policy), p, { description: true }) as Record<string, XmlValue>),
          Tags: undefined,
          PolicyVersionList: (versions.get(p.policy.id) ?? [])
            .sort((a, b) => versionNumber(b.versionId) - versionNumber(a.versionId))
            .map((v) => versionShape(v, v.versionId === p.policy.defaultVersionId)),
        })),
        ...awsInUse.slice(0, count("aws")).map((p) => ({
          ...(policyShape(viewOfAws(p), d.awsUsage.get(p.arn), { description: true }) as Record<string, XmlValue>),
          Tags: undefined,
          PolicyVersionList: [
            versionShape(
              { versionId: p.defaultVersionId, createdAt: p.updateDate.getTime(), document: p.document },
              true,
            ),
          ],
        })),
      ],
      IsTruncated: truncated,
      Marker: truncated && last ? encodeMarker(`${last.section}|${last.key}`) : undefined,
    };
  },
);

export const authorizationDetailsOperations = [getAccountAuthorizationDetails];

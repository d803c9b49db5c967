// Organizations access reports (IAM access advisor for Organizations): GenerateOrganizationsAccessReport and GetOrganizationsAccessReport over the SCPs and the attempts the authorizer recorded per account.
//
// AWS: https://docs.aws.amazon.com/IAM/latest/APIReference/API_GenerateOrganizationsAccessReport.html,
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetOrganizationsAccessReport.html and
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_last-accessed-view-data-orgs.html
import { z } from "zod";
import { AwsError } from "../aws/errors";
import type { XmlValue } from "../aws/xml";
import { str } from "../api/validation";
import type { Operation, OperationContext } from "../core/operation";
import { FULL_AWS_ACCESS, SCP, managedOrgPolicy } from "../organizations/managed-policies";
import { enabledPolicyTypes, findMembership, type Membership } from "../store/organizations";
import { readOrgTree, type OrgTree } from "../store/organizations-access";
import { accessOfAccounts, readAccessJob, writeAccessJob, type AccountServiceAccess } from "../store/service-access";
import { marker, maxItems } from "./fields";
import { allowedActions, reportServiceName, type AllowedActions } from "./service-access-report";
import { pageOf } from "./service-last-accessed";

// The model's organizationsEntityPathType and organizationsPolicyIdType.
const entityPath = str({ min: 19, max: 427, pattern: "^o-[0-9a-z]{10,32}\\/r-[0-9a-z]{4,32}[0-9a-z-\\/]*" });
const organizationsPolicyId = str({ pattern: "^p-[0-9a-zA-Z_]{8,128}$" });
const jobId = str({ min: 36, max: 36 });
const sortKey = z.enum([
  "SERVICE_NAMESPACE_ASCENDING",
  "SERVICE_NAMESPACE_DESCENDING",
  "LAST_AUTHENTICATED_TIME_ASCENDING",
  "LAST_AUTHENTICATED_TIME_DESCENDING",
]);
type SortKey = z.infer<typeof sortKey>;

const OU_ID = /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/;
const ACCOUNT_ID = /^\d{12}$/;

/**
 * AWS: "you must be signed in using your Organizations management account credentials" (IAM user, role session or
 * root user). The IAM user guide names no delegated administrator for these reports, so a delegated administrator is
 * refused like any member account. The API reference names no error code for this; AccessDenied is IAM's refusal.
 */
async function requireManagementAccount(ctx: OperationContext, operation: string): Promise<Membership> {
  const membership = await findMembership(ctx.db, ctx.accountId);
  if (!membership || membership.org.managementAccountId !== ctx.accountId) {
    throw new AwsError(
      "AccessDenied",
      `User: ${ctx.principal.arn} is not authorized to perform: iam:${operation}: Organizations access reports ` +
        `are available only to the management account of an organization, and account ${ctx.accountId} is not one.`,
    );
  }
  return membership;
}

/** What an entity path names, resolved against the organization's tree. */
interface Target {
  kind: "root" | "ou" | "account";
  id: string;
  /** The root and OUs from the root down to the target (the target itself when it is the root or an OU). */
  levels: string[];
}

const badPath = (path: string, why: string) => new AwsError("InvalidInput", `Invalid entity path ${path}: ${why}.`);
const noPath = (path: string, why: string) =>
  new AwsError("NoSuchEntity", `The entity path ${path} does not exist: ${why}.`);

/**
 * `o-org/r-root[/ou-...]*[/account]`: the organization and root of the caller, each OU a child of the one before
 * and the account, when named, last and a child of the last node (the model's pattern is looser than this).
 */
function resolvePath(path: string, m: Membership, tree: OrgTree): Target {
  const segments = path.split("/");
  if (segments.some((s) => s === "")) throw badPath(path, "a segment is empty");
  const [orgId, rootId, ...rest] = segments;
  if (orgId !== m.org.id) throw noPath(path, `${orgId} is not the caller's organization`);
  if (rootId !== m.rootId) throw noPath(path, `${rootId} is not the root of organization ${m.org.id}`);
  const levels = [m.rootId];
  for (const [n, segment] of rest.entries()) {
    const parent = levels[levels.length - 1];
    if (ACCOUNT_ID.test(segment)) {
      if (n !== rest.length - 1) throw badPath(path, `account ${segment} must be the last segment`);
      const account = tree.accounts.find((a) => a.id === segment);
      if (!account || account.parentId !== parent) throw noPath(path, `account ${segment} is not in ${parent}`);
      return { kind: "account", id: segment, levels };
    }
    if (!OU_ID.test(segment)) throw badPath(path, `${segment} is neither an OU id nor an account id`);
    const ou = tree.nodes.find((o) => o.id === segment);
    if (!ou || ou.parentId !== parent) throw noPath(path, `organizational unit ${segment} is not in ${parent}`);
    levels.push(segment);
  }
  const last = levels[levels.length - 1] ?? m.rootId;
  return { kind: levels.length === 1 ? "root" : "ou", id: last, levels };
}

/** The documents of the SCPs attached to one root, OU or account (FullAWSAccess from the managed constants). */
function scpsOf(tree: OrgTree, targetId: string): string[] {
  return tree.scps
    .filter((a) => a.targetId === targetId)
    .map((a) => a.content ?? managedOrgPolicy(a.policyId)?.content)
    .filter((d): d is string => d !== undefined);
}

/**
 * The services in effect: an action is allowed when every level (root, each OU, the account) allows it, as the
 * SCP evaluation requires (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html);
 * within a level the attached SCPs' Allows add up and an unconditional Deny takes actions away (allowedActions).
 */
function servicesAllowedByLevels(levels: AllowedActions[]): string[] {
  const [first, ...others] = levels;
  if (!first) return [];
  const out: string[] = [];
  for (const [ns, actions] of first) {
    const rest = others.map((l) => l.get(ns));
    if (rest.some((r) => r === undefined)) continue;
    for (const action of actions.keys()) {
      if (rest.every((r) => r?.has(action))) {
        out.push(ns);
        break;
      }
    }
  }
  return out;
}

/** One service of a report, as kept in the job. */
interface OrgAccessDetail {
  ServiceName: string;
  ServiceNamespace: string;
  Region?: string;
  EntityPath?: string;
  LastAuthenticatedTime?: number;
  TotalAuthenticatedEntities: number;
}

interface OrgAccessJob {
  kind: "organizations";
  accountId: string;
  /** Who generated it: only the same principal reads it, as for service last-accessed jobs. */
  owner: string;
  createdAt: number;
  completedAt: number;
  /** In namespace order; Get sorts by its SortKey. */
  details: OrgAccessDetail[];
}

/**
 * The listed services with the last attempt of any principal of the reported accounts; TotalAuthenticatedEntities
 * is, as the model documents it, "the number of accounts with authenticated principals (root user, IAM users, and
 * IAM roles) that attempted to access the service".
 */
export function buildOrgReport(
  services: string[],
  access: AccountServiceAccess[],
  accountPaths: ReadonlyMap<string, string>,
): OrgAccessDetail[] {
  return [...new Set(services)].sort().map((ns) => {
    const rows = access.filter((a) => a.service.toLowerCase() === ns && accountPaths.has(a.accountId));
    const detail: OrgAccessDetail = {
      ServiceName: reportServiceName(ns),
      ServiceNamespace: ns,
      TotalAuthenticatedEntities: new Set(rows.map((r) => r.accountId)).size,
    };
    const last = rows.reduce<AccountServiceAccess | undefined>(
      (b, r) => (!b || r.lastAt > b.lastAt ? r : b),
      undefined,
    );
    if (last) {
      detail.Region = last.region;
      detail.EntityPath = accountPaths.get(last.accountId);
      detail.LastAuthenticatedTime = last.lastAt;
    }
    return detail;
  });
}

/**
 * Namespace order, or time order with the services nobody attempted counted as the oldest (first when ascending,
 * last when descending); ties by namespace.
 */
function sortDetails(details: OrgAccessDetail[], key: SortKey): OrgAccessDetail[] {
  const byNs = (a: OrgAccessDetail, b: OrgAccessDetail) => (a.ServiceNamespace < b.ServiceNamespace ? -1 : 1);
  const time = (d: OrgAccessDetail) => d.LastAuthenticatedTime ?? Number.NEGATIVE_INFINITY;
  const sorted = [...details];
  switch (key) {
    case "SERVICE_NAMESPACE_ASCENDING":
      return sorted.sort(byNs);
    case "SERVICE_NAMESPACE_DESCENDING":
      return sorted.sort((a, b) => byNs(b, a));
    case "LAST_AUTHENTICATED_TIME_ASCENDING":
      return sorted.sort((a, b) => time(a) - time(b) || byNs(a, b));
    case "LAST_AUTHENTICATED_TIME_DESCENDING":
      return sorted.sort((a, b) => time(b) - time(a) || byNs(a, b));
  }
}

const generateInput = z.object({ EntityPath: entityPath, OrganizationsPolicyId: organizationsPolicyId.optional() });

export const generateOrganizationsAccessReport: Operation<typeof generateInput> = {
  service: "iam",
  name: "GenerateOrganizationsAccessReport",
  input: generateInput,
  action: "iam:GenerateOrganizationsAccessReport",
  // The Service Authorization Reference's access-report resource type.
  resource: (i, ctx) => `arn:${ctx.partition}:iam::${ctx.accountId}:access-report/${i.EntityPath}`,
  conditionKeys: (i): Record<string, string> =>
    i.OrganizationsPolicyId !== undefined ? { "iam:OrganizationsPolicyId": i.OrganizationsPolicyId } : {},
  run: async (i, ctx) => {
    const m = await requireManagementAccount(ctx, "GenerateOrganizationsAccessReport");
    // AWS: "SCPs must be enabled for your organization root."
    if (!enabledPolicyTypes(m.org).includes(SCP)) {
      throw new AwsError(
        "InvalidInput",
        `Service control policies are not enabled for root ${m.rootId}: enable them before generating an ` +
          "Organizations access report.",
      );
    }
    const tree = await readOrgTree(ctx.db, m.org.id, i.OrganizationsPolicyId);
    const target = resolvePath(i.EntityPath, m, tree);

    const nodePaths = new Map<string, string>();
    const nodeParent = new Map(tree.nodes.map((n) => [n.id, n.parentId]));
    const nodePath = (id: string): string => {
      const known = nodePaths.get(id);
      if (known !== undefined) return known;
      const parent = nodeParent.get(id);
      const path = parent ? `${nodePath(parent)}/${id}` : `${m.org.id}/${id}`;
      nodePaths.set(id, path);
      return path;
    };
    const chainOf = (accountParent: string): string[] => {
      const chain: string[] = [];
      for (let at: string | null | undefined = accountParent; at; at = nodeParent.get(at)) chain.push(at);
      return chain;
    };

    const management = m.org.managementAccountId;
    let services: string[];
    let accounts: { id: string; parentId: string }[];
    if (target.kind === "account" && target.id === management) {
      // AWS: the management account is not limited by SCPs, so its report lists every service, with its own
      // data only; a policy id is ignored.
      services = [...allowedActions([FULL_AWS_ACCESS.content]).keys()];
      accounts = tree.accounts.filter((a) => a.id === management);
    } else {
      // Accounts in the entity (the account itself, or every account below the root or OU), never the management
      // account, which SCPs do not limit.
      accounts = tree.accounts.filter(
        (a) =>
          a.id !== management &&
          (target.kind === "account" ? a.id === target.id : chainOf(a.parentId).includes(target.id)),
      );
      if (i.OrganizationsPolicyId === undefined) {
        const levels = target.kind === "account" ? [...target.levels, target.id] : target.levels;
        services = servicesAllowedByLevels(levels.map((l) => allowedActions(scpsOf(tree, l))));
      } else {
        const id = i.OrganizationsPolicyId;
        const policy = managedOrgPolicy(id) ?? tree.policy;
        if (!policy) {
          throw new AwsError("NoSuchEntity", `The policy ${id} does not exist in organization ${m.org.id}.`);
        }
        if (policy.type !== SCP) {
          throw new AwsError("InvalidInput", `The policy ${id} is not a service control policy.`);
        }
        // The services the one SCP allows, with the data of the entity's accounts it applies to (attached to the
        // account or to a root or OU above it); none when it applies to none of them.
        services = [...allowedActions([policy.content]).keys()];
        const holders = new Set(tree.scps.filter((a) => a.policyId === id).map((a) => a.targetId));
        accounts = accounts.filter((a) => holders.has(a.id) || chainOf(a.parentId).some((n) => holders.has(n)));
      }
    }
    const accountPaths = new Map(accounts.map((a) => [a.id, `${nodePath(a.parentId)}/${a.id}`]));
    const access = await accessOfAccounts(ctx.db, [...accountPaths.keys()]);
    const id = crypto.randomUUID();
    const job: OrgAccessJob = {
      kind: "organizations",
      accountId: ctx.accountId,
      owner: ctx.principal.arn,
      // Computed at once: the job is complete when Generate answers, so it never fails later (no ErrorDetails)
      // and no job is ever running (no ReportGenerationLimitExceeded).
      createdAt: ctx.now.getTime(),
      completedAt: ctx.now.getTime(),
      details: buildOrgReport(services, access, accountPaths),
    };
    await writeAccessJob(ctx.env.KV, id, job);
    return { JobId: id };
  },
};

const getInput = z.object({
  JobId: jobId,
  MaxItems: maxItems.optional(),
  Marker: marker.optional(),
  SortKey: sortKey.optional(),
});

export const getOrganizationsAccessReport: Operation<typeof getInput> = {
  service: "iam",
  name: "GetOrganizationsAccessReport",
  input: getInput,
  action: "iam:GetOrganizationsAccessReport",
  resource: () => "*",
  run: async (i, ctx) => {
    await requireManagementAccount(ctx, "GetOrganizationsAccessReport");
    const job = await readAccessJob<OrgAccessJob>(ctx.env.KV, i.JobId);
    if (!job || job.kind !== "organizations" || job.accountId !== ctx.accountId || job.owner !== ctx.principal.arn) {
      throw new AwsError("NoSuchEntity", `No Organizations access report with job id ${i.JobId} exists.`);
    }
    // AWS: "By default, the list is sorted by service namespace."
    const sorted = sortDetails(job.details, i.SortKey ?? "SERVICE_NAMESPACE_ASCENDING");
    const page = pageOf(sorted, i.Marker, i.MaxItems);
    const accessed = job.details.filter((d) => d.LastAuthenticatedTime !== undefined).length;
    return {
      JobStatus: "COMPLETED",
      JobCreationDate: new Date(job.createdAt),
      JobCompletionDate: new Date(job.completedAt),
      NumberOfServicesAccessible: job.details.length,
      NumberOfServicesNotAccessed: job.details.length - accessed,
      AccessDetails: page.items.map(
        (d): XmlValue => ({
          ServiceName: d.ServiceName,
          ServiceNamespace: d.ServiceNamespace,
          Region: d.Region,
          EntityPath: d.EntityPath,
          LastAuthenticatedTime: d.LastAuthenticatedTime === undefined ? undefined : new Date(d.LastAuthenticatedTime),
          TotalAuthenticatedEntities: d.TotalAuthenticatedEntities,
        }),
      ),
      IsTruncated: page.IsTruncated,
      Marker: page.Marker,
    };
  },
};

export const organizationsAccessReportOperations = [generateOrganizationsAccessReport, getOrganizationsAccessReport];

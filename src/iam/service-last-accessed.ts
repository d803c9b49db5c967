// Service last-accessed data: GenerateServiceLastAccessedDetails, GetServiceLastAccessedDetails(WithEntities) and ListPoliciesGrantingServiceAccess over the attempts the authorizer recorded.
import { z } from "zod";
import { parseIamArn } from "../aws/arn";
import { AwsError } from "../aws/errors";
import type { XmlValue } from "../aws/xml";
import { list, str } from "../api/validation";
import { iamOperation, type OperationContext } from "../core/operation";
import { findGroup } from "../store/groups";
import { findRole } from "../store/roles";
import {
  accessOfEntities,
  attachedToPolicy,
  customerPolicyDocument,
  groupsOfUser,
  membersOfGroups,
  policiesOfOwners,
  readAccessJob,
  writeAccessJob,
  type PolicyOwner,
  type ReportEntity,
} from "../store/service-access";
import { findUser } from "../store/users";
import { findAwsManagedPolicy } from "./aws-managed-policies";
import { arn, marker, maxItems } from "./fields";
import { DEFAULT_MAX_ITEMS, decodeMarker, encodeMarker, invalidMarker } from "./paging";
import { allowedActions, buildServiceReport, type ServiceReport } from "./service-access-report";

const jobId = str({ min: 36, max: 36 });
const serviceNamespace = str({ min: 1, max: 64, pattern: "[\\w-]*" });
const granularity = z.enum(["SERVICE_LEVEL", "ACTION_LEVEL"]);

/** A permissions policy of the entity, labelled as ListPoliciesGrantingServiceAccess names it. */
interface LabelledPolicy {
  name: string;
  type: "INLINE" | "MANAGED";
  arn?: string;
  entityType?: "USER" | "GROUP" | "ROLE";
  entityName?: string;
  document: string;
}

/** What a report is about: its permissions policies and the users and roles whose attempts count. */
interface Subject {
  kind: "user" | "group" | "role" | "policy";
  policies: LabelledPolicy[];
  entities: ReportEntity[];
}

const notFound = (kind: string, name: string) =>
  new AwsError("NoSuchEntity", `The ${kind} with name ${name} cannot be found.`);

/** The owners' inline and attached policies, labelled; AWS managed documents come from the bundled catalogue. */
async function ownedPolicies(ctx: OperationContext, owners: PolicyOwner[]): Promise<LabelledPolicy[]> {
  const { inline, managed } = await policiesOfOwners(
    ctx.db,
    ctx.accountId,
    owners.map((o) => o.id),
  );
  const out: LabelledPolicy[] = [];
  for (const owner of owners) {
    const entityType = owner.kind.toUpperCase() as LabelledPolicy["entityType"];
    for (const p of inline.filter((x) => x.ownerId === owner.id).sort((a, b) => a.name.localeCompare(b.name))) {
      out.push({ name: p.name, type: "INLINE", entityType, entityName: owner.name, document: p.document });
    }
    for (const p of managed.filter((x) => x.ownerId === owner.id).sort((a, b) => a.arn.localeCompare(b.arn))) {
      const document = p.document ?? findAwsManagedPolicy(p.arn)?.document;
      if (document === undefined) continue;
      out.push({ name: p.arn.slice(p.arn.lastIndexOf("/") + 1), type: "MANAGED", arn: p.arn, document });
    }
  }
  return out;
}

/**
 * The entity an ARN names, exactly as stored (another path is another entity): a user (its own and its groups'
 * policies), a group (its policies; its members' attempts), a role, or a managed policy (the users and roles it is
 * attached to, directly or through a group).
 */
async function resolveSubject(ctx: OperationContext, target: string, allowPolicy: boolean): Promise<Subject> {
  const parts = parseIamArn(target);
  const kinds = allowPolicy ? ["user", "group", "role", "policy"] : ["user", "group", "role"];
  if (!parts || !kinds.includes(parts.type)) {
    throw new AwsError("InvalidInput", `ARN ${target} is not valid.`);
  }
  if (parts.type === "policy") {
    const aws = parts.account === "aws" ? findAwsManagedPolicy(target) : undefined;
    const customer =
      parts.account === ctx.accountId ? await customerPolicyDocument(ctx.db, ctx.accountId, target) : undefined;
    const found = aws ?? customer;
    if (!found) throw new AwsError("NoSuchEntity", `Policy ${target} does not exist or is not attachable.`);
    const attached = await attachedToPolicy(ctx.db, ctx.accountId, target);
    const members = await membersOfGroups(ctx.db, attached.groupIds);
    const entities = new Map([...attached.entities, ...members].map((e) => [e.id, e]));
    return {
      kind: "policy",
      policies: [{ name: found.name, type: "MANAGED", arn: target, document: found.document }],
      entities: [...entities.values()],
    };
  }
  if (parts.account !== ctx.accountId) throw notFound(parts.type, parts.name);
  if (parts.type === "user") {
    const user = await findUser(ctx.db, ctx.accountId, parts.name);
    if (!user || user.arn !== target) throw notFound("user", parts.name);
    const owners: PolicyOwner[] = [
      { kind: "user", id: user.id, name: user.name },
      ...(await groupsOfUser(ctx.db, user.id)),
    ];
    return { kind: "user", policies: await ownedPolicies(ctx, owners), entities: [{ kind: "user", ...user }] };
  }
  if (parts.type === "group") {
    const group = await findGroup(ctx.db, ctx.accountId, parts.name);
    if (!group || group.arn !== target) throw notFound("group", parts.name);
    return {
      kind: "group",
      policies: await ownedPolicies(ctx, [{ kind: "group", id: group.id, name: group.name }]),
      entities: await membersOfGroups(ctx.db, [group.id]),
    };
  }
  const role = await findRole(ctx.db, ctx.accountId, parts.name);
  if (!role || role.arn !== target) throw notFound("role", parts.name);
  return {
    kind: "role",
    policies: await ownedPolicies(ctx, [{ kind: "role", id: role.id, name: role.name }]),
    entities: [{ kind: "role", ...role }],
  };
}

/** A generated report as kept in KV: a snapshot, so every page of it reads the same data. */
interface ServiceJob {
  kind: "service";
  accountId: string;
  /** Who generated it: AWS answers a JobId only to the same user, or the same role session. */
  owner: string;
  jobType: "SERVICE_LEVEL" | "ACTION_LEVEL";
  createdAt: number;
  completedAt: number;
  services: ServiceReport[];
  entities: { arn: string; name: string; type: "USER" | "ROLE"; id: string; path: string }[];
  /** Per namespace: entity id -> the entity's last attempt at the service. */
  access: Record<string, Record<string, number>>;
}

async function requireJob(ctx: OperationContext, id: string): Promise<ServiceJob> {
  const job = await readAccessJob<ServiceJob>(ctx.env.KV, id);
  if (!job || job.kind !== "service" || job.accountId !== ctx.accountId || job.owner !== ctx.principal.arn) {
    throw new AwsError("NoSuchEntity", `No service last accessed report with job id ${id} exists.`);
  }
  return job;
}

/** Markers of a stored snapshot are positions in it (Organizations access reports page theirs the same way). */
export function pageOf<T>(items: T[], markerText: string | undefined, max: number | undefined) {
  const at = decodeMarker(markerText);
  const start = at === undefined ? 0 : Number(at);
  if (!Number.isSafeInteger(start) || start < 0 || start > items.length) throw invalidMarker();
  const end = start + (max ?? DEFAULT_MAX_ITEMS);
  const truncated = end < items.length;
  return {
    items: items.slice(start, end),
    IsTruncated: truncated,
    Marker: truncated ? encodeMarker(String(end)) : undefined,
  };
}

const date = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms));

function serviceShape(s: ServiceReport): XmlValue {
  return {
    ServiceName: s.ServiceName,
    LastAuthenticated: date(s.LastAuthenticated),
    ServiceNamespace: s.ServiceNamespace,
    LastAuthenticatedEntity: s.LastAuthenticatedEntity,
    LastAuthenticatedRegion: s.LastAuthenticatedRegion,
    TotalAuthenticatedEntities: s.TotalAuthenticatedEntities,
    TrackedActionsLastAccessed: s.TrackedActionsLastAccessed?.map((a) => ({
      ActionName: a.ActionName,
      LastAccessedEntity: a.LastAccessedEntity,
      LastAccessedTime: date(a.LastAccessedTime),
      LastAccessedRegion: a.LastAccessedRegion,
    })),
  };
}

export const generateServiceLastAccessedDetails = iamOperation(
  "GenerateServiceLastAccessedDetails",
  z.object({ Arn: arn, Granularity: granularity.optional() }),
  (i) => i.Arn,
  async (i, ctx) => {
    const subject = await resolveSubject(ctx, i.Arn, true);
    const allowed = allowedActions(subject.policies.map((p) => p.document));
    const ids = new Set(subject.entities.map((e) => e.id));
    const attempts = await accessOfEntities(ctx.db, ctx.accountId, [...ids]);
    const jobType = i.Granularity ?? "SERVICE_LEVEL";
    const access: ServiceJob["access"] = {};
    for (const a of attempts) {
      const perService = (access[a.service] ??= {});
      perService[a.entityId] = Math.max(perService[a.entityId] ?? 0, a.lastAt);
    }
    const id = crypto.randomUUID();
    const job: ServiceJob = {
      kind: "service",
      accountId: ctx.accountId,
      owner: ctx.principal.arn,
      jobType,
      // Computed at once: the job is complete when Generate answers.
      createdAt: ctx.now.getTime(),
      completedAt: ctx.now.getTime(),
      services: buildServiceReport(allowed, attempts, ids, jobType === "ACTION_LEVEL"),
      entities: subject.entities.map((e) => ({
        arn: e.arn,
        name: e.name,
        type: e.kind === "user" ? "USER" : "ROLE",
        id: e.id,
        path: e.path,
      })),
      access,
    };
    await writeAccessJob(ctx.env.KV, id, job);
    return { JobId: id };
  },
);

export const getServiceLastAccessedDetails = iamOperation(
  "GetServiceLastAccessedDetails",
  z.object({ JobId: jobId, MaxItems: maxItems.optional(), Marker: marker.optional() }),
  () => "*",
  async (i, ctx) => {
    const job = await requireJob(ctx, i.JobId);
    const page = pageOf(job.services, i.Marker, i.MaxItems);
    return {
      JobStatus: "COMPLETED",
      JobType: job.jobType,
      JobCreationDate: new Date(job.createdAt),
      ServicesLastAccessed: page.items.map(serviceShape),
      JobCompletionDate: new Date(job.completedAt),
      IsTruncated: page.IsTruncated,
      Marker: page.Marker,
    };
  },
);

export const getServiceLastAccessedDetailsWithEntities = iamOperation(
  "GetServiceLastAccessedDetailsWithEntities",
  z.object({
    JobId: jobId,
    ServiceNamespace: serviceNamespace,
    MaxItems: maxItems.optional(),
    Marker: marker.optional(),
  }),
  () => "*",
  async (i, ctx) => {
    const job = await requireJob(ctx, i.JobId);
    const ns = i.ServiceNamespace.toLowerCase();
    const allowed = job.services.some((s) => s.ServiceNamespace === ns);
    const seen = job.access[ns] ?? {};
    // Only entities that could have used the permissions: none when the report does not list the service. AWS sorts
    // by date, the most recent attempt first; entities that never attempted follow by name.
    const details = allowed
      ? job.entities
          .map((e) => ({ e, last: seen[e.id] }))
          .sort(
            (a, b) =>
              (b.last ?? -1) - (a.last ?? -1) || a.e.name.localeCompare(b.e.name) || a.e.type.localeCompare(b.e.type),
          )
      : [];
    const page = pageOf(details, i.Marker, i.MaxItems);
    return {
      JobStatus: "COMPLETED",
      JobCreationDate: new Date(job.createdAt),
      JobCompletionDate: new Date(job.completedAt),
      EntityDetailsList: page.items.map(({ e, last }) => ({
        EntityInfo: { Arn: e.arn, Name: e.name, Type: e.type, Id: e.id, Path: e.path },
        LastAuthenticated: date(last),
      })),
      IsTruncated: page.IsTruncated,
      Marker: page.Marker,
    };
  },
);

export const listPoliciesGrantingServiceAccess = iamOperation(
  "ListPoliciesGrantingServiceAccess",
  z.object({
    Marker: marker.optional(),
    Arn: arn,
    ServiceNamespaces: list(serviceNamespace, { max: 200 }).pipe(z.array(z.string()).min(1)),
  }),
  (i) => i.Arn,
  async (i, ctx) => {
    // Every namespace's policies fit in one answer, so no marker is ever handed out.
    if (i.Marker !== undefined) decodeMarker(i.Marker);
    const subject = await resolveSubject(ctx, i.Arn, false);
    const services = subject.policies.map((p) => allowedActions([p.document]));
    return {
      PoliciesGrantingServiceAccess: i.ServiceNamespaces.map((ns) => ({
        ServiceNamespace: ns,
        Policies: subject.policies
          .filter((_p, n) => services[n]?.has(ns.toLowerCase()))
          .map((p) => ({
            PolicyName: p.name,
            PolicyType: p.type,
            PolicyArn: p.arn,
            EntityType: p.entityType,
            EntityName: p.entityName,
          })),
      })),
      IsTruncated: false,
    };
  },
);

export const serviceLastAccessedOperations = [
  generateServiceLastAccessedDetails,
  getServiceLastAccessedDetails,
  getServiceLastAccessedDetailsWithEntities,
  listPoliciesGrantingServiceAccess,
];

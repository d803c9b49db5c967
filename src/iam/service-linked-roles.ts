// Service-linked roles: CreateServiceLinkedRole, DeleteServiceLinkedRole and GetServiceLinkedRoleDeletionStatus.
import { z } from "zod";
import { AwsError } from "../aws/errors";
import { uniqueId } from "../aws/ids";
import { str } from "../api/validation";
import { entityArn, entityRef, iamOperation } from "../core/operation";
import { requireRole, type RoleRow } from "../store/roles";
import { deleteServiceLinkedRole, findDeletionTask, insertServiceLinkedRole } from "../store/service-linked-roles";
import { findAwsManagedPolicy } from "./aws-managed-policies";
import { roleDescription, roleName } from "./fields";
import { nameKey } from "./names";
import { roleShape } from "./shapes";
import { isServiceLinkedRole, SERVICE_ROLE_PATH } from "./service-linked-guard";

/** What AWS names a service's linked role and which of its managed policies the role gets. */
interface LinkedService {
  role: string;
  policy?: string;
  /** Whether the service lets callers add a custom suffix (most create one role per account). */
  suffix: boolean;
}

/*
 * Role names and policies as AWS's documentation of each service gives them. A service outside this table still
 * gets a role, named from its service principal, without a policy.
 */
const KNOWN: Record<string, LinkedService> = {
  "autoscaling.amazonaws.com": { role: "AutoScaling", policy: "AutoScalingServiceRolePolicy", suffix: true },
  "ecs.amazonaws.com": { role: "ECS", policy: "AmazonECSServiceRolePolicy", suffix: false },
  "elasticloadbalancing.amazonaws.com": {
    role: "ElasticLoadBalancing",
    policy: "AWSElasticLoadBalancingServiceRolePolicy",
    suffix: false,
  },
  "rds.amazonaws.com": { role: "RDS", policy: "AmazonRDSServiceRolePolicy", suffix: false },
  "organizations.amazonaws.com": { role: "Organizations", policy: "AWSOrganizationsServiceTrustPolicy", suffix: false },
  "spot.amazonaws.com": { role: "EC2Spot", policy: "AWSEC2SpotServiceRolePolicy", suffix: false },
  "spotfleet.amazonaws.com": { role: "EC2SpotFleet", policy: "AWSEC2SpotFleetServiceRolePolicy", suffix: false },
  "elasticbeanstalk.amazonaws.com": {
    role: "ElasticBeanstalk",
    policy: "AWSElasticBeanstalkServiceRolePolicy",
    suffix: true,
  },
  "eks.amazonaws.com": { role: "AmazonEKS", policy: "AmazonEKSServiceRolePolicy", suffix: false },
  "support.amazonaws.com": { role: "Support", policy: "AWSSupportServiceRolePolicy", suffix: false },
  "trustedadvisor.amazonaws.com": {
    role: "TrustedAdvisor",
    policy: "AWSTrustedAdvisorServiceRolePolicy",
    suffix: false,
  },
  "config.amazonaws.com": { role: "Config", policy: "AWSConfigServiceRolePolicy", suffix: false },
  "guardduty.amazonaws.com": { role: "AmazonGuardDuty", policy: "AmazonGuardDutyServiceRolePolicy", suffix: false },
  "cloudtrail.amazonaws.com": { role: "CloudTrail", policy: "CloudTrailServiceRolePolicy", suffix: false },
  "sso.amazonaws.com": { role: "SSO", policy: "AWSSSOServiceRolePolicy", suffix: false },
  "ssm.amazonaws.com": { role: "AmazonSSM", policy: "AmazonSSMServiceRolePolicy", suffix: false },
  "elasticache.amazonaws.com": { role: "ElastiCache", policy: "ElastiCacheServiceRolePolicy", suffix: false },
  "es.amazonaws.com": {
    role: "AmazonElasticsearchService",
    policy: "AmazonElasticsearchServiceRolePolicy",
    suffix: false,
  },
  "opensearchservice.amazonaws.com": {
    role: "AmazonOpenSearchService",
    policy: "AmazonOpenSearchServiceRolePolicy",
    suffix: false,
  },
  "access-analyzer.amazonaws.com": { role: "AccessAnalyzer", policy: "AccessAnalyzerServiceRolePolicy", suffix: false },
  "dynamodb.application-autoscaling.amazonaws.com": {
    role: "ApplicationAutoScaling_DynamoDBTable",
    policy: "AWSApplicationAutoscalingDynamoDBTablePolicy",
    suffix: true,
  },
};

const SERVICE_PRINCIPAL = /^([a-z0-9][a-z0-9-]*(?:\.[a-z0-9][a-z0-9-]*)*)\.amazonaws\.com$/;

/** The linked-role rules for a service principal, or InvalidInput for a name that is not an AWS service principal. */
function linkedService(service: string): LinkedService {
  // Own properties only: a service named "toString" or "__proto__" is not a known one.
  const known = Object.hasOwn(KNOWN, service) ? KNOWN[service] : undefined;
  if (known) return known;
  const m = SERVICE_PRINCIPAL.exec(service);
  if (!m) throw new AwsError("InvalidInput", `Invalid service name: ${service}`);
  // e.g. "my-service.amazonaws.com" -> "MyService": the principal's labels in Pascal case.
  const pascal = (m[1] ?? "")
    .split(/[.-]/)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join("");
  return { role: pascal, suffix: true };
}

const trustPolicy = (service: string) =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: [service] }, Action: ["sts:AssumeRole"] }],
  });

const createInput = z.object({
  AWSServiceName: str({ min: 1, max: 128, pattern: "[\\w+=,.@-]+" }),
  Description: roleDescription.optional(),
  CustomSuffix: str({ min: 1, max: 64, pattern: "[\\w+=,.@-]+" }).optional(),
});

/** The name and path CreateServiceLinkedRole gives the role. */
function linkedRoleName(i: z.infer<typeof createInput>): { name: string; path: string; policy?: string } {
  const service = linkedService(i.AWSServiceName);
  if (i.CustomSuffix !== undefined && !service.suffix) {
    throw new AwsError("InvalidInput", `Custom suffix is not allowed for ${i.AWSServiceName}`);
  }
  const name = `AWSServiceRoleFor${service.role}${i.CustomSuffix === undefined ? "" : `_${i.CustomSuffix}`}`;
  return { name, path: `${SERVICE_ROLE_PATH}${i.AWSServiceName}/`, policy: service.policy };
}

export const createServiceLinkedRole = iamOperation(
  "CreateServiceLinkedRole",
  createInput,
  (i, ctx) => {
    try {
      const { name, path } = linkedRoleName(i);
      return entityArn(ctx, "role", name, path);
    } catch {
      // An unusable service name is refused by the handler; authorization still needs some ARN of the request.
      return entityArn(ctx, "role", "", `${SERVICE_ROLE_PATH}${i.AWSServiceName}/`);
    }
  },
  async (i, ctx) => {
    const { name, path, policy } = linkedRoleName(i);
    if (name.length > 64) throw new AwsError("InvalidInput", `Role name ${name} is longer than 64 characters.`);
    const policyArn = policy
      ? findAwsManagedPolicy(`arn:${ctx.partition}:iam::aws:policy/aws-service-role/${policy}`)?.arn
      : undefined;
    const row: RoleRow = {
      id: uniqueId("AROA"),
      accountId: ctx.accountId,
      name,
      nameKey: nameKey(name),
      path,
      arn: entityArn(ctx, "role", name, path),
      assumeRolePolicy: trustPolicy(i.AWSServiceName),
      description: i.Description ?? null,
      maxSessionDuration: 3600,
      permissionsBoundaryArn: null,
      lastUsedAt: null,
      lastUsedRegion: null,
      createdAt: ctx.now.getTime(),
    };
    await insertServiceLinkedRole(ctx.db, row, policyArn);
    return { Role: roleShape(row, [], false) };
  },
);

export const deleteServiceLinkedRoleOp = iamOperation(
  "DeleteServiceLinkedRole",
  z.object({ RoleName: roleName }),
  (i, ctx) => entityRef(ctx, "role", i.RoleName),
  async (i, ctx) => {
    const role = await requireRole(ctx.db, ctx.accountId, i.RoleName);
    if (!isServiceLinkedRole(role)) {
      throw new AwsError("InvalidInput", `Role ${role.name} is not a service-linked role.`);
    }
    // task/<the role's path and name without the leading slash>/<id>, the form AWS hands out.
    const taskId = `task${role.path}${role.name}/${crypto.randomUUID()}`;
    await deleteServiceLinkedRole(ctx.db, role, taskId, ctx.now.getTime());
    return { DeletionTaskId: taskId };
  },
);

const TASK_ID = /^task(\/aws-service-role\/[^/]+\/)([\w+=,.@-]+)\/[0-9a-f-]{36}$/;

export const getDeletionStatus = iamOperation(
  "GetServiceLinkedRoleDeletionStatus",
  z.object({ DeletionTaskId: str({ min: 1, max: 1000 }) }),
  (i, ctx) => {
    const m = TASK_ID.exec(i.DeletionTaskId);
    return m ? entityArn(ctx, "role", m[2] ?? "", m[1]) : entityArn(ctx, "role", "");
  },
  async (i, ctx) => {
    if (!TASK_ID.test(i.DeletionTaskId)) {
      throw new AwsError("InvalidInput", `Invalid deletion task id: ${i.DeletionTaskId}`);
    }
    const task = await findDeletionTask(ctx.db, ctx.accountId, i.DeletionTaskId);
    if (!task) throw new AwsError("NoSuchEntity", `Deletion task ${i.DeletionTaskId} cannot be found.`);
    return { Status: task.status };
  },
);

export const serviceLinkedRoleOperations = [createServiceLinkedRole, deleteServiceLinkedRoleOp, getDeletionStatus];

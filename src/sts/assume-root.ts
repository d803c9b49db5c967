// STS AssumeRoot: the management account (or IAM's delegated administrator) gets a short privileged session as a
// member account's root user, scoped by one of AWS's root-task policies.
import { z } from "zod";
import { int, str } from "../api/validation";
import { AwsError } from "../aws/errors";
import type { Operation, OperationContext } from "../core/operation";
import { requireRootAccessCaller } from "../iam/root-access";
import { findAwsManagedPolicy } from "../iam/aws-managed-policies";
import { findAccount } from "../store/organizations";
import { kvOrgSettings } from "../store/org-features";
import { issueCredentials } from "./credentials";

const TEXT = "[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u0085\\u00A0-\\uD7FF\\uE000-\\uFFFD\\u{10000}-\\u{10FFFF}]+";

const input = z.object({
  TargetPrincipal: str({ min: 12, max: 2048 }),
  TaskPolicyArn: z.object({ arn: str({ min: 20, max: 2048, pattern: TEXT }).optional() }),
  DurationSeconds: int({ min: 0, max: 900 }).optional(),
});
type Input = z.infer<typeof input>;

/** The AWS managed policies AWS accepts as TaskPolicyArn (all under the /root-task/ path). */
export const ROOT_TASK_POLICIES = [
  "IAMAuditRootUserCredentials",
  "IAMCreateRootUserPassword",
  "IAMDeleteRootUserCredentials",
  "S3UnlockBucketPolicy",
  "SQSUnlockQueuePolicy",
].map((name) => `arn:aws:iam::aws:policy/root-task/${name}`);

/** AWS's default and maximum: a privileged session lasts at most 15 minutes. */
const MAX_SECONDS = 900;

const ACCOUNT_ROOT = /^arn:aws(?:-[a-z]+(?:-[a-z])?)?:iam::(\d{12}):root$/;

/** The member account named by TargetPrincipal: its id, or its root user's ARN. */
function targetAccount(i: Input): string | undefined {
  if (/^\d{12}$/.test(i.TargetPrincipal)) return i.TargetPrincipal;
  return ACCOUNT_ROOT.exec(i.TargetPrincipal)?.[1];
}

function taskPolicy(i: Input): string {
  const arn = i.TaskPolicyArn.arn;
  if (arn === undefined || !ROOT_TASK_POLICIES.includes(arn) || !findAwsManagedPolicy(arn)) {
    throw new AwsError(
      "ValidationError",
      `The TaskPolicyArn ${arn ?? "(none)"} is not one of the AWS managed task policies for AssumeRoot: ` +
        ROOT_TASK_POLICIES.join(", "),
    );
  }
  return arn;
}

const denied = (message: string) => new AwsError("AccessDenied", message);

/** Root sessions must be enabled for an organization that trusts IAM, and the target must be one of its members. */
async function requireRootSessionTarget(ctx: OperationContext, account: string): Promise<void> {
  let caller;
  try {
    caller = await requireRootAccessCaller(ctx, false);
  } catch (err) {
    // STS words every refusal as AccessDenied; the IAM feature checks name the missing piece in the message.
    if (err instanceof AwsError) throw denied(`AssumeRoot is not available to this account: ${err.message}`);
    throw err;
  }
  const features = await kvOrgSettings(ctx.env.KV).rootAccessFeatures(caller.org.id);
  if (!features.includes("RootSessions")) {
    throw denied(
      "AssumeRoot requires centralized root access: root sessions are not enabled for this organization " +
        "(IAM EnableOrganizationsRootSessions).",
    );
  }
  const member = await findAccount(ctx.db, caller.org.id, account);
  if (!member || account === caller.org.managementAccountId || account === ctx.accountId) {
    throw denied(`The target ${account} is not a member account of organization ${caller.org.id}.`);
  }
}

export const assumeRoot: Operation<typeof input> = {
  service: "sts",
  name: "AssumeRoot",
  input,
  action: "sts:AssumeRoot",
  // The Service Authorization Reference's resource: the target account's root user.
  resource: (i, ctx) => {
    const account = targetAccount(i);
    return account === undefined ? "*" : `arn:${ctx.partition}:iam::${account}:root`;
  },
  conditionKeys: (i): Record<string, string> =>
    i.TaskPolicyArn.arn !== undefined ? { "sts:TaskPolicyArn": i.TaskPolicyArn.arn } : {},
  run: async (i, ctx) => {
    if (ctx.principal.kind === "root") {
      throw denied("AssumeRoot cannot be called with root user credentials.");
    }
    const account = targetAccount(i);
    if (account === undefined) {
      throw new AwsError(
        "ValidationError",
        `The TargetPrincipal ${i.TargetPrincipal} must be a member account id or its root user ARN.`,
      );
    }
    const taskPolicyArn = taskPolicy(i);
    await requireRootSessionTarget(ctx, account);
    const credentials = await issueCredentials(
      { ...ctx, accountId: account },
      { kind: "root", arn: `arn:${ctx.partition}:iam::${account}:root`, taskPolicyArn },
      i.DurationSeconds ?? MAX_SECONDS,
      false,
    );
    return { Credentials: credentials };
  },
};

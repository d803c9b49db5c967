// ARN parsing and the builders for the IAM and STS ARNs this service hands out.

export interface Arn {
  partition: string;
  service: string;
  region: string;
  account: string;
  /** Everything after the fifth colon, colons included (`user/path/name`, `policy/x`, `bucket/key:with:colons`). */
  resource: string;
}

export type IamResourceType = "user" | "group" | "role" | "policy" | "instance-profile";

/** `arn:partition:service:region:account:resource`, or null when the text is not an ARN. */
export function parseArn(s: string): Arn | null {
  const parts = s.split(":");
  if (parts.length < 6 || parts[0] !== "arn") return null;
  const [, partition = "", service = "", region = "", account = ""] = parts;
  const resource = parts.slice(5).join(":");
  if (partition === "" || service === "" || resource === "") return null;
  return { partition, service, region, account, resource };
}

/**
 * The partition a region belongs to, as AWS names them in ARNs: China (`cn-*`), GovCloud (`us-gov-*`), the isolated
 * regions, and `aws` for every other (commercial) region.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
 */
export function partitionOf(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  if (region.startsWith("us-isob-")) return "aws-iso-b";
  if (region.startsWith("us-isof-")) return "aws-iso-f";
  if (region.startsWith("eu-isoe-")) return "aws-iso-e";
  if (region.startsWith("us-iso-")) return "aws-iso";
  return "aws";
}

/** The partition field of an ARN (`aws` when the text is no ARN): entities keep the partition they were made in. */
export function partitionOfArn(arn: string): string {
  return parseArn(arn)?.partition ?? "aws";
}

/** The partitions AWS has, as a pattern source for ARN checks: `aws`, `aws-cn`, `aws-us-gov`, `aws-iso`... */
export const PARTITION = "aws(?:-[a-z]+(?:-[a-z])?)?";

/** An AWS managed policy's ARN, in any partition (`arn:aws:iam::aws:policy/...`, `arn:aws-cn:iam::aws:policy/...`). */
export function isAwsManagedPolicyArn(arn: string): boolean {
  return AWS_MANAGED_POLICY_ARN.test(arn);
}

const AWS_MANAGED_POLICY_ARN = new RegExp(`^arn:${PARTITION}:iam::aws:policy/`);

/** IAM paths are `/` or `/a/b/`; in an ARN the path sits between the type and the name without its leading slash. */
function pathInArn(path: string): string {
  return path.startsWith("/") ? path.slice(1) : path;
}

/** `arn:aws:iam::<account>:<type>/<path><name>`, e.g. `arn:aws:iam::123456789012:user/dev/alice`. */
export function iamArn(account: string, type: IamResourceType, path: string, name: string, partition = "aws"): string {
  return `arn:${partition}:iam::${account}:${type}/${pathInArn(path)}${name}`;
}

/** `arn:aws:iam::aws:policy/<path><name>`, e.g. `arn:aws:iam::aws:policy/service-role/AWSLambdaRole`. */
export function awsManagedPolicyArn(path: string, name: string): string {
  return `arn:aws:iam::aws:policy/${pathInArn(path)}${name}`;
}

/** The ARN of a role session: `arn:aws:sts::<account>:assumed-role/<role>/<session>` (the role's path is dropped). */
export function assumedRoleArn(account: string, role: string, session: string, partition = "aws"): string {
  return `arn:${partition}:sts::${account}:assumed-role/${role}/${session}`;
}

export interface IamArnParts {
  account: string;
  type: IamResourceType;
  /** `/` or `/a/b/` */
  path: string;
  name: string;
}

const IAM_TYPES: ReadonlySet<string> = new Set<IamResourceType>([
  "user",
  "group",
  "role",
  "policy",
  "instance-profile",
]);

/** Splits an IAM entity ARN into account, type, path and name; null for anything else (including STS ARNs). */
export function parseIamArn(arn: string): IamArnParts | null {
  const parsed = parseArn(arn);
  if (!parsed || parsed.service !== "iam" || parsed.region !== "" || parsed.account === "") return null;
  const slash = parsed.resource.indexOf("/");
  if (slash <= 0) return null;
  const type = parsed.resource.slice(0, slash);
  if (!IAM_TYPES.has(type)) return null;
  const rest = parsed.resource.slice(slash + 1);
  const last = rest.lastIndexOf("/");
  const name = rest.slice(last + 1);
  if (name === "") return null;
  const path = last < 0 ? "/" : `/${rest.slice(0, last + 1)}`;
  return { account: parsed.account, type: type as IamResourceType, path, name };
}

/** A managed policy ARN's account (`aws` for AWS managed policies), path and name; null if not a policy ARN. */
export function parsePolicyArn(arn: string): { account: string; path: string; name: string } | null {
  const parts = parseIamArn(arn);
  if (!parts || parts.type !== "policy") return null;
  return { account: parts.account, path: parts.path, name: parts.name };
}

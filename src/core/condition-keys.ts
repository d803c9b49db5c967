// Which condition keys AWS sends for an action (the generated Service Authorization Reference catalogue), and their values from the request and stored state.
import catalogue from "../generated/action-catalogue.json";
import type { ContextValue } from "../engine/index";
import type { LoadedTarget } from "../store/principal-policies";

/** Lower-cased condition keys per lower-cased `service:action`; tag keys keep their `/${tagkey}` template. */
const SUPPORTED = new Map<string, ReadonlySet<string>>(
  Object.entries(catalogue as Record<string, string[]>).map(([action, keys]) => [
    action,
    new Set(keys.map((k) => k.toLowerCase())),
  ]),
);

const NONE: ReadonlySet<string> = new Set();

export function supportedKeys(action: string): ReadonlySet<string> {
  return SUPPORTED.get(action.toLowerCase()) ?? NONE;
}

/** Whether the catalogue lists the action at all (an operation's action must be a real one). */
export function isCatalogued(action: string): boolean {
  return SUPPORTED.has(action.toLowerCase());
}

interface TagInput {
  Key: string;
  Value?: string;
}

/** Members an input may carry, read without trusting their shape (inputs are validated, but per operation). */
function member(input: unknown, name: string): unknown {
  return typeof input === "object" && input !== null && Object.hasOwn(input, name)
    ? (input as Record<string, unknown>)[name]
    : undefined;
}

function isTagList(v: unknown): v is TagInput[] {
  return Array.isArray(v) && v.every((t) => typeof t === "object" && t !== null && typeof t.Key === "string");
}

/**
 * The action-specific keys of one call: aws:RequestTag/* and aws:TagKeys from the tags it sets or removes,
 * iam:PolicyARN, iam:PermissionsBoundary (requested, or the target's current one) and iam:AWSServiceName from its
 * members, aws:ResourceTag/* and iam:ResourceTag/* from the target's stored tags. Only the keys the catalogue
 * lists for the action are set, as AWS sets only those.
 */
export function actionConditionKeys(
  action: string,
  input: unknown,
  target: LoadedTarget | null,
  extra: Record<string, ContextValue> = {},
): Record<string, ContextValue> {
  const supported = supportedKeys(action);
  const out: Record<string, ContextValue> = Object.create(null) as Record<string, ContextValue>;
  const put = (key: string, template: string, value: ContextValue) => {
    if (supported.has(template.toLowerCase())) out[key] = value;
  };

  const tags = member(input, "Tags");
  if (isTagList(tags)) {
    for (const t of tags) put(`aws:RequestTag/${t.Key}`, "aws:RequestTag/${TagKey}", t.Value ?? "");
    put(
      "aws:TagKeys",
      "aws:TagKeys",
      tags.map((t) => t.Key),
    );
  }
  const tagKeys = member(input, "TagKeys");
  if (Array.isArray(tagKeys) && tagKeys.every((k) => typeof k === "string")) put("aws:TagKeys", "aws:TagKeys", tagKeys);

  const policyArn = member(input, "PolicyArn");
  if (typeof policyArn === "string") put("iam:PolicyARN", "iam:PolicyARN", policyArn);

  const boundary = member(input, "PermissionsBoundary");
  if (typeof boundary === "string") put("iam:PermissionsBoundary", "iam:PermissionsBoundary", boundary);
  else if (target?.boundaryArn) put("iam:PermissionsBoundary", "iam:PermissionsBoundary", target.boundaryArn);

  const service = member(input, "AWSServiceName");
  if (typeof service === "string") put("iam:AWSServiceName", "iam:AWSServiceName", service);

  if (target) {
    for (const [k, v] of Object.entries(target.tags)) {
      put(`aws:ResourceTag/${k}`, "aws:ResourceTag/${TagKey}", v);
      put(`iam:ResourceTag/${k}`, "iam:ResourceTag/${TagKey}", v);
    }
  }
  for (const [k, v] of Object.entries(extra)) out[k] = v;
  return out;
}

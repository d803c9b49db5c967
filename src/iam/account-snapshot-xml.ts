// GetAccountAuthorizationDetails as the raw query API answers it (one or more XML pages) turned into the JSON snapshot shape.
import { AwsError } from "../aws/errors";
import { parseXml, type XmlElement } from "./saml-metadata";

/** Members the model types as booleans or integers; everything else stays text, as the JSON snapshot has it. */
const BOOLEANS = new Set(["IsTruncated", "IsDefaultVersion", "IsAttachable"]);
const INTEGERS = new Set(["MaxSessionDuration", "AttachmentCount", "PermissionsBoundaryUsageCount"]);
/** List members, which an empty page writes as an empty element. */
const LISTS = new Set([
  "UserDetailList",
  "GroupDetailList",
  "RoleDetailList",
  "Policies",
  "UserPolicyList",
  "GroupPolicyList",
  "RolePolicyList",
  "GroupList",
  "AttachedManagedPolicies",
  "InstanceProfileList",
  "Roles",
  "PolicyVersionList",
  "Tags",
]);

/** Structure members, which the API writes as an empty element when there is nothing in them: absent then. */
const STRUCTS = new Set(["RoleLastUsed", "PermissionsBoundary"]);

function convert(e: XmlElement): unknown {
  if (LISTS.has(e.name) || (e.children.length > 0 && e.children.every((c) => c.name === "member"))) {
    return e.children.filter((c) => c.name === "member").map(convert);
  }
  if (e.children.length === 0) {
    if (BOOLEANS.has(e.name)) return e.text.trim() === "true";
    if (INTEGERS.has(e.name)) return Number(e.text.trim());
    return e.text;
  }
  // A prototype-free object: element names such as "__proto__" stay ordinary keys (and then fail validation).
  const out = Object.create(null) as Record<string, unknown>;
  for (const c of e.children) {
    if (STRUCTS.has(c.name) && c.children.length === 0) continue;
    out[c.name] = convert(c);
  }
  return out;
}

/**
 * The XML pages of a body, each from its root element to the next one; the next page's XML declaration ends the
 * previous chunk, where the parser skips it as a processing instruction.
 */
function pages(text: string): string[] {
  const starts: number[] = [];
  const re = /<GetAccountAuthorizationDetailsResponse\b/g;
  for (let m = re.exec(text); m; m = re.exec(text)) starts.push(m.index);
  if (starts.length === 0) return [text];
  return starts.map((s, i) => text.slice(s, starts[i + 1] ?? text.length));
}

/**
 * Reads the pages and merges their lists, as the AWS CLI does; a body whose last page is truncated is refused by
 * the snapshot's own validation (IsTruncated stays true).
 */
export function snapshotFromXml(text: string): unknown {
  const merged: Record<string, unknown[]> & { IsTruncated?: boolean } = {
    UserDetailList: [],
    GroupDetailList: [],
    RoleDetailList: [],
    Policies: [],
  };
  for (const page of pages(text)) {
    let root: XmlElement;
    try {
      root = parseXml(page);
    } catch {
      throw new AwsError("ValidationError", "The snapshot is not well-formed XML (is the file complete?).");
    }
    const result = root.children.find((c) => c.name === "GetAccountAuthorizationDetailsResult");
    if (root.name !== "GetAccountAuthorizationDetailsResponse" || !result) {
      throw new AwsError("ValidationError", "An XML snapshot holds GetAccountAuthorizationDetailsResponse pages only.");
    }
    const body = convert(result) as Record<string, unknown>;
    for (const list of ["UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"] as const) {
      const items = body[list];
      if (Array.isArray(items)) merged[list]?.push(...(items as unknown[]));
    }
    merged.IsTruncated = body.IsTruncated === true;
  }
  return merged;
}

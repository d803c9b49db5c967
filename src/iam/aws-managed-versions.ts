// Every published version of each AWS managed policy: decoded from the compact generated asset (line diffs chained back from the default) one policy at a time, on first use.
import versionsAsset from "../generated/aws-managed-versions.json";
import { findAwsManagedPolicy, type AwsManagedPolicy } from "./aws-managed-policies";

/** One version of an AWS managed policy, as ListPolicyVersions and GetPolicyVersion show it. */
export interface AwsManagedVersion {
  versionId: string;
  createDate: Date;
  isDefault: boolean;
}

/** An edit script: a positive number keeps that many lines, a negative one drops that many, an array inserts. */
type Edits = (number | string[])[];
/** `[versionId, createDate, edits]`: edits from the previous row's lines; null for the default; a string is whole. */
type Row = [string, string, Edits | string | null];

interface Decoded {
  rows: Row[];
  versions: AwsManagedVersion[];
  /** Documents already rebuilt, by version id (minified JSON text). */
  documents: Map<string, string>;
}

const asset = versionsAsset as Record<string, string>;
const decoded = new Map<string, Decoded>();

function decode(policy: AwsManagedPolicy): Decoded {
  let d = decoded.get(policy.arn);
  if (d) return d;
  const raw = asset[policy.name];
  const rows: Row[] =
    raw === undefined ? [[policy.defaultVersionId, policy.updateDate.toISOString(), null]] : JSON.parse(raw);
  d = {
    rows,
    versions: rows.map(([versionId, created]) => ({
      versionId,
      createDate: new Date(created),
      isDefault: versionId === policy.defaultVersionId,
    })),
    documents: new Map([[policy.defaultVersionId, policy.document]]),
  };
  decoded.set(policy.arn, d);
  return d;
}

/** The lines the build diffed: the document pretty-printed one token group a line, without indentation. */
const linesOf = (document: string): string[] =>
  JSON.stringify(JSON.parse(document), null, 1)
    .split("\n")
    .map((l) => l.trimStart());

function applyEdits(from: string[], edits: Edits): string[] {
  const out: string[] = [];
  let i = 0;
  for (const op of edits) {
    if (Array.isArray(op)) out.push(...op);
    else if (op > 0) {
      for (let j = 0; j < op; j++) out.push(from[i + j] as string);
      i += op;
    } else i -= op;
  }
  for (; i < from.length; i++) out.push(from[i] as string);
  return out;
}

/** Every kept version of an AWS managed policy, newest first (the default leads); undefined for an unknown ARN. */
export function awsManagedVersions(arn: string): readonly AwsManagedVersion[] | undefined {
  const policy = findAwsManagedPolicy(arn);
  return policy ? decode(policy).versions : undefined;
}

/**
 * One version's document (minified JSON text, as the default's is), rebuilt by replaying the diffs from the default
 * down to it; undefined when the policy or the version does not exist.
 */
export function awsManagedVersionDocument(arn: string, versionId: string): string | undefined {
  const policy = findAwsManagedPolicy(arn);
  if (!policy) return undefined;
  const d = decode(policy);
  const known = d.documents.get(versionId);
  if (known !== undefined) return known;
  const target = d.rows.findIndex((r) => r[0] === versionId);
  if (target < 0) return undefined;
  let lines = linesOf(policy.document);
  for (let i = 1; i <= target; i++) {
    const edits = (d.rows[i] as Row)[2];
    lines = typeof edits === "string" ? linesOf(edits) : applyEdits(lines, edits ?? []);
  }
  const document = JSON.stringify(JSON.parse(lines.join("\n")));
  d.documents.set(versionId, document);
  return document;
}

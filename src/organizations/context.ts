// How an Organizations operation runs: find the caller's organization, authorize on AWS's ARN, keep members out.
import type { z } from "zod";
import { accessDenied, invalidInput, notInUse } from "../aws/organizations-errors";
import type { XmlValue } from "../aws/xml";
import { authorize } from "../core/authorize";
import type { Operation, OperationContext } from "../core/operation";
import { findMembership } from "../store/organizations";
import type { OrgInPartition } from "./shapes";

/** What an Organizations handler runs with: the request, the caller's organization and its root. */
export interface OrgContext {
  ctx: OperationContext;
  org: OrgInPartition;
  rootId: string;
}

export interface OrgOperationSpec<S extends z.ZodType> {
  name: string;
  input: S;
  /** The ARN the action is decided on, once the organization is known; "*" for calls AWS gives no resource. */
  resource?: (input: z.infer<S>, oc: OrgContext) => string;
  /** AWS lets member accounts call a few operations (DescribeOrganization); most are the management account's. */
  membersMayCall?: boolean;
  run: (input: z.infer<S>, oc: OrgContext) => Promise<XmlValue | undefined>;
}

/**
 * Declares an Organizations operation. Its resource ARN names the organization's id, which only the stored row knows,
 * so the action is decided in the handler once the organization is loaded (the pipeline's `action` is null).
 */
export function orgOperation<S extends z.ZodType>(spec: OrgOperationSpec<S>): Operation<S> {
  return {
    service: "organizations",
    name: spec.name,
    input: spec.input,
    action: null,
    resource: () => "*",
    run: async (input, ctx) => {
      const membership = await findMembership(ctx.db, ctx.accountId);
      if (!membership) throw notInUse();
      const org: OrgInPartition = { ...membership.org, partition: ctx.partition };
      const oc: OrgContext = { ctx, org, rootId: membership.rootId };
      await authorize(ctx.db, ctx.principal, ctx, {
        action: `organizations:${spec.name}`,
        target: spec.resource?.(input, oc) ?? "*",
      });
      if (!spec.membersMayCall && ctx.accountId !== membership.org.managementAccountId) throw accessDenied();
      return spec.run(input, oc);
    },
  };
}

// ---- pagination: NextToken is base64url of a tag and the last sort key ----

const TOKEN_TAG = "orgs1|";
export const DEFAULT_MAX_RESULTS = 20;

export function encodeToken(key: string): string {
  const bytes = new TextEncoder().encode(TOKEN_TAG + key);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The sort key a NextToken stands for; a token no response handed out is InvalidInputException INVALID_NEXT_TOKEN. */
export function decodeToken(token: string | undefined): string | undefined {
  if (token === undefined) return undefined;
  let text = "";
  try {
    const bin = atob(token.replace(/-/g, "+").replace(/_/g, "/"));
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(
      Uint8Array.from(bin, (c) => c.charCodeAt(0)),
    );
  } catch {
    text = "";
  }
  if (!text.startsWith(TOKEN_TAG)) throw invalidInput("INVALID_NEXT_TOKEN", "The specified token is invalid.");
  return text.slice(TOKEN_TAG.length);
}

/** Trims a `limit + 1` fetch to one page and the token of the next. */
export function pageOf<T>(rows: T[], limit: number, keyOf: (row: T) => string): { items: T[]; NextToken?: string } {
  if (rows.length <= limit) return { items: rows };
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, NextToken: last === undefined ? undefined : encodeToken(keyOf(last)) };
}

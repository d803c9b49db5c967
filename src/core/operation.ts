// What an operation is: a declaration of its name, input schema, IAM action, resource(s), condition keys and handler.
import type { BatchItem } from "drizzle-orm/batch";
import type { z } from "zod";
import type { ContextValue } from "../engine/index";
import type { XmlValue } from "../aws/xml";
import type { Env } from "../env";
import type { Db } from "../store/db";
import type { SessionStore } from "../store/sessions";
import type { Principal } from "./principal";

/** The services of the query protocol (XML); Organizations speaks awsJson1_1. */
export type QueryServiceName = "iam" | "sts";
export type ServiceName = QueryServiceName | "organizations";

/** What an operation runs with: the services of this request and who is calling. Built once by `invoke`. */
export interface OperationContext {
  env: Env;
  db: Db;
  sessions: SessionStore;
  principal: Principal;
  /** The account the operation acts in: the caller's. */
  accountId: string;
  requestId: string;
  now: Date;
  region: string;
  /** The partition of the signing region (`aws`, `aws-cn`, `aws-us-gov`...): the ARNs this request makes carry it. */
  partition: string;
  /** aws:SourceIp, when the transport tells it. */
  sourceIp?: string;
  /** aws:SecureTransport: whether the request came over TLS. */
  secureTransport: boolean;
  /** Whether the request reached a local development server (localhost or a loopback address). */
  localRequest?: boolean;
  /** The origin (scheme, host, port) the request reached. */
  origin?: string;
  /** Work that may finish after the response (e.g. recording a key's last use). */
  waitUntil: (promise: Promise<unknown>) => void;
  /** The results of the operation's `preload` queries, in order, fetched with the authorization batch. */
  preloaded?: unknown[];
  /**
   * Sends the operation's `write` statements and resolves to their results, in order; set when the operation declares
   * a write. The handler calls it once its checks on `ctx.preloaded` pass. When the statements already rode in the
   * preload's batch (a caller whose authorization loaded nothing) it resolves to those results and sends nothing, so
   * every caller's write is the same statements and the handler reads their outcome the same way.
   */
  write?: () => Promise<unknown[]>;
}

export type EntityKind = "user" | "group" | "role";

/**
 * An existing entity named by the request. Policies match its full ARN, path included, which only the stored row
 * knows; the authorizer reads it (with its tags and boundary) in the same D1 round trip as the caller's policies.
 */
export interface EntityRef {
  /** Server certificates are renamed and moved like entities, so they are targets of the same kind. */
  kind: EntityKind | "server-certificate";
  accountId: string;
  name: string;
  /** The partition of the request; the ARN of an entity with no stored row is built in it. */
  partition?: string;
  /**
   * A rename or move: AWS requires the permission on the entity as it is and as it will be, so the authorizer also
   * decides the ARN built from the new name and path (each defaulting to the stored one).
   */
  renameTo?: { name?: string; path?: string };
}

/** A customer managed policy named by its ARN; read with its tags for aws:ResourceTag. */
export interface PolicyRef {
  kind: "policy";
  arn: string;
}

export type ResourceTarget = string | EntityRef | PolicyRef;

export interface Operation<S extends z.ZodType = z.ZodType> {
  service: ServiceName;
  name: string;
  input: S;
  /** The IAM action the caller needs, or null for calls AWS allows to every authenticated caller. */
  action: string | null;
  /** What the action is performed on, as policies see it: an ARN, or an entity whose ARN (path included) is looked up. */
  resource: (input: z.infer<S>, ctx: OperationContext) => ResourceTarget;
  /**
   * Condition keys this call supplies from its input beyond the generic ones (tags, policy ARN, boundary); the
   * action catalogue still decides which keys AWS sends for the action.
   */
  conditionKeys?: (input: z.infer<S>, ctx: OperationContext) => Record<string, ContextValue>;
  /**
   * Further actions the same call needs on the same resource (e.g. sts:TagSession when AssumeRole passes tags),
   * decided on the context already loaded.
   */
  alsoRequires?: (input: z.infer<S>) => string[];
  /**
   * Reads the handler needs, as unexecuted queries: they ride in the authorization batch (or, for a caller with
   * nothing to load, form one batch of their own), so a read costs one D1 round trip. Results: `ctx.preloaded`.
   */
  preload?: (input: z.infer<S>, ctx: OperationContext) => BatchItem<"sqlite">[];
  /**
   * The handler's write as guarded statements: each changes nothing unless every check `run` makes on
   * `ctx.preloaded` would pass on the rows as they are when it runs, so a request that changed them since the
   * preload (a concurrent delete, a new blocker, a full quota) cannot be written past. Reads after the guards, in the
   * same batch (one transaction), tell `run` why a guard changed nothing: it makes its checks again on them and
   * answers as for the preload. `run` sends the statements with `ctx.write()` once its checks pass: a second round
   * trip after the authorization batch, or none when no authorization batch ran (the management account's root), for
   * then they follow the preload in its batch. No statements means the input alone refuses the call (`run` throws
   * before asking for the write).
   */
  write?: (input: z.infer<S>, ctx: OperationContext) => BatchItem<"sqlite">[];
  /** AWS accepts a few calls unsigned (e.g. AssumeRoleWithWebIdentity). */
  unsigned?: boolean;
  run: (input: z.infer<S>, ctx: OperationContext) => Promise<XmlValue | undefined>;
}

/** Declares an IAM operation whose action is `iam:<name>`, keeping the input type inferred for the handler. */
export function iamOperation<S extends z.ZodType>(
  name: string,
  input: S,
  resource: Operation<S>["resource"],
  run: Operation<S>["run"],
): Operation<S> {
  return { service: "iam", name, input, action: `iam:${name}`, resource, run };
}

/** Adds the reads an operation's handler needs, fetched with the authorization batch (see `preload`). */
export function withPreload<S extends z.ZodType>(
  op: Operation<S>,
  preload: NonNullable<Operation<S>["preload"]>,
): Operation<S> {
  return { ...op, preload };
}

/** The results of the operation's guarded write (see `write`): sent now, or already sent with the preload. */
export function guardedWrite(ctx: OperationContext): Promise<unknown[]> {
  if (!ctx.write) throw new Error("the operation declares no write");
  return ctx.write();
}

/** The ARN of an IAM entity in the caller's account, when its path is known (from the request or the row). */
export function entityArn(ctx: OperationContext, kind: string, name: string, path = "/"): string {
  return `arn:${ctx.partition}:iam::${ctx.accountId}:${kind}${path}${name}`;
}

export function entityRef(ctx: OperationContext, kind: EntityKind, name: string): EntityRef {
  return { kind, accountId: ctx.accountId, name, partition: ctx.partition };
}

/** A customer managed (or AWS managed) policy named by ARN, read with its tags for aws:ResourceTag. */
export function policyRef(arn: string): PolicyRef {
  return { kind: "policy", arn };
}

/** The path-less ARN of a named entity, for one that has no stored row. */
export function entityArnOf(ref: EntityRef): string {
  return `arn:${ref.partition ?? "aws"}:iam::${ref.accountId}:${ref.kind}/${ref.name}`;
}

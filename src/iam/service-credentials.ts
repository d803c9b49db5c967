// Service-specific credentials (CodeCommit, Keyspaces): create and reset (the only times the password is shown), list,
// activate or deactivate, delete.
import { z } from "zod";
import { AwsError } from "../aws/errors";
import { hashPassword, toBase64 } from "../aws/crypto";
import { uniqueId } from "../aws/ids";
import { bool, int, str } from "../api/validation";
import { entityArn, entityRef, iamOperation, type OperationContext } from "../core/operation";
import {
  deleteServiceCredential,
  insertServiceCredential,
  listServiceCredentialsPage,
  requireServiceCredential,
  updateServiceCredential,
  type ServiceCredentialRow,
} from "../store/service-credentials";
import { requireUser, type UserRow } from "../store/users";
import { targetUser, userOrCaller } from "./access-keys";
import { paging, userName } from "./fields";
import { decodeMarker, DEFAULT_MAX_ITEMS, toPage } from "./paging";

/** The services IAM issues these credentials for. */
const SUPPORTED = new Set(["codecommit.amazonaws.com", "cassandra.amazonaws.com"]);

const credentialId = str({ min: 20, max: 128, pattern: "[\\w]+" });
const serviceName = str();
const DAY_MS = 24 * 3600 * 1000;

function requireSupported(service: string): void {
  if (!SUPPORTED.has(service)) {
    throw new AwsError("ServiceNotSupported", `Service ${service} is not supported for service-specific credentials.`);
  }
}

/** 32 random bytes in base64: a 44-character password like the ones AWS generates. */
const newPassword = () => toBase64(crypto.getRandomValues(new Uint8Array(32)));

/** The credential as metadata; a fresh password is added only by create and reset. */
function shape(row: ServiceCredentialRow, user: string, now: Date, password?: string) {
  return {
    CreateDate: new Date(row.createdAt),
    ExpirationDate: row.expiresAt === null ? undefined : new Date(row.expiresAt),
    ServiceName: row.serviceName,
    ServiceUserName: row.serviceUserName,
    ServicePassword: password,
    ServiceSpecificCredentialId: row.id,
    UserName: user,
    // An expired credential reports Expired whatever its stored status.
    Status: row.expiresAt !== null && row.expiresAt <= now.getTime() ? "Expired" : row.status,
  };
}

export const createServiceSpecificCredential = iamOperation(
  "CreateServiceSpecificCredential",
  z.object({ UserName: userName, ServiceName: serviceName, CredentialAgeDays: int({ min: 1, max: 36600 }).optional() }),
  (i, ctx) => entityRef(ctx, "user", i.UserName),
  async (i, ctx) => {
    requireSupported(i.ServiceName);
    const user = await requireUser(ctx.db, ctx.accountId, i.UserName);
    const password = newPassword();
    const row: ServiceCredentialRow = {
      id: uniqueId("ACCA"),
      accountId: ctx.accountId,
      userId: user.id,
      serviceName: i.ServiceName,
      serviceUserName: `${user.name}-at-${ctx.accountId}`,
      // Only a PBKDF2 hash is kept: the password is shown in this response and never again.
      passwordHash: await hashPassword(password),
      status: "Active",
      expiresAt: i.CredentialAgeDays === undefined ? null : ctx.now.getTime() + i.CredentialAgeDays * DAY_MS,
      createdAt: ctx.now.getTime(),
    };
    await insertServiceCredential(ctx.db, row, user.name);
    return { ServiceSpecificCredential: shape(row, user.name, ctx.now, password) };
  },
);

const listInput = z.object({
  UserName: userName.optional(),
  ServiceName: serviceName.optional(),
  AllUsers: bool().optional(),
  ...paging,
});

export const listServiceSpecificCredentials = iamOperation(
  "ListServiceSpecificCredentials",
  listInput,
  (i, ctx) => (i.AllUsers ? entityArn(ctx, "user", "*") : userOrCaller(ctx, i.UserName)),
  async (i, ctx) => {
    if (i.ServiceName !== undefined) requireSupported(i.ServiceName);
    const user: UserRow | undefined = i.AllUsers ? undefined : await targetUser(ctx, i.UserName);
    const max = i.MaxItems ?? DEFAULT_MAX_ITEMS;
    const rows = await listServiceCredentialsPage(
      ctx.db,
      { accountId: ctx.accountId, userId: user?.id, serviceName: i.ServiceName },
      decodeMarker(i.Marker),
      max + 1,
    );
    const page = toPage(rows, max, (r) => r.id);
    // Listing all users names each credential's owner from its service user name (<user>-at-<account>).
    const owner = (r: ServiceCredentialRow) => user?.name ?? r.serviceUserName.replace(/-at-\d{12}$/, "");
    return {
      ServiceSpecificCredentials: page.items.map((r) => ({
        ...shape(r, owner(r), ctx.now),
        ServicePassword: undefined,
      })),
      IsTruncated: page.IsTruncated,
      Marker: page.Marker,
    };
  },
);

const byId = z.object({ UserName: userName.optional(), ServiceSpecificCredentialId: credentialId });

async function credentialOf(ctx: OperationContext, i: z.infer<typeof byId>) {
  const user = await targetUser(ctx, i.UserName);
  return { user, row: await requireServiceCredential(ctx.db, user.id, i.ServiceSpecificCredentialId) };
}

export const resetServiceSpecificCredential = iamOperation(
  "ResetServiceSpecificCredential",
  byId,
  (i, ctx) => userOrCaller(ctx, i.UserName),
  async (i, ctx) => {
    const { user, row } = await credentialOf(ctx, i);
    const password = newPassword();
    await updateServiceCredential(ctx.db, row, { passwordHash: await hashPassword(password) });
    return { ServiceSpecificCredential: shape(row, user.name, ctx.now, password) };
  },
);

export const updateServiceSpecificCredential = iamOperation(
  "UpdateServiceSpecificCredential",
  byId.extend({ Status: z.enum(["Active", "Inactive"]) }),
  (i, ctx) => userOrCaller(ctx, i.UserName),
  async (i, ctx) => {
    const { row } = await credentialOf(ctx, i);
    await updateServiceCredential(ctx.db, row, { status: i.Status });
    return undefined;
  },
);

export const deleteServiceSpecificCredential = iamOperation(
  "DeleteServiceSpecificCredential",
  byId,
  (i, ctx) => userOrCaller(ctx, i.UserName),
  async (i, ctx) => {
    const { row } = await credentialOf(ctx, i);
    await deleteServiceCredential(ctx.db, row);
    return undefined;
  },
);

export const serviceCredentialOperations = [
  createServiceSpecificCredential,
  listServiceSpecificCredentials,
  resetServiceSpecificCredential,
  updateServiceSpecificCredential,
  deleteServiceSpecificCredential,
];

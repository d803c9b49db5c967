// Virtual MFA devices: create (the seed shown once), enable with two consecutive TOTP codes, resync, deactivate,
// delete, list, get and tag.
import { z } from "zod";
import { AwsError } from "../aws/errors";
import { decryptSecret, encryptSecret, toBase64 } from "../aws/crypto";
import { str } from "../api/validation";
import { entityArn, iamOperation, withPreload, type OperationContext } from "../core/operation";
import { accountAliasQuery, aliasFrom } from "../store/account-alias";
import {
  assignMfaDevice,
  deleteMfaDevice,
  findMfaDevice,
  insertMfaDevice,
  listMfaPage,
  recordStep,
  releaseMfaDevice,
  type MfaDeviceRow,
} from "../store/mfa-devices";
import { assertDistinctKeys, listTags, tagResource, untagResource } from "../store/tags";
import { requireUser } from "../store/users";
import { targetUser, userOrCaller } from "./access-keys";
import { existingUserName, path, paging, tagKeyList, tagList, userName } from "./fields";
import { decodeMarker, DEFAULT_MAX_ITEMS, toPage } from "./paging";
import { userShape } from "./shapes";
import { pageOfTags } from "./tagging";
import { otpauthUri, qrCodePng } from "./mfa-qr.ts";
import { base32Decode, base32Encode, findSteps } from "./totp";

const deviceName = str({ min: 1, pattern: "[\\w+=,.@-]+" });
const serialNumber = str({ min: 9, max: 256, pattern: "[\\w+=/:,.@-]+" });
const authCode = str({ min: 6, max: 6, pattern: "[\\d]+" });

/** How far (in 30-second steps) from now codes are searched: a few minutes to enable, more to resync a drifted clock. */
const ENABLE_WINDOW = 10;
const RESYNC_WINDOW = 60;

const mfaArn = (ctx: OperationContext, name: string, p = "/") => entityArn(ctx, "mfa", name, p);

const noSuchDevice = (serial: string) =>
  new AwsError("NoSuchEntity", `VirtualMFADevice with serial number ${serial} doesn't exist.`);

async function requireDevice(ctx: OperationContext, serial: string): Promise<MfaDeviceRow> {
  const device = await findMfaDevice(ctx.db, ctx.accountId, serial);
  if (!device) throw noSuchDevice(serial);
  return device;
}

async function seedOf(ctx: OperationContext, device: MfaDeviceRow) {
  return base32Decode(await decryptSecret(device.seedEncrypted, ctx.env.SECRET_ENCRYPTION_KEY));
}

const invalidCode = () => new AwsError("InvalidAuthenticationCode", "Authentication code for device is not valid.");

/** The last step of two consecutive codes of the device, newer than any step used before; or InvalidAuthenticationCode. */
async function verifyPair(ctx: OperationContext, device: MfaDeviceRow, codes: string[], window: number) {
  const step = await findSteps(await seedOf(ctx, device), codes, ctx.now.getTime(), window, device.lastStep);
  if (step === null) throw invalidCode();
  return step;
}

// The account's alias (named in the QR code's URI) rides in the authorization batch.
export const createVirtualMfaDevice = withPreload(
  iamOperation(
    "CreateVirtualMFADevice",
    z.object({ Path: path.optional(), VirtualMFADeviceName: deviceName, Tags: tagList.optional() }),
    (i, ctx) => mfaArn(ctx, i.VirtualMFADeviceName, i.Path),
    async (i, ctx) => {
      const tags = i.Tags ?? [];
      assertDistinctKeys(tags.map((t) => t.Key));
      // A 160-bit secret, the size RFC 4226 recommends for HMAC-SHA1; stored encrypted, shown only in this response.
      const seed = base32Encode(crypto.getRandomValues(new Uint8Array(20)));
      const serial = mfaArn(ctx, i.VirtualMFADeviceName, i.Path);
      const row: MfaDeviceRow = {
        id: crypto.randomUUID(),
        accountId: ctx.accountId,
        serial,
        serialKey: serial.toLowerCase(),
        name: i.VirtualMFADeviceName,
        path: i.Path ?? "/",
        seedEncrypted: await encryptSecret(seed, ctx.env.SECRET_ENCRYPTION_KEY),
        userId: null,
        enabledAt: null,
        lastStep: null,
        createdAt: ctx.now.getTime(),
      };
      await insertMfaDevice(ctx.db, row, tags);
      const accountName = aliasFrom(ctx.preloaded?.[0]) ?? ctx.accountId;
      const png = await qrCodePng(otpauthUri(i.VirtualMFADeviceName, accountName, seed));
      return {
        VirtualMFADevice: {
          SerialNumber: serial,
          // Blob members: the query protocol carries them base64-encoded; the SDK hands back the Base32 text's bytes
          // and the PNG's.
          Base32StringSeed: toBase64(new TextEncoder().encode(seed)),
          QRCodePNG: toBase64(png),
          Tags: tags.length > 0 ? tags : undefined,
        },
      };
    },
  ),
  (_i, ctx) => [accountAliasQuery(ctx.db, ctx.accountId)],
);

const codesInput = z.object({
  UserName: existingUserName,
  SerialNumber: serialNumber,
  AuthenticationCode1: authCode,
  AuthenticationCode2: authCode,
});

export const enableMfaDevice = iamOperation(
  "EnableMFADevice",
  codesInput,
  (i, ctx) => userOrCaller(ctx, i.UserName),
  async (i, ctx) => {
    const user = await requireUser(ctx.db, ctx.accountId, i.UserName);
    const device = await requireDevice(ctx, i.SerialNumber);
    if (device.userId !== null) throw new AwsError("EntityAlreadyExists", "MFA Device is already in use.");
    const step = await verifyPair(ctx, device, [i.AuthenticationCode1, i.AuthenticationCode2], ENABLE_WINDOW);
    await assignMfaDevice(ctx.db, device, user, ctx.now.getTime(), step, () => noSuchDevice(i.SerialNumber));
    return undefined;
  },
);

/** The device assigned to the named user, or NoSuchEntity. */
async function assignedDevice(ctx: OperationContext, userId: string, serial: string) {
  const device = await findMfaDevice(ctx.db, ctx.accountId, serial);
  if (!device || device.userId !== userId) {
    throw new AwsError("NoSuchEntity", `MFA Device with serial number ${serial} is not assigned to the user.`);
  }
  return device;
}

export const resyncMfaDevice = iamOperation(
  "ResyncMFADevice",
  codesInput,
  (i, ctx) => userOrCaller(ctx, i.UserName),
  async (i, ctx) => {
    const user = await requireUser(ctx.db, ctx.accountId, i.UserName);
    const device = await assignedDevice(ctx, user.id, i.SerialNumber);
    const step = await verifyPair(ctx, device, [i.AuthenticationCode1, i.AuthenticationCode2], RESYNC_WINDOW);
    if (!(await recordStep(ctx.db, device, step))) throw invalidCode();
    return undefined;
  },
);

export const deactivateMfaDevice = iamOperation(
  "DeactivateMFADevice",
  z.object({ UserName: existingUserName.optional(), SerialNumber: serialNumber }),
  (i, ctx) => userOrCaller(ctx, i.UserName),
  async (i, ctx) => {
    const user = await targetUser(ctx, i.UserName);
    await releaseMfaDevice(ctx.db, await assignedDevice(ctx, user.id, i.SerialNumber));
    return undefined;
  },
);

export const deleteVirtualMfaDevice = iamOperation(
  "DeleteVirtualMFADevice",
  z.object({ SerialNumber: serialNumber }),
  (i) => i.SerialNumber,
  async (i, ctx) => {
    await deleteMfaDevice(ctx.db, await requireDevice(ctx, i.SerialNumber));
    return undefined;
  },
);

export const listMfaDevices = iamOperation(
  "ListMFADevices",
  z.object({ UserName: existingUserName.optional(), ...paging }),
  (i, ctx) => userOrCaller(ctx, i.UserName),
  async (i, ctx) => {
    const user = await targetUser(ctx, i.UserName);
    const max = i.MaxItems ?? DEFAULT_MAX_ITEMS;
    const rows = await listMfaPage(
      ctx.db,
      { accountId: ctx.accountId, userId: user.id },
      decodeMarker(i.Marker),
      max + 1,
    );
    const page = toPage(rows, max, (r) => r.device.serialKey);
    return {
      MFADevices: page.items.map(({ device }) => ({
        UserName: user.name,
        SerialNumber: device.serial,
        EnableDate: new Date(device.enabledAt ?? device.createdAt),
      })),
      IsTruncated: page.IsTruncated,
      Marker: page.Marker,
    };
  },
);

export const listVirtualMfaDevices = iamOperation(
  "ListVirtualMFADevices",
  z.object({ AssignmentStatus: z.enum(["Assigned", "Unassigned", "Any"]).optional(), ...paging }),
  (_i, ctx) => mfaArn(ctx, ""),
  async (i, ctx) => {
    const max = i.MaxItems ?? DEFAULT_MAX_ITEMS;
    const status = i.AssignmentStatus ?? "Any";
    const assigned = status === "Any" ? undefined : status === "Assigned";
    const rows = await listMfaPage(ctx.db, { accountId: ctx.accountId, assigned }, decodeMarker(i.Marker), max + 1);
    const page = toPage(rows, max, (r) => r.device.serialKey);
    return {
      VirtualMFADevices: page.items.map(({ device, user }) => ({
        SerialNumber: device.serial,
        User: user ? userShape({ ...user, permissionsBoundaryArn: null }) : undefined,
        EnableDate: device.enabledAt === null ? undefined : new Date(device.enabledAt),
      })),
      IsTruncated: page.IsTruncated,
      Marker: page.Marker,
    };
  },
);

export const getMfaDevice = iamOperation(
  "GetMFADevice",
  z.object({ SerialNumber: serialNumber, UserName: userName.optional() }),
  (i, ctx) => userOrCaller(ctx, i.UserName),
  async (i, ctx) => {
    const user = await targetUser(ctx, i.UserName);
    const device = await assignedDevice(ctx, user.id, i.SerialNumber);
    return { UserName: user.name, SerialNumber: device.serial, EnableDate: new Date(device.enabledAt ?? 0) };
  },
);

export const tagMfaDevice = iamOperation(
  "TagMFADevice",
  z.object({ SerialNumber: serialNumber, Tags: tagList }),
  (i) => i.SerialNumber,
  async (i, ctx) => {
    const device = await requireDevice(ctx, i.SerialNumber);
    await tagResource(ctx.db, ctx.accountId, "mfa", device.id, i.Tags);
    return undefined;
  },
);

export const untagMfaDevice = iamOperation(
  "UntagMFADevice",
  z.object({ SerialNumber: serialNumber, TagKeys: tagKeyList }),
  (i) => i.SerialNumber,
  async (i, ctx) => {
    const device = await requireDevice(ctx, i.SerialNumber);
    await untagResource(ctx.db, device.id, i.TagKeys);
    return undefined;
  },
);

export const listMfaDeviceTags = iamOperation(
  "ListMFADeviceTags",
  z.object({ SerialNumber: serialNumber, ...paging }),
  (i) => i.SerialNumber,
  async (i, ctx) => {
    const device = await requireDevice(ctx, i.SerialNumber);
    return pageOfTags(await listTags(ctx.db, device.id), i.Marker, i.MaxItems);
  },
);

export const mfaDeviceOperations = [
  createVirtualMfaDevice,
  enableMfaDevice,
  resyncMfaDevice,
  deactivateMfaDevice,
  deleteVirtualMfaDevice,
  listMfaDevices,
  listVirtualMfaDevices,
  getMfaDevice,
  tagMfaDevice,
  untagMfaDevice,
  listMfaDeviceTags,
];

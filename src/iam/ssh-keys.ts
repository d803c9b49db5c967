// SSH public key operations (for CodeCommit): upload, get in SSH or PEM encoding, list, activate or deactivate, delete.
import { z } from "zod";
import { uniqueId } from "../aws/ids";
import { str } from "../api/validation";
import { entityRef, iamOperation } from "../core/operation";
import {
  deleteSshKey,
  insertSshKey,
  listSshKeysPage,
  requireSshKey,
  setSshKeyStatus,
  type SshKeyRow,
} from "../store/ssh-keys";
import { requireUser } from "../store/users";
import { targetUser, userOrCaller } from "./access-keys";
import { paging, userName } from "./fields";
import { decodeMarker, DEFAULT_MAX_ITEMS, toPage } from "./paging";
import { fingerprint, parsePublicKey, toPem, toSshLine, type RsaPublicKey } from "./ssh-key-format";

const keyBody = str({ min: 1, max: 16384, pattern: "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+" });
const keyId = str({ min: 20, max: 128, pattern: "[\\w]+" });
const status = z.enum(["Active", "Inactive"]);

const metadata = (k: SshKeyRow, user: string) => ({
  UserName: user,
  SSHPublicKeyId: k.id,
  Status: k.status,
  UploadDate: new Date(k.uploadedAt),
});

export const uploadSshPublicKey = iamOperation(
  "UploadSSHPublicKey",
  z.object({ UserName: userName, SSHPublicKeyBody: keyBody }),
  (i, ctx) => entityRef(ctx, "user", i.UserName),
  async (i, ctx) => {
    const user = await requireUser(ctx.db, ctx.accountId, i.UserName);
    const key = await parsePublicKey(i.SSHPublicKeyBody);
    const row: SshKeyRow = {
      id: uniqueId("APKA"),
      accountId: ctx.accountId,
      userId: user.id,
      body: i.SSHPublicKeyBody,
      fingerprint: await fingerprint(key),
      status: "Active",
      uploadedAt: ctx.now.getTime(),
    };
    await insertSshKey(ctx.db, row, user.name);
    return {
      SSHPublicKey: {
        UserName: user.name,
        SSHPublicKeyId: row.id,
        Fingerprint: row.fingerprint,
        SSHPublicKeyBody: row.body,
        Status: row.status,
        UploadDate: new Date(row.uploadedAt),
      },
    };
  },
);

export const getSshPublicKey = iamOperation(
  "GetSSHPublicKey",
  z.object({ UserName: userName, SSHPublicKeyId: keyId, Encoding: z.enum(["SSH", "PEM"]) }),
  (i, ctx) => entityRef(ctx, "user", i.UserName),
  async (i, ctx) => {
    const user = await requireUser(ctx.db, ctx.accountId, i.UserName);
    const row = await requireSshKey(ctx.db, user.id, i.SSHPublicKeyId);
    const key = await parsePublicKey(row.body);
    // The body is kept as uploaded; either encoding is derived from the parsed key.
    const body = i.Encoding === "PEM" ? await toPem(key) : sshLine(row.body, key);
    return {
      SSHPublicKey: {
        UserName: user.name,
        SSHPublicKeyId: row.id,
        Fingerprint: row.fingerprint,
        SSHPublicKeyBody: body,
        Status: row.status,
        UploadDate: new Date(row.uploadedAt),
      },
    };
  },
);

/** An ssh-rsa upload comes back as written (comment included); a PEM upload as its ssh-rsa line. */
function sshLine(stored: string, key: RsaPublicKey): string {
  return stored.trim().startsWith("ssh-rsa") ? stored.trim() : toSshLine(key);
}

export const listSshPublicKeys = iamOperation(
  "ListSSHPublicKeys",
  z.object({ UserName: userName.optional(), ...paging }),
  (i, ctx) => userOrCaller(ctx, i.UserName),
  async (i, ctx) => {
    const user = await targetUser(ctx, i.UserName);
    const max = i.MaxItems ?? DEFAULT_MAX_ITEMS;
    const rows = await listSshKeysPage(ctx.db, user.id, decodeMarker(i.Marker), max + 1);
    const page = toPage(rows, max, (r) => r.id);
    return {
      SSHPublicKeys: page.items.map((k) => metadata(k, user.name)),
      IsTruncated: page.IsTruncated,
      Marker: page.Marker,
    };
  },
);

export const updateSshPublicKey = iamOperation(
  "UpdateSSHPublicKey",
  z.object({ UserName: userName, SSHPublicKeyId: keyId, Status: status }),
  (i, ctx) => entityRef(ctx, "user", i.UserName),
  async (i, ctx) => {
    const user = await requireUser(ctx.db, ctx.accountId, i.UserName);
    await setSshKeyStatus(ctx.db, await requireSshKey(ctx.db, user.id, i.SSHPublicKeyId), i.Status);
    return undefined;
  },
);

export const deleteSshPublicKey = iamOperation(
  "DeleteSSHPublicKey",
  z.object({ UserName: userName, SSHPublicKeyId: keyId }),
  (i, ctx) => entityRef(ctx, "user", i.UserName),
  async (i, ctx) => {
    const user = await requireUser(ctx.db, ctx.accountId, i.UserName);
    await deleteSshKey(ctx.db, await requireSshKey(ctx.db, user.id, i.SSHPublicKeyId));
    return undefined;
  },
);

export const sshKeyOperations = [
  uploadSshPublicKey,
  getSshPublicKey,
  listSshPublicKeys,
  updateSshPublicKey,
  deleteSshPublicKey,
];

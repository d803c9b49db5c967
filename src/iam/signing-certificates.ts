// Signing certificate operations (X.509 for SOAP-era services): upload, list, activate or deactivate, delete.
import { z } from "zod";
import { AwsError } from "../aws/errors";
import { str } from "../api/validation";
import { iamOperation } from "../core/operation";
import {
  deleteSigningCertificate,
  insertSigningCertificate,
  listSigningCertificatesPage,
  requireSigningCertificate,
  setSigningCertificateStatus,
  type SigningCertificateRow,
} from "../store/signing-certificates";
import { targetUser, userOrCaller } from "./access-keys";
import { existingUserName, paging } from "./fields";
import { decodeMarker, DEFAULT_MAX_ITEMS, toPage } from "./paging";
import { certificateId, parseCertificate } from "./x509";

const certificateBody = str({ min: 1, max: 16384, pattern: "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+" });
const certId = str({ min: 24, max: 128, pattern: "[\\w]+" });
const status = z.enum(["Active", "Inactive"]);

const shape = (c: SigningCertificateRow, user: string) => ({
  UserName: user,
  CertificateId: c.id,
  CertificateBody: c.body,
  Status: c.status,
  UploadDate: new Date(c.uploadedAt),
});

export const uploadSigningCertificate = iamOperation(
  "UploadSigningCertificate",
  z.object({ UserName: existingUserName.optional(), CertificateBody: certificateBody }),
  (i, ctx) => userOrCaller(ctx, i.UserName),
  async (i, ctx) => {
    const user = await targetUser(ctx, i.UserName);
    const cert = parseCertificate(i.CertificateBody);
    // A certificate outside its validity period cannot sign requests: AWS refuses it as invalid.
    if (cert.notAfter.getTime() < ctx.now.getTime() || cert.notBefore.getTime() > ctx.now.getTime()) {
      throw new AwsError("InvalidCertificate", "The certificate is not within its validity period.");
    }
    const row: SigningCertificateRow = {
      accountId: ctx.accountId,
      id: await certificateId(cert),
      userId: user.id,
      body: i.CertificateBody,
      status: "Active",
      uploadedAt: ctx.now.getTime(),
    };
    await insertSigningCertificate(ctx.db, row, user.name);
    return { Certificate: shape(row, user.name) };
  },
);

export const listSigningCertificates = iamOperation(
  "ListSigningCertificates",
  z.object({ UserName: existingUserName.optional(), ...paging }),
  (i, ctx) => userOrCaller(ctx, i.UserName),
  async (i, ctx) => {
    const user = await targetUser(ctx, i.UserName);
    const max = i.MaxItems ?? DEFAULT_MAX_ITEMS;
    const rows = await listSigningCertificatesPage(ctx.db, user.id, decodeMarker(i.Marker), max + 1);
    const page = toPage(rows, max, (r) => r.id);
    return {
      Certificates: page.items.map((c) => shape(c, user.name)),
      IsTruncated: page.IsTruncated,
      Marker: page.Marker,
    };
  },
);

export const updateSigningCertificate = iamOperation(
  "UpdateSigningCertificate",
  z.object({ UserName: existingUserName.optional(), CertificateId: certId, Status: status }),
  (i, ctx) => userOrCaller(ctx, i.UserName),
  async (i, ctx) => {
    const user = await targetUser(ctx, i.UserName);
    await setSigningCertificateStatus(
      ctx.db,
      await requireSigningCertificate(ctx.db, user.id, i.CertificateId),
      i.Status,
    );
    return undefined;
  },
);

export const deleteSigningCertificateOp = iamOperation(
  "DeleteSigningCertificate",
  z.object({ UserName: existingUserName.optional(), CertificateId: certId }),
  (i, ctx) => userOrCaller(ctx, i.UserName),
  async (i, ctx) => {
    const user = await targetUser(ctx, i.UserName);
    await deleteSigningCertificate(ctx.db, await requireSigningCertificate(ctx.db, user.id, i.CertificateId));
    return undefined;
  },
);

export const signingCertificateOperations = [
  uploadSigningCertificate,
  listSigningCertificates,
  updateSigningCertificate,
  deleteSigningCertificateOp,
];

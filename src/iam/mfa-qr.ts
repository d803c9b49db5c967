// The QR code CreateVirtualMFADevice returns: the otpauth URI of the new device, drawn as a PNG authenticator apps scan.
import { encode } from "uqr";
import { encodeBilevelPng } from "./png.ts";

/** The light margin ISO/IEC 18004 asks around a QR symbol, in modules; scanners look for it to find the symbol. */
export const QUIET_ZONE = 4;
/** Pixels per module: large enough for phone cameras and screen scaling, small enough to stay a few kilobytes. */
export const MODULE_PIXELS = 6;

/**
 * The URI AWS documents for QRCodePNG (https://docs.aws.amazon.com/IAM/latest/APIReference/API_VirtualMFADevice.html):
 * `otpauth://totp/$virtualMFADeviceName@$AccountName?secret=$Base32String`, the account named by its alias when it has
 * one, else by its id.
 */
export function otpauthUri(deviceName: string, accountName: string, base32Seed: string): string {
  return `otpauth://totp/${deviceName}@${accountName}?secret=${base32Seed}`;
}

/** A QR code of the text (error correction level M, the usual choice for screens), as PNG bytes. */
export async function qrCodePng(text: string): Promise<Uint8Array> {
  const { size, data } = encode(text, { ecc: "M", border: 0 });
  const side = (size + 2 * QUIET_ZONE) * MODULE_PIXELS;
  return encodeBilevelPng(side, side, (x, y) => {
    const col = Math.floor(x / MODULE_PIXELS) - QUIET_ZONE;
    const row = Math.floor(y / MODULE_PIXELS) - QUIET_ZONE;
    return data[row]?.[col] === true;
  });
}

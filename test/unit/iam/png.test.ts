// The PNG encoder and the MFA QR code, decoded back with Node's own zlib (inflate, CRC-32) and a QR reader (jsQR).
// PNG layout: W3C PNG specification (https://www.w3.org/TR/png/); QRCodePNG: AWS's VirtualMFADevice reference
// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_VirtualMFADevice.html).
import { crc32 as nodeCrc32, inflateSync } from "node:zlib";
import jsQRModule from "jsqr";
import { describe, expect, it } from "vitest";
import { crc32, encodeBilevelPng } from "../../../src/iam/png.ts";
import { MODULE_PIXELS, otpauthUri, QUIET_ZONE, qrCodePng } from "../../../src/iam/mfa-qr.ts";

/** jsQR is CommonJS whose typings declare a default export: under NodeNext that default is the module object. */
const jsQR = ((jsQRModule as { default?: unknown }).default ?? jsQRModule) as typeof jsQRModule.default;

interface Chunk {
  type: string;
  data: Buffer;
  crc: number;
  crcInput: Buffer;
}

/** Splits a PNG into its chunks after checking the signature. */
function chunks(png: Uint8Array): Chunk[] {
  const buf = Buffer.from(png);
  expect([...buf.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const out: Chunk[] = [];
  let at = 8;
  while (at < buf.length) {
    const length = buf.readUInt32BE(at);
    const type = buf.toString("latin1", at + 4, at + 8);
    out.push({
      type,
      data: buf.subarray(at + 8, at + 8 + length),
      crc: buf.readUInt32BE(at + 8 + length),
      crcInput: buf.subarray(at + 4, at + 8 + length),
    });
    at += 12 + length;
  }
  expect(at).toBe(buf.length);
  return out;
}

/** Decodes a 1-bit grayscale, non-interlaced PNG with filter type 0 into rows of booleans (true = dark). */
function decodeBilevel(png: Uint8Array) {
  const all = chunks(png);
  const ihdr = all[0];
  if (!ihdr || ihdr.type !== "IHDR") throw new Error("IHDR must come first");
  const width = ihdr.data.readUInt32BE(0);
  const height = ihdr.data.readUInt32BE(4);
  const header = [...ihdr.data.subarray(8)];
  const raw = inflateSync(Buffer.concat(all.filter((c) => c.type === "IDAT").map((c) => c.data)));
  const rowBytes = Math.ceil(width / 8);
  expect(raw.length).toBe(height * (rowBytes + 1));
  const rows: boolean[][] = [];
  for (let y = 0; y < height; y++) {
    const start = y * (rowBytes + 1);
    expect(raw[start]).toBe(0);
    const row: boolean[] = [];
    for (let x = 0; x < width; x++) row.push((((raw[start + 1 + (x >> 3)] ?? 0) >> (7 - (x & 7))) & 1) === 0);
    rows.push(row);
  }
  return { width, height, header, rows, types: all.map((c) => c.type) };
}

function toRgba(rows: boolean[][]) {
  const height = rows.length;
  const width = rows[0]?.length ?? 0;
  const rgba = new Uint8ClampedArray(width * height * 4);
  rows.forEach((row, y) =>
    row.forEach((dark, x) => {
      const v = dark ? 0 : 255;
      rgba.set([v, v, v, 255], (y * width + x) * 4);
    }),
  );
  return { rgba, width, height };
}

describe("PNG encoder", () => {
  it("computes the CRC-32 PNG chunks use, as zlib does", () => {
    for (const text of ["", "IEND", "123456789", "a longer text to checksum"]) {
      const bytes = new TextEncoder().encode(text);
      expect(crc32(bytes)).toBe(nodeCrc32(bytes));
    }
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
  });

  it("writes signature, IHDR (1-bit grayscale), IDAT and IEND with valid CRCs, and every pixel as drawn", async () => {
    // A width that is not a multiple of 8, so the last byte of each row is partly padding.
    const width = 13;
    const height = 5;
    const dark = (x: number, y: number) => (x * 7 + y * 3) % 5 < 2;
    const png = await encodeBilevelPng(width, height, dark);
    const all = chunks(png);
    expect(all.map((c) => c.type)).toEqual(["IHDR", "IDAT", "IEND"]);
    for (const c of all) expect(c.crc).toBe(nodeCrc32(c.crcInput));
    expect(all[2]?.data.length).toBe(0);

    const decoded = decodeBilevel(png);
    expect(decoded.width).toBe(width);
    expect(decoded.height).toBe(height);
    // bit depth 1, colour type 0 (grayscale), deflate, adaptive filtering, no interlace
    expect(decoded.header).toEqual([1, 0, 0, 0, 0]);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) expect(decoded.rows[y]?.[x]).toBe(dark(x, y));
    }
  });

  it("refuses an empty or fractional size", async () => {
    await expect(encodeBilevelPng(0, 3, () => false)).rejects.toThrow(RangeError);
    await expect(encodeBilevelPng(2.5, 3, () => false)).rejects.toThrow(RangeError);
  });
});

describe("MFA QR code", () => {
  it("writes AWS's otpauth URI: device name, account name and the Base32 seed", () => {
    expect(otpauthUri("phone", "123456789012", "JBSWY3DPEHPK3PXP")).toBe(
      "otpauth://totp/phone@123456789012?secret=JBSWY3DPEHPK3PXP",
    );
  });

  it("draws a QR code a reader decodes back to the URI, with a light quiet zone and square modules", async () => {
    const uri = otpauthUri("my.device+1", "example-alias", "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567ABCDEFGH");
    const { width, height, rows } = decodeBilevel(await qrCodePng(uri));
    expect(width).toBe(height);
    expect(width % MODULE_PIXELS).toBe(0);
    const margin = QUIET_ZONE * MODULE_PIXELS;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        if (x < margin || y < margin || x >= width - margin || y >= height - margin) {
          expect(rows[y]?.[x]).toBe(false);
        }
      }
    }
    // The top-left finder pattern starts right after the quiet zone: a dark module.
    expect(rows[margin]?.[margin]).toBe(true);
    const image = toRgba(rows);
    expect(jsQR(image.rgba, image.width, image.height)?.data).toBe(uri);
  });
});

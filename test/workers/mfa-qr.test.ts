// CreateVirtualMFADevice's QRCodePNG through the real AWS SDK: a PNG whose QR code holds the otpauth URI of the device,
// with the same secret as Base32StringSeed. AWS documents the URI as
// otpauth://totp/$virtualMFADeviceName@$AccountName?secret=$Base32String
// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_VirtualMFADevice.html,
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateVirtualMFADevice.html).
import {
  CreateAccountAliasCommand,
  CreateVirtualMFADeviceCommand,
  DeleteAccountAliasCommand,
} from "@aws-sdk/client-iam";
import jsQR from "jsqr";
import { describe, expect, it } from "vitest";
import { ACCOUNT } from "./fixtures";
import { iamClient } from "./sdk";

const iam = iamClient();

/** A tiny PNG reader for what the Worker writes: 1-bit grayscale, no interlace; inflated with DecompressionStream. */
async function readBilevelPng(png: Uint8Array) {
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  let at = 8;
  let width = 0;
  let height = 0;
  const idat: Uint8Array[] = [];
  const types: string[] = [];
  while (at < png.length) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...png.subarray(at + 4, at + 8));
    types.push(type);
    if (type === "IHDR") {
      width = view.getUint32(at + 8);
      height = view.getUint32(at + 12);
      expect([...png.subarray(at + 16, at + 21)]).toEqual([1, 0, 0, 0, 0]);
    }
    if (type === "IDAT") idat.push(png.slice(at + 8, at + 8 + length));
    at += 12 + length;
  }
  expect(types).toEqual(["IHDR", "IDAT", "IEND"]);
  const stream = new Blob(idat).stream().pipeThrough(new DecompressionStream("deflate"));
  const raw = new Uint8Array(await new Response(stream).arrayBuffer());
  const rowBytes = Math.ceil(width / 8);
  expect(raw.length).toBe(height * (rowBytes + 1));
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const bit = ((raw[y * (rowBytes + 1) + 1 + (x >> 3)] ?? 0) >> (7 - (x & 7))) & 1;
      rgba.set([bit * 255, bit * 255, bit * 255, 255], (y * width + x) * 4);
    }
  }
  return { width, height, rgba };
}

async function createAndScan(name: string) {
  const out = await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: name }));
  const seed = new TextDecoder().decode(out.VirtualMFADevice?.Base32StringSeed);
  const png = out.VirtualMFADevice?.QRCodePNG;
  expect(png).toBeInstanceOf(Uint8Array);
  const image = await readBilevelPng(png ?? new Uint8Array());
  return { seed, text: jsQR(image.rgba, image.width, image.height)?.data };
}

describe("virtual MFA device QR code", () => {
  it("returns a PNG whose QR code is the otpauth URI with the account id and the seed", async () => {
    const { seed, text } = await createAndScan("qr-phone");
    expect(seed).toMatch(/^[A-Z2-7]{32}$/);
    expect(text).toBe(`otpauth://totp/qr-phone@${ACCOUNT}?secret=${seed}`);
  });

  it("names the account by its alias when it has one", async () => {
    await iam.send(new CreateAccountAliasCommand({ AccountAlias: "qr-example-corp" }));
    const { seed, text } = await createAndScan("qr-tablet");
    expect(text).toBe(`otpauth://totp/qr-tablet@qr-example-corp?secret=${seed}`);
    await iam.send(new DeleteAccountAliasCommand({ AccountAlias: "qr-example-corp" }));
  });
});

// A minimal PNG encoder for black-and-white images (1-bit grayscale), such as the QR code of a virtual MFA device.
// PNG layout (W3C PNG specification): the 8-byte signature, then chunks of length, type, data and a CRC-32 of type
// and data: IHDR (size and pixel format), IDAT (the zlib stream of filtered rows) and IEND.

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** The CRC-32 table of the PNG specification (polynomial 0xedb88320, reflected). */
const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 of the given bytes, as PNG chunks carry it. */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = (CRC_TABLE[(c ^ b) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** zlib (RFC 1950) compression, which PNG's IDAT requires; CompressionStream is standard in Workers and Node. */
async function deflate(data: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  const stream = new Blob([data]).stream().pipeThrough(new CompressionStream("deflate"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * Encodes a black-and-white image as a PNG: 1-bit grayscale (0 black, 1 white), no interlace, each row with filter
 * type 0 and its pixels packed eight to a byte, most significant bit first.
 */
export async function encodeBilevelPng(
  width: number,
  height: number,
  isDark: (x: number, y: number) => boolean,
): Promise<Uint8Array> {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`PNG size must be positive integers, got ${width}x${height}`);
  }
  const rowBytes = Math.ceil(width / 8);
  const raw = new Uint8Array(height * (1 + rowBytes));
  for (let y = 0; y < height; y++) {
    const start = y * (1 + rowBytes);
    raw[start] = 0; // filter type None
    let byte = 0;
    for (let x = 0; x < width; x++) {
      if (!isDark(x, y)) byte |= 0x80 >> (x & 7);
      if ((x & 7) === 7 || x === width - 1) {
        raw[start + 1 + (x >> 3)] = byte;
        byte = 0;
      }
    }
  }
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  ihdr[8] = 1; // bit depth
  ihdr[9] = 0; // colour type: grayscale
  ihdr[10] = 0; // compression method: deflate
  ihdr[11] = 0; // filter method: adaptive (types per row)
  ihdr[12] = 0; // no interlace

  const parts = [
    new Uint8Array(SIGNATURE),
    chunk("IHDR", ihdr),
    chunk("IDAT", await deflate(raw)),
    chunk("IEND", new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

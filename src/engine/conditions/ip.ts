// IpAddress/NotIpAddress: IPv4 and IPv6 addresses against CIDR ranges (a bare address means /32 or /128).
import { memoize } from "../memo.ts";
import { fixedValues, type ConditionFamily } from "./family.ts";

interface Cidr {
  bytes: number[];
  prefix: number;
}

function parseV4(s: string): number[] | undefined {
  const parts = s.split(".");
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out.push(n);
  }
  return out;
}

function parseV6(s: string): number[] | undefined {
  let text = s;
  let tail: number[] = [];
  // An embedded IPv4 address may end an IPv6 address (::ffff:192.0.2.1).
  const lastColon = text.lastIndexOf(":");
  if (text.slice(lastColon + 1).includes(".")) {
    const v4 = parseV4(text.slice(lastColon + 1));
    if (!v4) return undefined;
    tail = v4;
    text = text.slice(0, lastColon + 1) + "0:0";
  }
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const groups = (h: string): string[] => (h === "" ? [] : h.split(":"));
  const head = groups(halves[0] ?? "");
  const rest = halves.length === 2 ? groups(halves[1] ?? "") : [];
  const missing = 8 - head.length - rest.length;
  // "::" stands for one or more zero groups (RFC 4291 2.2), so it cannot sit among eight explicit groups.
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const words = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...rest];
  const bytes: number[] = [];
  for (const w of words) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(w)) return undefined;
    const n = parseInt(w, 16);
    bytes.push(n >> 8, n & 255);
  }
  if (tail.length) bytes.splice(12, 4, ...tail);
  return bytes;
}

/** Parses an address, mapping IPv4-mapped IPv6 (::ffff:a.b.c.d) to plain IPv4 so both spellings compare equal. */
export function parseIp(s: string): number[] | undefined {
  const t = s.trim();
  if (t.includes(":")) {
    const b = parseV6(t);
    if (b && b.slice(0, 10).every((x) => x === 0) && b[10] === 255 && b[11] === 255) return b.slice(12);
    return b;
  }
  return parseV4(t);
}

export function parseCidr(s: string): Cidr | undefined {
  const [addr, len, extra] = s.trim().split("/");
  if (addr === undefined || extra !== undefined) return undefined;
  const bytes = parseIp(addr);
  if (!bytes) return undefined;
  const max = bytes.length * 8;
  if (len === undefined) return { bytes, prefix: max };
  if (!/^\d{1,3}$/.test(len)) return undefined;
  let prefix = Number(len);
  // An IPv4-mapped IPv6 range keeps its meaning over the IPv4 bytes.
  if (s.includes(":") && bytes.length === 4) prefix -= 96;
  if (prefix < 0 || prefix > max) return undefined;
  return { bytes, prefix };
}

export function cidrContains(c: Cidr, ip: readonly number[]): boolean {
  if (ip.length !== c.bytes.length) return false;
  let bits = c.prefix;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 255 : (0xff << (8 - bits)) & 255;
    if (((ip[i] as number) & mask) !== ((c.bytes[i] as number) & mask)) return false;
  }
  return true;
}

/** Request addresses, parsed once; a request value may carry a prefix, and its address part is what is tested. */
const requestIp = memoize((v: string) => parseIp(v.split("/")[0] ?? ""));

export const ipFamily: ConditionFamily = {
  variables: false,
  compile(values) {
    const ranges = values.map(parseCidr).filter((c): c is Cidr => c !== undefined);
    return fixedValues((v) => {
      const ip = requestIp(v);
      if (ip === undefined) return false;
      for (const c of ranges) if (cidrContains(c, ip)) return true;
      return false;
    });
  },
};

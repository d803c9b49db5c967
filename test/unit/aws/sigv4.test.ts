// SigV4: AWS's own test vectors (read from ../shared at run time), then parsing errors, verification and presigning.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { AwsError } from "../../../src/aws/errors.ts";
import { sha256Hex } from "../../../src/aws/crypto.ts";
import {
  canonicalRequest,
  credentialScope,
  deriveSigningKey,
  parseAmzDate,
  parseSigV4,
  presignUrl,
  signature,
  signRequest,
  stringToSign,
  toAmzDate,
  uriEncode,
  verifySigV4,
  type SigV4Auth,
} from "../../../src/aws/sigv4.ts";

const SUITE = resolve(dirname(fileURLToPath(import.meta.url)), "../../../../shared/sigv4-test-suite");
const SUITE_PRESENT = existsSync(SUITE);
if (!SUITE_PRESENT) console.log(`SigV4 test vectors skipped: ../shared is absent (looked for ${SUITE}).`);

const SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const VECTOR_TIME = new Date("2015-08-30T12:36:00Z");

interface ParsedReq {
  method: string;
  url: URL;
  headers: Array<[string, string]>;
  body: string;
}

/** Parses a `.req` file: request line, headers (folded lines joined by a space, repeats kept), blank line, body. */
function parseReq(text: string): ParsedReq {
  const lines = text.split("\n");
  const requestLine = lines[0] ?? "";
  const method = requestLine.slice(0, requestLine.indexOf(" "));
  const path = requestLine.slice(method.length + 1, requestLine.lastIndexOf(" HTTP/"));
  const headers: Array<[string, string]> = [];
  let i = 1;
  for (; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (line === "") break;
    const last = headers[headers.length - 1];
    if (/^\s/.test(line) && last) {
      last[1] += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(":");
    headers.push([line.slice(0, colon), line.slice(colon + 1)]);
  }
  const body = lines.slice(i + 1).join("\n");
  const host = headers.find(([k]) => k.toLowerCase() === "host")?.[1].trim() ?? "example.amazonaws.com";
  // Built as one string: `new URL("//example//", base)` would read the path as a host.
  return { method, url: new URL(`https://${host}${path}`), headers, body };
}

/** Every folder holding `<name>.req`, as a path relative to the suite (normalize-path/get-space, ...). */
function vectorDirs(dir: string, rel = ""): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const sub = rel ? `${rel}/${entry.name}` : entry.name;
    if (existsSync(join(dir, entry.name, `${entry.name}.req`))) out.push(sub);
    out.push(...vectorDirs(join(dir, entry.name), sub));
  }
  return out.sort();
}

function loadVector(rel: string) {
  const name = rel.split("/").pop() as string;
  const read = (ext: string) => readFileSync(join(SUITE, rel, `${name}.${ext}`), "utf8");
  const req = parseReq(read("req"));
  const authz = read("authz");
  const signedHeaders = /SignedHeaders=([^,]+)/.exec(authz)?.[1]?.split(";") ?? [];
  // get-vanilla-with-session-token signs X-Amz-Security-Token, which only its .sreq carries: take signed headers
  // missing from the .req from the .sreq (never its Authorization, whose signature is a known error in the suite).
  const sreq = parseReq(read("sreq"));
  for (const h of signedHeaders) {
    if (req.headers.some(([k]) => k.toLowerCase() === h)) continue;
    req.headers.push(...sreq.headers.filter(([k]) => k.toLowerCase() === h));
  }
  return { req, authz, signedHeaders, creq: read("creq"), sts: read("sts") };
}

const VECTORS = SUITE_PRESENT ? vectorDirs(SUITE) : [];

describe.skipIf(!SUITE_PRESENT)("AWS SigV4 test suite", () => {
  it("finds every vector, including normalize-path/* and post-sts-token/*", () => {
    expect(VECTORS.length).toBe(34);
    expect(VECTORS).toContain("normalize-path/get-space");
    expect(VECTORS).toContain("post-sts-token/post-sts-header-before");
    expect(VECTORS).toContain("post-sts-token/post-sts-header-after");
  });

  describe.each(VECTORS)("%s", (rel) => {
    it("builds the canonical request (.creq)", async () => {
      const v = loadVector(rel);
      const hash = await sha256Hex(v.req.body);
      const creq = canonicalRequest(v.req.method, v.req.url, v.req.headers, v.signedHeaders, hash, {
        normalizePath: true,
        presigned: false,
      });
      expect(creq).toBe(v.creq);
    });

    it("builds the string to sign (.sts) and the Authorization header (.authz)", async () => {
      const v = loadVector(rel);
      const scope = credentialScope("20150830", "us-east-1", "service");
      const sts = await stringToSign("20150830T123600Z", scope, v.creq);
      expect(sts).toBe(v.sts);
      const key = await deriveSigningKey(SECRET, "20150830", "us-east-1", "service");
      const sig = await signature(key, sts);
      expect(
        `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/${scope}, SignedHeaders=${v.signedHeaders.join(";")}, Signature=${sig}`,
      ).toBe(v.authz);
    });

    it("parses and verifies the signed request", async () => {
      const v = loadVector(rel);
      const headers: Array<[string, string]> = [...v.req.headers, ["Authorization", v.authz]];
      const auth = parseSigV4(v.req.method, v.req.url, headers);
      expect(auth).toMatchObject({
        accessKeyId: "AKIDEXAMPLE",
        date: "20150830",
        region: "us-east-1",
        service: "service",
        amzDate: "20150830T123600Z",
        signedHeaders: v.signedHeaders,
        presigned: false,
      });
      const req = { method: v.req.method, url: v.req.url, headers, body: new TextEncoder().encode(v.req.body) };
      await expect(verifySigV4(req, auth, SECRET, VECTOR_TIME)).resolves.toBeUndefined();
      await expect(verifySigV4(req, auth, `${SECRET}x`, VECTOR_TIME)).rejects.toMatchObject({
        code: "SignatureDoesNotMatch",
      });
    });
  });

  it("keeps the path as sent when normalizePath is off (S3 style)", () => {
    const v = loadVector("normalize-path/get-slashes");
    const creq = canonicalRequest("GET", v.req.url, v.req.headers, v.signedHeaders, "x", {
      normalizePath: false,
      presigned: false,
    });
    expect(creq.split("\n")[1]).toBe("//example//");
  });

  it("reads the session token of post-sts-header-after without it being signed", async () => {
    const v = loadVector("post-sts-token/post-sts-header-after");
    const token = parseReq(
      readFileSync(join(SUITE, "post-sts-token/post-sts-header-after/post-sts-header-after.sreq"), "utf8"),
    ).headers.find(([k]) => k === "X-Amz-Security-Token")?.[1] as string;
    const headers: Array<[string, string]> = [
      ...v.req.headers,
      ["X-Amz-Security-Token", token],
      ["Authorization", v.authz],
    ];
    const auth = parseSigV4("POST", v.req.url, headers);
    expect(auth.securityToken).toBe(token);
    expect(auth.signedHeaders).toEqual(["host", "x-amz-date"]);
    await expect(
      verifySigV4({ method: "POST", url: v.req.url, headers, body: new Uint8Array() }, auth, SECRET, VECTOR_TIME),
    ).resolves.toBeUndefined();
  });

  it("verifies a vector given as a Headers object", async () => {
    const v = loadVector("post-x-www-form-urlencoded");
    const headers = new Headers(v.req.headers);
    headers.set("Authorization", v.authz);
    const auth = parseSigV4("POST", v.req.url, headers);
    const req = { method: "POST", url: v.req.url, headers, body: new TextEncoder().encode(v.req.body) };
    await expect(verifySigV4(req, auth, SECRET, VECTOR_TIME)).resolves.toBeUndefined();
  });
});

// ---- Beyond the vectors ----

const NOW = new Date("2026-03-01T10:00:00Z");
const IAM_URL = new URL("https://iam.amazonaws.com/");
const BODY = "Action=ListUsers&Version=2010-05-08";
const CREDS = { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secret: SECRET, region: "us-east-1", service: "iam" };

function expectAwsError(fn: () => unknown, code: string, message: string) {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AwsError);
    expect({ code: (e as AwsError).code, message: (e as AwsError).message }).toEqual({ code, message });
    return;
  }
  throw new Error("expected an AwsError");
}

async function expectAwsRejection(p: Promise<unknown>, code: string, message: string) {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(AwsError);
  expect({ code: (e as AwsError).code, message: (e as AwsError).message }).toEqual({ code, message });
}

async function signedIamRequest(now = NOW, body = BODY, extra: Record<string, string> = {}) {
  const headers = await signRequest({
    ...CREDS,
    method: "POST",
    url: IAM_URL,
    headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8", ...extra },
    body,
    now,
  });
  return { method: "POST", url: IAM_URL, headers, body: new TextEncoder().encode(body) };
}

const MISMATCH =
  "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

describe("parseSigV4 errors", () => {
  const date = { "x-amz-date": "20260301T100000Z" };
  const parse = (authorization: string | undefined, extra: Record<string, string> = date, url = IAM_URL) =>
    parseSigV4("POST", url, new Headers({ ...(authorization ? { authorization } : {}), ...extra }));

  it("answers MissingAuthenticationToken (403) when there is no authentication at all", () => {
    expectAwsError(() => parse(undefined), "MissingAuthenticationToken", "Request is missing Authentication Token");
    try {
      parse(undefined);
    } catch (e) {
      expect((e as AwsError).status).toBe(403);
    }
  });

  it("lists what a SigV4 header needs when given another scheme", () => {
    expectAwsError(
      () => parse("Bearer abc.def", {}),
      "IncompleteSignature",
      "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. " +
        "Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either " +
        "a 'X-Amz-Date' or a 'Date' header. Authorization=Bearer abc.def",
    );
  });

  it("names only the missing parameters", () => {
    expectAwsError(
      () => parse("AWS4-HMAC-SHA256 Credential=AKID/20260301/us-east-1/iam/aws4_request, SignedHeaders=host"),
      "IncompleteSignature",
      "Authorization header requires 'Signature' parameter. Authorization=AWS4-HMAC-SHA256 " +
        "Credential=AKID/20260301/us-east-1/iam/aws4_request, SignedHeaders=host",
    );
  });

  it("asks for a date when neither X-Amz-Date nor Date is present", () => {
    const h = "AWS4-HMAC-SHA256 Credential=AKID/20260301/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=ab";
    expectAwsError(
      () => parse(h, {}),
      "IncompleteSignature",
      `Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=${h}`,
    );
  });

  it("rejects a component without an equals sign", () => {
    const h = "AWS4-HMAC-SHA256 Credential= AKID/20260301/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=ab";
    expectAwsError(
      () => parse(h),
      "IncompleteSignature",
      `'AKID/20260301/us-east-1/iam/aws4_request' not a valid key=value pair (missing equal-sign) in Authorization header: '${h}'.`,
    );
  });

  it("rejects an unsupported algorithm", () => {
    expectAwsError(
      () =>
        parse("AWS4-HMAC-SHA512 Credential=AKID/20260301/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=ab"),
      "IncompleteSignature",
      "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512'.",
    );
  });

  it("rejects a credential without five elements", () => {
    expectAwsError(
      () => parse("AWS4-HMAC-SHA256 Credential=AKID/20260301/us-east-1/aws4_request, SignedHeaders=host, Signature=ab"),
      "IncompleteSignature",
      "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKID/20260301/us-east-1/aws4_request'",
    );
  });

  it("rejects a bad terminator", () => {
    expectAwsError(
      () =>
        parse("AWS4-HMAC-SHA256 Credential=AKID/20260301/us-east-1/iam/aws5_request, SignedHeaders=host, Signature=ab"),
      "SignatureDoesNotMatch",
      "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'.",
    );
  });

  it("rejects a scope date that is not the request date", () => {
    expectAwsError(
      () =>
        parse("AWS4-HMAC-SHA256 Credential=AKID/20260302/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=ab"),
      "SignatureDoesNotMatch",
      "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20260302' != '20260301', from '20260301T100000Z'.",
    );
  });

  it("rejects an X-Amz-Date that is not ISO 8601 basic format", () => {
    expectAwsError(
      () =>
        parse(
          "AWS4-HMAC-SHA256 Credential=AKID/20260301/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=ab",
          {
            "x-amz-date": "2026-03-01T10:00:00Z",
          },
        ),
      "IncompleteSignature",
      "Date must be in ISO-8601 'basic format'. Got '2026-03-01T10:00:00Z'. See http://en.wikipedia.org/wiki/ISO_8601",
    );
  });

  it("requires host to be signed", () => {
    expectAwsError(
      () =>
        parse(
          "AWS4-HMAC-SHA256 Credential=AKID/20260301/us-east-1/iam/aws4_request, SignedHeaders=x-amz-date, Signature=ab",
        ),
      "IncompleteSignature",
      "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
    );
  });

  it("takes the request time from the Date header when X-Amz-Date is absent", () => {
    const auth = parse(
      "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/iam/aws4_request, SignedHeaders=date;host, Signature=ab",
      { date: "Sun, 30 Aug 2015 12:36:00 GMT", "x-amz-security-token": "tok" },
    );
    expect(auth).toEqual({
      accessKeyId: "AKID",
      date: "20150830",
      region: "us-east-1",
      service: "iam",
      signedHeaders: ["date", "host"],
      signature: "ab",
      amzDate: "20150830T123600Z",
      securityToken: "tok",
      presigned: false,
    });
  });

  it("lists the missing presigned parameters", () => {
    expectAwsError(
      () =>
        parse(undefined, {}, new URL("https://iam.amazonaws.com/?Action=ListUsers&X-Amz-Algorithm=AWS4-HMAC-SHA256")),
      "IncompleteSignature",
      "AWS query-string parameters must include 'X-Amz-Credential'. AWS query-string parameters must include " +
        "'X-Amz-Signature'. AWS query-string parameters must include 'X-Amz-SignedHeaders'. AWS query-string " +
        "parameters must include 'X-Amz-Date'. Re-examine the query-string parameters.",
    );
  });

  it("refuses a request authenticated both ways", () => {
    expectAwsError(
      () => parse("AWS4-HMAC-SHA256 x=y", date, new URL("https://iam.amazonaws.com/?X-Amz-Signature=ab")),
      "IncompleteSignature",
      "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.",
    );
  });
});

describe("signRequest and verifySigV4", () => {
  it("round-trips an IAM request signed like the SDKs", async () => {
    const req = await signedIamRequest();
    expect(req.headers.get("authorization")).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE\/20260301\/us-east-1\/iam\/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=[0-9a-f]{64}$/,
    );
    const auth = parseSigV4(req.method, req.url, req.headers);
    await expect(verifySigV4(req, auth, SECRET, NOW)).resolves.toBeUndefined();
  });

  it("signs and carries a session token", async () => {
    const headers = await signRequest({
      ...CREDS,
      method: "GET",
      url: IAM_URL,
      now: NOW,
      sessionToken: "FwoGZXIvYXdz",
    });
    const auth = parseSigV4("GET", IAM_URL, headers);
    expect(auth.securityToken).toBe("FwoGZXIvYXdz");
    expect(auth.signedHeaders).toEqual(["host", "x-amz-date", "x-amz-security-token"]);
    await expect(
      verifySigV4({ method: "GET", url: IAM_URL, headers, body: new Uint8Array() }, auth, SECRET, NOW),
    ).resolves.toBeUndefined();
  });

  it("rejects a wrong secret, a changed body, a changed signed header and a changed URL", async () => {
    const req = await signedIamRequest();
    const auth = parseSigV4(req.method, req.url, req.headers);
    await expectAwsRejection(verifySigV4(req, auth, "wrong", NOW), "SignatureDoesNotMatch", MISMATCH);
    const otherBody = { ...req, body: new TextEncoder().encode("Action=DeleteUser&Version=2010-05-08") };
    await expectAwsRejection(verifySigV4(otherBody, auth, SECRET, NOW), "SignatureDoesNotMatch", MISMATCH);
    const headers = new Headers(req.headers);
    headers.set("content-type", "text/plain");
    await expectAwsRejection(verifySigV4({ ...req, headers }, auth, SECRET, NOW), "SignatureDoesNotMatch", MISMATCH);
    const url = new URL("https://iam.amazonaws.com/?Action=DeleteUser");
    await expectAwsRejection(verifySigV4({ ...req, url }, auth, SECRET, NOW), "SignatureDoesNotMatch", MISMATCH);
  });

  it("rejects a signature that differs in one character", async () => {
    const req = await signedIamRequest();
    const auth = parseSigV4(req.method, req.url, req.headers);
    const last = auth.signature.endsWith("0") ? "1" : "0";
    const forged: SigV4Auth = { ...auth, signature: auth.signature.slice(0, -1) + last };
    await expectAwsRejection(verifySigV4(req, forged, SECRET, NOW), "SignatureDoesNotMatch", MISMATCH);
  });

  it("rejects an x-amz-content-sha256 that is not the body's hash", async () => {
    const req = await signedIamRequest(NOW, BODY, { "x-amz-content-sha256": "UNSIGNED-PAYLOAD" });
    const auth = parseSigV4(req.method, req.url, req.headers);
    await expectAwsRejection(verifySigV4(req, auth, SECRET, NOW), "SignatureDoesNotMatch", MISMATCH);
    const good = await signedIamRequest(NOW, BODY, { "x-amz-content-sha256": await sha256Hex(BODY) });
    await expect(verifySigV4(good, parseSigV4("POST", IAM_URL, good.headers), SECRET, NOW)).resolves.toBeUndefined();
  });

  it("accepts up to 15 minutes of clock skew either way", async () => {
    const req = await signedIamRequest();
    const auth = parseSigV4(req.method, req.url, req.headers);
    await expect(verifySigV4(req, auth, SECRET, new Date(NOW.getTime() + 15 * 60_000))).resolves.toBeUndefined();
    await expect(verifySigV4(req, auth, SECRET, new Date(NOW.getTime() - 15 * 60_000))).resolves.toBeUndefined();
  });

  it("answers a stale signature with RequestExpired, as the common-errors reference says", async () => {
    const req = await signedIamRequest();
    const auth = parseSigV4(req.method, req.url, req.headers);
    await expectAwsRejection(
      verifySigV4(req, auth, SECRET, new Date("2026-03-01T10:15:01Z")),
      "RequestExpired",
      "Signature expired: 20260301T100000Z is now earlier than 20260301T100001Z (20260301T101501Z - 15 min.)",
    );
  });

  it("answers a signature from the future with RequestExpired", async () => {
    const req = await signedIamRequest();
    const auth = parseSigV4(req.method, req.url, req.headers);
    await expectAwsRejection(
      verifySigV4(req, auth, SECRET, new Date("2026-03-01T09:44:59Z")),
      "RequestExpired",
      "Signature not yet current: 20260301T100000Z is still later than 20260301T095959Z (20260301T094459Z + 15 min.)",
    );
  });
});

describe("presignUrl and presigned verification", () => {
  const STS_URL = new URL("https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15");
  const presign = (expiresIn = 900, sessionToken?: string) =>
    presignUrl({
      ...CREDS,
      service: "sts",
      method: "GET",
      url: STS_URL,
      now: NOW,
      expiresIn,
      ...(sessionToken ? { sessionToken } : {}),
    });
  const get = (url: URL) => ({ method: "GET", url, headers: new Headers(), body: new Uint8Array() });

  it("round-trips a presigned GetCallerIdentity with a session token", async () => {
    const url = await presign(900, "FwoG/token+with=chars");
    const auth = parseSigV4("GET", url, new Headers());
    expect(auth).toMatchObject({
      accessKeyId: "AKIAIOSFODNN7EXAMPLE",
      service: "sts",
      amzDate: "20260301T100000Z",
      expires: 900,
      signedHeaders: ["host"],
      securityToken: "FwoG/token+with=chars",
      presigned: true,
    });
    await expect(verifySigV4(get(url), auth, SECRET, NOW)).resolves.toBeUndefined();
  });

  it("rejects a changed parameter", async () => {
    const url = await presign();
    url.searchParams.set("Action", "AssumeRole");
    await expectAwsRejection(
      verifySigV4(get(url), parseSigV4("GET", url, new Headers()), SECRET, NOW),
      "SignatureDoesNotMatch",
      MISMATCH,
    );
  });

  it("expires after X-Amz-Expires", async () => {
    const url = await presign(60);
    const auth = parseSigV4("GET", url, new Headers());
    await expect(verifySigV4(get(url), auth, SECRET, new Date(NOW.getTime() + 60_000))).resolves.toBeUndefined();
    await expectAwsRejection(
      verifySigV4(get(url), auth, SECRET, new Date(NOW.getTime() + 61_000)),
      "RequestExpired",
      "Request has expired.",
    );
  });

  it("rejects an X-Amz-Expires over a week", async () => {
    const url = await presign(604_801);
    expectAwsError(
      () => parseSigV4("GET", url, new Headers()),
      "IncompleteSignature",
      "X-Amz-Expires must be less than a week (in seconds) that is 604800",
    );
  });

  it("honours an X-Amz-Expires longer than the 15-minute signing window", async () => {
    const url = await presign(3600);
    const auth = parseSigV4("GET", url, new Headers());
    await expect(verifySigV4(get(url), auth, SECRET, new Date(NOW.getTime() + 30 * 60_000))).resolves.toBeUndefined();
    await expect(verifySigV4(get(url), auth, SECRET, new Date(NOW.getTime() + 3600_000))).resolves.toBeUndefined();
    await expectAwsRejection(
      verifySigV4(get(url), auth, SECRET, new Date(NOW.getTime() + 3601_000)),
      "RequestExpired",
      "Request has expired.",
    );
  });

  it("lets a seven-day URL live seven days but never accepts one signed in the future", async () => {
    const url = await presign(604_800);
    const auth = parseSigV4("GET", url, new Headers());
    await expect(verifySigV4(get(url), auth, SECRET, new Date(NOW.getTime() + 604_800_000))).resolves.toBeUndefined();
    await expectAwsRejection(
      verifySigV4(get(url), auth, SECRET, new Date(NOW.getTime() - 16 * 60_000)),
      "RequestExpired",
      "Signature not yet current: 20260301T100000Z is still later than 20260301T095900Z (20260301T094400Z + 15 min.)",
    );
  });

  it("keeps the 15-minute window for a presigned URL without X-Amz-Expires", async () => {
    const url = await presign(60);
    url.searchParams.delete("X-Amz-Expires");
    const auth = parseSigV4("GET", url, new Headers());
    expect(auth.expires).toBeUndefined();
    await expectAwsRejection(
      verifySigV4(get(url), auth, SECRET, new Date(NOW.getTime() + 16 * 60_000)),
      "RequestExpired",
      "Signature expired: 20260301T100000Z is now earlier than 20260301T100100Z (20260301T101600Z - 15 min.)",
    );
  });

  it.each([
    ["0", "X-Amz-Expires must be at least 1 second."],
    ["-5", "X-Amz-Expires should be a number of seconds from 1 to 604800, got '-5'."],
    [" 60", "X-Amz-Expires should be a number of seconds from 1 to 604800, got ' 60'."],
    ["60.0", "X-Amz-Expires should be a number of seconds from 1 to 604800, got '60.0'."],
    ["6e1", "X-Amz-Expires should be a number of seconds from 1 to 604800, got '6e1'."],
    ["", "X-Amz-Expires should be a number of seconds from 1 to 604800, got ''."],
    ["99999999999999999999999", "X-Amz-Expires must be less than a week (in seconds) that is 604800"],
  ])("refuses X-Amz-Expires=%j before checking the signature", async (value, message) => {
    const url = await presign(60);
    url.searchParams.set("X-Amz-Expires", value);
    expectAwsError(() => parseSigV4("GET", url, new Headers()), "IncompleteSignature", message);
  });
});

describe("helpers", () => {
  it("formats and parses X-Amz-Date", () => {
    expect(toAmzDate(new Date("2015-08-30T12:36:00.123Z"))).toBe("20150830T123600Z");
    expect(parseAmzDate("20150830T123600Z")?.toISOString()).toBe("2015-08-30T12:36:00.000Z");
    expect(parseAmzDate("20150230T123600Z")).toBeNull();
    expect(parseAmzDate("20150830T123600")).toBeNull();
  });

  it("URI-encodes everything but the unreserved characters", () => {
    expect(uriEncode("a-_.~ !'()*/+=ሴ")).toBe("a-_.~%20%21%27%28%29%2A%2F%2B%3D%E1%88%B4");
  });

  it("sorts the canonical query by encoded name then value and drops a presigned X-Amz-Signature", () => {
    const url = new URL("https://h/?b=2&a=2&a=1&X-Amz-Signature=abc&c");
    const line = (presigned: boolean) =>
      canonicalRequest("GET", url, [], ["host"], "x", { normalizePath: true, presigned }).split("\n")[2];
    expect(line(true)).toBe("a=1&a=2&b=2&c=");
    expect(line(false)).toBe("X-Amz-Signature=abc&a=1&a=2&b=2&c=");
  });

  it("turns malformed percent-encoding in the query into an AwsError", () => {
    const url = new URL("https://h/?a=%ZZ");
    expect(() => canonicalRequest("GET", url, [], ["host"], "x", { normalizePath: true, presigned: false })).toThrow(
      AwsError,
    );
  });
});

// Hostile requests (prototype member names in the credential scope, the action or the parameters) get an AWS 4xx envelope, and probes learn nothing.
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  GetAccessKeyLastUsedCommand,
  PutUserPolicyCommand,
} from "@aws-sdk/client-iam";
import { SELF } from "cloudflare:test";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { presignUrl, signRequest } from "../../src/aws/sigv4";
import { ACCOUNT } from "./fixtures";
import { awsError, iamClient } from "./sdk";

const URL_BASE = "http://127.0.0.1:8787/";

/** Names that live on Object.prototype (or steer prototype chains) and so break `in`, `obj[name]` and merges. */
const PROTOTYPE_NAMES = [
  "toString",
  "__proto__",
  "constructor",
  "hasOwnProperty",
  "valueOf",
  "isPrototypeOf",
  "propertyIsEnumerable",
  "toLocaleString",
  "__defineGetter__",
  "prototype",
];

const word = fc.stringMatching(/^[A-Za-z0-9_-]{1,16}$/);
const service = fc.oneof(fc.constantFrom(...PROTOTYPE_NAMES, "iam", "sts"), word);
const region = fc.oneof(fc.constantFrom("us-east-1", "eu-west-3", ...PROTOTYPE_NAMES), word);
/**
 * Real actions whose required members no generated parameter supplies (so the hostile parameters reach decoding and
 * validation and still fail), plus names that are no action at all.
 */
const REAL_ACTIONS_MISSING_MEMBERS = [
  "CreateUser",
  "TagUser",
  "UntagUser",
  "AttachUserPolicy",
  "CreatePolicy",
  "PutUserPolicy",
  "CreateRole",
  "GetRole",
  "AssumeRole",
  "TagPolicy",
];
const action = fc.oneof(
  fc.constantFrom(...PROTOTYPE_NAMES, ""),
  fc.constantFrom(...REAL_ACTIONS_MISSING_MEMBERS),
  word.map((w) => `Zz${w}`),
);
const paramName = fc.oneof(
  fc.constantFrom(
    ...PROTOTYPE_NAMES,
    "constructor.prototype.x",
    "__proto__.polluted",
    "Tags.member.1.__proto__",
    "Tags.member.__proto__.Key",
    "Tags.member.1.Key.constructor",
    "TagKeys.member.toString",
    "PolicyArns.member.1.__proto__.arn",
  ),
  word,
);
const params = fc.array(fc.tuple(paramName, fc.string({ maxLength: 20 })), { maxLength: 5 });
const version = fc.constantFrom("2010-05-08", "2011-06-15", "__proto__", undefined);

async function hostileRequest(r: {
  service: string;
  region: string;
  action: string;
  version: string | undefined;
  params: [string, string][];
  presigned: boolean;
}): Promise<Response> {
  const form = new URLSearchParams();
  form.set("Action", r.action);
  if (r.version !== undefined) form.set("Version", r.version);
  for (const [k, v] of r.params) form.append(k, v);
  const signing = { accessKeyId: "test", secret: "test", region: r.region, service: r.service, now: new Date() };
  if (r.presigned) {
    const url = await presignUrl({
      method: "GET",
      url: new URL(`${URL_BASE}?${form.toString()}`),
      expiresIn: 300,
      ...signing,
    });
    return SELF.fetch(url, { method: "GET" });
  }
  const body = form.toString();
  const url = new URL(URL_BASE);
  const headers = await signRequest({
    method: "POST",
    url,
    headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
    body,
    ...signing,
  });
  return SELF.fetch(url, { method: "POST", headers, body });
}

/** AWS's query-protocol error envelope with a 4xx status, and nothing from inside the Worker. */
async function expectAwsClientError(res: Response) {
  const text = await res.text();
  expect(res.status, text).toBeGreaterThanOrEqual(400);
  expect(res.status, text).toBeLessThan(500);
  expect(res.headers.get("content-type")).toContain("text/xml");
  expect(text).toMatch(
    /^(<\?xml version="1\.0" encoding="UTF-8"\?>\n)?<ErrorResponse xmlns="[^"]+"><Error><Type>Sender<\/Type><Code>[A-Za-z.]+<\/Code><Message>/,
  );
  expect(text).toMatch(/<RequestId>[0-9a-f-]{36}<\/RequestId><\/ErrorResponse>$/);
  expect(text).not.toMatch(/\bat \S+ \(|\n\s+at /);
  expect(text).not.toContain("/src/");
  expect(text).not.toContain("InternalFailure");
}

// The query protocol's error envelope: https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html and
// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/query-api-troubleshooting.html (ErrorResponse/Error/Code).
// A credential scope names the service it was signed for ("<date>/<region>/<service>/aws4_request"):
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
describe("hostile names in the credential scope, the action and the parameters", () => {
  it("always answer an AWS 4xx error envelope, never a 500 or a stack", async () => {
    await fc.assert(
      fc.asyncProperty(fc.record({ service, region, action, version, params, presigned: fc.boolean() }), async (r) => {
        await expectAwsClientError(await hostileRequest(r));
      }),
      { numRuns: 60 },
    );
  }, 30_000);

  it("refuses each prototype member name as a signed service", async () => {
    for (const name of ["toString", "__proto__", "constructor", "hasOwnProperty", "valueOf"]) {
      const res = await hostileRequest({
        service: name,
        region: "us-east-1",
        action: "ListUsers",
        version: "2010-05-08",
        params: [],
        presigned: false,
      });
      expect(res.status).toBe(403);
      const text = await res.text();
      expect(text).toContain("<Code>SignatureDoesNotMatch</Code>");
      await expectAwsClientError(new Response(text, { status: 403, headers: { "content-type": "text/xml" } }));
    }
  });

  it("answers a GET / whose X-Amz-Credential is hostile with an AWS envelope", async () => {
    const credentials = [
      "__proto__",
      "constructor/20260101/us-east-1/__proto__/aws4_request",
      "test/20260101/__proto__/toString/aws4_request",
      "test/20260101/us-east-1/hasOwnProperty/aws4_request",
      "test//////",
      "%E0%A4%A",
    ];
    for (const credential of credentials) {
      const url = new URL(URL_BASE);
      url.searchParams.set("Action", "ListUsers");
      url.searchParams.set("Version", "2010-05-08");
      url.searchParams.set("X-Amz-Algorithm", "AWS4-HMAC-SHA256");
      url.searchParams.set("X-Amz-Credential", credential);
      url.searchParams.set("X-Amz-Date", "20260101T000000Z");
      url.searchParams.set("X-Amz-SignedHeaders", "host");
      url.searchParams.set("X-Amz-Signature", "0".repeat(64));
      await expectAwsClientError(await SELF.fetch(url, { method: "GET" }));
    }
  });
});

// GetAccessKeyLastUsed's resource is the key's owner (Service Authorization Reference: GetAccessKeyLastUsed, resource
// type user): https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html
// Its NoSuchEntity is for "a resource that does not exist":
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccessKeyLastUsed.html
// A caller not allowed on the owner must not learn whether a key exists, so both cases answer AccessDenied.
describe("GetAccessKeyLastUsed does not reveal whether someone else's key exists", () => {
  it("denies another user's key and a missing key alike to a self-only caller, while root sees NoSuchEntity", async () => {
    const root = iamClient();
    await root.send(new CreateUserCommand({ UserName: "peeker" }));
    await root.send(
      new PutUserPolicyCommand({
        UserName: "peeker",
        PolicyName: "self",
        PolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Action: "iam:GetAccessKeyLastUsed",
              Resource: `arn:aws:iam::${ACCOUNT}:user/\${aws:username}`,
            },
          ],
        }),
      }),
    );
    const own = (await root.send(new CreateAccessKeyCommand({ UserName: "peeker" }))).AccessKey;
    await root.send(new CreateUserCommand({ UserName: "victim" }));
    const theirs = (await root.send(new CreateAccessKeyCommand({ UserName: "victim" }))).AccessKey;
    const iam = iamClient({ accessKeyId: own?.AccessKeyId ?? "", secretAccessKey: own?.SecretAccessKey ?? "" });

    const mine = await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: own?.AccessKeyId }));
    expect(mine.UserName).toBe("peeker");

    const other = await awsError(iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: theirs?.AccessKeyId })));
    expect(other).toEqual({
      name: "AccessDenied",
      status: 403,
      message: `User: arn:aws:iam::${ACCOUNT}:user/peeker is not authorized to perform: iam:GetAccessKeyLastUsed on resource: arn:aws:iam::${ACCOUNT}:user/victim because no identity-based policy allows the iam:GetAccessKeyLastUsed action`,
    });

    const missingId = "AKIAZZZZZZZZZZZZZZZZ";
    const missing = await awsError(iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: missingId })));
    expect(missing.name).toBe(other.name);
    expect(missing.status).toBe(other.status);
    expect(missing.message).toMatch(
      /^User: arn:aws:iam::123456789012:user\/peeker is not authorized to perform: iam:GetAccessKeyLastUsed on resource: arn:aws:iam::123456789012:user\/\S+ because no identity-based policy allows the iam:GetAccessKeyLastUsed action$/,
    );
    expect(missing.message).not.toContain(missingId);

    const forRoot = await awsError(root.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: missingId })));
    expect(forRoot.name).toBe("NoSuchEntity");
    expect(forRoot.status).toBe(404);
  });
});

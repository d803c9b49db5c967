// XML encoding of the query protocol's success and error envelopes, asserted as exact strings.
import { describe, expect, it } from "vitest";
import { AwsError } from "../../../src/aws/errors.ts";
import { IAM_NS, renderError, renderResponse, STS_NS, xmlDate, xmlEscape, xmlMap } from "../../../src/aws/xml.ts";

const DECL = '<?xml version="1.0" encoding="UTF-8"?>\n';
const META = "<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata>";

describe("xmlEscape", () => {
  it("escapes markup characters", () => {
    expect(xmlEscape(`a<b>&"c'`)).toBe("a&lt;b&gt;&amp;&quot;c&apos;");
  });

  it("keeps tabs, newlines and non-ASCII text, writes CR as a reference", () => {
    expect(xmlEscape("a\tb\nc\rd ሴ 😀")).toBe("a\tb\nc&#xD;d ሴ 😀");
  });

  it("replaces what XML 1.0 cannot carry", () => {
    expect(xmlEscape("a\u0000b\u001Fc\uD800d\uFFFE")).toBe("a\uFFFDb\uFFFDc\uFFFDd\uFFFD");
  });
});

describe("renderResponse", () => {
  it("writes the namespaces AWS uses", () => {
    expect(IAM_NS).toBe("https://iam.amazonaws.com/doc/2010-05-08/");
    expect(STS_NS).toBe("https://sts.amazonaws.com/doc/2011-06-15/");
  });

  it("writes a result in key order with lists as <member>, dates, booleans and numbers", () => {
    const xml = renderResponse(
      "ListUsers",
      IAM_NS,
      {
        Users: [
          {
            Path: "/",
            UserName: "alice",
            UserId: "AIDAEXAMPLE",
            Arn: "arn:aws:iam::123456789012:user/alice",
            CreateDate: new Date("2026-01-01T00:00:00.000Z"),
            PasswordLastUsed: undefined,
            Tags: [{ Key: "a&b", Value: "<x>" }],
          },
        ],
        IsTruncated: false,
        MaxItems: 100,
        Marker: null,
      },
      "req-1",
    );
    expect(xml).toBe(
      `${DECL}<ListUsersResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListUsersResult>` +
        "<Users><member><Path>/</Path><UserName>alice</UserName><UserId>AIDAEXAMPLE</UserId>" +
        "<Arn>arn:aws:iam::123456789012:user/alice</Arn><CreateDate>2026-01-01T00:00:00Z</CreateDate>" +
        "<Tags><member><Key>a&amp;b</Key><Value>&lt;x&gt;</Value></member></Tags></member></Users>" +
        `<IsTruncated>false</IsTruncated><MaxItems>100</MaxItems></ListUsersResult>${META}</ListUsersResponse>`,
    );
  });

  it("writes no Result element for an operation without output", () => {
    expect(renderResponse("DeleteUser", IAM_NS, undefined, "req-1")).toBe(
      `${DECL}<DeleteUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">${META}</DeleteUserResponse>`,
    );
  });

  it("writes an empty Result for an empty output structure and empty lists as empty elements", () => {
    expect(renderResponse("X", STS_NS, {}, "req-1")).toBe(
      `${DECL}<XResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><XResult></XResult>${META}</XResponse>`,
    );
    expect(renderResponse("X", STS_NS, { Users: [] }, "req-1")).toContain("<XResult><Users></Users></XResult>");
  });

  it("writes maps as entry/key/value", () => {
    const xml = renderResponse("GetAccountSummary", IAM_NS, { SummaryMap: xmlMap({ Users: 3, Groups: 0 }) }, "req-1");
    expect(xml).toContain(
      "<GetAccountSummaryResult><SummaryMap><entry><key>Users</key><value>3</value></entry>" +
        "<entry><key>Groups</key><value>0</value></entry></SummaryMap></GetAccountSummaryResult>",
    );
  });

  it("formats dates without milliseconds, always in UTC", () => {
    expect(xmlDate(new Date("2026-05-06T07:08:09.999+02:00"))).toBe("2026-05-06T05:08:09Z");
  });

  it("refuses NaN rather than writing it", () => {
    expect(() => renderResponse("X", IAM_NS, { N: Number.NaN }, "r")).toThrow(TypeError);
  });
});

describe("renderError", () => {
  it("writes a Sender error", () => {
    const err = new AwsError("NoSuchEntity", "The user with name bob cannot be found.");
    expect(renderError(err, IAM_NS, "req-2")).toBe(
      `${DECL}<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type>` +
        "<Code>NoSuchEntity</Code><Message>The user with name bob cannot be found.</Message></Error>" +
        "<RequestId>req-2</RequestId></ErrorResponse>",
    );
  });

  it("writes a Receiver error and escapes the message", () => {
    const err = new AwsError("ServiceFailure", "a < b & c");
    expect(renderError(err, STS_NS, "r")).toBe(
      `${DECL}<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Receiver</Type>` +
        "<Code>ServiceFailure</Code><Message>a &lt; b &amp; c</Message></Error><RequestId>r</RequestId></ErrorResponse>",
    );
  });
});

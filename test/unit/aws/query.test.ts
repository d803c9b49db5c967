// The query protocol decoder: form and URL parameters, presign keys dropped, `.member.N` / `.entry.N` unflattened.
import { describe, expect, it } from "vitest";
import { AwsError } from "../../../src/aws/errors.ts";
import {
  checkBodySize,
  MAX_BODY_BYTES,
  parseForm,
  parseQueryParams,
  readList,
  readMap,
  unflattenQuery,
} from "../../../src/aws/query.ts";

const FORM = "application/x-www-form-urlencoded; charset=utf-8";
const root = new URL("https://iam.amazonaws.com/");

function params(text: string): Map<string, string> {
  return new Map(parseForm(text));
}

function awsError(fn: () => unknown): AwsError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AwsError);
    return e as AwsError;
  }
  throw new Error("expected an AwsError");
}

describe("parseQueryParams", () => {
  it("decodes a form body: + is a space, percent escapes are UTF-8", () => {
    const p = parseQueryParams("POST", root, FORM, "Action=CreateUser&UserName=a%2Bb+c&Path=%2Fdev%2F&Tag=%E1%88%B4");
    expect([...p]).toEqual([
      ["Action", "CreateUser"],
      ["UserName", "a+b c"],
      ["Path", "/dev/"],
      ["Tag", "ሴ"],
    ]);
  });

  it("accepts the content type in any case, with or without a charset", () => {
    expect(parseQueryParams("POST", root, "Application/X-WWW-Form-URLEncoded", "A=1").get("A")).toBe("1");
    expect(parseQueryParams("POST", root, "application/x-www-form-urlencoded;charset=UTF-8", "A=1").get("A")).toBe("1");
  });

  it("ignores a body that is not form-encoded, and a GET body", () => {
    expect(parseQueryParams("POST", root, "application/json", "A=1").size).toBe(0);
    expect(parseQueryParams("GET", root, FORM, "A=1").size).toBe(0);
  });

  it("reads GET parameters from the URL and drops the presigning ones", () => {
    const url = new URL(
      "https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256" +
        "&X-Amz-Credential=a&X-Amz-Date=b&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=c&X-Amz-Security-Token=d",
    );
    expect(Object.fromEntries(parseQueryParams("GET", url, null, ""))).toEqual({
      Action: "GetCallerIdentity",
      Version: "2011-06-15",
    });
  });

  it("keeps the first value of a repeated name, so the body cannot override the URL", () => {
    const url = new URL("https://iam.amazonaws.com/?Action=GetUser");
    const p = parseQueryParams("POST", url, FORM, "Action=DeleteUser&UserName=a&UserName=b");
    expect(p.get("Action")).toBe("GetUser");
    expect(p.get("UserName")).toBe("a");
  });

  it("treats a name without = as an empty value and skips empty pieces", () => {
    expect([...parseQueryParams("POST", root, FORM, "A&&B=&C=1")]).toEqual([
      ["A", ""],
      ["B", ""],
      ["C", "1"],
    ]);
  });

  it("answers malformed percent-encoding with MalformedQueryString, never a raw URIError", () => {
    const e = awsError(() => parseQueryParams("POST", root, FORM, "Action=ListUsers&UserName=%E1%88"));
    expect(e.code).toBe("MalformedQueryString");
    expect(e.message).toBe("The query string contains a syntax error: invalid percent-encoding in '%E1%88'.");
    expect(awsError(() => parseQueryParams("GET", new URL("https://h/?A=%zz"), null, "")).code).toBe(
      "MalformedQueryString",
    );
  });

  it("caps the body size", () => {
    expect(MAX_BODY_BYTES).toBe(1_048_576);
    expect(() => checkBodySize(MAX_BODY_BYTES)).not.toThrow();
    const e = awsError(() => checkBodySize(MAX_BODY_BYTES + 1));
    expect([e.code, e.status, e.message]).toEqual([
      "RequestEntityTooLarge",
      413,
      "Request body of 1048577 bytes exceeds the maximum of 1048576 bytes.",
    ]);
    const big = `A=${"ሴ".repeat(MAX_BODY_BYTES / 3)}`;
    expect(awsError(() => parseQueryParams("POST", root, FORM, big)).code).toBe("RequestEntityTooLarge");
  });
});

describe("unflattenQuery", () => {
  it("turns .member.N into arrays ordered by N and nested fields into objects", () => {
    const p = params(
      "Action=TagUser&UserName=bob&Tags.member.2.Key=team&Tags.member.2.Value=red" +
        "&Tags.member.1.Key=env&Tags.member.1.Value=prod&Tags.member.10.Key=z&Tags.member.10.Value=",
    );
    expect(unflattenQuery(p)).toEqual({
      Action: "TagUser",
      UserName: "bob",
      Tags: [
        { Key: "env", Value: "prod" },
        { Key: "team", Value: "red" },
        { Key: "z", Value: "" },
      ],
    });
  });

  it("handles scalar lists, nested lists and structures", () => {
    const p = params(
      "ActionNames.member.1=iam:GetUser&ActionNames.member.2=s3:GetObject" +
        "&ContextEntries.member.1.ContextKeyName=aws:SourceIp&ContextEntries.member.1.ContextKeyValues.member.1=10.0.0.1" +
        "&ContextEntries.member.1.ContextKeyType=ip&Outer.Inner.Leaf=x",
    );
    expect(unflattenQuery(p)).toEqual({
      ActionNames: ["iam:GetUser", "s3:GetObject"],
      ContextEntries: [{ ContextKeyName: "aws:SourceIp", ContextKeyValues: ["10.0.0.1"], ContextKeyType: "ip" }],
      Outer: { Inner: { Leaf: "x" } },
    });
  });

  it("turns .entry.N.key/value into a map", () => {
    const p = params(
      "Attributes.entry.2.key=b&Attributes.entry.2.value=2&Attributes.entry.1.key=a&Attributes.entry.1.value=1",
    );
    expect(unflattenQuery(p)).toEqual({ Attributes: { a: "1", b: "2" } });
  });

  it("lets nested parameters replace the empty-list marker the SDKs send", () => {
    expect(unflattenQuery(params("Tags=&Tags.member.1.Key=k"))).toEqual({ Tags: [{ Key: "k" }] });
    expect(unflattenQuery(params("Tags.member.1.Key=k&Tags="))).toEqual({ Tags: [{ Key: "k" }] });
    expect(unflattenQuery(params("Tags="))).toEqual({ Tags: "" });
  });

  it("keeps __proto__ as plain data", () => {
    const out = unflattenQuery(params("__proto__.polluted=yes&A.__proto__=x"));
    expect(Object.getOwnPropertyNames(out)).toEqual(["__proto__", "A"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
  });

  it.each([
    ["Tags.member.0.Key=k", "The parameter 'Tags.member.0.Key' is not valid: list and map indexes start at 1."],
    ["Tags.member.x=k", "The parameter 'Tags.member.x' is not valid: list and map indexes start at 1."],
    ["Tags.member=k", "The parameter 'Tags.member' is not valid: list and map indexes start at 1."],
    ["A=1&A.B=2", "The parameter 'A.B' is not valid: it mixes a value with nested parameters."],
    ["A.B=2&A=1", "The parameter 'A' is not valid: it mixes a value with nested parameters."],
    ["A.member.1=x&A.B=y", "The parameter 'A.B' is not valid: it mixes a value with nested parameters."],
    ["A..B=1", "The parameter 'A..B' is not valid: it has an empty name segment."],
    ["M.entry.1.other=1", "The parameter 'M.entry.1.other' is not valid: map entries have only 'key' and 'value'."],
    ["M.entry.1.value=1", "The parameter 'M.entry' is not valid: a map entry has no key."],
  ])("rejects %s", (text, message) => {
    const e = awsError(() => unflattenQuery(params(text)));
    expect([e.code, e.message]).toEqual(["InvalidQueryParameter", message]);
  });
});

describe("readList and readMap", () => {
  const p = params(
    "Tags.member.1.Key=a&Tags.member.1.Value=1&TagKeys.member.1=a&TagKeys.member.2=b&Empty=" +
      "&Map.entry.1.key=k&Map.entry.1.value=v&Scalar=s",
  );

  it("reads lists, [] when absent or sent empty", () => {
    expect(readList(p, "Tags")).toEqual([{ Key: "a", Value: "1" }]);
    expect(readList(p, "TagKeys")).toEqual(["a", "b"]);
    expect(readList(p, "Empty")).toEqual([]);
    expect(readList(p, "Missing")).toEqual([]);
    expect(awsError(() => readList(p, "Scalar")).message).toBe(
      "The parameter 'Scalar' is not valid: a list is expected (Name.member.N).",
    );
  });

  it("reads maps, {} when absent or sent empty", () => {
    expect(readMap(p, "Map")).toEqual({ k: "v" });
    expect(readMap(p, "Empty")).toEqual({});
    expect(readMap(p, "Missing")).toEqual({});
    expect(awsError(() => readMap(p, "TagKeys")).code).toBe("InvalidQueryParameter");
  });

  it("does not confuse a name with a longer one sharing its prefix", () => {
    expect(readList(params("Tag.member.1=a&TagKeys.member.1=b"), "Tag")).toEqual(["a"]);
  });
});

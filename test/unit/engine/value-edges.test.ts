// Pins how condition values at the edges of their formats parse: malformed text never matches and never throws.
import { describe, expect, it } from "vitest";
import { compilePolicySet, evaluate } from "../../../src/engine/index.ts";
import type { ContextValue, EvalDecision } from "../../../src/engine/index.ts";

type Row = [operator: string, key: string, policy: string, request: ContextValue, expected: EvalDecision];

function decide(operator: string, key: string, policy: string, context: Record<string, ContextValue>) {
  const document = {
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Action: "s3:GetObject", Resource: "*", Condition: { [operator]: { [key]: policy } } },
    ],
  };
  const set = compilePolicySet({ identity: [{ document }] });
  return evaluate(set, {
    principal: "arn:aws:iam::111122223333:user/alice",
    action: "s3:GetObject",
    resource: "arn:aws:s3:::b/k",
    context,
  }).decision;
}

// Dates follow the W3C profile of ISO 8601 (MM 01-12, DD valid for the month, hh 00-23, mm and ss 00-59);
// a field out of range is malformed, not rolled over into a later date.
const dates: Row[] = [
  ["DateLessThan", "aws:CurrentTime", "2020-01-01T00:00:00Z", "2019-12-31T23:59:59Z", "Allowed"],
  ["DateEquals", "aws:CurrentTime", "2020-01-01T00:00Z", "2020-01-01T00:00:00Z", "Allowed"],
  ["DateEquals", "aws:CurrentTime", "2020-01-01T02:00:00.000+02:00", "2020-01-01T00:00:00Z", "Allowed"],
  ["DateEquals", "aws:CurrentTime", "2020-01-01", "1577836800", "Allowed"],
  ["DateEquals", "aws:CurrentTime", "2020-02-29", "2020-02-29T00:00:00Z", "Allowed"],
  ["DateLessThan", "aws:CurrentTime", "2020-01-01T00:00:00Z", "2019-02-30T00:00:00Z", "ImplicitDeny"],
  ["DateGreaterThan", "aws:CurrentTime", "2019-06-01T00:00:00Z", "2019-13-01T00:00:00Z", "ImplicitDeny"],
  ["DateLessThan", "aws:CurrentTime", "2020-01-01T00:00:00Z", "2019-12-00T00:00:00Z", "ImplicitDeny"],
  ["DateGreaterThan", "aws:CurrentTime", "2019-01-01T00:00:00Z", "2019-12-31T24:00:00Z", "ImplicitDeny"],
  ["DateGreaterThan", "aws:CurrentTime", "2019-01-01T00:00:00Z", "2019-12-31T23:60:00Z", "ImplicitDeny"],
  ["DateGreaterThan", "aws:CurrentTime", "2019-01-01T00:00:00Z", "2019-12-31T23:59:60Z", "ImplicitDeny"],
  ["DateLessThan", "aws:CurrentTime", "2020-01-01T00:00:00Z", "2019-12-31T00:00:00+25:00", "ImplicitDeny"],
  ["DateLessThan", "aws:CurrentTime", "2020-01-01T00:00:00Z", "not a date", "ImplicitDeny"],
  // Years below 100 are that year, not 1900-1999.
  ["DateEquals", "aws:CurrentTime", "-60589296000", "0050-01-01T00:00:00Z", "Allowed"],
];

// "::" stands for one or more zero groups (RFC 4291 section 2.2).
const ips: Row[] = [
  ["IpAddress", "aws:SourceIp", "2001:db8::/32", "2001:db8:ffff::1", "Allowed"],
  ["IpAddress", "aws:SourceIp", "::1", "0:0:0:0:0:0:0:1", "Allowed"],
  ["IpAddress", "aws:SourceIp", "::/128", "::", "Allowed"],
  ["IpAddress", "aws:SourceIp", "1:2:3:4:5:6::/96", "1:2:3:4:5:6:1.2.3.4", "Allowed"],
  ["IpAddress", "aws:SourceIp", "1:2:3:4:5:6:7:8/128", "1:2:3:4:5:6:7::8", "ImplicitDeny"],
  ["IpAddress", "aws:SourceIp", "1:2:3:4:5:6:7:8/128", "::1:2:3:4:5:6:7:8", "ImplicitDeny"],
  ["IpAddress", "aws:SourceIp", "1:2:3:4:5:6:7:8/128", "1:2:3:4:5:6:7:8::", "ImplicitDeny"],
  ["IpAddress", "aws:SourceIp", "::/0", "1:2:3:4:5:6::1.2.3.4", "ImplicitDeny"],
  ["IpAddress", "aws:SourceIp", "0.0.0.0/0", "not an address", "ImplicitDeny"],
];

describe("condition values at the edges of their formats", () => {
  it.each([...dates, ...ips])("%s %s %s against %j: %s", (operator, key, policy, request, expected) => {
    expect(decide(operator, key, policy, { [key]: request })).toBe(expected);
  });

  // aws:CurrentTime is derived from aws:EpochTime; an epoch beyond Date's range must not throw from evaluate.
  it.each(["8640000000001", "99999999999999999"])("an out-of-range aws:EpochTime %s fails the condition", (epoch) => {
    expect(decide("DateLessThan", "aws:CurrentTime", "2020-01-01T00:00:00Z", { "aws:EpochTime": epoch })).toBe(
      "ImplicitDeny",
    );
  });
});

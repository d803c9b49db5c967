// The generated whole-AWS action index: wildcard expansion, resource ARN templates, known condition keys, warnings.
import { describe, expect, it } from "vitest";
import {
  actionInfo,
  appliesTo,
  expandActions,
  isKnownConditionKey,
  resourceTemplates,
} from "../../src/simulator/action-index";
import { contextKeysOf, unknownKeyWarnings } from "../../src/simulator/policy-keys";

describe("action index", () => {
  it("knows actions of every service with access level, resource types and keys", () => {
    const get = actionInfo("S3:getobject");
    expect(get).toMatchObject({ action: "s3:GetObject", accessLevel: "Read" });
    expect(get?.conditionKeys).toContain("s3:ResourceAccount");
    expect(actionInfo("lambda:InvokeFunction")?.accessLevel).toBeDefined();
    expect(actionInfo("s3:NoSuchAction")).toBeUndefined();
    expect(actionInfo("nosuchservice:Get")).toBeUndefined();
  });

  it("expands wildcards in order without duplicates and warns about unknown actions", () => {
    const e = expandActions(["s3:GetObject", "s3:GetObject*", "s3:Nope", "nosvc:*"]);
    expect(e.actions[0]).toBe("s3:GetObject");
    expect(e.actions).toContain("s3:GetObjectAcl");
    expect(new Set(e.actions.map((a) => a.toLowerCase())).size).toBe(e.actions.length);
    expect(e.actions).toContain("s3:Nope");
    expect(e.warnings).toHaveLength(2);
    expect(expandActions(["*"], 100).actions).toHaveLength(100);
    expect(expandActions(["iam:Get?ser"]).actions).toEqual(["iam:GetUser"]);
  });

  it("says which resource ARNs an action applies to", () => {
    expect(resourceTemplates("s3:GetObject").some((t) => t.includes(":s3:::"))).toBe(true);
    expect(appliesTo("s3:GetObject", "arn:aws:s3:::bucket/key")).toBe(true);
    expect(appliesTo("s3:GetObject", "arn:aws:iam::123456789012:user/alice")).toBe(false);
    expect(appliesTo("s3:GetObject", "*")).toBe(true);
  });

  it("recognizes global and service keys, with tag templates, and warns about others", () => {
    expect(isKnownConditionKey("aws:SourceIp")).toBe(true);
    expect(isKnownConditionKey("aws:PrincipalTag/team")).toBe(true);
    expect(isKnownConditionKey("aws:RequestTag/env")).toBe(true);
    expect(isKnownConditionKey("s3:prefix")).toBe(true);
    expect(isKnownConditionKey("s3:NotAKey")).toBe(false);
    const doc = JSON.stringify({
      Statement: { Effect: "Allow", Action: "*", Resource: "*", Condition: { StringEquals: { "s3:NotAKey": "x" } } },
    });
    expect(unknownKeyWarnings([doc])).toEqual([expect.stringContaining("s3:NotAKey")]);
    expect(contextKeysOf([doc])).toEqual(["s3:NotAKey"]);
  });
});

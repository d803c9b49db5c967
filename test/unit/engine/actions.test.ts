// Long Action lists are read per service on first use (actions.ts); they must match exactly as the grouped form.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  compileActions,
  compileActionsCached,
  matchAction,
  surelyVendorActions,
  type ActionIndex,
} from "../../../src/engine/actions.ts";
import { clearPolicyCaches, policyCacheStats } from "../../../src/engine/cache.ts";
import { compilePolicySet } from "../../../src/engine/policyset.ts";

function matches(index: ActionIndex, action: string): boolean {
  const full = action.toLowerCase();
  const colon = full.indexOf(":");
  return matchAction(index, full.slice(0, colon), full.slice(colon + 1), full);
}

const filler = (n: number): string[] => Array.from({ length: n }, (_, i) => `svc${i}:Get${i}*`);

describe("deferred Action lists", () => {
  it("a long plain list is deferred, and matches as the grouped form does (property)", () => {
    const service = fc.constantFrom("s3", "ec2", "Ec2", "dynamodb", "a-b", "x.y");
    const name = fc.stringMatching(/^[A-Za-z*?]{1,8}$/);
    const pattern = fc.tuple(service, name).map(([s, n]) => `${s}:${n}`);
    const action = fc
      .tuple(fc.constantFrom("s3", "ec2", "dynamodb", "a-b", "x.y", "iam"), name)
      .map(([s, n]) => `${s}:${n.replace(/[*?]/g, "x")}`);
    fc.assert(
      fc.property(
        fc.array(pattern, { minLength: 64, maxLength: 160 }),
        fc.array(action, { maxLength: 20 }),
        (list, actions) => {
          clearPolicyCaches();
          const deferred = compileActionsCached(list);
          const grouped = compileActions(list);
          expect(deferred.deferred).toBeDefined();
          for (const a of actions) expect(matches(deferred, a), a).toBe(matches(grouped, a));
        },
      ),
      { numRuns: 200 },
    );
  });

  it("matches AWS's case-insensitive action names in a deferred list", () => {
    const index = compileActionsCached([...filler(70), "S3:GetObject*", "ec2:Describe?nstances"]);
    expect(index.deferred).toBeDefined();
    expect(matches(index, "s3:getobjectversion")).toBe(true);
    expect(matches(index, "EC2:DescribeInstances")).toBe(true);
    expect(matches(index, "ec2:DescribeImages")).toBe(false);
    expect(matches(index, "svc69:Get69Thing")).toBe(true);
    expect(matches(index, "svc69:Get68Thing")).toBe(false);
  });

  it.each([
    ["`*` alone", "*", "iam:CreateUser", true],
    ["a wildcard in the service part", "s3*:Get*", "s3express:GetObject", true],
    ["a line without a colon", "nocolon", "iam:CreateUser", false],
  ])("groups at once a long list holding %s", (_name, odd, action, expected) => {
    clearPolicyCaches();
    const index = compileActionsCached([...filler(70), odd]);
    expect(index.deferred).toBeUndefined();
    expect(matches(index, action)).toBe(expected);
  });

  it("does not let a pattern holding a newline pose as two lines", () => {
    clearPolicyCaches();
    const index = compileActionsCached([...filler(70), "s3:x\nec2:RunInstances"]);
    expect(index.deferred).toBeUndefined();
    expect(matches(index, "ec2:RunInstances")).toBe(false);
  });

  it("remembers only services the list names, however many others requests name", () => {
    clearPolicyCaches();
    const index = compileActionsCached(filler(100));
    for (let i = 0; i < 500; i++) expect(matches(index, `other${i}:GetThing`)).toBe(false);
    expect(matches(index, "svc5:Get5X")).toBe(true);
    expect(index.byService.size).toBe(1);
  });

  it("judges a long list valid as a whole only when each entry is vendor:action (property)", () => {
    const vendorAction = /^[^:]+:.+$/;
    const entry = fc.stringMatching(/^[a-z:*\n\r\u2028]{0,6}$/);
    fc.assert(
      fc.property(fc.array(entry, { minLength: 64, maxLength: 80 }), fc.nat(63), (list, at) => {
        const valid = list.map((v, i) => (i === at ? v : `svc${i}:Get*`));
        if (surelyVendorActions(valid))
          for (const v of valid) expect(vendorAction.test(v), JSON.stringify(v)).toBe(true);
      }),
      { numRuns: 2000 },
    );
    expect(surelyVendorActions(filler(64))).toBe(true);
    expect(surelyVendorActions(filler(63))).toBe(false);
    expect(surelyVendorActions([...filler(64), "s3:x\nec2:y"])).toBe(false);
  });

  it("estimates a deferred ReadOnlyAccess-sized list near its size, so the document cache keeps it", () => {
    clearPolicyCaches();
    const verbs = ["Get", "List", "Describe", "BatchGet", "Search", "Lookup", "View", "Query", "Scan", "Check"];
    const actions = Array.from({ length: 300 }, (_, s) => verbs.map((v) => `svc${s}:${v}*`)).flat();
    const document = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: actions, Resource: "*" }],
    });
    compilePolicySet({ identity: [{ document }] });
    const { documents } = policyCacheStats();
    expect(documents.count).toBe(1);
    // About 0.6 MB: the text, and a matcher for each of the ~300 services it may compile.
    expect(documents.cost).toBeGreaterThan(300_000);
    expect(documents.cost).toBeLessThan(1_000_000);
  });
});

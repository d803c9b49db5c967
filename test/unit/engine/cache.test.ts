// The compiled-policy caches: bounded by estimated bytes, keyed by hash or text, and never changing a decision.
import { beforeEach, describe, expect, it } from "vitest";
import { CostLru } from "../../../src/engine/lru.ts";
import {
  clearPolicyCaches,
  compilePolicySet,
  evaluate,
  policyCacheStats,
  PolicyValidationError,
} from "../../../src/engine/index.ts";

const USER = "arn:aws:iam::111122223333:user/alice";

/** A distinct policy of roughly `statements` statements. */
function policy(seed: number, statements: number): string {
  const list = Array.from({ length: statements }, (_, i) => ({
    Sid: `S${seed}x${i}`,
    Effect: "Allow",
    Action: [`s3:Get${seed}x${i}*`, `ec2:Describe${i}*`],
    Resource: `arn:aws:s3:::bucket-${seed}-${i}/*`,
    Condition: { StringEquals: { "aws:PrincipalTag/team": `team-${i}` } },
  }));
  return JSON.stringify({ Version: "2012-10-17", Statement: list });
}

beforeEach(() => clearPolicyCaches());

describe("CostLru", () => {
  it("never holds more than its capacity and evicts the least recently used first", () => {
    const lru = new CostLru<number>(100);
    lru.set("a", 1, 40);
    lru.set("b", 2, 40);
    expect(lru.get("a")).toBe(1); // "b" is now the oldest
    lru.set("c", 3, 40);
    expect(lru.cost).toBeLessThanOrEqual(100);
    expect(lru.get("b")).toBeUndefined();
    expect(lru.get("a")).toBe(1);
    expect(lru.get("c")).toBe(3);
  });

  it("does not keep an entry costlier than the whole cache, and replacing a key frees its old cost", () => {
    const lru = new CostLru<string>(100);
    lru.set("small", "x", 10);
    lru.set("huge", "y", 101);
    expect(lru.get("huge")).toBeUndefined();
    expect(lru.get("small")).toBe("x");
    lru.set("small", "z", 30);
    expect(lru.cost).toBe(30);
    expect(lru.count).toBe(1);
  });
});

describe("policy caches", () => {
  it("stay within their byte caps however many large policies are compiled", () => {
    let inserted = 0;
    for (let i = 0; i < 40; i++) {
      compilePolicySet({ identity: [{ document: policy(i, 400) }] });
      inserted++;
      const { documents, sets } = policyCacheStats();
      expect(documents.cost).toBeLessThanOrEqual(documents.capacity);
      expect(sets.cost).toBeLessThanOrEqual(sets.capacity);
    }
    const { documents } = policyCacheStats();
    // Each 400-statement policy is estimated well above 1 MB: the cap, not the count, decides what stays.
    expect(documents.count).toBeGreaterThan(0);
    expect(documents.count).toBeLessThan(inserted);
    // Compiling 40 large policies takes seconds on a loaded machine: a generous harness limit, no timed assertion.
  }, 60_000);

  it("keeps nothing of a document larger than the whole cache", () => {
    compilePolicySet({ identity: [{ document: policy(1, 4000) }] });
    expect(policyCacheStats().documents.count).toBe(0);
  });

  it("returns the same compiled set for the same documents, ids and options: nothing is compiled again", () => {
    const input = { identity: [{ id: "p1", document: policy(1, 5) }] };
    const first = compilePolicySet(input);
    expect(compilePolicySet({ identity: [{ id: "p1", document: policy(1, 5) }] })).toBe(first);
    const other = compilePolicySet({ identity: [{ id: "p2", document: policy(1, 5) }] });
    expect(other).not.toBe(first);
    const request = { principal: USER, action: "s3:Get1x0Object", resource: "arn:aws:s3:::bucket-1-0/k" };
    const context = { "aws:PrincipalTag/team": "team-0" };
    expect(evaluate(other, { ...request, context }).matchedStatements[0]?.policyId).toBe("p2");
    expect(evaluate(first, { ...request, context }).matchedStatements[0]?.policyId).toBe("p1");
  });

  it("finds a document by its hash without reading the text again", () => {
    const a = compilePolicySet({ identity: [{ document: policy(1, 2), hash: "h1" }] });
    // Same kind and hash: the caller vouches it is the same document, so the cached compile is used.
    const b = compilePolicySet({ identity: [{ document: "not even JSON", hash: "h1" }] });
    expect(b).toBe(a);
    // A hash is per kind: the same hash as a boundary is another document.
    expect(() => compilePolicySet({ identity: [], boundary: { document: "not even JSON", hash: "h1" } })).toThrow(
      PolicyValidationError,
    );
  });

  it("reports positions for a document given as text, not for the same document given as an object", () => {
    const text = JSON.stringify(
      { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }] },
      null,
      2,
    );
    const request = { principal: USER, action: "s3:GetObject", resource: "*" };
    const fromText = evaluate(compilePolicySet({ identity: [{ document: text }] }), request);
    const fromObject = evaluate(compilePolicySet({ identity: [{ document: JSON.parse(text) as object }] }), request);
    expect(fromText.matchedStatements[0]?.start).toEqual({ line: 4, column: 5 });
    expect(fromObject.matchedStatements[0]?.start).toBeUndefined();
  });

  it("gives the same decisions whatever ran before (no state carried between evaluations)", () => {
    const doc = (team: string) => ({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Action: "s3:*",
          Resource: "*",
          Condition: { StringEquals: { "aws:PrincipalTag/team": team } },
        },
      ],
    });
    const set = compilePolicySet({ identity: [{ document: doc("blue") }, { document: doc("red") }] });
    const blue = {
      principal: USER,
      action: "s3:GetObject",
      resource: "*",
      context: { "aws:PrincipalTag/team": "blue" },
    };
    const green = { ...blue, context: { "aws:PrincipalTag/team": "green" } };
    const first = evaluate(set, blue);
    for (let i = 0; i < 3; i++) evaluate(set, green);
    expect(evaluate(set, blue)).toEqual(first);
    expect(evaluate(set, green).decision).toBe("ImplicitDeny");
  });
});

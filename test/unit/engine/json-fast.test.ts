// The fast JSON path (native JSON.parse + one regex pass) gives exactly what the position-keeping parser gives.
import fc from "fast-check";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseJsonFast } from "../../../src/engine/json-fast.ts";
import { parsePolicy, type ParseOptions } from "../../../src/engine/parse.ts";
import type { PolicyKind } from "../../../src/engine/types.ts";

/** Both paths on one text, in one mode: their results must be equal, positions and issue order included. */
function same(text: string, kind: PolicyKind = "identity", options: ParseOptions = {}): void {
  const fast = parsePolicy(text, kind, { ...options, fast: true });
  const slow = parsePolicy(text, kind, { ...options, fast: false });
  // Whichever way the default chooses, it reads the same.
  expect(parsePolicy(text, kind, options)).toEqual(slow);
  expect(fast).toEqual(slow);
}

const statement = (extra: object = {}) => ({ Effect: "Allow", Action: "s3:GetObject", Resource: "*", ...extra });

describe("fast JSON path", () => {
  it("reads a well-formed document itself, with each statement's braces located", () => {
    const text =
      '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Effect": "Allow", "Action": "*", "Resource": "*"},\n    {"Effect": "Deny", "Action": "s3:*", "Resource": "*"}\n  ]\n}';
    const fast = parseJsonFast(text);
    expect(fast).toBeDefined();
    expect(fast?.children.map((c) => [c.key, fast.positionAt(c.start), fast.positionAt(c.end)])).toEqual([
      ["Statement", { line: 4, column: 5 }, { line: 4, column: 55 }],
      ["Statement", { line: 5, column: 5 }, { line: 5, column: 57 }],
    ]);
  });

  it.each([
    ["text JSON.parse refuses", '{"Statement": [}'],
    ["a duplicate top-level key", '{"Statement": [], "Statement": []}'],
    ["a duplicate key in a statement", `{"Statement": [{"Effect": "Allow", "Effect": "Deny"}]}`],
    [
      "a duplicate condition key",
      '{"Statement": [{"Condition": {"Bool": {"aws:SecureTransport": "true", "aws:SecureTransport": "false"}}}]}',
    ],
    [
      "a key that is an array index (JSON.parse puts it first)",
      '{"Statement": [{"Condition": {"StringEquals": {"b": "x", "10": "y"}}}]}',
    ],
    ["a key with an escape", '{"Statem\\u0065nt": []}'],
    ["nesting deeper than json.ts accepts", `{"a": ${"[".repeat(70)}${"]".repeat(70)}}`],
  ])("leaves %s to the position-keeping parser", (_name, text) => {
    expect(parseJsonFast(text)).toBeUndefined();
  });

  it("is not fooled by braces, quotes and colons inside strings", () => {
    const text = JSON.stringify({
      Statement: [statement({ Sid: "a", Resource: ['arn:aws:s3:::b/{"x":1}', 'q\\"}:', "}{"] }), statement()],
    });
    const fast = parseJsonFast(text);
    expect(fast?.children).toHaveLength(2);
    same(text);
  });

  it("gives the same result as json.ts for every bundled AWS managed policy, minified and indented", () => {
    const path = new URL("../../../src/generated/aws-managed-policies.json", import.meta.url);
    const policies = JSON.parse(readFileSync(path, "utf8")) as { document: string }[];
    expect(policies.length).toBeGreaterThan(1000);
    for (const { document } of policies) {
      same(document);
      same(JSON.stringify(JSON.parse(document), null, 2), "identity", { strict: true, managed: true });
    }
  });

  it("gives the same issues as json.ts for documents with problems, in strict and simulation modes", () => {
    const broken = [
      '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:Get*"}}',
      '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}, 5]}',
      '{"Version": "2012-10-17", "Statement": [{"Effect": "Maybe", "Action": [], "Resource": "x"}]}',
      '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringLike": {"k": [{}]}}}]}',
      '{"Version": "2012-10-17", "Id": {"x": 1}, "Statement": []}',
      '{"Version": "2012-10-17", "Extra": {"a": {}}, "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}',
      '{"__proto__": {"x": 1}, "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}',
      '[{"Effect": "Allow"}]',
    ];
    for (const text of broken) {
      for (const kind of ["identity", "resource", "trust", "scp"] as const) {
        same(text, kind);
        same(text, kind, { strict: true, strictPrincipals: true });
      }
    }
  });

  it("reads an object document's string lists the same way, and still refuses a sparse one", () => {
    // Positions exist only for text; everything else must be equal.
    const strip = (r: ReturnType<typeof parsePolicy>) =>
      r.ok
        ? { ...r, policy: { ...r.policy, statements: r.policy.statements.map(({ start: _s, end: _e, ...st }) => st) } }
        : { ...r, errors: r.errors.map(({ line: _l, column: _c, ...rest }) => rest) };
    const documents = [
      { Version: "2012-10-17", Statement: [statement({ Action: ["s3:GetObject", "ec2:*"] })] },
      { Version: "2012-10-17", Statement: ["not", "statements"] },
      { Version: "2012-10-17", Statement: [statement({ Action: ["s3:GetObject", "nocolon"], Resource: [] })] },
    ];
    for (const d of documents) {
      expect(strip(parsePolicy(d, "identity", { strict: true }))).toEqual(
        strip(parsePolicy(JSON.stringify(d), "identity", { strict: true })),
      );
    }
    // eslint-disable-next-line no-sparse-arrays
    const sparse = { Version: "2012-10-17", Statement: [statement({ Action: ["s3:GetObject", , "s3:PutObject"] })] };
    expect(parsePolicy(sparse, "identity").ok).toBe(false);
  });

  it("agrees with json.ts on arbitrary JSON around policy-like statements (property)", () => {
    const key = fc.constantFrom(
      "Sid",
      "Effect",
      "Action",
      "Resource",
      "Condition",
      "Principal",
      "10",
      "__proto__",
      "x",
    );
    const scalar = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null));
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: "small" },
        scalar,
        fc.array(tie("node"), { maxLength: 4 }),
        fc.dictionary(key, tie("node"), { maxKeys: 4 }),
      ),
    })).node;
    const doc = fc.record({
      Version: fc.constantFrom("2012-10-17", "2008-10-17"),
      Statement: fc.array(fc.oneof(fc.dictionary(key, value, { maxKeys: 6 }), fc.constant(statement())), {
        maxLength: 4,
      }),
    });
    fc.assert(
      fc.property(doc, fc.constantFrom(undefined, 1, "\t"), fc.boolean(), (d, indent, duplicate) => {
        let text = JSON.stringify(d, null, indent);
        // A repeated key, which JSON.parse would silently drop, is spliced into the text.
        if (duplicate) text = text.replace('"Version"', '"Version": "x", "Version"');
        same(text);
        same(text, "resource", { strict: true });
      }),
      { numRuns: 300 },
    );
  });
});

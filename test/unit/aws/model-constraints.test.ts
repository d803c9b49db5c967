// The IAM member schemas against the service model (read from ../shared at run time), and strict integer parsing.
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { int, parseInput } from "../../../src/api/validation.ts";
import * as fields from "../../../src/iam/fields.ts";

const MODEL = resolve(dirname(fileURLToPath(import.meta.url)), "../../../../shared/aws-models/iam.service-2.json");
const MODEL_PRESENT = existsSync(MODEL);
if (!MODEL_PRESENT) console.log(`IAM model checks skipped: ../shared is absent (looked for ${MODEL}).`);

interface Shape {
  type: string;
  pattern?: string;
  min?: number;
  max?: number;
}

/** Each string member of fields.ts and the model shape it stands for. */
const STRING_MEMBERS: Array<[keyof typeof fields, string]> = [
  ["userName", "userNameType"],
  ["existingUserName", "existingUserNameType"],
  ["groupName", "groupNameType"],
  ["roleName", "roleNameType"],
  ["policyName", "policyNameType"],
  ["path", "pathType"],
  ["pathPrefix", "pathPrefixType"],
  ["policyPath", "policyPathType"],
  ["marker", "markerType"],
  ["policyDocument", "policyDocumentType"],
  ["roleDescription", "roleDescriptionType"],
  ["arn", "arnType"],
  ["accessKeyId", "accessKeyIdType"],
  ["password", "passwordType"],
  ["policyVersionId", "policyVersionIdType"],
  ["tagKey", "tagKeyType"],
  ["tagValue", "tagValueType"],
];

const INT_MEMBERS: Array<[keyof typeof fields, string]> = [
  ["maxItems", "maxItemsType"],
  ["maxSessionDuration", "roleMaxSessionDurationType"],
];

/** The pattern a schema reports for a value no IAM pattern allows (NUL), as AWS prints it. */
function reportedPattern(schema: z.ZodType): string | undefined {
  try {
    parseInput(schema, "\u0000");
  } catch (err) {
    return /Member must satisfy regular expression pattern: (.*)$/.exec((err as Error).message)?.[1];
  }
  return undefined;
}

function validationMessage(schema: z.ZodType, value: unknown): string {
  try {
    parseInput(schema, value);
  } catch (err) {
    return (err as Error).message;
  }
  return "accepted";
}

describe.skipIf(!MODEL_PRESENT)("fields.ts against the IAM service model", () => {
  const shapes = MODEL_PRESENT
    ? (JSON.parse(readFileSync(MODEL, "utf8")) as { shapes: Record<string, Shape> }).shapes
    : {};

  it.each(STRING_MEMBERS)("%s enforces %s's pattern, min and max", (member, shapeName) => {
    const shape = shapes[shapeName] as Shape;
    const schema = fields[member] as z.ZodType;
    expect(reportedPattern(schema)).toBe(shape.pattern);
    if (shape.max !== undefined) {
      expect(validationMessage(schema, "a".repeat(shape.max + 1))).toContain(
        `Member must have length less than or equal to ${shape.max}`,
      );
    }
    if (shape.min !== undefined && shape.min > 0) {
      expect(validationMessage(schema, "")).toContain(`Member must have length greater than or equal to ${shape.min}`);
    }
  });

  it.each(INT_MEMBERS)("%s enforces %s's range", (member, shapeName) => {
    const shape = shapes[shapeName] as Shape;
    const schema = fields[member] as z.ZodType;
    expect(validationMessage(schema, String((shape.min ?? 0) - 1))).toContain(
      `Member must have value greater than or equal to ${shape.min}`,
    );
    expect(validationMessage(schema, String((shape.max ?? 0) + 1))).toContain(
      `Member must have value less than or equal to ${shape.max}`,
    );
    expect(parseInput(schema, String(shape.max))).toBe(shape.max);
  });

  it("policyDescription enforces the pattern IAM applies although the model declares none", () => {
    expect(shapes.policyDescriptionType?.pattern).toBeUndefined();
    expect(reportedPattern(fields.policyDescription)).toBe("[\\p{L}\\p{M}\\p{Z}\\p{S}\\p{N}\\p{P}]*");
    expect(parseInput(fields.policyDescription, "Grants read access: café, 日本, €5 (v2)")).toBe(
      "Grants read access: café, 日本, €5 (v2)",
    );
    for (const bad of ["a\u0007b", "line\nbreak", "tab\there", "a\u0000"]) {
      expect(validationMessage(fields.policyDescription, bad)).toContain("at '' failed to satisfy constraint");
    }
  });
});

describe("int()", () => {
  const schema = int({ min: 1, max: 1000 });

  it("accepts plain base-10 integers, leading zeros included, and numbers from internal callers", () => {
    expect(parseInput(schema, "5")).toBe(5);
    expect(parseInput(schema, "0005")).toBe(5);
    expect(parseInput(schema, "1000")).toBe(1000);
    expect(parseInput(schema, 7)).toBe(7);
  });

  it.each([" 5", "5 ", "\t5", "5.0", "5.", "1e1", "+5", "0x10", "0b1", "five", "", "٥", "9".repeat(30)])(
    "refuses %j as not an integer",
    (text) => {
      expect(validationMessage(schema, text)).toBe(
        `1 validation error detected: Value '${text}' at '' failed to satisfy constraint: Member must be of type integer`,
      );
    },
  );

  it("reports a missing required integer as null and a non-scalar as not an integer", () => {
    expect(validationMessage(schema, undefined)).toContain("Member must not be null");
    expect(validationMessage(schema, ["5"])).toContain("Member must be of type integer");
  });
});

// Property tests of the wildcard matchers behind Action, Resource and the String/Arn operators.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileArnPattern, matchArnPattern, splitArn } from "../../../src/engine/arn.ts";
import { compileActions, matchAction } from "../../../src/engine/compile.ts";
import { compileTokens, matchTokens, tokenize } from "../../../src/engine/glob.ts";
import { matchTemplate, parseTemplate } from "../../../src/engine/variables.ts";

const noVars = { single: (): undefined => undefined };
/** Text without wildcards or colons: a literal segment. */
const literal = fc.stringMatching(/^[A-Za-z0-9/_.+=@-]{0,12}$/);
const segment = fc.stringMatching(/^[A-Za-z0-9-]{0,8}$/);
const glob = (pattern: string, subject: string): boolean => compileTokens(tokenize(pattern))(subject);

function actionMatches(pattern: string, action: string): boolean {
  const full = action.toLowerCase();
  const colon = full.indexOf(":");
  return matchAction(compileActions([pattern]), full.slice(0, colon), full.slice(colon + 1), full);
}

function resourceMatches(pattern: string, arn: string): boolean {
  return matchArnPattern(compileArnPattern(pattern, false), splitArn(arn), noVars) === true;
}

describe("glob matcher", () => {
  it("a literal pattern matches only itself", () => {
    fc.assert(fc.property(literal, literal, (p, s) => glob(p, s) === (p === s)));
  });

  it("* matches everything", () => {
    fc.assert(fc.property(fc.string(), (s) => glob("*", s)));
  });

  it("prefix* matches exactly the strings starting with the prefix", () => {
    fc.assert(fc.property(literal, fc.string(), (p, s) => glob(`${p}*`, s) === s.startsWith(p)));
  });

  it("? matches exactly one character", () => {
    fc.assert(
      fc.property(literal, fc.stringMatching(/^[a-z]$/), literal, (a, c, b) => {
        expect(glob(`${a}?${b}`, `${a}${c}${b}`)).toBe(true);
        expect(glob(`${a}?${b}`, `${a}${b}`)).toBe(false);
        expect(glob(`${a}?${b}`, `${a}${c}${c}${b}`)).toBe(false);
      }),
    );
  });

  it("agrees with a regular-expression reference", () => {
    const pattern = fc.stringMatching(/^[ab*?]{0,8}$/);
    const subject = fc.stringMatching(/^[ab]{0,10}$/);
    fc.assert(
      fc.property(pattern, subject, (p, s) => {
        const re = new RegExp(`^${p.replace(/\*/g, ".*").replace(/\?/g, ".")}$`);
        return glob(p, s) === re.test(s);
      }),
    );
  });
});

describe("one-shot matchers agree with compiled ones", () => {
  const pattern = fc.stringMatching(/^[ab*?]{0,8}$/);
  const subject = fc.stringMatching(/^[ab]{0,10}$/);

  it("matchTokens", () => {
    fc.assert(fc.property(pattern, subject, (p, s) => matchTokens(tokenize(p), s) === glob(p, s)));
  });

  it("matchTemplate without variables", () => {
    fc.assert(fc.property(pattern, subject, (p, s) => matchTemplate(parseTemplate(p, true), s, noVars) === glob(p, s)));
  });

  it("matchTemplate substitutes a variable as literal text", () => {
    const vars = { single: (k: string) => (k === "aws:username" ? "a*" : undefined) };
    fc.assert(
      fc.property(
        subject,
        (s) => matchTemplate(parseTemplate("${aws:username}*", true), s, vars) === s.startsWith("a*"),
      ),
    );
  });
});

describe("actions", () => {
  const service = fc.stringMatching(/^[a-z][a-z0-9-]{0,9}$/);
  const name = fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,14}$/);
  const flipCase = (s: string): string => [...s].map((c, i) => (i % 2 ? c.toUpperCase() : c.toLowerCase())).join("");

  it("are matched case-insensitively", () => {
    fc.assert(fc.property(service, name, (s, n) => actionMatches(`${s}:${n}`, flipCase(`${s}:${n}`))));
  });

  it("service:* matches every action of that service and no other", () => {
    fc.assert(
      fc.property(service, service, name, (s, other, n) => {
        expect(actionMatches(`${s}:*`, `${s}:${n}`)).toBe(true);
        expect(actionMatches(`${s}:*`, `${other}:${n}`)).toBe(s === other);
      }),
    );
  });

  it("a literal action matches only itself (ignoring case)", () => {
    fc.assert(
      fc.property(
        service,
        name,
        name,
        (s, a, b) => actionMatches(`${s}:${a}`, `${s}:${b}`) === (a.toLowerCase() === b.toLowerCase()),
      ),
    );
  });
});

describe("resources", () => {
  const arn = fc
    .tuple(segment, segment, segment, literal)
    .map(([svc, region, account, rest]) => `arn:aws:${svc}:${region}:${account}:${rest}`);

  it("a literal ARN matches only itself, case-sensitively", () => {
    fc.assert(fc.property(arn, arn, (p, s) => resourceMatches(p, s) === (p === s)));
  });

  it("changing the case of a letter breaks the match", () => {
    fc.assert(
      fc.property(
        arn.filter((a) => /[a-z]/.test(a.slice(8))),
        (a) => {
          const i = a.slice(8).search(/[a-z]/) + 8;
          const changed = a.slice(0, i) + (a[i] as string).toUpperCase() + a.slice(i + 1);
          return !resourceMatches(a, changed);
        },
      ),
    );
  });

  it("* in a field matches any value of that field but no colon", () => {
    fc.assert(
      fc.property(segment, segment, literal, (region, account, rest) => {
        expect(resourceMatches(`arn:aws:s3:*:${account}:${rest}`, `arn:aws:s3:${region}:${account}:${rest}`)).toBe(
          true,
        );
        expect(resourceMatches(`arn:aws:s3:*:${account}:${rest}`, `arn:aws:s3:${region}:x:${account}:${rest}`)).toBe(
          `x:${account}:${rest}` === `${account}:${rest}`,
        );
      }),
    );
  });

  it("Resource * matches everything", () => {
    fc.assert(fc.property(fc.string(), (s) => resourceMatches("*", s)));
  });
});

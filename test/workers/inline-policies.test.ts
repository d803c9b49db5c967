// Inline policies of users, groups and roles through the real AWS SDK against the Worker with real local D1.
import {
  CreateGroupCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeleteGroupPolicyCommand,
  DeleteRolePolicyCommand,
  DeleteUserPolicyCommand,
  GetGroupPolicyCommand,
  GetRolePolicyCommand,
  GetUserPolicyCommand,
  ListGroupPoliciesCommand,
  ListRolePoliciesCommand,
  ListUserPoliciesCommand,
  PutGroupPolicyCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
} from "@aws-sdk/client-iam";
import { describe, expect, it } from "vitest";
import { awsError, iamClient } from "./sdk";
import { doc } from "./fixtures";

const iam = iamClient();
const TRUST = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
});

/** A valid document whose whitespace-free size is exactly `size` characters. */
function docOfSize(size: number): string {
  const base = doc("s3:GetObject", "arn:aws:s3:::");
  const text = doc("s3:GetObject", `arn:aws:s3:::${"x".repeat(size - base.length)}`);
  expect(text.replace(/\s/g, "").length).toBe(size);
  return text;
}

describe("user inline policies", () => {
  it("puts, gets (URL-encoded, as submitted), lists, replaces and deletes", async () => {
    await iam.send(new CreateUserCommand({ UserName: "inl-user" }));
    const text = `{ "Version": "2012-10-17",\n  "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::a&b"}] }`;
    await iam.send(new PutUserPolicyCommand({ UserName: "inl-user", PolicyName: "s3", PolicyDocument: text }));
    const got = await iam.send(new GetUserPolicyCommand({ UserName: "INL-USER", PolicyName: "s3" }));
    expect(got.UserName).toBe("inl-user");
    expect(got.PolicyName).toBe("s3");
    expect(got.PolicyDocument).toBe(encodeURIComponent(text));
    expect(decodeURIComponent(got.PolicyDocument ?? "")).toBe(text);

    await iam.send(new PutUserPolicyCommand({ UserName: "inl-user", PolicyName: "s3", PolicyDocument: doc("ec2:*") }));
    const replaced = await iam.send(new GetUserPolicyCommand({ UserName: "inl-user", PolicyName: "s3" }));
    expect(JSON.parse(decodeURIComponent(replaced.PolicyDocument ?? "")).Statement[0].Action).toBe("ec2:*");

    for (const n of ["c", "a", "b"]) {
      await iam.send(new PutUserPolicyCommand({ UserName: "inl-user", PolicyName: n, PolicyDocument: doc() }));
    }
    const listed = await iam.send(new ListUserPoliciesCommand({ UserName: "inl-user" }));
    expect(listed).toMatchObject({ PolicyNames: ["a", "b", "c", "s3"], IsTruncated: false });
    const first = await iam.send(new ListUserPoliciesCommand({ UserName: "inl-user", MaxItems: 3 }));
    expect(first).toMatchObject({ PolicyNames: ["a", "b", "c"], IsTruncated: true });
    const rest = await iam.send(new ListUserPoliciesCommand({ UserName: "inl-user", Marker: first.Marker }));
    expect(rest).toMatchObject({ PolicyNames: ["s3"], IsTruncated: false });

    await iam.send(new DeleteUserPolicyCommand({ UserName: "inl-user", PolicyName: "s3" }));
    const gone = await awsError(iam.send(new GetUserPolicyCommand({ UserName: "inl-user", PolicyName: "s3" })));
    expect(gone).toEqual({
      name: "NoSuchEntity",
      status: 404,
      message: "The user policy with name s3 cannot be found.",
    });
    const again = await awsError(iam.send(new DeleteUserPolicyCommand({ UserName: "inl-user", PolicyName: "s3" })));
    expect(again).toEqual({
      name: "NoSuchEntity",
      status: 404,
      message: "The user policy with name s3 cannot be found.",
    });
  });

  it("answers NoSuchEntity for a missing user", async () => {
    const err = await awsError(
      iam.send(new PutUserPolicyCommand({ UserName: "inl-nobody", PolicyName: "p", PolicyDocument: doc() })),
    );
    expect(err).toEqual({
      name: "NoSuchEntity",
      status: 404,
      message: "The user with name inl-nobody cannot be found.",
    });
    const list = await awsError(iam.send(new ListUserPoliciesCommand({ UserName: "inl-nobody" })));
    expect(list).toMatchObject({ name: "NoSuchEntity", message: "The user with name inl-nobody cannot be found." });
  });

  it("rejects malformed documents and keeps the stored one", async () => {
    await iam.send(new CreateUserCommand({ UserName: "inl-malformed" }));
    await iam.send(new PutUserPolicyCommand({ UserName: "inl-malformed", PolicyName: "p", PolicyDocument: doc() }));
    const cases: [string, string][] = [
      ['{"Version": "2012-10-17", "Statement": ', "Syntax errors in policy."],
      [
        JSON.stringify({
          Version: "2012-10-17",
          Statement: { Effect: "Allow", Principal: { AWS: "*" }, Action: "s3:*", Resource: "*" },
        }),
        "Policy document should not specify a principal.",
      ],
      [
        JSON.stringify({ Version: "2012-10-17", Statement: { Effect: "Allow", Resource: "*" } }),
        "Policy statement must contain actions.",
      ],
    ];
    for (const [text, message] of cases) {
      const err = await awsError(
        iam.send(new PutUserPolicyCommand({ UserName: "inl-malformed", PolicyName: "p", PolicyDocument: text })),
      );
      expect(err).toEqual({ name: "MalformedPolicyDocument", status: 400, message });
    }
    const kept = await iam.send(new GetUserPolicyCommand({ UserName: "inl-malformed", PolicyName: "p" }));
    expect(decodeURIComponent(kept.PolicyDocument ?? "")).toBe(doc());
  });

  it("enforces the 2,048-character aggregate without counting whitespace", async () => {
    await iam.send(new CreateUserCommand({ UserName: "inl-size" }));
    // Whitespace is free: far more than 2,048 raw characters, well under once stripped.
    const padded = doc().replace('"Effect"', `${"\n ".repeat(3000)}"Effect"`);
    expect(padded.length).toBeGreaterThan(2048);
    await iam.send(new PutUserPolicyCommand({ UserName: "inl-size", PolicyName: "padded", PolicyDocument: padded }));

    const paddedSize = padded.replace(/\s/g, "").length;
    await iam.send(
      new PutUserPolicyCommand({
        UserName: "inl-size",
        PolicyName: "fill",
        PolicyDocument: docOfSize(2048 - paddedSize),
      }),
    );
    const err = await awsError(
      iam.send(new PutUserPolicyCommand({ UserName: "inl-size", PolicyName: "extra", PolicyDocument: doc() })),
    );
    expect(err).toEqual({
      name: "LimitExceeded",
      status: 409,
      message: "Maximum policy size of 2048 bytes exceeded for user inl-size",
    });
    expect((await iam.send(new ListUserPoliciesCommand({ UserName: "inl-size" }))).PolicyNames).toEqual([
      "fill",
      "padded",
    ]);

    // Replacing a policy only counts its new size, not the old one as well.
    await iam.send(
      new PutUserPolicyCommand({
        UserName: "inl-size",
        PolicyName: "fill",
        PolicyDocument: docOfSize(2048 - paddedSize),
      }),
    );
    const grow = await awsError(
      iam.send(
        new PutUserPolicyCommand({
          UserName: "inl-size",
          PolicyName: "fill",
          PolicyDocument: docOfSize(2049 - paddedSize),
        }),
      ),
    );
    expect(grow).toMatchObject({ name: "LimitExceeded" });
    const kept = await iam.send(new GetUserPolicyCommand({ UserName: "inl-size", PolicyName: "fill" }));
    expect(decodeURIComponent(kept.PolicyDocument ?? "").replace(/\s/g, "").length).toBe(2048 - paddedSize);
  });
});

describe("group inline policies", () => {
  it("puts, gets, lists and deletes, with the 5,120-character quota", async () => {
    await iam.send(new CreateGroupCommand({ GroupName: "inl-group" }));
    await iam.send(
      new PutGroupPolicyCommand({ GroupName: "inl-group", PolicyName: "big", PolicyDocument: docOfSize(5000) }),
    );
    const got = await iam.send(new GetGroupPolicyCommand({ GroupName: "inl-group", PolicyName: "big" }));
    expect(got.GroupName).toBe("inl-group");
    expect(decodeURIComponent(got.PolicyDocument ?? "")).toBe(docOfSize(5000));
    const err = await awsError(
      iam.send(
        new PutGroupPolicyCommand({ GroupName: "inl-group", PolicyName: "more", PolicyDocument: docOfSize(121) }),
      ),
    );
    expect(err).toEqual({
      name: "LimitExceeded",
      status: 409,
      message: "Maximum policy size of 5120 bytes exceeded for group inl-group",
    });
    await iam.send(
      new PutGroupPolicyCommand({ GroupName: "inl-group", PolicyName: "more", PolicyDocument: docOfSize(120) }),
    );
    expect((await iam.send(new ListGroupPoliciesCommand({ GroupName: "inl-group" }))).PolicyNames).toEqual([
      "big",
      "more",
    ]);
    await iam.send(new DeleteGroupPolicyCommand({ GroupName: "inl-group", PolicyName: "big" }));
    const gone = await awsError(iam.send(new GetGroupPolicyCommand({ GroupName: "inl-group", PolicyName: "big" })));
    expect(gone).toEqual({
      name: "NoSuchEntity",
      status: 404,
      message: "The group policy with name big cannot be found.",
    });
    const noGroup = await awsError(iam.send(new ListGroupPoliciesCommand({ GroupName: "inl-nogroup" })));
    expect(noGroup).toEqual({
      name: "NoSuchEntity",
      status: 404,
      message: "The group with name inl-nogroup cannot be found.",
    });
  });
});

describe("role inline policies", () => {
  it("puts, gets, lists and deletes, with the 10,240-character quota", async () => {
    await iam.send(new CreateRoleCommand({ RoleName: "inl-role", AssumeRolePolicyDocument: TRUST }));
    await iam.send(
      new PutRolePolicyCommand({ RoleName: "inl-role", PolicyName: "one", PolicyDocument: docOfSize(10000) }),
    );
    const got = await iam.send(new GetRolePolicyCommand({ RoleName: "inl-role", PolicyName: "one" }));
    expect(got).toMatchObject({ RoleName: "inl-role", PolicyName: "one" });
    const err = await awsError(
      iam.send(new PutRolePolicyCommand({ RoleName: "inl-role", PolicyName: "two", PolicyDocument: docOfSize(241) })),
    );
    expect(err).toEqual({
      name: "LimitExceeded",
      status: 409,
      message: "Maximum policy size of 10240 bytes exceeded for role inl-role",
    });
    expect((await iam.send(new ListRolePoliciesCommand({ RoleName: "inl-role" }))).PolicyNames).toEqual(["one"]);
    await iam.send(new DeleteRolePolicyCommand({ RoleName: "inl-role", PolicyName: "one" }));
    expect((await iam.send(new ListRolePoliciesCommand({ RoleName: "inl-role" }))).PolicyNames).toEqual([]);
    const gone = await awsError(iam.send(new GetRolePolicyCommand({ RoleName: "inl-role", PolicyName: "one" })));
    expect(gone).toEqual({
      name: "NoSuchEntity",
      status: 404,
      message: "The role policy with name one cannot be found.",
    });
    const noRole = await awsError(
      iam.send(new PutRolePolicyCommand({ RoleName: "inl-norole", PolicyName: "x", PolicyDocument: doc() })),
    );
    expect(noRole).toEqual({
      name: "NoSuchEntity",
      status: 404,
      message: "The role with name inl-norole cannot be found.",
    });
  });

  it("rejects a policy name outside the pattern with AWS's validation message", async () => {
    const err = await awsError(
      iam.send(new PutRolePolicyCommand({ RoleName: "inl-role", PolicyName: "bad name", PolicyDocument: doc() })),
    );
    expect(err).toEqual({
      name: "ValidationError",
      status: 400,
      message:
        "1 validation error detected: Value 'bad name' at 'policyName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+",
    });
  });
});

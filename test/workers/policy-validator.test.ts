// The stored-policy validator through the real AWS SDK: MalformedPolicyDocument with AWS's message, per operation.
// Rules and sources: src/engine/policy-rules.ts and test/unit/engine/validator-rules.test.ts.
import {
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  CreateUserCommand,
  GetUserPolicyCommand,
  PutUserPolicyCommand,
  UpdateAssumeRolePolicyCommand,
} from "@aws-sdk/client-iam";
import { describe, expect, it } from "vitest";
import { awsError, iamClient } from "./sdk";

const iam = iamClient();
const ok = { Effect: "Allow", Action: "s3:GetObject", Resource: "*" };
const doc = (...statements: object[]): string => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const trustOf = (...statements: object[]) => doc(...statements);
const ec2Trust = { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" };

const malformed = (message: string) => ({ name: "MalformedPolicyDocument", status: 400, message });

describe("CreatePolicy and CreatePolicyVersion (managed policies)", () => {
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html
  it("refuses a document without Version or in the 2008-10-17 language", async () => {
    for (const [name, text] of [
      ["pv-none", JSON.stringify({ Statement: [ok] })],
      ["pv-2008", JSON.stringify({ Version: "2008-10-17", Statement: [ok] })],
    ] as const) {
      expect(await awsError(iam.send(new CreatePolicyCommand({ PolicyName: name, PolicyDocument: text })))).toEqual(
        malformed("Policy document must be version 2012-10-17 or greater."),
      );
    }
  });

  it("refuses a new version without Version too", async () => {
    const created = await iam.send(new CreatePolicyCommand({ PolicyName: "pv-versions", PolicyDocument: doc(ok) }));
    const arn = created.Policy?.Arn ?? "";
    const sent = iam.send(
      new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: JSON.stringify({ Statement: ok }) }),
    );
    expect(await awsError(sent)).toEqual(malformed("Policy document must be version 2012-10-17 or greater."));
  });

  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
  it("names the partition, the region information and the vendor as AWS does", async () => {
    const cases: [string, string][] = [
      ["arn:b:s3:::bucket", 'Partition "b" is not valid for resource "arn:b:s3:::bucket".'],
      [
        "arn:aws:iam:us-east-1:111122223333:role/x",
        "IAM resource arn:aws:iam:us-east-1:111122223333:role/x cannot contain region information.",
      ],
      [
        "arn:aws:s3:us-east-1::bucket/key",
        "Resource arn:aws:s3:us-east-1::bucket/key can not contain region information.",
      ],
      ["arn:aws", "Resource vendor must be fully qualified and cannot contain regexes."],
      ["arn:aws::us-east-1:111122223333:x", "The policy failed legacy parsing"],
    ];
    for (const [i, [resource, message]] of cases.entries()) {
      const sent = iam.send(
        new CreatePolicyCommand({ PolicyName: `pv-arn-${i}`, PolicyDocument: doc({ ...ok, Resource: resource }) }),
      );
      expect(await awsError(sent)).toEqual(malformed(message));
    }
  });

  it("stores what AWS stores: short ARNs, underscores in a Sid, null Resource entries, empty Sids, unprefixed keys", async () => {
    const text = doc(
      { ...ok, Sid: "Allow_Read_Only", Resource: ["arn:aws:fdsasf", null] },
      { ...ok, Sid: "" },
      { ...ok, Sid: "", Condition: { DateGreaterThan: { a: "01T" }, StringEquals: {} } },
    );
    const created = await iam.send(new CreatePolicyCommand({ PolicyName: "pv-stored", PolicyDocument: text }));
    expect(created.Policy?.PolicyName).toBe("pv-stored");
  });

  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
  it("refuses an action with two colons or a vendor with a space", async () => {
    const colons = iam.send(
      new CreatePolicyCommand({ PolicyName: "pv-act-1", PolicyDocument: doc({ ...ok, Action: "s3:Get:Object" }) }),
    );
    expect(await awsError(colons)).toEqual(malformed("Actions/Condition can contain only one colon."));
    const space = iam.send(
      new CreatePolicyCommand({ PolicyName: "pv-act-2", PolicyDocument: doc({ ...ok, Action: "s 3:GetObject" }) }),
    );
    expect(await awsError(space)).toEqual(malformed("Vendor s 3 is not valid"));
  });

  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
  it("refuses an empty Statement list", async () => {
    const sent = iam.send(new CreatePolicyCommand({ PolicyName: "pv-empty", PolicyDocument: doc() }));
    expect(await awsError(sent)).toEqual(malformed("Syntax errors in policy."));
  });
});

describe("PutUserPolicy (inline policies)", () => {
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html
  it("stores an inline policy without Version or in the 2008-10-17 language", async () => {
    await iam.send(new CreateUserCommand({ UserName: "pv-user" }));
    for (const [name, text] of [
      ["none", JSON.stringify({ Statement: [ok] })],
      ["old", JSON.stringify({ Version: "2008-10-17", Statement: [ok] })],
    ] as const) {
      await iam.send(new PutUserPolicyCommand({ UserName: "pv-user", PolicyName: name, PolicyDocument: text }));
      const got = await iam.send(new GetUserPolicyCommand({ UserName: "pv-user", PolicyName: name }));
      expect(decodeURIComponent(got.PolicyDocument ?? "")).toBe(text);
    }
  });

  it("reports the first problem in AWS's order: missing actions before a bad partition", async () => {
    await iam.send(new CreateUserCommand({ UserName: "pv-user-2" }));
    const text = doc({ ...ok, Resource: "arn:b:s3:::x" }, { Effect: "Allow", Resource: "*" });
    const sent = iam.send(new PutUserPolicyCommand({ UserName: "pv-user-2", PolicyName: "p", PolicyDocument: text }));
    expect(await awsError(sent)).toEqual(malformed("Policy statement must contain actions."));
  });

  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
  it("refuses a Date value the legacy parser cannot read", async () => {
    await iam.send(new CreateUserCommand({ UserName: "pv-user-3" }));
    const text = doc({ ...ok, Condition: { DateLessThan: { "aws:CurrentTime": "2020-13-01" } } });
    const sent = iam.send(new PutUserPolicyCommand({ UserName: "pv-user-3", PolicyName: "p", PolicyDocument: text }));
    expect(await awsError(sent)).toEqual(malformed("The policy failed legacy parsing"));
  });
});

describe("CreateRole and UpdateAssumeRolePolicy (trust policies)", () => {
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
  it("requires a Principal and prohibits Resource", async () => {
    const noPrincipal = iam.send(
      new CreateRoleCommand({
        RoleName: "pv-role-1",
        AssumeRolePolicyDocument: trustOf({ Effect: "Allow", Action: "sts:AssumeRole" }),
      }),
    );
    expect(await awsError(noPrincipal)).toEqual(malformed("Missing required field Principal"));
    const withResource = iam.send(
      new CreateRoleCommand({
        RoleName: "pv-role-2",
        AssumeRolePolicyDocument: trustOf({ ...ec2Trust, Resource: "*" }),
      }),
    );
    expect(await awsError(withResource)).toEqual(malformed("Has prohibited field Resource"));
  });

  it("refuses an action with two colons, and accepts a trust policy without Version", async () => {
    const colons = iam.send(
      new CreateRoleCommand({
        RoleName: "pv-role-3",
        AssumeRolePolicyDocument: trustOf({ ...ec2Trust, Action: "sts::AssumeRole" }),
      }),
    );
    expect(await awsError(colons)).toEqual(malformed("Actions/Condition can contain only one colon."));
    await iam.send(
      new CreateRoleCommand({
        RoleName: "pv-role-4",
        AssumeRolePolicyDocument: JSON.stringify({ Statement: [ec2Trust] }),
      }),
    );
    const update = iam.send(
      new UpdateAssumeRolePolicyCommand({
        RoleName: "pv-role-4",
        PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [] }),
      }),
    );
    expect(await awsError(update)).toEqual(malformed("Syntax errors in policy."));
  });
});

// ARNs carry the partition of the region a request is signed for: aws-cn for cn-*, aws-us-gov for us-gov-*.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html (partition)
import {
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  GetPolicyCommand,
  IAMClient,
  ListAttachedUserPoliciesCommand,
  ListPoliciesCommand,
  PutUserPolicyCommand,
} from "@aws-sdk/client-iam";
import {
  CreateOrganizationCommand,
  DescribeOrganizationCommand,
  ListRootsCommand,
  OrganizationsClient,
} from "@aws-sdk/client-organizations";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { describe, expect, it } from "vitest";
import { partitionOf } from "../../src/aws/arn";
import { validatePolicyDocument } from "../../src/engine/index";
import { ACCOUNT } from "./fixtures";
import { iamClient, orgsClient, ROOT, stsClient, type Credentials } from "./sdk";

/** The test clients, signing for another region (the SDK's endpoint stays the Worker). */
function inRegion<T extends IAMClient | STSClient | OrganizationsClient>(client: T, region: string): T {
  client.config.region = () => Promise.resolve(region);
  return client;
}
const iamIn = (region: string, c: Credentials = ROOT) => inRegion(iamClient(c), region);
const stsIn = (region: string, c: Credentials = ROOT) => inRegion(stsClient(c), region);

describe("partitions", () => {
  it("maps regions to AWS's partitions", () => {
    expect(partitionOf("us-east-1")).toBe("aws");
    expect(partitionOf("eu-west-3")).toBe("aws");
    expect(partitionOf("cn-north-1")).toBe("aws-cn");
    expect(partitionOf("cn-northwest-1")).toBe("aws-cn");
    expect(partitionOf("us-gov-west-1")).toBe("aws-us-gov");
    expect(partitionOf("us-iso-east-1")).toBe("aws-iso");
    expect(partitionOf("us-isob-east-1")).toBe("aws-iso-b");
  });

  it("validates stored policies against the partition they are stored in", async () => {
    const on = (arn: string) =>
      JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: arn }] });
    expect(validatePolicyDocument(on("arn:aws-cn:s3:::b"), "identity", { partition: "aws-cn" }).ok).toBe(true);
    const wrong = validatePolicyDocument(on("arn:aws:s3:::b"), "identity", { partition: "aws-cn" });
    expect(wrong.ok ? "" : wrong.message).toBe('Partition "aws" is not valid for resource "arn:aws:s3:::b".');
    // Through the API: a China request stores aws-cn resources; a commercial one refuses them.
    const doc = on("arn:aws-cn:s3:::bucket/*");
    await iamIn("cn-north-1").send(new CreateUserCommand({ UserName: "cn-policy-holder" }));
    await iamIn("cn-north-1").send(
      new PutUserPolicyCommand({ UserName: "cn-policy-holder", PolicyName: "p", PolicyDocument: doc }),
    );
    await expect(
      iamClient().send(
        new PutUserPolicyCommand({ UserName: "cn-policy-holder", PolicyName: "q", PolicyDocument: doc }),
      ),
    ).rejects.toThrow('Partition "aws-cn" is not valid for resource "arn:aws-cn:s3:::bucket/*".');
  });

  it("names the caller and new entities in the signing region's partition", async () => {
    const iam = iamIn("cn-north-1");
    expect((await stsIn("cn-north-1").send(new GetCallerIdentityCommand({}))).Arn).toBe(
      `arn:aws-cn:iam::${ACCOUNT}:root`,
    );
    expect((await stsIn("us-gov-west-1").send(new GetCallerIdentityCommand({}))).Arn).toBe(
      `arn:aws-us-gov:iam::${ACCOUNT}:root`,
    );
    const user = await iam.send(new CreateUserCommand({ UserName: "cn-user", Path: "/cn/" }));
    expect(user.User?.Arn).toBe(`arn:aws-cn:iam::${ACCOUNT}:user/cn/cn-user`);
    // The commercial partition is unchanged.
    const other = await iamClient().send(new CreateUserCommand({ UserName: "us-user" }));
    expect(other.User?.Arn).toBe(`arn:aws:iam::${ACCOUNT}:user/us-user`);
  });

  it("finds AWS managed policies under the partition's ARNs and lists them so", async () => {
    const iam = iamIn("cn-north-1");
    const arn = "arn:aws-cn:iam::aws:policy/ReadOnlyAccess";
    expect((await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy?.Arn).toBe(arn);
    await iam.send(new CreateUserCommand({ UserName: "cn-reader" }));
    await iam.send(new AttachUserPolicyCommand({ UserName: "cn-reader", PolicyArn: arn }));
    const attached = await iam.send(new ListAttachedUserPoliciesCommand({ UserName: "cn-reader" }));
    expect(attached.AttachedPolicies).toEqual([{ PolicyName: "ReadOnlyAccess", PolicyArn: arn }]);
    const listed = await iam.send(new ListPoliciesCommand({ Scope: "AWS", OnlyAttached: true }));
    expect(listed.Policies?.map((p) => p.Arn)).toContain(arn);
  });

  it("decides a China user's policies on its aws-cn ARNs, and names its role sessions there", async () => {
    const root = iamIn("cn-north-1");
    await root.send(new CreateUserCommand({ UserName: "cn-admin" }));
    await root.send(
      new PutUserPolicyCommand({
        UserName: "cn-admin",
        PolicyName: "own-partition",
        PolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Action: "iam:CreateUser", Resource: `arn:aws-cn:iam::${ACCOUNT}:user/*` },
            { Effect: "Allow", Action: "sts:AssumeRole", Resource: `arn:aws-cn:iam::${ACCOUNT}:role/*` },
          ],
        }),
      }),
    );
    const key = (await root.send(new CreateAccessKeyCommand({ UserName: "cn-admin" }))).AccessKey;
    const admin = { accessKeyId: key?.AccessKeyId ?? "", secretAccessKey: key?.SecretAccessKey ?? "" };
    const made = await iamIn("cn-north-1", admin).send(new CreateUserCommand({ UserName: "made-in-cn" }));
    expect(made.User?.Arn).toBe(`arn:aws-cn:iam::${ACCOUNT}:user/made-in-cn`);

    await root.send(
      new CreateRoleCommand({
        RoleName: "cn-role",
        AssumeRolePolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Principal: { AWS: `arn:aws-cn:iam::${ACCOUNT}:root` }, Action: "sts:AssumeRole" },
          ],
        }),
      }),
    );
    const assumed = await stsIn("cn-north-1", admin).send(
      new AssumeRoleCommand({ RoleArn: `arn:aws-cn:iam::${ACCOUNT}:role/cn-role`, RoleSessionName: "s1" }),
    );
    expect(assumed.AssumedRoleUser?.Arn).toBe(`arn:aws-cn:sts::${ACCOUNT}:assumed-role/cn-role/s1`);
  });

  it("names organization resources in the partition of the request", async () => {
    const orgs = inRegion(orgsClient(), "cn-northwest-1");
    const created = await orgs.send(new CreateOrganizationCommand({ FeatureSet: "ALL" }));
    const id = created.Organization?.Id ?? "";
    expect(created.Organization?.Arn).toBe(`arn:aws-cn:organizations::${ACCOUNT}:organization/${id}`);
    expect(created.Organization?.MasterAccountArn).toBe(
      `arn:aws-cn:organizations::${ACCOUNT}:account/${id}/${ACCOUNT}`,
    );
    const roots = await orgs.send(new ListRootsCommand({}));
    expect(roots.Roots?.[0]?.Arn).toMatch(new RegExp(`^arn:aws-cn:organizations::${ACCOUNT}:root/${id}/r-`));
    // The same organization, asked about in a commercial region.
    const described = await orgsClient().send(new DescribeOrganizationCommand({}));
    expect(described.Organization?.Arn).toBe(`arn:aws:organizations::${ACCOUNT}:organization/${id}`);
  });
});

// Response fidelity of tags and the password policy, through the real AWS SDK and the raw XML.
// - Get{User,Role,Policy} return an entity's tags in the order they were added: AWS documents a sort only for
//   List*Tags ("The returned list of tags is sorted by tag key",
//   https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListRoleTags.html), and GetRole's own Tags come back
//   unsorted from AWS (API_GetRole: https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetRole.html).
// - An entity with no tags has no Tags member at all, not an empty <Tags/>: AWS's GetUser and GetRole samples
//   (https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetUser.html) show none.
// - GetAccountPasswordPolicy returns every member of the PasswordPolicy shape that is set
//   (https://docs.aws.amazon.com/IAM/latest/APIReference/API_PasswordPolicy.html).
import {
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeleteAccountPasswordPolicyCommand,
  GetAccountPasswordPolicyCommand,
  GetPolicyCommand,
  GetRoleCommand,
  GetUserCommand,
  ListPolicyTagsCommand,
  ListRoleTagsCommand,
  ListUserTagsCommand,
  TagPolicyCommand,
  TagRoleCommand,
  TagUserCommand,
  UntagRoleCommand,
  UpdateAccountPasswordPolicyCommand,
  type Tag,
} from "@aws-sdk/client-iam";
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { signRequest } from "../../src/aws/sigv4";
import { doc, TRUST } from "./fixtures";
import { iamClient, ROOT } from "./sdk";

const iam = iamClient();

/** The raw XML of a query call signed by the root user. */
async function rawXml(body: string): Promise<string> {
  const url = new URL("http://127.0.0.1:8787/");
  const headers = await signRequest({
    method: "POST",
    url,
    headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
    body,
    accessKeyId: ROOT.accessKeyId,
    secret: ROOT.secretAccessKey,
    region: "us-east-1",
    service: "iam",
    now: new Date(),
  });
  const res = await SELF.fetch(url, { method: "POST", headers, body });
  expect(res.status).toBe(200);
  return res.text();
}

const FIRST: Tag[] = [
  { Key: "zeta", Value: "1" },
  { Key: "Alpha", Value: "2" },
  { Key: "mid", Value: "3" },
];
const keys = (tags: Tag[] | undefined) => (tags ?? []).map((t) => t.Key);

describe("tags in responses", () => {
  it("GetUser, GetRole and GetPolicy return tags in the order they were added; List*Tags sorts them by key", async () => {
    await iam.send(new CreateUserCommand({ UserName: "ordered", Tags: FIRST }));
    await iam.send(new TagUserCommand({ UserName: "ordered", Tags: [{ Key: "beta", Value: "4" }] }));
    // Overwriting a tag's value keeps its place.
    await iam.send(new TagUserCommand({ UserName: "ordered", Tags: [{ Key: "ZETA", Value: "5" }] }));
    const user = await iam.send(new GetUserCommand({ UserName: "ordered" }));
    expect(user.User?.Tags).toEqual([
      { Key: "ZETA", Value: "5" },
      { Key: "Alpha", Value: "2" },
      { Key: "mid", Value: "3" },
      { Key: "beta", Value: "4" },
    ]);
    expect(keys((await iam.send(new ListUserTagsCommand({ UserName: "ordered" }))).Tags)).toEqual([
      "Alpha",
      "beta",
      "mid",
      "ZETA",
    ]);

    await iam.send(new CreateRoleCommand({ RoleName: "ordered", AssumeRolePolicyDocument: TRUST, Tags: FIRST }));
    await iam.send(new UntagRoleCommand({ RoleName: "ordered", TagKeys: ["Alpha"] }));
    await iam.send(new TagRoleCommand({ RoleName: "ordered", Tags: [{ Key: "beta", Value: "4" }] }));
    expect(keys((await iam.send(new GetRoleCommand({ RoleName: "ordered" }))).Role?.Tags)).toEqual([
      "zeta",
      "mid",
      "beta",
    ]);
    expect(keys((await iam.send(new ListRoleTagsCommand({ RoleName: "ordered" }))).Tags)).toEqual([
      "beta",
      "mid",
      "zeta",
    ]);

    const { Policy } = await iam.send(
      new CreatePolicyCommand({ PolicyName: "ordered", PolicyDocument: doc(), Tags: FIRST }),
    );
    await iam.send(new TagPolicyCommand({ PolicyArn: Policy?.Arn, Tags: [{ Key: "beta", Value: "4" }] }));
    expect(keys((await iam.send(new GetPolicyCommand({ PolicyArn: Policy?.Arn }))).Policy?.Tags)).toEqual([
      "zeta",
      "Alpha",
      "mid",
      "beta",
    ]);
    expect(keys((await iam.send(new ListPolicyTagsCommand({ PolicyArn: Policy?.Arn }))).Tags)).toEqual([
      "Alpha",
      "beta",
      "mid",
      "zeta",
    ]);
  });

  it("pages List*Tags by key after the insertion-ordered read", async () => {
    await iam.send(new CreateUserCommand({ UserName: "paged", Tags: FIRST }));
    const first = await iam.send(new ListUserTagsCommand({ UserName: "paged", MaxItems: 2 }));
    expect(keys(first.Tags)).toEqual(["Alpha", "mid"]);
    expect(first.IsTruncated).toBe(true);
    const rest = await iam.send(new ListUserTagsCommand({ UserName: "paged", Marker: first.Marker }));
    expect(keys(rest.Tags)).toEqual(["zeta"]);
  });

  it("sends no Tags element for an untagged user, role or policy", async () => {
    await iam.send(new CreateUserCommand({ UserName: "bare" }));
    await iam.send(new CreateRoleCommand({ RoleName: "bare", AssumeRolePolicyDocument: TRUST }));
    const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: "bare", PolicyDocument: doc() }));
    for (const body of [
      "Action=GetUser&Version=2010-05-08&UserName=bare",
      "Action=GetRole&Version=2010-05-08&RoleName=bare",
      `Action=GetPolicy&Version=2010-05-08&PolicyArn=${encodeURIComponent(Policy?.Arn ?? "")}`,
    ]) {
      const xml = await rawXml(body);
      expect(xml).toContain("<Arn>");
      expect(xml).not.toContain("<Tags");
    }
  });
});

describe("password policy", () => {
  it("returns every field of the PasswordPolicy shape that was set", async () => {
    await iam.send(
      new UpdateAccountPasswordPolicyCommand({
        MinimumPasswordLength: 14,
        RequireSymbols: true,
        RequireNumbers: true,
        RequireUppercaseCharacters: true,
        RequireLowercaseCharacters: true,
        AllowUsersToChangePassword: true,
        MaxPasswordAge: 90,
        PasswordReusePrevention: 24,
        HardExpiry: true,
      }),
    );
    const { PasswordPolicy } = await iam.send(new GetAccountPasswordPolicyCommand({}));
    expect(PasswordPolicy).toEqual({
      MinimumPasswordLength: 14,
      RequireSymbols: true,
      RequireNumbers: true,
      RequireUppercaseCharacters: true,
      RequireLowercaseCharacters: true,
      AllowUsersToChangePassword: true,
      ExpirePasswords: true,
      MaxPasswordAge: 90,
      PasswordReusePrevention: 24,
      HardExpiry: true,
    });
    await iam.send(new DeleteAccountPasswordPolicyCommand({}));
  });
});

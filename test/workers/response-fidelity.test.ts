// Response details as AWS documents them: no empty Tags element, List*Tags sorted by key, every password policy field.
import {
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeleteAccountPasswordPolicyCommand,
  GetAccountPasswordPolicyCommand,
  GetPolicyCommand,
  GetRoleCommand,
  GetUserCommand,
  ListRoleTagsCommand,
  ListUserTagsCommand,
  TagRoleCommand,
  UpdateAccountPasswordPolicyCommand,
} from "@aws-sdk/client-iam";
import { describe, expect, it } from "vitest";
import { doc, TRUST } from "./fixtures";
import { iamClient } from "./sdk";

const iam = iamClient();

describe("response fidelity", () => {
  // AWS's own GetUser and GetRole examples (iam.examples-1.json, API reference) carry no Tags for an untagged entity.
  it("leaves Tags out of GetUser, GetRole and GetPolicy when there are none", async () => {
    await iam.send(new CreateUserCommand({ UserName: "untagged" }));
    await iam.send(new CreateRoleCommand({ RoleName: "untagged", AssumeRolePolicyDocument: TRUST }));
    const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: "untagged", PolicyDocument: doc() }));
    expect((await iam.send(new GetUserCommand({ UserName: "untagged" }))).User?.Tags).toBeUndefined();
    expect((await iam.send(new GetRoleCommand({ RoleName: "untagged" }))).Role?.Tags).toBeUndefined();
    expect((await iam.send(new GetPolicyCommand({ PolicyArn: Policy?.Arn }))).Policy?.Tags).toBeUndefined();
  });

  // API_ListUserTags: "The returned list of tags is sorted by tag key."
  it("lists tags sorted by key, whatever order they were added in", async () => {
    await iam.send(
      new CreateUserCommand({
        UserName: "tag-order",
        Tags: [
          { Key: "zeta", Value: "1" },
          { Key: "Alpha", Value: "2" },
        ],
      }),
    );
    const { Tags } = await iam.send(new ListUserTagsCommand({ UserName: "tag-order" }));
    expect(Tags?.map((t) => t.Key)).toEqual(["Alpha", "zeta"]);
    await iam.send(new CreateRoleCommand({ RoleName: "tag-order", AssumeRolePolicyDocument: TRUST }));
    await iam.send(new TagRoleCommand({ RoleName: "tag-order", Tags: [{ Key: "m", Value: "1" }] }));
    await iam.send(new TagRoleCommand({ RoleName: "tag-order", Tags: [{ Key: "b", Value: "2" }] }));
    expect((await iam.send(new ListRoleTagsCommand({ RoleName: "tag-order" }))).Tags?.map((t) => t.Key)).toEqual([
      "b",
      "m",
    ]);
  });

  // UpdateAccountPasswordPolicy: a parameter left out takes its default (HardExpiry false), which Get returns, as in
  // API_GetAccountPasswordPolicy's sample response; MaxPasswordAge and PasswordReusePrevention (ranges from 1) stay
  // absent when unset, ExpirePasswords being false "if MaxPasswordAge is 0 or not present".
  it("returns every password policy field, defaults included", async () => {
    await iam.send(new UpdateAccountPasswordPolicyCommand({ MinimumPasswordLength: 12 }));
    const { PasswordPolicy } = await iam.send(new GetAccountPasswordPolicyCommand({}));
    expect(PasswordPolicy).toEqual({
      MinimumPasswordLength: 12,
      RequireSymbols: false,
      RequireNumbers: false,
      RequireUppercaseCharacters: false,
      RequireLowercaseCharacters: false,
      AllowUsersToChangePassword: false,
      ExpirePasswords: false,
      HardExpiry: false,
    });
    await iam.send(new DeleteAccountPasswordPolicyCommand({}));
  });
});

// Every call of an IAM user is authorized by the policy engine over its inline, group, managed and boundary policies.
import {
  AddUserToGroupCommand,
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreateUserCommand,
  GetUserCommand,
  ListUsersCommand,
  PutGroupPolicyCommand,
  PutUserPermissionsBoundaryCommand,
  PutUserPolicyCommand,
  UpdateAccessKeyCommand,
} from "@aws-sdk/client-iam";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { describe, expect, it } from "vitest";
import { awsError, iamClient, stsClient, type Credentials } from "./sdk";
import { ACCOUNT } from "./fixtures";

const root = iamClient();

async function userWithKey(name: string): Promise<Credentials> {
  await root.send(new CreateUserCommand({ UserName: name }));
  const { AccessKey } = await root.send(new CreateAccessKeyCommand({ UserName: name }));
  return { accessKeyId: AccessKey?.AccessKeyId ?? "", secretAccessKey: AccessKey?.SecretAccessKey ?? "" };
}

const allow = (action: string, resource = "*") =>
  JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: action, Resource: resource }] });
const deny = (action: string) =>
  JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Deny", Action: action, Resource: "*" }] });

describe("authorization of IAM users", () => {
  it("denies a user without policies with AWS's message, then allows what an inline policy grants", async () => {
    const creds = await userWithKey("plain");
    const iam = iamClient(creds);
    const denied = await awsError(iam.send(new ListUsersCommand({})));
    expect(denied).toMatchObject({
      name: "AccessDenied",
      status: 403,
      message: `User: arn:aws:iam::${ACCOUNT}:user/plain is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::${ACCOUNT}:user/ because no identity-based policy allows the iam:ListUsers action`,
    });
    await root.send(
      new PutUserPolicyCommand({ UserName: "plain", PolicyName: "list", PolicyDocument: allow("iam:List*") }),
    );
    const listed = await iam.send(new ListUsersCommand({}));
    expect(listed.Users?.map((u) => u.UserName)).toContain("plain");
  });

  it("lets an explicit deny in a group's policy override the user's allow", async () => {
    const creds = await userWithKey("grouped");
    await root.send(
      new PutUserPolicyCommand({ UserName: "grouped", PolicyName: "all", PolicyDocument: allow("iam:*") }),
    );
    await root.send(new CreateGroupCommand({ GroupName: "no-listing" }));
    await root.send(
      new PutGroupPolicyCommand({ GroupName: "no-listing", PolicyName: "deny", PolicyDocument: deny("iam:ListUsers") }),
    );
    const iam = iamClient(creds);
    await iam.send(new ListUsersCommand({}));
    await root.send(new AddUserToGroupCommand({ GroupName: "no-listing", UserName: "grouped" }));
    const denied = await awsError(iam.send(new ListUsersCommand({})));
    expect(denied.name).toBe("AccessDenied");
    expect(denied.message).toContain("with an explicit deny in an identity-based policy");
  });

  it("cuts what a permissions boundary does not allow", async () => {
    const creds = await userWithKey("bounded");
    await root.send(
      new PutUserPolicyCommand({ UserName: "bounded", PolicyName: "all", PolicyDocument: allow("iam:*") }),
    );
    const { Policy } = await root.send(
      new CreatePolicyCommand({ PolicyName: "only-get", PolicyDocument: allow("iam:GetUser") }),
    );
    await root.send(new PutUserPermissionsBoundaryCommand({ UserName: "bounded", PermissionsBoundary: Policy?.Arn }));
    const iam = iamClient(creds);
    await iam.send(new GetUserCommand({ UserName: "bounded" }));
    const denied = await awsError(iam.send(new ListUsersCommand({})));
    expect(denied.message).toContain("because no permissions boundary allows the iam:ListUsers action");
  });

  it("grants through an attached AWS managed policy", async () => {
    const creds = await userWithKey("reader");
    await root.send(
      new AttachUserPolicyCommand({ UserName: "reader", PolicyArn: "arn:aws:iam::aws:policy/IAMReadOnlyAccess" }),
    );
    const listed = await iamClient(creds).send(new ListUsersCommand({}));
    expect(listed.Users?.length).toBeGreaterThan(0);
  });

  it("substitutes ${aws:username} in resources", async () => {
    const creds = await userWithKey("selfish");
    const self = `arn:aws:iam::${ACCOUNT}:user/\${aws:username}`;
    await root.send(
      new PutUserPolicyCommand({ UserName: "selfish", PolicyName: "self", PolicyDocument: allow("iam:GetUser", self) }),
    );
    await root.send(new CreateUserCommand({ UserName: "someone-else" }));
    const iam = iamClient(creds);
    expect((await iam.send(new GetUserCommand({ UserName: "selfish" }))).User?.UserName).toBe("selfish");
    expect((await awsError(iam.send(new GetUserCommand({ UserName: "someone-else" })))).name).toBe("AccessDenied");
  });

  it("matches policies against the target's full ARN, path included, and names it so in denials", async () => {
    const creds = await userWithKey("division-admin");
    const division = `arn:aws:iam::${ACCOUNT}:user/division/*`;
    await root.send(
      new PutUserPolicyCommand({
        UserName: "division-admin",
        PolicyName: "division",
        PolicyDocument: allow("iam:GetUser", division),
      }),
    );
    await root.send(new CreateUserCommand({ UserName: "in-division", Path: "/division/" }));
    await root.send(new CreateUserCommand({ UserName: "elsewhere", Path: "/other/" }));
    const iam = iamClient(creds);
    expect((await iam.send(new GetUserCommand({ UserName: "in-division" }))).User?.Path).toBe("/division/");
    const denied = await awsError(iam.send(new GetUserCommand({ UserName: "elsewhere" })));
    expect(denied.message).toContain(`on resource: arn:aws:iam::${ACCOUNT}:user/other/elsewhere because`);
  });

  it("always answers GetCallerIdentity, even under an explicit deny of everything", async () => {
    const creds = await userWithKey("denied-all");
    await root.send(
      new PutUserPolicyCommand({ UserName: "denied-all", PolicyName: "deny", PolicyDocument: deny("*") }),
    );
    const me = await stsClient(creds).send(new GetCallerIdentityCommand({}));
    expect(me.Arn).toBe(`arn:aws:iam::${ACCOUNT}:user/denied-all`);
  });

  it("refuses an inactive access key as an unknown one", async () => {
    const creds = await userWithKey("sleepy");
    await root.send(
      new UpdateAccessKeyCommand({ UserName: "sleepy", AccessKeyId: creds.accessKeyId, Status: "Inactive" }),
    );
    const err = await awsError(stsClient(creds).send(new GetCallerIdentityCommand({})));
    expect(err).toMatchObject({ name: "InvalidClientTokenId", status: 403 });
  });
});

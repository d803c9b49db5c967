// A rename or move (UpdateUser, UpdateGroup) needs the permission on the entity as it is and as it will be.
import {
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreateUserCommand,
  GetGroupCommand,
  GetUserCommand,
  PutUserPolicyCommand,
  UpdateGroupCommand,
  UpdateUserCommand,
} from "@aws-sdk/client-iam";
import { describe, expect, it } from "vitest";
import { ACCOUNT } from "./fixtures";
import { awsError, iamClient } from "./sdk";

const root = iamClient();

const arnOf = (kind: "user" | "group", name: string, path = "/") => `arn:aws:iam::${ACCOUNT}:${kind}${path}${name}`;

async function userAllowed(name: string, action: string, resources: string[]) {
  await root.send(new CreateUserCommand({ UserName: name }));
  await setPolicy(name, action, resources);
  const { AccessKey } = await root.send(new CreateAccessKeyCommand({ UserName: name }));
  return iamClient({ accessKeyId: AccessKey?.AccessKeyId ?? "", secretAccessKey: AccessKey?.SecretAccessKey ?? "" });
}

async function setPolicy(user: string, action: string, resources: string[]) {
  await root.send(
    new PutUserPolicyCommand({
      UserName: user,
      PolicyName: "rename",
      PolicyDocument: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: action, Resource: resources }],
      }),
    }),
  );
}

/** AWS's AccessDenied text when no identity-based policy allows the action on `resource`. */
const notAllowed = (who: string, action: string, resource: string) =>
  `User: ${arnOf("user", who)} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`;

// UpdateUser: "To change a user name, the requester must have appropriate permissions on both the source object and
// the target object. For example, to change Bob to Robert, the entity making the request must have permission on Bob
// and Robert, or must have permission on all (*)."
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateUser.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_users_manage.html#id_users_renaming
describe("UpdateUser is decided on the old and the new ARN", () => {
  it("stops a user allowed only on itself from renaming or moving itself, naming the target ARN", async () => {
    const iam = await userAllowed("renamer", "iam:UpdateUser", [arnOf("user", "renamer")]);
    expect(await awsError(iam.send(new UpdateUserCommand({ UserName: "renamer", NewUserName: "root-admin" })))).toEqual(
      {
        name: "AccessDenied",
        status: 403,
        message: notAllowed("renamer", "iam:UpdateUser", arnOf("user", "root-admin")),
      },
    );
    expect(await awsError(iam.send(new UpdateUserCommand({ UserName: "renamer", NewPath: "/admins/" })))).toEqual({
      name: "AccessDenied",
      status: 403,
      message: notAllowed("renamer", "iam:UpdateUser", arnOf("user", "renamer", "/admins/")),
    });
    expect(
      await awsError(
        iam.send(new UpdateUserCommand({ UserName: "renamer", NewPath: "/admins/", NewUserName: "root-admin" })),
      ),
    ).toEqual({
      name: "AccessDenied",
      status: 403,
      message: notAllowed("renamer", "iam:UpdateUser", arnOf("user", "root-admin", "/admins/")),
    });
    // Nothing changed.
    const { User } = await root.send(new GetUserCommand({ UserName: "renamer" }));
    expect(User?.Arn).toBe(arnOf("user", "renamer"));
  });

  it("lets it rename and move itself when allowed on both ARNs", async () => {
    const iam = await userAllowed("mover", "iam:UpdateUser", [arnOf("user", "mover")]);
    await setPolicy("mover", "iam:UpdateUser", [arnOf("user", "mover"), arnOf("user", "chief", "/admins/")]);
    await iam.send(new UpdateUserCommand({ UserName: "mover", NewPath: "/admins/", NewUserName: "chief" }));
    const { User } = await root.send(new GetUserCommand({ UserName: "chief" }));
    expect(User?.Arn).toBe(arnOf("user", "chief", "/admins/"));
  });

  it("needs the permission on the source too: allowed only on the new ARN is not enough", async () => {
    await root.send(new CreateUserCommand({ UserName: "source-user" }));
    const iam = await userAllowed("half-allowed", "iam:UpdateUser", [arnOf("user", "target-user")]);
    expect(
      await awsError(iam.send(new UpdateUserCommand({ UserName: "source-user", NewUserName: "target-user" }))),
    ).toEqual({
      name: "AccessDenied",
      status: 403,
      message: notAllowed("half-allowed", "iam:UpdateUser", arnOf("user", "source-user")),
    });
  });
});

// UpdateGroup: "To change an IAM group name, the requester must have appropriate permissions on both the source object
// and the target object."
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateGroup.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_groups_manage_rename.html
describe("UpdateGroup is decided on the old and the new ARN", () => {
  it("stops a rename or move to an ARN the caller is not allowed on, naming the target ARN", async () => {
    await root.send(new CreateGroupCommand({ GroupName: "team-a" }));
    const iam = await userAllowed("group-renamer", "iam:UpdateGroup", [arnOf("group", "team-a")]);
    expect(await awsError(iam.send(new UpdateGroupCommand({ GroupName: "team-a", NewGroupName: "admins" })))).toEqual({
      name: "AccessDenied",
      status: 403,
      message: notAllowed("group-renamer", "iam:UpdateGroup", arnOf("group", "admins")),
    });
    expect(await awsError(iam.send(new UpdateGroupCommand({ GroupName: "team-a", NewPath: "/admins/" })))).toEqual({
      name: "AccessDenied",
      status: 403,
      message: notAllowed("group-renamer", "iam:UpdateGroup", arnOf("group", "team-a", "/admins/")),
    });
    const { Group } = await root.send(new GetGroupCommand({ GroupName: "team-a" }));
    expect(Group?.Arn).toBe(arnOf("group", "team-a"));
  });

  it("renames and moves a group when allowed on both ARNs", async () => {
    await root.send(new CreateGroupCommand({ GroupName: "team-b" }));
    const iam = await userAllowed("group-mover", "iam:UpdateGroup", [
      arnOf("group", "team-b"),
      arnOf("group", "admins-b", "/admins/"),
    ]);
    await iam.send(new UpdateGroupCommand({ GroupName: "team-b", NewPath: "/admins/", NewGroupName: "admins-b" }));
    const { Group } = await root.send(new GetGroupCommand({ GroupName: "admins-b" }));
    expect(Group?.Arn).toBe(arnOf("group", "admins-b", "/admins/"));
  });
});

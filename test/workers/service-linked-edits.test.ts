// Service-linked roles refuse ordinary IAM edits as AWS does, through the real AWS SDK.
// AWS: "Using service-linked roles" (https://docs.aws.amazon.com/IAM/latest/UserGuide/using-service-linked-roles.html)
// and "Update a service-linked role" (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_update-service-linked-role.html):
// the linked service owns the role's trust policy, permissions and deletion (DeleteServiceLinkedRole); anyone may edit
// its description. API_TagRole (https://docs.aws.amazon.com/IAM/latest/APIReference/API_TagRole.html): "The role can
// be a regular role or a service-linked role." API_PutRolePermissionsBoundary: "You cannot set the boundary for a
// service-linked role." Each refused call lists UnmodifiableEntity among its errors in AWS's model.
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateServiceLinkedRoleCommand,
  DeleteRoleCommand,
  DeleteRolePermissionsBoundaryCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetRoleCommand,
  ListAttachedRolePoliciesCommand,
  ListRoleTagsCommand,
  PutRolePermissionsBoundaryCommand,
  PutRolePolicyCommand,
  TagRoleCommand,
  UntagRoleCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateRoleCommand,
  UpdateRoleDescriptionCommand,
} from "@aws-sdk/client-iam";
import { beforeAll, describe, expect, it } from "vitest";
import { doc, READ_ONLY, TRUST } from "./fixtures";
import { awsError, iamClient } from "./sdk";

const iam = iamClient();
const NAME = "AWSServiceRoleForAutoScaling";
const SERVICE_POLICY = "arn:aws:iam::aws:policy/aws-service-role/AutoScalingServiceRolePolicy";
const refused = {
  name: "UnmodifiableEntity",
  status: 400,
  message: `Cannot perform the operation on the protected role '${NAME}' - this role is only modifiable by AWS`,
};

let customerPolicy = "";

beforeAll(async () => {
  await iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: "autoscaling.amazonaws.com" }));
  const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: "slr-edits", PolicyDocument: doc() }));
  customerPolicy = Policy?.Arn ?? "";
});

describe("service-linked role edits", () => {
  it("refuses attaching and detaching managed policies, and leaves the service's policy attached", async () => {
    for (const PolicyArn of [READ_ONLY, customerPolicy]) {
      expect(await awsError(iam.send(new AttachRolePolicyCommand({ RoleName: NAME, PolicyArn })))).toEqual(refused);
    }
    expect(
      await awsError(iam.send(new DetachRolePolicyCommand({ RoleName: NAME, PolicyArn: SERVICE_POLICY }))),
    ).toEqual(refused);
    const { AttachedPolicies } = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: NAME }));
    expect(AttachedPolicies?.map((p) => p.PolicyArn)).toEqual([SERVICE_POLICY]);
  });

  it("refuses inline policies, boundaries, trust policy changes and DeleteRole", async () => {
    for (const call of [
      () => iam.send(new PutRolePolicyCommand({ RoleName: NAME, PolicyName: "p", PolicyDocument: doc() })),
      () => iam.send(new DeleteRolePolicyCommand({ RoleName: NAME, PolicyName: "p" })),
      () => iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: NAME, PermissionsBoundary: customerPolicy })),
      () => iam.send(new DeleteRolePermissionsBoundaryCommand({ RoleName: NAME })),
      () => iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: NAME, PolicyDocument: TRUST })),
      () => iam.send(new DeleteRoleCommand({ RoleName: NAME })),
    ]) {
      expect(await awsError(call())).toEqual(refused);
    }
    expect((await iam.send(new GetRoleCommand({ RoleName: NAME }))).Role?.PermissionsBoundary).toBeUndefined();
  });

  it("refuses a new maximum session duration but lets the description be edited", async () => {
    expect(await awsError(iam.send(new UpdateRoleCommand({ RoleName: NAME, MaxSessionDuration: 7200 })))).toEqual(
      refused,
    );
    expect(
      await awsError(
        iam.send(new UpdateRoleCommand({ RoleName: NAME, Description: "both", MaxSessionDuration: 7200 })),
      ),
    ).toEqual(refused);
    await iam.send(new UpdateRoleCommand({ RoleName: NAME, Description: "edited with UpdateRole" }));
    expect((await iam.send(new GetRoleCommand({ RoleName: NAME }))).Role).toMatchObject({
      Description: "edited with UpdateRole",
      MaxSessionDuration: 3600,
    });
    const out = await iam.send(new UpdateRoleDescriptionCommand({ RoleName: NAME, Description: "edited again" }));
    expect(out.Role?.Description).toBe("edited again");
  });

  it("lets tags be added and removed", async () => {
    await iam.send(new TagRoleCommand({ RoleName: NAME, Tags: [{ Key: "team", Value: "ops" }] }));
    expect((await iam.send(new ListRoleTagsCommand({ RoleName: NAME }))).Tags).toEqual([{ Key: "team", Value: "ops" }]);
    await iam.send(new UntagRoleCommand({ RoleName: NAME, TagKeys: ["team"] }));
    expect((await iam.send(new ListRoleTagsCommand({ RoleName: NAME }))).Tags).toEqual([]);
  });

  it("refuses a customer role under the service-linked path (InvalidInput), creating nothing", async () => {
    for (const Path of ["/aws-service-role/", "/aws-service-role/autoscaling.amazonaws.com/"]) {
      expect(
        await awsError(
          iam.send(new CreateRoleCommand({ RoleName: "impostor", Path, AssumeRolePolicyDocument: TRUST })),
        ),
      ).toEqual({
        name: "InvalidInput",
        status: 400,
        message: "Path prefix '/aws-service-role/' can only be used for AWS Service linked Roles",
      });
    }
    expect(await awsError(iam.send(new GetRoleCommand({ RoleName: "impostor" })))).toMatchObject({
      name: "NoSuchEntity",
    });
    // A similar path that is not the service-linked one is an ordinary path.
    const ok = await iam.send(
      new CreateRoleCommand({ RoleName: "lookalike", Path: "/aws-service-roles/", AssumeRolePolicyDocument: TRUST }),
    );
    expect(ok.Role?.Path).toBe("/aws-service-roles/");
  });
});

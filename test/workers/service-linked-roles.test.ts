// Service-linked roles through the real AWS SDK: names, paths, trust, the service's policy, protection and deletion.
import {
  CreateRoleCommand,
  CreateServiceLinkedRoleCommand,
  DeleteRoleCommand,
  DeleteServiceLinkedRoleCommand,
  GetRoleCommand,
  GetServiceLinkedRoleDeletionStatusCommand,
  ListAttachedRolePoliciesCommand,
  PutRolePolicyCommand,
  UpdateAssumeRolePolicyCommand,
} from "@aws-sdk/client-iam";
import { describe, expect, it } from "vitest";
import { ACCOUNT, doc, TRUST } from "./fixtures";
import { awsError, iamClient } from "./sdk";

const iam = iamClient();

const create = (AWSServiceName: string, extra: { CustomSuffix?: string; Description?: string } = {}) =>
  iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName, ...extra }));

describe("service-linked roles", () => {
  it("creates the service's role under its path, trusting the service, with its managed policy", async () => {
    const out = await create("autoscaling.amazonaws.com", { Description: "scaling" });
    expect(out.Role).toMatchObject({
      RoleName: "AWSServiceRoleForAutoScaling",
      Path: "/aws-service-role/autoscaling.amazonaws.com/",
      Arn: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`,
      Description: "scaling",
    });
    expect(out.Role?.RoleId).toMatch(/^AROA/);
    const trust = JSON.parse(decodeURIComponent(out.Role?.AssumeRolePolicyDocument ?? "")) as {
      Statement: { Principal: { Service: string[] } }[];
    };
    expect(trust.Statement[0]?.Principal.Service).toEqual(["autoscaling.amazonaws.com"]);

    const attached = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: "AWSServiceRoleForAutoScaling" }));
    expect(attached.AttachedPolicies).toEqual([
      {
        PolicyName: "AutoScalingServiceRolePolicy",
        PolicyArn: "arn:aws:iam::aws:policy/aws-service-role/AutoScalingServiceRolePolicy",
      },
    ]);

    const suffixed = await create("autoscaling.amazonaws.com", { CustomSuffix: "fleet" });
    expect(suffixed.Role?.RoleName).toBe("AWSServiceRoleForAutoScaling_fleet");

    // A service outside the known table gets a role named from its principal and no policy.
    const other = await create("my-new-service.amazonaws.com");
    expect(other.Role?.RoleName).toBe("AWSServiceRoleForMyNewService");
    const none = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: "AWSServiceRoleForMyNewService" }));
    expect(none.AttachedPolicies).toEqual([]);
  });

  it("treats prototype member names as unknown services (InvalidInput), never as known ones", async () => {
    for (const name of ["toString", "__proto__", "constructor", "hasOwnProperty"]) {
      expect((await awsError(iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: name })))).name).toBe(
        "InvalidInput",
      );
    }
  });

  it("refuses duplicates, bad service names and suffixes the service does not take", async () => {
    await create("ecs.amazonaws.com");
    expect(await awsError(create("ecs.amazonaws.com"))).toMatchObject({
      name: "InvalidInput",
      status: 400,
      message: "Service role name AWSServiceRoleForECS has been taken in this account, please try a different suffix.",
    });
    expect(await awsError(create("ecs.amazonaws.com", { CustomSuffix: "x" }))).toMatchObject({
      name: "InvalidInput",
      message: "Custom suffix is not allowed for ecs.amazonaws.com",
    });
    expect(await awsError(create("not-a-service"))).toMatchObject({ name: "InvalidInput" });
    expect(await awsError(create("bad name"))).toMatchObject({
      name: "ValidationError",
      message: expect.stringContaining("at 'aWSServiceName' failed"),
    });
  });

  it("refuses ordinary edits and deletes, and deletes through a deletion task", async () => {
    await create("rds.amazonaws.com");
    const name = "AWSServiceRoleForRDS";
    const protectedMessage = `Cannot perform the operation on the protected role '${name}' - this role is only modifiable by AWS`;
    for (const call of [
      () => iam.send(new DeleteRoleCommand({ RoleName: name })),
      () => iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: name, PolicyDocument: TRUST })),
      () => iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: "p", PolicyDocument: doc() })),
    ]) {
      expect(await awsError(call())).toMatchObject({
        name: "UnmodifiableEntity",
        status: 400,
        message: protectedMessage,
      });
    }

    const { DeletionTaskId } = await iam.send(new DeleteServiceLinkedRoleCommand({ RoleName: name }));
    expect(DeletionTaskId).toMatch(
      /^task\/aws-service-role\/rds\.amazonaws\.com\/AWSServiceRoleForRDS\/[0-9a-f-]{36}$/,
    );
    const status = await iam.send(new GetServiceLinkedRoleDeletionStatusCommand({ DeletionTaskId }));
    expect(status.Status).toBe("SUCCEEDED");
    expect(await awsError(iam.send(new GetRoleCommand({ RoleName: name })))).toMatchObject({ name: "NoSuchEntity" });
    // The service can link a role again once the old one is gone.
    await create("rds.amazonaws.com");

    expect(
      await awsError(
        iam.send(
          new GetServiceLinkedRoleDeletionStatusCommand({
            DeletionTaskId:
              "task/aws-service-role/rds.amazonaws.com/AWSServiceRoleForRDS/00000000-0000-0000-0000-000000000000",
          }),
        ),
      ),
    ).toMatchObject({ name: "NoSuchEntity", status: 404 });
    expect(
      await awsError(iam.send(new GetServiceLinkedRoleDeletionStatusCommand({ DeletionTaskId: "garbage" }))),
    ).toMatchObject({ name: "InvalidInput" });
    expect(await awsError(iam.send(new DeleteServiceLinkedRoleCommand({ RoleName: "ghost" })))).toMatchObject({
      name: "NoSuchEntity",
    });
    await iam.send(new CreateRoleCommand({ RoleName: "plain", AssumeRolePolicyDocument: TRUST }));
    expect(await awsError(iam.send(new DeleteServiceLinkedRoleCommand({ RoleName: "plain" })))).toMatchObject({
      name: "InvalidInput",
    });
  });
});

// Service last-accessed data through the AWS SDK: what the authorizer recorded, per user, group, role and policy.
import {
  AddUserToGroupCommand,
  AttachGroupPolicyCommand,
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeleteUserPolicyCommand,
  DeleteUserCommand,
  DeleteAccessKeyCommand,
  GenerateServiceLastAccessedDetailsCommand,
  GetServiceLastAccessedDetailsCommand,
  GetServiceLastAccessedDetailsWithEntitiesCommand,
  GetUserCommand,
  ListPoliciesGrantingServiceAccessCommand,
  ListRolesCommand,
  ListUsersCommand,
  PutGroupPolicyCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  type GetServiceLastAccessedDetailsCommandOutput,
  type IAMClient,
} from "@aws-sdk/client-iam";
import { AssumeRoleCommand } from "@aws-sdk/client-sts";
import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { ACCESS_RESOLUTION_MS, recordAccess, settleAccessRecords } from "../../src/core/access-record";
import { findOperation } from "../../src/core/table";
import { ACCOUNT, TRUST } from "./fixtures";
import { awsError, iamClient, stsClient, type Credentials } from "./sdk";

const root = iamClient();

const policy = (...statements: object[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const allow = (action: string | string[]) => ({ Effect: "Allow", Action: action, Resource: "*" });
const IAM_AND_GET_OBJECT = policy(allow("iam:*"), allow("s3:GetObject"));

async function userWithKey(name: string, document?: string): Promise<Credentials> {
  await root.send(new CreateUserCommand({ UserName: name }));
  if (document)
    await root.send(new PutUserPolicyCommand({ UserName: name, PolicyName: "p", PolicyDocument: document }));
  const { AccessKey } = await root.send(new CreateAccessKeyCommand({ UserName: name }));
  return { accessKeyId: AccessKey?.AccessKeyId ?? "", secretAccessKey: AccessKey?.SecretAccessKey ?? "" };
}

/** Generates a report as `client` and reads it whole; records are written after responses, so settle them first. */
async function report(
  client: IAMClient,
  arn: string,
  granularity?: "SERVICE_LEVEL" | "ACTION_LEVEL",
): Promise<{ jobId: string; out: GetServiceLastAccessedDetailsCommandOutput }> {
  await settleAccessRecords();
  const { JobId } = await client.send(
    new GenerateServiceLastAccessedDetailsCommand({ Arn: arn, Granularity: granularity }),
  );
  expect(JobId).toMatch(/^[0-9a-f-]{36}$/);
  const out = await client.send(new GetServiceLastAccessedDetailsCommand({ JobId }));
  return { jobId: JobId ?? "", out };
}

const service = (out: GetServiceLastAccessedDetailsCommandOutput, ns: string) =>
  out.ServicesLastAccessed?.find((s) => s.ServiceNamespace === ns);

describe("service last-accessed data", () => {
  it("reports a user's allowed services, with its own attempts only where recorded", async () => {
    const creds = await userWithKey("sla-alice", IAM_AND_GET_OBJECT);
    const alice = iamClient(creds);
    const before = Date.now();
    await alice.send(new ListUsersCommand({}));
    await alice.send(new GetUserCommand({}));
    const { out } = await report(alice, `arn:aws:iam::${ACCOUNT}:user/sla-alice`);
    expect(out.JobStatus).toBe("COMPLETED");
    expect(out.JobType).toBe("SERVICE_LEVEL");
    expect(out.JobCreationDate).toBeInstanceOf(Date);
    expect(out.JobCompletionDate).toBeInstanceOf(Date);
    expect(out.IsTruncated).toBe(false);
    // Exactly the services the policies allow, ordered by namespace.
    expect(out.ServicesLastAccessed?.map((s) => s.ServiceNamespace)).toEqual(["iam", "s3"]);
    const iam = service(out, "iam");
    expect(iam).toMatchObject({
      ServiceName: "AWS Identity and Access Management",
      LastAuthenticatedEntity: `arn:aws:iam::${ACCOUNT}:user/sla-alice`,
      LastAuthenticatedRegion: "us-east-1",
      TotalAuthenticatedEntities: 1,
    });
    expect(iam?.LastAuthenticated?.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(iam?.TrackedActionsLastAccessed).toBeUndefined();
    const s3 = service(out, "s3");
    expect(s3).toEqual({ ServiceName: "Amazon S3", ServiceNamespace: "s3", TotalAuthenticatedEntities: 0 });
  });

  it("counts denied attempts too, as AWS does", async () => {
    const creds = await userWithKey("sla-denied", policy(allow("iam:GetUser")));
    expect((await awsError(iamClient(creds).send(new ListRolesCommand({})))).name).toBe("AccessDenied");
    const { out } = await report(root, `arn:aws:iam::${ACCOUNT}:user/sla-denied`, "ACTION_LEVEL");
    expect(out.JobType).toBe("ACTION_LEVEL");
    const iam = service(out, "iam");
    expect(iam?.LastAuthenticatedEntity).toBe(`arn:aws:iam::${ACCOUNT}:user/sla-denied`);
    // GetUser is no management action: nothing of IAM the user may do is tracked.
    expect(iam?.TrackedActionsLastAccessed).toEqual([]);
  });

  it("lists IAM's tracked management actions at ACTION_LEVEL, with the time of those attempted", async () => {
    const creds = await userWithKey("sla-actions", IAM_AND_GET_OBJECT);
    const client = iamClient(creds);
    await client.send(new CreateUserCommand({ UserName: "sla-made-by-actions" }));
    await client.send(new ListUsersCommand({}));
    const { out } = await report(client, `arn:aws:iam::${ACCOUNT}:user/sla-actions`, "ACTION_LEVEL");
    const tracked = service(out, "iam")?.TrackedActionsLastAccessed ?? [];
    const names = tracked.map((a) => a.ActionName);
    // Management actions only (create, delete, modify), sorted; no read or list action.
    expect(names).toContain("CreateUser");
    expect(names).toContain("AttachRolePolicy");
    expect(names).not.toContain("ListUsers");
    expect(names).not.toContain("GetUser");
    expect(names).toEqual([...names].sort());
    expect(tracked.find((a) => a.ActionName === "CreateUser")).toMatchObject({
      LastAccessedEntity: `arn:aws:iam::${ACCOUNT}:user/sla-actions`,
      LastAccessedRegion: "us-east-1",
    });
    expect(tracked.find((a) => a.ActionName === "CreateUser")?.LastAccessedTime).toBeInstanceOf(Date);
    expect(tracked.find((a) => a.ActionName === "DeleteUser")).toEqual({ ActionName: "DeleteUser" });
    // S3 is tracked too (GetObject is a read, so none of its allowed actions is); other services carry no list.
    expect(service(out, "s3")?.TrackedActionsLastAccessed).toEqual([]);
  });

  it("counts a role session's calls for its role", async () => {
    const caller = await userWithKey("sla-assumer", policy(allow("sts:AssumeRole")));
    await root.send(
      new CreateRoleCommand({
        RoleName: "sla-role",
        Path: "/team/",
        AssumeRolePolicyDocument: policy({
          Effect: "Allow",
          Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/sla-assumer` },
          Action: "sts:AssumeRole",
        }),
      }),
    );
    await root.send(
      new PutRolePolicyCommand({ RoleName: "sla-role", PolicyName: "p", PolicyDocument: IAM_AND_GET_OBJECT }),
    );
    const roleArn = `arn:aws:iam::${ACCOUNT}:role/team/sla-role`;
    const { Credentials: c } = await stsClient(caller).send(
      new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: "s1" }),
    );
    const session = iamClient({
      accessKeyId: c?.AccessKeyId ?? "",
      secretAccessKey: c?.SecretAccessKey ?? "",
      sessionToken: c?.SessionToken ?? "",
    });
    await session.send(new ListRolesCommand({}));
    // The session generates and reads its own report (a JobId answers only the session that generated it).
    const { out } = await report(session, roleArn);
    expect(service(out, "iam")).toMatchObject({ LastAuthenticatedEntity: roleArn, TotalAuthenticatedEntities: 1 });
    // The assuming user's sts:AssumeRole counts for the user, not for the role.
    expect(service(out, "sts")).toBeUndefined();
    const userReport = await report(root, `arn:aws:iam::${ACCOUNT}:user/sla-assumer`);
    expect(service(userReport.out, "sts")).toMatchObject({
      ServiceName: "AWS Security Token Service",
      LastAuthenticatedEntity: `arn:aws:iam::${ACCOUNT}:user/sla-assumer`,
    });
  });

  it("reports a group's services with its members' attempts, and lists the members with entities", async () => {
    await root.send(new CreateGroupCommand({ GroupName: "sla-group" }));
    await root.send(
      new PutGroupPolicyCommand({ GroupName: "sla-group", PolicyName: "g", PolicyDocument: IAM_AND_GET_OBJECT }),
    );
    const used = await userWithKey("sla-member-used");
    await userWithKey("sla-member-idle");
    for (const u of ["sla-member-used", "sla-member-idle"]) {
      await root.send(new AddUserToGroupCommand({ GroupName: "sla-group", UserName: u }));
    }
    await iamClient(used).send(new ListUsersCommand({}));
    const { jobId, out } = await report(root, `arn:aws:iam::${ACCOUNT}:group/sla-group`);
    expect(out.ServicesLastAccessed?.map((s) => s.ServiceNamespace)).toEqual(["iam", "s3"]);
    expect(service(out, "iam")).toMatchObject({
      LastAuthenticatedEntity: `arn:aws:iam::${ACCOUNT}:user/sla-member-used`,
      TotalAuthenticatedEntities: 1,
    });
    const entities = await root.send(
      new GetServiceLastAccessedDetailsWithEntitiesCommand({ JobId: jobId, ServiceNamespace: "iam" }),
    );
    expect(entities.JobStatus).toBe("COMPLETED");
    // Most recent attempt first; members that never attempted follow, without a date.
    expect(
      entities.EntityDetailsList?.map((e) => [
        e.EntityInfo?.Name,
        e.EntityInfo?.Type,
        e.LastAuthenticated !== undefined,
      ]),
    ).toEqual([
      ["sla-member-used", "USER", true],
      ["sla-member-idle", "USER", false],
    ]);
    expect(entities.EntityDetailsList?.[0]?.EntityInfo).toMatchObject({
      Arn: `arn:aws:iam::${ACCOUNT}:user/sla-member-used`,
      Path: "/",
    });
    expect(entities.EntityDetailsList?.[0]?.EntityInfo?.Id).toMatch(/^AIDA/);
    const s3 = await root.send(
      new GetServiceLastAccessedDetailsWithEntitiesCommand({ JobId: jobId, ServiceNamespace: "s3" }),
    );
    expect(s3.EntityDetailsList?.every((e) => e.LastAuthenticated === undefined)).toBe(true);
    // A service the group's policies do not allow has no entity that could have used them.
    const ec2 = await root.send(
      new GetServiceLastAccessedDetailsWithEntitiesCommand({ JobId: jobId, ServiceNamespace: "ec2" }),
    );
    expect(ec2.EntityDetailsList).toEqual([]);
  });

  it("reports a managed policy over the users and roles it is attached to, directly or through a group", async () => {
    const { Policy } = await root.send(
      new CreatePolicyCommand({
        PolicyName: "sla-policy",
        PolicyDocument: policy(allow(["iam:List*", "lambda:GetFunction"])),
      }),
    );
    const arn = Policy?.Arn ?? "";
    const direct = await userWithKey("sla-direct");
    await root.send(new AttachUserPolicyCommand({ UserName: "sla-direct", PolicyArn: arn }));
    const viaGroup = await userWithKey("sla-via-group");
    await root.send(new CreateGroupCommand({ GroupName: "sla-policy-group" }));
    await root.send(new AttachGroupPolicyCommand({ GroupName: "sla-policy-group", PolicyArn: arn }));
    await root.send(new AddUserToGroupCommand({ GroupName: "sla-policy-group", UserName: "sla-via-group" }));
    await root.send(new CreateRoleCommand({ RoleName: "sla-policy-role", AssumeRolePolicyDocument: TRUST }));
    await root.send(new AttachRolePolicyCommand({ RoleName: "sla-policy-role", PolicyArn: arn }));
    await iamClient(direct).send(new ListUsersCommand({}));
    await iamClient(viaGroup).send(new ListUsersCommand({}));
    const { jobId, out } = await report(root, arn);
    expect(out.ServicesLastAccessed?.map((s) => [s.ServiceNamespace, s.ServiceName])).toEqual([
      ["iam", "AWS Identity and Access Management"],
      ["lambda", "AWS Lambda"],
    ]);
    expect(service(out, "iam")?.TotalAuthenticatedEntities).toBe(2);
    expect(service(out, "iam")?.LastAuthenticatedEntity).toMatch(/user\/sla-(direct|via-group)$/);
    expect(service(out, "lambda")?.LastAuthenticated).toBeUndefined();
    const entities = await root.send(
      new GetServiceLastAccessedDetailsWithEntitiesCommand({ JobId: jobId, ServiceNamespace: "iam" }),
    );
    const listed = entities.EntityDetailsList?.map((e) => `${e.EntityInfo?.Type}:${e.EntityInfo?.Name}`) ?? [];
    expect(listed.sort()).toEqual(["ROLE:sla-policy-role", "USER:sla-direct", "USER:sla-via-group"]);
    // AWS managed policies are reported too, over the entities of this account.
    const managed = await report(root, "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess");
    expect(managed.out.ServicesLastAccessed?.map((s) => s.ServiceNamespace)).toContain("s3");
  });

  it("lists the policies granting each asked service, inline ones with their entity", async () => {
    await root.send(new CreateUserCommand({ UserName: "sla-lister" }));
    await root.send(
      new PutUserPolicyCommand({
        UserName: "sla-lister",
        PolicyName: "own",
        PolicyDocument: policy(allow("iam:GetUser")),
      }),
    );
    const { Policy } = await root.send(
      new CreatePolicyCommand({ PolicyName: "sla-s3-reader", PolicyDocument: policy(allow("s3:Get*")) }),
    );
    await root.send(new AttachUserPolicyCommand({ UserName: "sla-lister", PolicyArn: Policy?.Arn }));
    await root.send(new CreateGroupCommand({ GroupName: "sla-lister-group" }));
    await root.send(
      new PutGroupPolicyCommand({
        GroupName: "sla-lister-group",
        PolicyName: "grp",
        PolicyDocument: policy(allow("iam:List*")),
      }),
    );
    await root.send(new AddUserToGroupCommand({ GroupName: "sla-lister-group", UserName: "sla-lister" }));
    const out = await root.send(
      new ListPoliciesGrantingServiceAccessCommand({
        Arn: `arn:aws:iam::${ACCOUNT}:user/sla-lister`,
        ServiceNamespaces: ["iam", "s3", "ec2"],
      }),
    );
    expect(out.IsTruncated).toBe(false);
    expect(out.PoliciesGrantingServiceAccess).toEqual([
      {
        ServiceNamespace: "iam",
        Policies: [
          { PolicyName: "own", PolicyType: "INLINE", EntityType: "USER", EntityName: "sla-lister" },
          { PolicyName: "grp", PolicyType: "INLINE", EntityType: "GROUP", EntityName: "sla-lister-group" },
        ],
      },
      {
        ServiceNamespace: "s3",
        Policies: [{ PolicyName: "sla-s3-reader", PolicyType: "MANAGED", PolicyArn: Policy?.Arn }],
      },
      { ServiceNamespace: "ec2", Policies: [] },
    ]);
    // A group's list holds only its own policies.
    const group = await root.send(
      new ListPoliciesGrantingServiceAccessCommand({
        Arn: `arn:aws:iam::${ACCOUNT}:group/sla-lister-group`,
        ServiceNamespaces: ["s3", "iam"],
      }),
    );
    expect(group.PoliciesGrantingServiceAccess?.map((e) => e.Policies?.map((p) => p.PolicyName))).toEqual([
      [],
      ["grp"],
    ]);
    // Policies are no identity here.
    const refused = await awsError(
      root.send(new ListPoliciesGrantingServiceAccessCommand({ Arn: Policy?.Arn, ServiceNamespaces: ["s3"] })),
    );
    expect(refused).toMatchObject({ name: "InvalidInput", status: 400 });
  });

  it("answers AWS's errors for unknown entities, ARNs and jobs", async () => {
    const missing = await awsError(
      root.send(new GenerateServiceLastAccessedDetailsCommand({ Arn: `arn:aws:iam::${ACCOUNT}:user/sla-nobody` })),
    );
    expect(missing).toMatchObject({ name: "NoSuchEntity", status: 404 });
    const wrongPath = await userWithKey("sla-pathed");
    expect(wrongPath.accessKeyId).not.toBe("");
    expect(
      (
        await awsError(
          root.send(
            new GenerateServiceLastAccessedDetailsCommand({ Arn: `arn:aws:iam::${ACCOUNT}:user/x/sla-pathed` }),
          ),
        )
      ).name,
    ).toBe("NoSuchEntity");
    const notEntity = await awsError(
      root.send(new GenerateServiceLastAccessedDetailsCommand({ Arn: "arn:aws:s3:::some-bucket/with-key" })),
    );
    expect(notEntity).toMatchObject({ name: "InvalidInput", status: 400 });
    const unknownJob = await awsError(
      root.send(new GetServiceLastAccessedDetailsCommand({ JobId: "00000000-0000-4000-8000-000000000000" })),
    );
    expect(unknownJob).toMatchObject({ name: "NoSuchEntity", status: 404 });
    const shortJob = await awsError(root.send(new GetServiceLastAccessedDetailsCommand({ JobId: "abc" })));
    expect(shortJob.name).toBe("ValidationError");
    expect(shortJob.message).toContain("Member must have length greater than or equal to 36");
    const withEntities = await awsError(
      root.send(
        new GetServiceLastAccessedDetailsWithEntitiesCommand({
          JobId: "00000000-0000-4000-8000-000000000000",
          ServiceNamespace: "iam",
        }),
      ),
    );
    expect(withEntities.name).toBe("NoSuchEntity");
  });

  it("answers a JobId only to the principal that generated it", async () => {
    const creds = await userWithKey("sla-reader", policy(allow("iam:*")));
    const { JobId } = await root.send(
      new GenerateServiceLastAccessedDetailsCommand({ Arn: `arn:aws:iam::${ACCOUNT}:user/sla-reader` }),
    );
    const other = await awsError(iamClient(creds).send(new GetServiceLastAccessedDetailsCommand({ JobId })));
    expect(other.name).toBe("NoSuchEntity");
    expect((await root.send(new GetServiceLastAccessedDetailsCommand({ JobId }))).JobStatus).toBe("COMPLETED");
  });

  it("refuses callers whose policies do not allow the actions", async () => {
    const creds = await userWithKey("sla-nobody-allowed", policy(allow("s3:GetObject")));
    const client = iamClient(creds);
    const arn = `arn:aws:iam::${ACCOUNT}:user/sla-nobody-allowed`;
    const denied = await awsError(client.send(new GenerateServiceLastAccessedDetailsCommand({ Arn: arn })));
    expect(denied).toMatchObject({ name: "AccessDenied", status: 403 });
    expect(denied.message).toContain(`iam:GenerateServiceLastAccessedDetails on resource: ${arn}`);
    const get = await awsError(
      client.send(new GetServiceLastAccessedDetailsCommand({ JobId: "00000000-0000-4000-8000-000000000000" })),
    );
    expect(get.message).toContain("iam:GetServiceLastAccessedDetails on resource: *");
    const listed = await awsError(
      client.send(new ListPoliciesGrantingServiceAccessCommand({ Arn: arn, ServiceNamespaces: ["s3"] })),
    );
    expect(listed.message).toContain(`iam:ListPoliciesGrantingServiceAccess on resource: ${arn}`);
  });

  it("pages services and entities with MaxItems and Marker", async () => {
    await root.send(new CreateUserCommand({ UserName: "sla-pager" }));
    await root.send(
      new PutUserPolicyCommand({
        UserName: "sla-pager",
        PolicyName: "p",
        PolicyDocument: policy(
          allow([
            "iam:GetUser",
            "s3:GetObject",
            "ec2:DescribeInstances",
            "lambda:GetFunction",
            "sts:GetCallerIdentity",
          ]),
        ),
      }),
    );
    const { JobId } = await root.send(
      new GenerateServiceLastAccessedDetailsCommand({ Arn: `arn:aws:iam::${ACCOUNT}:user/sla-pager` }),
    );
    const seen: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const page = await root.send(new GetServiceLastAccessedDetailsCommand({ JobId, MaxItems: 2, Marker: marker }));
      pages++;
      expect(page.ServicesLastAccessed?.length).toBeLessThanOrEqual(2);
      seen.push(...(page.ServicesLastAccessed?.map((s) => s.ServiceNamespace ?? "") ?? []));
      marker = page.IsTruncated ? page.Marker : undefined;
      if (page.IsTruncated) expect(page.Marker).toBeTruthy();
    } while (marker);
    expect(pages).toBe(3);
    expect(seen).toEqual(["ec2", "iam", "lambda", "s3", "sts"]);
    const bad = await awsError(root.send(new GetServiceLastAccessedDetailsCommand({ JobId, Marker: "not-a-marker" })));
    expect(bad.name).toBe("ValidationError");
    const first = await root.send(
      new GetServiceLastAccessedDetailsWithEntitiesCommand({ JobId, ServiceNamespace: "iam", MaxItems: 1 }),
    );
    expect(first.EntityDetailsList?.map((e) => e.EntityInfo?.Name)).toEqual(["sla-pager"]);
    expect(first.IsTruncated).toBe(false);
  });

  it("does not give a re-created user of the same name the deleted user's history", async () => {
    const creds = await userWithKey("sla-phoenix", IAM_AND_GET_OBJECT);
    await iamClient(creds).send(new ListUsersCommand({}));
    await settleAccessRecords();
    await root.send(new DeleteUserPolicyCommand({ UserName: "sla-phoenix", PolicyName: "p" }));
    await root.send(new DeleteAccessKeyCommand({ UserName: "sla-phoenix", AccessKeyId: creds.accessKeyId }));
    await root.send(new DeleteUserCommand({ UserName: "sla-phoenix" }));
    await root.send(new CreateUserCommand({ UserName: "sla-phoenix" }));
    await root.send(
      new PutUserPolicyCommand({ UserName: "sla-phoenix", PolicyName: "p", PolicyDocument: IAM_AND_GET_OBJECT }),
    );
    const { out } = await report(root, `arn:aws:iam::${ACCOUNT}:user/sla-phoenix`);
    expect(service(out, "iam")?.LastAuthenticated).toBeUndefined();
    expect(service(out, "iam")?.TotalAuthenticatedEntities).toBe(0);
  });

  it("writes one record per entity and action per few minutes from an isolate, after the response", async () => {
    const principal = {
      kind: "user" as const,
      id: `AIDAHOTLOOP${Date.now()}`,
      name: "hot-loop",
      arn: `arn:aws:iam::${ACCOUNT}:user/hot-loop`,
      accountId: ACCOUNT,
      userId: "AIDAHOTLOOP",
      credentials: { accessKeyId: "AKIAHOTLOOP" },
    };
    const op = findOperation("iam", "ListUsers");
    if (!op) throw new Error("ListUsers is in the table");
    const deferred: Promise<unknown>[] = [];
    const services = (at: number) =>
      ({ env, now: new Date(at), region: "eu-west-1", waitUntil: (p: Promise<unknown>) => deferred.push(p) }) as never;
    const t0 = Date.UTC(2030, 0, 1);
    for (let i = 0; i < 50; i++) recordAccess(op, principal, services(t0 + i * 1000));
    expect(deferred).toHaveLength(1);
    recordAccess(op, principal, services(t0 + ACCESS_RESOLUTION_MS + 1));
    expect(deferred).toHaveLength(2);
    await Promise.all(deferred);
    const rows = await env.DB.prepare("select last_at, region from service_access where entity_id = ?")
      .bind(principal.id)
      .all<{ last_at: number; region: string }>();
    expect(rows.results).toEqual([{ last_at: t0 + ACCESS_RESOLUTION_MS + 1, region: "eu-west-1" }]);
  });
});

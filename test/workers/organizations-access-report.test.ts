// Organizations access reports through the AWS SDK: services the SCPs allow per root, OU and account, with the
// attempts recorded in the accounts below. AWS:
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_GenerateOrganizationsAccessReport.html
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetOrganizationsAccessReport.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_last-accessed-view-data-orgs.html
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  GenerateOrganizationsAccessReportCommand,
  GetOrganizationsAccessReportCommand,
  ListRolesCommand,
  ListUsersCommand,
  PutUserPolicyCommand,
  type AccessDetail,
  type GetOrganizationsAccessReportCommandOutput,
  type IAMClient,
  type SortKeyType,
} from "@aws-sdk/client-iam";
import {
  AttachPolicyCommand,
  CreateAccountCommand,
  CreateOrganizationCommand,
  CreateOrganizationalUnitCommand,
  CreatePolicyCommand,
  DescribeOrganizationCommand,
  DetachPolicyCommand,
  DisablePolicyTypeCommand,
  EnableAWSServiceAccessCommand,
  EnablePolicyTypeCommand,
  ListRootsCommand,
  MoveAccountCommand,
  RegisterDelegatedAdministratorCommand,
  type Organization,
} from "@aws-sdk/client-organizations";
import { AssumeRoleCommand, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { beforeAll, describe, expect, it } from "vitest";
import { settleAccessRecords } from "../../src/core/access-record";
import { ACCOUNT } from "./fixtures";
import { awsError, iamClient, orgsClient, stsClient, type Credentials } from "./sdk";

const orgs = orgsClient();
const root = iamClient();
const SCP = "SERVICE_CONTROL_POLICY";

const policy = (...statements: object[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });

async function userWithKey(name: string, statements: object[]): Promise<Credentials> {
  await root.send(new CreateUserCommand({ UserName: name }));
  await root.send(new PutUserPolicyCommand({ UserName: name, PolicyName: "p", PolicyDocument: policy(...statements) }));
  const { AccessKey } = await root.send(new CreateAccessKeyCommand({ UserName: name }));
  return { accessKeyId: AccessKey?.AccessKeyId ?? "", secretAccessKey: AccessKey?.SecretAccessKey ?? "" };
}

/** The organization of this file: an OU holding account A, account B at the root, SCPs enabled. */
interface World {
  org: Organization;
  rootId: string;
  ouId: string;
  a: string;
  b: string;
  /** A management-account user allowed to assume the members' OrganizationAccountAccessRole. */
  operator: Credentials;
  /** Sessions in A and B as their OrganizationAccountAccessRole. */
  inA: Credentials;
  inB: Credentials;
  /** When each member's first attempts were made, bracketing them (the wire's timestamps have whole seconds). */
  actedA: [number, number];
  actedB: [number, number];
}

let world: World;

const seconds = (ms: number) => Math.floor(ms / 1000) * 1000;

async function assume(operator: Credentials, account: string): Promise<Credentials> {
  const out = await stsClient(operator).send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${account}:role/OrganizationAccountAccessRole`,
      RoleSessionName: "reporter",
    }),
  );
  const c = out.Credentials;
  return {
    accessKeyId: c?.AccessKeyId ?? "",
    secretAccessKey: c?.SecretAccessKey ?? "",
    sessionToken: c?.SessionToken,
  };
}

async function createAccount(name: string): Promise<string> {
  const status = await orgs.send(new CreateAccountCommand({ Email: `${name}@example.com`, AccountName: name }));
  return status.CreateAccountStatus?.AccountId ?? "";
}

beforeAll(async () => {
  const made = await orgs.send(new CreateOrganizationCommand({ FeatureSet: "ALL" })).catch(() => undefined);
  const org = (made?.Organization ?? (await orgs.send(new DescribeOrganizationCommand({}))).Organization)!;
  const rootId = (await orgs.send(new ListRootsCommand({}))).Roots?.[0]?.Id ?? "";
  await orgs.send(new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: SCP })).catch(() => undefined);
  const ouId =
    (await orgs.send(new CreateOrganizationalUnitCommand({ ParentId: rootId, Name: "oar-reports" }))).OrganizationalUnit
      ?.Id ?? "";
  const a = await createAccount("oar-a");
  const b = await createAccount("oar-b");
  await orgs.send(new MoveAccountCommand({ AccountId: a, SourceParentId: rootId, DestinationParentId: ouId }));
  const operator = await userWithKey("oar-operator", [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: "*" }]);
  const inA = await assume(operator, a);
  const inB = await assume(operator, b);
  // A uses IAM and STS; B, later, IAM only. Records are written after the responses: settle them.
  const startA = seconds(Date.now());
  await iamClient(inA).send(new ListUsersCommand({}));
  await stsClient(inA).send(new GetCallerIdentityCommand({}));
  await settleAccessRecords();
  const endA = Date.now();
  await new Promise((r) => setTimeout(r, 5));
  const startB = seconds(Date.now());
  await iamClient(inB).send(new ListRolesCommand({}));
  await settleAccessRecords();
  const endB = Date.now();
  world = { org, rootId, ouId, a, b, operator, inA, inB, actedA: [startA, endA], actedB: [startB, endB] };
});

const rootPath = () => `${world.org.Id}/${world.rootId}`;
const ouPath = () => `${rootPath()}/${world.ouId}`;
const aPath = () => `${ouPath()}/${world.a}`;
const bPath = () => `${rootPath()}/${world.b}`;

/** Generates a report and reads every page of it. */
async function report(
  entityPath: string,
  opts: { policyId?: string; sortKey?: SortKeyType; client?: IAMClient } = {},
): Promise<{ first: GetOrganizationsAccessReportCommandOutput; details: AccessDetail[]; jobId: string }> {
  const client = opts.client ?? root;
  await settleAccessRecords();
  const { JobId } = await client.send(
    new GenerateOrganizationsAccessReportCommand({ EntityPath: entityPath, OrganizationsPolicyId: opts.policyId }),
  );
  expect(JobId).toMatch(/^[0-9a-f-]{36}$/);
  const details: AccessDetail[] = [];
  let first: GetOrganizationsAccessReportCommandOutput | undefined;
  let marker: string | undefined;
  do {
    const page = await client.send(
      new GetOrganizationsAccessReportCommand({ JobId, Marker: marker, MaxItems: 1000, SortKey: opts.sortKey }),
    );
    first ??= page;
    details.push(...(page.AccessDetails ?? []));
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return { first: first!, details, jobId: JobId ?? "" };
}

const find = (details: AccessDetail[], ns: string) => details.find((d) => d.ServiceNamespace === ns);
const namespaces = (details: AccessDetail[]) => details.map((d) => d.ServiceNamespace ?? "");

async function createScp(name: string, ...statements: object[]): Promise<string> {
  const out = await orgs.send(
    new CreatePolicyCommand({ Name: name, Description: name, Type: SCP, Content: policy(...statements) }),
  );
  return out.Policy?.PolicySummary?.Id ?? "";
}

describe("Organizations access reports", () => {
  it("reports the root: every allowed service, the member accounts' attempts, never the management account's", async () => {
    const { first, details } = await report(rootPath());
    expect(first.JobStatus).toBe("COMPLETED");
    expect(first.JobCreationDate).toBeInstanceOf(Date);
    expect(first.JobCompletionDate).toBeInstanceOf(Date);
    expect(first.ErrorDetails).toBeUndefined();
    expect(first.IsTruncated).toBe(false);
    // FullAWSAccess everywhere: every service of the catalogue, in namespace order by default.
    expect(details.length).toBeGreaterThan(300);
    expect(namespaces(details)).toEqual([...namespaces(details)].sort());
    expect(first.NumberOfServicesAccessible).toBe(details.length);

    const iam = find(details, "iam");
    // Both A and B used IAM; B last. TotalAuthenticatedEntities counts accounts (the model's definition).
    expect(iam).toMatchObject({
      ServiceName: "AWS Identity and Access Management",
      Region: "us-east-1",
      EntityPath: bPath(),
      TotalAuthenticatedEntities: 2,
    });
    const iamAt = iam?.LastAuthenticatedTime?.getTime() ?? 0;
    expect(iamAt).toBeGreaterThanOrEqual(world.actedB[0]);
    expect(iamAt).toBeLessThanOrEqual(world.actedB[1]);
    expect(find(details, "sts")).toMatchObject({ EntityPath: aPath(), TotalAuthenticatedEntities: 1 });
    // The management account called Organizations and STS (AssumeRole): not in a root report.
    const organizations = find(details, "organizations");
    expect(organizations).toMatchObject({ ServiceNamespace: "organizations", TotalAuthenticatedEntities: 0 });
    expect(organizations?.LastAuthenticatedTime).toBeUndefined();
    expect(organizations?.EntityPath).toBeUndefined();
    expect(organizations?.Region).toBeUndefined();
    // Allowed and never accessed.
    expect(find(details, "s3")).toEqual({
      ServiceName: "Amazon S3",
      ServiceNamespace: "s3",
      TotalAuthenticatedEntities: 0,
    });
    const accessed = details.filter((d) => d.LastAuthenticatedTime !== undefined);
    expect(namespaces(accessed)).toEqual(["iam", "sts"]);
    expect(first.NumberOfServicesNotAccessed).toBe(details.length - 2);
  });

  it("reports an OU and an account with their own accounts' attempts only", async () => {
    const ou = (await report(ouPath())).details;
    expect(find(ou, "iam")).toMatchObject({ EntityPath: aPath(), TotalAuthenticatedEntities: 1 });
    const iamAt = find(ou, "iam")?.LastAuthenticatedTime?.getTime() ?? 0;
    expect(iamAt).toBeGreaterThanOrEqual(world.actedA[0]);
    expect(iamAt).toBeLessThanOrEqual(world.actedA[1]);
    expect(find(ou, "sts")).toMatchObject({ EntityPath: aPath(), TotalAuthenticatedEntities: 1 });

    const b = await report(bPath());
    expect(find(b.details, "iam")).toMatchObject({ EntityPath: bPath(), TotalAuthenticatedEntities: 1 });
    expect(find(b.details, "sts")?.LastAuthenticatedTime).toBeUndefined();
    expect(b.first.NumberOfServicesNotAccessed).toBe(b.details.length - 1);

    const a = await report(aPath());
    expect(namespaces(a.details.filter((d) => d.EntityPath !== undefined))).toEqual(["iam", "sts"]);
  });

  it("reports the management account with every service and its own attempts only", async () => {
    await orgs.send(new DescribeOrganizationCommand({}));
    const { details } = await report(`${rootPath()}/${ACCOUNT}`);
    const mgmtPath = `${rootPath()}/${ACCOUNT}`;
    expect(find(details, "organizations")).toMatchObject({ EntityPath: mgmtPath, TotalAuthenticatedEntities: 1 });
    // The operator's AssumeRole calls are the management account's STS attempts.
    expect(find(details, "sts")).toMatchObject({ EntityPath: mgmtPath, TotalAuthenticatedEntities: 1 });
    expect(details.every((d) => d.EntityPath === undefined || d.EntityPath === mgmtPath)).toBe(true);
  });

  it("drops a service an SCP denies from the entities below it, and only from them", async () => {
    const all = (await report(rootPath())).details.length;
    const noS3 = await createScp("oar-no-s3", { Effect: "Deny", Action: "s3:*", Resource: "*" });
    await orgs.send(new AttachPolicyCommand({ PolicyId: noS3, TargetId: world.ouId }));
    try {
      const ou = await report(ouPath());
      expect(find(ou.details, "s3")).toBeUndefined();
      expect(find(ou.details, "ec2")).toBeDefined();
      expect(ou.first.NumberOfServicesAccessible).toBe(all - 1);
      expect(find((await report(aPath())).details, "s3")).toBeUndefined();
      expect(find((await report(bPath())).details, "s3")).toBeDefined();
      expect((await report(rootPath())).details.length).toBe(all);
    } finally {
      await orgs.send(new DetachPolicyCommand({ PolicyId: noS3, TargetId: world.ouId }));
    }
    // An Allow-list SCP on account B in place of FullAWSAccess: only what both levels allow.
    const iamOnly = await createScp("oar-iam-only", { Effect: "Allow", Action: ["iam:*", "sts:Get*"], Resource: "*" });
    await orgs.send(new AttachPolicyCommand({ PolicyId: iamOnly, TargetId: world.b }));
    await orgs.send(new DetachPolicyCommand({ PolicyId: "p-FullAWSAccess", TargetId: world.b }));
    try {
      const b = await report(bPath());
      expect(namespaces(b.details)).toEqual(["iam", "sts"]);
      expect(b.first).toMatchObject({ NumberOfServicesAccessible: 2, NumberOfServicesNotAccessed: 1 });
    } finally {
      await orgs.send(new AttachPolicyCommand({ PolicyId: "p-FullAWSAccess", TargetId: world.b }));
      await orgs.send(new DetachPolicyCommand({ PolicyId: iamOnly, TargetId: world.b }));
    }
  });

  it("reports one SCP: the services it allows, with the data of the accounts it applies to", async () => {
    const scp = await createScp("oar-iam-sts", { Effect: "Allow", Action: ["iam:*", "sts:*"], Resource: "*" });
    await orgs.send(new AttachPolicyCommand({ PolicyId: scp, TargetId: world.a }));
    try {
      const atRoot = await report(rootPath(), { policyId: scp });
      expect(namespaces(atRoot.details)).toEqual(["iam", "sts"]);
      expect(find(atRoot.details, "iam")).toMatchObject({ EntityPath: aPath(), TotalAuthenticatedEntities: 1 });
      // Attached to A only: B's report lists the services with no data.
      const atB = await report(bPath(), { policyId: scp });
      expect(atB.details).toEqual([
        { ServiceName: "AWS Identity and Access Management", ServiceNamespace: "iam", TotalAuthenticatedEntities: 0 },
        {
          ServiceName: expect.any(String) as string,
          ServiceNamespace: "sts",
          TotalAuthenticatedEntities: 0,
        },
      ]);
      expect(atB.first.NumberOfServicesNotAccessed).toBe(2);
      // FullAWSAccess applies everywhere (attached to the root): every service, both accounts' data.
      const full = await report(rootPath(), { policyId: "p-FullAWSAccess" });
      expect(full.details.length).toBeGreaterThan(300);
      expect(find(full.details, "iam")?.TotalAuthenticatedEntities).toBe(2);
      // The management account's report ignores the policy.
      const mgmt = await report(`${rootPath()}/${ACCOUNT}`, { policyId: scp });
      expect(mgmt.details.length).toBe(full.details.length);
    } finally {
      await orgs.send(new DetachPolicyCommand({ PolicyId: scp, TargetId: world.a }));
    }
    expect(
      await awsError(
        root.send(
          new GenerateOrganizationsAccessReportCommand({
            EntityPath: rootPath(),
            OrganizationsPolicyId: "p-doesnotexist",
          }),
        ),
      ),
    ).toMatchObject({ name: "NoSuchEntity", status: 404 });
    expect(
      await awsError(
        root.send(
          new GenerateOrganizationsAccessReportCommand({
            EntityPath: rootPath(),
            OrganizationsPolicyId: "p-RCPFullAWSAccess",
          }),
        ),
      ),
    ).toMatchObject({ name: "InvalidInput", status: 400 });
  });

  it("sorts by namespace or by time and pages with MaxItems and Marker", async () => {
    const { jobId, details } = await report(rootPath());
    const get = (SortKey?: SortKeyType, MaxItems?: number, Marker?: string) =>
      root.send(new GetOrganizationsAccessReportCommand({ JobId: jobId, SortKey, MaxItems, Marker }));

    const desc = await get("SERVICE_NAMESPACE_DESCENDING", 1000);
    expect(namespaces(desc.AccessDetails ?? [])).toEqual(namespaces(details).reverse());

    const recent = await get("LAST_AUTHENTICATED_TIME_DESCENDING", 3);
    expect(namespaces(recent.AccessDetails ?? []).slice(0, 2)).toEqual(["iam", "sts"]);
    expect(recent.AccessDetails?.[2]?.LastAuthenticatedTime).toBeUndefined();

    const oldest = await get("LAST_AUTHENTICATED_TIME_ASCENDING", 1000);
    const asc = namespaces(oldest.AccessDetails ?? []);
    expect(asc.slice(-2)).toEqual(["sts", "iam"]);
    expect(asc.slice(0, -2)).toEqual(namespaces(details).filter((n) => n !== "iam" && n !== "sts"));

    // Default page of 100, then pages of 2 walking the whole list.
    const firstPage = await get();
    expect(firstPage.AccessDetails).toHaveLength(100);
    expect(firstPage.IsTruncated).toBe(true);
    const walked: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const page = await get(undefined, 50, marker);
      walked.push(...namespaces(page.AccessDetails ?? []));
      marker = page.IsTruncated ? page.Marker : undefined;
      if (page.IsTruncated) expect(page.Marker).toBeTruthy();
      pages++;
    } while (marker);
    expect(walked).toEqual(namespaces(details));
    expect(pages).toBe(Math.ceil(details.length / 50));
    expect(await awsError(get(undefined, 2, "not-a-marker"))).toMatchObject({ name: "ValidationError" });
  });

  it("refuses entity paths that are malformed or name nothing in the organization", async () => {
    const generate = (EntityPath: string) =>
      awsError(root.send(new GenerateOrganizationsAccessReportCommand({ EntityPath })));
    expect(await generate("r-abcd/o-abcdefghij")).toMatchObject({ name: "ValidationError", status: 400 });
    expect(await generate(`${rootPath()}/not-an-id`)).toMatchObject({ name: "InvalidInput", status: 400 });
    expect(await generate(`${rootPath()}//${world.b}`)).toMatchObject({ name: "InvalidInput" });
    expect(await generate(`${rootPath()}/${world.b}/${world.ouId}`)).toMatchObject({ name: "InvalidInput" });
    expect(await generate(`o-aaaaaaaaaa/${world.rootId}`)).toMatchObject({ name: "NoSuchEntity", status: 404 });
    expect(await generate(`${world.org.Id}/r-zzzz`)).toMatchObject({ name: "NoSuchEntity" });
    // A is in the OU, not directly under the root; B is not in the OU; an OU that does not exist.
    expect(await generate(`${rootPath()}/${world.a}`)).toMatchObject({ name: "NoSuchEntity" });
    expect(await generate(`${ouPath()}/${world.b}`)).toMatchObject({ name: "NoSuchEntity" });
    expect(await generate(`${rootPath()}/ou-${world.rootId.slice(2)}-zzzzzzzz`)).toMatchObject({
      name: "NoSuchEntity",
    });
    expect(await generate(`${rootPath()}/999999999999`)).toMatchObject({ name: "NoSuchEntity" });
  });

  it("answers only the management account, and a job only to the principal that generated it", async () => {
    const { jobId } = await report(rootPath());
    const inMember = iamClient(world.inA);
    const refused = await awsError(
      inMember.send(new GenerateOrganizationsAccessReportCommand({ EntityPath: aPath() })),
    );
    expect(refused).toMatchObject({ name: "AccessDenied", status: 403 });
    expect(refused.message).toContain("management account");
    expect(await awsError(inMember.send(new GetOrganizationsAccessReportCommand({ JobId: jobId })))).toMatchObject({
      name: "AccessDenied",
    });
    // IAM's delegated administrator is still a member account: the user guide names only the management account.
    await orgs.send(new EnableAWSServiceAccessCommand({ ServicePrincipal: "iam.amazonaws.com" }));
    await orgs.send(
      new RegisterDelegatedAdministratorCommand({ AccountId: world.b, ServicePrincipal: "iam.amazonaws.com" }),
    );
    expect(
      await awsError(iamClient(world.inB).send(new GenerateOrganizationsAccessReportCommand({ EntityPath: bPath() }))),
    ).toMatchObject({ name: "AccessDenied", status: 403 });
    // Another management-account principal: someone else's job does not exist for it.
    const other = iamClient(
      await userWithKey("oar-other", [{ Effect: "Allow", Action: "iam:*OrganizationsAccessReport", Resource: "*" }]),
    );
    expect(await awsError(other.send(new GetOrganizationsAccessReportCommand({ JobId: jobId })))).toMatchObject({
      name: "NoSuchEntity",
      status: 404,
    });
    const mine = await report(ouPath(), { client: other });
    expect(mine.first.JobStatus).toBe("COMPLETED");
    expect(
      await awsError(root.send(new GetOrganizationsAccessReportCommand({ JobId: crypto.randomUUID() }))),
    ).toMatchObject({ name: "NoSuchEntity" });
  });

  it("authorizes iam:GenerateOrganizationsAccessReport on the access-report ARN with iam:OrganizationsPolicyId", async () => {
    const scoped = iamClient(
      await userWithKey("oar-scoped", [
        { Effect: "Allow", Action: "iam:GetOrganizationsAccessReport", Resource: "*" },
        {
          Effect: "Allow",
          Action: "iam:GenerateOrganizationsAccessReport",
          Resource: `arn:aws:iam::${ACCOUNT}:access-report/${world.org.Id}/*`,
          Condition: { StringEquals: { "iam:OrganizationsPolicyId": "p-FullAWSAccess" } },
        },
      ]),
    );
    const ok = await report(ouPath(), { client: scoped, policyId: "p-FullAWSAccess" });
    expect(ok.first.JobStatus).toBe("COMPLETED");
    const denied = await awsError(scoped.send(new GenerateOrganizationsAccessReportCommand({ EntityPath: ouPath() })));
    expect(denied).toMatchObject({ name: "AccessDenied", status: 403 });
    expect(denied.message).toContain(`access-report/${ouPath()}`);
  });

  // Last: disabling SCPs detaches every SCP of the organization.
  it("refuses to generate while SCPs are disabled", async () => {
    await orgs.send(new DisablePolicyTypeCommand({ RootId: world.rootId, PolicyType: SCP }));
    try {
      expect(
        await awsError(root.send(new GenerateOrganizationsAccessReportCommand({ EntityPath: rootPath() }))),
      ).toMatchObject({ name: "InvalidInput", status: 400 });
    } finally {
      await orgs.send(new EnablePolicyTypeCommand({ RootId: world.rootId, PolicyType: SCP }));
    }
  });
});

// Managed policies and their versions through the real AWS SDK against the Worker with real local D1.
import {
  AttachUserPolicyCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateUserCommand,
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DetachUserPolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  ListPoliciesCommand,
  ListPolicyTagsCommand,
  ListPolicyVersionsCommand,
  PutUserPermissionsBoundaryCommand,
  SetDefaultPolicyVersionCommand,
  TagPolicyCommand,
  UntagPolicyCommand,
  type Policy,
} from "@aws-sdk/client-iam";
import { describe, expect, it } from "vitest";
import { awsError, iamClient } from "./sdk";
import { ACCOUNT, doc } from "./fixtures";

const iam = iamClient();
const arnOf = (name: string, path = "/") => `arn:aws:iam::${ACCOUNT}:policy${path}${name}`;

async function create(name: string, document = doc(), extra: { Path?: string; Description?: string } = {}) {
  const out = await iam.send(new CreatePolicyCommand({ PolicyName: name, PolicyDocument: document, ...extra }));
  return out.Policy as Policy;
}

async function listAll(input: ConstructorParameters<typeof ListPoliciesCommand>[0]) {
  const names: string[] = [];
  let marker: string | undefined;
  let pages = 0;
  do {
    const page = await iam.send(new ListPoliciesCommand({ ...input, Marker: marker }));
    names.push(...(page.Policies ?? []).map((p) => p.PolicyName ?? ""));
    marker = page.IsTruncated ? page.Marker : undefined;
    if (page.IsTruncated) expect(page.Marker).toBeTruthy();
    pages++;
  } while (marker);
  return { names, pages };
}

describe("CreatePolicy and GetPolicy", () => {
  it("creates a policy and returns AWS's Policy shape", async () => {
    const p = await create("ReadBuckets", doc(), { Path: "/team/", Description: "read buckets" });
    expect(p).toMatchObject({
      PolicyName: "ReadBuckets",
      Arn: arnOf("ReadBuckets", "/team/"),
      Path: "/team/",
      DefaultVersionId: "v1",
      AttachmentCount: 0,
      PermissionsBoundaryUsageCount: 0,
      IsAttachable: true,
    });
    // AWS's CreatePolicy answer leaves the description out; GetPolicy carries it.
    expect(p).not.toHaveProperty("Description");
    expect(p.PolicyId).toMatch(/^ANPA[A-Z2-7]{17}$/);
    expect(p.CreateDate).toBeInstanceOf(Date);
    expect(p.UpdateDate?.getTime()).toBe(p.CreateDate?.getTime());

    const got = await iam.send(new GetPolicyCommand({ PolicyArn: p.Arn }));
    expect(got.Policy).toEqual({ ...p, Description: "read buckets" });
  });

  it("returns the v1 document URL-encoded, exactly as submitted", async () => {
    const text = `{\n  "Version": "2012-10-17",\n  "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/a b"}\n}`;
    const p = await create("Encoded", text);
    const v = await iam.send(new GetPolicyVersionCommand({ PolicyArn: p.Arn, VersionId: "v1" }));
    expect(v.PolicyVersion?.Document).toBe(encodeURIComponent(text));
    expect(decodeURIComponent(v.PolicyVersion?.Document ?? "")).toBe(text);
    expect(v.PolicyVersion).toMatchObject({ VersionId: "v1", IsDefaultVersion: true });
  });

  it("refuses a duplicate name case-insensitively, whatever the path, and keeps the first", async () => {
    const first = await create("Dup", doc(), { Path: "/a/" });
    const err = await awsError(create("DUP", doc("ec2:*"), { Path: "/b/" }));
    expect(err).toEqual({
      name: "EntityAlreadyExists",
      status: 409,
      message: "A policy called DUP already exists. Duplicate names are not allowed.",
    });
    const got = await iam.send(new GetPolicyCommand({ PolicyArn: first.Arn }));
    expect(got.Policy?.PolicyId).toBe(first.PolicyId);
    expect(await awsError(iam.send(new GetPolicyCommand({ PolicyArn: arnOf("DUP", "/b/") })))).toMatchObject({
      name: "NoSuchEntity",
    });
  });

  it("rejects malformed documents with AWS's messages and stores nothing", async () => {
    const cases: [string, string][] = [
      ["{not json", "Syntax errors in policy."],
      [
        JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:*", Resource: "*" }],
        }),
        "Policy document should not specify a principal.",
      ],
      [
        JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Resource: "*" }] }),
        "Policy statement must contain actions.",
      ],
    ];
    for (const [text, message] of cases) {
      const err = await awsError(create("Malformed", text));
      expect(err).toEqual({ name: "MalformedPolicyDocument", status: 400, message });
    }
    const err = await awsError(iam.send(new GetPolicyCommand({ PolicyArn: arnOf("Malformed") })));
    expect(err).toEqual({ name: "NoSuchEntity", status: 404, message: `Policy ${arnOf("Malformed")} was not found.` });
  });

  it("counts the 6,144-character quota without whitespace", async () => {
    const base = doc("s3:GetObject", "arn:aws:s3:::x");
    // Padding with spaces far beyond 6,144 raw characters is fine: whitespace does not count.
    const padded = base.replace('"Effect"', `${" ".repeat(7000)}"Effect"`);
    expect(padded.length).toBeGreaterThan(6144);
    await create("Padded", padded);

    // A resource that brings the whitespace-free size to 6,145 characters is one too many.
    const overhead = base.replace(/\s/g, "").length - "arn:aws:s3:::x".length;
    const resource = `arn:aws:s3:::${"x".repeat(6145 - overhead - "arn:aws:s3:::".length)}`;
    const exact = doc("s3:GetObject", resource.slice(0, -1));
    expect(exact.replace(/\s/g, "").length).toBe(6144);
    await create("Exactly6144", exact);
    const err = await awsError(create("TooBig", doc("s3:GetObject", resource)));
    expect(err).toEqual({ name: "LimitExceeded", status: 409, message: "Cannot exceed quota for PolicySize: 6144" });
    expect(await awsError(iam.send(new GetPolicyCommand({ PolicyArn: arnOf("TooBig") })))).toMatchObject({
      name: "NoSuchEntity",
    });
  });

  it("answers InvalidInput for an ARN that is not a policy ARN", async () => {
    const err = await awsError(iam.send(new GetPolicyCommand({ PolicyArn: `arn:aws:iam::${ACCOUNT}:user/alice` })));
    expect(err).toEqual({
      name: "InvalidInput",
      status: 400,
      message: `ARN arn:aws:iam::${ACCOUNT}:user/alice is not valid.`,
    });
  });
});

describe("AWS managed policies", () => {
  it("serves GetPolicy and GetPolicyVersion from the bundled catalogue", async () => {
    const arn = "arn:aws:iam::aws:policy/ReadOnlyAccess";
    const got = await iam.send(new GetPolicyCommand({ PolicyArn: arn }));
    expect(got.Policy).toMatchObject({ PolicyName: "ReadOnlyAccess", Arn: arn, Path: "/", IsAttachable: true });
    expect(got.Policy?.PolicyId).toMatch(/^ANPA[A-Z2-7]{17}$/);
    const version = await iam.send(
      new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: got.Policy?.DefaultVersionId ?? "" }),
    );
    expect(version.PolicyVersion?.IsDefaultVersion).toBe(true);
    const document = JSON.parse(decodeURIComponent(version.PolicyVersion?.Document ?? ""));
    expect(document.Statement.length).toBeGreaterThan(0);

    const admin = await iam.send(
      new GetPolicyVersionCommand({ PolicyArn: "arn:aws:iam::aws:policy/AdministratorAccess", VersionId: "v1" }),
    );
    expect(JSON.parse(decodeURIComponent(admin.PolicyVersion?.Document ?? ""))).toEqual({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }],
    });
  });

  it("finds policies under a path and reports unknown ones as missing", async () => {
    const lambda = await iam.send(
      new GetPolicyCommand({ PolicyArn: "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole" }),
    );
    expect(lambda.Policy?.Path).toBe("/service-role/");
    const err = await awsError(iam.send(new GetPolicyCommand({ PolicyArn: "arn:aws:iam::aws:policy/NoSuchThing" })));
    expect(err).toEqual({
      name: "NoSuchEntity",
      status: 404,
      message: "Policy arn:aws:iam::aws:policy/NoSuchThing was not found.",
    });
  });

  it("cannot be deleted or versioned", async () => {
    const arn = "arn:aws:iam::aws:policy/ReadOnlyAccess";
    const del = await awsError(iam.send(new DeletePolicyCommand({ PolicyArn: arn })));
    expect(del).toEqual({
      name: "AccessDenied",
      status: 403,
      message: `User: arn:aws:iam::${ACCOUNT}:root is not authorized to perform: iam:DeletePolicy on resource: policy ${arn} because no resource-based policy allows the iam:DeletePolicy action`,
    });
    const version = await awsError(iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc() })));
    expect(version).toMatchObject({ name: "AccessDenied", status: 403 });
    expect((await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy?.PolicyName).toBe("ReadOnlyAccess");
  });

  it("lists with Scope=AWS in name order, paged, and counts this account's attachments", async () => {
    const first = await iam.send(new ListPoliciesCommand({ Scope: "AWS", MaxItems: 50 }));
    expect(first.Policies).toHaveLength(50);
    expect(first.IsTruncated).toBe(true);
    const names = (first.Policies ?? []).map((p) => p.PolicyName?.toLowerCase() ?? "");
    expect([...names].sort()).toEqual(names);
    expect(first.Policies?.every((p) => p.Arn?.startsWith("arn:aws:iam::aws:policy/"))).toBe(true);
    const second = await iam.send(new ListPoliciesCommand({ Scope: "AWS", MaxItems: 50, Marker: first.Marker }));
    expect((second.Policies?.[0]?.PolicyName ?? "").toLowerCase() > (names[49] ?? "")).toBe(true);

    const jobs = await iam.send(new ListPoliciesCommand({ Scope: "AWS", PathPrefix: "/job-function/" }));
    expect(jobs.Policies?.length).toBeGreaterThan(0);
    expect(jobs.Policies?.every((p) => p.Path === "/job-function/")).toBe(true);

    await iam.send(new CreateUserCommand({ UserName: "aws-lister" }));
    await iam.send(
      new AttachUserPolicyCommand({ UserName: "aws-lister", PolicyArn: "arn:aws:iam::aws:policy/SecurityAudit" }),
    );
    const attached = await iam.send(new ListPoliciesCommand({ Scope: "AWS", OnlyAttached: true }));
    expect(attached.Policies?.map((p) => [p.PolicyName, p.AttachmentCount])).toEqual([["SecurityAudit", 1]]);
    await iam.send(
      new DetachUserPolicyCommand({ UserName: "aws-lister", PolicyArn: "arn:aws:iam::aws:policy/SecurityAudit" }),
    );
  });
});

describe("ListPolicies", () => {
  it("pages customer managed policies in name order with PathPrefix, then continues into AWS ones", async () => {
    for (const n of ["lp-c", "lp-A", "lp-b", "lp-E", "lp-d"]) await create(n, doc(), { Path: "/listing/" });
    await create("lp-elsewhere", doc(), { Path: "/other/" });

    const { names, pages } = await listAll({ Scope: "Local", PathPrefix: "/listing/", MaxItems: 2 });
    expect(names).toEqual(["lp-A", "lp-b", "lp-c", "lp-d", "lp-E"]);
    expect(pages).toBe(3);

    const page = await iam.send(new ListPoliciesCommand({ Scope: "Local", PathPrefix: "/listing/" }));
    expect(page.IsTruncated).toBe(false);
    expect(page.Policies?.[0]).not.toHaveProperty("Description");

    // Scope=All: the customer managed ones first, then the AWS managed ones, across page boundaries.
    const all = await iam.send(new ListPoliciesCommand({ Scope: "All", PathPrefix: "/listing/", MaxItems: 5 }));
    expect(all.Policies?.map((p) => p.PolicyName)).toEqual(["lp-A", "lp-b", "lp-c", "lp-d", "lp-E"]);
    const job = await listAll({ Scope: "All", PathPrefix: "/job-function/", MaxItems: 4 });
    expect(job.names.length).toBeGreaterThan(4);
    expect(job.names).toContain("ViewOnlyAccess");

    const mixed = await iam.send(new ListPoliciesCommand({ PathPrefix: "/", MaxItems: 1000 }));
    const local = (mixed.Policies ?? []).filter((p) => p.Arn?.includes(`:${ACCOUNT}:`));
    const firstAws = (mixed.Policies ?? []).findIndex((p) => p.Arn?.startsWith("arn:aws:iam::aws:"));
    expect(firstAws).toBe(local.length);
  });

  it("filters OnlyAttached and PolicyUsageFilter", async () => {
    const attached = await create("use-attached", doc(), { Path: "/usage/" });
    const bound = await create("use-boundary", doc(), { Path: "/usage/" });
    await create("use-none", doc(), { Path: "/usage/" });
    await iam.send(new CreateUserCommand({ UserName: "usage-user" }));
    await iam.send(new AttachUserPolicyCommand({ UserName: "usage-user", PolicyArn: attached.Arn }));
    await iam.send(new PutUserPermissionsBoundaryCommand({ UserName: "usage-user", PermissionsBoundary: bound.Arn }));

    const names = async (input: ConstructorParameters<typeof ListPoliciesCommand>[0]) =>
      (await iam.send(new ListPoliciesCommand({ Scope: "Local", PathPrefix: "/usage/", ...input }))).Policies?.map(
        (p) => [p.PolicyName, p.AttachmentCount, p.PermissionsBoundaryUsageCount],
      );
    expect(await names({})).toEqual([
      ["use-attached", 1, 0],
      ["use-boundary", 0, 1],
      ["use-none", 0, 0],
    ]);
    expect(await names({ OnlyAttached: true })).toEqual([["use-attached", 1, 0]]);
    expect(await names({ PolicyUsageFilter: "PermissionsBoundary" })).toEqual([["use-boundary", 0, 1]]);
    expect(await names({ PolicyUsageFilter: "PermissionsPolicy" })).toEqual([["use-attached", 1, 0]]);
  });

  it("rejects a Scope outside the enum with AWS's validation message", async () => {
    const err = await awsError(iam.send(new ListPoliciesCommand({ Scope: "Mine" as "All" })));
    expect(err).toEqual({
      name: "ValidationError",
      status: 400,
      message:
        "1 validation error detected: Value 'Mine' at 'scope' failed to satisfy constraint: Member must satisfy enum value set: [All, AWS, Local]",
    });
  });
});

describe("DeletePolicy", () => {
  it("deletes an unused policy with one version", async () => {
    const p = await create("Doomed");
    await iam.send(new DeletePolicyCommand({ PolicyArn: p.Arn }));
    const err = await awsError(iam.send(new GetPolicyCommand({ PolicyArn: p.Arn })));
    expect(err).toEqual({ name: "NoSuchEntity", status: 404, message: `Policy ${p.Arn} was not found.` });
    // The name is free again.
    await create("doomed");
  });

  it("refuses while attached or used as a boundary, and while other versions remain", async () => {
    const p = await create("InUse");
    await iam.send(new CreateUserCommand({ UserName: "holder" }));
    await iam.send(new AttachUserPolicyCommand({ UserName: "holder", PolicyArn: p.Arn }));
    const attached = await awsError(iam.send(new DeletePolicyCommand({ PolicyArn: p.Arn })));
    expect(attached).toEqual({
      name: "DeleteConflict",
      status: 409,
      message: "Cannot delete a policy attached to entities.",
    });
    await iam.send(new DetachUserPolicyCommand({ UserName: "holder", PolicyArn: p.Arn }));

    await iam.send(new PutUserPermissionsBoundaryCommand({ UserName: "holder", PermissionsBoundary: p.Arn }));
    const boundary = await awsError(iam.send(new DeletePolicyCommand({ PolicyArn: p.Arn })));
    expect(boundary).toMatchObject({ name: "DeleteConflict", message: "Cannot delete a policy attached to entities." });

    const versioned = await create("Versioned");
    await iam.send(new CreatePolicyVersionCommand({ PolicyArn: versioned.Arn, PolicyDocument: doc("ec2:*") }));
    const err = await awsError(iam.send(new DeletePolicyCommand({ PolicyArn: versioned.Arn })));
    expect(err).toEqual({
      name: "DeleteConflict",
      status: 409,
      message:
        "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
    });
    await iam.send(new DeletePolicyVersionCommand({ PolicyArn: versioned.Arn, VersionId: "v2" }));
    await iam.send(new DeletePolicyCommand({ PolicyArn: versioned.Arn }));
  });

  it("answers NoSuchEntity for a policy that does not exist", async () => {
    const err = await awsError(iam.send(new DeletePolicyCommand({ PolicyArn: arnOf("Ghost") })));
    expect(err).toEqual({ name: "NoSuchEntity", status: 404, message: `Policy ${arnOf("Ghost")} was not found.` });
  });
});

describe("policy versions", () => {
  it("creates versions, sets defaults, never reuses ids, and caps at five", async () => {
    const p = await create("Evolving");
    const v2 = await iam.send(new CreatePolicyVersionCommand({ PolicyArn: p.Arn, PolicyDocument: doc("ec2:*") }));
    expect(v2.PolicyVersion).toMatchObject({ VersionId: "v2", IsDefaultVersion: false });
    expect(v2.PolicyVersion?.Document).toBeUndefined();
    const v3 = await iam.send(
      new CreatePolicyVersionCommand({ PolicyArn: p.Arn, PolicyDocument: doc("sqs:*"), SetAsDefault: true }),
    );
    expect(v3.PolicyVersion).toMatchObject({ VersionId: "v3", IsDefaultVersion: true });
    const got = await iam.send(new GetPolicyCommand({ PolicyArn: p.Arn }));
    expect(got.Policy?.DefaultVersionId).toBe("v3");
    expect(got.Policy?.UpdateDate?.getTime()).toBeGreaterThanOrEqual(got.Policy?.CreateDate?.getTime() ?? 0);

    await iam.send(new DeletePolicyVersionCommand({ PolicyArn: p.Arn, VersionId: "v2" }));
    const v4 = await iam.send(new CreatePolicyVersionCommand({ PolicyArn: p.Arn, PolicyDocument: doc("sns:*") }));
    expect(v4.PolicyVersion?.VersionId).toBe("v4");
    await iam.send(new CreatePolicyVersionCommand({ PolicyArn: p.Arn, PolicyDocument: doc("sns:*") }));
    await iam.send(new CreatePolicyVersionCommand({ PolicyArn: p.Arn, PolicyDocument: doc("sns:*") }));

    const listed = await iam.send(new ListPolicyVersionsCommand({ PolicyArn: p.Arn }));
    expect(listed.Versions?.map((v) => [v.VersionId, v.IsDefaultVersion])).toEqual([
      ["v6", false],
      ["v5", false],
      ["v4", false],
      ["v3", true],
      ["v1", false],
    ]);
    expect(listed.Versions?.[0]?.Document).toBeUndefined();

    const err = await awsError(iam.send(new CreatePolicyVersionCommand({ PolicyArn: p.Arn, PolicyDocument: doc() })));
    expect(err).toEqual({
      name: "LimitExceeded",
      status: 409,
      message:
        "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.",
    });
    expect((await iam.send(new ListPolicyVersionsCommand({ PolicyArn: p.Arn }))).Versions).toHaveLength(5);

    const page = await iam.send(new ListPolicyVersionsCommand({ PolicyArn: p.Arn, MaxItems: 2 }));
    expect(page.Versions?.map((v) => v.VersionId)).toEqual(["v6", "v5"]);
    const rest = await iam.send(new ListPolicyVersionsCommand({ PolicyArn: p.Arn, Marker: page.Marker }));
    expect(rest.Versions?.map((v) => v.VersionId)).toEqual(["v4", "v3", "v1"]);
    expect(rest.IsTruncated).toBe(false);
  });

  it("refuses to delete the default version and validates new documents", async () => {
    const p = await create("Guarded");
    const err = await awsError(iam.send(new DeletePolicyVersionCommand({ PolicyArn: p.Arn, VersionId: "v1" })));
    expect(err).toEqual({
      name: "DeleteConflict",
      status: 409,
      message: "Cannot delete the default version of a policy.",
    });

    const bad = await awsError(iam.send(new CreatePolicyVersionCommand({ PolicyArn: p.Arn, PolicyDocument: "[]" })));
    expect(bad).toMatchObject({ name: "MalformedPolicyDocument", status: 400 });
    const listed = await iam.send(new ListPolicyVersionsCommand({ PolicyArn: p.Arn }));
    expect(listed.Versions?.map((v) => v.VersionId)).toEqual(["v1"]);
  });

  it("switches the default version and reports missing versions", async () => {
    const p = await create("Switching");
    await iam.send(new CreatePolicyVersionCommand({ PolicyArn: p.Arn, PolicyDocument: doc("kms:*") }));
    await iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: p.Arn, VersionId: "v2" }));
    const v2 = await iam.send(new GetPolicyVersionCommand({ PolicyArn: p.Arn, VersionId: "v2" }));
    expect(v2.PolicyVersion?.IsDefaultVersion).toBe(true);
    expect(JSON.parse(decodeURIComponent(v2.PolicyVersion?.Document ?? "")).Statement[0].Action).toBe("kms:*");
    const v1 = await iam.send(new GetPolicyVersionCommand({ PolicyArn: p.Arn, VersionId: "v1" }));
    expect(v1.PolicyVersion?.IsDefaultVersion).toBe(false);

    const missing = await awsError(iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: p.Arn, VersionId: "v9" })));
    expect(missing).toEqual({
      name: "NoSuchEntity",
      status: 404,
      message: `Policy ${p.Arn} version v9 does not exist or is not attachable.`,
    });
    expect((await iam.send(new GetPolicyCommand({ PolicyArn: p.Arn }))).Policy?.DefaultVersionId).toBe("v2");
    const get = await awsError(iam.send(new GetPolicyVersionCommand({ PolicyArn: p.Arn, VersionId: "v3" })));
    expect(get).toMatchObject({
      name: "NoSuchEntity",
      message: `Policy ${p.Arn} version v3 does not exist or is not attachable.`,
    });
  });
});

describe("policy tags", () => {
  it("tags, lists and untags a policy; GetPolicy shows the tags", async () => {
    const p = await create("Tagged");
    await iam.send(
      new TagPolicyCommand({
        PolicyArn: p.Arn,
        Tags: [
          { Key: "team", Value: "core" },
          { Key: "Env", Value: "prod" },
        ],
      }),
    );
    const listed = await iam.send(new ListPolicyTagsCommand({ PolicyArn: p.Arn }));
    expect(listed.Tags).toEqual([
      { Key: "Env", Value: "prod" },
      { Key: "team", Value: "core" },
    ]);
    expect(listed.IsTruncated).toBe(false);
    expect((await iam.send(new GetPolicyCommand({ PolicyArn: p.Arn }))).Policy?.Tags).toHaveLength(2);
    await iam.send(new UntagPolicyCommand({ PolicyArn: p.Arn, TagKeys: ["ENV"] }));
    expect((await iam.send(new ListPolicyTagsCommand({ PolicyArn: p.Arn }))).Tags).toEqual([
      { Key: "team", Value: "core" },
    ]);
    const err = await awsError(
      iam.send(new TagPolicyCommand({ PolicyArn: arnOf("NoTags"), Tags: [{ Key: "k", Value: "v" }] })),
    );
    expect(err).toEqual({ name: "NoSuchEntity", status: 404, message: `Policy ${arnOf("NoTags")} was not found.` });
  });

  it("creates a policy with tags and refuses duplicate keys", async () => {
    const p = (
      await iam.send(
        new CreatePolicyCommand({
          PolicyName: "BornTagged",
          PolicyDocument: doc(),
          Tags: [{ Key: "a", Value: "1" }],
        }),
      )
    ).Policy;
    expect(p?.Tags).toEqual([{ Key: "a", Value: "1" }]);
    const err = await awsError(
      iam.send(
        new CreatePolicyCommand({
          PolicyName: "DupTags",
          PolicyDocument: doc(),
          Tags: [
            { Key: "a", Value: "1" },
            { Key: "A", Value: "2" },
          ],
        }),
      ),
    );
    expect(err).toMatchObject({ name: "InvalidInput", status: 400 });
    expect(await awsError(iam.send(new GetPolicyCommand({ PolicyArn: arnOf("DupTags") })))).toMatchObject({
      name: "NoSuchEntity",
    });
  });
});

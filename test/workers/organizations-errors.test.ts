// Organizations' error paths and paging through the real SDK: each modeled exception with its __type and Reason.
// AWS pages: https://docs.aws.amazon.com/organizations/latest/APIReference/CommonErrors.html and each operation's Errors,
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html (5 SCPs per target, 5,120 characters).
import { CreateAccessKeyCommand, CreateUserCommand, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import {
  AttachPolicyCommand,
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  CreateOrganizationCommand,
  CreatePolicyCommand,
  DeleteOrganizationalUnitCommand,
  DeletePolicyCommand,
  DescribeAccountCommand,
  DescribeOrganizationCommand,
  DescribeOrganizationalUnitCommand,
  DescribePolicyCommand,
  DetachPolicyCommand,
  DisablePolicyTypeCommand,
  EnablePolicyTypeCommand,
  ListAccountsCommand,
  ListChildrenCommand,
  ListOrganizationalUnitsForParentCommand,
  ListParentsCommand,
  ListPoliciesCommand,
  ListPoliciesForTargetCommand,
  ListRootsCommand,
  ListTagsForResourceCommand,
  ListTargetsForPolicyCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateOrganizationalUnitCommand,
  UpdatePolicyCommand,
} from "@aws-sdk/client-organizations";
import { AssumeRoleCommand } from "@aws-sdk/client-sts";
import { describe, expect, it } from "vitest";
import { iamClient, orgsClient, stsClient, type Credentials } from "./sdk";

const orgs = orgsClient();
const root = iamClient();
const SCP = "SERVICE_CONTROL_POLICY";
const RCP = "RESOURCE_CONTROL_POLICY";
const policy = (statements: object[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });

/** The wire error of a call that must fail: `__type`, Reason, HTTP status and message. */
async function orgError(
  p: Promise<unknown>,
): Promise<{ type: string; reason?: string; status?: number; message: string }> {
  try {
    await p;
  } catch (err) {
    const e = err as { name: string; Reason?: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { type: e.name, reason: e.Reason, status: e.$metadata?.httpStatusCode, message: e.message };
  }
  throw new Error("expected the call to fail, but it succeeded");
}

let setup: Promise<string> | undefined;
/** The organization (SCPs enabled) shared by this file's tests; returns the root id. */
function rootId(): Promise<string> {
  setup ??= (async () => {
    await orgs.send(new CreateOrganizationCommand({ FeatureSet: "ALL" })).catch(() => undefined);
    const id = (await orgs.send(new ListRootsCommand({}))).Roots?.[0]?.Id ?? "";
    await orgs.send(new EnablePolicyTypeCommand({ RootId: id, PolicyType: SCP })).catch(() => undefined);
    return id;
  })();
  return setup;
}

async function ou(name: string, parent?: string): Promise<string> {
  const made = await orgs.send(
    new CreateOrganizationalUnitCommand({ ParentId: parent ?? (await rootId()), Name: name }),
  );
  return made.OrganizationalUnit?.Id ?? "";
}

async function scp(name: string, statements = [{ Effect: "Deny", Action: "s3:*", Resource: "*" }]): Promise<string> {
  const made = await orgs.send(
    new CreatePolicyCommand({ Name: name, Description: name, Type: SCP, Content: policy(statements) }),
  );
  return made.Policy?.PolicySummary?.Id ?? "";
}

describe("bad ids and unknown ids", () => {
  it("malformed ids are InvalidInputException INVALID_PATTERN; unknown ones the NotFound of their kind", async () => {
    await rootId();
    const bad = await orgError(orgs.send(new DescribeOrganizationalUnitCommand({ OrganizationalUnitId: "ou-bad" })));
    expect(bad).toMatchObject({ type: "InvalidInputException", reason: "INVALID_PATTERN", status: 400 });
    expect(
      await orgError(orgs.send(new DescribeOrganizationalUnitCommand({ OrganizationalUnitId: "ou-abcd-abcdefgh" }))),
    ).toMatchObject({ type: "OrganizationalUnitNotFoundException" });
    expect(await orgError(orgs.send(new DescribePolicyCommand({ PolicyId: "p-00000000" })))).toMatchObject({
      type: "PolicyNotFoundException",
    });
    expect(await orgError(orgs.send(new DescribeAccountCommand({ AccountId: "000000000000" })))).toMatchObject({
      type: "AccountNotFoundException",
    });
    expect(await orgError(orgs.send(new DescribeAccountCommand({ AccountId: "12345" })))).toMatchObject({
      type: "InvalidInputException",
    });
    expect(
      await orgError(orgs.send(new ListChildrenCommand({ ParentId: "r-zzzz", ChildType: "ACCOUNT" }))),
    ).toMatchObject({ type: "ParentNotFoundException" });
    expect(await orgError(orgs.send(new ListParentsCommand({ ChildId: "000000000001" })))).toMatchObject({
      type: "ChildNotFoundException",
    });
    expect(await orgError(orgs.send(new EnablePolicyTypeCommand({ RootId: "r-zzzz", PolicyType: RCP })))).toMatchObject(
      { type: "RootNotFoundException" },
    );
    expect(
      await orgError(orgs.send(new EnablePolicyTypeCommand({ RootId: await rootId(), PolicyType: SCP }))),
    ).toMatchObject({ type: "PolicyTypeAlreadyEnabledException" });
    expect(
      await orgError(orgs.send(new AttachPolicyCommand({ PolicyId: "p-FullAWSAccess", TargetId: "ou-abcd-abcdefgh" }))),
    ).toMatchObject({ type: "TargetNotFoundException" });
    expect(await orgError(orgs.send(new CreateOrganizationCommand({ FeatureSet: "ALL" })))).toMatchObject({
      type: "AlreadyInOrganizationException",
    });
  });
});

describe("OUs", () => {
  it("refuses a duplicate name among siblings and deleting an OU that is not empty; renames and deletes", async () => {
    const parent = await ou("Parent");
    const child = await ou("Child", parent);
    expect(
      await orgError(orgs.send(new CreateOrganizationalUnitCommand({ ParentId: parent, Name: "Child" }))),
    ).toMatchObject({
      type: "DuplicateOrganizationalUnitException",
    });
    expect(
      await orgError(orgs.send(new DeleteOrganizationalUnitCommand({ OrganizationalUnitId: parent }))),
    ).toMatchObject({ type: "OrganizationalUnitNotEmptyException" });
    const renamed = await orgs.send(new UpdateOrganizationalUnitCommand({ OrganizationalUnitId: child, Name: "Kid" }));
    expect(renamed.OrganizationalUnit?.Name).toBe("Kid");
    const parents = await orgs.send(new ListParentsCommand({ ChildId: child }));
    expect(parents.Parents).toEqual([{ Id: parent, Type: "ORGANIZATIONAL_UNIT" }]);
    await orgs.send(new DeleteOrganizationalUnitCommand({ OrganizationalUnitId: child }));
    await orgs.send(new DeleteOrganizationalUnitCommand({ OrganizationalUnitId: parent }));
  });

  it("pages OUs with MaxResults and NextToken, and refuses a token it did not hand out", async () => {
    const parent = await ou("Paged");
    const made = new Set<string>();
    for (let i = 0; i < 5; i++) made.add(await ou(`child-${i}`, parent));
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await orgs.send(
        new ListOrganizationalUnitsForParentCommand({ ParentId: parent, MaxResults: 2, NextToken: token }),
      );
      expect(page.OrganizationalUnits?.length).toBeLessThanOrEqual(2);
      seen.push(...(page.OrganizationalUnits ?? []).map((o) => o.Id ?? ""));
      token = page.NextToken;
      pages++;
    } while (token);
    expect(pages).toBe(3);
    expect(new Set(seen)).toEqual(made);
    const children = await orgs.send(new ListChildrenCommand({ ParentId: parent, ChildType: "ORGANIZATIONAL_UNIT" }));
    expect(children.Children?.map((c) => c.Id).sort()).toEqual([...made].sort());
    expect(
      await orgError(orgs.send(new ListOrganizationalUnitsForParentCommand({ ParentId: parent, NextToken: "nope" }))),
    ).toMatchObject({ type: "InvalidInputException", reason: "INVALID_NEXT_TOKEN" });
    expect(
      await orgError(orgs.send(new ListOrganizationalUnitsForParentCommand({ ParentId: parent, MaxResults: 21 }))),
    ).toMatchObject({ type: "InvalidInputException", reason: "MAX_VALUE_EXCEEDED" });
  });
});

describe("policies", () => {
  it("validates SCP documents and their size", async () => {
    await rootId();
    const withPrincipal = await orgError(
      orgs.send(
        new CreatePolicyCommand({
          Name: "bad",
          Description: "",
          Type: SCP,
          Content: policy([{ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: "*" }]),
        }),
      ),
    );
    expect(withPrincipal.type).toBe("MalformedPolicyDocumentException");
    const notJson = await orgError(
      orgs.send(new CreatePolicyCommand({ Name: "bad2", Description: "", Type: SCP, Content: "{" })),
    );
    expect(notJson.type).toBe("MalformedPolicyDocumentException");
    const big = policy([{ Effect: "Deny", Action: "s3:*", Resource: "*", Sid: "x".repeat(5200) }]);
    expect(
      await orgError(orgs.send(new CreatePolicyCommand({ Name: "big", Description: "", Type: SCP, Content: big }))),
    ).toMatchObject({ type: "ConstraintViolationException", reason: "POLICY_CONTENT_LIMIT_EXCEEDED" });
    await scp("unique-name");
    expect(await orgError(scp("unique-name"))).toMatchObject({ type: "DuplicatePolicyException" });
  });

  it("attach, detach, in-use, last-SCP and per-target limits, with the targets listed", async () => {
    const target = await ou("Limits");
    const first = await scp("limit-0");
    await orgs.send(new AttachPolicyCommand({ PolicyId: first, TargetId: target }));
    expect(await orgError(orgs.send(new AttachPolicyCommand({ PolicyId: first, TargetId: target })))).toMatchObject({
      type: "DuplicatePolicyAttachmentException",
    });
    expect(await orgError(orgs.send(new DeletePolicyCommand({ PolicyId: first })))).toMatchObject({
      type: "PolicyInUseException",
    });
    // FullAWSAccess and limit-0 make two; three more reach five, the sixth is refused.
    for (let i = 1; i <= 3; i++) {
      await orgs.send(new AttachPolicyCommand({ PolicyId: await scp(`limit-${i}`), TargetId: target }));
    }
    const sixth = await scp("limit-4");
    expect(await orgError(orgs.send(new AttachPolicyCommand({ PolicyId: sixth, TargetId: target })))).toMatchObject({
      type: "ConstraintViolationException",
      reason: "MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED",
    });
    expect(await orgError(orgs.send(new DetachPolicyCommand({ PolicyId: sixth, TargetId: target })))).toMatchObject({
      type: "PolicyNotAttachedException",
    });

    const targets = await orgs.send(new ListTargetsForPolicyCommand({ PolicyId: first }));
    expect(targets.Targets).toEqual([
      {
        TargetId: target,
        Arn: expect.stringContaining(`:ou/o-`) as string,
        Name: "Limits",
        Type: "ORGANIZATIONAL_UNIT",
      },
    ]);
    const onTarget = await orgs.send(new ListPoliciesForTargetCommand({ TargetId: target, Filter: SCP }));
    expect(onTarget.Policies?.map((p) => p.Name).sort()).toEqual(
      ["FullAWSAccess", "limit-0", "limit-1", "limit-2", "limit-3"].sort(),
    );
    await orgs.send(new DetachPolicyCommand({ PolicyId: first, TargetId: target }));
    await orgs.send(new DeletePolicyCommand({ PolicyId: first }));
    expect(await orgError(orgs.send(new DescribePolicyCommand({ PolicyId: first })))).toMatchObject({
      type: "PolicyNotFoundException",
    });

    // The root keeps only FullAWSAccess: detaching it would leave the root with no SCP.
    const last = await orgError(
      orgs.send(new DetachPolicyCommand({ PolicyId: "p-FullAWSAccess", TargetId: await rootId() })),
    );
    expect(last).toMatchObject({
      type: "ConstraintViolationException",
      reason: "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED",
    });
    expect(
      await orgError(orgs.send(new UpdatePolicyCommand({ PolicyId: "p-FullAWSAccess", Name: "mine" }))),
    ).toMatchObject({ type: "InvalidInputException", reason: "IMMUTABLE_POLICY" });
  });

  it("parallel attaches of one policy leave exactly one attachment", async () => {
    const target = await ou("Race");
    const id = await scp("race");
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, () => orgs.send(new AttachPolicyCommand({ PolicyId: id, TargetId: target }))),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results) {
      if (r.status === "rejected") expect((r.reason as Error).name).toBe("DuplicatePolicyAttachmentException");
    }
    const targets = await orgs.send(new ListTargetsForPolicyCommand({ PolicyId: id }));
    expect(targets.Targets?.map((t) => t.TargetId)).toEqual([target]);
  });

  it("lists FullAWSAccess first, then the organization's own policies, and updates one", async () => {
    await rootId();
    const id = await scp("listed");
    const updated = await orgs.send(new UpdatePolicyCommand({ PolicyId: id, Description: "changed" }));
    expect(updated.Policy?.PolicySummary).toMatchObject({ Id: id, Description: "changed", AwsManaged: false });
    const all = await orgs.send(new ListPoliciesCommand({ Filter: SCP }));
    expect(all.Policies?.[0]).toMatchObject({
      Id: "p-FullAWSAccess",
      Arn: "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess",
      AwsManaged: true,
    });
    expect(all.Policies?.some((p) => p.Id === id)).toBe(true);
  });
});

describe("tags", () => {
  it("tags, lists and untags an OU; refuses duplicate keys", async () => {
    const id = await ou("Tagged");
    await orgs.send(
      new TagResourceCommand({
        ResourceId: id,
        Tags: [
          { Key: "team", Value: "a" },
          { Key: "env", Value: "dev" },
        ],
      }),
    );
    expect((await orgs.send(new ListTagsForResourceCommand({ ResourceId: id }))).Tags).toEqual([
      { Key: "env", Value: "dev" },
      { Key: "team", Value: "a" },
    ]);
    await orgs.send(new UntagResourceCommand({ ResourceId: id, TagKeys: ["team"] }));
    expect((await orgs.send(new ListTagsForResourceCommand({ ResourceId: id }))).Tags).toEqual([
      { Key: "env", Value: "dev" },
    ]);
    expect(
      await orgError(
        orgs.send(
          new TagResourceCommand({
            ResourceId: id,
            Tags: [
              { Key: "k", Value: "1" },
              { Key: "k", Value: "2" },
            ],
          }),
        ),
      ),
    ).toMatchObject({ type: "InvalidInputException", reason: "DUPLICATE_TAG_KEY" });
    expect(await orgError(orgs.send(new ListTagsForResourceCommand({ ResourceId: "ou-abcd-abcdefgh" })))).toMatchObject(
      { type: "TargetNotFoundException" },
    );
  });
});

describe("who may call", () => {
  it("an IAM user needs organizations:* permissions; a member account gets AccessDeniedException", async () => {
    await rootId();
    await root.send(new CreateUserCommand({ UserName: "no-orgs" }));
    const { AccessKey } = await root.send(new CreateAccessKeyCommand({ UserName: "no-orgs" }));
    const noOrgs = orgsClient({
      accessKeyId: AccessKey?.AccessKeyId ?? "",
      secretAccessKey: AccessKey?.SecretAccessKey ?? "",
    });
    const denied = await orgError(noOrgs.send(new ListAccountsCommand({})));
    expect(denied.type).toBe("AccessDeniedException");
    expect(denied.message).toContain("is not authorized to perform: organizations:ListAccounts");

    const member = (await orgs.send(new CreateAccountCommand({ Email: "who@example.com", AccountName: "who" })))
      .CreateAccountStatus?.AccountId;
    await root.send(
      new PutUserPolicyCommand({
        UserName: "no-orgs",
        PolicyName: "assume",
        PolicyDocument: policy([{ Effect: "Allow", Action: "sts:AssumeRole", Resource: "*" }]),
      }),
    );
    const assumed = await stsClient({
      accessKeyId: AccessKey?.AccessKeyId ?? "",
      secretAccessKey: AccessKey?.SecretAccessKey ?? "",
    }).send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${member}:role/OrganizationAccountAccessRole`,
        RoleSessionName: "member",
      }),
    );
    const c = assumed.Credentials;
    const session: Credentials = {
      accessKeyId: c?.AccessKeyId ?? "",
      secretAccessKey: c?.SecretAccessKey ?? "",
      sessionToken: c?.SessionToken,
    };
    const inMember = orgsClient(session);
    // A member account may describe its organization, but not manage it.
    expect((await inMember.send(new DescribeOrganizationCommand({}))).Organization?.MasterAccountId).toBeDefined();
    expect(await orgError(inMember.send(new ListAccountsCommand({})))).toEqual({
      type: "AccessDeniedException",
      reason: undefined,
      status: 400,
      message: "You don't have permissions to access this resource.",
    });
  });
});

describe("resource control policies", () => {
  it("an RCP on the member account denies assuming its role; RCPFullAWSAccess cannot be detached", async () => {
    const id = await rootId();
    const enabled = await orgs.send(new EnablePolicyTypeCommand({ RootId: id, PolicyType: RCP }));
    expect(enabled.Root?.PolicyTypes?.map((t) => t.Type).sort()).toEqual([RCP, SCP]);
    const member =
      (await orgs.send(new CreateAccountCommand({ Email: "rcp@example.com", AccountName: "rcp" }))).CreateAccountStatus
        ?.AccountId ?? "";
    expect(
      await orgError(orgs.send(new DetachPolicyCommand({ PolicyId: "p-RCPFullAWSAccess", TargetId: member }))),
    ).toMatchObject({ type: "InvalidInputException", reason: "NON_DETACHABLE_POLICY" });
    const rcp = (
      await orgs.send(
        new CreatePolicyCommand({
          Name: "no-assume",
          Description: "",
          Type: RCP,
          Content: policy([{ Effect: "Deny", Principal: "*", Action: "sts:AssumeRole", Resource: "*" }]),
        }),
      )
    ).Policy?.PolicySummary?.Id;
    await orgs.send(new AttachPolicyCommand({ PolicyId: rcp, TargetId: member }));

    await root.send(new CreateUserCommand({ UserName: "rcp-user" }));
    await root.send(
      new PutUserPolicyCommand({
        UserName: "rcp-user",
        PolicyName: "assume",
        PolicyDocument: policy([{ Effect: "Allow", Action: "sts:AssumeRole", Resource: "*" }]),
      }),
    );
    const { AccessKey } = await root.send(new CreateAccessKeyCommand({ UserName: "rcp-user" }));
    const sts = stsClient({
      accessKeyId: AccessKey?.AccessKeyId ?? "",
      secretAccessKey: AccessKey?.SecretAccessKey ?? "",
    });
    const assume = () =>
      sts.send(
        new AssumeRoleCommand({
          RoleArn: `arn:aws:iam::${member}:role/OrganizationAccountAccessRole`,
          RoleSessionName: "rcp-session",
        }),
      );
    const denied = await orgError(assume());
    expect(denied.type).toBe("AccessDenied");
    await orgs.send(new DetachPolicyCommand({ PolicyId: rcp, TargetId: member }));
    expect((await assume()).Credentials?.AccessKeyId).toMatch(/^ASIA/);
    await orgs.send(new DisablePolicyTypeCommand({ RootId: id, PolicyType: RCP }));
  });
});

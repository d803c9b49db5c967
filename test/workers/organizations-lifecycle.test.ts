// An organization's life through the real SDK: not in use, created, accounts created, closed and removed, then deleted.
// AWS pages: https://docs.aws.amazon.com/organizations/latest/APIReference/API_CreateAccount.html,
// API_CloseAccount.html, API_RemoveAccountFromOrganization.html, API_DeleteOrganization.html.
import {
  CloseAccountCommand,
  CreateAccountCommand,
  CreateOrganizationCommand,
  DeleteOrganizationCommand,
  DescribeAccountCommand,
  DescribeCreateAccountStatusCommand,
  DescribeOrganizationCommand,
  ListAccountsCommand,
  ListCreateAccountStatusCommand,
  RemoveAccountFromOrganizationCommand,
} from "@aws-sdk/client-organizations";
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { signRequest } from "../../src/aws/sigv4";
import { ACCOUNT } from "./fixtures";
import { orgsClient } from "./sdk";

const orgs = orgsClient();

async function orgError(p: Promise<unknown>): Promise<{ type: string; reason?: string; message: string }> {
  try {
    await p;
  } catch (err) {
    const e = err as { name: string; Reason?: string; message: string };
    return { type: e.name, reason: e.Reason, message: e.message };
  }
  throw new Error("expected the call to fail, but it succeeded");
}

describe("an organization's life", () => {
  it("goes from not in use to created, holds accounts, and is deleted once they are gone", async () => {
    expect(await orgError(orgs.send(new DescribeOrganizationCommand({})))).toMatchObject({
      type: "AWSOrganizationsNotInUseException",
      message: "Your account is not a member of an organization.",
    });
    expect(await orgError(orgs.send(new ListAccountsCommand({})))).toMatchObject({
      type: "AWSOrganizationsNotInUseException",
    });
    const org = (await orgs.send(new CreateOrganizationCommand({ FeatureSet: "ALL" }))).Organization;
    expect(org?.Arn).toBe(`arn:aws:organizations::${ACCOUNT}:organization/${org?.Id}`);

    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const s = await orgs.send(new CreateAccountCommand({ Email: `a${i}@example.com`, AccountName: `a${i}` }));
      ids.push(s.CreateAccountStatus?.AccountId ?? "");
    }
    // An email already used fails the request, as AWS reports it: FAILED with EMAIL_ALREADY_EXISTS.
    const dup = await orgs.send(new CreateAccountCommand({ Email: "a0@example.com", AccountName: "again" }));
    expect(dup.CreateAccountStatus).toMatchObject({ State: "FAILED", FailureReason: "EMAIL_ALREADY_EXISTS" });
    const polled = await orgs.send(
      new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: dup.CreateAccountStatus?.Id }),
    );
    expect(polled.CreateAccountStatus?.State).toBe("FAILED");
    const failed = await orgs.send(new ListCreateAccountStatusCommand({ States: ["FAILED"] }));
    expect(failed.CreateAccountStatuses?.map((s) => s.AccountName)).toEqual(["again"]);

    // Four accounts (the management account too), two per page.
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await orgs.send(new ListAccountsCommand({ MaxResults: 2, NextToken: token }));
      seen.push(...(page.Accounts ?? []).map((a) => a.Id ?? ""));
      token = page.NextToken;
    } while (token);
    expect(seen.sort()).toEqual([ACCOUNT, ...ids].sort());

    await orgs.send(new CloseAccountCommand({ AccountId: ids[0] }));
    expect((await orgs.send(new DescribeAccountCommand({ AccountId: ids[0] }))).Account?.Status).toBe("SUSPENDED");
    expect(await orgError(orgs.send(new CloseAccountCommand({ AccountId: ids[0] })))).toMatchObject({
      type: "AccountAlreadyClosedException",
    });
    expect(await orgError(orgs.send(new CloseAccountCommand({ AccountId: ACCOUNT })))).toMatchObject({
      type: "ConstraintViolationException",
      reason: "CANNOT_CLOSE_MANAGEMENT_ACCOUNT",
    });
    expect(await orgError(orgs.send(new DeleteOrganizationCommand({})))).toMatchObject({
      type: "OrganizationNotEmptyException",
    });
    expect(await orgError(orgs.send(new RemoveAccountFromOrganizationCommand({ AccountId: ACCOUNT })))).toMatchObject({
      type: "MasterCannotLeaveOrganizationException",
    });
    for (const id of ids) await orgs.send(new RemoveAccountFromOrganizationCommand({ AccountId: id }));
    expect(await orgError(orgs.send(new DescribeAccountCommand({ AccountId: ids[1] })))).toMatchObject({
      type: "AccountNotFoundException",
    });
    await orgs.send(new DeleteOrganizationCommand({}));
    expect(await orgError(orgs.send(new DescribeOrganizationCommand({})))).toMatchObject({
      type: "AWSOrganizationsNotInUseException",
    });
  });
});

describe("the awsJson codec", () => {
  it("answers an unsigned call and an unknown target with AWS's JSON errors", async () => {
    const res = await SELF.fetch("http://127.0.0.1:8787/", {
      method: "POST",
      headers: {
        "x-amz-target": "AWSOrganizationsV20161128.NoSuchOperation",
        "content-type": "application/x-amz-json-1.1",
      },
      body: "{}",
    });
    expect(res.status).toBe(403);
    expect(res.headers.get("content-type")).toBe("application/x-amz-json-1.1");
    const body = (await res.json()) as { __type: string };
    expect(body.__type).toBe("MissingAuthenticationTokenException");
    const unknown = await SELF.fetch("http://127.0.0.1:8787/", {
      method: "POST",
      headers: { "x-amz-target": "Nope.ListRoots", "content-type": "application/x-amz-json-1.1" },
      body: "{}",
    });
    expect(((await unknown.json()) as { __type: string }).__type).toBe("UnknownOperationException");
  });
});

describe("POST /_admin/reset", () => {
  it("wipes the organization with everything else", async () => {
    await orgs.send(new CreateOrganizationCommand({ FeatureSet: "ALL" })).catch(() => undefined);
    await orgs.send(new CreateAccountCommand({ Email: "reset@example.com", AccountName: "reset" }));
    const url = new URL("http://127.0.0.1:8787/_admin/reset");
    const headers = await signRequest({
      method: "POST",
      url,
      accessKeyId: "test",
      secret: "test",
      region: "us-east-1",
      service: "iam",
      now: new Date(),
    });
    expect((await SELF.fetch(new Request(url, { method: "POST", headers }))).status).toBe(200);
    expect(await orgError(orgs.send(new DescribeOrganizationCommand({})))).toMatchObject({
      type: "AWSOrganizationsNotInUseException",
    });
  });
});

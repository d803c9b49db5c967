// Every version of AWS managed policies: ListPolicyVersions paging, GetPolicyVersion of old versions, and what-if version pins (/v1/simulations, /v1/whatif) comparing two versions for one principal.
import {
  AttachUserPolicyCommand,
  CreateUserCommand,
  GetPolicyVersionCommand,
  ListPolicyVersionsCommand,
  paginateListPolicyVersions,
} from "@aws-sdk/client-iam";
import { describe, expect, it } from "vitest";
import { ACCOUNT, READ_ONLY } from "./fixtures";
import { awsError, iamClient } from "./sdk";
import { signed, type Answer } from "./simulations-helpers";

const iam = iamClient();

describe("AWS managed policy versions", () => {
  it("lists every bundled version newest first, paged with Marker and MaxItems", async () => {
    const first = await iam.send(new ListPolicyVersionsCommand({ PolicyArn: READ_ONLY, MaxItems: 5 }));
    expect(first.Versions?.map((v) => [v.VersionId, v.IsDefaultVersion])).toEqual([
      ["v188", true],
      ["v187", false],
      ["v186", false],
      ["v185", false],
      ["v184", false],
    ]);
    expect(first.Versions?.[0]?.Document).toBeUndefined();
    expect(first.Versions?.[0]?.CreateDate).toEqual(new Date("2015-02-06T18:39:48.000Z"));
    expect(first.IsTruncated).toBe(true);
    // v180 was never published: the package holds no such version, so neither does the list.
    const second = await iam.send(
      new ListPolicyVersionsCommand({ PolicyArn: READ_ONLY, MaxItems: 5, Marker: first.Marker }),
    );
    expect(second.Versions?.map((v) => v.VersionId)).toEqual(["v183", "v182", "v181", "v179", "v178"]);

    const all: string[] = [];
    for await (const page of paginateListPolicyVersions({ client: iam, pageSize: 40 }, { PolicyArn: READ_ONLY }))
      all.push(...(page.Versions ?? []).map((v) => v.VersionId ?? ""));
    expect(all).toHaveLength(151);
    expect(all[0]).toBe("v188");
    expect(all[all.length - 1]).toBe("v1");
    expect(new Set(all).size).toBe(151);

    const s3 = await iam.send(
      new ListPolicyVersionsCommand({ PolicyArn: "arn:aws:iam::aws:policy/AmazonS3FullAccess" }),
    );
    expect(s3.IsTruncated).toBe(false);
    expect(s3.Versions?.map((v) => [v.VersionId, v.IsDefaultVersion, v.CreateDate?.toISOString()])).toEqual([
      ["v2", true, "2021-09-27T20:16:37.000Z"],
      ["v1", false, "2015-02-06T18:40:58.000Z"],
    ]);
  });

  it("gets a non-default version's own document; an unknown version is NoSuchEntity", async () => {
    const s3 = "arn:aws:iam::aws:policy/AmazonS3FullAccess";
    const v1 = await iam.send(new GetPolicyVersionCommand({ PolicyArn: s3, VersionId: "v1" }));
    expect(v1.PolicyVersion).toMatchObject({ VersionId: "v1", IsDefaultVersion: false });
    expect(v1.PolicyVersion?.CreateDate).toEqual(new Date("2015-02-06T18:40:58.000Z"));
    expect(JSON.parse(decodeURIComponent(v1.PolicyVersion?.Document ?? ""))).toEqual({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }],
    });
    const v2 = await iam.send(new GetPolicyVersionCommand({ PolicyArn: s3, VersionId: "v2" }));
    expect(v2.PolicyVersion?.IsDefaultVersion).toBe(true);
    expect(JSON.parse(decodeURIComponent(v2.PolicyVersion?.Document ?? "")).Statement[0].Action).toEqual([
      "s3:*",
      "s3-object-lambda:*",
    ]);

    // The oldest ReadOnlyAccess is rebuilt through 150 diffs and lacks what later versions added.
    const old = await iam.send(new GetPolicyVersionCommand({ PolicyArn: READ_ONLY, VersionId: "v1" }));
    const text = decodeURIComponent(old.PolicyVersion?.Document ?? "");
    expect(JSON.parse(text).Version).toBe("2012-10-17");
    expect(text).not.toContain("acm:SearchCertificates");

    expect(await awsError(iam.send(new GetPolicyVersionCommand({ PolicyArn: READ_ONLY, VersionId: "v180" })))).toEqual({
      name: "NoSuchEntity",
      status: 404,
      message: `Policy ${READ_ONLY} version v180 does not exist or is not attachable.`,
    });
  });
});

describe("what-if version pins", () => {
  const user = `arn:aws:iam::${ACCOUNT}:user/pins-vera`;
  const grid = { actions: ["acm:SearchCertificates", "s3:GetObject"], resources: ["*"] };

  it("compares two versions of ReadOnlyAccess for one principal, and pins the current one back", async () => {
    await iam.send(new CreateUserCommand({ UserName: "pins-vera" }));
    await iam.send(new AttachUserPolicyCommand({ UserName: "pins-vera", PolicyArn: READ_ONLY }));

    const compare = await signed("POST", "/v1/simulations", {
      principal: user,
      whatIf: { policyVersions: [{ policyArn: READ_ONLY, versionId: "v188", beforeVersionId: "v181" }] },
      ...grid,
    });
    expect(compare.status).toBe(200);
    const out = (await compare.json()) as Answer & { policies: { id: string; type: string }[] };
    expect(out.diff).toEqual([
      { action: "acm:SearchCertificates", resource: "*", before: "ImplicitDeny", after: "Allowed" },
    ]);
    expect(out.results[0]?.matched.map((m) => m.policyId)).toEqual([`${READ_ONLY} (v188)`]);
    expect(out.results[1]?.before?.decision).toBe("Allowed");
    expect(out.policies.map((p) => p.id)).toEqual(
      expect.arrayContaining([`${READ_ONLY} (v181)`, `${READ_ONLY} (v188)`]),
    );

    // Pinning only the after side compares against the stored state (the default, v188).
    const back = await signed("POST", "/v1/simulations", {
      principal: user,
      whatIf: { policyVersions: [{ policyArn: READ_ONLY, versionId: "v181" }] },
      ...grid,
    });
    const backOut = (await back.json()) as Answer;
    expect(backOut.diff).toEqual([
      { action: "acm:SearchCertificates", resource: "*", before: "Allowed", after: "ImplicitDeny" },
    ]);
  });

  it("refuses an unknown version with a 400 naming it; a policy the principal lacks is a warning", async () => {
    await iam.send(new CreateUserCommand({ UserName: "pins-walt" }));
    await iam.send(new AttachUserPolicyCommand({ UserName: "pins-walt", PolicyArn: READ_ONLY }));
    const res = await signed("POST", "/v1/simulations", {
      principal: `arn:aws:iam::${ACCOUNT}:user/pins-walt`,
      whatIf: { policyVersions: [{ policyArn: READ_ONLY, versionId: "v188", beforeVersionId: "v150" }] },
      ...grid,
    });
    expect(res.status).toBe(400);
    const err = (await res.json()) as Answer;
    expect(err.error?.message).toContain(`${READ_ONLY} has no version v150`);

    const unknownPolicy = await signed("POST", "/v1/simulations", {
      principal: `arn:aws:iam::${ACCOUNT}:user/pins-walt`,
      whatIf: { policyVersions: [{ policyArn: "arn:aws:iam::aws:policy/NoSuchThing", versionId: "v1" }] },
      ...grid,
    });
    expect(unknownPolicy.status).toBe(400);

    const lacking = await signed("POST", "/v1/simulations", {
      principal: `arn:aws:iam::${ACCOUNT}:user/pins-walt`,
      whatIf: { policyVersions: [{ policyArn: "arn:aws:iam::aws:policy/AmazonS3FullAccess", versionId: "v1" }] },
      ...grid,
    });
    expect(lacking.status).toBe(200);
    const warned = (await lacking.json()) as Answer;
    expect(warned.diff).toEqual([]);
    expect(warned.warnings.join("\n")).toContain("AmazonS3FullAccess is not among the principal's policies");
  });
});

describe("POST /v1/whatif replacePolicyVersions by versionId", () => {
  it("evaluates an existing version in place of the default; an unknown one is a 400 naming it", async () => {
    await iam.send(new CreateUserCommand({ UserName: "pins-xena" }));
    await iam.send(new AttachUserPolicyCommand({ UserName: "pins-xena", PolicyArn: READ_ONLY }));
    const principals = [`arn:aws:iam::${ACCOUNT}:user/pins-xena`];
    const res = await signed("POST", "/v1/whatif", {
      principals,
      actions: ["acm:SearchCertificates"],
      change: { replacePolicyVersions: [{ policyArn: READ_ONLY, versionId: "v181" }] },
    });
    expect(res.status).toBe(200);
    const out = (await res.json()) as { diff: { action: string; before: string; after: string }[] };
    expect(out.diff).toEqual([
      {
        principal: principals[0],
        action: "acm:SearchCertificates",
        resource: "*",
        before: "Allowed",
        after: "ImplicitDeny",
      },
    ]);
    const bad = await signed("POST", "/v1/whatif", {
      principals,
      actions: ["acm:SearchCertificates"],
      change: { replacePolicyVersions: [{ policyArn: READ_ONLY, versionId: "v999" }] },
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain(
      `change.replacePolicyVersions: policy ${READ_ONLY} has no version v999`,
    );
  });
});

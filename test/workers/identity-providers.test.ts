// OIDC and SAML identity providers through the real AWS SDK: shapes, lists, metadata validation, tags and errors.
import {
  AddClientIDToOpenIDConnectProviderCommand,
  CreateOpenIDConnectProviderCommand,
  CreateSAMLProviderCommand,
  DeleteOpenIDConnectProviderCommand,
  DeleteSAMLProviderCommand,
  GetOpenIDConnectProviderCommand,
  GetSAMLProviderCommand,
  ListOpenIDConnectProvidersCommand,
  ListOpenIDConnectProviderTagsCommand,
  ListSAMLProvidersCommand,
  ListSAMLProviderTagsCommand,
  RemoveClientIDFromOpenIDConnectProviderCommand,
  TagOpenIDConnectProviderCommand,
  TagSAMLProviderCommand,
  UntagOpenIDConnectProviderCommand,
  UntagSAMLProviderCommand,
  UpdateOpenIDConnectProviderThumbprintCommand,
  UpdateSAMLProviderCommand,
} from "@aws-sdk/client-iam";
import { describe, expect, it } from "vitest";
import { ACCOUNT } from "./fixtures";
import { awsError, iamClient } from "./sdk";

const iam = iamClient();
const THUMB = "9e99a48a9960b14926bb7f3b02e22da2b0ab7280";
const THUMB2 = "a".repeat(40);

/** A metadata document of at least the 1,000 characters AWS requires, with an IdP signing certificate. */
function metadata(
  entityId: string,
  extra = "",
  cert = "MIIBszCCAVmgAwIBAgIUQ2VydGlmaWNhdGVGb3JUZXN0czAKBggqhkjOPQQDAjA=",
) {
  return `<?xml version="1.0" encoding="UTF-8"?>
<!-- identity provider metadata used by the tests; padded to the minimum length IAM accepts -->
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${entityId}" ${extra}>
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
        <ds:X509Data><ds:X509Certificate>${cert}</ds:X509Certificate></ds:X509Data>
      </ds:KeyInfo>
    </md:KeyDescriptor>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/sso?a=1&amp;b=2"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example.com/sso/post"/>
  </md:IDPSSODescriptor>
  <md:Organization>
    <md:OrganizationName xml:lang="en">Example Identity Provider for the IAM simulator tests</md:OrganizationName>
    <md:OrganizationDisplayName xml:lang="en">Example IdP</md:OrganizationDisplayName>
    <md:OrganizationURL xml:lang="en">https://idp.example.com/</md:OrganizationURL>
  </md:Organization>
</md:EntityDescriptor>`;
}

describe("OIDC providers", () => {
  it("creates, reads, lists, edits and deletes a provider", async () => {
    const created = await iam.send(
      new CreateOpenIDConnectProviderCommand({
        Url: "https://Token.Example.com/id/ABC",
        ClientIDList: ["sts.amazonaws.com"],
        ThumbprintList: [THUMB],
        Tags: [{ Key: "env", Value: "test" }],
      }),
    );
    const arn = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.example.com/id/ABC`;
    expect(created.OpenIDConnectProviderArn).toBe(arn);
    expect(created.Tags).toEqual([{ Key: "env", Value: "test" }]);

    const got = await iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }));
    expect(got).toMatchObject({
      Url: "token.example.com/id/ABC",
      ClientIDList: ["sts.amazonaws.com"],
      ThumbprintList: [THUMB],
      Tags: [{ Key: "env", Value: "test" }],
    });
    expect(got.CreateDate).toBeInstanceOf(Date);

    await iam.send(new AddClientIDToOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, ClientID: "app" }));
    // Adding the same ID again and removing one that is not there are both no-ops.
    await iam.send(new AddClientIDToOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, ClientID: "app" }));
    await iam.send(
      new RemoveClientIDFromOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, ClientID: "nope" }),
    );
    await iam.send(
      new RemoveClientIDFromOpenIDConnectProviderCommand({
        OpenIDConnectProviderArn: arn,
        ClientID: "sts.amazonaws.com",
      }),
    );
    await iam.send(
      new UpdateOpenIDConnectProviderThumbprintCommand({ OpenIDConnectProviderArn: arn, ThumbprintList: [THUMB2] }),
    );
    const edited = await iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }));
    expect(edited.ClientIDList).toEqual(["app"]);
    expect(edited.ThumbprintList).toEqual([THUMB2]);

    const listed = await iam.send(new ListOpenIDConnectProvidersCommand({}));
    expect(listed.OpenIDConnectProviderList).toEqual([{ Arn: arn }]);

    await iam.send(
      new TagOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, Tags: [{ Key: "a", Value: "1" }] }),
    );
    await iam.send(new UntagOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, TagKeys: ["ENV"] }));
    const tags = await iam.send(new ListOpenIDConnectProviderTagsCommand({ OpenIDConnectProviderArn: arn }));
    expect(tags.Tags).toEqual([{ Key: "a", Value: "1" }]);

    await iam.send(new DeleteOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }));
    expect(
      await awsError(iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }))),
    ).toMatchObject({ name: "NoSuchEntity", status: 404, message: `OpenIDConnect Provider not found for arn ${arn}` });
    expect((await iam.send(new ListOpenIDConnectProvidersCommand({}))).OpenIDConnectProviderList).toEqual([]);
  });

  it("refuses bad URLs, thumbprints, duplicates and too many entries", async () => {
    const create = (Url: string, ThumbprintList = [THUMB]) =>
      iam.send(new CreateOpenIDConnectProviderCommand({ Url, ThumbprintList }));
    expect(await awsError(create("http://plain.example.com"))).toMatchObject({ name: "InvalidInput", status: 400 });
    expect(await awsError(create("https://x.example.com", ["z".repeat(40)]))).toMatchObject({ name: "InvalidInput" });
    expect(await awsError(create("https://x.example.com", ["abc"]))).toMatchObject({
      name: "ValidationError",
      message: expect.stringContaining("thumbprintList.1.member"),
    });
    expect(await awsError(create("https://x.example.com", Array(6).fill(THUMB) as string[]))).toMatchObject({
      name: "LimitExceeded",
      message: "Cannot exceed quota for ThumbprintsPerOpenIdConnectProvider: 5",
    });
    await create("https://dup.example.com");
    expect(await awsError(create("https://DUP.example.com/"))).toMatchObject({
      name: "EntityAlreadyExists",
      status: 409,
      message: "Provider with url https://dup.example.com already exists.",
    });
    const missing = `arn:aws:iam::${ACCOUNT}:oidc-provider/none.example.com`;
    for (const call of [
      () => iam.send(new DeleteOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: missing })),
      () =>
        iam.send(new AddClientIDToOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: missing, ClientID: "x" })),
      () => iam.send(new ListOpenIDConnectProviderTagsCommand({ OpenIDConnectProviderArn: missing })),
    ]) {
      expect(await awsError(call())).toMatchObject({ name: "NoSuchEntity" });
    }
  });
});

describe("SAML providers", () => {
  it("creates a provider from metadata and reads, lists, updates, tags and deletes it", async () => {
    const doc = metadata("https://idp.example.com/entity", 'validUntil="2040-01-01T00:00:00Z"');
    expect(doc.length).toBeGreaterThanOrEqual(1000);
    const created = await iam.send(
      new CreateSAMLProviderCommand({ Name: "corp-idp", SAMLMetadataDocument: doc, Tags: [{ Key: "k", Value: "v" }] }),
    );
    const arn = `arn:aws:iam::${ACCOUNT}:saml-provider/corp-idp`;
    expect(created.SAMLProviderArn).toBe(arn);

    const got = await iam.send(new GetSAMLProviderCommand({ SAMLProviderArn: arn }));
    expect(got.SAMLMetadataDocument).toBe(doc);
    expect(got.ValidUntil?.toISOString()).toBe("2040-01-01T00:00:00.000Z");
    expect(got.Tags).toEqual([{ Key: "k", Value: "v" }]);
    expect(got.SAMLProviderUUID).toBeTruthy();

    const list = await iam.send(new ListSAMLProvidersCommand({}));
    expect(list.SAMLProviderList).toHaveLength(1);
    expect(list.SAMLProviderList?.[0]).toMatchObject({ Arn: arn });

    // Without validUntil the provider stays valid for 100 years.
    const updated = await iam.send(
      new UpdateSAMLProviderCommand({
        SAMLProviderArn: arn,
        SAMLMetadataDocument: metadata("https://idp.example.com/2"),
      }),
    );
    expect(updated.SAMLProviderArn).toBe(arn);
    const after = await iam.send(new GetSAMLProviderCommand({ SAMLProviderArn: arn }));
    expect(after.ValidUntil?.getUTCFullYear()).toBeGreaterThanOrEqual(new Date().getUTCFullYear() + 99);

    await iam.send(new TagSAMLProviderCommand({ SAMLProviderArn: arn, Tags: [{ Key: "x", Value: "y" }] }));
    await iam.send(new UntagSAMLProviderCommand({ SAMLProviderArn: arn, TagKeys: ["k"] }));
    expect((await iam.send(new ListSAMLProviderTagsCommand({ SAMLProviderArn: arn }))).Tags).toEqual([
      { Key: "x", Value: "y" },
    ]);

    await iam.send(new DeleteSAMLProviderCommand({ SAMLProviderArn: arn }));
    expect(await awsError(iam.send(new GetSAMLProviderCommand({ SAMLProviderArn: arn })))).toMatchObject({
      name: "NoSuchEntity",
      status: 404,
    });
  });

  it("validates the metadata as XML with an entity id, an IdP certificate and a valid date", async () => {
    const create = (Name: string, doc: string) =>
      iam.send(new CreateSAMLProviderCommand({ Name, SAMLMetadataDocument: doc }));
    const bad = [
      metadata("https://idp").replace("</md:IDPSSODescriptor>", ""), // mismatched tags
      metadata(""), // empty entity id
      metadata("https://idp", 'validUntil="not a date"'),
      metadata("https://idp", "", "@@not base64@@"),
      metadata("https://idp").replace(/<md:KeyDescriptor[\s\S]*<\/md:KeyDescriptor>/, `<!-- ${"x".repeat(300)} -->`),
      `<!DOCTYPE x [<!ENTITY a "b">]>${metadata("https://idp")}`,
      metadata("https://idp") + "<second/>",
      metadata("https://idp").replace("&amp;", "&bogus;"),
    ];
    for (const [n, doc] of bad.entries()) {
      expect(await awsError(create(`bad-${n}`, doc.padEnd(1000, " ")))).toMatchObject({
        name: "InvalidInput",
        status: 400,
        message: "Could not parse metadata",
      });
    }
    expect(await awsError(create("short", "<x/>"))).toMatchObject({
      name: "ValidationError",
      message: expect.stringContaining("Member must have length greater than or equal to 1000"),
    });
    expect(await awsError(create("bad name!", metadata("https://idp")))).toMatchObject({ name: "ValidationError" });
    await create("twice", metadata("https://idp"));
    expect(await awsError(create("twice", metadata("https://idp")))).toMatchObject({
      name: "EntityAlreadyExists",
      status: 409,
    });
    const missing = `arn:aws:iam::${ACCOUNT}:saml-provider/none`;
    expect(
      await awsError(
        iam.send(new UpdateSAMLProviderCommand({ SAMLProviderArn: missing, SAMLMetadataDocument: metadata("a") })),
      ),
    ).toMatchObject({ name: "NoSuchEntity" });
    expect(await awsError(iam.send(new DeleteSAMLProviderCommand({ SAMLProviderArn: missing })))).toMatchObject({
      name: "NoSuchEntity",
    });
  });
});

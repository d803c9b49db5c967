// Validation errors never echo members AWS's models mark sensitive (passwords, tokens): "Value at 'password' ...".
// The sensitive shapes are those of ../shared/aws-models (passwordType, webIdentityTokenType, SAMLAssertionType...).
import { CreateLoginProfileCommand, CreateUserCommand } from "@aws-sdk/client-iam";
import { AssumeRoleWithWebIdentityCommand } from "@aws-sdk/client-sts";
import { describe, expect, it } from "vitest";
import { ACCOUNT } from "./fixtures";
import { awsError, iamClient, stsClient } from "./sdk";

describe("validation messages of sensitive members", () => {
  it("leave a password out, and still show other members' values", async () => {
    const iam = iamClient();
    await iam.send(new CreateUserCommand({ UserName: "secretive" }));
    const password = `S3cret-${"x".repeat(130)}`;
    const err = await awsError(iam.send(new CreateLoginProfileCommand({ UserName: "secretive", Password: password })));
    expect(err.name).toBe("ValidationError");
    expect(err.message).toBe(
      "1 validation error detected: Value at 'password' failed to satisfy constraint: Member must have length less than or equal to 128",
    );
    const long = "u".repeat(65);
    const named = await awsError(iam.send(new CreateUserCommand({ UserName: long })));
    expect(named.message).toContain(`Value '${long}' at 'userName'`);
  });

  it("leave a web identity token out", async () => {
    const token = `eyJ${"a".repeat(20001)}`;
    const err = await awsError(
      stsClient().send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: `arn:aws:iam::${ACCOUNT}:role/whoever`,
          RoleSessionName: "s1",
          WebIdentityToken: token,
        }),
      ),
    );
    expect(err.name).toBe("ValidationError");
    expect(err.message).toContain("Value at 'webIdentityToken' failed to satisfy constraint");
    expect(err.message).not.toContain("aaaa");
  });
});

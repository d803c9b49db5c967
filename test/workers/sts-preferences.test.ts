// SetSecurityTokenServicePreferences: the account's global-endpoint token version, as GetAccountSummary reports it.
// AWS pages: https://docs.aws.amazon.com/IAM/latest/APIReference/API_SetSecurityTokenServicePreferences.html,
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_region-endpoints.html.
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  GetAccountSummaryCommand,
  PutUserPolicyCommand,
  SetSecurityTokenServicePreferencesCommand,
  type GlobalEndpointTokenVersion,
} from "@aws-sdk/client-iam";
import { describe, expect, it } from "vitest";
import { doc } from "./fixtures";
import { awsError, iamClient } from "./sdk";

const root = iamClient();
const tokenVersion = async () =>
  (await root.send(new GetAccountSummaryCommand({}))).SummaryMap?.GlobalEndpointTokenVersion;

describe("SetSecurityTokenServicePreferences", () => {
  it("stores the token version, which GetAccountSummary reports as 1 or 2", async () => {
    expect(await tokenVersion()).toBe(1); // AWS's default: v1 tokens
    await root.send(new SetSecurityTokenServicePreferencesCommand({ GlobalEndpointTokenVersion: "v2Token" }));
    expect(await tokenVersion()).toBe(2);
    await root.send(new SetSecurityTokenServicePreferencesCommand({ GlobalEndpointTokenVersion: "v1Token" }));
    expect(await tokenVersion()).toBe(1);
  });

  it("validates the version and is authorized as iam:SetSecurityTokenServicePreferences", async () => {
    const bad = await awsError(
      root.send(
        new SetSecurityTokenServicePreferencesCommand({
          GlobalEndpointTokenVersion: "v3Token" as GlobalEndpointTokenVersion,
        }),
      ),
    );
    expect(bad.name).toBe("ValidationError");
    expect(bad.message).toContain("globalEndpointTokenVersion");

    await root.send(new CreateUserCommand({ UserName: "reader" }));
    await root.send(
      new PutUserPolicyCommand({ UserName: "reader", PolicyName: "p", PolicyDocument: doc("iam:GetAccountSummary") }),
    );
    const { AccessKey } = await root.send(new CreateAccessKeyCommand({ UserName: "reader" }));
    const reader = iamClient({
      accessKeyId: AccessKey?.AccessKeyId ?? "",
      secretAccessKey: AccessKey?.SecretAccessKey ?? "",
    });
    const denied = await awsError(
      reader.send(new SetSecurityTokenServicePreferencesCommand({ GlobalEndpointTokenVersion: "v2Token" })),
    );
    expect(denied.name).toBe("AccessDenied");
    expect(denied.message).toContain("iam:SetSecurityTokenServicePreferences");
    expect(await tokenVersion()).toBe(1);
  });
});

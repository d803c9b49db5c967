// The credential report through the real AWS SDK: generate, then the CSV AWS documents, base64 in the response.
import {
  CreateAccessKeyCommand,
  CreateLoginProfileCommand,
  CreateUserCommand,
  GenerateCredentialReportCommand,
  GetCredentialReportCommand,
} from "@aws-sdk/client-iam";
import { describe, expect, it } from "vitest";
import { ACCOUNT } from "./fixtures";
import { awsError, iamClient } from "./sdk";

const iam = iamClient();

describe("credential report", () => {
  it("is absent until generated, then lists every user's password and keys", async () => {
    expect(await awsError(iam.send(new GetCredentialReportCommand({})))).toMatchObject({
      name: "ReportNotPresent",
      status: 410,
    });
    await iam.send(new CreateUserCommand({ UserName: "reporter" }));
    await iam.send(new CreateLoginProfileCommand({ UserName: "reporter", Password: "Correct-Horse-9-Battery" }));
    await iam.send(new CreateAccessKeyCommand({ UserName: "reporter" }));
    await iam.send(new CreateUserCommand({ UserName: "quiet" }));

    expect((await iam.send(new GenerateCredentialReportCommand({}))).State).toBe("STARTED");
    expect((await iam.send(new GenerateCredentialReportCommand({}))).State).toBe("COMPLETE");
    const got = await iam.send(new GetCredentialReportCommand({}));
    expect(got.ReportFormat).toBe("text/csv");
    expect(got.GeneratedTime).toBeInstanceOf(Date);
    const lines = new TextDecoder().decode(got.Content).split("\n");
    expect(lines[0]).toBe(
      "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation," +
        "mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date," +
        "access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated," +
        "access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active," +
        "cert_1_last_rotated,cert_2_active,cert_2_last_rotated",
    );
    expect(lines[1]?.startsWith(`<root_account>,arn:aws:iam::${ACCOUNT}:root,`)).toBe(true);
    const reporter = lines.find((l) => l.startsWith("reporter,"))?.split(",") ?? [];
    expect(reporter[1]).toBe(`arn:aws:iam::${ACCOUNT}:user/reporter`);
    expect(reporter[3]).toBe("true");
    expect(reporter[4]).toBe("no_information");
    expect(reporter[7]).toBe("false");
    expect(reporter[8]).toBe("true");
    expect(reporter[9]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/);
    expect(reporter[13]).toBe("false");
    const quiet = lines.find((l) => l.startsWith("quiet,"))?.split(",") ?? [];
    expect(quiet[3]).toBe("false");
    expect(quiet[4]).toBe("N/A");
    expect(quiet).toHaveLength(22);
  });
});

// POST /v1/accounts/import refuses bad snapshots and callers whole: AWS's errors naming the entity, nothing stored.
import { AttachUserPolicyCommand, CreateAccessKeyCommand, CreateUserCommand } from "@aws-sdk/client-iam";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { writeImport } from "../../src/store/account-import";
import { openDb } from "../../src/store/db";
import { EMPTY, handSnapshot, idFor, importSnapshot, rowCounts } from "./import-fixtures";
import { iamClient } from "./sdk";

// A fresh account per case, so "nothing stored" is all zeros and cases never see each other's rows.
let n = 0;
const fresh = () => `4444000000${String(++n).padStart(2, "0")}`;
type Snap = ReturnType<typeof handSnapshot>;

async function refused(account: string, change: (s: Snap) => unknown, code: string, message: string | RegExp) {
  const s = handSnapshot(account);
  const out = change(s);
  const body = typeof out === "object" && out !== null ? out : s;
  const answer = await importSnapshot(body);
  expect(answer.body.error?.code, answer.body.error?.message).toBe(code);
  expect(answer.body.error?.message).toMatch(message);
  expect(await rowCounts(account)).toEqual(EMPTY);
  return answer;
}

describe("refused snapshots store nothing", () => {
  it("refuses text that is not JSON, or a file cut short", async () => {
    const text = JSON.stringify(handSnapshot(fresh()));
    for (const raw of ["not json", text.slice(0, text.length / 2)]) {
      const answer = await importSnapshot(undefined, { raw });
      expect(answer.status).toBe(400);
      expect(answer.body.error?.message).toContain("not valid JSON");
    }
  });

  it("refuses one truncated page and malformed members, naming the entity", async () => {
    await refused(fresh(), (s) => ({ ...s, IsTruncated: true, Marker: "x" }), "ValidationError", /truncated page/);
    await refused(
      fresh(),
      (s) => void (s.UserDetailList[1]!.UserId = "AROA0000000000000000X"),
      "ValidationError",
      /UserDetailList\.1\.UserId \(bob\): must start with AIDA/,
    );
    await refused(fresh(), () => [1, 2], "ValidationError", /JSON object/);
    await refused(
      fresh(),
      (s) => void (s.RoleDetailList[0]!.Path = "no-slashes"),
      "ValidationError",
      /Path \(deploy\)/,
    );
  });

  it("refuses ARNs of two accounts, naming the one that conflicts", async () => {
    const account = fresh();
    const answer = await refused(
      account,
      (s) => void (s.GroupDetailList[0]!.Arn = "arn:aws:iam::999999999999:group/dev/Developers"),
      "ValidationError",
      /two accounts: arn:aws:iam::999999999999:group\/dev\/Developers \(group Developers\)/,
    );
    expect(answer.status).toBe(400);
  });

  it("refuses duplicate names (case-insensitively) and ids", async () => {
    await refused(
      fresh(),
      (s) =>
        s.UserDetailList.push({
          ...s.UserDetailList[1]!,
          UserName: "BOB",
          UserId: "AIDA00000000000000BOB2",
          Arn: s.UserDetailList[1]!.Arn.replace("bob", "BOB"),
        }),
      "EntityAlreadyExists",
      /two users named BOB/,
    );
    await refused(
      fresh(),
      (s) =>
        void ((s.RoleDetailList[0]!.RoleId = s.UserDetailList[0]!.UserId.replace("AIDA", "AROA")),
        (s.UserDetailList[1]!.UserId = s.UserDetailList[0]!.UserId)),
      "EntityAlreadyExists",
      /id AIDA\w+ for two entities/,
    );
  });

  it("refuses dangling references and invalid documents", async () => {
    await refused(
      fresh(),
      (s) => void (s.UserDetailList[0]!.GroupList as string[]).push("Nobody"),
      "NoSuchEntity",
      /user alice is in group Nobody/,
    );
    await refused(
      fresh(),
      (s) => void (s.Policies = s.Policies.filter((p) => p.PolicyName !== "Boundary")),
      "NoSuchEntity",
      /policy\/Boundary \(permissions boundary of user alice\) is not among the snapshot's Policies/,
    );
    await refused(
      fresh(),
      (s) =>
        void (s.GroupDetailList[0]!.GroupPolicyList[0]!.PolicyDocument = {
          Version: "2012-10-17",
          Statement: [{ Effect: "Maybe", Action: "s3:*", Resource: "*" }],
        } as never),
      "MalformedPolicyDocument",
      /Inline policy GroupInline of group Developers/,
    );
    await refused(
      fresh(),
      (s) => void (s.Policies[0]!.DefaultVersionId = "v3"),
      "ValidationError",
      /default version of policy DevAccess/,
    );
  });

  it("refuses snapshots over a quota", async () => {
    await refused(
      fresh(),
      (s) => {
        const u = s.UserDetailList[1]!;
        for (let i = 0; i < 5000; i++) {
          s.UserDetailList.push({
            ...u,
            UserName: `u${i}`,
            UserId: `AIDA${String(i).padStart(17, "0")}`,
            Arn: u.Arn.replace("bob", `u${i}`),
          });
        }
      },
      "LimitExceeded",
      /UsersPerAccount: 5000 \(the snapshot has 5002\)/,
    );
    await refused(
      fresh(),
      (s) => void (s.UserDetailList[0]!.Tags = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: "v" }))),
      "LimitExceeded",
      /TagsPerResource \(user alice\)/,
    );
    await refused(
      fresh(),
      (s) =>
        void (s.UserDetailList[0]!.UserPolicyList[0]!.PolicyDocument = {
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Action: "s3:GetObject",
              Resource: Array.from({ length: 60 }, (_, i) => `arn:aws:s3:::bucket-with-a-long-name-${i}/*`),
            },
          ],
        } as never),
      "LimitExceeded",
      /Maximum policy size of 2048 bytes exceeded for user alice/,
    );
  });

  it("refuses a bad account or mode parameter", async () => {
    expect((await importSnapshot(handSnapshot(fresh()), { query: "account=12" })).body.error?.message).toMatch(
      /12-digit/,
    );
    expect((await importSnapshot(handSnapshot(fresh()), { query: "mode=merge" })).body.error?.message).toMatch(
      /only mode is replace/,
    );
  });
});

describe("only the root user may import", () => {
  it("refuses unsigned requests and IAM users, even administrators", async () => {
    const account = fresh();
    const unsigned = await importSnapshot(handSnapshot(account), { sign: false });
    expect(unsigned.status).toBe(403);
    const iam = iamClient();
    await iam.send(new CreateUserCommand({ UserName: "importer-admin" }));
    await iam.send(
      new AttachUserPolicyCommand({
        UserName: "importer-admin",
        PolicyArn: "arn:aws:iam::aws:policy/AdministratorAccess",
      }),
    );
    const key = await iam.send(new CreateAccessKeyCommand({ UserName: "importer-admin" }));
    const answer = await importSnapshot(handSnapshot(account), {
      credentials: { accessKeyId: key.AccessKey!.AccessKeyId!, secretAccessKey: key.AccessKey!.SecretAccessKey! },
    });
    expect(answer.status).toBe(403);
    expect(answer.body.error?.code).toBe("AccessDenied");
    expect(await rowCounts(account)).toEqual(EMPTY);
  });
});

describe("the write is one transaction", () => {
  it("rolls back every earlier insert when a later statement of the batch fails", async () => {
    const account = fresh();
    const id = idFor("AIDA", account, "x");
    const tag = {
      accountId: account,
      resourceKind: "user" as const,
      resourceId: id,
      key: "k",
      keyLower: "k",
      value: "v",
    };
    const rows = {
      accountId: account,
      users: [
        {
          id,
          accountId: account,
          name: "x",
          nameKey: "x",
          path: "/",
          arn: `arn:aws:iam::${account}:user/x`,
          createdAt: 1,
        },
      ],
      groups: [],
      members: [],
      roles: [],
      policies: [],
      versions: [],
      inline: [],
      attachments: [],
      // The same key twice violates the tags primary key in the last statement of the batch.
      tags: [tag, tag],
      instanceProfiles: [],
      profileRoles: [],
    };
    await expect(writeImport(openDb(env.DB), rows, false, 1)).rejects.toThrow(/constraint/i);
    expect(await rowCounts(account)).toEqual(EMPTY);
  });

  it("aborts when the account filled up between the read and the write (the emptiness guard)", async () => {
    const account = fresh();
    expect((await importSnapshot(handSnapshot(account))).status).toBe(200);
    const before = await rowCounts(account);
    const rows = {
      accountId: account,
      users: [],
      groups: [],
      members: [],
      roles: [],
      policies: [],
      versions: [],
      inline: [],
      attachments: [],
      tags: [],
      instanceProfiles: [],
      profileRoles: [],
    };
    await expect(
      writeImport(
        openDb(env.DB),
        {
          ...rows,
          users: [
            {
              id: idFor("AIDA", account, "late"),
              accountId: account,
              name: "late",
              nameKey: "late",
              path: "/",
              arn: `arn:aws:iam::${account}:user/late`,
              createdAt: 1,
            },
          ],
        },
        false,
        1,
      ),
    ).rejects.toThrow();
    expect(await rowCounts(account)).toEqual(before);
  });
});

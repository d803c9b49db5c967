// IAM users through the real AWS SDK against the Worker with real local D1.
import {
  CreateUserCommand,
  DeleteUserCommand,
  GetUserCommand,
  ListUsersCommand,
  ListUserTagsCommand,
  TagUserCommand,
  UntagUserCommand,
  UpdateUserCommand,
} from "@aws-sdk/client-iam";
import { describe, expect, it } from "vitest";
import { awsError, iamClient } from "./sdk";

const iam = iamClient();

describe("users", () => {
  it("creates a user and reads it back with the shape AWS returns", async () => {
    const created = await iam.send(
      new CreateUserCommand({ UserName: "alice", Path: "/eng/", Tags: [{ Key: "team", Value: "core" }] }),
    );
    expect(created.User).toMatchObject({
      UserName: "alice",
      Path: "/eng/",
      Arn: "arn:aws:iam::123456789012:user/eng/alice",
      Tags: [{ Key: "team", Value: "core" }],
    });
    expect(created.User?.UserId).toMatch(/^AIDA[A-Z2-7]{17}$/);
    expect(created.User?.CreateDate).toBeInstanceOf(Date);

    const got = await iam.send(new GetUserCommand({ UserName: "ALICE" }));
    expect(got.User?.UserId).toBe(created.User?.UserId);
    expect(got.User?.Tags).toEqual([{ Key: "team", Value: "core" }]);
  });

  it("refuses a duplicate name case-insensitively and leaves the first user intact", async () => {
    await iam.send(new CreateUserCommand({ UserName: "Bob" }));
    const err = await awsError(iam.send(new CreateUserCommand({ UserName: "bob", Path: "/other/" })));
    expect(err).toMatchObject({
      name: "EntityAlreadyExists",
      status: 409,
      message: "User with name bob already exists.",
    });
    const got = await iam.send(new GetUserCommand({ UserName: "Bob" }));
    expect(got.User?.Path).toBe("/");
  });

  it("lets exactly one of two concurrent creates of the same name succeed", async () => {
    const results = await Promise.allSettled([
      iam.send(new CreateUserCommand({ UserName: "racer" })),
      iam.send(new CreateUserCommand({ UserName: "RACER" })),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const rejected = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect((rejected.reason as { Code: string }).Code).toBe("EntityAlreadyExists");
  });

  it("answers ValidationError with AWS's wording for names out of pattern or length", async () => {
    const bad = await awsError(iam.send(new CreateUserCommand({ UserName: "has space" })));
    expect(bad.name).toBe("ValidationError");
    expect(bad.message).toBe(
      "1 validation error detected: Value 'has space' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+",
    );
    const long = await awsError(iam.send(new CreateUserCommand({ UserName: "x".repeat(65), Path: "nope" })));
    expect(long.message).toMatch(/^2 validation errors detected: /);
    expect(long.message).toContain("Member must have length less than or equal to 64");
    expect(long.message).toContain("at 'path' failed to satisfy constraint");
    const list = await iam.send(new ListUsersCommand({}));
    expect(list.Users?.map((u) => u.UserName)).not.toContain("has space");
  });

  it("answers NoSuchEntity for a missing user", async () => {
    const err = await awsError(iam.send(new GetUserCommand({ UserName: "ghost" })));
    expect(err).toMatchObject({
      name: "NoSuchEntity",
      status: 404,
      message: "The user with name ghost cannot be found.",
    });
  });

  it("paginates ListUsers in name order with Marker and filters by PathPrefix", async () => {
    for (const n of ["p1", "p2", "p3", "p4", "p5"]) {
      await iam.send(new CreateUserCommand({ UserName: `page-${n}`, Path: "/paged/" }));
    }
    const names: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const out = await iam.send(new ListUsersCommand({ PathPrefix: "/paged/", MaxItems: 2, Marker: marker }));
      names.push(...(out.Users ?? []).map((u) => u.UserName ?? ""));
      marker = out.IsTruncated ? out.Marker : undefined;
      pages++;
    } while (marker);
    expect(pages).toBe(3);
    expect(names).toEqual(["page-p1", "page-p2", "page-p3", "page-p4", "page-p5"]);
  });

  it("renames and moves a user, keeping its id", async () => {
    const { User } = await iam.send(new CreateUserCommand({ UserName: "carol" }));
    await iam.send(new UpdateUserCommand({ UserName: "carol", NewUserName: "caroline", NewPath: "/ops/" }));
    const got = await iam.send(new GetUserCommand({ UserName: "caroline" }));
    expect(got.User).toMatchObject({ UserId: User?.UserId, Arn: "arn:aws:iam::123456789012:user/ops/caroline" });
    expect((await awsError(iam.send(new GetUserCommand({ UserName: "carol" })))).name).toBe("NoSuchEntity");
  });

  it("tags, lists and untags a user, refusing more than 50 tags without changing them", async () => {
    await iam.send(new CreateUserCommand({ UserName: "tagged" }));
    await iam.send(
      new TagUserCommand({
        UserName: "tagged",
        Tags: [
          { Key: "a", Value: "1" },
          { Key: "b", Value: "2" },
        ],
      }),
    );
    await iam.send(new TagUserCommand({ UserName: "tagged", Tags: [{ Key: "A", Value: "3" }] }));
    let tags = await iam.send(new ListUserTagsCommand({ UserName: "tagged" }));
    expect(tags.Tags).toEqual([
      { Key: "A", Value: "3" },
      { Key: "b", Value: "2" },
    ]);
    const many = Array.from({ length: 49 }, (_, i) => ({ Key: `k${i}`, Value: "v" }));
    const err = await awsError(iam.send(new TagUserCommand({ UserName: "tagged", Tags: many })));
    expect(err.name).toBe("LimitExceeded");
    await iam.send(new UntagUserCommand({ UserName: "tagged", TagKeys: ["a"] }));
    tags = await iam.send(new ListUserTagsCommand({ UserName: "tagged" }));
    expect(tags.Tags).toEqual([{ Key: "b", Value: "2" }]);
  });

  it("deletes a user", async () => {
    await iam.send(new CreateUserCommand({ UserName: "doomed" }));
    await iam.send(new DeleteUserCommand({ UserName: "doomed" }));
    expect((await awsError(iam.send(new GetUserCommand({ UserName: "doomed" })))).name).toBe("NoSuchEntity");
    expect((await awsError(iam.send(new DeleteUserCommand({ UserName: "doomed" })))).name).toBe("NoSuchEntity");
  });

  it("describes the root caller when GetUser names no user", async () => {
    const got = await iam.send(new GetUserCommand({}));
    expect(got.User).toMatchObject({ UserId: "123456789012", Arn: "arn:aws:iam::123456789012:root" });
  });
});

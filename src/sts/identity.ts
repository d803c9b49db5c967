// STS GetCallerIdentity (always allowed) and GetAccessKeyInfo (the account an access key belongs to).
import { eq } from "drizzle-orm";
import { z } from "zod";
import { AwsError } from "../aws/errors";
import { constantTimeEqual } from "../aws/crypto";
import type { Operation } from "../core/operation";
import { accessKeys } from "../store/schema";
import { accessKeyIdMember } from "./fields";

/** Allowed for every authenticated caller, even under an explicit deny of sts:GetCallerIdentity, as AWS documents. */
export const getCallerIdentity: Operation = {
  service: "sts",
  name: "GetCallerIdentity",
  input: z.object({}),
  action: null,
  resource: () => "*",
  run: async (_i, ctx) => ({
    UserId: ctx.principal.userId,
    Account: ctx.principal.accountId,
    Arn: ctx.principal.arn,
  }),
};

const keyInfoInput = z.object({ AccessKeyId: accessKeyIdMember });

export const getAccessKeyInfo: Operation<typeof keyInfoInput> = {
  service: "sts",
  name: "GetAccessKeyInfo",
  input: keyInfoInput,
  action: "sts:GetAccessKeyInfo",
  resource: () => "*",
  run: async (i, ctx) => {
    const id = i.AccessKeyId;
    if (constantTimeEqual(id, ctx.env.ROOT_ACCESS_KEY_ID)) return { Account: ctx.env.DEFAULT_ACCOUNT_ID };
    if (id.startsWith("ASIA")) {
      const session = await ctx.sessions.get(id);
      if (session) return { Account: session.accountId };
    } else {
      const [row] = await ctx.db
        .select({ account: accessKeys.accountId })
        .from(accessKeys)
        .where(eq(accessKeys.id, id))
        .limit(1);
      if (row) return { Account: row.account };
    }
    // AWS reads the account out of the key id itself; this simulator's ids carry no account, so it must know the key.
    throw new AwsError("InvalidParameterValue", `The access key ${id} was not issued by this simulator.`);
  },
};

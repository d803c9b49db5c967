// STS GetCallerIdentity: who signed the request; allowed for every authenticated caller, even under explicit deny.
import { z } from "zod";
import type { Operation } from "../api/operation";

export const getCallerIdentity: Operation = {
  service: "sts",
  name: "GetCallerIdentity",
  input: z.object({}),
  action: null,
  resource: () => "*",
  run: async (_i, ctx) => ({
    UserId: ctx.caller.userId,
    Account: ctx.caller.accountId,
    Arn: ctx.caller.arn,
  }),
};

export const stsOperations: Operation[] = [getCallerIdentity];

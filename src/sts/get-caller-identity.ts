// STS GetCallerIdentity: who signed the request; allowed for every authenticated caller, even under explicit deny.
import { z } from "zod";
import type { Operation } from "../core/operation";

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

export const stsOperations: Operation[] = [getCallerIdentity];

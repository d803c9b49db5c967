// Operations of the IAM and STS service models that the table does not serve, each with the reason (README lists them).

/** What AWS does with these depends on services or parties outside IAM, STS and Organizations. */
const DELEGATION =
  "delegation requests come from onboarded AWS partners and their tokens go out over the partner's notification " +
  "channel (AWS: not available for general use); there is no partner side to simulate";

/** Model operations deliberately absent from the operation table, by service: operation name -> why. */
export const NOT_IMPLEMENTED: Readonly<Record<"iam" | "sts", Readonly<Record<string, string>>>> = {
  iam: {
    AcceptDelegationRequest: DELEGATION,
    AssociateDelegationRequest: DELEGATION,
    CreateDelegationRequest: DELEGATION,
    GetDelegationRequest: DELEGATION,
    ListDelegationRequests: DELEGATION,
    RejectDelegationRequest: DELEGATION,
    SendDelegationToken: DELEGATION,
    UpdateDelegationRequest: DELEGATION,
    GetHumanReadableSummary:
      "AWS generates the summary of a delegation request with a large language model; delegation requests are not " +
      "simulated either",
  },
  sts: {
    DecodeAuthorizationMessage:
      "decodes the encoded authorization failures other AWS services (EC2 and others) return; this service issues none",
    GetDelegatedAccessToken: DELEGATION,
  },
};

// The AWS managed organization policies every organization has: FullAWSAccess (SCP) and RCPFullAWSAccess (RCP).

export const SCP = "SERVICE_CONTROL_POLICY";
export const RCP = "RESOURCE_CONTROL_POLICY";
/** The policy types this service implements; the model lists more (tag, backup... policies). */
export const SUPPORTED_TYPES = [SCP, RCP] as const;

export interface ManagedOrgPolicy {
  id: string;
  name: string;
  description: string;
  type: string;
  content: string;
}

export const FULL_AWS_ACCESS: ManagedOrgPolicy = {
  id: "p-FullAWSAccess",
  name: "FullAWSAccess",
  description: "Allows access to every operation",
  type: SCP,
  content: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }),
};

export const RCP_FULL_AWS_ACCESS: ManagedOrgPolicy = {
  id: "p-RCPFullAWSAccess",
  name: "RCPFullAWSAccess",
  description: "Allows access to every operation",
  type: RCP,
  content: JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: "*", Action: "*", Resource: "*" }],
  }),
};

const BY_ID = new Map([FULL_AWS_ACCESS, RCP_FULL_AWS_ACCESS].map((p) => [p.id, p]));

export function managedOrgPolicy(id: string): ManagedOrgPolicy | undefined {
  return BY_ID.get(id);
}

/** The managed policy attached to every root, OU and account while its type is enabled. */
export function defaultPolicyFor(type: string): ManagedOrgPolicy {
  return type === RCP ? RCP_FULL_AWS_ACCESS : FULL_AWS_ACCESS;
}

/** The ARN segment of each policy type, as in arn:aws:organizations::<mgmt>:policy/o-.../service_control_policy/p-... */
export function typeSegment(type: string): string {
  return type.toLowerCase();
}

// THE operation table: every operation of every service (query and awsJson), looked up by service and action name.
import { stsOperations } from "../sts/index";
import { userOperations } from "../iam/users";
import { groupOperations } from "../iam/groups";
import { roleOperations } from "../iam/roles";
import { accessKeyOperations } from "../iam/access-keys";
import { loginProfileOperations } from "../iam/login-profiles";
import { accountOperations } from "../iam/account";
import { policyOperations } from "../iam/policies";
import { policyVersionOperations } from "../iam/policy-versions";
import { attachmentOperations } from "../iam/attachments";
import { inlinePolicyOperations } from "../iam/inline-policies";
import { boundaryOperations } from "../iam/boundaries";
import { authorizationDetailsOperations } from "../iam/authorization-details";
import { instanceProfileOperations } from "../iam/instance-profiles";
import { oidcProviderOperations } from "../iam/oidc-providers";
import { samlProviderOperations } from "../iam/saml-providers";
import { serviceLinkedRoleOperations } from "../iam/service-linked-roles";
import { sshKeyOperations } from "../iam/ssh-keys";
import { serviceCredentialOperations } from "../iam/service-credentials";
import { mfaDeviceOperations } from "../iam/mfa-devices";
import { credentialReportOperations } from "../iam/credential-report";
import { serviceLastAccessedOperations } from "../iam/service-last-accessed";
import { organizationsAccessReportOperations } from "../iam/organizations-access-report";
import { serverCertificateOperations } from "../iam/server-certificates";
import { signingCertificateOperations } from "../iam/signing-certificates";
import { organizationsOperations } from "../organizations/index";
import { simulatePrincipalOperations } from "../simulator/iam-simulate-principal";
import { simulateCustomOperations } from "../simulator/iam-simulate-custom";
import type { Operation, QueryServiceName, ServiceName } from "./operation";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each entry keeps its own input type
type AnyOperation = Operation<any>;

const ALL: AnyOperation[] = [
  ...userOperations,
  ...groupOperations,
  ...roleOperations,
  ...accessKeyOperations,
  ...loginProfileOperations,
  ...accountOperations,
  ...policyOperations,
  ...policyVersionOperations,
  ...attachmentOperations,
  ...inlinePolicyOperations,
  ...boundaryOperations,
  ...authorizationDetailsOperations,
  ...instanceProfileOperations,
  ...oidcProviderOperations,
  ...samlProviderOperations,
  ...serviceLinkedRoleOperations,
  ...sshKeyOperations,
  ...serviceCredentialOperations,
  ...mfaDeviceOperations,
  ...credentialReportOperations,
  ...serviceLastAccessedOperations,
  ...organizationsAccessReportOperations,
  ...serverCertificateOperations,
  ...signingCertificateOperations,
  ...stsOperations,
  ...organizationsOperations,
  ...simulatePrincipalOperations,
  ...simulateCustomOperations,
];

/** The API version each service accepts, used when an unsigned call names its service only by Version. */
export const SERVICE_VERSIONS: Record<QueryServiceName, string> = { iam: "2010-05-08", sts: "2011-06-15" };

const TABLE = new Map<string, AnyOperation>(ALL.map((op) => [`${op.service}:${op.name}`, op]));

export function findOperation(service: ServiceName, action: string): AnyOperation | undefined {
  return TABLE.get(`${service}:${action}`);
}

export function operationNames(service: ServiceName): string[] {
  return ALL.filter((op) => op.service === service).map((op) => op.name);
}

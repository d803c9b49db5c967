// The STS operations of the one operation table.
import type { Operation } from "../core/operation";
import { assumeRole } from "./assume-role";
import { assumeRoot } from "./assume-root";
import { getAccessKeyInfo, getCallerIdentity } from "./identity";
import { assumeRoleWithSaml } from "./saml";
import { getFederationToken, getSessionToken } from "./tokens";
import { assumeRoleWithWebIdentity } from "./web-identity";
import { getWebIdentityToken } from "./web-identity-token";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each entry keeps its own input type
export const stsOperations: Operation<any>[] = [
  getCallerIdentity,
  getAccessKeyInfo,
  assumeRole,
  getSessionToken,
  getFederationToken,
  assumeRoleWithWebIdentity,
  assumeRoot,
  assumeRoleWithSaml,
  getWebIdentityToken,
];

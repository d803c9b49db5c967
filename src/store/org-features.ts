// Organization and account settings kept in KV: trusted service access, delegated administrators, IAM's centralized
// root access features and the account's STS preferences. One key per item, so concurrent writes never lose another's.
//
// KV rather than D1: these are a few small flags read by a handful of operations, and keeping them here needs no
// schema change. Reset (`/_admin/reset`) wipes KV with D1; DeleteOrganization removes its organization's keys.

/** The centralized root access features of IAM (the model's FeatureType). */
export type RootAccessFeature = "RootCredentialsManagement" | "RootSessions";
export const ROOT_ACCESS_FEATURES: readonly RootAccessFeature[] = ["RootCredentialsManagement", "RootSessions"];

/** A service given trusted access to an organization, and when. */
export interface EnabledService {
  servicePrincipal: string;
  enabledAt: number;
}

/** A member account registered as a delegated administrator for a service, and when. */
export interface DelegatedAdmin {
  accountId: string;
  servicePrincipal: string;
  enabledAt: number;
}

export type GlobalEndpointTokenVersion = "v1Token" | "v2Token";

interface Meta {
  at: number;
}

const orgPrefix = (orgId: string) => `org-settings:${orgId}:`;
const serviceKey = (orgId: string, principal: string) => `${orgPrefix(orgId)}service:${principal}`;
const delegatedKey = (orgId: string, principal: string, account: string) =>
  `${orgPrefix(orgId)}delegated:${principal}:${account}`;
const featureKey = (orgId: string, feature: RootAccessFeature) => `${orgPrefix(orgId)}iam-feature:${feature}`;
const stsPreferencesKey = (accountId: string) => `account-settings:${accountId}:sts`;

/** Every key (with its metadata) under a prefix, across KV's list pages. */
async function listAll(kv: KVNamespace, prefix: string): Promise<{ name: string; at: number }[]> {
  const out: { name: string; at: number }[] = [];
  let cursor: string | undefined;
  do {
    const page = await kv.list<Meta>({ prefix, cursor });
    for (const k of page.keys) out.push({ name: k.name.slice(prefix.length), at: k.metadata?.at ?? 0 });
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
  return out;
}

async function putFlag(kv: KVNamespace, key: string, at: number): Promise<void> {
  await kv.put(key, "1", { metadata: { at } satisfies Meta });
}

/** The narrow interface the operations see. */
export interface OrgSettingsStore {
  enabledServices(orgId: string): Promise<EnabledService[]>;
  isServiceEnabled(orgId: string, servicePrincipal: string): Promise<boolean>;
  enableService(orgId: string, servicePrincipal: string, at: number): Promise<void>;
  disableService(orgId: string, servicePrincipal: string): Promise<void>;
  delegatedAdmins(orgId: string): Promise<DelegatedAdmin[]>;
  registerDelegatedAdmin(orgId: string, servicePrincipal: string, accountId: string, at: number): Promise<void>;
  deregisterDelegatedAdmin(orgId: string, servicePrincipal: string, accountId: string): Promise<void>;
  rootAccessFeatures(orgId: string): Promise<RootAccessFeature[]>;
  setRootAccessFeature(orgId: string, feature: RootAccessFeature, enabled: boolean, at: number): Promise<void>;
  /** Removes every setting of a deleted organization. */
  deleteOrganization(orgId: string): Promise<void>;
  globalEndpointTokenVersion(accountId: string): Promise<GlobalEndpointTokenVersion>;
  setGlobalEndpointTokenVersion(accountId: string, version: GlobalEndpointTokenVersion): Promise<void>;
}

export function kvOrgSettings(kv: KVNamespace): OrgSettingsStore {
  return {
    async enabledServices(orgId) {
      const rows = await listAll(kv, `${orgPrefix(orgId)}service:`);
      return rows.map((r) => ({ servicePrincipal: r.name, enabledAt: r.at }));
    },
    async isServiceEnabled(orgId, principal) {
      return (await kv.get(serviceKey(orgId, principal))) !== null;
    },
    async enableService(orgId, principal, at) {
      // Enabling again keeps the first date, as the service stays enabled since then.
      if ((await kv.get(serviceKey(orgId, principal))) === null) await putFlag(kv, serviceKey(orgId, principal), at);
    },
    async disableService(orgId, principal) {
      await kv.delete(serviceKey(orgId, principal));
    },
    async delegatedAdmins(orgId) {
      const rows = await listAll(kv, `${orgPrefix(orgId)}delegated:`);
      return rows.map((r) => {
        const cut = r.name.lastIndexOf(":");
        return { servicePrincipal: r.name.slice(0, cut), accountId: r.name.slice(cut + 1), enabledAt: r.at };
      });
    },
    async registerDelegatedAdmin(orgId, principal, accountId, at) {
      await putFlag(kv, delegatedKey(orgId, principal, accountId), at);
    },
    async deregisterDelegatedAdmin(orgId, principal, accountId) {
      await kv.delete(delegatedKey(orgId, principal, accountId));
    },
    async rootAccessFeatures(orgId) {
      const found = await Promise.all(ROOT_ACCESS_FEATURES.map((f) => kv.get(featureKey(orgId, f))));
      return ROOT_ACCESS_FEATURES.filter((_f, i) => found[i] !== null);
    },
    async setRootAccessFeature(orgId, feature, enabled, at) {
      if (enabled) await putFlag(kv, featureKey(orgId, feature), at);
      else await kv.delete(featureKey(orgId, feature));
    },
    async deleteOrganization(orgId) {
      const rows = await listAll(kv, orgPrefix(orgId));
      await Promise.all(rows.map((r) => kv.delete(orgPrefix(orgId) + r.name)));
    },
    async globalEndpointTokenVersion(accountId) {
      const v = await kv.get(stsPreferencesKey(accountId));
      // AWS's default for an account that never set it: version 1 tokens from the global endpoint.
      return v === "v2Token" ? "v2Token" : "v1Token";
    },
    async setGlobalEndpointTokenVersion(accountId, version) {
      await kv.put(stsPreferencesKey(accountId), version);
    },
  };
}

// The D1 schema (Drizzle): every IAM entity, scoped by account id; drizzle-kit generates drizzle/ from this file.
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/** Times are stored as epoch milliseconds so SQL can order and compare them cheaply. */
const createdAt = () => integer("created_at").notNull();

export const accounts = sqliteTable("accounts", {
  id: text("id").primaryKey(),
  /** JSON of the account password policy; null means "no policy set" (AWS answers NoSuchEntity). */
  passwordPolicy: text("password_policy"),
  createdAt: createdAt(),
});

/** Account aliases are globally unique across AWS, hence a table of their own with a unique key. */
export const accountAliases = sqliteTable("account_aliases", {
  alias: text("alias").primaryKey(),
  accountId: text("account_id")
    .notNull()
    .unique()
    .references(() => accounts.id, { onDelete: "cascade" }),
});

export const users = sqliteTable(
  "users",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull(),
    name: text("name").notNull(),
    /** IAM names are unique case-insensitively; this column carries the unique index and the list order. */
    nameKey: text("name_key").notNull(),
    path: text("path").notNull(),
    arn: text("arn").notNull(),
    permissionsBoundaryArn: text("permissions_boundary_arn"),
    passwordLastUsed: integer("password_last_used"),
    createdAt: createdAt(),
  },
  // The boundary index serves a policy's PermissionsBoundaryUsageCount without scanning every user.
  (t) => [
    uniqueIndex("users_account_name").on(t.accountId, t.nameKey),
    index("users_boundary").on(t.permissionsBoundaryArn),
  ],
);

export const groups = sqliteTable(
  "groups",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull(),
    name: text("name").notNull(),
    nameKey: text("name_key").notNull(),
    path: text("path").notNull(),
    arn: text("arn").notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("groups_account_name").on(t.accountId, t.nameKey)],
);

export const groupMembers = sqliteTable(
  "group_members",
  {
    accountId: text("account_id").notNull(),
    groupId: text("group_id")
      .notNull()
      .references(() => groups.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.groupId, t.userId] }), index("group_members_user").on(t.userId)],
);

export const roles = sqliteTable(
  "roles",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull(),
    name: text("name").notNull(),
    nameKey: text("name_key").notNull(),
    path: text("path").notNull(),
    arn: text("arn").notNull(),
    assumeRolePolicy: text("assume_role_policy").notNull(),
    description: text("description"),
    maxSessionDuration: integer("max_session_duration").notNull().default(3600),
    permissionsBoundaryArn: text("permissions_boundary_arn"),
    lastUsedAt: integer("last_used_at"),
    lastUsedRegion: text("last_used_region"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("roles_account_name").on(t.accountId, t.nameKey),
    index("roles_boundary").on(t.permissionsBoundaryArn),
  ],
);

/** Customer managed policies. AWS managed policies are read-only data shipped with the code, not rows. */
export const policies = sqliteTable(
  "policies",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull(),
    name: text("name").notNull(),
    nameKey: text("name_key").notNull(),
    path: text("path").notNull(),
    arn: text("arn").notNull(),
    description: text("description"),
    defaultVersionId: text("default_version_id").notNull(),
    /** AWS never reuses a version number, so the next one is kept rather than derived from the live versions. */
    nextVersion: integer("next_version").notNull().default(2),
    createdAt: createdAt(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [uniqueIndex("policies_account_name").on(t.accountId, t.nameKey), uniqueIndex("policies_arn").on(t.arn)],
);

export const policyVersions = sqliteTable(
  "policy_versions",
  {
    policyId: text("policy_id")
      .notNull()
      .references(() => policies.id, { onDelete: "cascade" }),
    versionId: text("version_id").notNull(),
    document: text("document").notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.policyId, t.versionId] })],
);

/** The kinds of identity a policy can be attached to or embedded in. */
export type PrincipalKind = "user" | "group" | "role";

export const inlinePolicies = sqliteTable(
  "inline_policies",
  {
    accountId: text("account_id").notNull(),
    principalKind: text("principal_kind").$type<PrincipalKind>().notNull(),
    principalId: text("principal_id").notNull(),
    name: text("name").notNull(),
    document: text("document").notNull(),
    /** Whitespace-free length, kept so the per-identity aggregate quota is a SUM rather than a re-parse. */
    size: integer("size").notNull(),
  },
  (t) => [primaryKey({ columns: [t.principalId, t.name] })],
);

export const attachments = sqliteTable(
  "attachments",
  {
    accountId: text("account_id").notNull(),
    principalKind: text("principal_kind").$type<PrincipalKind>().notNull(),
    principalId: text("principal_id").notNull(),
    policyArn: text("policy_arn").notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.principalId, t.policyArn] }), index("attachments_policy").on(t.policyArn)],
);

export type TaggableKind =
  | "user"
  | "role"
  | "policy"
  | "instance-profile"
  | "oidc-provider"
  | "saml-provider"
  | "mfa"
  | "server-certificate";

export const tags = sqliteTable(
  "tags",
  {
    accountId: text("account_id").notNull(),
    resourceKind: text("resource_kind").$type<TaggableKind>().notNull(),
    resourceId: text("resource_id").notNull(),
    key: text("key").notNull(),
    /** IAM treats tag keys case-insensitively for uniqueness while returning them as written. */
    keyLower: text("key_lower").notNull(),
    value: text("value").notNull(),
  },
  (t) => [primaryKey({ columns: [t.resourceId, t.keyLower] })],
);

export const accessKeys = sqliteTable(
  "access_keys",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** AES-GCM ciphertext of the secret access key (see aws/crypto.ts); never returned after creation. */
    secretEncrypted: text("secret_encrypted").notNull(),
    status: text("status").$type<"Active" | "Inactive">().notNull(),
    createdAt: createdAt(),
    lastUsedAt: integer("last_used_at"),
    lastUsedService: text("last_used_service"),
    lastUsedRegion: text("last_used_region"),
  },
  (t) => [index("access_keys_user").on(t.userId)],
);

export const loginProfiles = sqliteTable("login_profiles", {
  userId: text("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  accountId: text("account_id").notNull(),
  /** PBKDF2 hash (see aws/crypto.ts); the password itself is never stored. */
  passwordHash: text("password_hash").notNull(),
  passwordResetRequired: integer("password_reset_required", { mode: "boolean" }).notNull().default(false),
  createdAt: createdAt(),
});

// ---- Instance profiles, identity providers, MFA devices, SSH keys and service-specific credentials. ----

export const instanceProfiles = sqliteTable(
  "instance_profiles",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull(),
    name: text("name").notNull(),
    nameKey: text("name_key").notNull(),
    path: text("path").notNull(),
    arn: text("arn").notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("instance_profiles_account_name").on(t.accountId, t.nameKey)],
);

/** A profile holds at most one role (AWS's InstanceSessionsPerInstanceProfile quota): the primary key enforces it. */
export const instanceProfileRoles = sqliteTable(
  "instance_profile_roles",
  {
    profileId: text("profile_id")
      .primaryKey()
      .references(() => instanceProfiles.id, { onDelete: "cascade" }),
    roleId: text("role_id")
      .notNull()
      .references(() => roles.id, { onDelete: "cascade" }),
    accountId: text("account_id").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("instance_profile_roles_role").on(t.roleId)],
);

/** OIDC identity providers; the URL (scheme removed, lower-cased host) is unique per account, as is the ARN. */
export const oidcProviders = sqliteTable(
  "oidc_providers",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull(),
    arn: text("arn").notNull(),
    url: text("url").notNull(),
    /** JSON arrays of strings, in the order they were added. */
    clientIds: text("client_ids").notNull(),
    thumbprints: text("thumbprints").notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("oidc_providers_arn").on(t.accountId, t.arn)],
);

export const samlProviders = sqliteTable(
  "saml_providers",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull(),
    name: text("name").notNull(),
    arn: text("arn").notNull(),
    metadata: text("metadata").notNull(),
    entityId: text("entity_id").notNull(),
    validUntil: integer("valid_until").notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("saml_providers_arn").on(t.accountId, t.arn)],
);

/** Virtual MFA devices; `serial` is the device ARN. The seed is AES-GCM encrypted and never returned twice. */
export const mfaDevices = sqliteTable(
  "mfa_devices",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull(),
    serial: text("serial").notNull(),
    serialKey: text("serial_key").notNull(),
    name: text("name").notNull(),
    path: text("path").notNull(),
    seedEncrypted: text("seed_encrypted").notNull(),
    /** Null while the device is unassigned; a user with a device cannot be deleted. */
    userId: text("user_id").references(() => users.id, { onDelete: "set null" }),
    enabledAt: integer("enabled_at"),
    /** The last TOTP time step accepted, so a code cannot be replayed. */
    lastStep: integer("last_step"),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("mfa_devices_serial").on(t.accountId, t.serialKey), index("mfa_devices_user").on(t.userId)],
);

export const sshPublicKeys = sqliteTable(
  "ssh_public_keys",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** The key as uploaded (ssh-rsa or PEM); either encoding is derived from it on read. */
    body: text("body").notNull(),
    fingerprint: text("fingerprint").notNull(),
    status: text("status").$type<"Active" | "Inactive">().notNull(),
    uploadedAt: integer("uploaded_at").notNull(),
  },
  (t) => [uniqueIndex("ssh_public_keys_user_fingerprint").on(t.userId, t.fingerprint)],
);

export const serviceCredentials = sqliteTable(
  "service_credentials",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    serviceName: text("service_name").notNull(),
    serviceUserName: text("service_user_name").notNull(),
    /** PBKDF2 hash of the service password (aws/crypto.ts); shown once at creation or reset. */
    passwordHash: text("password_hash").notNull(),
    status: text("status").$type<"Active" | "Inactive">().notNull(),
    expiresAt: integer("expires_at"),
    createdAt: createdAt(),
  },
  (t) => [index("service_credentials_user").on(t.userId, t.serviceName)],
);

/** DeleteServiceLinkedRole's tasks, read back by GetServiceLinkedRoleDeletionStatus. */
export const roleDeletionTasks = sqliteTable("role_deletion_tasks", {
  id: text("id").primaryKey(),
  accountId: text("account_id").notNull(),
  status: text("status").$type<"SUCCEEDED" | "IN_PROGRESS" | "FAILED" | "NOT_STARTED">().notNull(),
  createdAt: createdAt(),
});

// ---- AWS Organizations: one organization per management account, its tree, policies and attachments. ----

/** An organization; `policyTypes` is the JSON list of the root's enabled policy types (e.g. SERVICE_CONTROL_POLICY). */
export const orgOrganizations = sqliteTable("org_organizations", {
  id: text("id").primaryKey(),
  managementAccountId: text("management_account_id").notNull().unique(),
  managementEmail: text("management_email").notNull(),
  featureSet: text("feature_set").notNull(),
  policyTypes: text("policy_types").notNull().default("[]"),
  createdAt: createdAt(),
});

/**
 * The root and the OUs of an organization: one tree of parents. Names are unique among siblings (the index makes
 * concurrent creates of the same OU race to one winner).
 */
export const orgNodes = sqliteTable(
  "org_nodes",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgOrganizations.id, { onDelete: "cascade" }),
    kind: text("kind").$type<"ROOT" | "ORGANIZATIONAL_UNIT">().notNull(),
    /** Null for the root. */
    parentId: text("parent_id"),
    name: text("name").notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("org_nodes_parent_name").on(t.parentId, t.name), index("org_nodes_org").on(t.orgId)],
);

/** The accounts of an organization (the management account included) and where each sits in the tree. */
export const orgAccounts = sqliteTable(
  "org_accounts",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgOrganizations.id, { onDelete: "cascade" }),
    parentId: text("parent_id").notNull(),
    name: text("name").notNull(),
    /** Account emails are unique across AWS. */
    email: text("email").notNull().unique(),
    status: text("status").$type<"ACTIVE" | "SUSPENDED" | "PENDING_CLOSURE">().notNull(),
    joinedMethod: text("joined_method").$type<"INVITED" | "CREATED">().notNull(),
    joinedAt: integer("joined_at").notNull(),
  },
  (t) => [index("org_accounts_org").on(t.orgId), index("org_accounts_parent").on(t.parentId)],
);

/** Customer managed organization policies; AWS managed ones (FullAWSAccess...) are constants in code. */
export const orgPolicies = sqliteTable(
  "org_policies",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgOrganizations.id, { onDelete: "cascade" }),
    type: text("type").notNull(),
    name: text("name").notNull(),
    description: text("description").notNull(),
    content: text("content").notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("org_policies_name").on(t.orgId, t.type, t.name)],
);

/** Which policy is attached to which root, OU or account; the primary key makes a duplicate attach lose the race. */
export const orgAttachments = sqliteTable(
  "org_attachments",
  {
    orgId: text("org_id")
      .notNull()
      .references(() => orgOrganizations.id, { onDelete: "cascade" }),
    policyId: text("policy_id").notNull(),
    targetId: text("target_id").notNull(),
    policyType: text("policy_type").notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.policyId, t.targetId] }), index("org_attachments_target").on(t.targetId)],
);

/** Tags on roots, OUs, accounts and policies. */
export const orgTags = sqliteTable(
  "org_tags",
  {
    orgId: text("org_id")
      .notNull()
      .references(() => orgOrganizations.id, { onDelete: "cascade" }),
    resourceId: text("resource_id").notNull(),
    key: text("key").notNull(),
    value: text("value").notNull(),
  },
  (t) => [primaryKey({ columns: [t.resourceId, t.key] })],
);

/** CreateAccount requests and how they ended. */
export const orgCreateAccountStatus = sqliteTable(
  "org_create_account_status",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgOrganizations.id, { onDelete: "cascade" }),
    accountName: text("account_name").notNull(),
    state: text("state").$type<"IN_PROGRESS" | "SUCCEEDED" | "FAILED">().notNull(),
    accountId: text("account_id"),
    failureReason: text("failure_reason"),
    requestedAt: integer("requested_at").notNull(),
    completedAt: integer("completed_at"),
  },
  (t) => [index("org_create_account_status_org").on(t.orgId)],
);

/** Server certificates (for load balancers and CloudFront): the private key is kept AES-GCM encrypted, never returned. */
export const serverCertificates = sqliteTable(
  "server_certificates",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull(),
    name: text("name").notNull(),
    nameKey: text("name_key").notNull(),
    path: text("path").notNull(),
    arn: text("arn").notNull(),
    body: text("body").notNull(),
    chain: text("chain"),
    privateKeyEncrypted: text("private_key_encrypted").notNull(),
    expiresAt: integer("expires_at").notNull(),
    uploadedAt: integer("uploaded_at").notNull(),
  },
  (t) => [uniqueIndex("server_certificates_account_name").on(t.accountId, t.nameKey)],
);

/** Users' X.509 signing certificates; the id is derived from the certificate, so one certificate appears once per account. */
export const signingCertificates = sqliteTable(
  "signing_certificates",
  {
    accountId: text("account_id").notNull(),
    id: text("id").notNull(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    body: text("body").notNull(),
    status: text("status").$type<"Active" | "Inactive">().notNull(),
    uploadedAt: integer("uploaded_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.id] }), index("signing_certificates_user").on(t.userId)],
);

/**
 * Service last-accessed data: the last authenticated attempt of each principal at each action, as the authorizer saw
 * it (allowed or denied). Keyed by the entity's unique id (the account id for the root user), so a deleted and
 * re-created user or role of the same name starts with no history; the ARN is kept for reports.
 */
export const serviceAccess = sqliteTable(
  "service_access",
  {
    accountId: text("account_id").notNull(),
    entityId: text("entity_id").notNull(),
    entityArn: text("entity_arn").notNull(),
    /** The service namespace (`iam`, `sts`, `organizations`). */
    service: text("service").notNull(),
    /** The action's name as AWS spells it (`CreateUser`). */
    action: text("action").notNull(),
    region: text("region").notNull(),
    lastAt: integer("last_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.entityId, t.service, t.action] })],
);

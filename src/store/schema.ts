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

export type TaggableKind = "user" | "role" | "policy";

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

CREATE TABLE `access_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`user_id` text NOT NULL,
	`secret_encrypted` text NOT NULL,
	`status` text NOT NULL,
	`created_at` integer NOT NULL,
	`last_used_at` integer,
	`last_used_service` text,
	`last_used_region` text,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `access_keys_user` ON `access_keys` (`user_id`);--> statement-breakpoint
CREATE TABLE `account_aliases` (
	`alias` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `account_aliases_account_id_unique` ON `account_aliases` (`account_id`);--> statement-breakpoint
CREATE TABLE `accounts` (
	`id` text PRIMARY KEY NOT NULL,
	`password_policy` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `attachments` (
	`account_id` text NOT NULL,
	`principal_kind` text NOT NULL,
	`principal_id` text NOT NULL,
	`policy_arn` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`principal_id`, `policy_arn`)
);
--> statement-breakpoint
CREATE INDEX `attachments_policy` ON `attachments` (`policy_arn`);--> statement-breakpoint
CREATE TABLE `group_members` (
	`account_id` text NOT NULL,
	`group_id` text NOT NULL,
	`user_id` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`group_id`, `user_id`),
	FOREIGN KEY (`group_id`) REFERENCES `groups`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `group_members_user` ON `group_members` (`user_id`);--> statement-breakpoint
CREATE TABLE `groups` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`name` text NOT NULL,
	`name_key` text NOT NULL,
	`path` text NOT NULL,
	`arn` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `groups_account_name` ON `groups` (`account_id`,`name_key`);--> statement-breakpoint
CREATE TABLE `inline_policies` (
	`account_id` text NOT NULL,
	`principal_kind` text NOT NULL,
	`principal_id` text NOT NULL,
	`name` text NOT NULL,
	`document` text NOT NULL,
	`size` integer NOT NULL,
	PRIMARY KEY(`principal_id`, `name`)
);
--> statement-breakpoint
CREATE TABLE `login_profiles` (
	`user_id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`password_hash` text NOT NULL,
	`password_reset_required` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `policies` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`name` text NOT NULL,
	`name_key` text NOT NULL,
	`path` text NOT NULL,
	`arn` text NOT NULL,
	`description` text,
	`default_version_id` text NOT NULL,
	`next_version` integer DEFAULT 2 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `policies_account_name` ON `policies` (`account_id`,`name_key`);--> statement-breakpoint
CREATE UNIQUE INDEX `policies_arn` ON `policies` (`arn`);--> statement-breakpoint
CREATE TABLE `policy_versions` (
	`policy_id` text NOT NULL,
	`version_id` text NOT NULL,
	`document` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`policy_id`, `version_id`),
	FOREIGN KEY (`policy_id`) REFERENCES `policies`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `roles` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`name` text NOT NULL,
	`name_key` text NOT NULL,
	`path` text NOT NULL,
	`arn` text NOT NULL,
	`assume_role_policy` text NOT NULL,
	`description` text,
	`max_session_duration` integer DEFAULT 3600 NOT NULL,
	`permissions_boundary_arn` text,
	`last_used_at` integer,
	`last_used_region` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `roles_account_name` ON `roles` (`account_id`,`name_key`);--> statement-breakpoint
CREATE TABLE `tags` (
	`account_id` text NOT NULL,
	`resource_kind` text NOT NULL,
	`resource_id` text NOT NULL,
	`key` text NOT NULL,
	`key_lower` text NOT NULL,
	`value` text NOT NULL,
	PRIMARY KEY(`resource_id`, `key_lower`)
);
--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`name` text NOT NULL,
	`name_key` text NOT NULL,
	`path` text NOT NULL,
	`arn` text NOT NULL,
	`permissions_boundary_arn` text,
	`password_last_used` integer,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_account_name` ON `users` (`account_id`,`name_key`);
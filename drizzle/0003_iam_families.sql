CREATE TABLE `instance_profile_roles` (
	`profile_id` text PRIMARY KEY NOT NULL,
	`role_id` text NOT NULL,
	`account_id` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`profile_id`) REFERENCES `instance_profiles`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`role_id`) REFERENCES `roles`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `instance_profile_roles_role` ON `instance_profile_roles` (`role_id`);--> statement-breakpoint
CREATE TABLE `instance_profiles` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`name` text NOT NULL,
	`name_key` text NOT NULL,
	`path` text NOT NULL,
	`arn` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `instance_profiles_account_name` ON `instance_profiles` (`account_id`,`name_key`);--> statement-breakpoint
CREATE TABLE `mfa_devices` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`serial` text NOT NULL,
	`serial_key` text NOT NULL,
	`name` text NOT NULL,
	`path` text NOT NULL,
	`seed_encrypted` text NOT NULL,
	`user_id` text,
	`enabled_at` integer,
	`last_step` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `mfa_devices_serial` ON `mfa_devices` (`account_id`,`serial_key`);--> statement-breakpoint
CREATE INDEX `mfa_devices_user` ON `mfa_devices` (`user_id`);--> statement-breakpoint
CREATE TABLE `oidc_providers` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`arn` text NOT NULL,
	`url` text NOT NULL,
	`client_ids` text NOT NULL,
	`thumbprints` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `oidc_providers_arn` ON `oidc_providers` (`account_id`,`arn`);--> statement-breakpoint
CREATE TABLE `role_deletion_tasks` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`status` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `saml_providers` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`name` text NOT NULL,
	`arn` text NOT NULL,
	`metadata` text NOT NULL,
	`entity_id` text NOT NULL,
	`valid_until` integer NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `saml_providers_arn` ON `saml_providers` (`account_id`,`arn`);--> statement-breakpoint
CREATE TABLE `service_credentials` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`user_id` text NOT NULL,
	`service_name` text NOT NULL,
	`service_user_name` text NOT NULL,
	`password_hash` text NOT NULL,
	`status` text NOT NULL,
	`expires_at` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `service_credentials_user` ON `service_credentials` (`user_id`,`service_name`);--> statement-breakpoint
CREATE TABLE `ssh_public_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`user_id` text NOT NULL,
	`body` text NOT NULL,
	`fingerprint` text NOT NULL,
	`status` text NOT NULL,
	`uploaded_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ssh_public_keys_user_fingerprint` ON `ssh_public_keys` (`user_id`,`fingerprint`);
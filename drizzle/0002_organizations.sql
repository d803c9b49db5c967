CREATE TABLE `org_accounts` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`parent_id` text NOT NULL,
	`name` text NOT NULL,
	`email` text NOT NULL,
	`status` text NOT NULL,
	`joined_method` text NOT NULL,
	`joined_at` integer NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `org_organizations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `org_accounts_email_unique` ON `org_accounts` (`email`);--> statement-breakpoint
CREATE INDEX `org_accounts_org` ON `org_accounts` (`org_id`);--> statement-breakpoint
CREATE INDEX `org_accounts_parent` ON `org_accounts` (`parent_id`);--> statement-breakpoint
CREATE TABLE `org_attachments` (
	`org_id` text NOT NULL,
	`policy_id` text NOT NULL,
	`target_id` text NOT NULL,
	`policy_type` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`policy_id`, `target_id`),
	FOREIGN KEY (`org_id`) REFERENCES `org_organizations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `org_attachments_target` ON `org_attachments` (`target_id`);--> statement-breakpoint
CREATE TABLE `org_create_account_status` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`account_name` text NOT NULL,
	`state` text NOT NULL,
	`account_id` text,
	`failure_reason` text,
	`requested_at` integer NOT NULL,
	`completed_at` integer,
	FOREIGN KEY (`org_id`) REFERENCES `org_organizations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `org_create_account_status_org` ON `org_create_account_status` (`org_id`);--> statement-breakpoint
CREATE TABLE `org_nodes` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`kind` text NOT NULL,
	`parent_id` text,
	`name` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `org_organizations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `org_nodes_parent_name` ON `org_nodes` (`parent_id`,`name`);--> statement-breakpoint
CREATE INDEX `org_nodes_org` ON `org_nodes` (`org_id`);--> statement-breakpoint
CREATE TABLE `org_organizations` (
	`id` text PRIMARY KEY NOT NULL,
	`management_account_id` text NOT NULL,
	`management_email` text NOT NULL,
	`feature_set` text NOT NULL,
	`policy_types` text DEFAULT '[]' NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `org_organizations_management_account_id_unique` ON `org_organizations` (`management_account_id`);--> statement-breakpoint
CREATE TABLE `org_policies` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`type` text NOT NULL,
	`name` text NOT NULL,
	`description` text NOT NULL,
	`content` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `org_organizations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `org_policies_name` ON `org_policies` (`org_id`,`type`,`name`);--> statement-breakpoint
CREATE TABLE `org_tags` (
	`org_id` text NOT NULL,
	`resource_id` text NOT NULL,
	`key` text NOT NULL,
	`value` text NOT NULL,
	PRIMARY KEY(`resource_id`, `key`),
	FOREIGN KEY (`org_id`) REFERENCES `org_organizations`(`id`) ON UPDATE no action ON DELETE cascade
);

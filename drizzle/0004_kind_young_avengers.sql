CREATE TABLE `server_certificates` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`name` text NOT NULL,
	`name_key` text NOT NULL,
	`path` text NOT NULL,
	`arn` text NOT NULL,
	`body` text NOT NULL,
	`chain` text,
	`private_key_encrypted` text NOT NULL,
	`expires_at` integer NOT NULL,
	`uploaded_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `server_certificates_account_name` ON `server_certificates` (`account_id`,`name_key`);--> statement-breakpoint
CREATE TABLE `signing_certificates` (
	`account_id` text NOT NULL,
	`id` text NOT NULL,
	`user_id` text NOT NULL,
	`body` text NOT NULL,
	`status` text NOT NULL,
	`uploaded_at` integer NOT NULL,
	PRIMARY KEY(`account_id`, `id`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `signing_certificates_user` ON `signing_certificates` (`user_id`);--> statement-breakpoint
ALTER TABLE `tags` ADD `seq` integer;--> statement-breakpoint
CREATE INDEX `tags_seq` ON `tags` (`seq`);
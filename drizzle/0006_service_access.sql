CREATE TABLE `service_access` (
	`account_id` text NOT NULL,
	`entity_id` text NOT NULL,
	`entity_arn` text NOT NULL,
	`service` text NOT NULL,
	`action` text NOT NULL,
	`region` text NOT NULL,
	`last_at` integer NOT NULL,
	PRIMARY KEY(`account_id`, `entity_id`, `service`, `action`)
);

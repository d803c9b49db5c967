CREATE INDEX `roles_boundary` ON `roles` (`permissions_boundary_arn`);--> statement-breakpoint
CREATE INDEX `users_boundary` ON `users` (`permissions_boundary_arn`);
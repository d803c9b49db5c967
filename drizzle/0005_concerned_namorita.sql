DROP INDEX `tags_seq`;--> statement-breakpoint
ALTER TABLE `tags` DROP COLUMN `seq`;
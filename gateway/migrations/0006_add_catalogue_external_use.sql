ALTER TABLE "catalogue_busy_periods" ADD COLUMN "external" boolean DEFAULT false NOT NULL;--> statement-breakpoint
-- Whether a booking's user was from outside now travels with the feed (the sharing report's external use is
-- read from the catalogue): list every member again. The current rows stay searchable until each full listing
-- completes.
UPDATE "catalogue_harvest" SET "snapshot_next" = '0', "snapshot_cursor" = NULL, "resyncs" = "resyncs" + 1,
  "last_error" = 'resync: the feed now carries external use', "updated_at" = now()
  WHERE "cursor" IS NOT NULL AND "snapshot_next" IS NULL;

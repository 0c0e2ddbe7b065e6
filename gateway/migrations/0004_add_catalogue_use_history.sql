ALTER TABLE "catalogue_busy_periods" ADD COLUMN "held" boolean DEFAULT false NOT NULL;
--> statement-breakpoint
-- Used bookings of the last year now travel with the feed (duplicate checks read utilisation from them): list
-- every member again to receive them. The current rows stay searchable until each full listing completes.
UPDATE "catalogue_harvest" SET "snapshot_next" = '0', "snapshot_cursor" = NULL, "resyncs" = "resyncs" + 1,
  "last_error" = 'resync: the feed now carries used bookings', "updated_at" = now()
  WHERE "cursor" IS NOT NULL AND "snapshot_next" IS NULL;

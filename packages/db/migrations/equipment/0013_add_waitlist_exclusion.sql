-- A person waits at most once for overlapping periods of one instrument, whatever the concurrency: the
-- database refuses the second entry (two joins racing from two tabs both pass any prior read). Only entries
-- not ended count; one whose period has started is ended (STARTED) by the join before it inserts, since "now"
-- cannot be part of a constraint. Drizzle has no API for EXCLUDE; btree_gist (0000) supplies = on bigint and text.
ALTER TABLE "waitlist_entries"
  ADD CONSTRAINT "waitlist_entries_no_overlap"
  EXCLUDE USING gist ("instrument_id" WITH =, "subject" WITH =, "period" WITH &&)
  WHERE ("ended_at" IS NULL);

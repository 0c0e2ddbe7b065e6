-- Extensions the equipment schema relies on; Drizzle has no API for them.
-- btree_gist: scalar columns (instrument_id) in GiST indexes and the bookings exclusion constraint.
-- pg_trgm: trigram indexes for text search of 3+ characters.
CREATE EXTENSION IF NOT EXISTS btree_gist;
--> statement-breakpoint
CREATE EXTENSION IF NOT EXISTS pg_trgm;

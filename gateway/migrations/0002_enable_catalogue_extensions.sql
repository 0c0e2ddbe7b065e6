-- Extensions the national catalogue relies on; Drizzle has no API for them.
-- pg_trgm: trigram indexes for text search of 3+ characters (the same text handling as the services).
-- btree_gist: the institution and instrument columns in the busy periods' GiST index.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
--> statement-breakpoint
CREATE EXTENSION IF NOT EXISTS btree_gist;

-- Custom SQL migration file, put your code below! --
-- Search reads far more than offices write. With GIN's fast update, a bulk import leaves its entries in
-- a pending list until the next vacuum; the planner then prices every index scan as a read of that list
-- and picks sequential scans for text search (seen after loading 10,000 real listings: a trigram scan
-- priced at 2,028 against a sequential scan at 1,264). Without the pending list, entries go straight into
-- the index and plans stay right from the first query after an import.
ALTER INDEX "instruments_search_text_trgm" SET (fastupdate = off);--> statement-breakpoint
ALTER INDEX "instruments_name_norm_trgm" SET (fastupdate = off);--> statement-breakpoint
ALTER INDEX "instruments_search_tokens_gin" SET (fastupdate = off);

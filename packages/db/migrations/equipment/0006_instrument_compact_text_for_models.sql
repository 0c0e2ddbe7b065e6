ALTER TABLE "instruments" ADD COLUMN "compact_text" text DEFAULT '' NOT NULL;--> statement-breakpoint
-- Listings stored before this column: name, English name and model folded as `compactText` does (NFKC,
-- lower case, only letters and digits kept). Every later write sets it from the code.
UPDATE "instruments"
SET "compact_text" = regexp_replace(lower(normalize(concat_ws(' ', "name", "name_en", "model"), NFKC)), '[^[:alnum:]]', '', 'g');--> statement-breakpoint
-- Duplicate checks find candidates by model key in `compact_text` and by likeness of the Japanese or the
-- English name; without a pending list, like the search indexes (migration 0003).
CREATE INDEX "instruments_name_en_norm_trgm" ON "instruments" USING gin ("name_en_norm" gin_trgm_ops) WITH (fastupdate=false);--> statement-breakpoint
CREATE INDEX "instruments_compact_text_trgm" ON "instruments" USING gin ("compact_text" gin_trgm_ops) WITH (fastupdate=false);

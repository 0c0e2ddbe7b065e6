ALTER TABLE "instruments" ADD COLUMN "name_en_norm" text;--> statement-breakpoint
-- Listings stored before this column: fold their English names as `normalizeText` does (NFKC, lower
-- case, dashes to '-', runs of white space to one space, trimmed). Every later write sets it from the code.
UPDATE "instruments"
SET "name_en_norm" = nullif(btrim(regexp_replace(
      regexp_replace(lower(normalize("name_en", NFKC)), '[‐‑‒–—―−－]', '-', 'g'),
      '[[:space:]　]+', ' ', 'g')), '')
WHERE "name_en" IS NOT NULL;

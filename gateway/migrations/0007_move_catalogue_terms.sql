CREATE TABLE "catalogue_terms" (
	"institution" text NOT NULL,
	"id" bigint NOT NULL,
	"fees" jsonb NOT NULL,
	"open_hours" jsonb NOT NULL,
	CONSTRAINT "catalogue_terms_institution_id_pk" PRIMARY KEY("institution","id")
);
--> statement-breakpoint
ALTER TABLE "catalogue_terms" ADD CONSTRAINT "catalogue_terms_listing_fk" FOREIGN KEY ("institution","id") REFERENCES "public"."catalogue_instruments"("institution","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- The terms harvested so far move across; nothing has to be harvested again. (The dropped columns' space in
-- rows already written is reused as rows are rewritten; VACUUM FULL catalogue_instruments reclaims it at once.)
INSERT INTO "catalogue_terms" ("institution", "id", "fees", "open_hours")
SELECT "institution", "id", "fees", "open_hours" FROM "catalogue_instruments";--> statement-breakpoint
ALTER TABLE "catalogue_instruments" DROP COLUMN "fees";--> statement-breakpoint
ALTER TABLE "catalogue_instruments" DROP COLUMN "open_hours";
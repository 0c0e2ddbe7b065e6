CREATE TABLE "duplicate_checks" (
	"id" uuid PRIMARY KEY NOT NULL,
	"batch_id" uuid,
	"position" integer DEFAULT 0 NOT NULL,
	"institution" text NOT NULL,
	"checked_by" text NOT NULL,
	"checked_at" timestamp with time zone NOT NULL,
	"verdict" text NOT NULL,
	"canonical" text NOT NULL,
	"digest" text NOT NULL,
	"record" jsonb NOT NULL,
	CONSTRAINT "duplicate_checks_verdict" CHECK ("duplicate_checks"."verdict" IN ('BELOW_THRESHOLD', 'NO_EQUIVALENT', 'SIMILAR_AVAILABLE', 'LIKELY_DUPLICATE')),
	CONSTRAINT "duplicate_checks_digest_format" CHECK ("duplicate_checks"."digest" ~ '^[0-9a-f]{64}$')
);
--> statement-breakpoint
CREATE INDEX "duplicate_checks_batch_idx" ON "duplicate_checks" USING btree ("batch_id","position");--> statement-breakpoint
CREATE INDEX "duplicate_checks_institution_idx" ON "duplicate_checks" USING btree ("institution","checked_at");--> statement-breakpoint
-- A check record is evidence a funder may rely on: once written it never changes. (A superuser can still
-- disable the trigger; the digest is what proves a record unaltered.)
CREATE FUNCTION "duplicate_checks_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'duplicate check records are append-only' USING ERRCODE = 'insufficient_privilege';
END;
$$;--> statement-breakpoint
CREATE TRIGGER "duplicate_checks_append_only" BEFORE UPDATE OR DELETE ON "duplicate_checks"
  FOR EACH ROW EXECUTE FUNCTION "duplicate_checks_append_only"();

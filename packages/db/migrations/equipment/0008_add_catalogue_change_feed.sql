CREATE TABLE "catalogue_changes" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "catalogue_changes_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"xid" "xid8" DEFAULT pg_current_xact_id() NOT NULL,
	"entity" text NOT NULL,
	"entity_id" bigint NOT NULL,
	"instrument_id" bigint NOT NULL,
	"changed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "catalogue_changes_entity_known" CHECK ("catalogue_changes"."entity" IN ('listing', 'busy_period'))
);
--> statement-breakpoint
CREATE TABLE "catalogue_feed_state" (
	"singleton" boolean PRIMARY KEY DEFAULT true NOT NULL,
	"epoch" text DEFAULT gen_random_uuid()::text NOT NULL,
	"pruned_xid" "xid8" DEFAULT '0'::xid8 NOT NULL,
	"pruned_id" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "catalogue_feed_state_singleton" CHECK ("catalogue_feed_state"."singleton")
);
--> statement-breakpoint
CREATE INDEX "catalogue_changes_order_idx" ON "catalogue_changes" USING btree ("xid","id");--> statement-breakpoint
CREATE INDEX "catalogue_changes_changed_at_idx" ON "catalogue_changes" USING btree ("changed_at");
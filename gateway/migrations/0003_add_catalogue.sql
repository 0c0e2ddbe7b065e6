CREATE TABLE "catalogue_busy_periods" (
	"institution" text NOT NULL,
	"kind" text NOT NULL,
	"id" bigint NOT NULL,
	"instrument_id" bigint NOT NULL,
	"period" "tstzrange" NOT NULL,
	"version_xid" bigint NOT NULL,
	"version_id" bigint NOT NULL,
	"generation" integer NOT NULL,
	"harvested_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "catalogue_busy_periods_institution_kind_id_pk" PRIMARY KEY("institution","kind","id"),
	CONSTRAINT "catalogue_busy_periods_kind" CHECK ("catalogue_busy_periods"."kind" IN ('booking', 'closure'))
);
--> statement-breakpoint
CREATE TABLE "catalogue_harvest" (
	"institution" text PRIMARY KEY NOT NULL,
	"cursor" text,
	"generation" integer DEFAULT 0 NOT NULL,
	"snapshot_next" text DEFAULT '0',
	"snapshot_cursor" text,
	"current_to" timestamp with time zone,
	"changes_applied" bigint DEFAULT 0 NOT NULL,
	"resyncs" integer DEFAULT 0 NOT NULL,
	"refused" bigint DEFAULT 0 NOT NULL,
	"last_error" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "catalogue_instruments" (
	"institution" text NOT NULL,
	"id" bigint NOT NULL,
	"local_id" text NOT NULL,
	"name" text NOT NULL,
	"name_en" text,
	"category" text NOT NULL,
	"manufacturer" text,
	"model" text,
	"description" text,
	"acquisition_price" bigint,
	"acquired_on" date,
	"building" text,
	"latitude" double precision,
	"longitude" double precision,
	"shared_externally" boolean NOT NULL,
	"remote_operable" boolean NOT NULL,
	"requires_approval" boolean NOT NULL,
	"requires_qualification" boolean NOT NULL,
	"max_booking_minutes" integer NOT NULL,
	"cancellation_free_hours" integer NOT NULL,
	"cancellation_fee_percent" integer NOT NULL,
	"fees" jsonb NOT NULL,
	"open_hours" jsonb NOT NULL,
	"name_norm" text NOT NULL,
	"name_en_norm" text,
	"search_text" text NOT NULL,
	"search_tokens" text[] NOT NULL,
	"compact_text" text NOT NULL,
	"version_xid" bigint NOT NULL,
	"version_id" bigint NOT NULL,
	"generation" integer NOT NULL,
	"harvested_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "catalogue_instruments_institution_id_pk" PRIMARY KEY("institution","id")
);
--> statement-breakpoint
ALTER TABLE "catalogue_busy_periods" ADD CONSTRAINT "catalogue_busy_periods_institution_institutions_code_fk" FOREIGN KEY ("institution") REFERENCES "public"."institutions"("code") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "catalogue_harvest" ADD CONSTRAINT "catalogue_harvest_institution_institutions_code_fk" FOREIGN KEY ("institution") REFERENCES "public"."institutions"("code") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "catalogue_instruments" ADD CONSTRAINT "catalogue_instruments_institution_institutions_code_fk" FOREIGN KEY ("institution") REFERENCES "public"."institutions"("code") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "catalogue_busy_periods_instrument_gist" ON "catalogue_busy_periods" USING gist ("institution","instrument_id","period");--> statement-breakpoint
CREATE INDEX "catalogue_instruments_search_text_trgm" ON "catalogue_instruments" USING gin ("search_text" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "catalogue_instruments_name_norm_trgm" ON "catalogue_instruments" USING gin ("name_norm" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "catalogue_instruments_name_en_norm_trgm" ON "catalogue_instruments" USING gin ("name_en_norm" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "catalogue_instruments_compact_text_trgm" ON "catalogue_instruments" USING gin ("compact_text" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "catalogue_instruments_search_tokens_gin" ON "catalogue_instruments" USING gin ("search_tokens");--> statement-breakpoint
CREATE INDEX "catalogue_instruments_category_idx" ON "catalogue_instruments" USING btree ("category");--> statement-breakpoint
CREATE INDEX "catalogue_instruments_acquisition_price_idx" ON "catalogue_instruments" USING btree ("acquisition_price");
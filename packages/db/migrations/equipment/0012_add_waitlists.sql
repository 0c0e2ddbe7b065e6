CREATE TABLE "waitlist_entries" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "waitlist_entries_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"instrument_id" bigint NOT NULL,
	"subject" text NOT NULL,
	"period" "tstzrange" NOT NULL,
	"ended_at" timestamp with time zone,
	"end_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "waitlist_entries_period_bounded" CHECK (NOT isempty("waitlist_entries"."period") AND NOT lower_inf("waitlist_entries"."period") AND NOT upper_inf("waitlist_entries"."period")),
	CONSTRAINT "waitlist_entries_end_reason_known" CHECK (("waitlist_entries"."ended_at" IS NULL AND "waitlist_entries"."end_reason" IS NULL) OR ("waitlist_entries"."ended_at" IS NOT NULL AND "waitlist_entries"."end_reason" IN ('LEFT', 'STARTED', 'BOOKED')))
);
--> statement-breakpoint
ALTER TABLE "waitlist_entries" ADD CONSTRAINT "waitlist_entries_instrument_id_instruments_id_fk" FOREIGN KEY ("instrument_id") REFERENCES "public"."instruments"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "waitlist_entries_instrument_order_idx" ON "waitlist_entries" USING btree ("instrument_id","created_at","id") WHERE "waitlist_entries"."ended_at" IS NULL;--> statement-breakpoint
CREATE INDEX "waitlist_entries_subject_start_idx" ON "waitlist_entries" USING btree ("subject",lower("period")) WHERE "waitlist_entries"."ended_at" IS NULL;
CREATE TYPE "public"."booking_status" AS ENUM('PENDING', 'CONFIRMED', 'REJECTED', 'CANCELLED', 'COMPLETED', 'NO_SHOW');--> statement-breakpoint
CREATE TYPE "public"."operation_mode" AS ENUM('SELF', 'ASSISTED', 'DELEGATED');--> statement-breakpoint
CREATE TYPE "public"."user_category" AS ENUM('INTERNAL', 'ACADEMIC', 'INDUSTRY');--> statement-breakpoint
CREATE TABLE "blackouts" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "blackouts_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"instrument_id" bigint NOT NULL,
	"period" "tstzrange" NOT NULL,
	"reason" text,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "bookings" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "bookings_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"instrument_id" bigint NOT NULL,
	"requester_id" text NOT NULL,
	"requester_organization" text NOT NULL,
	"requester_institution" text,
	"user_category" "user_category" NOT NULL,
	"mode" "operation_mode" NOT NULL,
	"period" "tstzrange" NOT NULL,
	"status" "booking_status" NOT NULL,
	"fee" bigint NOT NULL,
	"cancellation_fee" bigint,
	"funding_source" text,
	"purpose" text NOT NULL,
	"idempotency_key" text NOT NULL,
	"request_hash" text NOT NULL,
	"decided_by" text,
	"decided_at" timestamp with time zone,
	"decision_note" text,
	"cancelled_at" timestamp with time zone,
	"cancel_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "bookings_fee_nonnegative" CHECK ("bookings"."fee" >= 0 AND coalesce("bookings"."cancellation_fee", 0) >= 0)
);
--> statement-breakpoint
CREATE TABLE "fee_rates" (
	"instrument_id" bigint NOT NULL,
	"user_category" "user_category" NOT NULL,
	"mode" "operation_mode" NOT NULL,
	"hourly_rate" bigint NOT NULL,
	"billing_unit_minutes" integer DEFAULT 60 NOT NULL,
	"minimum_charge" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "fee_rates_pkey" PRIMARY KEY("instrument_id","user_category","mode"),
	CONSTRAINT "fee_rates_hourly_rate_nonnegative" CHECK ("fee_rates"."hourly_rate" >= 0),
	CONSTRAINT "fee_rates_minimum_charge_nonnegative" CHECK ("fee_rates"."minimum_charge" >= 0),
	CONSTRAINT "fee_rates_billing_unit_range" CHECK ("fee_rates"."billing_unit_minutes" BETWEEN 1 AND 1440)
);
--> statement-breakpoint
CREATE TABLE "instruments" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "instruments_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
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
	"shared_externally" boolean DEFAULT false NOT NULL,
	"remote_operable" boolean DEFAULT false NOT NULL,
	"requires_approval" boolean DEFAULT false NOT NULL,
	"requires_qualification" boolean DEFAULT false NOT NULL,
	"max_booking_minutes" integer DEFAULT 480 NOT NULL,
	"cancellation_free_hours" integer DEFAULT 48 NOT NULL,
	"cancellation_fee_percent" integer DEFAULT 50 NOT NULL,
	"decommissioned_at" timestamp with time zone,
	"name_norm" text NOT NULL,
	"search_text" text NOT NULL,
	"search_tokens" text[] NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "instruments_acquisition_price_nonnegative" CHECK ("instruments"."acquisition_price" >= 0),
	CONSTRAINT "instruments_latitude_range" CHECK ("instruments"."latitude" BETWEEN -90 AND 90),
	CONSTRAINT "instruments_longitude_range" CHECK ("instruments"."longitude" BETWEEN -180 AND 180),
	CONSTRAINT "instruments_max_booking_minutes_range" CHECK ("instruments"."max_booking_minutes" BETWEEN 15 AND 10080),
	CONSTRAINT "instruments_cancellation_fee_percent_range" CHECK ("instruments"."cancellation_fee_percent" BETWEEN 0 AND 100)
);
--> statement-breakpoint
CREATE TABLE "open_hours" (
	"instrument_id" bigint NOT NULL,
	"weekday" smallint NOT NULL,
	"opens_at" smallint NOT NULL,
	"closes_at" smallint NOT NULL,
	CONSTRAINT "open_hours_pkey" PRIMARY KEY("instrument_id","weekday","opens_at"),
	CONSTRAINT "open_hours_weekday_range" CHECK ("open_hours"."weekday" BETWEEN 1 AND 7),
	CONSTRAINT "open_hours_minutes_range" CHECK ("open_hours"."opens_at" >= 0 AND "open_hours"."closes_at" <= 1440 AND "open_hours"."opens_at" < "open_hours"."closes_at")
);
--> statement-breakpoint
CREATE TABLE "qualifications" (
	"instrument_id" bigint NOT NULL,
	"user_id" text NOT NULL,
	"expires_on" date,
	"granted_by" text NOT NULL,
	"revoked_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "qualifications_pkey" PRIMARY KEY("instrument_id","user_id")
);
--> statement-breakpoint
ALTER TABLE "blackouts" ADD CONSTRAINT "blackouts_instrument_id_instruments_id_fk" FOREIGN KEY ("instrument_id") REFERENCES "public"."instruments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_instrument_id_instruments_id_fk" FOREIGN KEY ("instrument_id") REFERENCES "public"."instruments"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fee_rates" ADD CONSTRAINT "fee_rates_instrument_id_instruments_id_fk" FOREIGN KEY ("instrument_id") REFERENCES "public"."instruments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "open_hours" ADD CONSTRAINT "open_hours_instrument_id_instruments_id_fk" FOREIGN KEY ("instrument_id") REFERENCES "public"."instruments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "qualifications" ADD CONSTRAINT "qualifications_instrument_id_instruments_id_fk" FOREIGN KEY ("instrument_id") REFERENCES "public"."instruments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "blackouts_instrument_period_gist" ON "blackouts" USING gist ("instrument_id","period");--> statement-breakpoint
CREATE UNIQUE INDEX "bookings_idempotency_key_unique" ON "bookings" USING btree ("requester_id","idempotency_key");--> statement-breakpoint
CREATE INDEX "bookings_requester_idx" ON "bookings" USING btree ("requester_id");--> statement-breakpoint
CREATE INDEX "bookings_status_idx" ON "bookings" USING btree ("status");--> statement-breakpoint
CREATE UNIQUE INDEX "instruments_local_id_unique" ON "instruments" USING btree ("local_id");--> statement-breakpoint
CREATE INDEX "instruments_search_text_trgm" ON "instruments" USING gin ("search_text" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "instruments_name_norm_trgm" ON "instruments" USING gin ("name_norm" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "instruments_search_tokens_gin" ON "instruments" USING gin ("search_tokens");--> statement-breakpoint
CREATE INDEX "instruments_category_idx" ON "instruments" USING btree ("category");--> statement-breakpoint
CREATE INDEX "instruments_acquisition_price_idx" ON "instruments" USING btree ("acquisition_price");
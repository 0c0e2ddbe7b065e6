DROP INDEX "bookings_requester_idx";--> statement-breakpoint
ALTER TABLE "bookings" ADD COLUMN "cancelled_by" text;--> statement-breakpoint
ALTER TABLE "qualifications" ADD COLUMN "granted_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
CREATE INDEX "bookings_requester_start_idx" ON "bookings" USING btree ("requester_id",lower("period"));--> statement-breakpoint
CREATE INDEX "bookings_start_idx" ON "bookings" USING btree (lower("period"));--> statement-breakpoint
ALTER TABLE "instruments" ADD CONSTRAINT "instruments_cancellation_free_hours_range" CHECK ("instruments"."cancellation_free_hours" BETWEEN 0 AND 720);
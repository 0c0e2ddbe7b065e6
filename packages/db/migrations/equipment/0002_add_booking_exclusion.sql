-- Two active bookings (PENDING holds the slot, CONFIRMED) of one instrument never overlap, whatever the
-- concurrency: the database refuses the second one. Periods are half-open, so touching bookings
-- (one ends at 11:30, the next starts at 11:30) do not overlap. Drizzle has no API for EXCLUDE.
ALTER TABLE "bookings"
  ADD CONSTRAINT "bookings_no_overlap"
  EXCLUDE USING gist ("instrument_id" WITH =, "period" WITH &&)
  WHERE ("status" IN ('PENDING', 'CONFIRMED'));
--> statement-breakpoint
ALTER TABLE "bookings"
  ADD CONSTRAINT "bookings_period_bounded"
  CHECK (NOT isempty("period") AND NOT lower_inf("period") AND NOT upper_inf("period"));
--> statement-breakpoint
ALTER TABLE "blackouts"
  ADD CONSTRAINT "blackouts_period_bounded"
  CHECK (NOT isempty("period") AND NOT lower_inf("period") AND NOT upper_inf("period"));
--> statement-breakpoint
-- Reports and availability read bookings by instrument and time.
CREATE INDEX "bookings_instrument_period_gist" ON "bookings" USING gist ("instrument_id", "period");

-- The change feed is written by triggers, in the writing transaction: no write path can forget it.
-- Listing changes: the instrument itself, its fee schedule, open hours and blackouts.
CREATE FUNCTION catalogue_instrument_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    INSERT INTO catalogue_changes (entity, entity_id, instrument_id) VALUES ('listing', OLD.id, OLD.id);
  ELSE
    INSERT INTO catalogue_changes (entity, entity_id, instrument_id) VALUES ('listing', NEW.id, NEW.id);
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- Fee rates, open hours and blackouts change their instrument's listing (both instruments, were one moved).
CREATE FUNCTION catalogue_listing_part_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    INSERT INTO catalogue_changes (entity, entity_id, instrument_id) VALUES ('listing', OLD.instrument_id, OLD.instrument_id);
  END IF;
  IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.instrument_id IS DISTINCT FROM OLD.instrument_id) THEN
    INSERT INTO catalogue_changes (entity, entity_id, instrument_id) VALUES ('listing', NEW.instrument_id, NEW.instrument_id);
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER instruments_catalogue_change AFTER INSERT OR UPDATE OR DELETE ON instruments
  FOR EACH ROW EXECUTE FUNCTION catalogue_instrument_changed();
--> statement-breakpoint
CREATE TRIGGER fee_rates_catalogue_change AFTER INSERT OR UPDATE OR DELETE ON fee_rates
  FOR EACH ROW EXECUTE FUNCTION catalogue_listing_part_changed();
--> statement-breakpoint
CREATE TRIGGER open_hours_catalogue_change AFTER INSERT OR UPDATE OR DELETE ON open_hours
  FOR EACH ROW EXECUTE FUNCTION catalogue_listing_part_changed();
--> statement-breakpoint
CREATE TRIGGER blackouts_catalogue_change AFTER INSERT OR UPDATE OR DELETE ON blackouts
  FOR EACH ROW EXECUTE FUNCTION catalogue_listing_part_changed();
--> statement-breakpoint
-- Busy periods: a booking made, moved, or whose status changed (only start and end ever leave the owner).
CREATE FUNCTION catalogue_busy_period_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    INSERT INTO catalogue_changes (entity, entity_id, instrument_id) VALUES ('busy_period', OLD.id, OLD.instrument_id);
  ELSIF TG_OP = 'INSERT' OR OLD.period IS DISTINCT FROM NEW.period OR OLD.status IS DISTINCT FROM NEW.status
      OR OLD.instrument_id IS DISTINCT FROM NEW.instrument_id THEN
    INSERT INTO catalogue_changes (entity, entity_id, instrument_id) VALUES ('busy_period', NEW.id, NEW.instrument_id);
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER bookings_catalogue_change AFTER INSERT OR UPDATE OR DELETE ON bookings
  FOR EACH ROW EXECUTE FUNCTION catalogue_busy_period_changed();
--> statement-breakpoint
INSERT INTO catalogue_feed_state DEFAULT VALUES;
--> statement-breakpoint
-- Listings and bookings that predate the feed: one change each, so a first harvest finds everything.
INSERT INTO catalogue_changes (entity, entity_id, instrument_id) SELECT 'listing', id, id FROM instruments ORDER BY id;
--> statement-breakpoint
INSERT INTO catalogue_changes (entity, entity_id, instrument_id)
  SELECT 'busy_period', id, instrument_id FROM bookings ORDER BY id;

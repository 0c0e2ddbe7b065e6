-- Nudge: every transaction that records a change notifies `catalogue_changes` (delivered at commit, never
-- for a rollback, once per transaction: PostgreSQL folds equal notifications). A service long-polling for its
-- consumer wakes on it; pulling stays the mechanism, so a lost notification costs only the poll interval.
CREATE FUNCTION catalogue_change_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('catalogue_changes', '');
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER catalogue_changes_notify AFTER INSERT ON catalogue_changes
  FOR EACH STATEMENT EXECUTE FUNCTION catalogue_change_notify();

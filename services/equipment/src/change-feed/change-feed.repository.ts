import { sql } from 'drizzle-orm';
import type { EquipmentDb } from '../instruments/instruments.repository';
import type { FeedChange, FeedPosition } from './change-feed.types';

interface StateRow extends Record<string, unknown> {
  epoch: string;
  horizon: string;
  next_xid: string;
  expired: boolean;
  rewound: boolean;
}

interface ChangeRow extends Record<string, unknown> {
  id: string;
  xid: string;
  entity: FeedChange['entity'];
  entity_id: string;
  instrument_id: string;
}

/** What one read of the feed saw, in one snapshot. */
export interface FeedRead {
  epoch: string;
  /** Rows after the position, in `(xid, id)` order, at most `limit + 1` (one more tells that more are ready). */
  rows: (FeedChange & { position: FeedPosition })[];
  /** Where a reader that got every row stands: below the oldest running transaction, nothing is still to come. */
  horizon: FeedPosition;
  /** The position is at or below what pruning removed. */
  expired: boolean;
  /** The position is beyond any transaction this database has seen (restored from an older backup). */
  rewound: boolean;
}

/**
 * The change feed (`catalogue_changes`, written by triggers): read in commit-safe order, pruned after the
 * retention window. Only rows of transactions older than the oldest one still running are read, so a change
 * numbered early that commits late is read after the ones that committed first, never skipped.
 */
export class ChangeFeedRepository {
  constructor(private readonly db: EquipmentDb) {}

  async read(after: FeedPosition, limit: number): Promise<FeedRead> {
    // One snapshot for the horizon and the rows: repeatable read, read only.
    return this.db.transaction(
      async (tx) => {
        const [state] = await tx.execute<StateRow>(sql`
          SELECT s.epoch,
                 pg_snapshot_xmin(pg_current_snapshot())::text AS horizon,
                 pg_snapshot_xmax(pg_current_snapshot())::text AS next_xid,
                 (${after.xid}::xid8, ${after.id}::bigint) <= (s.pruned_xid, s.pruned_id)
                   AND (s.pruned_xid, s.pruned_id) > ('0'::xid8, 0::bigint) AS expired,
                 ${after.xid}::xid8 > pg_snapshot_xmax(pg_current_snapshot()) AS rewound
          FROM catalogue_feed_state s`);
        const rows = await tx.execute<ChangeRow>(sql`
          SELECT id::text, xid::text, entity, entity_id::text, instrument_id::text
          FROM catalogue_changes
          WHERE xid < pg_snapshot_xmin(pg_current_snapshot())
            AND (xid, id) > (${after.xid}::xid8, ${after.id}::bigint)
          ORDER BY xid, id
          LIMIT ${limit + 1}`);
        return {
          epoch: state!.epoch,
          horizon: { xid: state!.horizon, id: 0 },
          expired: state!.expired,
          rewound: state!.rewound,
          rows: rows.map((r) => ({
            entity: r.entity,
            entityId: Number(r.entity_id),
            instrumentId: Number(r.instrument_id),
            version: Number(r.id),
            position: { xid: r.xid, id: Number(r.id) },
          })),
        };
      },
      { isolationLevel: 'repeatable read', accessMode: 'read only' },
    );
  }

  /**
   * Deletes the changes older than `before` that every reader can have seen (below the horizon), and records
   * how far pruning reached so that older cursors are told to resynchronise. Returns how many were deleted.
   */
  async prune(before: Date): Promise<number> {
    return this.db.transaction(async (tx) => {
      const [last] = await tx.execute<{ xid: string | null; id: string | null }>(sql`
        SELECT xid::text, id::text FROM catalogue_changes
        WHERE changed_at < ${before.toISOString()}::timestamptz AND xid < pg_snapshot_xmin(pg_current_snapshot())
        ORDER BY xid DESC, id DESC LIMIT 1`);
      if (!last?.xid) return 0;
      const deleted = await tx.execute(sql`
        DELETE FROM catalogue_changes WHERE (xid, id) <= (${last.xid}::xid8, ${last.id}::bigint)`);
      await tx.execute(sql`
        UPDATE catalogue_feed_state SET pruned_xid = ${last.xid}::xid8, pruned_id = ${last.id}::bigint
        WHERE (pruned_xid, pruned_id) < (${last.xid}::xid8, ${last.id}::bigint)`);
      return deleted.count;
    });
  }
}

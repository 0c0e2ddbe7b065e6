import { and, asc, gt, inArray, isNull, sql } from 'drizzle-orm';
import { equipmentSchema } from '@kyoyo/db';
import {
  ACTIVE_BOOKING_STATUSES,
  feedVersion,
  HELD_BOOKING_STATUSES,
  isExternalUse,
  type BookingStatus,
  type FeedVersion,
} from '@kyoyo/domain';
import { LISTING_COLUMNS, toInstrument, type EquipmentDb, type Transaction } from '../instruments/instruments.repository';
import type { CatalogueState, FeedChange, FeedPosition } from './change-feed.types';

const { instrumentsTable, feeRatesTable, openHoursTable, blackoutsTable, bookingsTable } = equipmentSchema;

/**
 * The bookings whose times the nation sees: those that hold or may still hold a slot (PENDING, CONFIRMED) and
 * those that were used (COMPLETED, NO_SHOW), which the duplicate checks' utilisation counts. A rejected or
 * cancelled booking leaves the catalogue.
 */
export const PUBLISHED_BOOKING_STATUSES: readonly BookingStatus[] = [
  ...new Set([...ACTIVE_BOOKING_STATUSES, ...HELD_BOOKING_STATUSES]),
];
/** How far back a full listing carries used bookings: the 365 days a duplicate check's utilisation reads, and a day. */
const USE_HISTORY_DAYS = 366;

interface StateRow extends Record<string, unknown> {
  epoch: string;
  horizon: string;
  next_xid: string;
  expired: boolean;
  rewound: boolean;
  held: boolean;
  as_of: Date;
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
  /** The database's clock at the read. */
  asOf: Date;
  /** Rows after the position, in `(xid, id)` order, at most `limit + 1` (one more tells that more are ready). */
  rows: (FeedChange & { position: FeedPosition })[];
  /** Where a reader that got every row stands: below the oldest running transaction, nothing is still to come. */
  horizon: FeedPosition;
  /** The position is at or below what pruning removed. */
  expired: boolean;
  /** The position is beyond any transaction this database has seen (restored from an older backup). */
  rewound: boolean;
  /**
   * Committed changes past the position wait above the horizon: a transaction that began earlier (in any
   * database of the cluster: transaction ids are the cluster's) is still running. Ask again shortly.
   */
  held: boolean;
  /** The current state of the entities of the first `limit` rows, read in the same snapshot. */
  state: CatalogueState;
}

/** One page of a full listing, in one snapshot. */
export interface SnapshotRead {
  epoch: string;
  asOf: Date;
  horizon: FeedPosition;
  /** Listed instruments after the id, at most `limit + 1`, with the busy periods of the first `limit`. */
  state: CatalogueState;
  hasMore: boolean;
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
          SELECT s.epoch, now() AS as_of,
                 pg_snapshot_xmin(pg_current_snapshot())::text AS horizon,
                 pg_snapshot_xmax(pg_current_snapshot())::text AS next_xid,
                 (${after.xid}::xid8, ${after.id}::bigint) <= (s.pruned_xid, s.pruned_id)
                   AND (s.pruned_xid, s.pruned_id) > ('0'::xid8, 0::bigint) AS expired,
                 ${after.xid}::xid8 > pg_snapshot_xmax(pg_current_snapshot()) AS rewound,
                 EXISTS (SELECT 1 FROM catalogue_changes c
                         WHERE c.xid >= pg_snapshot_xmin(pg_current_snapshot())
                           AND (c.xid, c.id) > (${after.xid}::xid8, ${after.id}::bigint)) AS held
          FROM catalogue_feed_state s`);
        const rows = await tx.execute<ChangeRow>(sql`
          SELECT id::text, xid::text, entity, entity_id::text, instrument_id::text
          FROM catalogue_changes
          WHERE xid < pg_snapshot_xmin(pg_current_snapshot())
            AND (xid, id) > (${after.xid}::xid8, ${after.id}::bigint)
          -- The table's columns, not the text columns of the select list (which would sort '10' before '9').
          ORDER BY catalogue_changes.xid, catalogue_changes.id
          LIMIT ${limit + 1}`);
        const changes = rows.map((r) => ({
          entity: r.entity,
          entityId: Number(r.entity_id),
          instrumentId: Number(r.instrument_id),
          version: feedVersion(r.xid, r.id),
          position: { xid: r.xid, id: Number(r.id) },
        }));
        // The version of an entity is the position of its latest change in the page (rows come in feed order).
        const listings = new Map<number, FeedVersion>();
        const periods = new Map<number, FeedVersion>();
        for (const change of changes.slice(0, limit)) {
          (change.entity === 'listing' ? listings : periods).set(change.entityId, change.version);
        }
        return {
          epoch: state!.epoch,
          asOf: new Date(state!.as_of),
          horizon: { xid: state!.horizon, id: 0 },
          expired: state!.expired,
          rewound: state!.rewound,
          held: state!.held,
          rows: changes,
          state: await readState(tx, listings, periods),
        };
      },
      { isolationLevel: 'repeatable read', accessMode: 'read only' },
    );
  }

  /**
   * Listed instruments after `afterId` (by id), at most `limit`, with their fees, hours, coming closures and the
   * busy periods of their bookings that are active or were used in the last year, all in one snapshot; every state carries the
   * version of the snapshot's horizon, where the feed continues once the snapshot is applied.
   */
  async snapshot(afterId: number, limit: number): Promise<SnapshotRead> {
    return this.db.transaction(
      async (tx) => {
        const [state] = await tx.execute<{ epoch: string; as_of: Date; horizon: string }>(sql`
          SELECT s.epoch, now() AS as_of, pg_snapshot_xmin(pg_current_snapshot())::text AS horizon
          FROM catalogue_feed_state s`);
        const ids = await tx
          .select({ id: instrumentsTable.id })
          .from(instrumentsTable)
          .where(and(gt(instrumentsTable.id, afterId), isNull(instrumentsTable.decommissionedAt)))
          .orderBy(asc(instrumentsTable.id))
          .limit(limit + 1);
        const version = feedVersion(state!.horizon, 0);
        const page = ids.slice(0, limit).map((r) => r.id);
        const bookings =
          page.length === 0
            ? []
            : await tx
                .select({ id: bookingsTable.id })
                .from(bookingsTable)
                .where(
                  and(
                    inArray(bookingsTable.instrumentId, page),
                    inArray(bookingsTable.status, [...PUBLISHED_BOOKING_STATUSES]),
                    sql`upper(${bookingsTable.period}) > now() - ${`${USE_HISTORY_DAYS} days`}::interval`,
                  ),
                );
        return {
          epoch: state!.epoch,
          asOf: new Date(state!.as_of),
          horizon: { xid: state!.horizon, id: 0 },
          hasMore: ids.length > limit,
          state: await readState(tx, new Map(page.map((id) => [id, version])), new Map(bookings.map((b) => [b.id, version]))),
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
        ORDER BY catalogue_changes.xid DESC, catalogue_changes.id DESC LIMIT 1`);
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

/**
 * The current state of listings and busy periods, with the versions given: a listing that is no longer listed
 * and a booking that was rejected or cancelled (or is gone) come back as removals. Five queries, whatever the page size.
 */
async function readState(
  tx: Transaction,
  listingVersions: ReadonlyMap<number, FeedVersion>,
  periodVersions: ReadonlyMap<number, FeedVersion>,
): Promise<CatalogueState> {
  const listingIds = [...listingVersions.keys()];
  const periodIds = [...periodVersions.keys()];
  const none = Promise.resolve([]);
  const [rows, fees, hours, closures, bookings] = await Promise.all([
    listingIds.length === 0
      ? none
      : tx
          .select(LISTING_COLUMNS)
          .from(instrumentsTable)
          .where(and(inArray(instrumentsTable.id, listingIds), isNull(instrumentsTable.decommissionedAt)))
          .orderBy(asc(instrumentsTable.id)),
    listingIds.length === 0
      ? none
      : tx
          .select()
          .from(feeRatesTable)
          .where(inArray(feeRatesTable.instrumentId, listingIds))
          .orderBy(asc(feeRatesTable.userCategory), asc(feeRatesTable.mode)),
    listingIds.length === 0
      ? none
      : tx
          .select()
          .from(openHoursTable)
          .where(inArray(openHoursTable.instrumentId, listingIds))
          .orderBy(asc(openHoursTable.weekday), asc(openHoursTable.opensAt)),
    listingIds.length === 0
      ? none
      : tx
          .select({ id: blackoutsTable.id, instrumentId: blackoutsTable.instrumentId, period: blackoutsTable.period })
          .from(blackoutsTable)
          .where(and(inArray(blackoutsTable.instrumentId, listingIds), sql`upper(${blackoutsTable.period}) > now()`))
          .orderBy(sql`lower(${blackoutsTable.period})`, asc(blackoutsTable.id)),
    periodIds.length === 0
      ? none
      : tx
          .select({
            id: bookingsTable.id,
            instrumentId: bookingsTable.instrumentId,
            period: bookingsTable.period,
            status: bookingsTable.status,
            userCategory: bookingsTable.userCategory,
          })
          .from(bookingsTable)
          .where(and(inArray(bookingsTable.id, periodIds), inArray(bookingsTable.status, [...PUBLISHED_BOOKING_STATUSES]))),
  ]);
  const group = <T extends { instrumentId: number }>(items: readonly T[]) => {
    const byInstrument = new Map<number, T[]>();
    for (const item of items) byInstrument.set(item.instrumentId, [...(byInstrument.get(item.instrumentId) ?? []), item]);
    return byInstrument;
  };
  const feesOf = group(fees);
  const hoursOf = group(hours);
  const closuresOf = group(closures);
  const listed = new Set(rows.map((r) => r.id));
  const active = new Set(bookings.map((b) => b.id));
  return {
    listings: rows.map((row) => ({
      ...toInstrument(row),
      fees: (feesOf.get(row.id) ?? []).map(({ userCategory, mode, hourlyRate, billingUnitMinutes, minimumCharge }) => ({
        userCategory,
        mode,
        hourlyRate,
        billingUnitMinutes,
        minimumCharge,
      })),
      openHours: (hoursOf.get(row.id) ?? []).map(({ weekday, opensAt, closesAt }) => ({ weekday, opensAt, closesAt })),
      closures: (closuresOf.get(row.id) ?? []).map((c) => ({ id: c.id, start: c.period.start, end: c.period.end })),
      version: listingVersions.get(row.id)!,
    })),
    removedListings: listingIds.filter((id) => !listed.has(id)).map((id) => ({ id, version: listingVersions.get(id)! })),
    busyPeriods: bookings.map((b) => ({
      id: b.id,
      instrumentId: b.instrumentId,
      start: b.period.start,
      end: b.period.end,
      held: HELD_BOOKING_STATUSES.includes(b.status),
      external: isExternalUse(b.userCategory),
      version: periodVersions.get(b.id)!,
    })),
    removedBusyPeriods: periodIds.filter((id) => !active.has(id)).map((id) => ({ id, version: periodVersions.get(id)! })),
  };
}

import { and, asc, gt, inArray, isNull, sql } from 'drizzle-orm';
import { equipmentSchema } from '@kyoyo/db';
import { CatalogueChecksum, HELD_BOOKING_STATUSES, isExternalUse, type CatalogueFigures } from '@kyoyo/domain';
import { LISTING_COLUMNS, toInstrument, type EquipmentDb } from '../instruments/instruments.repository';
import { PUBLISHED_BOOKING_STATUSES } from './change-feed.repository';
import type { FeedPosition } from './change-feed.types';

const { instrumentsTable, feeRatesTable, openHoursTable, blackoutsTable, bookingsTable } = equipmentSchema;

/** Listings read per query while summing: memory stays flat whatever the institution's size. */
export const SUMMARY_PAGE = 1000;

/**
 * Closures and busy periods are read from a second before the summary's time: the checksum leaves out what
 * ended by then at millisecond precision (`asOf` as a `Date`), the database's `now()` has microseconds.
 */
const MARGIN = sql`now() - interval '1 second'`;

/** What the nation may see of this institution, summed in one snapshot, and where the feed stood in it. */
export interface SummaryRead extends CatalogueFigures {
  epoch: string;
  /** The database's clock at the read (the time closures and busy periods are counted at). */
  asOf: Date;
  /** The latest change visible in the snapshot: the summary reflects it and every change before it. */
  latest: FeedPosition | null;
  /** How far pruning of the feed had reached (a consumer at or below it missed changes). */
  pruned: FeedPosition;
  /** The next transaction id to be assigned: a position beyond it belongs to another (restored) database. */
  nextXid: string;
}

/**
 * The owner's side of reconciliation: counts and the shared checksum (`CatalogueChecksum`) over every listed
 * instrument with its fees, open hours and coming closures, and over the busy periods of its bookings that
 * are published and have not ended, read page by page in one repeatable-read snapshot with the feed's state.
 */
export class ChangeFeedSummaryRepository {
  constructor(
    private readonly db: EquipmentDb,
    private readonly pageSize = SUMMARY_PAGE,
  ) {}

  async read(): Promise<SummaryRead> {
    return this.db.transaction(
      async (tx) => {
        const [state] = await tx.execute<{
          epoch: string;
          as_of: Date;
          pruned_xid: string;
          pruned_id: string;
          next_xid: string;
          latest_xid: string | null;
          latest_id: string | null;
        }>(sql`
          SELECT s.epoch, now() AS as_of, s.pruned_xid::text, s.pruned_id::text,
                 pg_snapshot_xmax(pg_current_snapshot())::text AS next_xid,
                 l.xid::text AS latest_xid, l.id::text AS latest_id
          FROM catalogue_feed_state s
          LEFT JOIN LATERAL (
            SELECT c.xid, c.id FROM catalogue_changes c ORDER BY c.xid DESC, c.id DESC LIMIT 1
          ) l ON true`);
        const asOf = new Date(state!.as_of);
        const checksum = new CatalogueChecksum(asOf);
        let after = 0;
        for (;;) {
          const rows = await tx
            .select(LISTING_COLUMNS)
            .from(instrumentsTable)
            .where(and(gt(instrumentsTable.id, after), isNull(instrumentsTable.decommissionedAt)))
            .orderBy(asc(instrumentsTable.id))
            .limit(this.pageSize);
          if (rows.length === 0) break;
          const ids = rows.map((r) => r.id);
          const [fees, hours, closures, bookings] = await Promise.all([
            tx.select().from(feeRatesTable).where(inArray(feeRatesTable.instrumentId, ids)),
            tx.select().from(openHoursTable).where(inArray(openHoursTable.instrumentId, ids)),
            tx
              .select({ id: blackoutsTable.id, instrumentId: blackoutsTable.instrumentId, period: blackoutsTable.period })
              .from(blackoutsTable)
              .where(and(inArray(blackoutsTable.instrumentId, ids), sql`upper(${blackoutsTable.period}) > ${MARGIN}`)),
            tx
              .select({
                id: bookingsTable.id,
                instrumentId: bookingsTable.instrumentId,
                period: bookingsTable.period,
                status: bookingsTable.status,
                userCategory: bookingsTable.userCategory,
              })
              .from(bookingsTable)
              .where(
                and(
                  inArray(bookingsTable.instrumentId, ids),
                  inArray(bookingsTable.status, [...PUBLISHED_BOOKING_STATUSES]),
                  sql`upper(${bookingsTable.period}) > ${MARGIN}`,
                ),
              ),
          ]);
          const feesOf = groupBy(fees);
          const hoursOf = groupBy(hours);
          const closuresOf = groupBy(closures);
          for (const row of rows) {
            checksum.addListing({
              ...toInstrument(row),
              fees: feesOf.get(row.id) ?? [],
              openHours: hoursOf.get(row.id) ?? [],
              closures: (closuresOf.get(row.id) ?? []).map((c) => ({ id: c.id, start: c.period.start, end: c.period.end })),
            });
          }
          for (const b of bookings) {
            checksum.addBusyPeriod({
              id: b.id,
              instrumentId: b.instrumentId,
              start: b.period.start,
              end: b.period.end,
              held: HELD_BOOKING_STATUSES.includes(b.status),
              external: isExternalUse(b.userCategory),
            });
          }
          after = rows.at(-1)!.id;
          if (rows.length < this.pageSize) break;
        }
        return {
          ...checksum.figures(),
          epoch: state!.epoch,
          asOf,
          latest: state!.latest_xid ? { xid: state!.latest_xid, id: Number(state!.latest_id) } : null,
          pruned: { xid: state!.pruned_xid, id: Number(state!.pruned_id) },
          nextXid: state!.next_xid,
        };
      },
      { isolationLevel: 'repeatable read', accessMode: 'read only' },
    );
  }
}

function groupBy<T extends { instrumentId: number }>(items: readonly T[]): Map<number, T[]> {
  const byInstrument = new Map<number, T[]>();
  for (const item of items) {
    const list = byInstrument.get(item.instrumentId);
    if (list) list.push(item);
    else byInstrument.set(item.instrumentId, [item]);
  }
  return byInstrument;
}

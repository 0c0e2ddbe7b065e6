import { and, asc, desc, eq, gt, inArray, isNull, lt, sql } from 'drizzle-orm';
import { equipmentSchema, translateConstraintViolation } from '@kyoyo/db';
import type { FeeRate } from '@kyoyo/domain';
import {
  LISTING_COLUMNS,
  toInstrument,
  writeListings,
  type EquipmentDb,
  type Transaction,
} from '../instruments/instruments.repository';
import type { Instrument, InstrumentListing, SearchColumns } from '../instruments/instruments.types';
import type { ChangeSet, ListingChange, ListingChangeAction, StoredListing } from './listings.types';

const { instrumentsTable: t, feeRatesTable, listingChangesTable: changesTable, bookingsTable } = equipmentSchema;

/** A listing to write and what the change record says about it. */
export interface ListingWrite {
  listing: InstrumentListing;
  search: SearchColumns;
  action: 'CREATED' | 'UPDATED';
  changes: ChangeSet;
}

/** Who changes listings, and through which operation. */
export interface ChangeAuthor {
  changedBy: string;
  via: string;
}

/** Rows per statement when reading listings by local id. */
const READ_CHUNK = 5000;

async function feesOf(tx: Transaction | EquipmentDb, ids: readonly number[]): Promise<Map<number, FeeRate[]>> {
  const byInstrument = new Map<number, FeeRate[]>();
  for (let i = 0; i < ids.length; i += READ_CHUNK) {
    const rows = await tx
      .select()
      .from(feeRatesTable)
      .where(inArray(feeRatesTable.instrumentId, ids.slice(i, i + READ_CHUNK)))
      .orderBy(asc(feeRatesTable.instrumentId), asc(feeRatesTable.userCategory), asc(feeRatesTable.mode));
    for (const { instrumentId, ...rate } of rows) {
      const list = byInstrument.get(instrumentId) ?? [];
      list.push(rate);
      byInstrument.set(instrumentId, list);
    }
  }
  return byInstrument;
}

/** Records changes to listings inside the transaction that makes them (also used by open hours and closures). */
export async function recordChanges(
  tx: Transaction,
  records: (Omit<typeof changesTable.$inferInsert, 'action'> & { action: ListingChangeAction })[],
): Promise<void> {
  for (let i = 0; i < records.length; i += 1000) await tx.insert(changesTable).values(records.slice(i, i + 1000));
}

/**
 * Listings as their office manages them: locked reads of the current state, writes with a change record
 * each, decommissioning, the change history and the export. Everything that writes records who did it in
 * `listing_changes` in the same transaction.
 */
export class ListingsRepository {
  constructor(private readonly db: EquipmentDb) {}

  /**
   * One transaction: locks the listings with these local ids (`FOR UPDATE`, decommissioned ones included)
   * and hands their current state to `work`, which may call `write` once to store listings and their change
   * records. Nothing is written unless `write` is called; `work`'s result is returned after the commit.
   */
  async withLockedListings<T>(
    localIds: readonly string[],
    work: (
      current: Map<string, StoredListing>,
      write: (writes: readonly ListingWrite[], author: ChangeAuthor) => Promise<Instrument[]>,
    ) => T | Promise<T>,
  ): Promise<T> {
    try {
      return await this.db.transaction(async (tx) => {
        const rows = [];
        for (let i = 0; i < localIds.length; i += READ_CHUNK) {
          const chunk = localIds.slice(i, i + READ_CHUNK);
          rows.push(
            ...(await tx.select(LISTING_COLUMNS).from(t).where(inArray(t.localId, chunk)).orderBy(asc(t.id)).for('update')),
          );
        }
        const fees = await feesOf(
          tx,
          rows.map((r) => r.id),
        );
        const current = new Map(
          rows.map((row) => [
            row.localId,
            { instrument: toInstrument(row), fees: fees.get(row.id) ?? [], decommissionedAt: row.decommissionedAt },
          ]),
        );
        const write = async (writes: readonly ListingWrite[], author: ChangeAuthor) => {
          const stored = await writeListings(tx, writes);
          await recordChanges(
            tx,
            stored.map(({ instrument }, i) => ({
              instrumentId: instrument.id,
              ...author,
              action: writes[i]!.action,
              changes: writes[i]!.changes,
            })),
          );
          return stored.map((s) => s.instrument);
        };
        return await work(current, write);
      });
    } catch (error) {
      throw translateConstraintViolation(error);
    }
  }

  /**
   * Decommissions (`at` a time) or lists again (`at` null) the instrument `id`, with its change record, in
   * one transaction that locks the row. With `cancelFrom`, active bookings starting after it are cancelled
   * free of charge by the author first. Null when there is no such instrument; `unchanged` when it already
   * was in that state. Without `cancelFuture`, active bookings that start after `now` block decommissioning
   * (`blockedBy` counts them) and nothing changes.
   */
  async setDecommissioned(
    id: number,
    change: { at: Date | null; reason: string | null; now: Date; cancelFuture: boolean },
    author: ChangeAuthor,
  ): Promise<{ instrument: Instrument; unchanged: boolean; cancelled: number } | { blockedBy: number } | null> {
    return this.db.transaction(async (tx) => {
      const [row] = await tx.select(LISTING_COLUMNS).from(t).where(eq(t.id, id)).for('update');
      if (!row) return null;
      const wasDecommissioned = row.decommissionedAt !== null;
      if (wasDecommissioned === (change.at !== null)) {
        return { instrument: toInstrument(row), unchanged: true, cancelled: 0 };
      }
      const future = and(
        eq(bookingsTable.instrumentId, id),
        inArray(bookingsTable.status, ['PENDING', 'CONFIRMED']),
        sql`lower(${bookingsTable.period}) > ${change.now.toISOString()}::timestamptz`,
      );
      if (change.at !== null && !change.cancelFuture) {
        const [held] = await tx
          .select({ n: sql<number>`count(*)::int` })
          .from(bookingsTable)
          .where(future);
        if (held && held.n > 0) return { blockedBy: held.n };
      }
      let cancelled = 0;
      if (change.at !== null && change.cancelFuture) {
        const rows = await tx
          .update(bookingsTable)
          .set({
            status: 'CANCELLED',
            cancellationFee: 0,
            cancelledAt: change.now,
            cancelledBy: author.changedBy,
            cancelReason: change.reason ? `Instrument decommissioned: ${change.reason}` : 'Instrument decommissioned',
            updatedAt: change.now,
          })
          .where(future)
          .returning({ id: bookingsTable.id });
        cancelled = rows.length;
      }
      const [updated] = await tx
        .update(t)
        .set({ decommissionedAt: change.at, updatedAt: change.now })
        .where(eq(t.id, id))
        .returning(LISTING_COLUMNS);
      await recordChanges(tx, [
        {
          instrumentId: id,
          ...author,
          action: change.at ? 'DECOMMISSIONED' : 'RECOMMISSIONED',
          changes: {
            decommissionedAt: { from: row.decommissionedAt?.toISOString() ?? null, to: change.at?.toISOString() ?? null },
            ...(change.reason ? { reason: { from: null, to: change.reason } } : {}),
            ...(cancelled > 0 ? { cancelledBookings: { from: null, to: cancelled } } : {}),
          },
        },
      ]);
      return { instrument: toInstrument(updated!), unchanged: false, cancelled };
    });
  }

  /** The instrument's changes, newest first, at most `limit`, before the change `before` when given. */
  async changes(instrumentId: number, limit: number, before: number | null): Promise<ListingChange[]> {
    const rows = await this.db
      .select()
      .from(changesTable)
      .where(and(eq(changesTable.instrumentId, instrumentId), before === null ? undefined : lt(changesTable.id, before)))
      .orderBy(desc(changesTable.id))
      .limit(limit);
    return rows.map((r) => ({
      id: r.id,
      instrumentId: r.instrumentId,
      changedAt: r.changedAt,
      changedBy: r.changedBy,
      action: r.action as ListingChangeAction,
      via: r.via,
      changes: r.changes,
    }));
  }

  /** Whether an instrument with this id exists (listed or decommissioned). */
  async exists(id: number): Promise<boolean> {
    const [row] = await this.db.select({ id: t.id }).from(t).where(eq(t.id, id));
    return row !== undefined;
  }

  /** Listed instruments with their fee schedules, by id, a page after `afterId`, for exports. */
  async listedPage(afterId: number, limit: number): Promise<{ instrument: Instrument; fees: FeeRate[] }[]> {
    const rows = await this.db
      .select(LISTING_COLUMNS)
      .from(t)
      .where(and(isNull(t.decommissionedAt), gt(t.id, afterId)))
      .orderBy(asc(t.id))
      .limit(limit);
    const fees = await feesOf(
      this.db,
      rows.map((r) => r.id),
    );
    return rows.map((row) => ({ instrument: toInstrument(row), fees: fees.get(row.id) ?? [] }));
  }
}

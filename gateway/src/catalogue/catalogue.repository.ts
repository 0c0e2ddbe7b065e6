import { and, eq, getTableColumns, getTableName, inArray, sql, type SQL } from 'drizzle-orm';
import * as gatewaySchema from '../db/schema';
import type { GatewayDb } from '../registry/registry.repository';
import type { BusyPeriodEntry, CheckedEntries, ListingEntry, RemovalEntry, Version } from './catalogue.entries';

const {
  catalogueInstrumentsTable: ci,
  catalogueTermsTable: ct,
  catalogueBusyPeriodsTable: cb,
  catalogueHarvestTable: ch,
} = gatewaySchema;

type Transaction = Parameters<Parameters<GatewayDb['transaction']>[0]>[0];

/** Where the harvest of one institution stands. */
export type HarvestState = typeof ch.$inferSelect;

/** What a page may overwrite: rows of another generation, or of the same one at an older or equal version. */
function newerOrOtherGeneration(table: typeof ci | typeof cb): SQL {
  return sql`(${table.generation} <> excluded.generation
    OR (${table.versionXid}, ${table.versionId}) <= (excluded.version_xid, excluded.version_id))`;
}

/** Every column but the key takes the proposed row's value (`excluded.*`). */
function excludedColumns(columns: Record<string, { name: string }>, key: readonly string[]): Record<string, SQL> {
  return Object.fromEntries(
    Object.entries(columns)
      .filter(([property]) => !key.includes(property))
      .map(([property, column]) => [property, sql.raw(`excluded.${column.name}`)]),
  );
}

const LISTING_UPDATE = excludedColumns(getTableColumns(ci), ['institution', 'id']);
const TERMS_UPDATE = excludedColumns(getTableColumns(ct), ['institution', 'id']);
const PERIOD_UPDATE = excludedColumns(getTableColumns(cb), ['institution', 'kind', 'id']);

/** Rows per insert statement (PostgreSQL takes at most 65,535 parameters; a listing row has about 35). */
const CHUNK = 500;

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const versionColumns = (v: Version, generation: number) => ({ versionXid: v.xid, versionId: v.id, generation });

/**
 * The national catalogue in the gateway's database: applying harvested pages (each in one transaction with
 * the stored cursor, idempotent by version) and where each institution's harvest stands.
 */
export class CatalogueRepository {
  constructor(private readonly db: GatewayDb) {}

  /** The harvest state of `institution`, created (a full listing to do) when it has none yet. */
  async state(institution: string): Promise<HarvestState> {
    await this.db.insert(ch).values({ institution }).onConflictDoNothing();
    const [row] = await this.db.select().from(ch).where(eq(ch.institution, institution));
    return row!;
  }

  /** Every institution's harvest state. */
  async states(): Promise<HarvestState[]> {
    return this.db.select().from(ch);
  }

  /**
   * Applies a change-feed page read after `expected.cursor` and moves the cursor to `next`, all in one
   * transaction. Nothing is applied (false) when the stored state moved meanwhile (another gateway applied
   * this page, or a resynchronisation began): a page is applied once, in order.
   */
  async applyChanges(
    institution: string,
    expected: Pick<HarvestState, 'cursor' | 'generation'>,
    entries: CheckedEntries,
    next: { cursor: string; currentTo: Date | null },
  ): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const [state] = await tx.select().from(ch).where(eq(ch.institution, institution)).for('update');
      if (!state || state.cursor !== expected.cursor || state.generation !== expected.generation || state.snapshotNext !== null) {
        return false;
      }
      await writeEntries(tx, institution, state.generation, entries);
      const applied =
        entries.listings.length + entries.removedListings.length + entries.busyPeriods.length + entries.removedBusyPeriods.length;
      await tx
        .update(ch)
        .set({
          cursor: next.cursor,
          ...(next.currentTo ? { currentTo: next.currentTo } : {}),
          changesApplied: sql`${ch.changesApplied} + ${applied}`,
          refused: sql`${ch.refused} + ${entries.refused.length}`,
          lastError: null,
          updatedAt: sql`now()`,
        })
        .where(eq(ch.institution, institution));
      return true;
    });
  }

  /** Starts a full listing: the next generation, from the first page; the current rows stay searchable meanwhile. */
  async beginResync(institution: string, reason: string): Promise<void> {
    await this.db
      .update(ch)
      .set({ snapshotNext: '0', snapshotCursor: null, resyncs: sql`${ch.resyncs} + 1`, lastError: reason, updatedAt: sql`now()` })
      .where(eq(ch.institution, institution));
  }

  /**
   * Applies one page of a full listing (in the next generation) and records where the listing goes on; after
   * its last page, deletes what the listing did not hold (older generation), makes the new generation current
   * and continues the feed at the listing's first cursor. False when the stored state moved meanwhile.
   */
  async applySnapshot(
    institution: string,
    expected: Pick<HarvestState, 'snapshotNext' | 'generation'>,
    entries: CheckedEntries,
    page: { next: string | null; cursor: string; asOf: Date },
  ): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const [state] = await tx.select().from(ch).where(eq(ch.institution, institution)).for('update');
      if (
        !state ||
        state.snapshotNext === null ||
        state.snapshotNext !== expected.snapshotNext ||
        state.generation !== expected.generation
      ) {
        return false;
      }
      const generation = state.generation + 1;
      await writeEntries(tx, institution, generation, entries);
      const continueAt = state.snapshotCursor ?? page.cursor;
      const applied = entries.listings.length + entries.busyPeriods.length;
      if (page.next !== null) {
        await tx
          .update(ch)
          .set({
            snapshotNext: page.next,
            snapshotCursor: continueAt,
            changesApplied: sql`${ch.changesApplied} + ${applied}`,
            refused: sql`${ch.refused} + ${entries.refused.length}`,
            updatedAt: sql`now()`,
          })
          .where(eq(ch.institution, institution));
        return true;
      }
      await tx.delete(ci).where(and(eq(ci.institution, institution), sql`${ci.generation} <> ${generation}`));
      await tx.delete(cb).where(and(eq(cb.institution, institution), sql`${cb.generation} <> ${generation}`));
      await tx
        .update(ch)
        .set({
          cursor: continueAt,
          generation,
          snapshotNext: null,
          snapshotCursor: null,
          currentTo: state.currentTo && state.currentTo > page.asOf ? state.currentTo : page.asOf,
          changesApplied: sql`${ch.changesApplied} + ${applied}`,
          refused: sql`${ch.refused} + ${entries.refused.length}`,
          lastError: null,
          updatedAt: sql`now()`,
        })
        .where(eq(ch.institution, institution));
      return true;
    });
  }

  /**
   * Does at once what autovacuum would do for search a minute or more later. A full listing writes an
   * institution's part in one go, and until then search pays for it: the text indexes (GIN, with fast update)
   * hold the new rows in a pending list that every search through them reads — up to 4 MB each — and the
   * planner's statistics are those of the table before (a never-analysed table has no row estimate at all).
   * So: merge the pending lists (`gin_clean_pending_list`, work in proportion to the list, not the index) and
   * analyse (a sample). A whole VACUUM would also scan every page of a table still being harvested.
   */
  async refreshForSearch(): Promise<void> {
    await this.db.execute(sql`
      SELECT gin_clean_pending_list(i.indexrelid)
      FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam
      WHERE i.indrelid = ${getTableName(ci)}::regclass AND a.amname = 'gin'`);
    await this.db.execute(sql`ANALYZE ${ci}, ${ct}, ${cb}`);
  }

  /** Records why the last harvest attempt failed (shown in metrics and logs; the catalogue stays as it was). */
  async recordError(institution: string, error: string): Promise<void> {
    await this.db
      .update(ch)
      .set({ lastError: error.slice(0, 1000), updatedAt: sql`now()` })
      .where(eq(ch.institution, institution));
  }
}

/** Writes checked entries of one page: listings (with their closures), busy periods, removals. */
async function writeEntries(tx: Transaction, institution: string, generation: number, entries: CheckedEntries): Promise<void> {
  const written = await writeListings(tx, institution, generation, entries.listings);
  await replaceClosures(
    tx,
    institution,
    generation,
    entries.listings.filter((l) => written.has(l.id)),
  );
  await writePeriods(tx, institution, generation, entries.busyPeriods);
  await removeListings(tx, institution, entries.removedListings);
  await removePeriods(tx, institution, 'booking', entries.removedBusyPeriods);
}

/** Upserts listings where the stored row is older, and the terms of those written; the ids written. */
async function writeListings(
  tx: Transaction,
  institution: string,
  generation: number,
  listings: readonly ListingEntry[],
): Promise<Set<number>> {
  const written = new Set<number>();
  for (const chunk of chunks(listings)) {
    const rows = await tx
      .insert(ci)
      .values(
        chunk.map(({ id, values: { fees: _fees, openHours: _openHours, ...values }, version }) => ({
          institution,
          id,
          ...values,
          ...versionColumns(version, generation),
          harvestedAt: new Date(),
        })),
      )
      .onConflictDoUpdate({ target: [ci.institution, ci.id], set: LISTING_UPDATE, setWhere: newerOrOtherGeneration(ci) })
      .returning({ id: ci.id });
    const ids = new Set(rows.map((row) => row.id));
    const terms = chunk
      .filter((l) => ids.has(l.id))
      .map((l) => ({ institution, id: l.id, fees: l.values.fees, openHours: l.values.openHours }));
    if (terms.length > 0) {
      await tx
        .insert(ct)
        .values(terms)
        .onConflictDoUpdate({ target: [ct.institution, ct.id], set: TERMS_UPDATE });
    }
    for (const id of ids) written.add(id);
  }
  return written;
}

/** The listing's closures become the ones it carries now. */
async function replaceClosures(
  tx: Transaction,
  institution: string,
  generation: number,
  listings: readonly ListingEntry[],
): Promise<void> {
  if (listings.length === 0) return;
  for (const chunk of chunks(listings)) {
    await tx.delete(cb).where(
      and(
        eq(cb.institution, institution),
        eq(cb.kind, 'closure'),
        inArray(
          cb.instrumentId,
          chunk.map((l) => l.id),
        ),
      ),
    );
  }
  const closures = listings.flatMap((l) =>
    l.closures.map((c) => ({
      institution,
      kind: 'closure',
      id: c.id,
      instrumentId: l.id,
      period: { start: c.start, end: c.end },
      ...versionColumns(l.version, generation),
    })),
  );
  for (const chunk of chunks(closures)) {
    await tx
      .insert(cb)
      .values(chunk)
      .onConflictDoUpdate({ target: [cb.institution, cb.kind, cb.id], set: PERIOD_UPDATE });
  }
}

async function writePeriods(
  tx: Transaction,
  institution: string,
  generation: number,
  periods: readonly BusyPeriodEntry[],
): Promise<void> {
  for (const chunk of chunks(periods)) {
    await tx
      .insert(cb)
      .values(
        chunk.map((p) => ({
          institution,
          kind: 'booking',
          id: p.id,
          instrumentId: p.instrumentId,
          period: { start: p.start, end: p.end },
          held: p.held,
          external: p.external,
          ...versionColumns(p.version, generation),
        })),
      )
      .onConflictDoUpdate({ target: [cb.institution, cb.kind, cb.id], set: PERIOD_UPDATE, setWhere: newerOrOtherGeneration(cb) });
  }
}

/** Deletes listings (and their closures and busy periods) whose stored version is not newer than the removal's. */
async function removeListings(tx: Transaction, institution: string, removals: readonly RemovalEntry[]): Promise<void> {
  for (const removal of removals) {
    const deleted = await tx
      .delete(ci)
      .where(
        and(
          eq(ci.institution, institution),
          eq(ci.id, removal.id),
          sql`(${ci.versionXid}, ${ci.versionId}) <= (${removal.version.xid}, ${removal.version.id})`,
        ),
      )
      .returning({ id: ci.id });
    if (deleted.length > 0) {
      await tx.delete(cb).where(and(eq(cb.institution, institution), eq(cb.instrumentId, removal.id)));
    }
  }
}

async function removePeriods(
  tx: Transaction,
  institution: string,
  kind: 'booking' | 'closure',
  removals: readonly RemovalEntry[],
): Promise<void> {
  for (const removal of removals) {
    await tx
      .delete(cb)
      .where(
        and(
          eq(cb.institution, institution),
          eq(cb.kind, kind),
          eq(cb.id, removal.id),
          sql`(${cb.versionXid}, ${cb.versionId}) <= (${removal.version.xid}, ${removal.version.id})`,
        ),
      );
  }
}

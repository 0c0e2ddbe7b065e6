import { and, asc, eq, gt, inArray, sql } from 'drizzle-orm';
import { CatalogueChecksum, type CatalogueFigures } from '@kyoyo/domain';
import * as gatewaySchema from '../db/schema';
import type { GatewayDb } from '../registry/registry.repository';
import type { HarvestState } from './catalogue.repository';
import { LISTING, TERMS_OF_LISTING } from './catalogue-search.repository';

const {
  catalogueInstrumentsTable: ci,
  catalogueTermsTable: ct,
  catalogueBusyPeriodsTable: cb,
  catalogueHarvestTable: ch,
} = gatewaySchema;

/** Where an institution's harvest stood when its part of the catalogue was summed. */
export type SummedState = Pick<HarvestState, 'cursor' | 'generation' | 'snapshotNext'>;

/** A listing's columns the checksum covers: those search returns, less the institution (one per sum). */
const { institution: _institution, ...SUMMED } = LISTING;

/** Listings read per query while summing: memory stays flat whatever the institution's size. */
export const SUMMARY_PAGE = 1000;

/**
 * The catalogue's side of reconciliation: the same counts and checksum (`CatalogueChecksum`) as the owner's
 * summary, over one institution's listings, closures and busy periods as the catalogue holds them.
 */
export class CatalogueSummaryRepository {
  constructor(
    private readonly db: GatewayDb,
    private readonly pageSize = SUMMARY_PAGE,
  ) {}

  /** Where the harvest of `institution` stands (null before it has any state). */
  async harvestState(institution: string): Promise<SummedState | null> {
    const [row] = await this.db
      .select({ cursor: ch.cursor, generation: ch.generation, snapshotNext: ch.snapshotNext })
      .from(ch)
      .where(eq(ch.institution, institution));
    return row ?? null;
  }

  /**
   * The figures of `institution`'s part of the catalogue as of `asOf` (the owner's summary time), read in one
   * snapshot with its harvest state; null when that state is no longer `expected` (a page was applied since).
   */
  async figures(institution: string, asOf: Date, expected: SummedState): Promise<CatalogueFigures | null> {
    return this.db.transaction(
      async (tx) => {
        const [state] = await tx
          .select({ cursor: ch.cursor, generation: ch.generation, snapshotNext: ch.snapshotNext })
          .from(ch)
          .where(eq(ch.institution, institution));
        if (
          !state ||
          state.cursor !== expected.cursor ||
          state.generation !== expected.generation ||
          state.snapshotNext !== expected.snapshotNext
        ) {
          return null;
        }
        // A second's margin: the checksum drops what ended by `asOf` in milliseconds.
        const from = new Date(asOf.getTime() - 1000).toISOString();
        const checksum = new CatalogueChecksum(asOf);
        let after = 0;
        for (;;) {
          const rows = await tx
            .select(SUMMED)
            .from(ci)
            .leftJoin(ct, TERMS_OF_LISTING)
            .where(and(eq(ci.institution, institution), gt(ci.id, after)))
            .orderBy(asc(ci.id))
            .limit(this.pageSize);
          if (rows.length === 0) break;
          const periods = await tx
            .select({
              kind: cb.kind,
              id: cb.id,
              instrumentId: cb.instrumentId,
              period: cb.period,
              held: cb.held,
              external: cb.external,
            })
            .from(cb)
            .where(
              and(
                eq(cb.institution, institution),
                inArray(
                  cb.instrumentId,
                  rows.map((r) => r.id),
                ),
                sql`upper(${cb.period}) > ${from}::timestamptz`,
              ),
            );
          const closuresOf = new Map<number, { id: number; start: Date; end: Date }[]>();
          for (const p of periods) {
            if (p.kind === 'booking') {
              checksum.addBusyPeriod({
                id: p.id,
                instrumentId: p.instrumentId,
                start: p.period.start,
                end: p.period.end,
                held: p.held,
                external: p.external,
              });
            } else {
              const closure = { id: p.id, start: p.period.start, end: p.period.end };
              const list = closuresOf.get(p.instrumentId);
              if (list) list.push(closure);
              else closuresOf.set(p.instrumentId, [closure]);
            }
          }
          for (const { latitude, longitude, ...row } of rows) {
            checksum.addListing({
              ...row,
              location: latitude !== null && longitude !== null ? { latitude, longitude } : null,
              closures: closuresOf.get(row.id) ?? [],
            });
          }
          after = rows.at(-1)!.id;
          if (rows.length < this.pageSize) break;
        }
        return checksum.figures();
      },
      { isolationLevel: 'repeatable read', accessMode: 'read only' },
    );
  }
}

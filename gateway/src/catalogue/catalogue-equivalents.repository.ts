import { and, asc, eq, sql, type SQL } from 'drizzle-orm';
import { escapeLike, type TimeRange } from '@kyoyo/domain';
import * as gatewaySchema from '../db/schema';
import type { FederatedInstrument } from '../instruments/instruments.types';
import type { GatewayDb } from '../registry/registry.repository';
import { LISTING, listingKeyIn, TERMS_OF_LISTING, toFederatedInstrument } from './catalogue-search.repository';

const { catalogueInstrumentsTable: ci, catalogueTermsTable: ct, catalogueBusyPeriodsTable: cb } = gatewaySchema;

/** What a probe looks for: the model keys of its title and its normalised title. */
export interface EquivalenceQuery {
  modelKeys: readonly string[];
  text: string;
}

/** An instrument of the catalogue by institution and local id. */
export interface CatalogueKey {
  institution: string;
  id: number;
}

/** Probes per transaction: a batch is read over this many connections at once (the pool holds more). */
const PARALLEL_READS = 3;

/** The key of `heldPeriods`' map. */
export const catalogueKeyOf = (k: CatalogueKey) => `${k.institution}/${k.id}`;

/**
 * The catalogue's side of a duplicate-purchase check: candidates for each planned purchase across the nation,
 * by the services' own rule (a model key in the compacted name or model, or a name like the title by pg_trgm
 * word similarity ≥ 0.4, served by the trigram indexes), and the held bookings that give each its
 * utilisation. The scoring itself is `compareEquivalence`, the same formula everywhere.
 */
export class CatalogueEquivalentsRepository {
  constructor(private readonly db: GatewayDb) {}

  /**
   * For each query, in order, up to `limit` listed instruments of any member: model hits first, then by word
   * similarity, then by institution and id. A batch is split over a few transactions read in parallel; each
   * sets the similarity threshold for itself only.
   */
  async candidates(queries: readonly EquivalenceQuery[], limit: number): Promise<FederatedInstrument[][]> {
    const size = Math.max(1, Math.ceil(queries.length / PARALLEL_READS));
    const slices: EquivalenceQuery[][] = [];
    for (let start = 0; start < queries.length; start += size) slices.push(queries.slice(start, start + size));
    const answers = await Promise.all(slices.map((slice) => this.candidatesInOneRead(slice, limit)));
    return answers.flat();
  }

  private candidatesInOneRead(queries: readonly EquivalenceQuery[], limit: number): Promise<FederatedInstrument[][]> {
    return this.db.transaction(
      async (tx) => {
        await tx.execute(sql`SELECT set_config('pg_trgm.word_similarity_threshold', '0.4', true)`);
        const results: FederatedInstrument[][] = [];
        for (const query of queries) {
          const modelHit =
            query.modelKeys.length > 0
              ? sql`(${sql.join(
                  query.modelKeys.map((k) => sql`${ci.compactText} LIKE ${`%${escapeLike(k)}%`}`),
                  sql` OR `,
                )})`
              : null;
          const textHit = query.text ? sql`(${query.text} <% ${ci.nameNorm} OR ${query.text} <% ${ci.nameEnNorm})` : null;
          const hits = [modelHit, textHit].filter((hit): hit is SQL => hit !== null);
          if (hits.length === 0) {
            results.push([]);
            continue;
          }
          const order = [
            ...(modelHit ? [sql`${modelHit} DESC`] : []),
            ...(query.text
              ? [
                  sql`greatest(word_similarity(${query.text}, ${ci.nameNorm}), word_similarity(${query.text}, coalesce(${ci.nameEnNorm}, ''))) DESC`,
                ]
              : []),
            asc(ci.institution),
            asc(ci.id),
          ];
          const rows = await tx
            .select(LISTING)
            .from(ci)
            .leftJoin(ct, TERMS_OF_LISTING)
            .where(sql`(${sql.join(hits, sql` OR `)})`)
            .orderBy(...order)
            .limit(limit);
          results.push(rows.map(toFederatedInstrument));
        }
        return results;
      },
      { accessMode: 'read only' },
    );
  }

  /**
   * The periods of held bookings (CONFIRMED, COMPLETED, NO_SHOW) of these instruments that overlap `window`,
   * keyed `institution/id`: what their utilisation is computed from. One query for all of them.
   */
  async heldPeriods(keys: readonly CatalogueKey[], window: TimeRange): Promise<Map<string, TimeRange[]>> {
    const held = new Map<string, TimeRange[]>();
    if (keys.length === 0) return held;
    const rows = await this.db
      .select({ institution: cb.institution, instrumentId: cb.instrumentId, period: cb.period })
      .from(cb)
      .where(
        and(
          eq(cb.kind, 'booking'),
          eq(cb.held, true),
          listingKeyIn(cb.institution, cb.instrumentId, keys),
          sql`${cb.period} && tstzrange(${window.start.toISOString()}::timestamptz, ${window.end.toISOString()}::timestamptz, '[)')`,
        ),
      );
    for (const row of rows) {
      const key = catalogueKeyOf({ institution: row.institution, id: row.instrumentId });
      held.set(key, [...(held.get(key) ?? []), row.period]);
    }
    return held;
  }
}

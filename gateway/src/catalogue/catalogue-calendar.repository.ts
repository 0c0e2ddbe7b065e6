import { and, asc, eq, or, sql } from 'drizzle-orm';
import type { TimeRange } from '@kyoyo/domain';
import * as gatewaySchema from '../db/schema';
import type { GatewayDb } from '../registry/registry.repository';

const { catalogueInstrumentsTable: ci, catalogueBusyPeriodsTable: cb } = gatewaySchema;

/** One busy period of an instrument as a public calendar may show it: no person, purpose or grant. */
export interface BusyPeriod {
  kind: 'booking' | 'closure';
  /** The owner's booking or closure id (stable: the calendar event's identity). */
  id: number;
  period: TimeRange;
  /** A booking that holds the slot (CONFIRMED or used); false for one waiting for approval and for a closure. */
  held: boolean;
  harvestedAt: Date;
}

/** Most busy periods one calendar read returns (a year of hourly bookings on weekdays is about 2,300). */
export const MAX_CALENDAR_PERIODS = 5_000;

/** The national catalogue's busy periods of one instrument, for its public calendar feed. */
export class CatalogueCalendarRepository {
  constructor(private readonly db: GatewayDb) {}

  /** The listing's name and its busy periods overlapping `window`, earliest first; null when it is not listed. */
  async busyOf(institution: string, id: number, window: TimeRange): Promise<{ name: string; periods: BusyPeriod[] } | null> {
    const [listing] = await this.db
      .select({ name: ci.name })
      .from(ci)
      .where(and(eq(ci.institution, institution), eq(ci.id, id)));
    if (!listing) return null;
    const rows = await this.db
      .select({ kind: cb.kind, id: cb.id, period: cb.period, held: cb.held, harvestedAt: cb.harvestedAt })
      .from(cb)
      .where(
        and(
          eq(cb.institution, institution),
          eq(cb.instrumentId, id),
          sql`${cb.period} && tstzrange(${window.start.toISOString()}::timestamptz, ${window.end.toISOString()}::timestamptz, '[)')`,
        ),
      )
      .orderBy(asc(sql`lower(${cb.period})`), asc(cb.kind), asc(cb.id))
      .limit(MAX_CALENDAR_PERIODS);
    return { ...listing, periods: rows.map((r) => ({ ...r, kind: r.kind as BusyPeriod['kind'] })) };
  }

  /** Listing names by institution and local id (for a person's own feed); listings not in the catalogue are absent. */
  async namesOf(keys: readonly { institution: string; id: number }[]): Promise<Map<string, string>> {
    if (keys.length === 0) return new Map();
    const rows = await this.db
      .select({ institution: ci.institution, id: ci.id, name: ci.name })
      .from(ci)
      .where(or(...keys.map((k) => and(eq(ci.institution, k.institution), eq(ci.id, k.id)))));
    return new Map(rows.map((r) => [`${r.institution}/${r.id}`, r.name]));
  }
}

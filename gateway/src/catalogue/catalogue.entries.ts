import { z } from 'zod';
import {
  isFeedVersion,
  searchColumnsOf,
  validateFeeSchedule,
  validateOpenHours,
  type FeeRate,
  type OpenHoursRule,
  type SearchColumns,
} from '@kyoyo/domain';
import type { WireBusyPeriod, WireListing, WireRemoval } from './catalogue.documents';

/**
 * What the catalogue stores of one feed entry, checked: a member's feed is trusted to describe its own
 * listings, never to be well-formed. Limits are the services' own input limits, so a listing an office could
 * enter always passes and a hostile or broken one is refused alone.
 */

const localId = z.string().regex(/^[1-9]\d{0,14}$/, 'not a local id');
const version = z.string().refine(isFeedVersion, 'not a feed version');
const text = (max: number) => z.string().min(1).max(max);
const optionalText = (max: number) => text(max).nullable();
const instant = z.iso.datetime({ offset: true }).transform((s) => new Date(s));

const listingSchema = z.object({
  instrument: z.object({
    id: localId,
    localId: text(100),
    name: text(500),
    nameEn: optionalText(500),
    category: text(200),
    manufacturer: optionalText(200),
    model: optionalText(200),
    description: optionalText(10_000),
    acquisitionPrice: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullable(),
    acquiredOn: z.iso.date().nullable(),
    building: optionalText(300),
    location: z.object({ latitude: z.number().min(-90).max(90), longitude: z.number().min(-180).max(180) }).nullable(),
    sharedExternally: z.boolean(),
    remoteOperable: z.boolean(),
    requiresApproval: z.boolean(),
    requiresQualification: z.boolean(),
    maxBookingMinutes: z.number().int().min(15).max(10_080),
    cancellationFreeHours: z.number().int().min(0).max(720),
    cancellationFeePercent: z.number().int().min(0).max(100),
  }),
  fees: z.array(z.any()).max(100),
  openHours: z.array(z.any()).max(100),
  closures: z.array(z.object({ id: localId, start: instant, end: instant })).max(10_000),
  version,
});

const busyPeriodSchema = z.object({
  id: localId,
  instrumentId: localId,
  start: instant,
  end: instant,
  held: z.boolean(),
  external: z.boolean(),
  version,
});
const removalSchema = z.object({ id: localId, version });

export interface Version {
  xid: bigint;
  id: bigint;
}

export interface ListingEntry {
  id: number;
  values: {
    localId: string;
    name: string;
    nameEn: string | null;
    category: string;
    manufacturer: string | null;
    model: string | null;
    description: string | null;
    acquisitionPrice: number | null;
    acquiredOn: string | null;
    building: string | null;
    latitude: number | null;
    longitude: number | null;
    sharedExternally: boolean;
    remoteOperable: boolean;
    requiresApproval: boolean;
    requiresQualification: boolean;
    maxBookingMinutes: number;
    cancellationFreeHours: number;
    cancellationFeePercent: number;
    fees: FeeRate[];
    openHours: OpenHoursRule[];
  } & SearchColumns;
  closures: { id: number; start: Date; end: Date }[];
  version: Version;
}

export interface BusyPeriodEntry {
  id: number;
  instrumentId: number;
  start: Date;
  end: Date;
  /** The booking counts as use (CONFIRMED, COMPLETED, NO_SHOW), not only as a slot held while it is decided. */
  held: boolean;
  /** Booked by a user who is not INTERNAL: the sharing report's external use. */
  external: boolean;
  version: Version;
}

export interface RemovalEntry {
  id: number;
  version: Version;
}

/** An entry refused, and why (for the log and the metrics). */
export interface Refusal {
  kind: 'listing' | 'busy period' | 'removal';
  id: string;
  reason: string;
}

export function versionOf(value: string): Version {
  const [xid, id] = value.split(':');
  return { xid: BigInt(xid!), id: BigInt(id!) };
}

function reasonOf(error: z.ZodError): string {
  const [issue] = error.issues;
  return issue ? `${issue.path.join('.') || 'entry'}: ${issue.message}` : 'malformed';
}

function idOf(raw: unknown): string {
  const id = (raw as { id?: unknown; instrument?: { id?: unknown } } | null)?.instrument?.id ?? (raw as { id?: unknown })?.id;
  return typeof id === 'string' ? id.slice(0, 40) : '?';
}

function periodProblem(start: Date, end: Date): string | null {
  return end.getTime() > start.getTime() ? null : 'a period must end after it starts';
}

/** Checks a listing and derives its search columns; a string saying what is wrong when it is refused. */
export function listingEntryOf(raw: WireListing): ListingEntry | string {
  const parsed = listingSchema.safeParse(raw);
  if (!parsed.success) return reasonOf(parsed.error);
  const { instrument, closures } = parsed.data;
  const fees = parsed.data.fees as FeeRate[];
  const openHours = parsed.data.openHours as OpenHoursRule[];
  try {
    validateFeeSchedule(fees, 'fees');
    validateOpenHours(openHours, 'openHours');
  } catch (error) {
    return (error as Error).message;
  }
  const closure = closures.map((c) => periodProblem(c.start, c.end)).find((p) => p !== null);
  if (closure) return `closures: ${closure}`;
  const { id, location, ...fields } = instrument;
  return {
    id: Number(id),
    values: {
      ...fields,
      latitude: location?.latitude ?? null,
      longitude: location?.longitude ?? null,
      fees: fees.map(({ userCategory, mode, hourlyRate, billingUnitMinutes, minimumCharge }) => ({
        userCategory,
        mode,
        hourlyRate,
        billingUnitMinutes,
        minimumCharge,
      })),
      openHours: openHours.map(({ weekday, opensAt, closesAt }) => ({ weekday, opensAt, closesAt })),
      ...searchColumnsOf(fields),
    },
    closures: closures.map((c) => ({ id: Number(c.id), start: c.start, end: c.end })),
    version: versionOf(parsed.data.version),
  };
}

export function busyPeriodEntryOf(raw: WireBusyPeriod): BusyPeriodEntry | string {
  const parsed = busyPeriodSchema.safeParse(raw);
  if (!parsed.success) return reasonOf(parsed.error);
  const problem = periodProblem(parsed.data.start, parsed.data.end);
  if (problem) return problem;
  const { id, instrumentId, start, end, held, external } = parsed.data;
  return {
    id: Number(id),
    instrumentId: Number(instrumentId),
    start,
    end,
    held,
    external,
    version: versionOf(parsed.data.version),
  };
}

export function removalEntryOf(raw: WireRemoval): RemovalEntry | string {
  const parsed = removalSchema.safeParse(raw);
  if (!parsed.success) return reasonOf(parsed.error);
  return { id: Number(parsed.data.id), version: versionOf(parsed.data.version) };
}

/** The checked entries of a page, and the ones refused. */
export interface CheckedEntries {
  listings: ListingEntry[];
  removedListings: RemovalEntry[];
  busyPeriods: BusyPeriodEntry[];
  removedBusyPeriods: RemovalEntry[];
  refused: Refusal[];
}

export function checkEntries(page: {
  listings: WireListing[];
  removedListings?: WireRemoval[];
  busyPeriods: WireBusyPeriod[];
  removedBusyPeriods?: WireRemoval[];
}): CheckedEntries {
  const refused: Refusal[] = [];
  const keep = <W, E>(kind: Refusal['kind'], items: readonly W[] | undefined, check: (w: W) => E | string): E[] =>
    (items ?? []).flatMap((item) => {
      const entry = check(item);
      if (typeof entry !== 'string') return [entry];
      refused.push({ kind, id: idOf(item), reason: entry });
      return [];
    });
  return {
    listings: keep('listing', page.listings, listingEntryOf),
    removedListings: keep('removal', page.removedListings, removalEntryOf),
    busyPeriods: keep('busy period', page.busyPeriods, busyPeriodEntryOf),
    removedBusyPeriods: keep('removal', page.removedBusyPeriods, removalEntryOf),
    refused,
  };
}

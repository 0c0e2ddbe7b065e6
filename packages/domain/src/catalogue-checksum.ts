import { createHash } from 'node:crypto';

/**
 * What reconciliation compares of one listing: the nation-visible fields that an owner and the national
 * catalogue both hold, as the owner's change feed delivers them. No feed versions: the catalogue stores feed
 * positions and a full listing stamps its own, so equal content may carry different versions on each side.
 */
export interface ChecksumListing {
  id: number;
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
  location: { latitude: number; longitude: number } | null;
  sharedExternally: boolean;
  remoteOperable: boolean;
  requiresApproval: boolean;
  requiresQualification: boolean;
  maxBookingMinutes: number;
  cancellationFreeHours: number;
  cancellationFeePercent: number;
  fees: readonly {
    userCategory: string;
    mode: string;
    hourlyRate: number;
    billingUnitMinutes: number;
    minimumCharge: number;
  }[];
  openHours: readonly { weekday: number; opensAt: number; closesAt: number }[];
  /** Its closures; those ended by the summary's time are left out. */
  closures: readonly { id: number; start: Date; end: Date }[];
}

/** A booking's busy period as both sides hold it; counted while it has not ended by the summary's time. */
export interface ChecksumBusyPeriod {
  id: number;
  instrumentId: number;
  start: Date;
  end: Date;
  held: boolean;
  /** Booked by a user who is not INTERNAL (the sharing report's external use); no more about who. */
  external: boolean;
}

/** Counts and a checksum of one institution's part of the catalogue, as of one time. */
export interface CatalogueFigures {
  /** Listed instruments. */
  listings: number;
  /** Busy periods of listed instruments that had not ended at the summary's time. */
  busyPeriods: number;
  /** Lower-case hex (64 characters): equal on both sides exactly when the content is. */
  checksum: string;
}

const MODULUS = 1n << 256n;

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The canonical text of a listing: fixed field order, its lists sorted, times as milliseconds. */
function canonicalListing(listing: ChecksumListing, asOf: number): string {
  const fees = listing.fees
    .map((f) => [f.userCategory, f.mode, f.hourlyRate, f.billingUnitMinutes, f.minimumCharge] as const)
    .sort((a, b) => byText(a[0], b[0]) || byText(a[1], b[1]));
  const hours = listing.openHours
    .map((h) => [h.weekday, h.opensAt, h.closesAt] as const)
    .sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
  const closures = listing.closures
    .filter((c) => c.end.getTime() > asOf)
    .map((c) => [c.id, c.start.getTime(), c.end.getTime()] as const)
    .sort((a, b) => a[0] - b[0]);
  return JSON.stringify([
    'listing',
    listing.id,
    listing.localId,
    listing.name,
    listing.nameEn,
    listing.category,
    listing.manufacturer,
    listing.model,
    listing.description,
    listing.acquisitionPrice,
    listing.acquiredOn,
    listing.building,
    listing.location ? [listing.location.latitude, listing.location.longitude] : null,
    listing.sharedExternally,
    listing.remoteOperable,
    listing.requiresApproval,
    listing.requiresQualification,
    listing.maxBookingMinutes,
    listing.cancellationFreeHours,
    listing.cancellationFeePercent,
    fees,
    hours,
    closures,
  ]);
}

function canonicalBusyPeriod(period: ChecksumBusyPeriod): string {
  return JSON.stringify([
    'busy',
    period.id,
    period.instrumentId,
    period.start.getTime(),
    period.end.getTime(),
    period.held,
    period.external,
  ]);
}

/**
 * The one checksum of an institution's nation-visible content, computed alike by the owner (from its tables)
 * and by the gateway (from the catalogue), so that reconciliation can compare the two. Entries are added in
 * any order, page by page: each entry's SHA-256 is added up modulo 2^256 (a multiset hash), so memory stays
 * flat and neither side has to sort the whole. Closures and busy periods that have ended by `asOf` (the
 * owner's clock at its summary) are left out on both sides: the catalogue keeps what an owner's feed no
 * longer mentions once it is over.
 */
export class CatalogueChecksum {
  private sum = 0n;
  private listings = 0;
  private busyPeriods = 0;
  private readonly asOf: number;

  constructor(asOf: Date) {
    this.asOf = asOf.getTime();
  }

  addListing(listing: ChecksumListing): void {
    this.listings += 1;
    this.add(canonicalListing(listing, this.asOf));
  }

  /** Adds a busy period; one that ended by `asOf` is not counted. */
  addBusyPeriod(period: ChecksumBusyPeriod): void {
    if (period.end.getTime() <= this.asOf) return;
    this.busyPeriods += 1;
    this.add(canonicalBusyPeriod(period));
  }

  figures(): CatalogueFigures {
    const digest = createHash('sha256')
      .update(`${this.listings}:${this.busyPeriods}:${this.sum.toString(16).padStart(64, '0')}`)
      .digest('hex');
    return { listings: this.listings, busyPeriods: this.busyPeriods, checksum: digest };
  }

  private add(text: string): void {
    const digest = BigInt(`0x${createHash('sha256').update(text, 'utf8').digest('hex')}`);
    this.sum = (this.sum + digest) % MODULUS;
  }
}

/** The figures of a whole set of listings and busy periods at once (tests, small institutions). */
export function catalogueFigures(
  listings: Iterable<ChecksumListing>,
  busyPeriods: Iterable<ChecksumBusyPeriod>,
  asOf: Date,
): CatalogueFigures {
  const checksum = new CatalogueChecksum(asOf);
  for (const listing of listings) checksum.addListing(listing);
  for (const period of busyPeriods) checksum.addBusyPeriod(period);
  return checksum.figures();
}

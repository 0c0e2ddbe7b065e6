import type { FeeRate, FeedVersion, OpenHoursRule } from '@kyoyo/domain';
import type { Instrument } from '../instruments/instruments.types';

/** A place in the change feed: after the change `id` of transaction `xid` (decimal text of an `xid8`). */
export interface FeedPosition {
  xid: string;
  id: number;
}

/** One entity that changed: its listing (fees, hours and blackouts included) or one booking's busy period. */
export interface FeedChange {
  entity: 'listing' | 'busy_period';
  /** The instrument (listing) or the booking (busy period). */
  entityId: number;
  instrumentId: number;
  /** The feed position of the entity's latest change in the page: a later-delivered version is never older. */
  version: FeedVersion;
}

/** A listing as the nation sees it: the instrument with its fee schedule, open hours and coming closures. */
export interface CatalogueListing extends Instrument {
  fees: FeeRate[];
  openHours: OpenHoursRule[];
  /** Blackouts that have not ended yet (no reason or author: only when). */
  closures: { id: number; start: Date; end: Date }[];
  version: FeedVersion;
}

/**
 * When a booking holds or held an instrument (PENDING, CONFIRMED, COMPLETED, NO_SHOW): start and end, whether
 * it counts as use and whether its user is not INTERNAL (the sharing report's external use), nothing about
 * who or why.
 */
export interface CatalogueBusyPeriod {
  /** The booking's id. */
  id: number;
  instrumentId: number;
  start: Date;
  end: Date;
  /** CONFIRMED, COMPLETED or NO_SHOW: the instrument was (or will be) used; PENDING: held while it is decided. */
  held: boolean;
  /** Booked by a user who is not INTERNAL (ACADEMIC or INDUSTRY). */
  external: boolean;
  version: FeedVersion;
}

/** An entity that left the catalogue (a decommissioned or deleted listing, a rejected or cancelled booking). */
export interface CatalogueRemoval {
  id: number;
  version: FeedVersion;
}

/** The current state of what a page names, read in the page's own snapshot. */
export interface CatalogueState {
  listings: CatalogueListing[];
  removedListings: CatalogueRemoval[];
  busyPeriods: CatalogueBusyPeriod[];
  removedBusyPeriods: CatalogueRemoval[];
}

/** A page of the feed for a consumer. */
export interface FeedPage extends CatalogueState {
  /** The latest change of each entity in the page, in feed order. */
  changes: FeedChange[];
  /** Where to continue: opaque, carries the feed's epoch. */
  cursor: string;
  /** More changes are ready now: ask again at once. */
  hasMore: boolean;
  /** The database's clock when the page was read: with `hasMore` false, the catalogue is current to this time. */
  asOf: Date;
}

/** A page of a full listing (backfill, resynchronisation), by instrument id. */
export interface SnapshotPage extends CatalogueState {
  /** Where to go on in the snapshot (the last instrument id), null after the last page. */
  next: string | null;
  /** Where the change feed continues once the snapshot is applied: taken when the snapshot began. */
  cursor: string;
  asOf: Date;
}

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
  /** Grows with every change of the entity, in commit order: an older version never overwrites a newer one. */
  version: number;
}

/** A page of the feed for a consumer. */
export interface FeedPage {
  /** The latest change of each entity in the page, in feed order. */
  changes: FeedChange[];
  /** Where to continue: opaque, carries the feed's epoch. */
  cursor: string;
  /** More changes are ready now: ask again at once. */
  hasMore: boolean;
}

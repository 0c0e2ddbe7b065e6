import { feedVersion, type CatalogueFigures, type FeedVersion } from '@kyoyo/domain';
import type { ChangeFeedSummaryRepository } from './change-feed-summary.repository';
import { decodeCursor } from './change-feed.service';
import type { FeedPosition } from './change-feed.types';

/** What the owner answers the gateway's reconciliation. */
export interface CatalogueSummary extends CatalogueFigures {
  /** The database's clock at the read: closures and busy periods ended by then are not counted (on either side). */
  asOf: Date;
  epoch: string;
  /** The latest change the summary reflects (a feed version, not a cursor); null when the feed holds none. */
  position: FeedVersion | null;
  /**
   * A consumer at the cursor asked about has been given every change this summary reflects and none it does not:
   * its copy should equal this summary. False while changes past that cursor wait to be read (it lags: compare
   * later), and for a cursor that cannot be continued (another database, pruned past, restored from a backup).
   */
  current: boolean;
}

function compare(a: FeedPosition, b: FeedPosition): number {
  const x = BigInt(a.xid) - BigInt(b.xid);
  if (x !== 0n) return x < 0n ? -1 : 1;
  return a.id - b.id;
}

/**
 * The owner's summary for reconciliation: counts and the shared checksum of what the nation may see, read in
 * one snapshot, and whether a consumer at a given cursor should hold exactly that. A page's states are read in
 * the page's own snapshot, and every change the summary's snapshot sees after the cursor is still to be
 * delivered; so when the snapshot sees none, the consumer has every entity as this snapshot does.
 */
export class ChangeFeedSummaryService {
  constructor(private readonly repository: ChangeFeedSummaryRepository) {}

  async summary(after: string): Promise<CatalogueSummary> {
    const cursor = decodeCursor(after);
    const read = await this.repository.read();
    const position = { xid: cursor.x, id: cursor.i };
    const pruned = read.pruned.xid !== '0' || read.pruned.id !== 0;
    const current =
      cursor.e === read.epoch &&
      BigInt(position.xid) <= BigInt(read.nextXid) &&
      !(pruned && compare(position, read.pruned) <= 0) &&
      (read.latest === null || compare(read.latest, position) <= 0);
    return {
      listings: read.listings,
      busyPeriods: read.busyPeriods,
      checksum: read.checksum,
      asOf: read.asOf,
      epoch: read.epoch,
      position: read.latest ? feedVersion(read.latest.xid, read.latest.id) : null,
      current,
    };
  }
}

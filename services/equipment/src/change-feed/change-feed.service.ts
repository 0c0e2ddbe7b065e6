import { DomainError, ErrorCode, errors } from '@kyoyo/domain';
import type { ChangeFeedRepository } from './change-feed.repository';
import type { ChangeNotifier } from './change-feed.notifier';
import type { FeedChange, FeedPage, FeedPosition, SnapshotPage } from './change-feed.types';

/** How long changes are kept by default; a consumer further behind resynchronises. */
export const DEFAULT_RETENTION_DAYS = 35;
/** Most changes in one page. */
export const MAX_PAGE = 1000;
/** Longest a consumer may wait for a change (long poll), in milliseconds. */
export const MAX_WAIT_MS = 30_000;
/** How soon a long poll looks again while committed changes wait for an older transaction to end. */
const HELD_RETRY_MS = 20;

export interface CursorContent {
  /** The feed's epoch: a cursor of another (or a recreated) database is not continued. */
  e: string;
  x: string;
  i: number;
}

const START: FeedPosition = { xid: '0', id: 0 };

function encodeCursor(epoch: string, position: FeedPosition): string {
  return Buffer.from(JSON.stringify({ e: epoch, x: position.xid, i: position.id } satisfies CursorContent)).toString('base64url');
}

/** The position and epoch a consumer's cursor holds; BAD_USER_INPUT when it is not a cursor of this feed. */
export function decodeCursor(cursor: string): CursorContent {
  try {
    const content = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<CursorContent>;
    if (
      typeof content.e === 'string' &&
      typeof content.x === 'string' &&
      /^\d{1,20}$/.test(content.x) &&
      Number.isSafeInteger(content.i) &&
      content.i! >= 0
    ) {
      return content as CursorContent;
    }
  } catch {
    // Reported below.
  }
  throw errors.badInput('after', 'not a change-feed cursor of this institution');
}

const resync = (why: string) => new DomainError(ErrorCode.RESYNC_REQUIRED, `${why}: resynchronise from a full listing`);

/**
 * The change feed as consumers read it: pages after an opaque cursor, the latest change of each entity once per
 * page, and a coded RESYNC_REQUIRED when the cursor cannot be continued (pruned past, another database, a
 * database restored from an older backup).
 */
export class ChangeFeedService {
  constructor(
    private readonly feed: ChangeFeedRepository,
    private readonly retentionDays = DEFAULT_RETENTION_DAYS,
    /** Wakes long polls when a change commits; without it a long poll waits out its time. */
    private readonly notifier: ChangeNotifier | null = null,
  ) {}

  /**
   * The changes after `cursor` (null: from the beginning), with the current state of what they name. With
   * `waitMs`, an empty page is held until a change commits or the time is up (a long poll: the consumer's
   * nudge), so a consumer hears of a commit within milliseconds and pulling stays the mechanism.
   */
  async changesAfter(cursor: string | null, limit: number, waitMs = 0): Promise<FeedPage> {
    if (!Number.isInteger(waitMs) || waitMs < 0 || waitMs > MAX_WAIT_MS) {
      throw errors.badInput('waitMs', `waitMs must be from 0 to ${MAX_WAIT_MS}`);
    }
    const deadline = Date.now() + waitMs;
    for (;;) {
      const heard = this.notifier?.heard ?? 0;
      const { page, held } = await this.readPage(cursor, limit);
      const left = deadline - Date.now();
      // A page held back only by an older transaction is empty, not more to read at once: keep waiting for it.
      const more = page.hasMore && !(held && page.changes.length === 0);
      if (page.changes.length > 0 || more || left <= 0 || this.notifier?.closed) return page;
      // Committed changes wait for an older transaction to end: look again shortly (no notification will come).
      if (held) await sleep(Math.min(HELD_RETRY_MS, left));
      else await (this.notifier ? this.notifier.next(heard, left) : sleep(left));
    }
  }

  /**
   * One page of a full listing after instrument `after` (null: from the start), for a consumer that starts
   * over: it applies every page, then continues the change feed at the cursor of the snapshot's first page.
   */
  async snapshot(after: string | null, limit: number): Promise<SnapshotPage> {
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
      throw errors.badInput('first', `first must be from 1 to ${MAX_PAGE}`);
    }
    if (after !== null && !/^\d{1,15}$/.test(after)) throw errors.badInput('after', 'not a position of a snapshot');
    const read = await this.feed.snapshot(after === null ? 0 : Number(after), limit);
    const last = read.state.listings.at(-1);
    return {
      ...read.state,
      next: read.hasMore && last ? String(last.id) : null,
      cursor: encodeCursor(read.epoch, read.horizon),
      asOf: read.asOf,
    };
  }

  /** One page; `hasMore` is also true while committed changes wait above the horizon (`held`). */
  private async readPage(cursor: string | null, limit: number): Promise<{ page: FeedPage; held: boolean }> {
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
      throw errors.badInput('first', `first must be from 1 to ${MAX_PAGE}`);
    }
    const content = cursor === null ? null : decodeCursor(cursor);
    const after = content ? { xid: content.x, id: content.i } : START;
    const read = await this.feed.read(after, limit);
    if (content && content.e !== read.epoch) throw resync('the cursor belongs to another database');
    if (read.rewound) throw resync('the cursor is ahead of this database (restored from a backup?)');
    if (read.expired) {
      throw resync(
        content
          ? `the cursor is older than the ${this.retentionDays}-day retention window`
          : 'the feed no longer starts at the beginning',
      );
    }
    const more = read.rows.length > limit;
    const hasMore = more || read.held;
    const rows = read.rows.slice(0, limit);
    const next = more ? rows.at(-1)!.position : laterOf(after, read.horizon);
    const latest = new Map<string, FeedChange>();
    for (const { position: _position, ...change } of rows) {
      const key = `${change.entity}:${change.entityId}`;
      latest.delete(key);
      latest.set(key, change);
    }
    return {
      page: { ...read.state, changes: [...latest.values()], cursor: encodeCursor(read.epoch, next), hasMore, asOf: read.asOf },
      held: read.held,
    };
  }

  /** Deletes changes older than the retention window; how many. */
  prune(now: Date): Promise<number> {
    return this.feed.prune(new Date(now.getTime() - this.retentionDays * 86_400_000));
  }
}

/** The later of two positions (an empty read moves the cursor up to the horizon, never back). */
function laterOf(a: FeedPosition, b: FeedPosition): FeedPosition {
  const ax = BigInt(a.xid);
  const bx = BigInt(b.xid);
  if (ax !== bx) return ax > bx ? a : b;
  return a.id >= b.id ? a : b;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

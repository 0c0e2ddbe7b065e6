/**
 * The change feed on real PostgreSQL through the production migrations: triggers record every write that
 * changes what the nation may see, pages come in commit-safe order (a change numbered early that commits late
 * is not skipped), and cursors that cannot be continued answer RESYNC_REQUIRED.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, equipmentSchema, type Database } from '@kyoyo/db';
import { compareFeedVersions, DomainError } from '@kyoyo/domain';
import { createTestDatabase } from '@kyoyo/test-kit';
import { InstrumentsRepository } from '../instruments/instruments.repository';
import { searchColumnsOf } from '@kyoyo/domain';
import { toListing } from '../instruments/instruments.service';
import { ChangeNotifier } from './change-feed.notifier';
import { ChangeFeedRepository } from './change-feed.repository';
import { ChangeFeedService } from './change-feed.service';
import type { FeedChange, FeedPage } from './change-feed.types';
import { createLogger } from '@kyoyo/server-kit';

let database: Database<typeof equipmentSchema> & { url: string };
let feed: ChangeFeedService;
let instruments: number[];

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function drain(cursor: string | null, first = 100): Promise<{ changes: FeedChange[]; cursor: string }> {
  const changes: FeedChange[] = [];
  let page = await feed.changesAfter(cursor, first);
  changes.push(...page.changes);
  while (page.hasMore) {
    if (page.changes.length === 0) await pause(25); // held behind an older transaction: see `settled`
    page = await feed.changesAfter(page.cursor, first);
    changes.push(...page.changes);
  }
  return { changes, cursor: page.cursor };
}

/**
 * The page after `cursor` once no committed change waits behind an older transaction. Transaction ids are
 * cluster-wide, so another test file's open transaction, in another database, can hold this database's
 * commits above the horizon for a moment: a page read then is short (and says `hasMore`). A test that
 * expects every change it made in one page reads it this way.
 */
async function settled(cursor: string, first = 100): Promise<FeedPage> {
  for (;;) {
    const page = await feed.changesAfter(cursor, first);
    if (!page.hasMore || page.changes.length >= first) return page;
    await pause(25);
  }
}

async function resyncReason(run: Promise<unknown>): Promise<string> {
  const error = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  expect((error as DomainError).code).toBe('RESYNC_REQUIRED');
  return (error as DomainError).message;
}

const blackout = (instrument: number, day: number) =>
  database.sql`INSERT INTO blackouts (instrument_id, period, created_by)
    VALUES (${instrument}, tstzrange(${`2031-01-${String(day).padStart(2, '0')}T00:00:00Z`}::timestamptz,
      ${`2031-01-${String(day).padStart(2, '0')}T12:00:00Z`}::timestamptz), 'test')`;

beforeAll(async () => {
  const url = await createTestDatabase();
  database = Object.assign(connect(url, equipmentSchema, { max: 6 }), { url });
  feed = new ChangeFeedService(new ChangeFeedRepository(database.db), 35);
  const stored = await new InstrumentsRepository(database.db).upsertMany(
    ['A', 'B', 'C'].map((n) => {
      const listing = toListing({
        localId: `feed-${n}`,
        name: `Feed instrument ${n}`,
        category: 'その他',
        sharedExternally: true,
        remoteOperable: false,
        requiresApproval: false,
        requiresQualification: false,
      });
      return { listing, search: searchColumnsOf(listing) };
    }),
  );
  instruments = stored.map((s) => s.instrument.id);
});

afterAll(async () => {
  await database?.close();
});

describe('change feed', () => {
  it('records listings, their blackouts and busy periods, each entity once per page at its latest version', async () => {
    const first = await drain(null);
    expect(first.changes.map((c) => [c.entity, c.entityId]).sort()).toEqual(instruments.map((id) => ['listing', id]).sort());

    await blackout(instruments[0]!, 1);
    await blackout(instruments[0]!, 2);
    await database.sql`UPDATE instruments SET name = 'renamed' WHERE id = ${instruments[1]!}`;
    const next = await drain(first.cursor);
    expect(next.changes.map((c) => [c.entity, c.entityId])).toEqual([
      ['listing', instruments[0]],
      ['listing', instruments[1]],
    ]);

    // A booking's busy period: made, then its purpose edited (nothing the nation sees), then cancelled.
    const [booking] = await database.sql<{ id: string }[]>`
      INSERT INTO bookings (instrument_id, requester_id, requester_organization, user_category, mode, period, status,
        fee, purpose, idempotency_key, request_hash)
      VALUES (${instruments[2]!}, 'u1', 'Tohoku', 'ACADEMIC', 'SELF',
        tstzrange('2031-03-01T00:00:00Z', '2031-03-01T02:00:00Z'), 'CONFIRMED', 0, 'secret purpose', 'k1', 'h1')
      RETURNING id::text`;
    const made = await drain(next.cursor);
    expect(made.changes.map((c) => [c.entity, c.entityId, c.instrumentId])).toEqual([
      ['busy_period', Number(booking!.id), instruments[2]],
    ]);
    await database.sql`UPDATE bookings SET purpose = 'another secret' WHERE id = ${booking!.id}`;
    const edited = await drain(made.cursor);
    expect(edited.changes).toEqual([]);
    await database.sql`UPDATE bookings SET status = 'CANCELLED' WHERE id = ${booking!.id}`;
    const cancelled = await drain(edited.cursor);
    expect(cancelled.changes.map((c) => c.entity)).toEqual(['busy_period']);
    for (const later of next.changes) {
      for (const earlier of first.changes) expect(compareFeedVersions(later.version, earlier.version)).toBeGreaterThan(0);
    }

    // Nothing new: the same cursor again, and no changes.
    const idle = await feed.changesAfter(cancelled.cursor, 10);
    expect(idle.changes).toEqual([]);
    expect(idle.hasMore).toBe(false);
  });

  it('pages: small pages give every change exactly once', async () => {
    const { cursor } = await drain(null);
    for (let day = 3; day < 13; day++) await blackout(instruments[day % 3]!, day);
    const paged = await drain(cursor, 2);
    expect(new Set(paged.changes.map((c) => c.version)).size).toBe(paged.changes.length);
    expect(new Set(paged.changes.map((c) => c.entityId))).toEqual(new Set(instruments));
  });

  it('does not skip a change numbered early that commits after a later one', async () => {
    const { cursor: start } = await drain(null);
    const early = await database.sql.reserve();
    const late = await database.sql.reserve();
    try {
      await early`BEGIN`;
      await early`INSERT INTO blackouts (instrument_id, period, created_by)
        VALUES (${instruments[2]!}, tstzrange('2032-01-01T00:00:00Z', '2032-01-02T00:00:00Z'), 'early')`;
      await late`BEGIN`;
      await late`INSERT INTO blackouts (instrument_id, period, created_by)
        VALUES (${instruments[1]!}, tstzrange('2032-02-01T00:00:00Z', '2032-02-02T00:00:00Z'), 'late')`;
      await late`COMMIT`;
      const [numbers] = await database.sql<{ early: string; late: string }[]>`
        SELECT max(id) FILTER (WHERE instrument_id = ${instruments[2]!})::text AS early,
               max(id) FILTER (WHERE instrument_id = ${instruments[1]!})::text AS late
        FROM catalogue_changes`;
      // Only the later-numbered change is committed; a reader now must not move past the earlier one.
      expect(Number(numbers!.late)).toBeGreaterThan(0);
      const during = await feed.changesAfter(start, 100);
      expect(during.changes).toEqual([]);
      // …but it says that committed changes wait, so that a consumer asks again soon.
      expect(during.hasMore).toBe(true);

      await early`COMMIT`;
      const after = await drain(during.cursor);
      expect(after.changes.map((c) => c.entityId).sort()).toEqual([instruments[1], instruments[2]].sort());
      // Delivered in the order the transactions began writing: the early one first, with the older version.
      const earlyVersion = after.changes.find((c) => c.entityId === instruments[2])!.version;
      const lateVersion = after.changes.find((c) => c.entityId === instruments[1])!.version;
      expect(compareFeedVersions(earlyVersion, lateVersion)).toBeLessThan(0);
    } finally {
      early.release();
      late.release();
    }
  });

  it('writes nothing for a write that rolls back', async () => {
    const { cursor } = await drain(null);
    await database.sql
      .begin(async (tx) => {
        await tx`UPDATE instruments SET name = 'never' WHERE id = ${instruments[0]!}`;
        throw new Error('rollback');
      })
      .catch(() => undefined);
    expect((await drain(cursor)).changes).toEqual([]);
  });

  it('answers RESYNC_REQUIRED for a cursor past pruning, of another database, or ahead of this one', async () => {
    const { cursor: old } = await drain(null);
    await blackout(instruments[1]!, 20);
    const { cursor: current } = await drain(old);
    const forged = (content: Record<string, unknown>) => Buffer.from(JSON.stringify(content)).toString('base64url');
    const { e: epoch } = JSON.parse(Buffer.from(old, 'base64url').toString()) as { e: string };

    expect(await resyncReason(feed.changesAfter(forged({ e: 'another', x: '1', i: 0 }), 10))).toMatch(/another database/);
    expect(await resyncReason(feed.changesAfter(forged({ e: epoch, x: '999999999999', i: 0 }), 10))).toMatch(/ahead/);

    await database.sql`UPDATE catalogue_changes SET changed_at = now() - interval '40 days'`;
    expect(await feed.prune(new Date())).toBeGreaterThan(0);
    expect(await resyncReason(feed.changesAfter(old, 10))).toMatch(/35-day retention/);
    expect(await resyncReason(feed.changesAfter(null, 10))).toMatch(/no longer starts/);
    // A consumer that had read everything carries on.
    await blackout(instruments[2]!, 21);
    expect((await drain(current)).changes.map((c) => c.entityId)).toEqual([instruments[2]]);
  });

  it('refuses a cursor that is not one', async () => {
    const error = await feed.changesAfter('not-a-cursor', 10).catch((e: unknown) => e);
    expect((error as DomainError).code).toBe('BAD_USER_INPUT');
  });

  it('carries the current state of what changed: the listing with fees, hours and closures, the busy period without who or why (only that its user is from outside), removals', async () => {
    const { cursor } = await feed.snapshot(null, 1000); // the feed was pruned above: start where a snapshot does
    await database.sql`UPDATE fee_rates SET hourly_rate = hourly_rate WHERE false`;
    await database.sql`INSERT INTO fee_rates (instrument_id, user_category, mode, hourly_rate)
      VALUES (${instruments[0]!}, 'ACADEMIC', 'SELF', 3000)`;
    await blackout(instruments[0]!, 25);
    const [booking] = await database.sql<{ id: string }[]>`
      INSERT INTO bookings (instrument_id, requester_id, requester_organization, user_category, mode, period, status,
        fee, purpose, idempotency_key, request_hash)
      VALUES (${instruments[1]!}, 'u2', 'Tohoku', 'ACADEMIC', 'SELF',
        tstzrange('2031-04-01T00:00:00Z', '2031-04-01T03:00:00Z'), 'PENDING', 0, 'private', 'k2', 'h2')
      RETURNING id::text`;
    const page: FeedPage = await settled(cursor);
    const listing = page.listings.find((l) => l.id === instruments[0])!;
    expect(listing.fees).toEqual([
      { userCategory: 'ACADEMIC', mode: 'SELF', hourlyRate: 3000, billingUnitMinutes: 60, minimumCharge: 0 },
    ]);
    expect(listing.openHours.length).toBeGreaterThan(0);
    expect(listing.closures.map((c) => c.start.toISOString())).toContain('2031-01-25T00:00:00.000Z');
    expect(page.busyPeriods).toEqual([
      {
        id: Number(booking!.id),
        instrumentId: instruments[1],
        start: new Date('2031-04-01T00:00:00Z'),
        end: new Date('2031-04-01T03:00:00Z'),
        held: false,
        external: true,
        version: expect.any(String),
      },
    ]);
    expect(JSON.stringify(page)).not.toMatch(/private|u2|Tohoku/);

    await database.sql`UPDATE bookings SET status = 'REJECTED' WHERE id = ${booking!.id}`;
    await database.sql`UPDATE instruments SET decommissioned_at = now() WHERE id = ${instruments[0]!}`;
    const removed = await settled(page.cursor);
    expect(removed.removedBusyPeriods.map((r) => r.id)).toEqual([Number(booking!.id)]);
    expect(removed.removedListings.map((r) => r.id)).toEqual([instruments[0]]);
    expect(removed.listings).toEqual([]);
    await database.sql`UPDATE instruments SET decommissioned_at = NULL WHERE id = ${instruments[0]!}`;
  });

  it('keeps a used booking as a held period (completed stays, a year of history in a full listing), drops a cancelled one', async () => {
    const { cursor } = await feed.snapshot(null, 1000);
    const insert = async (status: string, start: string, end: string, key: string) => {
      const [row] = await database.sql<{ id: string }[]>`
        INSERT INTO bookings (instrument_id, requester_id, requester_organization, user_category, mode, period, status,
          fee, purpose, idempotency_key, request_hash)
        VALUES (${instruments[2]!}, 'u3', 'Tohoku', 'ACADEMIC', 'SELF',
          tstzrange(${start}::timestamptz, ${end}::timestamptz), ${status}, 0, 'private', ${key}, ${key})
        RETURNING id::text`;
      return Number(row!.id);
    };
    const day = (offsetDays: number, hour: number) =>
      new Date(Date.now() + offsetDays * 86_400_000 + hour * 3_600_000).toISOString();
    const confirmed = await insert('CONFIRMED', day(-3, 0), day(-3, 2), 'h-1');
    const lastMonth = await insert('COMPLETED', day(-30, 0), day(-30, 3), 'h-2');
    const twoYearsAgo = await insert('COMPLETED', day(-730, 0), day(-730, 3), 'h-3');
    await database.sql`UPDATE bookings SET status = 'COMPLETED' WHERE id = ${confirmed}`;
    const page = await settled(cursor);
    const held = new Map(page.busyPeriods.map((b) => [b.id, b.held]));
    expect(held.get(confirmed)).toBe(true);
    expect(held.get(lastMonth)).toBe(true);
    expect(page.removedBusyPeriods.map((r) => r.id)).not.toContain(confirmed);

    const listing = await feed.snapshot(null, 1000);
    const listed = listing.busyPeriods.map((b) => b.id);
    expect(listed).toEqual(expect.arrayContaining([confirmed, lastMonth]));
    expect(listed).not.toContain(twoYearsAgo);

    await database.sql`UPDATE bookings SET status = 'CANCELLED' WHERE id IN (${confirmed}, ${lastMonth}, ${twoYearsAgo})`;
    const cancelled = await settled(page.cursor);
    expect(cancelled.removedBusyPeriods.map((r) => r.id).sort()).toEqual([confirmed, lastMonth, twoYearsAgo].sort());
  });

  it('lists everything in snapshot pages that continue the feed where the snapshot began', async () => {
    const first = await feed.snapshot(null, 2);
    expect(first.listings.map((l) => l.id)).toEqual(instruments.slice(0, 2));
    expect(first.next).toBe(String(instruments[1]));
    await blackout(instruments[0]!, 26);
    const second = await feed.snapshot(first.next, 2);
    expect(second.listings.map((l) => l.id)).toEqual([instruments[2]]);
    expect(second.next).toBeNull();
    // The blackout committed during the snapshot comes through the feed from the first page's cursor.
    const after = await drain(first.cursor);
    expect(after.changes.map((c) => c.entityId)).toContain(instruments[0]);
    expect(((await feed.snapshot('x', 2).catch((e: unknown) => e)) as DomainError).code).toBe('BAD_USER_INPUT');
  });

  it('holds an empty page until a change commits (long poll), and answers at once when one does', async () => {
    const notifier = new ChangeNotifier(database.sql, createLogger('test', 'error'));
    await notifier.start();
    try {
      const polling = new ChangeFeedService(new ChangeFeedRepository(database.db), 35, notifier);
      const { cursor } = await feed.snapshot(null, 1000); // the feed was pruned above: start where a snapshot does
      const started = Date.now();
      const idle = await polling.changesAfter(cursor, 10, 300);
      expect(idle.changes).toEqual([]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);

      const waiting = polling.changesAfter(idle.cursor, 10, 10_000);
      await pause(100);
      const committed = Date.now();
      await blackout(instruments[2]!, 27);
      const woken = await waiting;
      expect(woken.changes.map((c) => c.entityId)).toEqual([instruments[2]]);
      // Woken by the commit's notification, not by the 10-second timeout.
      expect(Date.now() - committed).toBeLessThan(5_000);
      expect(((await polling.changesAfter(null, 10, 60_000).catch((e: unknown) => e)) as DomainError).code).toBe(
        'BAD_USER_INPUT',
      );
    } finally {
      await notifier.stop();
    }
  });

  it('keeps a long poll open while a committed change waits behind an older transaction, and answers it once that ends', async () => {
    const notifier = new ChangeNotifier(database.sql, createLogger('test', 'error'));
    await notifier.start();
    const older = await database.sql.reserve();
    try {
      const polling = new ChangeFeedService(new ChangeFeedRepository(database.db), 35, notifier);
      const { cursor } = await feed.snapshot(null, 1000);
      await older`BEGIN`;
      await older`SELECT pg_current_xact_id()`; // holds an xid: later commits wait above the horizon
      await blackout(instruments[1]!, 28);
      const waiting = polling.changesAfter(cursor, 10, 10_000);
      await pause(300);
      await older`COMMIT`;
      // Before, the held change answered at once with an empty page (hasMore) instead of waiting for it.
      const page = await waiting;
      expect(page.changes.map((c) => c.entityId)).toEqual([instruments[1]]);
    } finally {
      older.release();
      await notifier.stop();
    }
  });

  it('pages a bulk load of hundreds of listings in numeric order: every listing arrives, at small and large pages', async () => {
    const { cursor: start } = await feed.snapshot(null, 1000);
    const stored = await new InstrumentsRepository(database.db).upsertMany(
      Array.from({ length: 400 }, (_, i) => {
        const listing = toListing({
          localId: `bulk-${i}`,
          name: `Bulk ${i}`,
          category: 'その他',
          sharedExternally: true,
          remoteOperable: false,
          requiresApproval: false,
          requiresQualification: false,
        });
        return { listing, search: searchColumnsOf(listing) };
      }),
    );
    const expected = new Set(stored.map((s) => s.instrument.id));
    for (const first of [500, 7]) {
      const seen = new Set<number>();
      let page = await feed.changesAfter(start, first);
      for (;;) {
        for (const listing of page.listings) seen.add(listing.id);
        if (!page.hasMore) break;
        page = await feed.changesAfter(page.cursor, first);
      }
      expect(
        [...expected].filter((id) => !seen.has(id)),
        `missing at pages of ${first}`,
      ).toEqual([]);
    }
  });
});

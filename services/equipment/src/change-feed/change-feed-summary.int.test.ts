/**
 * The owner's summary for the catalogue's reconciliation, on real PostgreSQL through the production migrations:
 * counts and the shared checksum over what the nation may see, the same from small pages as from large ones,
 * and `current` only for a consumer that has been given every change the summary reflects (not while a
 * committed change waits behind a running transaction, not for a cursor of another database).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, equipmentSchema, type Database } from '@kyoyo/db';
import { DomainError, searchColumnsOf } from '@kyoyo/domain';
import { createTestDatabase } from '@kyoyo/test-kit';
import { InstrumentsRepository } from '../instruments/instruments.repository';
import { toListing } from '../instruments/instruments.service';
import { ChangeFeedSummaryRepository } from './change-feed-summary.repository';
import { ChangeFeedSummaryService } from './change-feed-summary.service';
import { ChangeFeedRepository } from './change-feed.repository';
import { ChangeFeedService } from './change-feed.service';

let database: Database<typeof equipmentSchema>;
let feed: ChangeFeedService;
let summaries: ChangeFeedSummaryService;
let instruments: number[];

/** Reads the feed to its end, as a consumer that is current does; its cursor. */
async function drained(cursor: string | null): Promise<string> {
  let page = await feed.changesAfter(cursor, 100);
  while (page.hasMore) page = await feed.changesAfter(page.cursor, 100);
  return page.cursor;
}

beforeAll(async () => {
  database = connect(await createTestDatabase(), equipmentSchema, { max: 6 });
  feed = new ChangeFeedService(new ChangeFeedRepository(database.db), 35);
  summaries = new ChangeFeedSummaryService(new ChangeFeedSummaryRepository(database.db));
  const stored = await new InstrumentsRepository(database.db).upsertMany(
    ['A', 'B', 'C', 'D', 'E'].map((n) => {
      const listing = toListing({
        localId: `sum-${n}`,
        name: `Summed instrument ${n}`,
        category: 'その他',
        sharedExternally: n !== 'E',
        remoteOperable: false,
        requiresApproval: false,
        requiresQualification: false,
      });
      return { listing, search: searchColumnsOf(listing) };
    }),
  );
  instruments = stored.map((s) => s.instrument.id);
  await database.sql`INSERT INTO blackouts (instrument_id, period, created_by)
    VALUES (${instruments[0]!}, tstzrange(now() + interval '1 day', now() + interval '2 days'), 'test'),
           (${instruments[1]!}, tstzrange(now() - interval '2 days', now() - interval '1 day'), 'test')`;
  await database.sql`INSERT INTO bookings (instrument_id, requester_id, requester_organization, user_category, mode, period,
      status, fee, purpose, idempotency_key, request_hash)
    VALUES (${instruments[0]!}, 'u-1', 'org', 'ACADEMIC', 'SELF', tstzrange(now() + interval '3 days', now() + interval '3 days 2 hours'),
            'CONFIRMED', 0, 'p', 'k-1', 'h'),
           (${instruments[1]!}, 'u-1', 'org', 'ACADEMIC', 'SELF', tstzrange(now() + interval '3 days', now() + interval '3 days 2 hours'),
            'PENDING', 0, 'p', 'k-2', 'h'),
           (${instruments[2]!}, 'u-1', 'org', 'ACADEMIC', 'SELF', tstzrange(now() + interval '3 days', now() + interval '3 days 2 hours'),
            'CANCELLED', 0, 'p', 'k-3', 'h'),
           (${instruments[3]!}, 'u-1', 'org', 'ACADEMIC', 'SELF', tstzrange(now() - interval '3 days', now() - interval '2 days'),
            'COMPLETED', 0, 'p', 'k-4', 'h')`;
});

afterAll(async () => {
  await database?.close();
});

describe('the owner’s catalogue summary', () => {
  it('counts the listed instruments and the published busy periods not yet ended, the same from pages of any size', async () => {
    const cursor = await drained(null);
    const summary = await summaries.summary(cursor);
    // Confirmed and pending coming bookings; not the cancelled one, nor the one used three days ago.
    expect(summary).toMatchObject({ listings: 5, busyPeriods: 2, current: true });
    expect(summary.checksum).toMatch(/^[0-9a-f]{64}$/);
    const paged = await new ChangeFeedSummaryRepository(database.db, 2).read();
    expect({ listings: paged.listings, busyPeriods: paged.busyPeriods, checksum: paged.checksum }).toEqual({
      listings: summary.listings,
      busyPeriods: summary.busyPeriods,
      checksum: summary.checksum,
    });

    await database.sql`UPDATE instruments SET decommissioned_at = now() WHERE id = ${instruments[4]!}`;
    const fewer = await summaries.summary(await drained(cursor));
    expect(fewer).toMatchObject({ listings: 4, busyPeriods: 2, current: true });
    expect(fewer.checksum).not.toBe(summary.checksum);
  });

  it('is current for a consumer given every change it reflects, and not while one waits to be read', async () => {
    const cursor = await drained(null);
    expect((await summaries.summary(cursor)).current).toBe(true);
    await database.sql`UPDATE instruments SET description = 'changed' WHERE id = ${instruments[0]!}`;
    const behind = await summaries.summary(cursor);
    expect(behind.current).toBe(false);
    const caughtUp = await summaries.summary(await drained(cursor));
    expect(caughtUp.current).toBe(true);
    // The owner's content is the same either way: only whether the consumer holds all of it differs.
    expect(caughtUp.checksum).toBe(behind.checksum);
  });

  it('is not current while a committed change waits behind a running transaction the feed cannot pass', async () => {
    const start = await drained(null);
    const early = await database.sql.reserve();
    try {
      await early`BEGIN`;
      await early`UPDATE instruments SET description = 'early, still running' WHERE id = ${instruments[1]!}`;
      await database.sql`UPDATE instruments SET description = 'late, committed' WHERE id = ${instruments[2]!}`;
      // A consumer reads what it can: nothing past the running transaction's horizon…
      const during = await feed.changesAfter(start, 100);
      expect(during.changes).toEqual([]);
      // …while the summary's snapshot sees the later change committed: the consumer cannot hold it yet.
      expect((await summaries.summary(during.cursor)).current).toBe(false);
      await early`COMMIT`;
    } finally {
      early.release();
    }
    expect((await summaries.summary(await drained(start))).current).toBe(true);
  });

  it('is not current for a cursor of another database, and refuses what is not a cursor', async () => {
    const cursor = await drained(null);
    const content = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { e: string };
    const foreign = Buffer.from(JSON.stringify({ ...content, e: 'another-epoch' })).toString('base64url');
    expect((await summaries.summary(foreign)).current).toBe(false);
    const error = await summaries.summary('not a cursor').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('BAD_USER_INPUT');
  });
});

/**
 * The change feed on real PostgreSQL through the production migrations: triggers record every write that
 * changes what the nation may see, pages come in commit-safe order (a change numbered early that commits late
 * is not skipped), and cursors that cannot be continued answer RESYNC_REQUIRED.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, equipmentSchema, type Database } from '@kyoyo/db';
import { DomainError } from '@kyoyo/domain';
import { createTestDatabase } from '@kyoyo/test-kit';
import { InstrumentsRepository } from '../instruments/instruments.repository';
import { searchColumnsOf } from '../instruments/instruments.search';
import { toListing } from '../instruments/instruments.service';
import { ChangeFeedRepository } from './change-feed.repository';
import { ChangeFeedService } from './change-feed.service';
import type { FeedChange } from './change-feed.types';

let database: Database<typeof equipmentSchema> & { url: string };
let feed: ChangeFeedService;
let instruments: number[];

async function drain(cursor: string | null, first = 100): Promise<{ changes: FeedChange[]; cursor: string }> {
  const changes: FeedChange[] = [];
  let page = await feed.changesAfter(cursor, first);
  changes.push(...page.changes);
  while (page.hasMore) {
    page = await feed.changesAfter(page.cursor, first);
    changes.push(...page.changes);
  }
  return { changes, cursor: page.cursor };
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
    const versions = next.changes.map((c) => c.version);
    expect(Math.min(...versions)).toBeGreaterThan(Math.max(...first.changes.map((c) => c.version)));

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
      const during = await drain(start);
      expect(during.changes).toEqual([]);

      await early`COMMIT`;
      const after = await drain(during.cursor);
      expect(after.changes.map((c) => c.entityId).sort()).toEqual([instruments[1], instruments[2]].sort());
      expect(after.changes.find((c) => c.entityId === instruments[2])!.version).toBeLessThan(
        after.changes.find((c) => c.entityId === instruments[1])!.version,
      );
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
});

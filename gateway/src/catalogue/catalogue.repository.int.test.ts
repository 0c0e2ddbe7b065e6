import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { connect, type Database } from '@kyoyo/db';
import { createTestDatabase } from '@kyoyo/test-kit';
import { gatewayMigrationsFolder } from '../db/migrations';
import * as gatewaySchema from '../db/schema';
import type { WireBusyPeriod, WireListing, WireRemoval } from './catalogue.documents';
import { checkEntries } from './catalogue.entries';
import { RegistryRepository } from '../registry/registry.repository';
import { CatalogueRepository, type HarvestState } from './catalogue.repository';

/**
 * Applying harvested pages to the national catalogue, against the production migrations: each page in one
 * transaction with the cursor, so a page that fails half-way leaves nothing and is simply read again; a page
 * applied twice (a restart, a second gateway) changes nothing; an older version never overwrites a newer one;
 * a full listing replaces an institution's part without its listings leaving search meanwhile.
 */

let database: Database<typeof gatewaySchema>;
let repository: CatalogueRepository;
let institution: string;
let serial = 0;

beforeAll(async () => {
  database = connect(await createTestDatabase(gatewayMigrationsFolder), gatewaySchema, { max: 3 });
  repository = new CatalogueRepository(database.db);
});
afterAll(() => database?.close());
beforeEach(async () => {
  serial += 1;
  institution = `inst-${serial}`;
  await new RegistryRepository(database.db).upsert({
    code: institution,
    name: `機関${serial}`,
    nameEn: null,
    prefecture: '東京都',
    location: null,
    serviceUrl: `http://10.0.0.${serial}:4100`,
  });
});

function listing(
  id: number,
  version: string,
  changes: Partial<WireListing['instrument']> = {},
  closures: WireListing['closures'] = [],
): WireListing {
  return {
    instrument: {
      id: String(id),
      localId: `L-${id}`,
      name: `透過電子顕微鏡 ${id}`,
      nameEn: null,
      category: '電子顕微鏡',
      manufacturer: 'JEOL',
      model: 'JEM-2100',
      description: null,
      acquisitionPrice: 120_000_000,
      acquiredOn: '2020-04-01',
      building: null,
      location: null,
      sharedExternally: true,
      remoteOperable: false,
      requiresApproval: false,
      requiresQualification: false,
      maxBookingMinutes: 480,
      cancellationFreeHours: 24,
      cancellationFeePercent: 50,
      ...changes,
    },
    fees: [{ userCategory: 'ACADEMIC', mode: 'SELF', hourlyRate: 5000, billingUnitMinutes: 30, minimumCharge: 0 }],
    openHours: [{ weekday: 1, opensAt: 540, closesAt: 1020 }],
    closures,
    version,
  };
}

const period = (id: number, instrumentId: number, start: string, end: string, version: string): WireBusyPeriod => ({
  id: String(id),
  instrumentId: String(instrumentId),
  start,
  end,
  held: true,
  external: false,
  version,
});

interface Page {
  listings?: WireListing[];
  removedListings?: WireRemoval[];
  busyPeriods?: WireBusyPeriod[];
  removedBusyPeriods?: WireRemoval[];
}
const entriesOf = (page: Page) => checkEntries({ listings: page.listings ?? [], busyPeriods: page.busyPeriods ?? [], ...page });

/** Applies `page` after the stored cursor, as the harvester does; false when the state moved meanwhile. */
async function apply(page: Page, cursor: string, expected?: HarvestState): Promise<boolean> {
  const state = expected ?? (await repository.state(institution));
  return repository.applyChanges(institution, state, entriesOf(page), { cursor, currentTo: new Date() });
}

/** Starts with the empty full listing an institution with nothing listed gives, so the feed applies. */
async function joined(): Promise<void> {
  const state = await repository.state(institution);
  expect(
    await repository.applySnapshot(institution, state, entriesOf({}), { next: null, cursor: 'epoch:0', asOf: new Date() }),
  ).toBe(true);
}

async function rows(): Promise<{ id: number; name: string; description: string | null; version: string }[]> {
  return database.db.execute<{ id: number; name: string; description: string | null; version: string }>(sql`
    SELECT id::int AS id, name, description, version_xid || ':' || version_id AS version
    FROM catalogue_instruments WHERE institution = ${institution} ORDER BY id`);
}

async function periods(): Promise<{ kind: string; id: number; instrument_id: number }[]> {
  return database.db.execute<{ kind: string; id: number; instrument_id: number }>(sql`
    SELECT kind, id::int AS id, instrument_id::int AS instrument_id FROM catalogue_busy_periods WHERE institution = ${institution} ORDER BY kind, id`);
}

describe('the national catalogue, applying harvested pages', () => {
  it('applies a page with its cursor, and a page applied again (a restart, another gateway) changes nothing', async () => {
    await joined();
    const first = await repository.state(institution);
    const page = {
      listings: [listing(1, '100:1'), listing(2, '100:2')],
      busyPeriods: [period(7, 1, '2027-01-04T01:00:00Z', '2027-01-04T03:00:00Z', '100:3')],
    };
    expect(await apply(page, 'epoch:100:3', first)).toBe(true);
    // The same page again, read after the same cursor: refused as a whole (the stored cursor moved).
    expect(await apply(page, 'epoch:100:3', first)).toBe(false);
    expect((await rows()).map((r) => r.id)).toEqual([1, 2]);
    expect(await periods()).toEqual([{ kind: 'booking', id: 7, instrument_id: 1 }]);
    const state = await repository.state(institution);
    expect(state.cursor).toBe('epoch:100:3');
    expect(state.changesApplied).toBe(3);
    // Even applied over itself (a duplicate delivered after the cursor), the same versions are the same rows.
    expect(await apply(page, 'epoch:100:4')).toBe(true);
    expect((await rows()).map((r) => [r.id, r.version])).toEqual([
      [1, '100:1'],
      [2, '100:2'],
    ]);
    expect(await periods()).toHaveLength(1);
  });

  it('leaves nothing of a page that fails half-way, and applies it whole when it is read again', async () => {
    await joined();
    const before = await repository.state(institution);
    // The listings are written first; the database refuses the busy period (a range ending before it starts,
    // past the page check): the transaction, cursor included, rolls back.
    const broken = entriesOf({ listings: [listing(1, '200:1'), listing(2, '200:2')] });
    broken.busyPeriods.push({
      id: 9,
      instrumentId: 1,
      start: new Date('2027-01-04T03:00:00Z'),
      end: new Date('2027-01-04T01:00:00Z'),
      held: true,
      external: false,
      version: { xid: 200n, id: 3n },
    });
    await expect(
      repository.applyChanges(institution, before, broken, { cursor: 'epoch:200:3', currentTo: new Date() }),
    ).rejects.toThrow();
    expect(await rows()).toEqual([]);
    expect((await repository.state(institution)).cursor).toBe(before.cursor);

    expect(
      await apply(
        {
          listings: [listing(1, '200:1'), listing(2, '200:2')],
          busyPeriods: [period(9, 1, '2027-01-04T01:00:00Z', '2027-01-04T03:00:00Z', '200:3')],
        },
        'epoch:200:3',
      ),
    ).toBe(true);
    expect((await rows()).map((r) => r.id)).toEqual([1, 2]);
    expect(await periods()).toHaveLength(1);
  });

  it('keeps the terms of each listing beside it, by the same versions: an older never wins, a removal takes them', async () => {
    await joined();
    const priced = (id: number, version: string, hourlyRate: number, opensAt: number): WireListing => ({
      ...listing(id, version),
      fees: [{ userCategory: 'ACADEMIC', mode: 'SELF', hourlyRate, billingUnitMinutes: 30, minimumCharge: 0 }],
      openHours: [{ weekday: 2, opensAt, closesAt: 1020 }],
    });
    const terms = () =>
      database.db.execute<{ id: number; rate: number; opens: number }>(sql`
        SELECT id::int AS id, (fees -> 0 ->> 'hourlyRate')::int AS rate, (open_hours -> 0 ->> 'opensAt')::int AS opens
        FROM catalogue_terms WHERE institution = ${institution} ORDER BY id`);
    expect(await apply({ listings: [priced(1, '400:5', 5000, 540), priced(2, '400:6', 6000, 600)] }, 'epoch:400:6')).toBe(true);
    expect(await terms()).toEqual([
      { id: 1, rate: 5000, opens: 540 },
      { id: 2, rate: 6000, opens: 600 },
    ]);
    // An older version's terms are not written; a newer one's replace them.
    expect(await apply({ listings: [priced(1, '399:1', 9999, 0), priced(2, '401:1', 7000, 480)] }, 'epoch:401:1')).toBe(true);
    expect(await terms()).toEqual([
      { id: 1, rate: 5000, opens: 540 },
      { id: 2, rate: 7000, opens: 480 },
    ]);
    // A removal takes the terms with the listing.
    expect(await apply({ removedListings: [{ id: '1', version: '402:1' }] }, 'epoch:402:1')).toBe(true);
    expect(await terms()).toEqual([{ id: 2, rate: 7000, opens: 480 }]);
  });

  it('never lets an older version overwrite or remove a newer one', async () => {
    await joined();
    expect(await apply({ listings: [listing(1, '300:5', { description: 'newer' })] }, 'epoch:300:5')).toBe(true);
    // An older version of the same listing (out of order), and a tombstone older than the listing.
    expect(
      await apply(
        { listings: [listing(1, '299:9', { description: 'older' })], removedListings: [{ id: '1', version: '300:4' }] },
        'epoch:300:6',
      ),
    ).toBe(true);
    expect(await rows()).toEqual([expect.objectContaining({ id: 1, description: 'newer', version: '300:5' })]);
    // A newer version wins; a newer tombstone removes the listing and its busy periods.
    expect(
      await apply(
        {
          listings: [listing(1, '301:1', { description: 'newest' })],
          busyPeriods: [period(4, 1, '2027-01-05T01:00:00Z', '2027-01-05T02:00:00Z', '301:2')],
        },
        'epoch:301:2',
      ),
    ).toBe(true);
    expect((await rows())[0]).toMatchObject({ description: 'newest', version: '301:1' });
    expect(await apply({ removedListings: [{ id: '1', version: '302:1' }] }, 'epoch:302:1')).toBe(true);
    expect(await rows()).toEqual([]);
    expect(await periods()).toEqual([]);
  });

  it('refuses a hostile entry alone: the rest of its page applies and the refusal is counted', async () => {
    await joined();
    const page = {
      listings: [
        listing(1, '400:1'),
        listing(2, '400:2', { description: 'x'.repeat(10_001) }), // oversized text
        { ...listing(3, '400:3'), instrument: { ...listing(3, '400:3').instrument, id: 'other-u:3' } }, // another institution's id
        listing(4, 'not-a-version'),
        listing(5, '400:5', { name: '' }),
        listing(6, '400:6'),
      ],
      busyPeriods: [period(8, 1, '2027-01-04T03:00:00Z', '2027-01-04T01:00:00Z', '400:7')], // ends before it starts
    };
    const checked = entriesOf(page);
    expect(checked.refused.map((r) => [r.kind, r.id])).toEqual([
      ['listing', '2'],
      ['listing', 'other-u:3'],
      ['listing', '4'],
      ['listing', '5'],
      ['busy period', '8'],
    ]);
    expect(await apply(page, 'epoch:400:7')).toBe(true);
    expect((await rows()).map((r) => r.id)).toEqual([1, 6]);
    const state = await repository.state(institution);
    expect(state).toMatchObject({ cursor: 'epoch:400:7', refused: 5, changesApplied: 2 });
  });

  it('keeps an institution searchable through a full relisting, then holds exactly what the listing held', async () => {
    await joined();
    expect(await apply({ listings: [listing(1, '500:1'), listing(2, '500:2'), listing(3, '500:3')] }, 'epoch:500:3')).toBe(true);
    await repository.beginResync(institution, 'the feed asks for a full listing (epoch changed)');
    // While the listing is under way, change pages wait and the old rows stay.
    const resyncing = await repository.state(institution);
    expect(resyncing.snapshotNext).toBe('0');
    expect(await apply({ listings: [listing(9, '900:1')] }, 'x', resyncing)).toBe(false);
    expect(
      await repository.applySnapshot(
        institution,
        resyncing,
        entriesOf({ listings: [listing(1, '10:1', { description: 'restored' })] }),
        {
          next: '1',
          cursor: 'epoch2:10:1',
          asOf: new Date(),
        },
      ),
    ).toBe(true);
    expect((await rows()).map((r) => r.id)).toEqual([1, 2, 3]);
    // A restored database numbers its versions lower than before: the new generation still wins.
    expect((await rows())[0]).toMatchObject({ description: 'restored', version: '10:1' });
    const last = await repository.state(institution);
    expect(
      await repository.applySnapshot(institution, last, entriesOf({ listings: [listing(3, '10:3')] }), {
        next: null,
        cursor: 'epoch2:10:9',
        asOf: new Date(),
      }),
    ).toBe(true);
    expect((await rows()).map((r) => r.id)).toEqual([1, 3]);
    const done = await repository.state(institution);
    expect(done).toMatchObject({ snapshotNext: null, cursor: 'epoch2:10:1', generation: resyncing.generation + 1, resyncs: 1 });
    // The same last page again (another consumer) is refused.
    expect(
      await repository.applySnapshot(institution, last, entriesOf({}), { next: null, cursor: 'epoch2:10:9', asOf: new Date() }),
    ).toBe(false);
  });

  it('readies the catalogue for search when asked: the text indexes’ pending lists merged, statistics current', async () => {
    await joined();
    expect(await apply({ listings: [listing(1, '600:1'), listing(2, '600:2')] }, 'epoch:600:2')).toBe(true);
    await database.db.execute(sql`CREATE EXTENSION IF NOT EXISTS pgstattuple`);
    const pending = async () => {
      const [row] = await database.db.execute<{ tuples: number }>(sql`
        SELECT coalesce(sum((pgstatginindex(i.indexrelid)).pending_tuples), 0)::int AS tuples
        FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam
        WHERE i.indrelid = 'catalogue_instruments'::regclass AND a.amname = 'gin'`);
      return row!.tuples;
    };
    expect(await pending()).toBeGreaterThan(0);
    await repository.refreshForSearch();
    const [stats] = await database.db.execute<{ estimated: number; counted: number }>(sql`
      SELECT (SELECT reltuples::int FROM pg_class WHERE relname = 'catalogue_instruments') AS estimated,
             (SELECT count(*)::int FROM catalogue_instruments) AS counted`);
    expect(stats!.estimated).toBe(stats!.counted);
    expect(await pending()).toBe(0);
  });
});

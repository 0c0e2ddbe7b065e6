import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Database } from '@kyoyo/db';
import { createTestDatabase } from '@kyoyo/test-kit';
import { gatewayMigrationsFolder } from '../db/migrations';
import * as gatewaySchema from '../db/schema';
import { RegistryRepository } from '../registry/registry.repository';
import { HarvestLeasesRepository } from './harvest-leases.repository';

/** Harvest leases on real PostgreSQL: one holder at a time, renewal, lapse, release, on the database's clock. */

let database: Database<typeof gatewaySchema>;
let leases: HarvestLeasesRepository;
let serial = 0;

async function member(): Promise<string> {
  serial += 1;
  const code = `lease-${serial}`;
  await new RegistryRepository(database.db).upsert({
    code,
    name: `機関${serial}`,
    nameEn: null,
    prefecture: '東京都',
    location: null,
    serviceUrl: `http://10.0.1.${serial}:4100`,
  });
  return code;
}

beforeAll(async () => {
  database = connect(await createTestDatabase(gatewayMigrationsFolder), gatewaySchema, { max: 3 });
  leases = new HarvestLeasesRepository(database.db);
});
afterAll(() => database?.close());

describe('harvest leases', () => {
  it('gives an institution to one replica at a time; its holder renews it, the other waits', async () => {
    const code = await member();
    expect(await leases.hold(code, 'a', 60_000)).toBe(true);
    expect(await leases.hold(code, 'b', 60_000)).toBe(false);
    expect(await leases.hold(code, 'a', 60_000)).toBe(true);
    expect((await leases.holders()).get(code)).toBe('a');
  });

  it('passes to another replica once the holder stops renewing (a crash) or releases it (a shutdown)', async () => {
    const lapsing = await member();
    expect(await leases.hold(lapsing, 'a', 150)).toBe(true);
    expect(await leases.hold(lapsing, 'b', 60_000)).toBe(false);
    await new Promise((r) => setTimeout(r, 300));
    expect((await leases.holders()).has(lapsing)).toBe(false);
    expect(await leases.hold(lapsing, 'b', 60_000)).toBe(true);
    expect(await leases.hold(lapsing, 'a', 60_000)).toBe(false);

    const released = await member();
    expect(await leases.hold(released, 'a', 60_000)).toBe(true);
    await leases.release(released, 'b'); // not b's to give up: nothing happens
    expect(await leases.hold(released, 'b', 60_000)).toBe(false);
    await leases.release(released, 'a');
    expect(await leases.hold(released, 'b', 60_000)).toBe(true);
  });

  it('lets exactly one of many replicas racing for a free institution take it', async () => {
    const code = await member();
    const won = await Promise.all(Array.from({ length: 8 }, (_, i) => leases.hold(code, `r${i}`, 60_000)));
    expect(won.filter(Boolean)).toHaveLength(1);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { connect } from '@kyoyo/db';
import { createGatewayApp, gatewaySchema, type GatewayApp } from '@kyoyo/gateway';
import { createLogger } from '@kyoyo/server-kit';
import { DEFAULT_DEMO_SEED, generateInstitution } from '../../infra/src/demo-data';
import { seedInstitution } from '../../infra/src/seed/seed.repository';
import { startFederation, uniqueCode, type TestFederation } from './support/federation';

/**
 * The harvest against real services and real PostgreSQL: a gateway stopped in the middle of an institution's
 * full listing and started again (a crash, a deploy) ends with exactly the owner's listings, changes made
 * meanwhile included; with the owner's nudges gone, pulling alone still brings every change; the catalogue's
 * figures are the owner's.
 */

const silent = createLogger('test', 'error', {}, () => undefined);
const PAGE = 7;

const federations: TestFederation[] = [];
const gateways: GatewayApp[] = [];
/** Where each harvesting gateway listens. */
const ports = new Map<GatewayApp, number>();
afterEach(async () => {
  await Promise.all(gateways.splice(0).map((g) => g.stop().catch(() => undefined)));
  await Promise.all(federations.splice(0).map((f) => f.stop()));
});

/** One institution seeded with the demo generator's listings and bookings; the federation's own gateway harvests nothing. */
async function seeded(): Promise<{ federation: TestFederation; code: string; listed: number }> {
  const code = uniqueCode('harvest');
  const institution = { code, name: '収穫大学', prefecture: '宮城県', location: { latitude: 38.25, longitude: 140.84 } };
  const federation = await startFederation([institution], { gateway: { harvest: false } });
  federations.push(federation);
  const data = generateInstitution(
    { code, name: institution.name, nameEn: '', prefecture: institution.prefecture, latitude: 38.25, longitude: 140.84 },
    0,
    { seed: DEFAULT_DEMO_SEED, institutionCount: 3, instrumentsPerInstitution: 60, now: new Date() },
  );
  const { instruments } = await seedInstitution(federation.services.get(code)!.database.db, data);
  return { federation, code, listed: instruments };
}

/** A gateway on the federation's gateway database that harvests in pages of `PAGE`. */
async function harvestingGateway(
  federation: TestFederation,
  waitMs = 500,
  lease: { leaseTtlMs?: number; leaseRetryMs?: number } = {},
): Promise<GatewayApp> {
  const gateway = await createGatewayApp({
    database: connect(federation.gatewayDatabaseUrl, gatewaySchema, { max: 4 }),
    signingKey: federation.gatewayKey,
    issuers: [],
    logger: silent,
    timeoutMs: 5000,
    healthIntervalMs: 60_000,
    maxBodyBytes: 1024 * 1024,
    production: false,
    harvest: { pageSize: PAGE, waitMs, ...lease },
  });
  gateways.push(gateway);
  ports.set(gateway, await gateway.listen(0, '127.0.0.1'));
  return gateway;
}

/** The owner's listed instruments and the catalogue's, as (id, name, description) lines. */
async function bothSides(federation: TestFederation, code: string): Promise<{ owner: string[]; national: string[] }> {
  const owner = await federation.services.get(code)!.database.sql<{ line: string }[]>`
    SELECT id || '|' || name || '|' || coalesce(description, '') AS line FROM instruments
    WHERE decommissioned_at IS NULL ORDER BY id`;
  const national = await federation.gatewayDatabase.sql<{ line: string }[]>`
    SELECT id || '|' || name || '|' || coalesce(description, '') AS line FROM catalogue_instruments
    WHERE institution = ${code} ORDER BY id`;
  return { owner: owner.map((r) => r.line), national: national.map((r) => r.line) };
}

async function harvestState(db: TestFederation['gatewayDatabase']['sql'], code: string) {
  const [row] = await db<{ snapshot_next: string | null; cursor: string | null; listed: number }[]>`
    SELECT h.snapshot_next, h.cursor,
           (SELECT count(*)::int FROM catalogue_instruments c WHERE c.institution = h.institution) AS listed
    FROM catalogue_harvest h WHERE h.institution = ${code}`;
  return row;
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<number> {
  const started = performance.now();
  while (!(await check())) {
    if (performance.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return performance.now() - started;
}

describe('the harvest of an institution into the national catalogue', () => {
  it('ends with exactly the owner’s listings after a gateway stopped mid-listing starts again, changes made meanwhile included', async () => {
    const { federation, code, listed } = await seeded();
    expect(listed).toBeGreaterThan(3 * PAGE);
    const first = await harvestingGateway(federation);
    // Stop it in the middle of the full listing: some pages in, more to come.
    await until(async () => {
      const state = await harvestState(federation.gatewayDatabase.sql, code);
      return !!state && state.listed >= 2 * PAGE && state.snapshot_next !== null;
    }, 'the full listing under way');
    await first.stop();
    const stopped = (await harvestState(federation.gatewayDatabase.sql, code))!;
    expect(stopped.snapshot_next).not.toBeNull();
    expect(stopped.listed).toBeLessThan(listed);

    // The owner goes on meanwhile: a listing renamed, one decommissioned, one added.
    const office = await federation.token({ id: `office-${code}`, institution: code, roles: ['FACILITY_MANAGER'] });
    const owner = federation.services.get(code)!.database.sql;
    const [renamed, retired] = await owner<
      { id: number }[]
    >`SELECT id::int AS id FROM instruments WHERE decommissioned_at IS NULL ORDER BY id DESC LIMIT 2`;
    await owner`UPDATE instruments SET description = 'changed while the gateway was down', updated_at = now() WHERE id = ${renamed!.id}`;
    await owner`UPDATE instruments SET decommissioned_at = now(), updated_at = now() WHERE id = ${retired!.id}`;
    const added = await federation.raw(
      'mutation ($input: InstrumentInput!) { upsertInstrument(input: $input) { id } }',
      { input: { institution: code, localId: 'NEW-1', name: '新しい分光光度計', category: '分光' } },
      office,
    );
    expect(added.errors).toBeUndefined();

    const second = await harvestingGateway(federation);
    await second.harvester!.settle();
    const sides = await bothSides(federation, code);
    expect(sides.national).toEqual(sides.owner);
    expect(sides.national.some((l) => l.endsWith('|changed while the gateway was down'))).toBe(true);
    expect(sides.national.some((l) => l.startsWith(`${retired!.id}|`))).toBe(false);
    expect(sides.national.some((l) => l.includes('|新しい分光光度計|'))).toBe(true);
    // Seeded, less the one decommissioned, plus the one added.
    expect(sides.owner).toHaveLength(listed);
  }, 60_000);

  it('is harvested by one gateway replica at a time, and by the other once that one shuts down', async () => {
    const { federation, code } = await seeded();
    const lease = { leaseTtlMs: 2000, leaseRetryMs: 100 };
    const a = await harvestingGateway(federation, 300, lease);
    await until(
      async () => (await harvestState(federation.gatewayDatabase.sql, code))?.snapshot_next === null,
      'the first listing',
    );
    const b = await harvestingGateway(federation, 300, lease);
    const holder = async () => {
      const [row] = await federation.gatewayDatabase.sql<{ holder: string }[]>`
        SELECT holder FROM catalogue_harvest_leases WHERE institution = ${code} AND expires_at >= now()`;
      return row?.holder ?? null;
    };
    const first = await holder();
    expect(first).not.toBeNull();
    // Only the holder's long poll reaches the owner: the other replica applies nothing.
    const appliedBy = async (gateway: GatewayApp) => {
      const text = await (await fetch(`http://127.0.0.1:${ports.get(gateway)!}/metrics`)).text();
      const line = text
        .split('\n')
        .find((l) => l.startsWith(`kyoyo_gateway_catalogue_changes_applied_total{institution="${code}"}`));
      return line ? Number(line.split(' ').at(-1)) : 0;
    };
    const owner = federation.services.get(code)!.database.sql;
    const [target] = await owner<{ id: number }[]>`SELECT id::int AS id FROM instruments WHERE decommissioned_at IS NULL LIMIT 1`;
    const arrives = (text: string) =>
      until(async () => {
        const [row] = await federation.gatewayDatabase.sql<
          { description: string | null }[]
        >`SELECT description FROM catalogue_instruments WHERE institution = ${code} AND id = ${target!.id}`;
        return row?.description === text;
      }, `"${text}" in the catalogue`);
    await owner`UPDATE instruments SET description = 'while a holds it', updated_at = now() WHERE id = ${target!.id}`;
    await arrives('while a holds it');
    expect(await appliedBy(b)).toBe(0);
    expect(await holder()).toBe(first);

    // A shutdown gives the lease up: the other replica takes over at its next try and carries on.
    await a.stop();
    await until(async () => (await holder()) !== null && (await holder()) !== first, 'the other replica holding the lease', 5000);
    await owner`UPDATE instruments SET description = 'after a stopped', updated_at = now() WHERE id = ${target!.id}`;
    await arrives('after a stopped');
    expect(await appliedBy(b)).toBeGreaterThan(0);
    const sides = await bothSides(federation, code);
    expect(sides.national).toEqual(sides.owner);
  }, 60_000);

  it('brings every change by pulling alone when the owner’s nudges are lost', async () => {
    const { federation, code } = await seeded();
    const gateway = await harvestingGateway(federation, 400);
    await gateway.harvester!.settle();
    const owner = federation.services.get(code)!.database.sql;
    // No nudge at commit any more: an open long poll learns of nothing until its wait ends.
    await owner`ALTER TABLE catalogue_changes DISABLE TRIGGER catalogue_changes_notify`;
    const [target] = await owner<{ id: number }[]>`SELECT id::int AS id FROM instruments WHERE decommissioned_at IS NULL LIMIT 1`;
    const waits: number[] = [];
    for (let i = 0; i < 3; i++) {
      const text = `pulled without a nudge ${i}`;
      await owner`UPDATE instruments SET description = ${text}, updated_at = now() WHERE id = ${target!.id}`;
      waits.push(
        await until(async () => {
          const [row] = await federation.gatewayDatabase.sql<
            { description: string | null }[]
          >`SELECT description FROM catalogue_instruments WHERE institution = ${code} AND id = ${target!.id}`;
          return row?.description === text;
        }, `change ${i} in the catalogue`),
      );
    }
    await owner`ALTER TABLE catalogue_changes ENABLE TRIGGER catalogue_changes_notify`;
    // Each arrives by the next pull: within the long poll's wait (400 ms) and a page, never lost.
    for (const ms of waits) expect(ms).toBeLessThan(5000);
    const sides = await bothSides(federation, code);
    expect(sides.national).toEqual(sides.owner);
  }, 60_000);
});

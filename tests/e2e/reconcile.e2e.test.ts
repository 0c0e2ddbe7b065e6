import { afterEach, describe, expect, it } from 'vitest';
import { connect } from '@kyoyo/db';
import { createGatewayApp, gatewaySchema, type GatewayApp } from '@kyoyo/gateway';
import { createLogger } from '@kyoyo/server-kit';
import { CatalogueSummaryRepository } from '../../gateway/src/catalogue/catalogue-summary.repository';
import { CatalogueRepository } from '../../gateway/src/catalogue/catalogue.repository';
import { Reconciler, type ReconcileResult, type ReconcilerOptions } from '../../gateway/src/catalogue/reconciler';
import { DEFAULT_DEMO_SEED, generateInstitution } from '../../infra/src/demo-data';
import { seedInstitution } from '../../infra/src/seed/seed.repository';
import { ChangeFeedSummaryRepository } from '../../services/equipment/src/change-feed/change-feed-summary.repository';
import { sample, scrape } from './support/metrics';
import { startFederation, uniqueCode, type TestFederation } from './support/federation';

/**
 * Reconciliation of the national catalogue (issue #21) against real services and real PostgreSQL: the owner
 * and the gateway compute the same counts and checksum over the same listings; a catalogue that lost, changed
 * or gained a listing or a busy period is found out, relisted, counted and logged; a catalogue that merely
 * lags its owner (changes in flight, a slow transaction) is never taken for drift.
 */

const FAR = 30 * 86_400_000;

const federations: TestFederation[] = [];
const gateways: GatewayApp[] = [];
const ports = new Map<GatewayApp, number>();
afterEach(async () => {
  await Promise.all(gateways.splice(0).map((g) => g.stop().catch(() => undefined)));
  await Promise.all(federations.splice(0).map((f) => f.stop()));
});

/** One institution seeded with the demo generator's listings and bookings, plus closures; the federation's gateway harvests nothing. */
async function seeded(): Promise<{ federation: TestFederation; code: string; owner: TestFederation['gatewayDatabase']['sql'] }> {
  const code = uniqueCode('reconcile');
  const institution = { code, name: '照合大学', prefecture: '宮城県', location: { latitude: 38.25, longitude: 140.84 } };
  const federation = await startFederation([institution], { gateway: { harvest: false } });
  federations.push(federation);
  const data = generateInstitution(
    { code, name: institution.name, nameEn: '', prefecture: institution.prefecture, latitude: 38.25, longitude: 140.84 },
    0,
    { seed: DEFAULT_DEMO_SEED, institutionCount: 3, instrumentsPerInstitution: 40, now: new Date() },
  );
  await seedInstitution(federation.services.get(code)!.database.db, data);
  const owner = federation.services.get(code)!.database.sql;
  // A coming closure (counted on both sides) and one that is over (left out on both sides).
  await owner`INSERT INTO blackouts (instrument_id, period, created_by)
    SELECT id, tstzrange(now() + interval '2 days', now() + interval '3 days'), 'test' FROM instruments ORDER BY id LIMIT 2`;
  await owner`INSERT INTO blackouts (instrument_id, period, created_by)
    SELECT id, tstzrange(now() - interval '3 days', now() - interval '2 days'), 'test' FROM instruments ORDER BY id DESC LIMIT 1`;
  // Coming bookings, pending and confirmed (their busy periods are counted), and a cancelled one (not published).
  await owner`INSERT INTO bookings (instrument_id, requester_id, requester_organization, user_category, mode, period, status,
      fee, purpose, idempotency_key, request_hash)
    SELECT i.id, 'u-reconcile', 'テスト大学', 'ACADEMIC', 'SELF',
      tstzrange(date_trunc('hour', now()) + make_interval(days => 40 + s.n), date_trunc('hour', now()) + make_interval(days => 40 + s.n, hours => 2)),
      (ARRAY['PENDING', 'CONFIRMED', 'CANCELLED'])[1 + s.n % 3]::booking_status, 1000, 'reconciliation test',
      'reconcile-' || i.id || '-' || s.n, 'test'
    FROM (SELECT id FROM instruments WHERE decommissioned_at IS NULL ORDER BY id LIMIT 3) i, generate_series(0, 5) AS s(n)`;
  return { federation, code, owner };
}

const logs: string[] = [];

/** A gateway on the federation's gateway database that harvests and reconciles (by default only when asked). */
async function gatewayOf(
  federation: TestFederation,
  options: { waitMs?: number; reconcile?: ReconcilerOptions } = {},
): Promise<GatewayApp> {
  const gateway = await createGatewayApp({
    database: connect(federation.gatewayDatabaseUrl, gatewaySchema, { max: 6 }),
    signingKey: federation.gatewayKey,
    issuers: [],
    logger: createLogger('gateway', 'warn', {}, (line) => logs.push(line)),
    timeoutMs: 5000,
    healthIntervalMs: 60_000,
    maxBodyBytes: 1024 * 1024,
    production: false,
    harvest: { waitMs: options.waitMs ?? 500 },
    reconcile: options.reconcile ?? { intervalMs: FAR },
  });
  gateways.push(gateway);
  ports.set(gateway, await gateway.listen(0, '127.0.0.1'));
  return gateway;
}

/** A reconciler of its own on `gateway`'s harvest (another number of attempts, no lease). */
function reconcilerOn(gateway: GatewayApp, federation: TestFederation, options: ReconcilerOptions = {}): Reconciler {
  const silent = createLogger('test', 'error', {}, () => undefined);
  return new Reconciler(
    gateway.registry,
    gateway.client,
    new CatalogueSummaryRepository(federation.gatewayDatabase.db),
    new CatalogueRepository(federation.gatewayDatabase.db),
    gateway.harvester!,
    null,
    silent,
    { intervalMs: FAR, ...options },
  );
}

/** The owner's listed instruments and the catalogue's, as lines of what the nation sees. */
async function bothSides(federation: TestFederation, code: string): Promise<{ owner: string[]; national: string[] }> {
  const owner = await federation.services.get(code)!.database.sql<{ line: string }[]>`
    SELECT id || '|' || name || '|' || coalesce(description, '') AS line FROM instruments
    WHERE decommissioned_at IS NULL ORDER BY id`;
  const national = await federation.gatewayDatabase.sql<{ line: string }[]>`
    SELECT id || '|' || name || '|' || coalesce(description, '') AS line FROM catalogue_instruments
    WHERE institution = ${code} ORDER BY id`;
  return { owner: owner.map((r) => r.line), national: national.map((r) => r.line) };
}

async function metric(gateway: GatewayApp, name: string, labels: Record<string, string>): Promise<number> {
  return sample(await scrape(`http://127.0.0.1:${ports.get(gateway)!}`), name, labels) ?? 0;
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const started = performance.now();
  while (!(await check())) {
    if (performance.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('reconciliation of the national catalogue with each owner', () => {
  it('refreshes the planner’s statistics of the catalogue once a full listing is in, without waiting for autovacuum', async () => {
    const { federation, owner } = await seeded();
    const estimated = async () => {
      const [row] = await federation.gatewayDatabase.sql<{ n: number }[]>`
        SELECT reltuples::int AS n FROM pg_class WHERE relname = 'catalogue_instruments'`;
      return row!.n;
    };
    // Never analysed yet: PostgreSQL knows nothing of the table's size.
    expect(await estimated()).toBe(-1);
    const gateway = await gatewayOf(federation);
    await gateway.harvester!.settle();
    const [listed] = await owner<{ n: number }[]>`SELECT count(*)::int AS n FROM instruments WHERE decommissioned_at IS NULL`;
    await expect.poll(estimated, { timeout: 10_000 }).toBe(listed!.n);
  });

  it('finds the owner’s counts and checksum in a catalogue that harvested it, computed alike on both sides page by page', async () => {
    const { federation, code, owner } = await seeded();
    const gateway = await gatewayOf(federation);
    await gateway.harvester!.settle();

    const first = await gateway.reconciler!.reconcile(code);
    expect(first.result).toBe('match');
    expect(first.catalogue).toEqual(first.owner);
    const [listed] = await owner<{ n: number }[]>`SELECT count(*)::int AS n FROM instruments WHERE decommissioned_at IS NULL`;
    expect(first.owner!.listings).toBe(listed!.n);
    expect(first.owner!.busyPeriods).toBeGreaterThan(0);

    // The same figures from small pages on either side (every page boundary crossed), as of the same time.
    const ownerSide = await new ChangeFeedSummaryRepository(federation.services.get(code)!.database.db, 3).read();
    const [state] = await federation.gatewayDatabase.sql<{ cursor: string; generation: number }[]>`
      SELECT cursor, generation FROM catalogue_harvest WHERE institution = ${code}`;
    const catalogueSide = await new CatalogueSummaryRepository(federation.gatewayDatabase.db, 3).figures(code, ownerSide.asOf, {
      cursor: state!.cursor,
      generation: state!.generation,
      snapshotNext: null,
    });
    expect(catalogueSide).toEqual({
      listings: ownerSide.listings,
      busyPeriods: ownerSide.busyPeriods,
      checksum: ownerSide.checksum,
    });

    // What the nation sees moves the checksum on both sides alike: a new closure, a fee.
    await owner`INSERT INTO blackouts (instrument_id, period, created_by)
      SELECT id, tstzrange(now() + interval '5 days', now() + interval '6 days'), 'test' FROM instruments ORDER BY id LIMIT 1`;
    await owner`UPDATE fee_rates SET hourly_rate = hourly_rate + 1 WHERE instrument_id = (SELECT min(instrument_id) FROM fee_rates)`;
    await gateway.harvester!.settle();
    const second = await gateway.reconciler!.reconcile(code);
    expect(second.result).toBe('match');
    expect(second.owner!.checksum).not.toBe(first.owner!.checksum);
    expect(await metric(gateway, 'kyoyo_gateway_catalogue_reconciliations_total', { institution: code, result: 'match' })).toBe(
      2,
    );
    expect(await metric(gateway, 'kyoyo_gateway_catalogue_reconciliation_repairs_total', { institution: code })).toBe(0);
  }, 60_000);

  it('finds a listing lost, renamed or invented and a busy period lost in the catalogue, relists the institution, counts and logs each repair', async () => {
    const { federation, code } = await seeded();
    const gateway = await gatewayOf(federation);
    await gateway.harvester!.settle();
    const national = federation.gatewayDatabase.sql;
    const [some] = await national<{ id: number }[]>`
      SELECT id::int AS id FROM catalogue_instruments WHERE institution = ${code} ORDER BY id LIMIT 1 OFFSET 3`;
    const drifts: { what: string; inject: () => Promise<unknown> }[] = [
      {
        what: 'a listing lost',
        inject: () => national`DELETE FROM catalogue_instruments WHERE institution = ${code} AND id = ${some!.id}`,
      },
      {
        what: 'a listing renamed',
        inject: () =>
          national`UPDATE catalogue_instruments SET name = name || ' (stale)' WHERE institution = ${code} AND id = ${some!.id}`,
      },
      {
        what: 'a phantom listing',
        inject: () => national`
          INSERT INTO catalogue_instruments
          SELECT (jsonb_populate_record(c, jsonb_build_object('id', 987654321, 'local_id', 'PHANTOM'))).*
          FROM catalogue_instruments c WHERE institution = ${code} ORDER BY id LIMIT 1`,
      },
      {
        what: 'a coming busy period lost',
        inject: async () => {
          const deleted = await national`
            DELETE FROM catalogue_busy_periods WHERE (institution, kind, id) IN (
              SELECT institution, kind, id FROM catalogue_busy_periods
              WHERE institution = ${code} AND kind = 'booking' AND upper(period) > now() + interval '1 hour' LIMIT 1)`;
          expect(deleted.count).toBe(1);
        },
      },
    ];
    let repairs = 0;
    for (const drift of drifts) {
      const before = await bothSides(federation, code);
      await drift.inject();
      logs.length = 0;
      const found = await gateway.reconciler!.reconcile(code);
      expect(found.result, drift.what).toBe('repaired');
      expect(found.catalogue!.checksum).not.toBe(found.owner!.checksum);
      repairs += 1;
      expect(await metric(gateway, 'kyoyo_gateway_catalogue_reconciliation_repairs_total', { institution: code })).toBe(repairs);
      expect(await metric(gateway, 'kyoyo_gateway_catalogue_resyncs_total', { institution: code, reason: 'reconcile' })).toBe(
        repairs,
      );
      const warning = logs
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l.msg === 'catalogue: reconciliation found drift; relisting the institution');
      expect(warning, drift.what).toMatchObject({
        level: 'warn',
        institution: code,
        owner: { listings: found.owner!.listings, busyPeriods: found.owner!.busyPeriods },
        catalogue: { listings: found.catalogue!.listings, busyPeriods: found.catalogue!.busyPeriods },
      });

      // The relisting brings the catalogue back to the owner's listings, and the next check finds no drift.
      await gateway.harvester!.settle();
      await until(async () => {
        const [row] = await national<{ snapshot_next: string | null }[]>`
          SELECT snapshot_next FROM catalogue_harvest WHERE institution = ${code}`;
        return row?.snapshot_next === null;
      }, 'the relisting');
      expect(await bothSides(federation, code)).toEqual(before);
      expect((await gateway.reconciler!.reconcile(code)).result, `after repairing ${drift.what}`).toBe('match');
    }
    expect(
      await metric(gateway, 'kyoyo_gateway_catalogue_reconciliations_total', { institution: code, result: 'repaired' }),
    ).toBe(drifts.length);
  }, 90_000);

  it('takes a catalogue that lags its owner for lag, not drift: it compares once the harvest has caught up', async () => {
    const { federation, code, owner } = await seeded();
    // A long poll of 20 s and no nudge at commit: a change stays out of the catalogue until the harvest is made to look.
    const gateway = await gatewayOf(federation, { waitMs: 20_000 });
    await gateway.harvester!.settle();
    await owner`ALTER TABLE catalogue_changes DISABLE TRIGGER catalogue_changes_notify`;
    await owner`UPDATE instruments SET name = name || ' 改', updated_at = now()
      WHERE id = (SELECT min(id) FROM instruments WHERE decommissioned_at IS NULL)`;

    const once = await reconcilerOn(gateway, federation, { attempts: 1 }).reconcile(code);
    expect(once.result).toBe('lagging');
    const [row] = await federation.gatewayDatabase.sql<{ snapshot_next: string | null }[]>`
      SELECT snapshot_next FROM catalogue_harvest WHERE institution = ${code}`;
    expect(row!.snapshot_next).toBeNull();

    // With the default attempts the harvest catches up between two comparisons, and the catalogue matches.
    const caughtUp = await gateway.reconciler!.reconcile(code);
    expect(caughtUp.result).toBe('match');
    expect(await metric(gateway, 'kyoyo_gateway_catalogue_reconciliation_repairs_total', { institution: code })).toBe(0);
  }, 60_000);

  it('never repairs while changes flow, a slow transaction holding back the feed’s horizon among them', async () => {
    const { federation, code, owner } = await seeded();
    const gateway = await gatewayOf(federation, { waitMs: 1000 });
    await gateway.harvester!.settle();
    const ids = (
      await owner<{ id: number }[]>`SELECT id::int AS id FROM instruments WHERE decommissioned_at IS NULL ORDER BY id`
    ).map((r) => r.id);
    let flowing = true;
    let writes = 0;
    const [slowId, ...fastIds] = ids;
    const fast = (async () => {
      for (let n = 0; flowing; n++) {
        const id = fastIds[n % fastIds.length]!;
        if (n % 3 === 0) {
          await owner`INSERT INTO blackouts (instrument_id, period, created_by)
            VALUES (${id}, tstzrange(now() + ${`${n + 1} hours`}::interval, now() + ${`${n + 2} hours`}::interval), 'flow')`;
        } else {
          await owner`UPDATE instruments SET description = ${`flowing ${n}`}, updated_at = now() WHERE id = ${id}`;
        }
        writes += 1;
        await sleep(80);
      }
    })();
    // Meanwhile transactions that stay open while others commit: the changes of those wait above the horizon.
    const slow = (async () => {
      for (let n = 0; flowing; n++) {
        await owner.begin(async (tx) => {
          await tx`UPDATE instruments SET description = ${`slow ${n}`}, updated_at = now() WHERE id = ${slowId!}`;
          await sleep(150);
        });
        writes += 1;
        await sleep(400);
      }
    })();
    const results: ReconcileResult[] = [];
    const started = performance.now();
    while (performance.now() - started < 8_000) {
      results.push((await gateway.reconciler!.reconcile(code)).result);
      await sleep(50);
    }
    flowing = false;
    await Promise.all([fast, slow]);
    expect(writes).toBeGreaterThan(50);
    expect(results.filter((r) => r === 'repaired' || r === 'unrepaired')).toEqual([]);
    expect(results.every((r) => r === 'match' || r === 'lagging')).toBe(true);
    expect(results).toContain('match');
    expect(await metric(gateway, 'kyoyo_gateway_catalogue_reconciliation_repairs_total', { institution: code })).toBe(0);

    await gateway.harvester!.settle();
    expect((await gateway.reconciler!.reconcile(code)).result).toBe('match');
    const sides = await bothSides(federation, code);
    expect(sides.national).toEqual(sides.owner);
  }, 60_000);

  it('reports, without relisting again and again, a drift a relisting cannot mend (a listing the catalogue refuses)', async () => {
    const { federation, code, owner } = await seeded();
    const gateway = await gatewayOf(federation);
    await gateway.harvester!.settle();
    // Longer than any name an office can enter: the catalogue refuses the entry, so it never holds this listing.
    await owner`UPDATE instruments SET name = ${'長'.repeat(600)}, updated_at = now()
      WHERE id = (SELECT min(id) FROM instruments WHERE decommissioned_at IS NULL)`;
    await gateway.harvester!.settle();
    expect((await gateway.reconciler!.reconcile(code)).result).toBe('repaired');
    await gateway.harvester!.settle();
    await until(async () => {
      const [row] = await federation.gatewayDatabase.sql<{ snapshot_next: string | null }[]>`
        SELECT snapshot_next FROM catalogue_harvest WHERE institution = ${code}`;
      return row?.snapshot_next === null;
    }, 'the relisting');
    logs.length = 0;
    expect((await gateway.reconciler!.reconcile(code)).result).toBe('unrepaired');
    expect(logs.some((l) => l.includes('drift persists after a full listing'))).toBe(true);
    expect(await metric(gateway, 'kyoyo_gateway_catalogue_reconciliation_repairs_total', { institution: code })).toBe(1);
    expect(await metric(gateway, 'kyoyo_gateway_catalogue_entries_refused_total', { institution: code })).toBeGreaterThanOrEqual(
      2,
    );

    // Once the owner mends it, the listing arrives and the catalogue matches again.
    await owner`UPDATE instruments SET name = '名前を直した装置', updated_at = now()
      WHERE id = (SELECT min(id) FROM instruments WHERE decommissioned_at IS NULL)`;
    await gateway.harvester!.settle();
    expect((await gateway.reconciler!.reconcile(code)).result).toBe('match');
  }, 60_000);

  it('does not compare while a full listing is under way', async () => {
    const { federation, code } = await seeded();
    const gateway = await gatewayOf(federation);
    await gateway.harvester!.settle();
    await gateway.harvester!.stop();
    await federation.gatewayDatabase.sql`UPDATE catalogue_harvest SET snapshot_next = '0' WHERE institution = ${code}`;
    await federation.gatewayDatabase.sql`DELETE FROM catalogue_instruments WHERE institution = ${code}`;
    expect((await reconcilerOn(gateway, federation).reconcile(code)).result).toBe('skipped');
  }, 60_000);

  it('runs on its own every interval and repairs a drift nobody asked about', async () => {
    const { federation, code } = await seeded();
    const gateway = await gatewayOf(federation, { reconcile: { intervalMs: 1000, retryMs: 200 } });
    await gateway.harvester!.settle();
    const before = await bothSides(federation, code);
    await federation.gatewayDatabase.sql`
      UPDATE catalogue_instruments SET category = 'drifted' WHERE institution = ${code}
        AND id = (SELECT min(id) FROM catalogue_instruments WHERE institution = ${code})`;
    await until(
      async () => (await metric(gateway, 'kyoyo_gateway_catalogue_reconciliation_repairs_total', { institution: code })) === 1,
      'a scheduled repair',
    );
    await gateway.harvester!.settle();
    await until(async () => {
      const [row] = await federation.gatewayDatabase.sql<{ drifted: number }[]>`
        SELECT count(*)::int AS drifted FROM catalogue_instruments WHERE institution = ${code} AND category = 'drifted'`;
      return row!.drifted === 0;
    }, 'the relisting');
    expect(await bothSides(federation, code)).toEqual(before);
    // The next scheduled checks find nothing more to repair.
    await until(
      async () =>
        (await metric(gateway, 'kyoyo_gateway_catalogue_reconciliations_total', { institution: code, result: 'match' })) >= 1,
      'a scheduled match',
    );
    expect(await metric(gateway, 'kyoyo_gateway_catalogue_reconciliation_repairs_total', { institution: code })).toBe(1);
  }, 60_000);
});

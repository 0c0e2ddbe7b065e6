import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServiceHarness, userOf, type ServiceHarness } from '../common/test-harness';

/**
 * Equivalents of planned purchases at one institution, over HTTP as the gateway asks: candidates fetched by
 * model key and name likeness through the trigram indexes, scored by the domain's formula, with a year's use.
 */

let service: ServiceHarness;
const office = userOf('office-1', { institution: 'test-u', roles: ['FACILITY_MANAGER'] });
const funder = userOf('funder-1', { institution: null, roles: ['FUNDER'] });
const researcher = userOf('researcher-1');

const UPSERT = `mutation ($input: InstrumentInput!) { upsertInstrument(input: $input) { id } }`;
const EQUIVALENTS = `query ($probes: [EquivalenceProbe!]!, $limit: Int!) {
  equivalentInstruments(probes: $probes, limit: $limit) {
    score reasons utilization spareHoursPerYear instrument { id name }
  } }`;

interface Equivalent {
  score: number;
  reasons: string[];
  utilization: number;
  spareHoursPerYear: number;
  instrument: { id: string; name: string };
}

const NOW = new Date('2026-11-20T00:00:00Z');
const ids: Record<string, string> = {};

async function list(key: string, input: Record<string, unknown>): Promise<void> {
  const data = await service.ok<{ upsertInstrument: { id: string } }>(office, UPSERT, {
    input: { localId: `EQ-${randomUUID()}`, category: 'その他', sharedExternally: true, ...input },
  });
  ids[key] = data.upsertInstrument.id;
}

async function equivalents(probes: Record<string, unknown>[], limit = 10, who = funder): Promise<Equivalent[][]> {
  return (await service.ok<{ equivalentInstruments: Equivalent[][] }>(who, EQUIVALENTS, { probes, limit })).equivalentInstruments;
}

beforeAll(async () => {
  service = await startServiceHarness('test-u');
  service.setNow(NOW);
  // Real listings' shapes: maker and model inside the name, no separate fields.
  await list('arm', { name: '低加速電圧対応原子分解能走査型透過電子顕微鏡 JEM-ARM200F NEOARM' });
  await list('synergy', { name: '単結晶X線回折装置 (リガク・XtaLaB Synergy-DW)' });
  await list('rapid', { name: 'イメージングプレート型単結晶X線回折装置 (リガク・R-AXIS RAPID II)' });
  await list('facs', { name: 'フローサイトメーター', manufacturer: 'BD', model: 'FACSCanto II' });
  await list('gone', { name: '透過電子顕微鏡 JEM-ARM200F' });
  await service.probe.sql`UPDATE instruments SET decommissioned_at = now() WHERE id = ${ids.gone!}`;
  // The Synergy was booked for 520 hours in the last year: 13 weeks × 5 days × 8 hours (default open hours).
  await service.probe.sql`
    INSERT INTO bookings (instrument_id, requester_id, requester_organization, user_category, mode, period, status, fee,
      purpose, idempotency_key, request_hash)
    SELECT ${ids.synergy!}, 'r', '京都大学', 'ACADEMIC', 'SELF', tstzrange(d + time '09:00' - interval '9 hours',
      d + time '17:00' - interval '9 hours', '[)'), 'COMPLETED', 0, 'use', 'load-' || d, 'h'
    FROM generate_series(date '2026-06-01', date '2026-08-30', interval '1 day') AS d
    WHERE extract(isodow FROM d) < 6`;
}, 60_000);

afterAll(async () => {
  await service?.stop();
});

describe('equivalentInstruments', () => {
  it('finds the same model written inside another name, first and with reasons', async () => {
    const [found] = await equivalents([{ title: '原子分解能電子顕微鏡', manufacturer: 'JEOL', model: 'JEM ARM200F' }]);
    expect(found![0]).toMatchObject({ instrument: { id: ids.arm } });
    expect(found![0]!.score).toBeGreaterThanOrEqual(0.8);
    expect(found![0]!.reasons).toContain('same model: JEM ARM200F');
  });

  it('leaves decommissioned instruments out', async () => {
    const [found] = await equivalents([{ title: '透過電子顕微鏡', model: 'JEM-ARM200F' }]);
    expect(found!.map((c) => c.instrument.id)).not.toContain(ids.gone);
  });

  it('ranks the model above another model of the maker, and answers each probe in order', async () => {
    const [xrd, nothing] = await equivalents([
      { title: '単結晶X線回折装置', manufacturer: 'Rigaku', model: 'XtaLAB Synergy-DW' },
      { title: '量子重力波干渉計', model: 'QGX-9000' },
    ]);
    expect(xrd!.map((c) => c.instrument.id)).toEqual([ids.synergy, ids.rapid]);
    expect(xrd![0]!.score).toBeGreaterThan(xrd![1]!.score);
    expect(nothing).toEqual([]);
  });

  it('gives each candidate its last 365 days of use: booked over open hours, and the open hours left', async () => {
    const [xrd] = await equivalents([{ title: '単結晶X線回折装置', model: 'XtaLAB Synergy-DW' }]);
    const synergy = xrd!.find((c) => c.instrument.id === ids.synergy)!;
    const rapid = xrd!.find((c) => c.instrument.id === ids.rapid)!;
    // Default open hours are weekdays 09:00–17:00: about 261 days × 8 hours in a year.
    expect(rapid.utilization).toBe(0);
    expect(rapid.spareHoursPerYear).toBeGreaterThan(2000);
    expect(synergy.spareHoursPerYear).toBeCloseTo(rapid.spareHoursPerYear - 520, 0);
    expect(synergy.utilization).toBeCloseTo(520 / rapid.spareHoursPerYear, 3);
  });

  it('keeps at most `limit` candidates per probe', async () => {
    const [xrd] = await equivalents([{ title: '単結晶X線回折装置', model: 'XtaLAB Synergy-DW' }], 1);
    expect(xrd).toHaveLength(1);
  });

  it('lets funders and facility offices ask, not researchers or anonymous callers', async () => {
    await expect(equivalents([{ title: 'NMR' }], 10, office)).resolves.toBeDefined();
    const variables = { probes: [{ title: 'NMR' }], limit: 10 };
    expect((await service.failure(researcher, EQUIVALENTS, variables)).code).toBe('FORBIDDEN');
    expect((await service.failure(null, EQUIVALENTS, variables)).code).toBe('UNAUTHENTICATED');
  });

  it('refuses bad probes with the field at fault', async () => {
    const failure = (probes: unknown[], limit = 10) => service.failure(funder, EQUIVALENTS, { probes, limit });
    expect(await failure([{ title: 'ok' }, { title: ' ' }])).toMatchObject({ code: 'BAD_USER_INPUT', field: 'probes[1].title' });
    expect(await failure([{ title: 'ok' }], 51)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'limit' });
    expect(await failure(Array.from({ length: 1001 }, () => ({ title: 'x' })))).toMatchObject({ code: 'LIMIT_EXCEEDED' });
  });
});

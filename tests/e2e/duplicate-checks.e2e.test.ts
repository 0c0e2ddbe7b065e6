import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFederation, uniqueCode, type GraphQLAnswer, type TestFederation } from './support/federation';

/**
 * Duplicate-purchase checks through the gateway: a proposal is checked against every institution's
 * instruments, ranked nationally with distance and who may use what, stored with a digest, read back and
 * exported; bad input and the wrong people are refused with nothing stored.
 */

const requester = {
  code: uniqueCode('kyoto'),
  name: '京都大学',
  prefecture: '京都府',
  location: { latitude: 35.0262, longitude: 135.7808 },
};
const near = {
  code: uniqueCode('osaka'),
  name: '大阪大学',
  prefecture: '大阪府',
  location: { latitude: 34.8222, longitude: 135.5245 },
};
const far = {
  code: uniqueCode('hokudai'),
  name: '北海道大学',
  prefecture: '北海道',
  location: { latitude: 43.0707, longitude: 141.3496 },
};

let federation: TestFederation;
const tokens: Record<string, string> = {};
const ids: Record<string, string> = {};

const CHECK_FIELDS = `id verdict threshold digest canonicalRecord digestVerified batchId checkedAt checkedBy
  proposal { title estimatedPrice keywords institution { code } }
  unavailableInstitutions { code }
  staleInstitutions { institution { code } catalogueCurrentTo }
  candidates { score reasons distanceKm utilization spareHoursPerYear usableByRequester instrument { id name institution { code } } }`;
const CHECK = `mutation ($input: PurchaseProposalInput!) { checkDuplicatePurchase(input: $input) { ${CHECK_FIELDS} } }`;
const CHECK_MANY = `mutation ($inputs: [PurchaseProposalInput!]!) { checkDuplicatePurchases(inputs: $inputs) { ${CHECK_FIELDS} } }`;
const READ = `query ($id: ID!) { duplicateCheck(id: $id) { ${CHECK_FIELDS} } }`;
const VERIFY = `query ($id: ID!, $digest: String!) { verifyDuplicateCheck(id: $id, digest: $digest) }`;
const UPSERT = 'mutation ($input: InstrumentInput!) { upsertInstrument(input: $input) { id } }';

interface Check {
  id: string;
  verdict: string;
  threshold: number;
  digest: string;
  canonicalRecord: string;
  digestVerified: boolean;
  batchId: string | null;
  checkedBy: string;
  proposal: { title: string; estimatedPrice: number; keywords: string[]; institution: { code: string } };
  unavailableInstitutions: { code: string }[];
  staleInstitutions: { institution: { code: string }; catalogueCurrentTo: string }[];
  candidates: {
    score: number;
    reasons: string[];
    distanceKm: number | null;
    utilization: number;
    spareHoursPerYear: number;
    usableByRequester: boolean;
    instrument: { id: string; name: string; institution: { code: string } };
  }[];
}

const codeOf = (answer: GraphQLAnswer<unknown>) => answer.errors?.[0]?.extensions?.code;
const fieldOf = (answer: GraphQLAnswer<unknown>) => answer.errors?.[0]?.extensions?.field;

async function list(office: string, institution: string, key: string, input: Record<string, unknown>): Promise<void> {
  const answer = await federation.query<{ upsertInstrument: { id: string } }>(
    UPSERT,
    {
      input: {
        institution,
        localId: key,
        category: '電子顕微鏡',
        sharedExternally: true,
        acquisitionPrice: 200_000_000,
        ...input,
      },
    },
    tokens[office],
  );
  expect(answer.errors).toBeUndefined();
  ids[key] = answer.data!.upsertInstrument.id;
}

async function check(
  input: Record<string, unknown>,
  token = tokens.office,
): Promise<GraphQLAnswer<{ checkDuplicatePurchase: Check }>> {
  return federation.query(CHECK, { input: { institution: requester.code, estimatedPrice: 250_000_000, ...input } }, token);
}

async function checked(input: Record<string, unknown>, token = tokens.office): Promise<Check> {
  const answer = await check(input, token);
  expect(answer.errors).toBeUndefined();
  return answer.data!.checkDuplicatePurchase;
}

async function storedCount(): Promise<number> {
  const [row] = await federation.gatewayDatabase.sql`SELECT count(*)::int AS n FROM duplicate_checks`;
  return row!.n as number;
}

/** The freshness threshold of this federation's gateway: short, so that a stopped institution turns stale in the test. */
const STALE_AFTER_MS = 1500;

const ARM = { title: '原子分解能電子顕微鏡', manufacturer: 'JEOL', model: 'JEM ARM200F', expectedHoursPerYear: 200 };

beforeAll(async () => {
  federation = await startFederation([requester, near, far], { gateway: { staleAfterMs: STALE_AFTER_MS } });
  tokens.office = await federation.token({ id: 'office-kyoto', institution: requester.code, roles: ['FACILITY_MANAGER'] });
  tokens.nearOffice = await federation.token({ id: 'office-osaka', institution: near.code, roles: ['FACILITY_MANAGER'] });
  tokens.farOffice = await federation.token({ id: 'office-hokudai', institution: far.code, roles: ['FACILITY_MANAGER'] });
  tokens.funder = await federation.token({ id: 'jsps-1', organization: '日本学術振興会', roles: ['FUNDER'] });
  tokens.researcher = await federation.token({ id: 'r-kyoto', institution: requester.code, roles: ['RESEARCHER'] });
  // Real listings' shape: maker and model inside the name.
  await list('nearOffice', near.code, 'ARM-1', { name: '原子分解能分析電子顕微鏡 (日本電子・JEM-ARM200F)', category: 'その他' });
  await list('nearOffice', near.code, 'FACS-1', {
    name: 'フローサイトメーター',
    manufacturer: 'BD',
    model: 'FACSCanto II',
    sharedExternally: false,
  });
  await list('farOffice', far.code, 'ARM-2', { name: '透過電子顕微鏡 JEM-ARM200F' });
  await list('farOffice', far.code, 'XRD-1', {
    name: '単結晶X線回折装置 (リガク・XtaLaB Synergy-DW)',
    category: 'X線回折',
    remoteOperable: true,
  });
  await list('office', requester.code, 'SEM-1', {
    name: '電界放出形走査電子顕微鏡 (日本電子 JSM-7800F)',
    sharedExternally: false,
  });
}, 120_000);

afterAll(() => federation?.stop());

describe('checkDuplicatePurchase', () => {
  it('finds the shared, idle instrument of the same model nearby: LIKELY_DUPLICATE, that instrument first, with reasons', async () => {
    const result = await checked(ARM);
    expect(result.verdict).toBe('LIKELY_DUPLICATE');
    expect(result.threshold).toBe(10_000_000);
    expect(result.unavailableInstitutions).toEqual([]);
    const [first, second] = result.candidates;
    expect(first!.instrument).toMatchObject({ id: ids['ARM-1'], institution: { code: near.code } });
    expect(first!.score).toBeGreaterThanOrEqual(0.9);
    expect(first!.usableByRequester).toBe(true);
    expect(first!.distanceKm).toBeGreaterThan(20);
    expect(first!.distanceKm).toBeLessThan(40);
    expect(first!.utilization).toBe(0);
    expect(first!.spareHoursPerYear).toBeGreaterThan(2000);
    expect(first!.reasons).toEqual(
      expect.arrayContaining(['same model: JEM ARM200F', 'same manufacturer: JEOL (日本電子)', 'open to outside users']),
    );
    // The same model far away ranks below it, and says why it would not do.
    expect(second!.instrument.id).toBe(ids['ARM-2']);
    expect(second!.reasons.some((r) => r.startsWith('out of reach ('))).toBe(true);
  });

  it('lists candidates but answers BELOW_THRESHOLD for ¥9,999,999, and checks ¥10,000,000', async () => {
    const below = await checked({ ...ARM, estimatedPrice: 9_999_999 });
    expect(below.verdict).toBe('BELOW_THRESHOLD');
    expect(below.candidates[0]!.instrument.id).toBe(ids['ARM-1']);
    expect((await checked({ ...ARM, estimatedPrice: 10_000_000 })).verdict).toBe('LIKELY_DUPLICATE');
  });

  it('answers NO_EQUIVALENT for an instrument nobody has', async () => {
    const result = await checked({ title: '量子重力波干渉ホログラフ装置', manufacturer: 'Acme', model: 'QGH-9000' });
    expect(result.verdict).toBe('NO_EQUIVALENT');
    expect(result.candidates).toEqual([]);
  });

  it('answers SIMILAR_AVAILABLE for another model of a series that an outside user may use', async () => {
    const result = await checked({ title: '単結晶X線回折装置', manufacturer: 'Rigaku', model: 'XtaLAB Synergy-S' });
    expect(result.verdict).toBe('SIMILAR_AVAILABLE');
    expect(result.candidates[0]!.reasons).toContain('same model series (XtaLaB Synergy-DW)');
  });

  it("counts the requester's own unshared instrument as usable, and nobody else's", async () => {
    const own = await checked({ title: '走査電子顕微鏡', model: 'JSM-7800F' });
    expect(own.verdict).toBe('LIKELY_DUPLICATE');
    expect(own.candidates[0]).toMatchObject({ usableByRequester: true, distanceKm: 0 });
    const other = await checked({ title: '走査電子顕微鏡', model: 'JSM-7800F', institution: near.code }, tokens.funder);
    expect(other.verdict).toBe('NO_EQUIVALENT');
    expect(other.candidates[0]).toMatchObject({ usableByRequester: false });
    expect(other.candidates[0]!.reasons).toContain('not open to outside users');
  });

  it('says a check is too busy for the expected use', async () => {
    const result = await checked({ ...ARM, expectedHoursPerYear: 8000 });
    expect(result.verdict).toBe('SIMILAR_AVAILABLE');
    expect(result.candidates[0]!.reasons.some((r) => r.startsWith('not enough spare time for 8,000 h'))).toBe(true);
  });
});

describe('check records', () => {
  it('reads a stored check back with the same digest, which is the SHA-256 of its canonical record', async () => {
    const made = await checked({ ...ARM, keywords: ['原子分解能', 'EELS'], grantId: 'JP26H00001' });
    const read = await federation.query<{ duplicateCheck: Check }>(READ, { id: made.id }, tokens.funder);
    expect(read.errors).toBeUndefined();
    expect(read.data!.duplicateCheck).toEqual(made);
    expect(made.digestVerified).toBe(true);
    expect(createHash('sha256').update(made.canonicalRecord, 'utf8').digest('hex')).toBe(made.digest);
    expect(JSON.parse(made.canonicalRecord)).toMatchObject({ id: made.id, verdict: made.verdict, checkedBy: 'office-kyoto' });
    const verify = (digest: string) =>
      federation.query<{ verifyDuplicateCheck: boolean }>(VERIFY, { id: made.id, digest }, tokens.funder);
    expect((await verify(made.digest)).data!.verifyDuplicateCheck).toBe(true);
    expect((await verify('0'.repeat(64))).data!.verifyDuplicateCheck).toBe(false);
  });

  it('refuses to change or delete a stored record', async () => {
    const made = await checked(ARM);
    await expect(federation.gatewayDatabase.sql`UPDATE duplicate_checks SET verdict = 'NO_EQUIVALENT'`).rejects.toThrow(
      /append-only/,
    );
    await expect(federation.gatewayDatabase.sql`DELETE FROM duplicate_checks`).rejects.toThrow(/append-only/);
    const read = await federation.query<{ duplicateCheck: Check }>(READ, { id: made.id }, tokens.funder);
    expect(read.data!.duplicateCheck.verdict).toBe('LIKELY_DUPLICATE');
  });

  it('lets the requesting office and funders read a check, not another office or researchers', async () => {
    const made = await checked(ARM);
    expect(codeOf(await federation.query(READ, { id: made.id }, tokens.office))).toBeUndefined();
    expect(codeOf(await federation.query(READ, { id: made.id }, tokens.nearOffice))).toBe('FORBIDDEN');
    expect(codeOf(await federation.query(READ, { id: made.id }, tokens.researcher))).toBe('FORBIDDEN');
    expect(codeOf(await federation.query(READ, { id: made.id }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await federation.query(READ, { id: 'not-an-id' }, tokens.funder))).toBe('BAD_USER_INPUT');
  });
});

describe('checkDuplicatePurchases', () => {
  it('checks a batch in input order under one batch id, and exports it as CSV', async () => {
    const answer = await federation.query<{ checkDuplicatePurchases: Check[] }>(
      CHECK_MANY,
      {
        inputs: [
          { ...ARM, institution: requester.code, estimatedPrice: 250_000_000, grantId: 'G-1' },
          { title: '量子重力波干渉ホログラフ装置', institution: requester.code, estimatedPrice: 80_000_000, grantId: 'G-2' },
          { ...ARM, title: '小型の装置, "試作"', institution: near.code, estimatedPrice: 5_000_000, grantId: 'G-3' },
        ],
      },
      tokens.funder,
    );
    expect(answer.errors).toBeUndefined();
    const checks = answer.data!.checkDuplicatePurchases;
    expect(checks.map((c) => c.verdict)).toEqual(['LIKELY_DUPLICATE', 'NO_EQUIVALENT', 'BELOW_THRESHOLD']);
    const batch = checks[0]!.batchId!;
    expect(batch).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(checks.map((c) => c.batchId))).toEqual(new Set([batch]));

    const csvUrl = federation.gatewayUrl.replace('/graphql', `/duplicate-checks.csv?batch=${batch}`);
    const response = await fetch(csvUrl, { headers: { authorization: `Bearer ${tokens.funder}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const lines = (await response.text())
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^row,check_id,title,institution,estimated_price_yen,/);
    expect(lines[1]).toContain(`,LIKELY_DUPLICATE,`);
    expect(lines[1]).toContain(ids['ARM-1']);
    expect(lines[3]).toContain('"小型の装置, ""試作"""');
    expect(lines[3]).toContain(checks[2]!.digest);

    // The office of one of the batch's institutions may not read the others' proposals.
    const forbidden = await fetch(csvUrl, { headers: { authorization: `Bearer ${tokens.office}` } });
    expect(forbidden.status).toBe(403);
    const unknown = await fetch(csvUrl.replace(batch, '00000000-0000-4000-8000-000000000000'), {
      headers: { authorization: `Bearer ${tokens.funder}` },
    });
    expect(unknown.status).toBe(404);
  });
});

describe('bad input and the wrong people store nothing', () => {
  it.each([
    ['a negative price', { estimatedPrice: -1 }, 'BAD_USER_INPUT'],
    ['an empty title', { title: '  ' }, 'BAD_USER_INPUT'],
    ['an unknown institution', { institution: 'no-such-u' }, 'BAD_USER_INPUT'],
    ['expected hours beyond a year', { expectedHoursPerYear: 9000 }, 'BAD_USER_INPUT'],
  ])('refuses %s', async (_, change, code) => {
    const before = await storedCount();
    const answer = await check({ ...ARM, ...change }, tokens.funder);
    expect(codeOf(answer)).toBe(code);
    expect(await storedCount()).toBe(before);
  });

  it('names the field at fault', async () => {
    expect(fieldOf(await check({ ...ARM, estimatedPrice: -1 }, tokens.funder))).toBe('input.estimatedPrice');
    expect(fieldOf(await check({ ...ARM, title: '' }, tokens.funder))).toBe('input.title');
    expect(fieldOf(await check({ ...ARM, institution: 'no-such-u' }, tokens.funder))).toBe('input.institution');
  });

  it('refuses a missing price', async () => {
    const answer = await federation.query(CHECK, { input: { ...ARM, institution: requester.code } }, tokens.funder);
    expect(codeOf(answer)).toBe('BAD_USER_INPUT');
    expect(fieldOf(answer)).toBe('input.estimatedPrice');
  });

  it('refuses a batch over 1,000 and a batch with one bad proposal, storing none of it', async () => {
    const before = await storedCount();
    const good = { ...ARM, institution: requester.code, estimatedPrice: 20_000_000 };
    const over = await federation.query(CHECK_MANY, { inputs: Array.from({ length: 1001 }, () => good) }, tokens.funder);
    expect(codeOf(over)).toBe('LIMIT_EXCEEDED');
    const oneBad = await federation.query(CHECK_MANY, { inputs: [good, good, { ...good, title: '' }] }, tokens.funder);
    expect(codeOf(oneBad)).toBe('BAD_USER_INPUT');
    expect(fieldOf(oneBad)).toBe('inputs[2].title');
    expect(await storedCount()).toBe(before);
  });

  it('lets funders check any institution, an office only its own, and never researchers or anonymous callers', async () => {
    const before = await storedCount();
    expect(codeOf(await check(ARM, tokens.researcher))).toBe('FORBIDDEN');
    expect(codeOf(await check(ARM, tokens.nearOffice))).toBe('FORBIDDEN');
    const mixed = await federation.query(
      CHECK_MANY,
      {
        inputs: [
          { ...ARM, institution: near.code, estimatedPrice: 1 },
          { ...ARM, institution: requester.code, estimatedPrice: 1 },
        ],
      },
      tokens.nearOffice,
    );
    expect(codeOf(mixed)).toBe('FORBIDDEN');
    expect(fieldOf(mixed)).toBe('inputs[1].institution');
    const tooMany = Array.from({ length: 1001 }, () => ({ ...ARM, institution: requester.code, estimatedPrice: 1 }));
    expect(codeOf(await federation.query(CHECK_MANY, { inputs: tooMany }, tokens.researcher))).toBe('FORBIDDEN');
    expect(codeOf(await federation.query(CHECK, { input: { ...ARM, institution: requester.code, estimatedPrice: 1 } }))).toBe(
      'UNAUTHENTICATED',
    );
    expect(await storedCount()).toBe(before);
    expect(codeOf(await check(ARM, tokens.funder))).toBeUndefined();
  });
});

describe('ranking', () => {
  it('lists the instrument that decides the verdict first, above better-scoring ones the requester may not use', async () => {
    await list('nearOffice', near.code, 'ARM-3', {
      name: '原子分解能分析電子顕微鏡 JEOL JEM-ARM200F',
      category: '電子顕微鏡',
      sharedExternally: false,
    });
    const result = await checked({ ...ARM, category: '電子顕微鏡' });
    expect(result.verdict).toBe('LIKELY_DUPLICATE');
    const unshared = result.candidates.find((c) => c.instrument.id === ids['ARM-3'])!;
    expect(unshared.score).toBeGreaterThan(result.candidates[0]!.score);
    expect(result.candidates[0]!.instrument.id).toBe(ids['ARM-1']);
  });
});

describe('use over the last year', () => {
  it('is read from the bookings the owner published: a completed one counts, a pending one does not', async () => {
    const before = (await checked(ARM)).candidates.find((c) => c.instrument.id === ids['ARM-1'])!;
    const owner = federation.services.get(near.code)!.database;
    const [instrument] = await owner.sql<{ id: string }[]>`SELECT id::text FROM instruments WHERE local_id = 'ARM-1'`;
    // A weekday about a month ago, 10:00–14:00 in Tokyo: inside the default open hours.
    const day = new Date(Date.now() - 30 * 86_400_000);
    while (day.getUTCDay() === 0 || day.getUTCDay() === 6) day.setUTCDate(day.getUTCDate() - 1);
    const at = (hourUtc: number) => new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), hourUtc));
    const future = new Date(Date.now() + 10 * 86_400_000);
    for (const [status, start, end, key] of [
      ['COMPLETED', at(1), at(5), 'use-1'],
      ['PENDING', future, new Date(future.getTime() + 4 * 3_600_000), 'use-2'],
    ] as const) {
      await owner.sql`
        INSERT INTO bookings (instrument_id, requester_id, requester_organization, user_category, mode, period, status,
          fee, purpose, idempotency_key, request_hash)
        VALUES (${instrument!.id}, 'u-use', 'Osaka', 'ACADEMIC', 'SELF',
          tstzrange(${start.toISOString()}::timestamptz, ${end.toISOString()}::timestamptz), ${status}, 0, 'use', ${key}, ${key})`;
    }
    const after = (await checked(ARM)).candidates.find((c) => c.instrument.id === ids['ARM-1'])!;
    expect(after.utilization).toBeGreaterThan(0);
    expect(after.spareHoursPerYear).toBeCloseTo(before.spareHoursPerYear - 4, 1);
  });
});

describe('an institution that does not answer', () => {
  it('is still weighed from the national catalogue, and the record says as of when once its part is stale', async () => {
    const stoppedAt = Date.now();
    await federation.services.get(far.code)!.app.stop();
    // At once: the far instrument is a candidate as the catalogue holds it; nothing waits for the far service.
    const arm = await checked(ARM);
    expect(arm.candidates.map((c) => c.instrument.id)).toContain(ids['ARM-2']);
    expect(arm.unavailableInstitutions).toEqual([]);
    // Past the threshold its part of the catalogue is stale: still weighed, named with the time it is current to.
    await new Promise((resolve) => setTimeout(resolve, STALE_AFTER_MS + 500));
    const later = await checked(ARM);
    expect(later.candidates.map((c) => c.instrument.id)).toContain(ids['ARM-2']);
    expect(later.unavailableInstitutions).toEqual([]);
    expect(later.staleInstitutions.map((s) => s.institution.code)).toEqual([far.code]);
    const asOf = new Date(later.staleInstitutions[0]!.catalogueCurrentTo).getTime();
    expect(asOf).toBeLessThanOrEqual(Date.now() - STALE_AFTER_MS);
    expect(asOf).toBeGreaterThan(stoppedAt - 60_000);
    const record = JSON.parse(later.canonicalRecord);
    expect(record.staleInstitutions).toEqual([{ institution: far.code, currentTo: new Date(asOf).toISOString() }]);
    expect(later.digest).toBe(createHash('sha256').update(later.canonicalRecord, 'utf8').digest('hex'));
    // The live institutions are not stale: their harvest holds a long poll open.
    expect(later.staleInstitutions.map((s) => s.institution.code)).not.toContain(near.code);
  });

  it('refuses a check when the catalogue holds nothing of any member, storing nothing', async () => {
    // A gateway that has not harvested anyone yet (its harvest is off): no member is covered.
    const blind = await startFederation([{ ...requester, code: uniqueCode('kyoto') }], { gateway: { harvest: false } });
    try {
      const [member] = [...blind.services.keys()];
      const office = await blind.token({ id: 'office-blind', institution: member!, roles: ['FACILITY_MANAGER'] });
      const answer = await blind.query(CHECK, { input: { ...ARM, institution: member, estimatedPrice: 250_000_000 } }, office);
      expect(codeOf(answer)).toBe('INSTITUTION_UNAVAILABLE');
      const [row] = await blind.gatewayDatabase.sql`SELECT count(*)::int AS n FROM duplicate_checks`;
      expect(row!.n).toBe(0);
    } finally {
      await blind.stop();
    }
  });
});

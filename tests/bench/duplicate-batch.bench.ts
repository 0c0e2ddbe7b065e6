import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { InstrumentsRepository, searchColumnsOf, toListing } from '@kyoyo/equipment-service';
import { readJpEquipmentFile, universityOf, type JpEquipmentListing } from '@kyoyo/listings';
import { startFederation, uniqueCode, type TestFederation } from '../e2e/support/federation';
import { machine, median, publish, table } from './support/report';

/**
 * Duplicate checks through the gateway at the size a funding call brings: a federation of the six largest
 * university groups of the real listings, one service each, and a batch of 1,000 proposals as a funder.
 */

const DATA_FILE = fileURLToPath(new URL('../shared/data/jp-equipment.jsonl', new URL('../../', import.meta.url)));
const available = existsSync(DATA_FILE);
const INSTITUTIONS = 6;
const BATCH = 1000;
const RUNS = 3;

const CHECK_MANY = `mutation ($inputs: [PurchaseProposalInput!]!) {
  checkDuplicatePurchases(inputs: $inputs) { id verdict batchId candidates { score instrument { id } } } }`;
const CHECK = `mutation ($input: PurchaseProposalInput!) { checkDuplicatePurchase(input: $input) { id verdict } }`;

let federation: TestFederation | undefined;
afterAll(() => federation?.stop());

describe.skipIf(!available)('a batch of 1,000 duplicate checks through the gateway', () => {
  it('completes, and its time is recorded', async () => {
    const file = await readJpEquipmentFile(DATA_FILE);
    const groups = new Map<string, JpEquipmentListing[]>();
    for (const listing of file.listings) {
      const university = universityOf(listing.orgName);
      groups.set(university, [...(groups.get(university) ?? []), listing]);
    }
    const largest = [...groups].sort((a, b) => b[1].length - a[1].length).slice(0, INSTITUTIONS);
    const members = largest.map(([name, rows], i) => ({
      institution: {
        code: uniqueCode(`b${i + 1}`),
        name,
        prefecture: rows.find((r) => r.prefecture)?.prefecture ?? '不明',
        location: { latitude: 34 + i * 0.8, longitude: 132 + i * 1.3 },
      },
      rows,
    }));
    federation = await startFederation(
      members.map((m) => m.institution),
      { timeoutMs: 10_000 },
    );
    await Promise.all(
      members.map(({ institution, rows }) =>
        new InstrumentsRepository(federation!.services.get(institution.code)!.database.db).upsertMany(
          rows.map((r) => {
            const listing = toListing(r.input);
            return { listing, search: searchColumnsOf(listing) };
          }),
        ),
      ),
    );
    const listings = members.reduce((n, m) => n + m.rows.length, 0);
    const token = await federation.token({ id: 'bench-funder', roles: ['FUNDER'] });

    // Proposals written from listings across the whole file (most at other universities than the six), plus
    // one in five made up; requesting institutions spread over the members.
    const names = file.listings.filter((_, i) => i % 7 === 0).map((l) => l.input.name.replace(/\p{Cc}/gu, ''));
    const inputs = Array.from({ length: BATCH }, (_, i) => ({
      title: i % 5 === 4 ? `試作装置 ${i}` : names[i % names.length]!,
      estimatedPrice: 5_000_000 + (i % 40) * 2_500_000,
      institution: members[i % INSTITUTIONS]!.institution.code,
      grantId: `BENCH-${i}`,
    }));

    const batchMs: number[] = [];
    let verdicts = new Map<string, number>();
    for (let run = 0; run < RUNS; run++) {
      const started = performance.now();
      const answer = await federation.query<{ checkDuplicatePurchases: { verdict: string; batchId: string }[] }>(
        CHECK_MANY,
        { inputs },
        token,
      );
      batchMs.push(performance.now() - started);
      expect(answer.errors).toBeUndefined();
      const checks = answer.data!.checkDuplicatePurchases;
      expect(checks).toHaveLength(BATCH);
      verdicts = new Map();
      for (const c of checks) verdicts.set(c.verdict, (verdicts.get(c.verdict) ?? 0) + 1);
    }

    const singleMs: number[] = [];
    for (let i = 0; i < 20; i++) {
      const started = performance.now();
      const answer = await federation.query(CHECK, { input: inputs[i] }, token);
      singleMs.push(performance.now() - started);
      expect(answer.errors).toBeUndefined();
    }

    const [version] = await federation.gatewayDatabase.sql`SHOW server_version`;
    publish(
      'duplicate-batch',
      [
        '## Duplicate checks through the gateway',
        '',
        `Machine: ${machine(`PostgreSQL ${String(version!.server_version)}`)}. \`npm run bench\` (\`tests/bench/duplicate-batch.bench.ts\`).`,
        '',
        `Federation: the ${INSTITUTIONS} largest university groups of the real listings, one equipment service and database each ` +
          `(${listings.toLocaleString('en-US')} listings), gateway and services in one process on loopback. Proposals: ${BATCH.toLocaleString('en-US')} ` +
          `titles from across the file (one in five made up), ¥5M–¥102.5M, as a funder; each institution gets them in calls of 25. ` +
          `Verdicts of the batch: ${[...verdicts].map(([v, n]) => `${v} ${n}`).join(', ')}.`,
        '',
        table(
          ['operation', 'runs', 'median', 'min', 'max'],
          [
            [
              `checkDuplicatePurchases, ${BATCH.toLocaleString('en-US')} proposals (stored)`,
              RUNS,
              `${(median(batchMs) / 1000).toFixed(2)} s`,
              `${(Math.min(...batchMs) / 1000).toFixed(2)} s`,
              `${(Math.max(...batchMs) / 1000).toFixed(2)} s`,
            ],
            [
              'checkDuplicatePurchase, one proposal (stored)',
              singleMs.length,
              `${Math.round(median(singleMs))} ms`,
              `${Math.round(Math.min(...singleMs))} ms`,
              `${Math.round(Math.max(...singleMs))} ms`,
            ],
          ],
        ),
      ].join('\n'),
    );
  }, 600_000);
});

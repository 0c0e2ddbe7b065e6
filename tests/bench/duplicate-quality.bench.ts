import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Identity } from '@kyoyo/auth';
import { connect, equipmentSchema } from '@kyoyo/db';
import { EQUIVALENT_SCORE, equivalenceProfile, SIMILAR_SCORE } from '@kyoyo/domain';
import {
  AvailabilityRepository,
  DuplicatesService,
  InstrumentsRepository,
  searchColumnsOf,
  toListing,
} from '@kyoyo/equipment-service';
import { readJpEquipmentFile, universityOf } from '@kyoyo/listings';
import { createTestDatabase } from '@kyoyo/test-kit';
import { machine, publish, table } from './support/report';

/**
 * How well duplicate checks find the same model elsewhere, on the national network's real listings
 * (`../shared/data/jp-equipment.jsonl`): every listing whose model (read out of its name, as real listings
 * give none separately) also appears at another university is checked as a planned purchase written the way
 * an applicant would (a generic title, the maker, the model), and the candidates are compared with the
 * listings of the same model. Listings whose model appears nowhere else measure false equivalents.
 */

const DATA_FILE = fileURLToPath(new URL('../shared/data/jp-equipment.jsonl', new URL('../../', import.meta.url)));
const available = existsSync(DATA_FILE);
const funder: Identity = { id: 'bench', institution: null, organization: null, affiliation: 'academic', roles: ['FUNDER'] };
const SLICE = 100;

interface Row {
  id: number;
  university: string;
  name: string;
  keys: Set<string>;
  probe: { title: string; manufacturer: string | null; model: string | null };
}

/** The planned purchase an applicant would write for this listing: what it is, who makes it, which model. */
function probeOf(name: string): Row['probe'] & { keys: Set<string> } {
  const profile = equivalenceProfile({ name });
  const model = profile.models[0]?.text ?? null;
  const maker = profile.manufacturers[0]?.aliases[0] ?? null;
  let title = model ? name.replace(model, ' ') : name;
  for (const alias of profile.manufacturers[0]?.aliases ?? []) title = title.replace(alias, ' ');
  title = title
    .replace(/[()（）・［］[\]【】]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return { title: title.length > 0 ? title : name, manufacturer: maker, model, keys: new Set(profile.models.map((m) => m.key)) };
}

const pct = (n: number, d: number) => (d === 0 ? '–' : `${((100 * n) / d).toFixed(1)}%`);

describe.skipIf(!available)('duplicate-check quality on the real listings', () => {
  it('finds the same model at other universities and rarely calls unrelated instruments equivalent', async () => {
    const file = await readJpEquipmentFile(DATA_FILE);
    const database = connect(await createTestDatabase(), equipmentSchema, { max: 4 });
    const instruments = new InstrumentsRepository(database.db);
    const entries = file.listings.map((l) => {
      const listing = toListing(l.input);
      return { listing, search: searchColumnsOf(listing) };
    });
    const stored = await instruments.upsertMany(entries);
    const rows: Row[] = stored.map(({ instrument }, i) => {
      const { keys, ...probe } = probeOf(instrument.name.replace(/\p{Cc}/gu, ''));
      return { id: instrument.id, university: universityOf(file.listings[i]!.orgName), name: instrument.name, keys, probe };
    });
    const byKey = new Map<string, Row[]>();
    for (const row of rows) for (const key of row.keys) byKey.set(key, [...(byKey.get(key) ?? []), row]);
    const sameModel = (row: Row) => new Set([...row.keys].flatMap((k) => byKey.get(k) ?? []).filter((r) => r !== row));

    const queries = rows.filter((r) => [...sameModel(r)].some((o) => o.university !== r.university));
    const unique = rows.filter((r) => r.keys.size > 0 && sameModel(r).size === 0).filter((_, i) => i % 2 === 0);

    const service = new DuplicatesService(instruments, new AvailabilityRepository(database.db), new Date());
    const check = async (list: Row[], withModel: boolean) => {
      const results: { id: number; score: number }[][] = [];
      const started = performance.now();
      for (let i = 0; i < list.length; i += SLICE) {
        const probes = list.slice(i, i + SLICE).map(({ probe }) => (withModel ? probe : { title: probe.title }));
        const answers = await service.equivalents(probes, 6, funder);
        results.push(...answers.map((a) => a.map((c) => ({ id: c.instrument.id, score: c.score }))));
      }
      return { results, ms: performance.now() - started };
    };

    // Recall at 5: of the listings of the same model at other universities (at most 5 per query), how many
    // are among the 5 best candidates other than the listing itself.
    const main = await check(queries, true);
    let relevant = 0;
    let found = 0;
    let hits = 0;
    let firstIsSame = 0;
    let equivalents = 0;
    let unrelatedEquivalents = 0;
    let falseLikely = 0;
    const examples: string[] = [];
    queries.forEach((query, q) => {
      const same = sameModel(query);
      const elsewhere = new Set([...same].filter((o) => o.university !== query.university).map((o) => o.id));
      const top = main.results[q]!.filter((c) => c.id !== query.id).slice(0, 5);
      const foundHere = top.filter((c) => elsewhere.has(c.id)).length;
      relevant += Math.min(elsewhere.size, 5);
      found += foundHere;
      if (foundHere > 0) hits++;
      const sameIds = new Set([...same].map((o) => o.id));
      if (top[0] && sameIds.has(top[0].id)) firstIsSame++;
      const strong = top.filter((c) => c.score >= EQUIVALENT_SCORE);
      equivalents += strong.length;
      const unrelated = strong.filter((c) => !sameIds.has(c.id));
      unrelatedEquivalents += unrelated.length;
      if (top[0] && top[0].score >= EQUIVALENT_SCORE && !sameIds.has(top[0].id)) falseLikely++;
      if (unrelated.length > 0 && examples.length < 12) {
        const other = rows.find((r) => r.id === unrelated[0]!.id)!;
        examples.push(`${JSON.stringify(query.probe)} → ${other.name} (${unrelated[0]!.score})`);
      }
    });

    // Listings whose model appears nowhere else, checked with the listing itself left out: any candidate at the
    // equivalent score would make the check LIKELY_DUPLICATE were it shared, near and idle.
    const lonely = await check(unique, true);
    const lonelyLikely = unique.filter((u, q) =>
      lonely.results[q]!.some((c) => c.id !== u.id && c.score >= EQUIVALENT_SCORE),
    ).length;
    const lonelySimilar = unique.filter((u, q) =>
      lonely.results[q]!.some((c) => c.id !== u.id && c.score >= SIMILAR_SCORE && c.score < EQUIVALENT_SCORE),
    ).length;
    // The same proposals without maker and model: only the title to go by.
    const titleOnly = await check(queries, false);
    const titleOnlyLikely = queries.filter((r, q) =>
      titleOnly.results[q]!.some((c) => c.id !== r.id && c.score >= EQUIVALENT_SCORE),
    ).length;

    const [version] = await database.sql`SHOW server_version`;
    const universities = new Set(rows.map((r) => r.university)).size;
    const body = [
      '## Duplicate-check quality on real listings',
      '',
      `Machine: ${machine(`PostgreSQL ${String(version!.server_version)}`)}. \`npm run bench\` (\`tests/bench/duplicate-quality.bench.ts\`).`,
      '',
      `Data: \`../shared/data/jp-equipment.jsonl\`, ${rows.length.toLocaleString('en-US')} listings of ${universities} universities ` +
        `(grouped by the university part of \`org_name\`) in one database, scored with the services' own code (\`DuplicatesService\`: ` +
        `trigram candidates, \`compareEquivalence\`). Ranking in one database is the national ranking: every institution scores with ` +
        `the same formula and the gateway orders by score. Models are read out of names (the file has no model column); ` +
        `${queries.length.toLocaleString('en-US')} listings have a model that also appears at another university. Each is checked as ` +
        `an applicant would write it: the name without maker and model as title, the maker, the model.`,
      '',
      table(
        ['measure', 'value'],
        [
          ['evaluation queries (model also at another university)', queries.length],
          [
            'recall at 5 (same-model listings elsewhere in the 5 best, of at most 5)',
            `${pct(found, relevant)} (${found} of ${relevant})`,
          ],
          ['queries with at least one same-model listing elsewhere in the 5 best', pct(hits, queries.length)],
          ['best candidate is the same model', pct(firstIsSame, queries.length)],
          ['candidates in the 5 best at the equivalent score (≥ 0.75)', equivalents],
          ['… of which not the same model', `${unrelatedEquivalents} (${pct(unrelatedEquivalents, equivalents)})`],
          [
            'queries whose best candidate is an equivalent of another model (false LIKELY_DUPLICATE)',
            pct(falseLikely, queries.length),
          ],
          [
            'models found nowhere else: checks with an equivalent (false LIKELY_DUPLICATE)',
            `${pct(lonelyLikely, unique.length)} of ${unique.length}`,
          ],
          [
            'models found nowhere else: checks with only similar candidates (SIMILAR_AVAILABLE)',
            pct(lonelySimilar, unique.length),
          ],
          ['title only (no maker, no model): checks with an equivalent', pct(titleOnlyLikely, queries.length)],
          [
            'checking speed (service side, 100 proposals per call)',
            `${Math.round((main.ms / queries.length) * 1000) / 1000} ms per proposal`,
          ],
        ],
      ),
    ].join('\n');
    publish('duplicate-quality', body);
    // eslint-disable-next-line no-console
    console.info(`unrelated equivalents, examples:\n${examples.join('\n')}`);
    await database.close();
    expect(queries.length).toBeGreaterThan(500);
  }, 600_000);
});

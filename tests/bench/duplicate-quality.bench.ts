import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Identity } from '@kyoyo/auth';
import { connect, equipmentSchema } from '@kyoyo/db';
import { EQUIVALENT_SCORE, equivalenceProfile, normalizeModel, SIMILAR_SCORE, type ModelMention } from '@kyoyo/domain';
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

interface Probe {
  title: string;
  manufacturer?: string | null;
  model?: string | null;
}

interface Row {
  id: number;
  university: string;
  name: string;
  keys: Set<string>;
  mentions: ModelMention[];
  /** What the listing is (its name without maker and model), who makes it (Latin and Japanese), which model. */
  parts: { title: string; maker: string | null; makerJa: string | null; model: string | null };
}

/** The parts an applicant would write for this listing: what it is, who makes it, which model. */
function partsOf(name: string): Row['parts'] & { keys: Set<string>; mentions: ModelMention[] } {
  const profile = equivalenceProfile({ name });
  const model = profile.models[0]?.text ?? null;
  const maker = profile.manufacturers[0];
  let title = model ? name.replace(model, ' ') : name;
  for (const alias of maker?.aliases ?? []) title = title.replace(alias, ' ');
  title = title
    .replace(/[()（）・［］[\]【】]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return {
    title: title.length > 0 ? title : name,
    maker: maker?.aliases[0] ?? null,
    makerJa: maker?.aliases.find((a) => /[^\p{ASCII}]/u.test(a)) ?? null,
    model,
    keys: new Set(profile.models.map((m) => m.key)),
    mentions: profile.models,
  };
}

/** ASCII to its full-width form, spaces to the ideographic space: how Japanese word processors often write. */
const fullWidth = (text: string) =>
  text.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).replace(/ /g, '\u3000');
const joined = (...parts: (string | null)[]) => parts.filter((p): p is string => !!p).join(' ');

/**
 * The ways a proposal for the same model is written: maker and model in their fields, in the title in brackets
 * (`名称 (メーカー 型式)`, as listings and the applicants copying them write) or not, with a Japanese maker
 * name, in full-width characters, the model without its hyphens or with spaces for them.
 */
const FORMS: readonly { form: string; probe: (p: Row['parts']) => Probe }[] = [
  {
    form: 'plain title, maker and model in their fields',
    probe: (p) => ({ title: p.title, manufacturer: p.maker, model: p.model }),
  },
  {
    form: '`名称 (Maker Model)` and the fields',
    probe: (p) => ({ title: `${p.title} (${joined(p.maker, p.model)})`, manufacturer: p.maker, model: p.model }),
  },
  { form: '`名称 (Maker Model)`, title only', probe: (p) => ({ title: `${p.title} (${joined(p.maker, p.model)})` }) },
  { form: '`名称 Maker Model`, title only', probe: (p) => ({ title: `${p.title} ${joined(p.maker, p.model)}` }) },
  {
    form: '`名称（メーカー Model）`, Japanese maker, and the fields',
    probe: (p) => ({
      title: `${p.title}（${joined(p.makerJa ?? p.maker, p.model)}）`,
      manufacturer: p.makerJa ?? p.maker,
      model: p.model,
    }),
  },
  {
    form: '`名称（Ｍａｋｅｒ　Ｍｏｄｅｌ）` full-width, title only',
    probe: (p) => ({ title: fullWidth(`${p.title} (${joined(p.maker, p.model)})`) }),
  },
  {
    form: 'model without hyphens, bracketed and in the field',
    probe: (p) => {
      const model = p.model?.replace(/-/g, '') ?? null;
      return { title: `${p.title} (${joined(p.maker, model)})`, manufacturer: p.maker, model };
    },
  },
  {
    form: 'model with spaces for hyphens, bracketed and in the field',
    probe: (p) => {
      const model = p.model?.replace(/-/g, ' ') ?? null;
      return { title: `${p.title} (${joined(p.maker, model)})`, manufacturer: p.maker, model };
    },
  },
];

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
      const { keys, mentions, ...parts } = partsOf(instrument.name.replace(/\p{Cc}/gu, ''));
      return {
        id: instrument.id,
        university: universityOf(file.listings[i]!.orgName),
        name: instrument.name,
        keys,
        mentions,
        parts,
      };
    });
    // The answer key: listings are the same model when a model read out of one name equals one read out of the
    // other, or is it with a series prefix of letters before it (`JNM-ECA500` and `ECA500`, `JES-FA200` and
    // `FA200`: listings drop the prefix as often as they write it).
    const byKey = new Map<string, Row[]>();
    for (const row of rows) for (const key of row.keys) byKey.set(key, [...(byKey.get(key) ?? []), row]);
    const prefixed = new Map<string, string[]>();
    for (const row of rows) {
      for (const mention of row.mentions) {
        // `JNM-ECA500`, `JES FA200`: a prefix of letters, a space or hyphen, then the designation.
        const split = /^([a-z]+)[ -](.+)$/.exec(mention.text.toLowerCase());
        const short = split ? normalizeModel(split[2]!) : '';
        if (short.length < 5 || !/\d/.test(short) || !/^[a-z]/.test(short) || !byKey.has(short)) continue;
        prefixed.set(short, [...(prefixed.get(short) ?? []), mention.key]);
        prefixed.set(mention.key, [...(prefixed.get(mention.key) ?? []), short]);
      }
    }
    const sameModel = (row: Row) =>
      new Set(
        [...row.keys]
          .flatMap((k) => [k, ...(prefixed.get(k) ?? [])])
          .flatMap((k) => byKey.get(k) ?? [])
          .filter((r) => r !== row),
      );

    const queries = rows.filter((r) => [...sameModel(r)].some((o) => o.university !== r.university));
    const unique = rows.filter((r) => r.keys.size > 0 && sameModel(r).size === 0).filter((_, i) => i % 2 === 0);

    const service = new DuplicatesService(instruments, new AvailabilityRepository(database.db), new Date());
    const check = async (list: Row[], probeOf: (row: Row) => Probe) => {
      const results: { id: number; score: number }[][] = [];
      const started = performance.now();
      for (let i = 0; i < list.length; i += SLICE) {
        const answers = await service.equivalents(list.slice(i, i + SLICE).map(probeOf), 6, funder);
        results.push(...answers.map((a) => a.map((c) => ({ id: c.instrument.id, score: c.score }))));
      }
      return { results, ms: performance.now() - started };
    };

    // Per form: recall at 5 (queries with a listing of the same model at another university among the 5 best
    // candidates other than the listing itself), coverage (of those listings, at most 5 per query, how many are
    // there), and false LIKELY_DUPLICATE (the best candidate scores as an equivalent but is another model).
    const examples: string[] = [];
    const misses: string[] = [];
    const perForm: (string | number)[][] = [];
    let plainMs = 0;
    for (const { form, probe } of FORMS) {
      const run = await check(queries, (row) => probe(row.parts));
      if (plainMs === 0) plainMs = run.ms;
      let relevant = 0;
      let found = 0;
      let hits = 0;
      let anyHits = 0;
      let firstIsSame = 0;
      let falseLikely = 0;
      queries.forEach((query, q) => {
        const same = sameModel(query);
        const elsewhere = new Set([...same].filter((o) => o.university !== query.university).map((o) => o.id));
        const top = run.results[q]!.filter((c) => c.id !== query.id).slice(0, 5);
        const foundHere = top.filter((c) => elsewhere.has(c.id)).length;
        relevant += Math.min(elsewhere.size, 5);
        found += foundHere;
        if (foundHere > 0) hits++;
        else if (misses.length < 12 && perForm.length === 0 && !top.some((c) => same.has(rows.find((r) => r.id === c.id)!))) {
          const best = top[0] ? `${rows.find((r) => r.id === top[0]!.id)!.name} (${top[0].score})` : 'nothing';
          const wanted = rows.find((r) => r.id === [...elsewhere][0])!.name;
          misses.push(`${JSON.stringify(probe(query.parts))} → best ${best}; wanted ${wanted}`);
        }
        const sameIds = new Set([...same].map((o) => o.id));
        if (top[0] && sameIds.has(top[0].id)) firstIsSame++;
        if (top.some((c) => sameIds.has(c.id))) anyHits++;
        if (top[0] && top[0].score >= EQUIVALENT_SCORE && !sameIds.has(top[0].id)) {
          falseLikely++;
          if (examples.length < 12 && perForm.length === 0) {
            const other = rows.find((r) => r.id === top[0]!.id)!;
            examples.push(`${JSON.stringify(probe(query.parts))} → ${other.name} (${top[0].score})`);
          }
        }
      });
      perForm.push([
        form,
        pct(anyHits, queries.length),
        pct(hits, queries.length),
        pct(found, relevant),
        pct(firstIsSame, queries.length),
        pct(falseLikely, queries.length),
      ]);
    }

    // Listings whose model appears nowhere else, checked with the listing itself left out: any candidate at the
    // equivalent score would make the check LIKELY_DUPLICATE were it shared, near and idle.
    const plain = FORMS[0]!.probe;
    const lonely = await check(unique, (row) => plain(row.parts));
    const lonelyLikely = unique.filter((u, q) =>
      lonely.results[q]!.some((c) => c.id !== u.id && c.score >= EQUIVALENT_SCORE),
    ).length;
    const lonelySimilar = unique.filter((u, q) =>
      lonely.results[q]!.some((c) => c.id !== u.id && c.score >= SIMILAR_SCORE && c.score < EQUIVALENT_SCORE),
    ).length;
    // The same proposals without maker and model: only the title to go by.
    const titleOnly = await check(queries, (row) => ({ title: row.parts.title }));
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
        `an applicant would write it, in each of the forms below, from the same parts: the name without maker and model as title, the maker, the model.`,
      '',
      table(
        [
          'proposal written as',
          'recall at 5',
          'recall at 5, another university',
          'coverage at 5',
          'best is the same model',
          'false LIKELY_DUPLICATE',
        ],
        perForm,
      ),
      '',
      'Recall at 5: queries with another listing of the same model among the 5 best candidates (goal ≥ 97% in every form). ' +
        '… another university: with one at another university among them (the query university may hold several of the model, ' +
        'and they rank alongside). Coverage at 5: of the listings of the model at other universities (at most 5 per query), how ' +
        `many are among the 5 best. False LIKELY_DUPLICATE: the best candidate scores as an equivalent (≥ ${EQUIVALENT_SCORE}) but ` +
        'is another model (goal ≤ 5%). The answer key: listings are the same model when a model read out of one name equals one ' +
        'read out of the other, or is it with a series prefix (`JNM-ECA500` and `ECA500`).',
      '',
      table(
        ['measure', 'value'],
        [
          ['evaluation queries (model also at another university)', queries.length],
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
            'checking speed (service side, 100 proposals per call, plain form)',
            `${Math.round((plainMs / queries.length) * 1000) / 1000} ms per proposal`,
          ],
        ],
      ),
    ].join('\n');
    publish('duplicate-quality', body);
    // eslint-disable-next-line no-console
    console.info(`false LIKELY_DUPLICATE on the plain form, examples:\n${examples.join('\n')}`);
    // eslint-disable-next-line no-console
    console.info(`same model elsewhere not in the 5 best, plain form, examples:\n${misses.join('\n')}`);
    await database.close();
    expect(queries.length).toBeGreaterThan(500);
  }, 600_000);
});

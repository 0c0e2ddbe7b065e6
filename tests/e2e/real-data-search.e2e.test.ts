import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeGlobalId, normalizeText } from '@kyoyo/domain';
import { InstrumentsRepository, searchColumnsOf, toListing } from '@kyoyo/equipment-service';
import { readJpEquipmentFile, universityOf, type JpEquipmentListing } from '@kyoyo/listings';
import { startFederation, uniqueCode, type GraphQLAnswer, type TestFederation, type TestInstitution } from './support/federation';

/**
 * Recall of national search on real listings: the largest university groups of the national network's file
 * (`../shared/data/jp-equipment.jsonl`, beside the project), one institution each, loaded in bulk. For every
 * query, every instrument whose name contains it must come back, ranked above everything whose name does not.
 */

const DATA_FILE = fileURLToPath(new URL('../shared/data/jp-equipment.jsonl', new URL('../../', import.meta.url)));
const available = existsSync(DATA_FILE);
if (!available) {
  // eslint-disable-next-line no-console
  console.warn(`real-data-search.e2e: skipped, ${DATA_FILE} is absent (the shared data sits beside the project, not in it)`);
}

const INSTITUTIONS = 8;
const PAGE_SIZE = 100;
/** Japanese (full- and half-width), short and long, and English queries that the data has matches for. */
const QUERIES = [
  '顕微鏡',
  '顕微',
  'NMR',
  'ＮＭＲ',
  'X線回折',
  '質量分析',
  'クライオ',
  'フローサイトメーター',
  '電子顕微鏡',
  'ｶﾞｽｸﾛ',
  'ガスクロ',
  '遠心',
  'SEM',
  'ICP',
];

const SEARCH = `query ($query: String, $first: Int, $after: String) {
  searchInstruments(query: $query, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    facets { categories { value count } institutions { value count } prefectures { value count } }
    unavailableInstitutions { code }
    edges { score node { id name institution { code } } }
  } }`;

interface SearchPage {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  facets: Record<'categories' | 'institutions' | 'prefectures', { value: string; count: number }[]>;
  unavailableInstitutions: { code: string }[];
  edges: { score: number; node: { id: string; name: string; institution: { code: string } } }[];
}

/** A listing as loaded: its global id, where it is, and the normalised text search should find it by. */
interface LoadedRow {
  id: string;
  institution: string;
  university: string;
  name: string;
  nameNorm: string;
  searchText: string;
}

let federation: TestFederation | undefined;
const loaded: LoadedRow[] = [];
const recall: { query: string; truth: number; found: number; textMatches: number; totalCount: number; pages: number }[] = [];
const timings = { readMs: 0, startMs: 0, loadMs: 0 };

/** The prefecture most of a group's rows give (some rows give none). */
function prefectureOf(rows: JpEquipmentListing[]): string {
  const counts = new Map<string, number>();
  for (const { prefecture } of rows) if (prefecture) counts.set(prefecture, (counts.get(prefecture) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '不明';
}

/** Every page of a search, following `endCursor` until `hasNextPage` is false. */
async function searchAll(query: string): Promise<SearchPage[]> {
  const pages: SearchPage[] = [];
  let after: string | null = null;
  for (;;) {
    const answer: GraphQLAnswer<{ searchInstruments: SearchPage }> = await federation!.query(SEARCH, {
      query,
      first: PAGE_SIZE,
      after,
    });
    expect(answer.errors, `page ${pages.length + 1} of ${query}`).toBeUndefined();
    const page = answer.data!.searchInstruments;
    pages.push(page);
    if (!page.pageInfo.hasNextPage) return pages;
    expect(page.edges, `a page that says more follow is full (${query}, page ${pages.length})`).toHaveLength(PAGE_SIZE);
    expect(pages.length, `${query} pages past every loaded row`).toBeLessThanOrEqual(Math.ceil(loaded.length / PAGE_SIZE));
    after = page.pageInfo.endCursor;
  }
}

const sum = (facets: { count: number }[]) => facets.reduce((total, f) => total + f.count, 0);

describe.skipIf(!available)(`national search over the ${INSTITUTIONS} largest university groups of the real listings`, () => {
  beforeAll(async () => {
    let started = performance.now();
    const file = await readJpEquipmentFile(DATA_FILE);
    timings.readMs = performance.now() - started;
    const groups = new Map<string, JpEquipmentListing[]>();
    for (const listing of file.listings) {
      const university = universityOf(listing.orgName);
      const group = groups.get(university) ?? [];
      group.push(listing);
      groups.set(university, group);
    }
    const largest = [...groups].sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : 1)).slice(0, INSTITUTIONS);
    const members = largest.map(([university, rows], i) => ({
      institution: {
        code: uniqueCode(`real${i + 1}`),
        name: university,
        prefecture: prefectureOf(rows),
        // Somewhere in Japan; this suite does not sort by distance.
        location: { latitude: 33.5 + i * 0.6, longitude: 130.5 + i * 1.2 },
      } satisfies TestInstitution,
      university,
      rows,
    }));

    started = performance.now();
    federation = await startFederation(
      members.map((m) => m.institution),
      { timeoutMs: 10_000 },
    );
    timings.startMs = performance.now() - started;

    started = performance.now();
    await Promise.all(
      members.map(async ({ institution, university, rows }) => {
        const entries = rows.map((row) => {
          const listing = toListing(row.input);
          return { listing, search: searchColumnsOf(listing) };
        });
        const repository = new InstrumentsRepository(federation!.services.get(institution.code)!.database.db);
        const results = await repository.upsertMany(entries);
        results.forEach(({ instrument }, i) =>
          loaded.push({
            id: encodeGlobalId('Instrument', institution.code, String(instrument.id)),
            institution: institution.code,
            university,
            name: instrument.name,
            nameNorm: normalizeText(instrument.name),
            searchText: entries[i]!.search.searchText,
          }),
        );
      }),
    );
    timings.loadMs = performance.now() - started;
    await federation.gateway.harvester?.settle(60_000);
    expect(loaded).toHaveLength(members.reduce((n, m) => n + m.rows.length, 0));
  }, 120_000);

  afterAll(async () => {
    await federation?.stop();
    // eslint-disable-next-line no-console
    console.info(
      [
        `real-data-search.e2e: ${loaded.length} listings in ${INSTITUTIONS} institutions; read ${Math.round(timings.readMs)} ms, ` +
          `federation up ${Math.round(timings.startMs)} ms, bulk load ${Math.round(timings.loadMs)} ms`,
        ...recall.map(
          (r) =>
            `  ${r.query}: name matches ${r.truth}, found ${r.found}; text matches ${r.textMatches}; totalCount ${r.totalCount} in ${r.pages} pages`,
        ),
      ].join('\n'),
    );
  });

  it.each(QUERIES)('finds every instrument whose name contains %s, ranked above every one whose name does not', async (query) => {
    const q = normalizeText(query);
    const truth = loaded.filter((row) => row.nameNorm.includes(q));
    expect(truth.length, `the data has instruments named with ${query}`).toBeGreaterThan(0);

    const pages = await searchAll(query);
    const edges = pages.flatMap((page) => page.edges);
    const ids = edges.map((e) => e.node.id);
    const found = new Set(ids);
    const textMatches = loaded.filter((row) => row.searchText.includes(q));
    recall.push({
      query,
      truth: truth.length,
      found: truth.filter((row) => found.has(row.id)).length,
      textMatches: textMatches.length,
      totalCount: pages[0]!.totalCount,
      pages: pages.length,
    });

    for (const page of pages) expect(page.unavailableInstitutions).toEqual([]);
    const missing = truth.filter((row) => !found.has(row.id)).map((row) => `${row.university}: ${row.name}`);
    expect(missing, `instruments named with ${query} that the search did not return`).toEqual([]);
    const missingByText = textMatches.filter((row) => !found.has(row.id)).map((row) => `${row.university}: ${row.name}`);
    expect(missingByText, `instruments whose searchable text contains ${query} that the search did not return`).toEqual([]);

    expect(
      ids.filter((id, i) => ids.indexOf(id) !== i),
      'ids on more than one page',
    ).toEqual([]);
    expect(new Set(pages.map((page) => page.totalCount)), 'totalCount on every page').toEqual(new Set([edges.length]));
    const institutionsWithMatches = [...new Set(truth.map((row) => row.institution))].sort();
    expect([...new Set(edges.map((e) => e.node.institution.code))].sort()).toEqual(
      expect.arrayContaining(institutionsWithMatches),
    );

    const scores = edges.map((e) => e.score);
    expect(
      scores.findIndex((score, i) => i > 0 && score > scores[i - 1]!),
      'scores never rise from one result to the next',
    ).toBe(-1);
    const named = edges.filter((e) => normalizeText(e.node.name).includes(q));
    const others = edges.filter((e) => !normalizeText(e.node.name).includes(q));
    expect(named).toHaveLength(truth.length);
    if (others.length > 0) {
      const lowestNamed = Math.min(...named.map((e) => e.score));
      const outranking = others.filter((e) => e.score >= lowestNamed).map((e) => `${e.node.name} (${e.score})`);
      expect(outranking, `results not named with ${query} that score as high as one named with it (${lowestNamed})`).toEqual([]);
      expect(edges.findIndex((e) => !normalizeText(e.node.name).includes(q))).toBe(named.length);
    }

    for (const page of pages) {
      expect(sum(page.facets.categories), 'category facets').toBe(page.totalCount);
      expect(sum(page.facets.institutions), 'institution facets').toBe(page.totalCount);
      expect(sum(page.facets.prefectures), 'prefecture facets').toBe(page.totalCount);
    }
    const perInstitution = Object.fromEntries(
      pages[0]!.facets.institutions.filter((f) => f.count > 0).map((f) => [f.value, f.count]),
    );
    const returnedPerInstitution: Record<string, number> = {};
    for (const e of edges)
      returnedPerInstitution[e.node.institution.code] = (returnedPerInstitution[e.node.institution.code] ?? 0) + 1;
    expect(perInstitution).toEqual(returnedPerInstitution);
  });
});

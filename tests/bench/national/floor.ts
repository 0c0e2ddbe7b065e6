/**
 * Below GraphQL: the central catalogue's search as raw SQL (the repository's page and count queries, run as
 * the service runs them), the floor any API over one database stands on; and the plans of the hot queries.
 */
import { connect, equipmentSchema } from '@kyoyo/db';
import { InstrumentsRepository, toCriteria, type LocalSearchInput } from '@kyoyo/equipment-service';
import { quantile } from './load';

/** The GraphQL input as the service's resolver hands it over (no availability: those searches have no SQL-only floor). */
const toInput = (raw: Record<string, unknown>) => raw as unknown as LocalSearchInput;

/** Median time (ms) of one search's SQL, one client, the inputs in turn for `seconds`. */
export async function measureFloor(url: string, inputs: Record<string, unknown>[], seconds: number): Promise<number> {
  const database = connect(url, equipmentSchema, { max: 2 });
  try {
    const repository = new InstrumentsRepository(database.db);
    const times: number[] = [];
    const until = performance.now() + seconds * 1000;
    for (let i = 0; performance.now() < until || i < 5; i++) {
      const criteria = toCriteria(toInput(inputs[i % inputs.length]!), new Date());
      const t = performance.now();
      await Promise.all([repository.search(criteria), repository.aggregate(criteria)]);
      times.push(performance.now() - t);
    }
    return quantile(
      times.sort((a, b) => a - b),
      0.5,
    );
  } finally {
    await database.close();
  }
}

/** One hot query's plan: which indexes it used and how long PostgreSQL took. */
export interface ExplainRow {
  listings: number;
  query: string;
  access: string;
  executionMs: number;
  plan: string;
}

const HOT: { label: string; input: Record<string, unknown> }[] = [
  { label: '顕微鏡 (3+ characters)', input: { query: '顕微鏡' } },
  { label: '装置 (2 characters)', input: { query: '装置' } },
  { label: 'nmr (English)', input: { query: 'nmr' } },
  {
    label: '分析, 3 categories, shared, ≥ ¥10M',
    input: {
      query: '分析',
      categories: ['構造解析/元素分析', '光分析装置', '分析'],
      sharedExternally: true,
      minAcquisitionPrice: 10_000_000,
    },
  },
  {
    label: '装置 within 100 km of Tokyo, nearest first',
    input: { query: '装置', near: { point: { latitude: 35.69, longitude: 139.69 }, radiusKm: 100 }, sort: 'DISTANCE' },
  },
];

/** `EXPLAIN (ANALYZE, BUFFERS)` of the page query of each hot search on the catalogue at `url`. */
export async function explainHotQueries(url: string, listings: number): Promise<ExplainRow[]> {
  const database = connect(url, equipmentSchema, { max: 1 });
  try {
    const repository = new InstrumentsRepository(database.db);
    const rows: ExplainRow[] = [];
    for (const { label, input } of HOT) {
      const criteria = toCriteria(toInput({ sort: 'RELEVANCE', limit: 21, ...input }), new Date());
      const plan = await repository.explainSearch(criteria, { analyze: true });
      const indexes = [...new Set([...plan.matchAll(/(?:Index|Bitmap Index) Scan (?:Backward )?on (\w+)/g)].map((m) => m[1]!))];
      const seq = /Seq Scan on (\w+)/.exec(plan);
      rows.push({
        listings,
        query: label,
        access: [...indexes, ...(seq ? [`sequential scan of ${seq[1]}`] : [])].join(', ') || 'none',
        executionMs: Number(/Execution Time: ([\d.]+) ms/.exec(plan)?.[1] ?? NaN),
        plan,
      });
    }
    return rows;
  } finally {
    await database.close();
  }
}

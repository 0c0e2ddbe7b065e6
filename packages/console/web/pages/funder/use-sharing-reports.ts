/**
 * Sharing reports of many institutions (and the nation) for one fiscal year, asked for in parallel — a few at a
 * time, one request each — and kept per institution, so one that fails or does not answer leaves the rest.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { gql, type ApiError } from '../../api';
import { asApiError } from '../../use-api';
import { SHARING_REPORT, type SharingReport } from './queries';

/**
 * Requests in flight at once. Each report makes every institution scan a year of bookings (the national one all
 * of them at once): more at a time only queues them at the institutions, and on a small federation machine
 * pushed one past its time budget (the demo on 2 cores, with 6 at a time, lost an institution).
 */
const PARALLEL = 2;

/** One institution's report (`code` null: the nation's), or why there is none. */
export interface ReportEntry {
  code: string | null;
  report: SharingReport | null;
  error: ApiError | null;
}

/** Runs `task` over `items`, at most `limit` at a time; results in the items' order. */
async function mapLimited<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

async function reportOf(code: string | null, fiscalYear: number): Promise<ReportEntry> {
  try {
    const data = await gql<{ sharingReport: SharingReport }>(SHARING_REPORT, {
      institution: code,
      fiscalYear,
      withList: code !== null,
    });
    return { code, report: data.sharingReport, error: null };
  } catch (error) {
    return { code, report: null, error: asApiError(error) };
  }
}

/**
 * The national report first (when `national`), then one per code, for `fiscalYear`; null while loading. A
 * newer request's answer always wins over an older one's.
 */
export function useSharingReports(
  codes: readonly string[] | null,
  national: boolean,
  fiscalYear: number,
): { entries: ReportEntry[] | null; reload(): void } {
  const [entries, setEntries] = useState<ReportEntry[] | null>(null);
  const [generation, setGeneration] = useState(0);
  const latest = useRef(0);
  const key = codes ? JSON.stringify([national, fiscalYear, codes]) : null;
  useEffect(() => {
    if (key === null) return;
    const ticket = ++latest.current;
    setEntries(null);
    const [withNation, year, list] = JSON.parse(key) as [boolean, number, string[]];
    const wanted: (string | null)[] = withNation ? [null, ...list] : list;
    void mapLimited(wanted, PARALLEL, (code) => reportOf(code, year)).then((all) => ticket === latest.current && setEntries(all));
  }, [key, generation]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { entries, reload };
}

/**
 * Freshness of the national catalogue: the time from a change committed at an institution's service to the
 * gateway's search finding it. A change is a listing renamed through the service's own `InstrumentsRepository`
 * in its own database (the change feed's triggers record it and nudge the harvest, as for any write there);
 * national search is then asked for the new name until it answers, every 10 ms.
 */
import { randomBytes } from 'node:crypto';
import { connect, equipmentSchema } from '@kyoyo/db';
import { InstrumentsRepository, searchColumnsOf } from '@kyoyo/equipment-service';
import type { BenchListing } from './listings';
import { quantile, runLoad, type LoadResult, type LoadSpec } from './load';

export interface FreshnessRun {
  institutions: number;
  /** `null` when idle; otherwise the concurrent search load and how it fared meanwhile. */
  load: { connections: number; search: LoadResult } | null;
  /** Commit to first search that finds the change (ms), one per change, sorted. */
  samples: number[];
  p50: number;
  p95: number;
  max: number;
}

/** Where one change can be made: a member's database and one of its listings. */
export interface ChangeSite {
  databaseUrl: string;
  listing: BenchListing['entry'];
}

const POLL_MS = 10;
/** A change not found in this long is a failure of the run, not a slow sample. */
const GIVE_UP_MS = 120_000;

async function found(url: string, authorization: string, token: string): Promise<boolean> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization },
    body: JSON.stringify({
      query: 'query ($q: String) { searchInstruments(query: $q, first: 1) { totalCount } }',
      variables: { q: token },
    }),
  });
  const body = (await response.json()) as { data?: { searchInstruments: { totalCount: number } }; errors?: unknown[] };
  if (body.errors) throw new Error(`freshness search failed: ${JSON.stringify(body.errors).slice(0, 300)}`);
  return (body.data?.searchInstruments.totalCount ?? 0) > 0;
}

/**
 * Makes `count` changes one after another, each at the next site (so at different institutions), and times
 * each from the commit to the first national search that finds it (the end of that search: an upper bound).
 * Stops early when `until` says so (the end of a concurrent load).
 */
async function sample(
  federationUrl: string,
  authorization: string,
  sites: readonly ChangeSite[],
  count: number,
  until: () => boolean = () => false,
): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < count && !until(); i++) {
    const site = sites[i % sites.length]!;
    // A word no listing has: found only once this very change is in the catalogue.
    const token = `fresh${randomBytes(4).toString('hex')}`;
    const listing = { ...site.listing.listing, name: `${site.listing.listing.name} ${token}` };
    // One connection for one change: the members' services and the central peer already hold most of the
    // server's connections, and one per member on top ran it out (`too many clients`).
    const db = connect(site.databaseUrl, equipmentSchema, { max: 1 });
    let committed: number;
    try {
      await new InstrumentsRepository(db.db).upsertMany([{ listing, search: searchColumnsOf(listing) }]);
      committed = performance.now();
    } finally {
      await db.close();
    }
    for (;;) {
      if (await found(federationUrl, authorization, token)) break;
      if (performance.now() - committed > GIVE_UP_MS)
        throw new Error(`a change at ${site.listing.listing.localId} never reached national search`);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    samples.push(performance.now() - committed);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return samples.sort((a, b) => a - b);
}

function summarise(institutions: number, samples: number[], load: FreshnessRun['load']): FreshnessRun {
  return { institutions, load, samples, p50: quantile(samples, 0.5), p95: quantile(samples, 0.95), max: samples.at(-1) ?? NaN };
}

/** Freshness with nothing else running, then under `connections` clients of `search` (as many changes as fit). */
export async function measureFreshness(options: {
  federationUrl: string;
  authorization: string;
  institutions: number;
  sites: readonly ChangeSite[];
  samples: number;
  search: LoadSpec;
  connections: number;
  loadSeconds: number;
}): Promise<FreshnessRun[]> {
  const { federationUrl, authorization, sites, institutions } = options;
  const idle = await sample(federationUrl, authorization, sites, options.samples);
  let loading = true;
  const load = runLoad(options.search, options.connections, options.loadSeconds, 20).finally(() => {
    loading = false;
  });
  // Past the load's warm-up before the first change.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const underLoad = await sample(federationUrl, authorization, sites, options.samples, () => !loading);
  const search = await load;
  if (underLoad.length === 0) throw new Error('the search load ended before a change could be timed under it');
  return [summarise(institutions, idle, null), summarise(institutions, underLoad, { connections: options.connections, search })];
}

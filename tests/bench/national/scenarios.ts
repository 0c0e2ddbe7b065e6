/**
 * What the benchmark asks, once of the federation (the gateway's public API) and once of the centralised
 * peer (one equipment service's own GraphQL, with the very documents the gateway sends to services).
 */
import { encodeGlobalId } from '@kyoyo/domain';
import {
  CREATE_BOOKING,
  EQUIVALENT_INSTRUMENTS,
  INSTRUMENT_FIELDS,
  LOCAL_SEARCH,
  QUOTE_BOOKING,
  SHARING_STATS,
} from '@kyoyo/gateway';
import type { LoadSpec, Outcome } from './load';

/** Where the two systems answer and how a request is signed for each. */
export interface Targets {
  federation: { url: string; researcher: Record<string, string>; funder: Record<string, string> };
  central: { url: string; researcher: () => Promise<Record<string, string>>; funder: () => Promise<Record<string, string>> };
  /** Instruments that researchers may book at once (shared, no approval, no qualification). */
  bookable: InstrumentRef[];
  /** Any requesting institution for duplicate checks (a member of the federation). */
  requestingInstitution: string;
  titles: string[];
  /** Weekday dates (Tokyo) from two weeks ahead, `YYYY-MM-DD`. */
  days: string[];
  fiscalYear: number;
  /** Where deep paging starts: the federation's cursor and the centralised key after the same hit. */
  deep: { query: string; cursor: string; after: { key: number; id: string } } | null;
}

/** One instrument in both systems: its global id in the federation and its id in the central catalogue. */
export interface InstrumentRef {
  global: string;
  local: string;
}

export function instrumentRef(institution: string, id: number): InstrumentRef {
  return { global: encodeGlobalId('Instrument', institution, String(id)), local: String(id) };
}

export interface Scenario {
  name: string;
  /** What it measures, for the report. */
  description: string;
  federation: (t: Targets) => Promise<LoadSpec>;
  central: (t: Targets) => Promise<LoadSpec>;
  /** Slow enough (a second or more a request) to be measured at one client only. */
  heavy?: boolean;
  /** The search input of the centralised call, for the raw SQL floor (searches without availability only). */
  floor?: (t: Targets) => Record<string, unknown>[];
}

const body = (query: string, variables: Record<string, unknown>) => JSON.stringify({ query, variables });
const rotate = <T>(values: readonly T[], i: number): T => values[i % values.length]!;

const PUBLIC_SEARCH = `query Search($query: String, $filter: InstrumentFilter, $sort: InstrumentSort, $first: Int, $after: String) {
  searchInstruments(query: $query, filter: $filter, sort: $sort, first: $first, after: $after) {
    totalCount
    edges { cursor score distanceKm node { id name nameEn category manufacturer model acquisitionPrice
      location { latitude longitude } institution { code name } fees { userCategory mode hourlyRate } } }
    pageInfo { hasNextPage endCursor }
    facets { categories { value count } institutions { value count } }
    unavailableInstitutions { code } } }`;

const PAGE = 20;

interface SearchShape {
  query: string | null;
  categories?: string[];
  sharedExternally?: boolean;
  minAcquisitionPrice?: number;
  near?: { point: { latitude: number; longitude: number }; radiusKm: number };
  availableIn?: { from: string; to: string; minutes: number };
  sort?: 'RELEVANCE' | 'DISTANCE';
}

function publicSearch(s: SearchShape, after: string | null = null): string {
  const filter = {
    categories: s.categories ?? null,
    sharedExternally: s.sharedExternally ?? null,
    minAcquisitionPrice: s.minAcquisitionPrice ?? null,
    near: s.near ?? null,
    availableIn: s.availableIn ?? null,
  };
  return body(PUBLIC_SEARCH, { query: s.query, filter, sort: s.sort ?? 'RELEVANCE', first: PAGE, after });
}

/** The input the gateway sends each institution for `s`, sent to the central catalogue instead. */
function localSearchInput(s: SearchShape, after: { key: number; id: string } | null = null): Record<string, unknown> {
  return {
    query: s.query,
    categories: s.categories ?? null,
    minAcquisitionPrice: s.minAcquisitionPrice ?? null,
    sharedExternally: s.sharedExternally ?? null,
    remoteOperable: null,
    near: s.near ?? null,
    fallbackLocation: null,
    availableIn: s.availableIn ?? null,
    asOf: null,
    sort: s.sort ?? 'RELEVANCE',
    after,
    limit: PAGE + 1,
  };
}

function searchScenario(name: string, description: string, shapes: (t: Targets) => SearchShape[], floor = true): Scenario {
  return {
    name,
    description,
    heavy: !floor,
    federation: async (t) => ({
      key: `federation:${name}`,
      url: t.federation.url,
      headers: t.federation.researcher,
      body: (i) => publicSearch(rotate(shapes(t), i)),
    }),
    central: async (t) => ({
      key: `central:${name}`,
      url: t.central.url,
      headers: await t.central.researcher(),
      body: (i) => body(LOCAL_SEARCH, { input: localSearchInput(rotate(shapes(t), i)) }),
    }),
    ...(floor ? { floor: (t: Targets) => shapes(t).map((s) => localSearchInput(s)) } : {}),
  };
}

export const QUERIES = {
  long: [
    '顕微鏡',
    '質量分析',
    'x線回折',
    'クロマトグラフ',
    '分光光度計',
    '遠心機',
    '電子顕微鏡',
    '核磁気共鳴',
    'シーケンサー',
    '共焦点',
  ],
  short: ['顕微', '分析', '装置', '炉', '光', 'x線'],
  english: ['nmr', 'pcr', 'sem', 'system', 'spectrometer', 'analyzer'],
};
const TOKYO = { latitude: 35.69, longitude: 139.69 };

/** Tokyo wall-clock time on `day` as RFC 3339. */
const at = (day: string, minutes: number) =>
  `${day}T${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}:00+09:00`;

/** The search scenarios, also used for the scaling runs. */
export const SEARCH_LONG = searchScenario(
  'search, 3+ characters (ja)',
  'ten Japanese terms of 3–6 characters, relevance order',
  () => QUERIES.long.map((query) => ({ query })),
);
export const SEARCH_SHORT = searchScenario('search, 1–2 characters (ja)', 'six 1–2 character terms (bigram index)', () =>
  QUERIES.short.map((query) => ({ query })),
);

function bookingOutcome(status: number, text: string): Outcome {
  if (status === 200 && !text.includes('"errors"')) return 'ok';
  return text.includes('SLOT_UNAVAILABLE') ? 'refused' : 'error';
}

/** Booking slots that never collide: instrument, weekday and two-hour slot all vary with `i`. */
function spreadSlot(t: Targets, i: number): { instrument: InstrumentRef; start: string; end: string } {
  const pool = Math.min(t.bookable.length, 400);
  const day = Math.floor(i / pool) % t.days.length;
  const slot = Math.floor(i / (pool * t.days.length)) % 4;
  const from = 9 * 60 + slot * 120;
  return { instrument: t.bookable[i % pool]!, start: at(t.days[day]!, from), end: at(t.days[day]!, from + 120) };
}

/** Booking slots on four instruments only: every request queues for the same few row locks. */
function hotSlot(t: Targets, i: number): { instrument: InstrumentRef; start: string; end: string } {
  const hot = t.bookable.slice(-4);
  const s = Math.floor(i / hot.length);
  const day = Math.floor(s / 18) % t.days.length;
  const from = 9 * 60 + (s % 18) * 30;
  return { instrument: hot[i % hot.length]!, start: at(t.days[day]!, from), end: at(t.days[day]!, from + 30) };
}

function bookingScenario(name: string, description: string, slotOf: typeof spreadSlot): Scenario {
  const PUBLIC = `mutation Book($input: BookingInput!, $key: String!) { createBooking(input: $input, idempotencyKey: $key) { id status fee } }`;
  const input = (ref: string, slot: ReturnType<typeof spreadSlot>) => ({
    instrumentId: ref,
    start: slot.start,
    end: slot.end,
    mode: 'SELF',
    purpose: 'benchmark',
  });
  return {
    name,
    description,
    federation: async (t) => ({
      key: `federation:${name}`,
      url: t.federation.url,
      headers: t.federation.researcher,
      classify: bookingOutcome,
      body: (i) => {
        const slot = slotOf(t, i);
        return body(PUBLIC, { input: input(slot.instrument.global, slot), key: `${name}-${i}` });
      },
    }),
    central: async (t) => ({
      key: `central:${name}`,
      url: t.central.url,
      headers: await t.central.researcher(),
      classify: bookingOutcome,
      body: (i) => {
        const slot = slotOf(t, i);
        return body(CREATE_BOOKING, { input: input(slot.instrument.local, slot), idempotencyKey: `${name}-${i}` });
      },
    }),
  };
}

/** Every scenario of the main comparison, in report order. */
export const SCENARIOS: Scenario[] = [
  SEARCH_LONG,
  SEARCH_SHORT,
  searchScenario('search, English', 'six English terms (nmr, pcr, sem, …)', () => QUERIES.english.map((query) => ({ query }))),
  searchScenario('search, filtered', '分析 or 装置 in three categories, shared externally, ≥ ¥10M', () =>
    ['分析', '装置'].map((query) => ({
      query,
      categories: ['構造解析/元素分析', '光分析装置', '分析'],
      sharedExternally: true,
      minAcquisitionPrice: 10_000_000,
    })),
  ),
  searchScenario('search, near', 'within 100 km of Tokyo, nearest first (装置 / 顕微鏡 / all)', () =>
    ['装置', '顕微鏡', null].map((query) => ({ query, near: { point: TOKYO, radiusKm: 100 }, sort: 'DISTANCE' as const })),
  ),
  searchScenario(
    'search, availableIn',
    '顕微鏡 / 分析 free for 2 h on a weekday two weeks ahead',
    (t) =>
      ['顕微鏡', '分析'].map((query) => ({
        query,
        availableIn: { from: at(t.days[0]!, 9 * 60), to: at(t.days[0]!, 18 * 60), minutes: 120 },
      })),
    false,
  ),
  {
    name: 'search, deep page',
    description: '装置, the page after the 500th hit (keyset cursor)',
    federation: async (t) => ({
      key: 'federation:deep',
      url: t.federation.url,
      headers: t.federation.researcher,
      body: () => publicSearch({ query: t.deep!.query }, t.deep!.cursor),
    }),
    central: async (t) => ({
      key: 'central:deep',
      url: t.central.url,
      headers: await t.central.researcher(),
      body: () => body(LOCAL_SEARCH, { input: localSearchInput({ query: t.deep!.query }, t.deep!.after) }),
    }),
    floor: (t) => [localSearchInput({ query: t.deep!.query }, t.deep!.after)],
  },
  {
    name: 'instrument page',
    description: 'one instrument with fees and a week of free time',
    federation: async (t) => ({
      key: 'federation:page',
      url: t.federation.url,
      headers: t.federation.researcher,
      body: (i) =>
        body(
          `query Page($id: ID!, $from: DateTime!, $to: DateTime!) { instrument(id: $id) {
            id name nameEn category manufacturer model description acquisitionPrice building location { latitude longitude }
            sharedExternally requiresApproval requiresQualification institution { code name }
            fees { userCategory mode hourlyRate billingUnitMinutes minimumCharge } availability(from: $from, to: $to) { start end } } }`,
          { id: rotate(t.bookable, i).global, from: at(t.days[0]!, 0), to: at(t.days[5]!, 0) },
        ),
    }),
    central: async (t) => ({
      key: 'central:page',
      url: t.central.url,
      headers: await t.central.researcher(),
      body: (i) =>
        body(
          `query Page($ids: [ID!]!, $from: DateTime!, $to: DateTime!) { instruments(ids: $ids) {
            ${INSTRUMENT_FIELDS} availability(from: $from, to: $to) { start end } } }`,
          { ids: [rotate(t.bookable, i).local], from: at(t.days[0]!, 0), to: at(t.days[5]!, 0) },
        ),
    }),
  },
  {
    name: 'quote',
    description: 'the fee of a two-hour booking',
    federation: async (t) => ({
      key: 'federation:quote',
      url: t.federation.url,
      headers: t.federation.researcher,
      body: (i) =>
        body(
          `query Quote($input: BookingInput!) { quoteBooking(input: $input) { amount billableMinutes userCategory lines { label amount } } }`,
          {
            input: {
              instrumentId: rotate(t.bookable, i).global,
              start: at(t.days[1]!, 600),
              end: at(t.days[1]!, 720),
              purpose: 'quote',
            },
          },
        ),
    }),
    central: async (t) => ({
      key: 'central:quote',
      url: t.central.url,
      headers: await t.central.researcher(),
      body: (i) =>
        body(QUOTE_BOOKING, {
          input: {
            instrumentId: rotate(t.bookable, i).local,
            start: at(t.days[1]!, 600),
            end: at(t.days[1]!, 720),
            purpose: 'quote',
          },
        }),
    }),
  },
  bookingScenario('booking, spread', 'a confirmed booking, each on another instrument or slot (no contention)', spreadSlot),
  bookingScenario('booking, contended', 'half-hour bookings on the same 4 instruments (row-lock queue)', hotSlot),
  {
    name: 'duplicate check',
    description: 'one ¥30M proposal, a title from the national file (stored, with its digest)',
    federation: async (t) => ({
      key: 'federation:dup',
      url: t.federation.url,
      headers: t.federation.funder,
      body: (i) =>
        body(
          `mutation Check($input: PurchaseProposalInput!) { checkDuplicatePurchase(input: $input) { id verdict digest
            candidates { score instrument { id name institution { code } } } } }`,
          {
            input: {
              title: rotate(t.titles, i),
              estimatedPrice: 30_000_000,
              institution: t.requestingInstitution,
              grantId: `B-${i}`,
            },
          },
        ),
    }),
    central: async (t) => ({
      key: 'central:dup',
      url: t.central.url,
      headers: await t.central.funder(),
      body: (i) => body(EQUIVALENT_INSTRUMENTS, { probes: [{ title: rotate(t.titles, i) }], limit: 10 }),
    }),
  },
  {
    name: 'national sharing report',
    heavy: true,
    description: 'the current fiscal year, every institution, with its not-shared ¥10M+ instruments',
    federation: async (t) => ({
      key: 'federation:report',
      url: t.federation.url,
      headers: t.federation.funder,
      body: () =>
        body(
          `query Report($year: Int!) { sharingReport(fiscalYear: $year) { sharingRate instrumentsAtOrAboveThreshold
            sharedAtOrAboveThreshold utilization externalUseShare notShared { id name } } }`,
          { year: t.fiscalYear },
        ),
    }),
    central: async (t) => ({
      key: 'central:report',
      url: t.central.url,
      headers: await t.central.funder(),
      body: () => body(SHARING_STATS, { fiscalYear: t.fiscalYear }),
    }),
  },
];

import {
  getNamedType,
  getNullableType,
  isInputObjectType,
  isListType,
  isObjectType,
  isScalarType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BookingsRepository } from '@kyoyo/equipment-service';
import { createGatewaySchema } from '@kyoyo/gateway';
import { startFederation, uniqueCode, type GraphQLAnswer, type TestFederation } from './support/federation';

/**
 * Hostile and broken input through the gateway: malformed requests, wrong types, oversized and control-laden
 * strings, SQL- and script-looking text in every text input of the schema, invalid ids and cursors, broken CSV.
 * Every refusal is a coded GraphQL error (never HTTP 500, never INTERNAL_SERVER_ERROR) and writes nothing to
 * any database; text that is accepted is stored and returned byte for byte.
 */

const owner = {
  code: uniqueCode('owner'),
  name: '京都大学',
  prefecture: '京都府',
  location: { latitude: 35.0262, longitude: 135.7808 },
};
const home = {
  code: uniqueCode('home'),
  name: '東北大学',
  prefecture: '宮城県',
  location: { latitude: 38.2547, longitude: 140.838 },
};

/** The gateway's request body limit (startFederation). */
const BODY_LIMIT = 1024 * 1024;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** `extensions.code`s a refusal may carry: the contract's and GraphQL's own. */
const CODED = [
  'BAD_USER_INPUT',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'SLOT_UNAVAILABLE',
  'NOT_SHARED',
  'NOT_OFFERED',
  'QUALIFICATION_REQUIRED',
  'IDEMPOTENCY_CONFLICT',
  'INSTITUTION_UNAVAILABLE',
  'LIMIT_EXCEEDED',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
];

type Vars = Record<string, unknown>;
type TokenName = 'researcher' | 'office' | 'admin' | 'funder';
interface Answer extends GraphQLAnswer<Record<string, unknown>> {
  text: string;
}

let federation: TestFederation;
const tokens = {} as Record<TokenName, string>;
/** Fixture ids: instruments, a booking, a blackout, a duplicate check and its digest, a search cursor. */
const fx = {} as Record<
  'instrument' | 'approval' | 'booking' | 'blackout' | 'check' | 'digest' | 'cursor' | 'cursorQuery',
  string
>;

const globalId = (kind: string, institution: string, localId: string | number) =>
  Buffer.from(`${kind}:${institution}:${localId}`, 'utf8').toString('base64url');
const localIdOf = (id: string) => Number(Buffer.from(id, 'base64url').toString('utf8').split(':').at(-1));

/** A fresh one-hour slot in the future for every booking this file makes (its instruments are always open). */
let slots = 0;
const slotBase = Math.ceil((Date.now() + 4 * DAY) / HOUR) * HOUR;
function nextSlot(): { start: string; end: string } {
  const start = slotBase + slots++ * HOUR;
  return { start: new Date(start).toISOString(), end: new Date(start + HOUR).toISOString() };
}

// ---------------------------------------------------------------------------------------------------------
// Talking to the gateway

/** Sends a raw request to the gateway's GraphQL endpoint. */
async function send(request: {
  method?: 'GET' | 'POST';
  body?: string | Uint8Array;
  contentType?: string | null;
  search?: string;
  headers?: Record<string, string>;
  token?: string;
}): Promise<Answer> {
  const url = new URL(federation.gatewayUrl);
  if (request.search) url.search = request.search;
  const headers: Record<string, string> = { ...request.headers };
  const contentType = request.contentType === undefined ? 'application/json' : request.contentType;
  if (contentType) headers['content-type'] = contentType;
  if (request.token) headers.authorization = `Bearer ${request.token}`;
  const response = await fetch(url, { method: request.method ?? 'POST', headers, body: request.body });
  const text = await response.text();
  let parsed: object = {};
  try {
    parsed = JSON.parse(text) as object;
  } catch {
    // checked by the caller through `errors`
  }
  return { status: response.status, text, ...importRefusal(parsed) };
}

/**
 * `importInstruments` refuses a bad CSV with a report naming every bad row (and writes nothing) rather than
 * an error; here such a report counts as a refusal of `csv` (BAD_USER_INPUT), so that every case below
 * holds it to the same rules as any other refusal.
 */
function importRefusal(parsed: object): object {
  const answer = parsed as { data?: { importInstruments?: { errors?: unknown[] } }; errors?: unknown[] };
  const reported = answer.data?.importInstruments?.errors?.length ?? 0;
  if (answer.errors || reported === 0) return parsed;
  return {
    ...parsed,
    errors: [{ message: `${reported} bad row(s) reported`, extensions: { code: 'BAD_USER_INPUT', field: 'csv' } }],
  };
}

function gql(document: string, variables: Vars, token?: string | null): Promise<Answer> {
  return send({ body: JSON.stringify({ query: document, variables }), token: token ?? undefined });
}

const codesOf = (answer: Answer) => (answer.errors ?? []).map((e) => e.extensions?.code);

/** A refusal: no 5xx, at least one error, every error coded (and with one of `codes` when given). */
function expectRefused(answer: Answer, codes: readonly string[] = CODED, label = ''): void {
  const context = `${label} ${answer.status} ${answer.text.slice(0, 500)}`;
  expect(answer.status, context).toBeLessThan(500);
  expect(answer.errors?.length ?? 0, context).toBeGreaterThan(0);
  for (const code of codesOf(answer)) expect(codes, context).toContain(code);
}

// ---------------------------------------------------------------------------------------------------------
// What the databases hold

/** Per database: one statement that counts and digests the rows of each of its tables. */
const snapshotStatements = new Map<string, string>();

/**
 * Every table of the gateway's and every service's database, as its row count and an MD5 of all its rows: a
 * refused call must leave both alone (a count alone would miss a half-written update).
 */
async function snapshot(): Promise<Record<string, string>> {
  const databases = [
    ['gateway', federation.gatewayDatabase.sql] as const,
    ...[...federation.services].map(([code, service]) => [code, service.database.sql] as const),
  ];
  const result: Record<string, string> = {};
  for (const [name, sql] of databases) {
    let statement = snapshotStatements.get(name);
    if (!statement) {
      const tables = await sql<{ schema: string; name: string }[]>`
        SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
        WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')
        ORDER BY 1, 2`;
      statement = tables
        .map(
          (t) =>
            `SELECT '${t.schema}.${t.name}' AS t, count(*)::int AS n, ` +
            `coalesce(md5(string_agg(x::text, E'\\n' ORDER BY x::text)), '') AS h FROM "${t.schema}"."${t.name}" x`,
        )
        .join(' UNION ALL ');
      snapshotStatements.set(name, statement);
    }
    for (const row of await sql.unsafe<{ t: string; n: number; h: string }[]>(statement)) {
      // The gateway's national catalogue is the harvest's, derived from the services' tables checked here
      // (their change feeds included); its background polling writes freshness times whatever a request does.
      if (name === 'gateway' && row.t.startsWith('public.catalogue_')) continue;
      result[`${name}:${row.t}`] = `${row.n} ${row.h}`;
    }
  }
  expect(Object.keys(result).some((t) => t.endsWith('.bookings'))).toBe(true);
  return result;
}

/** Runs `act` and checks that it refused with a coded error and wrote nothing anywhere. */
async function refusedWithoutWriting(act: () => Promise<Answer>, codes: readonly string[] = CODED, label = ''): Promise<Answer> {
  const before = await snapshot();
  const answer = await act();
  expectRefused(answer, codes, label);
  expect(await snapshot(), `${label}: something was written`).toEqual(before);
  return answer;
}

// ---------------------------------------------------------------------------------------------------------
// Every text input of the public schema

/** A String or ID the schema accepts somewhere: an argument, or a field of an input object, or a list item. */
interface TextSlot {
  operation: string;
  kind: 'query' | 'mutation';
  field: GraphQLField<unknown, unknown>;
  /** Argument name, input field names and `[]` for list items, e.g. `input`, `keywords`, `[]`. */
  path: string[];
  type: 'String' | 'ID';
}

const schema = createGatewaySchema();

function textSlotsOf(kind: 'query' | 'mutation', type: GraphQLObjectType | null | undefined): TextSlot[] {
  const slots: TextSlot[] = [];
  for (const field of Object.values(type?.getFields() ?? {})) {
    const walk = (input: GraphQLInputType, path: string[], depth: number) => {
      const inner = getNullableType(input);
      if (depth > 6) return;
      if (isListType(inner)) walk(inner.ofType as GraphQLInputType, [...path, '[]'], depth + 1);
      else if (isScalarType(inner) && (inner.name === 'String' || inner.name === 'ID')) {
        slots.push({ operation: field.name, kind, field, path, type: inner.name });
      } else if (isInputObjectType(inner)) {
        for (const child of Object.values(inner.getFields())) walk(child.type, [...path, child.name], depth + 1);
      }
    };
    for (const arg of field.args) walk(arg.type, [arg.name], 0);
  }
  return slots;
}

const TEXT_SLOTS = [...textSlotsOf('query', schema.getQueryType()), ...textSlotsOf('mutation', schema.getMutationType())];
/** `input.keywords.[]` → `input.keywords[0]`: how errors name the input at fault. */
const fieldNameOf = (path: string[]) => path.join('.').replace(/\.\[\]/g, '[0]');
const slotName = (slot: TextSlot) => `${slot.operation}(${fieldNameOf(slot.path)})`;

/** The operation document for `field`, passing every argument as a variable of the argument's own type. */
function documentOf(kind: 'query' | 'mutation', field: GraphQLField<unknown, unknown>, selection: string): string {
  const definitions = field.args.map((a) => `$${a.name}: ${String(a.type)}`).join(', ');
  const args = field.args.map((a) => `${a.name}: $${a.name}`).join(', ');
  return `${kind} Hostile${definitions ? `(${definitions})` : ''} { ${field.name}${args ? `(${args})` : ''} ${selection} }`;
}

/**
 * `base` with `value` at `path`: a list item (`[]`) last in the path replaces the list with `[value]`; one
 * inside the path changes the list's first item.
 */
function withValue<T>(base: T, path: readonly string[], value: unknown): T {
  if (path.length === 0) return value as T;
  const [key, ...rest] = path as [string, ...string[]];
  if (key === '[]') {
    if (rest.length === 0) return [value] as T;
    const list = Array.isArray(base) ? (base as unknown[]) : [];
    return [withValue(list[0] ?? {}, rest, value), ...list.slice(1)] as T;
  }
  const object = (base && typeof base === 'object' ? base : {}) as Vars;
  return { ...object, [key]: withValue(object[key], rest, value) } as T;
}

/**
 * How each operation with text input is called validly, and where what it stores can be read back.
 * `variables()` may make what the call needs (a booking to cancel); `consumes` says a successful call used it up.
 */
interface OperationSpec {
  token: TokenName | null;
  selection: string;
  variables: () => Vars | Promise<Vars>;
  consumes?: boolean;
  /** The stored value of each stored text input (by `fieldNameOf` path), read back after a successful call. */
  readBack?: (variables: Vars, data: Record<string, unknown>) => Promise<Record<string, unknown>>;
}

const INSTRUMENT_TEXTS = ['name', 'nameEn', 'category', 'manufacturer', 'model', 'description', 'building'] as const;
const PROPOSAL_TEXTS = ['title', 'category', 'manufacturer', 'model', 'fundingProgram', 'grantId'] as const;
const BOOKING_SELECTION = '{ id purpose fundingSource cancelReason decisionNote status }';
const CHECK_SELECTION = `{ id proposal { ${PROPOSAL_TEXTS.join(' ')} keywords } }`;

const bookingInput = (instrumentId = fx.instrument) => ({
  instrumentId,
  ...nextSlot(),
  purpose: '構造解析',
  fundingSource: 'KAKENHI JP23H01234',
});
const proposal = () => ({
  title: '単結晶X線回折装置',
  category: 'X線回折',
  manufacturer: 'リガク',
  model: 'XtaLAB Synergy-S',
  estimatedPrice: 30_000_000,
  institution: owner.code,
  fundingProgram: '科研費',
  grantId: 'JP23H01234',
  keywords: ['単結晶'],
});

async function book(instrumentId: string): Promise<string> {
  const answer = await gql(
    'mutation ($input: BookingInput!, $key: String!) { createBooking(input: $input, idempotencyKey: $key) { id } }',
    { input: bookingInput(instrumentId), key: `fixture-${slots}` },
    tokens.researcher,
  );
  expect(answer.errors).toBeUndefined();
  return (answer.data!.createBooking as { id: string }).id;
}

async function readBooking(id: string): Promise<Record<string, unknown>> {
  const answer = await gql(`query ($id: ID!) { booking(id: $id) ${BOOKING_SELECTION} }`, { id }, tokens.admin);
  expect(answer.errors).toBeUndefined();
  return answer.data!.booking as Record<string, unknown>;
}

const OPERATIONS: Record<string, OperationSpec> = {
  instrument: { token: null, selection: '{ id }', variables: () => ({ id: fx.instrument }) },
  booking: { token: 'researcher', selection: '{ id }', variables: () => ({ id: fx.booking }) },
  searchInstruments: {
    token: null,
    selection: '{ totalCount edges { node { id } } }',
    variables: () => ({ query: 'NMR', first: 5, filter: { categories: ['NMR'], prefectures: [owner.prefecture] } }),
  },
  quoteBooking: { token: 'researcher', selection: '{ amount }', variables: () => ({ input: bookingInput() }) },
  createBooking: {
    token: 'researcher',
    selection: BOOKING_SELECTION,
    variables: () => ({ input: bookingInput(), idempotencyKey: `key-${slots}` }),
    readBack: async (_vars, data) => {
      const read = await readBooking((data.createBooking as { id: string }).id);
      return { 'input.purpose': read.purpose, 'input.fundingSource': read.fundingSource };
    },
  },
  cancelBooking: {
    token: 'researcher',
    selection: BOOKING_SELECTION,
    consumes: true,
    variables: async () => ({ id: await book(fx.instrument), reason: '予定変更' }),
    readBack: async (vars) => ({ reason: (await readBooking(vars.id as string)).cancelReason }),
  },
  decideBooking: {
    token: 'admin',
    selection: BOOKING_SELECTION,
    consumes: true,
    variables: async () => ({ id: await book(fx.approval), approve: true, note: '承認' }),
    readBack: async (vars) => ({ note: (await readBooking(vars.id as string)).decisionNote }),
  },
  recordBookingOutcome: {
    token: 'admin',
    selection: BOOKING_SELECTION,
    consumes: true,
    variables: async () => ({ id: await pastBooking(), outcome: 'COMPLETED', note: '完了' }),
    readBack: async (vars) => ({ note: (await readBooking(vars.id as string)).decisionNote }),
  },
  institutionBookings: { token: 'admin', selection: '{ id }', variables: () => ({ institution: owner.code }) },
  qualifications: { token: 'admin', selection: '{ userId }', variables: () => ({ instrumentId: fx.instrument }) },
  grantQualification: {
    token: 'admin',
    selection: '',
    variables: () => ({ instrumentId: fx.instrument, userId: 'u-granted' }),
    readBack: async (vars) => {
      const answer = await gql(
        'query ($id: ID!) { qualifications(instrumentId: $id) { userId } }',
        { id: fx.instrument },
        tokens.admin,
      );
      const users = (answer.data!.qualifications as { userId: string }[]).map((q) => q.userId);
      return { userId: users.find((u) => u === vars.userId) ?? `not among ${JSON.stringify(users)}` };
    },
  },
  revokeQualification: { token: 'admin', selection: '', variables: () => ({ instrumentId: fx.instrument, userId: 'u-granted' }) },
  usageStatement: { token: 'admin', selection: '{ total }', variables: () => ({ institution: owner.code, month: '2025-10' }) },
  notificationDeliveries: { token: 'admin', selection: '{ id state }', variables: () => ({ institution: owner.code }) },
  duplicateCheck: { token: 'funder', selection: '{ id }', variables: () => ({ id: fx.check }) },
  verifyDuplicateCheck: { token: 'funder', selection: '', variables: () => ({ id: fx.check, digest: fx.digest }) },
  sharingReport: { token: 'funder', selection: '{ sharingRate }', variables: () => ({ institution: owner.code }) },
  checkDuplicatePurchase: {
    token: 'funder',
    selection: CHECK_SELECTION,
    variables: () => ({ input: proposal() }),
    readBack: async (_vars, data) => readCheck((data.checkDuplicatePurchase as { id: string }).id, 'input'),
  },
  checkDuplicatePurchases: {
    token: 'funder',
    selection: CHECK_SELECTION,
    variables: () => ({ inputs: [proposal()] }),
    readBack: async (_vars, data) => readCheck((data.checkDuplicatePurchases as { id: string }[])[0]!.id, 'inputs[0]'),
  },
  upsertInstrument: {
    token: 'admin',
    selection: `{ id ${INSTRUMENT_TEXTS.join(' ')} }`,
    variables: () => ({
      input: {
        institution: owner.code,
        localId: 'HOSTILE-1',
        name: '核磁気共鳴装置',
        nameEn: 'NMR spectrometer',
        category: 'NMR',
        manufacturer: '日本電子',
        model: 'JNM-ECZ600R',
        description: '600 MHz',
        building: '理学部1号館',
      },
    }),
    readBack: async (_vars, data) => {
      const id = (data.upsertInstrument as { id: string }).id;
      const answer = await gql(`query ($id: ID!) { instrument(id: $id) { ${INSTRUMENT_TEXTS.join(' ')} } }`, { id });
      const read = answer.data!.instrument as Record<string, unknown>;
      const [row] = await federation.services.get(owner.code)!.database.sql<{ local_id: string }[]>`
        SELECT local_id FROM instruments WHERE id = ${localIdOf(id)}`;
      return {
        'input.localId': row?.local_id,
        ...Object.fromEntries(INSTRUMENT_TEXTS.map((name) => [`input.${name}`, read[name]])),
      };
    },
  },
  importInstruments: {
    token: 'admin',
    selection: '{ created updated errors { row column message } }',
    variables: () => ({ institution: owner.code, csv: 'local_id,name,category\nCSV-1,核磁気共鳴装置,NMR\n', dryRun: true }),
  },
  setOpenHours: {
    token: 'admin',
    selection: '{ weekday }',
    variables: () => ({ instrumentId: fx.instrument, hours: ALL_WEEK }),
  },
  addBlackout: {
    token: 'admin',
    selection: '{ id reason }',
    variables: () => {
      const start = slotBase + 400 * DAY + slots++ * HOUR;
      return {
        instrumentId: fx.instrument,
        start: new Date(start).toISOString(),
        end: new Date(start + HOUR).toISOString(),
        reason: '定期点検',
      };
    },
    readBack: async (vars) => {
      const answer = await gql(
        'query ($id: ID!, $from: DateTime!, $to: DateTime!) { instrument(id: $id) { blackouts(from: $from, to: $to) { reason } } }',
        { id: vars.instrumentId, from: vars.start, to: vars.end },
      );
      const blackouts = (answer.data!.instrument as { blackouts: { reason: string }[] }).blackouts;
      return { reason: blackouts[0]?.reason };
    },
  },
  removeBlackout: { token: 'admin', selection: '', variables: () => ({ id: fx.blackout }) },
  listingChanges: {
    token: 'admin',
    selection: '{ action }',
    variables: () => ({ instrumentId: fx.instrument, first: 10 }),
  },
  decommissionInstrument: {
    token: 'admin',
    selection: '{ id decommissionedAt }',
    consumes: true,
    variables: async () => ({ id: await retiree(), reason: '更新のため', cancelBookings: false }),
  },
  recommissionInstrument: {
    token: 'admin',
    selection: '{ id decommissionedAt }',
    consumes: true,
    variables: async () => {
      const id = await retiree();
      const answer = await gql('mutation ($id: ID!) { decommissionInstrument(id: $id) { id } }', { id }, tokens.admin);
      expect(answer.errors).toBeUndefined();
      return { id };
    },
  },
  roleGrants: {
    token: 'admin',
    selection: '{ id }',
    variables: () => ({ subject: 'office@kyoto-u.ac.jp', institution: owner.code, first: 10 }),
  },
  grantRole: {
    token: 'admin',
    selection: '{ id subject note }',
    variables: () => ({
      input: {
        subject: `office-${++grantees}@kyoto-u.ac.jp`,
        role: 'FACILITY_MANAGER',
        institution: owner.code,
        note: '共用推進室',
      },
    }),
    readBack: async (_vars, data) => {
      const grant = data.grantRole as { subject: string; note: string | null };
      return { 'input.subject': grant.subject, 'input.note': grant.note };
    },
  },
  joinWaitlist: {
    token: 'researcher',
    selection: '{ id active position }',
    consumes: true,
    variables: async () => ({ input: await heldPeriod() }),
  },
  leaveWaitlist: {
    token: 'researcher',
    selection: '{ id endReason }',
    consumes: true,
    variables: async () => {
      const answer = await gql(
        'mutation ($input: WaitlistInput!) { joinWaitlist(input: $input) { id } }',
        { input: await heldPeriod() },
        tokens.researcher,
      );
      expect(answer.errors).toBeUndefined();
      return { id: (answer.data!.joinWaitlist as { id: string }).id };
    },
  },
  revokeRole: {
    token: 'admin',
    selection: '{ id revokeNote }',
    consumes: true,
    variables: async () => {
      const answer = await gql(
        'mutation ($input: RoleGrantInput!) { grantRole(input: $input) { id } }',
        { input: { subject: `leaver-${++grantees}@kyoto-u.ac.jp`, role: 'FACILITY_MANAGER', institution: owner.code } },
        tokens.admin,
      );
      expect(answer.errors).toBeUndefined();
      return { id: (answer.data!.grantRole as { id: string }).id, note: '異動' };
    },
    readBack: async (_vars, data) => ({ note: (data.revokeRole as { revokeNote: string | null }).revokeNote }),
  },
};

let grantees = 0;
let retirees = 0;
/** A fresh listing to decommission (those cases use one up each). */
async function retiree(): Promise<string> {
  const answer = await gql(
    'mutation ($input: InstrumentInput!) { upsertInstrument(input: $input) { id } }',
    { input: { institution: owner.code, localId: `RETIRE-${++retirees}`, name: '退役装置', category: 'NMR' } },
    tokens.admin,
  );
  expect(answer.errors).toBeUndefined();
  return (answer.data!.upsertInstrument as { id: string }).id;
}

const ALL_WEEK = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, opensAt: 0, closesAt: 1440 }));

async function readCheck(id: string, prefix: string): Promise<Record<string, unknown>> {
  const answer = await gql(`query ($id: ID!) { duplicateCheck(id: $id) ${CHECK_SELECTION} }`, { id }, tokens.funder);
  const read = (answer.data!.duplicateCheck as { proposal: Record<string, unknown> }).proposal;
  return {
    ...Object.fromEntries(PROPOSAL_TEXTS.map((name) => [`${prefix}.${name}`, read[name]])),
    [`${prefix}.keywords[0]`]: (read.keywords as string[])[0],
  };
}

/** A booking that started yesterday (made in the owner's database, as a past year of use would be). */
async function pastBooking(): Promise<string> {
  const repository = new BookingsRepository(federation.services.get(owner.code)!.database.db);
  const start = new Date(Math.floor((Date.now() - DAY) / HOUR) * HOUR - slots++ * HOUR);
  const { booking } = await repository.create({
    instrumentId: localIdOf(fx.instrument),
    requesterId: 'r-home',
    requesterOrganization: '東北大学',
    requesterInstitution: home.code,
    userCategory: 'ACADEMIC',
    mode: 'SELF',
    period: { start, end: new Date(start.getTime() + HOUR) },
    status: 'CONFIRMED',
    fee: 3000,
    fundingSource: null,
    purpose: 'measurement',
    idempotencyKey: `past-${slots}`,
    requestHash: 'h',
  });
  return globalId('Booking', owner.code, booking.id);
}

/** A period of the owner's instrument that someone else booked (made in the owner's database): one to wait for. */
async function heldPeriod(): Promise<Vars> {
  const repository = new BookingsRepository(federation.services.get(owner.code)!.database.db);
  const slot = nextSlot();
  await repository.create({
    instrumentId: localIdOf(fx.instrument),
    requesterId: 'r-holder',
    requesterOrganization: '京都大学',
    requesterInstitution: owner.code,
    userCategory: 'INTERNAL',
    mode: 'SELF',
    period: { start: new Date(slot.start), end: new Date(slot.end) },
    status: 'CONFIRMED',
    fee: 1000,
    fundingSource: null,
    purpose: 'measurement',
    idempotencyKey: `held-${slots}`,
    requestHash: 'h',
  });
  return { instrumentId: fx.instrument, ...slot };
}

/** Variables for a call of `operation`, made once and made again after a call that used them up. */
const prepared = new Map<string, Vars>();
async function variablesFor(operation: string): Promise<Vars> {
  const spec = OPERATIONS[operation]!;
  if (!spec.consumes) return spec.variables();
  let vars = prepared.get(operation);
  if (!vars) {
    vars = await spec.variables();
    prepared.set(operation, vars);
  }
  return vars;
}

async function callWith(slot: TextSlot, value: unknown): Promise<{ answer: Answer; variables: Vars }> {
  const spec = OPERATIONS[slot.operation]!;
  const variables = withValue(await variablesFor(slot.operation), slot.path, value);
  const answer = await gql(documentOf(slot.kind, slot.field, spec.selection), variables, spec.token && tokens[spec.token]);
  if (!answer.errors && spec.consumes) prepared.delete(slot.operation);
  return { answer, variables };
}

/** What SQL- and script-looking text must do in each slot: be stored as given, be accepted, or be refused. */
type Expectation = 'stored' | 'accepted' | 'refused' | 'either';
const EXPECTATIONS: Record<string, Expectation> = {
  'quoteBooking(input.purpose)': 'accepted',
  'quoteBooking(input.fundingSource)': 'accepted',
  'createBooking(input.purpose)': 'stored',
  'createBooking(input.fundingSource)': 'stored',
  'createBooking(idempotencyKey)': 'accepted',
  'cancelBooking(reason)': 'stored',
  'decideBooking(note)': 'stored',
  'recordBookingOutcome(note)': 'stored',
  'grantQualification(userId)': 'stored',
  'revokeQualification(userId)': 'accepted',
  'searchInstruments(query)': 'accepted',
  'searchInstruments(filter.categories[0])': 'accepted',
  'searchInstruments(filter.prefectures[0])': 'accepted',
  'searchInstruments(after)': 'refused',
  'usageStatement(month)': 'refused',
  'verifyDuplicateCheck(digest)': 'either',
  'importInstruments(csv)': 'either',
  ...Object.fromEntries(
    [...PROPOSAL_TEXTS, 'keywords[0]'].flatMap((name) => [
      [`checkDuplicatePurchase(input.${name})`, 'stored'],
      [`checkDuplicatePurchases(inputs[0].${name})`, 'stored'],
    ]),
  ),
  ...Object.fromEntries(['localId', ...INSTRUMENT_TEXTS].map((name) => [`upsertInstrument(input.${name})`, 'stored'])),
  'addBlackout(reason)': 'stored',
  'decommissionInstrument(reason)': 'accepted',
  // A subject is the identity provider's opaque `sub`: any text that is not hostile is someone's.
  'grantRole(input.subject)': 'stored',
  'grantRole(input.note)': 'stored',
  'roleGrants(subject)': 'accepted',
  'revokeRole(note)': 'stored',
};
/** Ids and institution codes name something: text that is not one is refused; other text is up to the operation. */
const expectationOf = (slot: TextSlot): Expectation =>
  EXPECTATIONS[slotName(slot)] ?? (slot.type === 'ID' ? 'refused' : 'either');

// ---------------------------------------------------------------------------------------------------------
// The world

beforeAll(async () => {
  federation = await startFederation([owner, home]);
  tokens.researcher = await federation.token({ id: 'r-home', institution: home.code, organization: '東北大学' });
  tokens.office = await federation.token({ id: 'office-owner', institution: owner.code, roles: ['FACILITY_MANAGER'] });
  tokens.admin = await federation.token({ id: 'admin-1', roles: ['ADMIN'] });
  tokens.funder = await federation.token({ id: 'jsps-1', organization: '日本学術振興会', roles: ['FUNDER'] });

  const list = async (localId: string, extra: Vars = {}) => {
    const answer = await gql(
      'mutation ($input: InstrumentInput!) { upsertInstrument(input: $input) { id } }',
      {
        input: {
          institution: owner.code,
          localId,
          name: `核磁気共鳴装置 ${localId}`,
          category: 'NMR',
          sharedExternally: true,
          acquisitionPrice: 80_000_000,
          fees: [{ userCategory: 'ACADEMIC', mode: 'SELF', hourlyRate: 3000 }],
          ...extra,
        },
      },
      tokens.office,
    );
    expect(answer.errors).toBeUndefined();
    const id = (answer.data!.upsertInstrument as { id: string }).id;
    const hours = await gql(
      'mutation ($id: ID!, $hours: [OpenHoursInput!]!) { setOpenHours(instrumentId: $id, hours: $hours) { weekday } }',
      { id, hours: ALL_WEEK },
      tokens.office,
    );
    expect(hours.errors).toBeUndefined();
    return id;
  };
  fx.instrument = await list('NMR-1');
  fx.approval = await list('APP-1', { requiresApproval: true });
  fx.booking = await book(fx.instrument);
  const blackout = await gql(
    'mutation ($id: ID!, $start: DateTime!, $end: DateTime!) { addBlackout(instrumentId: $id, start: $start, end: $end) { id } }',
    {
      id: fx.instrument,
      start: new Date(slotBase + 300 * DAY).toISOString(),
      end: new Date(slotBase + 300 * DAY + HOUR).toISOString(),
    },
    tokens.office,
  );
  expect(blackout.errors).toBeUndefined();
  fx.blackout = (blackout.data!.addBlackout as { id: string }).id;
  const check = await gql(
    'mutation ($input: PurchaseProposalInput!) { checkDuplicatePurchase(input: $input) { id digest } }',
    { input: proposal() },
    tokens.funder,
  );
  expect(check.errors).toBeUndefined();
  fx.check = (check.data!.checkDuplicatePurchase as { id: string }).id;
  fx.digest = (check.data!.checkDuplicatePurchase as { digest: string }).digest;
  fx.cursorQuery = '核磁気共鳴装置';
  const page = await gql('query ($q: String) { searchInstruments(query: $q, first: 1) { pageInfo { endCursor } } }', {
    q: fx.cursorQuery,
  });
  fx.cursor = (page.data!.searchInstruments as { pageInfo: { endCursor: string } }).pageInfo.endCursor;
  expect(fx.cursor).toBeTruthy();
});

afterAll(() => federation?.stop());

describe('the schema’s text inputs', () => {
  it('are all exercised: every operation with a String or ID input has a way to be called here', () => {
    const operations = [...new Set(TEXT_SLOTS.map((s) => s.operation))];
    expect(operations.filter((o) => !OPERATIONS[o])).toEqual([]);
    expect(Object.keys(EXPECTATIONS).filter((name) => !TEXT_SLOTS.some((s) => slotName(s) === name))).toEqual([]);
    expect(TEXT_SLOTS.length).toBeGreaterThan(40);
  });

  it('are all arguments of Query and Mutation or fields of their input types (no field below takes text)', () => {
    const nested = Object.values(schema.getTypeMap())
      .filter((type) => isObjectType(type) && !type.name.startsWith('__') && !['Query', 'Mutation'].includes(type.name))
      .flatMap((type) =>
        Object.values((type as GraphQLObjectType).getFields()).flatMap((field) =>
          field.args
            .filter((arg) => ['String', 'ID'].includes(getNamedType(arg.type).name) || isInputObjectType(getNamedType(arg.type)))
            .map((arg) => `${type.name}.${field.name}(${arg.name})`),
        ),
      );
    expect(nested).toEqual([]);
  });

  it('are called validly by every operation here (so that a refusal below is the hostile value’s doing)', async () => {
    for (const operation of Object.keys(OPERATIONS)) {
      const spec = OPERATIONS[operation]!;
      const slot = TEXT_SLOTS.find((s) => s.operation === operation)!;
      const answer = await gql(
        documentOf(slot.kind, slot.field, spec.selection),
        await variablesFor(operation),
        spec.token && tokens[spec.token],
      );
      expect(answer.errors, operation).toBeUndefined();
      if (spec.consumes) prepared.delete(operation);
    }
  });
});

/** One test per row of a table, titled with the row's `name` in full (`it.each` shortens long names). */
function cases<T extends { name: string }>(rows: readonly T[]) {
  return (title: string, run: (row: T) => Promise<void>) => {
    for (const row of rows) it(title.replace('$name', row.name), () => run(row));
  };
}

// ---------------------------------------------------------------------------------------------------------
// Malformed requests

const ME = '{ me { id } }';
const MUTATION = 'mutation { grantQualification(instrumentId: "x", userId: "u") }';
const GET = { method: 'GET' as const, contentType: null, headers: { 'apollo-require-preflight': 'true' } };
const search = (params: Record<string, string>) => new URLSearchParams(params).toString();
const deeplyNested = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;

const MALFORMED: { name: string; request: Parameters<typeof send>[0]; codes?: string[] }[] = [
  {
    name: 'a syntax error',
    request: { body: JSON.stringify({ query: '{ institutions { code ' }) },
    codes: ['GRAPHQL_PARSE_FAILED'],
  },
  {
    name: 'an unterminated string',
    request: { body: JSON.stringify({ query: '{ searchInstruments(query: "NMR) { totalCount } }' }) },
    codes: ['GRAPHQL_PARSE_FAILED'],
  },
  {
    name: 'bare garbage as the query',
    request: { body: JSON.stringify({ query: '@@@ ### !!! \u0000' }) },
    codes: ['GRAPHQL_PARSE_FAILED'],
  },
  { name: 'a query that is only whitespace', request: { body: JSON.stringify({ query: '   ' }) } },
  { name: 'an unknown field', request: { body: JSON.stringify({ query: '{ nope }' }) }, codes: ['GRAPHQL_VALIDATION_FAILED'] },
  {
    name: 'a variable of an unknown type',
    request: { body: JSON.stringify({ query: 'query ($x: Nope) { instrument(id: $x) { id } }', variables: { x: 1 } }) },
    codes: ['GRAPHQL_VALIDATION_FAILED'],
  },
  { name: 'bare garbage as the body', request: { body: 'garbage{{{' } },
  { name: 'a truncated JSON body', request: { body: '{"query": "{ me { id } }"' } },
  { name: 'an empty body', request: { body: '' } },
  { name: 'an empty JSON object', request: { body: '{}' } },
  { name: 'a JSON array', request: { body: JSON.stringify([{ query: ME }]) } },
  { name: 'a JSON string', request: { body: JSON.stringify(ME) } },
  { name: 'a JSON number', request: { body: '42' } },
  { name: 'JSON null', request: { body: 'null' } },
  { name: 'JSON true', request: { body: 'true' } },
  { name: 'a query that is a number', request: { body: JSON.stringify({ query: 42 }) } },
  { name: 'a query that is an array', request: { body: JSON.stringify({ query: [ME] }) } },
  { name: 'a query that is an object', request: { body: JSON.stringify({ query: { me: 'id' } }) } },
  { name: 'a query that is null', request: { body: JSON.stringify({ query: null }) } },
  { name: 'variables that are a string', request: { body: JSON.stringify({ query: ME, variables: 'x' }) } },
  { name: 'variables that are an array', request: { body: JSON.stringify({ query: ME, variables: [1] }) } },
  { name: 'variables that are a number', request: { body: JSON.stringify({ query: ME, variables: 42 }) } },
  { name: 'extensions that are a string', request: { body: JSON.stringify({ query: ME, extensions: 'x' }) } },
  { name: 'an operationName that is a number', request: { body: JSON.stringify({ query: ME, operationName: 5 }) } },
  { name: 'an unknown operationName', request: { body: JSON.stringify({ query: 'query A { me { id } }', operationName: 'B' }) } },
  {
    name: 'two operations and no operationName',
    request: { body: JSON.stringify({ query: 'query A { me { id } } query B { me { id } }' }) },
  },
  { name: 'invalid UTF-8', request: { body: new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0xc0, 0x80, 0x22, 0x7d]) } },
  {
    name: 'invalid UTF-8 inside a string of valid JSON (refused, not read as U+FFFD)',
    request: {
      body: Buffer.concat([
        Buffer.from('{"query": "query ($q: String) { searchInstruments(query: $q) { totalCount } }", "variables": {"q": "a'),
        Buffer.from([0xff]),
        Buffer.from('b"}}'),
      ]),
    },
    codes: ['BAD_USER_INPUT'],
  },
  {
    name: 'a variable nested 100,000 deep',
    request: {
      body: `{"query": "query ($x: String) { searchInstruments(query: $x) { totalCount } }", "variables": {"x": ${deeplyNested}}}`,
    },
  },
  {
    name: 'a non-finite number (1e400)',
    request: { body: `{"query": "query ($f: Int) { searchInstruments(first: $f) { totalCount } }", "variables": {"f": 1e400}}` },
  },
  { name: 'a form-encoded POST', request: { body: search({ query: ME }), contentType: 'application/x-www-form-urlencoded' } },
  { name: 'a text/plain POST (CSRF)', request: { body: JSON.stringify({ query: MUTATION }), contentType: 'text/plain' } },
  { name: 'a GET with a mutation', request: { ...GET, search: search({ query: MUTATION }) } },
  { name: 'a GET with a syntax error', request: { ...GET, search: search({ query: '{ me { id ' }) } },
  { name: 'a GET with no query', request: { ...GET, search: '' } },
  { name: 'a GET with variables that are not JSON', request: { ...GET, search: search({ query: ME, variables: '{x' }) } },
  { name: 'a GET with two query parameters', request: { ...GET, search: `${search({ query: ME })}&${search({ query: ME })}` } },
];

describe('malformed requests', () => {
  cases(MALFORMED)('$name: a coded error, nothing written', async ({ request, codes }) => {
    const answer = await refusedWithoutWriting(() => send({ token: tokens.admin, ...request }), codes ?? CODED);
    if (codes) expect(codesOf(answer)).toEqual(codes);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Wrong types in variables

const QUOTE = 'query ($input: BookingInput!) { quoteBooking(input: $input) { amount } }';
const CREATE = 'mutation ($input: BookingInput!, $key: String!) { createBooking(input: $input, idempotencyKey: $key) { id } }';
const SEARCH_FIRST = 'query ($first: Int) { searchInstruments(first: $first) { totalCount } }';
const SEARCH_QUERY = 'query ($query: String) { searchInstruments(query: $query) { totalCount } }';
const SEARCH_FILTER =
  'query ($filter: InstrumentFilter, $sort: InstrumentSort) { searchInstruments(filter: $filter, sort: $sort) { totalCount } }';
const INSTRUMENT = 'query ($id: ID!) { instrument(id: $id) { id } }';
const MY_BOOKINGS = 'query ($from: DateTime, $to: DateTime) { myBookings(from: $from, to: $to) { id } }';
const GRANT =
  'mutation ($id: ID!, $user: ID!, $until: Date) { grantQualification(instrumentId: $id, userId: $user, expiresOn: $until) }';
const UPSERT = 'mutation ($input: InstrumentInput!) { upsertInstrument(input: $input) { id } }';
const CHECK = 'mutation ($input: PurchaseProposalInput!) { checkDuplicatePurchase(input: $input) { id } }';
const DECIDE = 'mutation ($id: ID!, $approve: Boolean!) { decideBooking(id: $id, approve: $approve) { id } }';
const OPEN_HOURS =
  'mutation ($id: ID!, $hours: [OpenHoursInput!]!) { setOpenHours(instrumentId: $id, hours: $hours) { weekday } }';

const listing = (extra: Vars) => ({
  input: { institution: owner.code, localId: 'TYPED-1', name: '装置', category: 'NMR', ...extra },
});
const quoteWith = (extra: Vars) => ({ input: { ...bookingInput(), ...extra } });
const createWith = (extra: Vars) => ({ input: { ...bookingInput(), ...extra }, key: `typed-${slots}` });
const proposalWith = (extra: Vars) => ({ input: { ...proposal(), ...extra } });

const BAD_DATE_TIMES = [
  '2026-13-45T10:00:00+09:00',
  '2026-02-30T10:00:00+09:00',
  '2027-02-29T10:00:00+09:00',
  '2026-12-01T10:00:00',
  '2026-12-01 10:00',
  '2026-12-01',
  '2026-12-01T24:30:00+09:00',
  '2026-12-01T10:00:00+25:00',
  '2026-12-01T10:61:00+09:00',
  '+275760-09-13T00:00:01Z',
  'tomorrow',
  '',
  1764550800000,
  true,
  { year: 2026 },
];
const BAD_DATES = [
  '2026-13-45',
  '2026-02-30',
  '2026-2-3',
  '20261201',
  '2026-12-01T00:00:00Z',
  '0000-00-00',
  '',
  20261201,
  ['2026-12-01'],
];
const BAD_YEN = [1.5, -1, 2 ** 53, 1e21, '1000', true, [1000], { yen: 1 }];

const WRONG_TYPES: { name: string; document: string; variables: () => Vars; token?: TokenName }[] = [
  { name: 'a string for an Int', document: SEARCH_FIRST, variables: () => ({ first: '10' }) },
  { name: 'a boolean for an Int', document: SEARCH_FIRST, variables: () => ({ first: true }) },
  { name: 'a float for an Int', document: SEARCH_FIRST, variables: () => ({ first: 1.5 }) },
  { name: 'an Int above 2^31-1', document: SEARCH_FIRST, variables: () => ({ first: 2 ** 31 }) },
  { name: 'an Int below -2^31', document: SEARCH_FIRST, variables: () => ({ first: -(2 ** 31) - 1 }) },
  { name: 'a huge number for an Int', document: SEARCH_FIRST, variables: () => ({ first: 1e300 }) },
  { name: 'a negative first', document: SEARCH_FIRST, variables: () => ({ first: -1 }) },
  { name: 'a first above 100', document: SEARCH_FIRST, variables: () => ({ first: 101 }) },
  { name: 'an object for an ID', document: INSTRUMENT, variables: () => ({ id: {} }) },
  { name: 'an array for an ID', document: INSTRUMENT, variables: () => ({ id: ['x'] }) },
  { name: 'a float for an ID', document: INSTRUMENT, variables: () => ({ id: 1.5 }) },
  { name: 'an integer for an ID', document: INSTRUMENT, variables: () => ({ id: 12345 }) },
  { name: 'null for a required ID', document: INSTRUMENT, variables: () => ({ id: null }) },
  { name: 'a missing required variable', document: INSTRUMENT, variables: () => ({}) },
  { name: 'an array for a String', document: SEARCH_QUERY, variables: () => ({ query: ['NMR'] }) },
  { name: 'an object for a String', document: SEARCH_QUERY, variables: () => ({ query: { $ne: null } }) },
  { name: 'a number for a String', document: SEARCH_QUERY, variables: () => ({ query: 42 }) },
  { name: 'a nested list for a [String!]', document: SEARCH_FILTER, variables: () => ({ filter: { categories: [['NMR']] } }) },
  { name: 'null inside a [String!]', document: SEARCH_FILTER, variables: () => ({ filter: { categories: [null] } }) },
  { name: 'a lower-case enum value', document: SEARCH_FILTER, variables: () => ({ sort: 'relevance' }) },
  { name: 'a number for an enum', document: SEARCH_FILTER, variables: () => ({ sort: 1 }) },
  {
    name: 'a string for a Float',
    document: SEARCH_FILTER,
    variables: () => ({ filter: { near: { point: { latitude: '35', longitude: 135 }, radiusKm: 10 } } }),
  },
  {
    name: 'a latitude beyond 90',
    document: SEARCH_FILTER,
    variables: () => ({ filter: { near: { point: { latitude: 91, longitude: 135 }, radiusKm: 10 } } }),
  },
  {
    name: 'a negative radius',
    document: SEARCH_FILTER,
    variables: () => ({ filter: { near: { point: { latitude: 35, longitude: 135 }, radiusKm: -1 } } }),
  },
  { name: 'a string for an input object', document: SEARCH_FILTER, variables: () => ({ filter: 'categories' }) },
  { name: 'an unknown input field', document: SEARCH_FILTER, variables: () => ({ filter: { bogus: 1 } }) },
  ...BAD_YEN.map((value) => ({
    name: `Yen ${JSON.stringify(value)} in a filter`,
    document: SEARCH_FILTER,
    variables: () => ({ filter: { minAcquisitionPrice: value } }),
  })),
  ...BAD_YEN.map((value) => ({
    name: `Yen ${JSON.stringify(value)} as a price`,
    document: CHECK,
    token: 'funder' as const,
    variables: () => proposalWith({ estimatedPrice: value }),
  })),
  ...BAD_YEN.map((value) => ({
    name: `Yen ${JSON.stringify(value)} as an acquisition price`,
    document: UPSERT,
    token: 'admin' as const,
    variables: () => listing({ acquisitionPrice: value }),
  })),
  {
    name: 'a fee of 1.5 yen an hour',
    document: UPSERT,
    token: 'admin',
    variables: () => listing({ fees: [{ userCategory: 'ACADEMIC', mode: 'SELF', hourlyRate: 1.5 }] }),
  },
  {
    name: 'a fee with an unknown category',
    document: UPSERT,
    token: 'admin',
    variables: () => listing({ fees: [{ userCategory: 'STUDENT', mode: 'SELF', hourlyRate: 1 }] }),
  },
  { name: 'a number for a Boolean', document: UPSERT, token: 'admin', variables: () => listing({ sharedExternally: 1 }) },
  { name: 'a string for a Boolean', document: DECIDE, token: 'admin', variables: () => ({ id: fx.booking, approve: 'true' }) },
  {
    name: 'expected hours beyond a year',
    document: CHECK,
    token: 'funder',
    variables: () => proposalWith({ expectedHoursPerYear: 9000 }),
  },
  {
    name: 'a float for expected hours',
    document: CHECK,
    token: 'funder',
    variables: () => proposalWith({ expectedHoursPerYear: 1.5 }),
  },
  {
    name: 'a weekday of 8',
    document: OPEN_HOURS,
    token: 'admin',
    variables: () => ({ id: fx.instrument, hours: [{ weekday: 8, opensAt: 0, closesAt: 60 }] }),
  },
  {
    name: 'closing before opening',
    document: OPEN_HOURS,
    token: 'admin',
    variables: () => ({ id: fx.instrument, hours: [{ weekday: 1, opensAt: 600, closesAt: 60 }] }),
  },
  {
    name: 'opening at minute 1.5',
    document: OPEN_HOURS,
    token: 'admin',
    variables: () => ({ id: fx.instrument, hours: [{ weekday: 1, opensAt: 1.5, closesAt: 60 }] }),
  },
  { name: 'null for a required input', document: CREATE, token: 'researcher', variables: () => ({ input: null, key: 'k' }) },
  {
    name: 'a booking input without a purpose',
    document: CREATE,
    token: 'researcher',
    variables: () => {
      const { purpose: _p, ...input } = bookingInput();
      return { input, key: 'k' };
    },
  },
  {
    name: 'a booking input with an unknown field',
    document: CREATE,
    token: 'researcher',
    variables: () => createWith({ bogus: 1 }),
  },
  { name: 'a lower-case operation mode', document: CREATE, token: 'researcher', variables: () => createWith({ mode: 'self' }) },
  ...BAD_DATE_TIMES.map((value) => ({
    name: `DateTime ${JSON.stringify(value)} as a booking start`,
    document: CREATE,
    token: 'researcher' as const,
    variables: () => createWith({ start: value }),
  })),
  ...BAD_DATE_TIMES.map((value) => ({
    name: `DateTime ${JSON.stringify(value)} as a quote end`,
    document: QUOTE,
    token: 'researcher' as const,
    variables: () => quoteWith({ end: value }),
  })),
  ...BAD_DATE_TIMES.map((value) => ({
    name: `DateTime ${JSON.stringify(value)} as myBookings(from)`,
    document: MY_BOOKINGS,
    token: 'researcher' as const,
    variables: () => ({ from: value }),
  })),
  {
    name: 'myBookings from after to',
    document: MY_BOOKINGS,
    token: 'researcher',
    variables: () => ({ from: '2026-12-02T00:00:00+09:00', to: '2026-12-01T00:00:00+09:00' }),
  },
  ...BAD_DATES.map((value) => ({
    name: `Date ${JSON.stringify(value)} as a qualification expiry`,
    document: GRANT,
    token: 'admin' as const,
    variables: () => ({ id: fx.instrument, user: 'u-typed', until: value }),
  })),
  ...BAD_DATES.map((value) => ({
    name: `Date ${JSON.stringify(value)} as an acquisition date`,
    document: UPSERT,
    token: 'admin' as const,
    variables: () => listing({ acquiredOn: value }),
  })),
];

describe('wrong types in variables', () => {
  cases(WRONG_TYPES)('$name: a coded error, nothing written', async ({ document, variables, token }) => {
    await refusedWithoutWriting(() => gql(document, variables(), token && tokens[token]));
  });
});

// ---------------------------------------------------------------------------------------------------------
// Text inputs: too long, control characters, SQL and script

/** The error must name the input at fault; a list may be named as a whole. */
function expectFieldRefused(answer: Answer, slot: TextSlot, label: string): void {
  expectRefused(answer, ['BAD_USER_INPUT'], label);
  const expected = fieldNameOf(slot.path);
  expect([expected, expected.replace(/\[0\]$/, '')], label).toContain(answer.errors![0]!.extensions?.field);
}

/** A call whose body is just under the gateway's limit, `slot` holding all the room there is. */
async function callWithLongest(slot: TextSlot): Promise<Answer> {
  const spec = OPERATIONS[slot.operation]!;
  const document = documentOf(slot.kind, slot.field, spec.selection);
  const base = await variablesFor(slot.operation);
  const room = BODY_LIMIT - JSON.stringify({ query: document, variables: withValue(base, slot.path, '') }).length - 64;
  const variables = withValue(base, slot.path, 'A'.repeat(room));
  const body = JSON.stringify({ query: document, variables });
  expect(Buffer.byteLength(body)).toBeLessThan(BODY_LIMIT);
  expect(Buffer.byteLength(body)).toBeGreaterThan(BODY_LIMIT - 100);
  return send({ body, token: spec.token ? tokens[spec.token] : undefined });
}

describe('very long strings', () => {
  cases(TEXT_SLOTS.map((slot) => ({ slot, name: slotName(slot) })))(
    '$name just under the 1 MB body limit: BAD_USER_INPUT on the field, nothing written',
    async ({ slot, name }) => {
      await variablesFor(slot.operation);
      const answer = await refusedWithoutWriting(() => callWithLongest(slot), CODED, name);
      expectFieldRefused(answer, slot, name);
    },
  );

  it('refuses a body over 1 MB with LIMIT_EXCEEDED and HTTP 413, writing nothing', async () => {
    const answer = await refusedWithoutWriting(
      () =>
        send({
          body: JSON.stringify({
            query: CREATE,
            variables: { input: { ...bookingInput(), purpose: 'A'.repeat(BODY_LIMIT) }, key: 'big' },
          }),
          token: tokens.researcher,
        }),
      ['LIMIT_EXCEEDED'],
    );
    expect(answer.status).toBe(413);
  });
});

const CONTROL_CHARACTERS: [string, string][] = [
  ['NUL', 'ab\u0000cd'],
  ['BEL', 'ab\u0007cd'],
  ['ESC', '\u001b[31mred'],
  ['DEL', 'ab\u007fcd'],
  ['a C1 control', 'ab\u009bcd'],
  ['a lone high surrogate', 'ab\ud800cd'],
  ['a lone low surrogate', 'ab\udc00cd'],
  ['a right-to-left override', 'ab\u202ecd'],
  ['a left-to-right isolate', 'ab\u2066cd'],
];

describe('control characters', () => {
  cases(
    TEXT_SLOTS.flatMap((slot) =>
      CONTROL_CHARACTERS.map(([what, value]) => ({ slot, value, name: `${slotName(slot)} with ${what}` })),
    ),
  )('$name: BAD_USER_INPUT on the field, nothing written', async ({ slot, value, name }) => {
    await variablesFor(slot.operation);
    const answer = await refusedWithoutWriting(async () => (await callWith(slot, value)).answer, CODED, name);
    expectFieldRefused(answer, slot, name);
  });

  cases([
    { name: 'a search', document: '{ searchInstruments(query: "NMR\\u0000") { totalCount } }', token: undefined },
    {
      name: 'a listing',
      document: `mutation { upsertInstrument(input: { institution: "OWNER", localId: "L-1", name: "a\\u0000b", category: "NMR" }) { id } }`,
      token: 'admin' as const,
    },
    {
      name: 'a proposal',
      document: `mutation { checkDuplicatePurchase(input: { title: "a\\ud800b", estimatedPrice: 1, institution: "OWNER" }) { id } }`,
      token: 'funder' as const,
    },
  ])('written into the document ($name): a coded error, nothing written', async ({ document, token }) => {
    await refusedWithoutWriting(
      () => gql(document.replace('OWNER', owner.code), {}, token && tokens[token]),
      ['BAD_USER_INPUT', 'GRAPHQL_PARSE_FAILED'],
    );
  });

  it('keeps line breaks and tabs in texts that may hold several lines', async () => {
    const description = '600 MHz\n\t溶液・固体\r\n測定可';
    const answer = await gql(
      'mutation ($input: InstrumentInput!) { upsertInstrument(input: $input) { description } }',
      { input: { institution: owner.code, localId: 'LINES-1', name: '核磁気共鳴装置', category: 'NMR', description } },
      tokens.admin,
    );
    expect(answer.errors).toBeUndefined();
    expect((answer.data!.upsertInstrument as { description: string }).description).toBe(description);
  });
});

const SQL_AND_SCRIPT = ["'; DROP TABLE instruments; --", '" OR 1=1 --', '<script>alert(1)</script>', '%_\\', '$1', '\\x00'];

describe('SQL- and script-looking text', () => {
  cases(TEXT_SLOTS.flatMap((slot) => SQL_AND_SCRIPT.map((value) => ({ slot, value, name: `${slotName(slot)} = ${value}` }))))(
    '$name',
    async ({ slot, value, name }) => {
      const expectation = expectationOf(slot);
      await variablesFor(slot.operation);
      const before = await snapshot();
      const { answer, variables } = await callWith(slot, value);
      const context = `${name}: ${answer.status} ${answer.text.slice(0, 300)}`;
      expect(answer.status, context).toBeLessThan(500);
      expect(codesOf(answer), context).not.toContain('INTERNAL_SERVER_ERROR');
      // Never escaped on the way back.
      expect(answer.text, context).not.toMatch(/&lt;|&gt;|&quot;|&#\d+;|&amp;|\\\\'/);
      if (expectation === 'refused') {
        expectRefused(answer, ['BAD_USER_INPUT', 'NOT_FOUND'], context);
        expect(await snapshot(), `${context}: something was written`).toEqual(before);
      } else if (expectation === 'either') {
        if (answer.errors) expectRefused(answer, CODED, context);
      } else {
        expect(answer.errors, context).toBeUndefined();
      }
      if (expectation === 'stored' && !answer.errors) {
        const stored = await OPERATIONS[slot.operation]!.readBack!(variables, answer.data!);
        expect(stored[fieldNameOf(slot.path)], context).toBe(value);
      }
    },
  );

  it('matches %, _ and \\ literally in searches, never as LIKE wildcards', async () => {
    const names = ['ωψ%χ', 'ωψ_χ', 'ωψ\\χ', 'ωψaχ', 'ωψχ', 'ωψ%%χ'];
    for (const [i, name] of names.entries()) {
      const answer = await gql(
        UPSERT,
        { input: { institution: owner.code, localId: `WILD-${i}`, name, category: '記号' } },
        tokens.admin,
      );
      expect(answer.errors).toBeUndefined();
    }
    // Search reads the national catalogue, filled asynchronously: wait until it holds these listings.
    await federation.gateway.harvester?.settle();
    const found = async (query: string) => {
      const answer = await gql('query ($q: String) { searchInstruments(query: $q, first: 100) { edges { node { name } } } }', {
        q: query,
      });
      expect(answer.errors, query).toBeUndefined();
      const hits = (answer.data!.searchInstruments as { edges: { node: { name: string } }[] }).edges.map((e) => e.node.name);
      return hits.filter((hit) => names.includes(hit)).sort();
    };
    expect(await found('ωψ%χ')).toEqual(['ωψ%χ']);
    expect(await found('ωψ_χ')).toEqual(['ωψ_χ']);
    expect(await found('ωψ\\χ')).toEqual(['ωψ\\χ']);
    expect(await found('ψ%')).toEqual(['ωψ%%χ', 'ωψ%χ']);
    expect(await found('%%')).toEqual(['ωψ%%χ']);
    expect(await found('_')).toEqual(['ωψ_χ']);
    expect(await found('\\')).toEqual(['ωψ\\χ']);
    expect(await found('%')).toEqual(['ωψ%%χ', 'ωψ%χ']);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Invalid ids and cursors

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
const INVALID_IDS: [string, () => string][] = [
  ['not base64', () => '!!!not-an-id!!!'],
  ['with spaces', () => 'SW5zdHJ1bWVudDpr dXNlcjox'],
  ['base64 with padding', () => `${fx.instrument}==`],
  ['a raw kind:institution:id', () => `Instrument:${owner.code}:1`],
  ['base64 of garbage bytes', () => Buffer.from([0xff, 0x00, 0xfe, 0x81, 0x7f]).toString('base64url')],
  ['base64 of plain words', () => b64('hello world')],
  ['base64 of an unknown kind', () => b64(`Gadget:${owner.code}:1`)],
  ['an instrument of an unknown institution', () => globalId('Instrument', 'nowhere-u', 1)],
  ['an instrument of a malformed institution', () => globalId('Instrument', 'Nowhere U', 1)],
  ['a booking id where an instrument is expected', () => fx.booking],
  ['a blackout id where an instrument is expected', () => fx.blackout],
  ['a duplicate-check id where an instrument is expected', () => fx.check],
  ['a negative number', () => globalId('Instrument', owner.code, -1)],
  ['zero', () => globalId('Instrument', owner.code, 0)],
  ['a huge number', () => globalId('Instrument', owner.code, '99999999999999999999999')],
  ['a float', () => globalId('Instrument', owner.code, '1.5')],
  ['an exponent', () => globalId('Instrument', owner.code, '1e3')],
  ['full-width digits', () => globalId('Instrument', owner.code, '１')],
  ['SQL for a local id', () => globalId('Instrument', owner.code, "1' OR '1'='1")],
  ['a NUL in the local id', () => b64(`Instrument:${owner.code}:1\u0000`)],
  ['a 10 kB id', () => 'A'.repeat(10 * 1024)],
  ['a 10 kB valid-looking id', () => globalId('Instrument', owner.code, '1'.repeat(7000))],
  ['an empty string', () => ''],
];
/** Where an instrument id goes: operation document, variables around it, token. */
const INSTRUMENT_ID_USES: [string, string, (id: string) => Vars, TokenName | null][] = [
  ['instrument(id)', INSTRUMENT, (id) => ({ id }), null],
  ['quoteBooking(input.instrumentId)', QUOTE, (id) => ({ input: bookingInput(id) }), 'researcher'],
  ['createBooking(input.instrumentId)', CREATE, (id) => ({ input: bookingInput(id), key: `id-${slots}` }), 'researcher'],
  [
    'grantQualification(instrumentId)',
    'mutation ($id: ID!) { grantQualification(instrumentId: $id, userId: "u-1") }',
    (id) => ({ id }),
    'admin',
  ],
  ['setOpenHours(instrumentId)', OPEN_HOURS, (id) => ({ id, hours: ALL_WEEK }), 'admin'],
];
/** Where an id of another kind goes; an instrument id is the wrong kind in each. */
const OTHER_ID_USES: [string, string, TokenName][] = [
  ['booking(id)', 'query ($id: ID!) { booking(id: $id) { id } }', 'admin'],
  ['cancelBooking(id)', 'mutation ($id: ID!) { cancelBooking(id: $id) { id } }', 'admin'],
  ['decideBooking(id)', 'mutation ($id: ID!) { decideBooking(id: $id, approve: false) { id } }', 'admin'],
  ['removeBlackout(id)', 'mutation ($id: ID!) { removeBlackout(id: $id) }', 'admin'],
  ['duplicateCheck(id)', 'query ($id: ID!) { duplicateCheck(id: $id) { id } }', 'funder'],
];
const otherIdsOf = (use: string): [string, () => string][] => [
  ...INVALID_IDS.filter(([what]) => !what.includes('where an instrument')),
  ['an instrument id', () => fx.instrument],
  [
    'an unknown one of the right kind',
    () =>
      use.startsWith('duplicateCheck')
        ? globalId('DuplicateCheck', 'kyoyo', '00000000-0000-4000-8000-000000000000')
        : globalId(use.startsWith('removeBlackout') ? 'Blackout' : 'Booking', owner.code, 999_999),
  ],
];

/**
 * A nullable lookup may answer null for a well-formed id that names nothing, and removeBlackout false (nothing
 * removed); everything else is refused.
 */
function expectNotFound(answer: Answer, operation: string, label: string): void {
  const value = (answer.data as Record<string, unknown> | null | undefined)?.[operation];
  if (!answer.errors && value === null && ['instrument', 'booking', 'duplicateCheck'].includes(operation)) return;
  if (!answer.errors && value === false && operation === 'removeBlackout') return;
  expectRefused(answer, ['BAD_USER_INPUT', 'NOT_FOUND'], label);
}

describe('invalid ids', () => {
  cases(
    INSTRUMENT_ID_USES.flatMap(([use, document, variables, token]) =>
      INVALID_IDS.map(([what, id]) => ({ name: `${use}: ${what}`, use, document, variables, token, id })),
    ),
  )('$name: BAD_USER_INPUT or NOT_FOUND, nothing written', async ({ name, use, document, variables, token, id }) => {
    const before = await snapshot();
    const answer = await gql(document, variables(id()), token && tokens[token]);
    expectNotFound(answer, use.split('(')[0]!, name);
    expect(await snapshot(), name).toEqual(before);
  });

  cases(
    OTHER_ID_USES.flatMap(([use, document, token]) =>
      otherIdsOf(use).map(([what, id]) => ({ name: `${use}: ${what}`, use, document, token, id })),
    ),
  )('$name: BAD_USER_INPUT or NOT_FOUND, nothing written', async ({ name, use, document, token, id }) => {
    const before = await snapshot();
    const answer = await gql(document, { id: id() }, tokens[token]);
    expectNotFound(answer, use.split('(')[0]!, name);
    expect(await snapshot(), name).toEqual(before);
  });
});

const SEARCH_AFTER =
  'query ($q: String, $after: String, $sort: InstrumentSort) { searchInstruments(query: $q, after: $after, sort: $sort, first: 5) { totalCount } }';
/** The fixture cursor, decoded, changed and encoded again. */
const tampered = (change: Record<string, unknown>) => {
  const cursor = JSON.parse(Buffer.from(fx.cursor, 'base64url').toString('utf8')) as Record<string, unknown>;
  return b64(JSON.stringify({ ...cursor, ...change }));
};
const INVALID_CURSORS: [string, () => string, Vars?][] = [
  ['not base64', () => '!!!'],
  ['base64 of garbage bytes', () => Buffer.from([0xff, 0x00, 0xfe, 0x81]).toString('base64url')],
  ['base64 of plain words', () => b64('page two please')],
  ['base64 of a JSON array', () => b64('[2, "x"]')],
  ['base64 of JSON null', () => b64('null')],
  ['a 10 kB cursor', () => 'A'.repeat(10 * 1024)],
  ['another search’s cursor', () => fx.cursor, { q: 'X線' }],
  ['another sort’s cursor', () => fx.cursor, { sort: 'PRICE_ASC' }],
  ['an older version', () => tampered({ v: 1 })],
  ['a key that is text', () => tampered({ k: '1; DROP TABLE instruments; --' })],
  ['a local id that is SQL', () => tampered({ d: "1' OR '1'='1" })],
  ['a negative local id', () => tampered({ d: '-1' })],
  ['a huge local id', () => tampered({ d: '9'.repeat(40) })],
  ['a clock that is text', () => tampered({ t: 'soon' })],
  ['no institution', () => tampered({ i: '' })],
  ['a NUL in the institution', () => tampered({ i: 'a\u0000b' })],
];

describe('invalid cursors', () => {
  cases(INVALID_CURSORS.map(([name, after, extra]) => ({ name, after, extra })))(
    '$name: BAD_USER_INPUT on after',
    async ({ after, extra }) => {
      const answer = await refusedWithoutWriting(
        () => gql(SEARCH_AFTER, { q: fx.cursorQuery, after: after(), ...extra }),
        ['BAD_USER_INPUT'],
      );
      expect(answer.errors![0]!.extensions?.field).toBe('after');
    },
  );

  it('still pages with the cursor it issued', async () => {
    const answer = await gql(SEARCH_AFTER, { q: fx.cursorQuery, after: fx.cursor });
    expect(answer.errors).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------------------------
// Broken CSV

const HEADER = 'local_id,name,category';
const BROKEN_CSV: [string, string][] = [
  ['empty', ''],
  ['a BOM only', '\uFEFF'],
  ['a header only', `${HEADER}\n`],
  ['an unterminated quote', `${HEADER}\nCSV-1,"核磁気共鳴装置,NMR\n`],
  ['a stray quote inside a cell', `${HEADER}\nCSV-1,核磁"気,NMR\n`],
  ['a wrong header', 'id,title,kind\n1,装置,NMR\n'],
  ['an unknown column', `${HEADER},colour\nCSV-1,装置,NMR,red\n`],
  ['a duplicated column', `${HEADER},name\nCSV-1,装置,NMR,装置\n`],
  ['a missing required column', 'local_id,name\nCSV-1,装置\n'],
  ['too many cells in a row', `${HEADER}\nCSV-1,装置,NMR,extra\n`],
  ['too few cells in a row', `${HEADER}\nCSV-1,装置\n`],
  ['a NUL in a cell', `${HEADER}\nCSV-1,装\u0000置,NMR\n`],
  ['a lone surrogate in a cell', `${HEADER}\nCSV-1,装\uD800置,NMR\n`],
  ['binary garbage', Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 7919) % 256)).toString('latin1')],
  ['a price that is not whole yen', `${HEADER},acquisition_price\nCSV-1,装置,NMR,1.5\n`],
  ['a date that does not exist', `${HEADER},acquired_on\nCSV-1,装置,NMR,2026-02-30\n`],
  ['a boolean that is not one', `${HEADER},shared_externally\nCSV-1,装置,NMR,maybe\n`],
  [
    'SQL in every cell of an otherwise bad row',
    `${HEADER},acquired_on\n'; DROP TABLE instruments; --,'; DROP,'; DROP,not-a-date\n`,
  ],
];

describe('broken CSV to importInstruments', () => {
  cases(
    BROKEN_CSV.flatMap(([name, csv]) =>
      [true, false].map((dryRun) => ({ name: `${name}${dryRun ? ' (dry run)' : ''}`, csv, dryRun })),
    ),
  )('$name: every bad row reported, nothing written', async ({ csv, dryRun }) => {
    const document =
      'mutation ($inst: ID!, $csv: String!, $dry: Boolean) { importInstruments(institution: $inst, csv: $csv, dryRun: $dry) { created updated errors { row message } } }';
    const before = await snapshot();
    const answer = await gql(document, { inst: owner.code, csv, dry: dryRun }, tokens.admin);
    expectRefused(answer, ['BAD_USER_INPUT']);
    const report = answer.data!.importInstruments as { created: number; updated: number; errors: unknown[] };
    expect(report.errors.length).toBeGreaterThan(0);
    expect(report.created + report.updated).toBe(0);
    expect(await snapshot()).toEqual(before);
  });
});

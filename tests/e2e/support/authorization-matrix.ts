import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INSTITUTION_ROLES, type Role } from '@kyoyo/auth';
import { BookingsRepository } from '@kyoyo/equipment-service';
import { createGatewaySchema, RoleGrantsRepository } from '@kyoyo/gateway';
import { startFederation, uniqueCode, type GraphQLAnswer, type TestFederation } from './federation';
import type { StallProxy } from './stall-proxy';

/**
 * Who may call what: every root field of the gateway's Query and Mutation types against seven personas, as
 * DOMAIN.md ("People"), the schema's descriptions and the README say. The table below is the whole policy;
 * the first two tests fail when the schema gains an operation without a row, or a row names an operation the
 * schema no longer has.
 *
 * Every cell runs on its own fixtures (a fresh booking for each `cancelBooking` cell, a fresh PENDING one for
 * each `decideBooking` cell, …), so cells never depend on each other. Institution A is reached through a
 * counting proxy: a refusal that the gateway can decide from the caller's token alone must come without
 * asking A (only who made a booking is known to A alone).
 *
 * The matrix runs against both sources of roles (`defineAuthorizationMatrix`): the roles a development-issuer
 * token claims, and the roles Kyoyo grants to people signed in through a campus issuer whose tokens' role
 * claims do not count (every persona's campus token claims ADMIN, and that must change nothing).
 */

const A = {
  code: uniqueCode('authz-a'),
  name: '甲大学',
  prefecture: '京都府',
  location: { latitude: 35.0262, longitude: 135.7808 },
};
const B = {
  code: uniqueCode('authz-b'),
  name: '乙大学',
  prefecture: '宮城県',
  location: { latitude: 38.2547, longitude: 140.838 },
};

const PERSONAS = ['anonymous', 'researcher', 'officeA', 'officeB', 'instAdminA', 'funder', 'admin'] as const;
type Persona = (typeof PERSONAS)[number];

/** Who each persona is (anonymous: no token at all). */
const IDENTITIES = {
  /** A member of A: books A's instruments as INTERNAL, and is the requester of every booking used below. */
  researcher: { id: 'authz-researcher', institution: A.code, organization: '甲大学', roles: ['RESEARCHER'] },
  /** The core-facility office (統括部局) of A, the institution that owns every instrument used below. */
  officeA: { id: 'authz-office-a', institution: A.code, organization: '甲大学', roles: ['FACILITY_MANAGER'] },
  /** The core-facility office of another member, B. */
  officeB: { id: 'authz-office-b', institution: B.code, organization: '乙大学', roles: ['FACILITY_MANAGER'] },
  /** A's institution administrator: grants and revokes A's office roles, and nothing else. */
  instAdminA: { id: 'authz-inst-admin-a', institution: A.code, organization: '甲大学', roles: ['INSTITUTION_ADMIN'] },
  funder: { id: 'authz-funder', organization: '日本学術振興会', roles: ['FUNDER'] },
  admin: { id: 'authz-admin', organization: 'Kyoyo 運用', roles: ['ADMIN'] },
} as const satisfies Record<
  Exclude<Persona, 'anonymous'>,
  { id: string; institution?: string; organization: string; roles: readonly Role[] }
>;

/** The answer has data and no error at all. */
const OK = 'allowed';
const UNAUTHENTICATED = 'UNAUTHENTICATED';
const FORBIDDEN = 'FORBIDDEN';
/** An allowed caller of an operation that has not landed yet (issue #7: CSV import). */
type Expectation = typeof OK | typeof UNAUTHENTICATED | typeof FORBIDDEN;
/** One operation's expectations, in the order of `PERSONAS`. */
type Row = readonly [
  row: string,
  anonymous: Expectation,
  researcher: Expectation,
  officeA: Expectation,
  officeB: Expectation,
  instAdminA: Expectation,
  funder: Expectation,
  admin: Expectation,
];

/**
 * The policy. A row is an operation (a root field), or an operation and, in parentheses, the arguments that
 * make its rule differ from the row above. Institution A owns every instrument, booking and report the rows
 * use unless the row says otherwise.
 */
// prettier-ignore
const MATRIX: readonly Row[] = [
  // operation                           anonymous        researcher  officeA          officeB    instAdminA funder     admin
  // — public reads: anyone, signed in or not (DOMAIN.md: "Anyone may search and read public listings")
  ['me',                                 OK,              OK,         OK,              OK,        OK,        OK,        OK],
  ['institutions',                       OK,              OK,         OK,              OK,        OK,        OK,        OK],
  ['instrument',                         OK,              OK,         OK,              OK,        OK,        OK,        OK],
  ['searchInstruments',                  OK,              OK,         OK,              OK,        OK,        OK,        OK],
  // — a researcher's own business: quotes and bookings are the RESEARCHER role's (a facility office, a funder
  //   or an administrator books only when it holds that role too); a booking is its requester's, its owning
  //   office's (which may cancel free of charge) and the operator's
  ['quoteBooking',                       UNAUTHENTICATED, OK,         FORBIDDEN,       FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN],
  ['createBooking',                      UNAUTHENTICATED, OK,         FORBIDDEN,       FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN],
  ['booking',                            UNAUTHENTICATED, OK,         OK,              FORBIDDEN, FORBIDDEN, FORBIDDEN, OK],
  ['cancelBooking',                      UNAUTHENTICATED, OK,         OK,              FORBIDDEN, FORBIDDEN, FORBIDDEN, OK],
  ['myBookings',                         UNAUTHENTICATED, OK,         OK,              OK,        OK,        OK,        OK],
  // — waiting for a booked period: joining is the RESEARCHER role's, like booking; an entry is its waiting
  //   person's alone (the owner knows whose it is), and anyone signed in reads their own list
  ['joinWaitlist',                       UNAUTHENTICATED, OK,         FORBIDDEN,       FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN],
  ['leaveWaitlist',                      UNAUTHENTICATED, OK,         FORBIDDEN,       FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN],
  ['myWaitlist',                         UNAUTHENTICATED, OK,         OK,              OK,        OK,        OK,        OK],
  ['createCalendarFeed',                 UNAUTHENTICATED, OK,         OK,              OK,        OK,        OK,        OK],
  ['revokeCalendarFeed',                 UNAUTHENTICATED, OK,         OK,              OK,        OK,        OK,        OK],
  ['setNotificationPreferences',         UNAUTHENTICATED, OK,         OK,              OK,        OK,        OK,        OK],
  // — the owning facility office's work (listings, fees, open hours, qualifications, approvals), or ADMIN
  ['institutionBookings',                UNAUTHENTICATED, FORBIDDEN,  OK,              FORBIDDEN, FORBIDDEN, FORBIDDEN, OK],
  ['decideBooking',                      UNAUTHENTICATED, FORBIDDEN,  OK,              FORBIDDEN, FORBIDDEN, FORBIDDEN, OK],
  ['recordBookingOutcome',               UNAUTHENTICATED, FORBIDDEN,  OK,              FORBIDDEN, FORBIDDEN, FORBIDDEN, OK],
  ['usageStatement',                     UNAUTHENTICATED, FORBIDDEN,  OK,              FORBIDDEN, FORBIDDEN, FORBIDDEN, OK],
  ['notificationDeliveries',             UNAUTHENTICATED, FORBIDDEN,  OK,              FORBIDDEN, FORBIDDEN, FORBIDDEN, OK],
  ['qualifications',                     UNAUTHENTICATED, FORBIDDEN,  OK,              FORBIDDEN, FORBIDDEN, FORBIDDEN, OK],
  ['grantQualification',                 UNAUTHENTICATED, FORBIDDEN,  OK,              FORBIDDEN, FORBIDDEN, FORBIDDEN, OK],
  ['revokeQualification',                UNAUTHENTICATED, FORBIDDEN,  OK,              FORBIDDEN, FORBIDDEN, FORBIDDEN, OK],
  ['upsertInstrument',                   UNAUTHENTICATED, FORBIDDEN,  OK,              FORBIDDEN, FORBIDDEN, FORBIDDEN, OK],
  ['importInstruments',                  UNAUTHENTICATED, FORBIDDEN,  OK,              FORBIDDEN, FORBIDDEN, FORBIDDEN, OK],
  ['decommissionInstrument',             UNAUTHENTICATED, FORBIDDEN,  OK,              FORBIDDEN, FORBIDDEN, FORBIDDEN, OK],
  ['recommissionInstrument',             UNAUTHENTICATED, FORBIDDEN,  OK,              FORBIDDEN, FORBIDDEN, FORBIDDEN, OK],
  ['listingChanges',                     UNAUTHENTICATED, FORBIDDEN,  OK,              FORBIDDEN, FORBIDDEN, FORBIDDEN, OK],
  ['setOpenHours',                       UNAUTHENTICATED, FORBIDDEN,  OK,              FORBIDDEN, FORBIDDEN, FORBIDDEN, OK],
  ['addBlackout',                        UNAUTHENTICATED, FORBIDDEN,  OK,              FORBIDDEN, FORBIDDEN, FORBIDDEN, OK],
  ['removeBlackout',                     UNAUTHENTICATED, FORBIDDEN,  OK,              FORBIDDEN, FORBIDDEN, FORBIDDEN, OK],
  // — oversight of ¥10M+ equipment: FUNDER and ADMIN for any institution and the nation; a facility office
  //   for its own institution only
  ['sharingReport',                      UNAUTHENTICATED, FORBIDDEN,  OK,              FORBIDDEN, FORBIDDEN, OK,        OK],
  ['sharingReport (national)',           UNAUTHENTICATED, FORBIDDEN,  FORBIDDEN,       FORBIDDEN, FORBIDDEN, OK,        OK],
  ['checkDuplicatePurchase',             UNAUTHENTICATED, FORBIDDEN,  OK,              FORBIDDEN, FORBIDDEN, OK,        OK],
  ['checkDuplicatePurchases',            UNAUTHENTICATED, FORBIDDEN,  OK,              FORBIDDEN, FORBIDDEN, OK,        OK],
  ['checkDuplicatePurchases (A and B)',  UNAUTHENTICATED, FORBIDDEN,  FORBIDDEN,       FORBIDDEN, FORBIDDEN, OK,        OK],
  ['duplicateCheck',                     UNAUTHENTICATED, FORBIDDEN,  OK,              FORBIDDEN, FORBIDDEN, OK,        OK],
  ['verifyDuplicateCheck',               UNAUTHENTICATED, FORBIDDEN,  OK,              FORBIDDEN, FORBIDDEN, OK,        OK],
  // — the roles Kyoyo keeps: ADMIN grants any role; an institution administrator the office roles of its own
  //   institution (here A's); a facility office does not grant roles, not even its own
  ['grantRole',                          UNAUTHENTICATED, FORBIDDEN,  FORBIDDEN,       FORBIDDEN, OK,        FORBIDDEN, OK],
  ['grantRole (ADMIN)',                  UNAUTHENTICATED, FORBIDDEN,  FORBIDDEN,       FORBIDDEN, FORBIDDEN, FORBIDDEN, OK],
  ['revokeRole',                         UNAUTHENTICATED, FORBIDDEN,  FORBIDDEN,       FORBIDDEN, OK,        FORBIDDEN, OK],
  ['roleGrants',                         UNAUTHENTICATED, FORBIDDEN,  FORBIDDEN,       FORBIDDEN, OK,        FORBIDDEN, OK],
  ['roleGrants (all institutions)',      UNAUTHENTICATED, FORBIDDEN,  FORBIDDEN,       FORBIDDEN, FORBIDDEN, FORBIDDEN, OK],
];

/** The root field a row exercises: its name up to the first space. */
const operationOf = (row: string) => row.split(' ')[0]!;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const plus = (date: Date, minutes: number) => new Date(date.getTime() + minutes * 60_000);

/** One-hour slots inside default open hours (Monday–Friday 09:00–18:00 Tokyo), from two weeks ahead on, never the same twice. */
function* weekdaySlots(): Generator<{ start: Date; end: Date }, never> {
  const base = Date.now();
  for (let day = 14; ; day++) {
    const tokyo = new Date(base + day * DAY + 9 * HOUR);
    if (tokyo.getUTCDay() === 0 || tokyo.getUTCDay() === 6) continue;
    for (let hour = 9; hour < 18; hour++) {
      tokyo.setUTCHours(hour, 0, 0, 0);
      const start = new Date(tokyo.getTime() - 9 * HOUR);
      yield { start, end: plus(start, 60) };
    }
  }
}
const slots = weekdaySlots();
const freshSlot = () => slots.next().value;

let federation: TestFederation;
/** Counts the gateway's calls to A. */
let proxyA: StallProxy;
const tokens: Partial<Record<Persona, string>> = {};
/** Global ids of A's listings and of fixtures shared by read-only rows. */
const ids: Record<string, string> = {};
let checkDigest = '';
let sequence = 0;
/** Started bookings so far (each an hour after the one before, ten days ago). */
let started = 0;
/** A name no other cell uses. */
const fresh = (prefix: string) => `${prefix}-${++sequence}`;

function gql<T = Record<string, unknown>>(
  persona: Persona,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<GraphQLAnswer<T>> {
  return federation.query<T>(query, variables, tokens[persona]);
}

/** Runs a fixture step and insists that it worked. */
async function must<T>(persona: Persona, query: string, variables: Record<string, unknown>): Promise<T> {
  const answer = await gql<T>(persona, query, variables);
  expect(answer.errors, `fixture: ${query}`).toBeUndefined();
  return answer.data!;
}

const UPSERT = 'mutation ($input: InstrumentInput!) { upsertInstrument(input: $input) { id institution { code } } }';
const CREATE = `mutation ($input: BookingInput!, $key: String!) {
  createBooking(input: $input, idempotencyKey: $key) { id status requesterId userCategory fee } }`;
const ADD_BLACKOUT = `mutation ($id: ID!, $start: DateTime!, $end: DateTime!) {
  addBlackout(instrumentId: $id, start: $start, end: $end, reason: "点検") { id } }`;
const GRANT = 'mutation ($id: ID!, $user: ID!) { grantQualification(instrumentId: $id, userId: $user) }';
const CHECK_FIELDS = 'id digest checkedBy proposal { institution { code } }';
const GRANT_ROLE = `mutation ($input: RoleGrantInput!) {
  grantRole(input: $input) { id subject role institution { code } grantedBy revokedAt } }`;

/** A listing of A's, made by A's office. */
async function listing(localId: string, extra: Record<string, unknown> = {}): Promise<string> {
  const data = await must<{ upsertInstrument: { id: string } }>('officeA', UPSERT, {
    input: {
      institution: A.code,
      localId,
      name: `認可試験装置 ${localId}`,
      category: 'NMR',
      manufacturer: 'JEOL',
      model: `JNM-AUTHZ-${localId}`,
      acquisitionPrice: 30_000_000,
      sharedExternally: true,
      fees: [
        { userCategory: 'INTERNAL', mode: 'SELF', hourlyRate: 1000 },
        { userCategory: 'ACADEMIC', mode: 'SELF', hourlyRate: 3000 },
      ],
      ...extra,
    },
  });
  return data.upsertInstrument.id;
}

/** A booking input for a slot no other cell uses. */
const bookingInput = (instrumentId: string) => {
  const { start, end } = freshSlot();
  return { instrumentId, start: start.toISOString(), end: end.toISOString(), purpose: '認可試験' };
};

/** A new booking of the researcher's (PENDING on an instrument that requires approval, else CONFIRMED). */
async function booked(instrumentId: string, status: 'CONFIRMED' | 'PENDING'): Promise<string> {
  const data = await must<{ createBooking: { id: string; status: string } }>('researcher', CREATE, {
    input: bookingInput(instrumentId),
    key: fresh('authz'),
  });
  expect(data.createBooking.status).toBe(status);
  return data.createBooking.id;
}

/** A CONFIRMED booking of the researcher's that has started (written straight into A's database: the API books only the future). */
async function startedBooking(): Promise<string> {
  const repository = new BookingsRepository(federation.services.get(A.code)!.database.db);
  const instrumentId = Number(Buffer.from(ids.outcome!, 'base64url').toString('utf8').split(':').at(-1));
  const start = new Date(Math.floor((Date.now() - 10 * DAY) / HOUR) * HOUR + ++started * HOUR);
  const { booking } = await repository.create({
    instrumentId,
    requesterId: IDENTITIES.researcher.id,
    requesterOrganization: IDENTITIES.researcher.organization,
    requesterInstitution: A.code,
    userCategory: 'INTERNAL',
    mode: 'SELF',
    period: { start, end: plus(start, 60) },
    status: 'CONFIRMED',
    fee: 1000,
    fundingSource: null,
    purpose: '認可試験',
    idempotencyKey: fresh('past'),
    requestHash: 'h',
  });
  return Buffer.from(`Booking:${A.code}:${booking.id}`).toString('base64url');
}

const JOIN_WAITLIST = 'mutation ($input: WaitlistInput!) { joinWaitlist(input: $input) { id active position } }';
/** Waitlist entries each researcher cell of `myWaitlist` made, to find in its answer. */
const waiting: string[] = [];

/**
 * A fresh slot of A's plain instrument that someone other than every persona booked (written straight into A's
 * database, as `startedBooking` does): one the researcher may wait for.
 */
async function heldSlot(): Promise<{ instrumentId: string; start: string; end: string }> {
  const repository = new BookingsRepository(federation.services.get(A.code)!.database.db);
  const { start, end } = freshSlot();
  await repository.create({
    instrumentId: Number(Buffer.from(ids.plain!, 'base64url').toString('utf8').split(':').at(-1)),
    requesterId: 'authz-holder',
    requesterOrganization: IDENTITIES.researcher.organization,
    requesterInstitution: A.code,
    userCategory: 'INTERNAL',
    mode: 'SELF',
    period: { start, end },
    status: 'CONFIRMED',
    fee: 1000,
    fundingSource: null,
    purpose: '認可試験',
    idempotencyKey: fresh('held'),
    requestHash: 'h',
  });
  return { instrumentId: ids.plain!, start: start.toISOString(), end: end.toISOString() };
}

/** A new waitlist entry of the researcher's. */
async function waitlisted(): Promise<string> {
  const data = await must<{ joinWaitlist: { id: string } }>('researcher', JOIN_WAITLIST, { input: await heldSlot() });
  return data.joinWaitlist.id;
}

/** A proposal of `institution`'s to buy an instrument like A's. */
const proposal = (institution: string) => ({
  title: '核磁気共鳴装置',
  manufacturer: 'JEOL',
  model: 'JNM-AUTHZ-PLAIN',
  estimatedPrice: 40_000_000,
  institution,
  expectedHoursPerYear: 100,
});

/** An operation's answer, checked by shape per row. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Answer = any;

/** How one row is exercised. */
interface Case {
  /** The operation; its first field is the row's operation. */
  document: string;
  /** Variables for one cell; fixtures made here belong to that cell alone. */
  variables?: (persona: Persona) => Promise<Record<string, unknown>> | Record<string, unknown>;
  /** What an allowed answer shows besides having no errors: the operation really worked. */
  check?: (value: Answer, persona: Persona) => void;
  /** Refusing needs what only A knows (who made the booking), so the gateway may ask A before refusing a signed-in caller. */
  refusedByInstitution?: boolean;
}

const idOf = (persona: Persona) => (persona === 'anonymous' ? null : IDENTITIES[persona].id);

const CASES: Record<string, Case> = {
  me: {
    document: '{ me { id roles } }',
    check: (me, persona) => expect(me?.id ?? null).toBe(idOf(persona)),
  },
  institutions: {
    document: '{ institutions { code } }',
    check: (list: { code: string }[]) => expect(list.map((i) => i.code)).toEqual(expect.arrayContaining([A.code, B.code])),
  },
  instrument: {
    document: 'query ($id: ID!) { instrument(id: $id) { id name fees { userCategory hourlyRate } } }',
    variables: () => ({ id: ids.plain }),
    check: (instrument) => expect(instrument.id).toBe(ids.plain),
  },
  searchInstruments: {
    document: 'query ($q: String) { searchInstruments(query: $q, first: 5) { totalCount edges { node { id } } } }',
    variables: () => ({ q: '認可試験装置 PLAIN' }),
    check: (result) => expect(result.edges.map((e: { node: { id: string } }) => e.node.id)).toContain(ids.plain),
  },
  quoteBooking: {
    document: 'query ($input: BookingInput!) { quoteBooking(input: $input) { amount userCategory } }',
    variables: () => ({ input: bookingInput(ids.plain!) }),
    check: (quote) => expect(quote).toEqual({ amount: 1000, userCategory: 'INTERNAL' }),
  },
  createBooking: {
    document: CREATE,
    variables: () => ({ input: bookingInput(ids.plain!), key: fresh('create') }),
    check: (booking, persona) => expect(booking).toMatchObject({ status: 'CONFIRMED', requesterId: idOf(persona), fee: 1000 }),
  },
  booking: {
    document: 'query ($id: ID!) { booking(id: $id) { id requesterId } }',
    variables: () => ({ id: ids.booking }),
    check: (booking) => expect(booking).toEqual({ id: ids.booking, requesterId: IDENTITIES.researcher.id }),
    refusedByInstitution: true,
  },
  cancelBooking: {
    document: 'mutation ($id: ID!) { cancelBooking(id: $id, reason: "予定変更") { id status cancellationFee } }',
    variables: async () => ({ id: await booked(ids.plain!, 'CONFIRMED') }),
    check: (booking) => expect(booking).toMatchObject({ status: 'CANCELLED', cancellationFee: 0 }),
    refusedByInstitution: true,
  },
  myBookings: {
    document: '{ myBookings { id requesterId } }',
    check: (list: { id: string; requesterId: string }[], persona) => {
      expect(list.every((b) => b.requesterId === idOf(persona))).toBe(true);
      if (persona === 'researcher') expect(list.map((b) => b.id)).toContain(ids.booking);
    },
  },
  institutionBookings: {
    document: 'query ($inst: ID!) { institutionBookings(institution: $inst) { id } }',
    variables: () => ({ inst: A.code }),
    check: (list: { id: string }[]) => expect(list.map((b) => b.id)).toContain(ids.booking),
  },
  decideBooking: {
    document: 'mutation ($id: ID!) { decideBooking(id: $id, approve: true, note: "承認") { id status } }',
    variables: async () => ({ id: await booked(ids.approval!, 'PENDING') }),
    check: (booking) => expect(booking.status).toBe('CONFIRMED'),
  },
  recordBookingOutcome: {
    document: 'mutation ($id: ID!) { recordBookingOutcome(id: $id, outcome: COMPLETED) { id status } }',
    variables: async () => ({ id: await startedBooking() }),
    check: (booking) => expect(booking.status).toBe('COMPLETED'),
  },
  usageStatement: {
    document: 'query ($inst: ID!) { usageStatement(institution: $inst, month: "2024-04") { institution { code } total } }',
    variables: () => ({ inst: A.code }),
    check: (statement) => expect(statement).toEqual({ institution: { code: A.code }, total: 0 }),
  },
  qualifications: {
    document: 'query ($id: ID!) { qualifications(instrumentId: $id) { userId valid } }',
    variables: () => ({ id: ids.plain }),
    check: (list: { userId: string }[]) => expect(list.map((q) => q.userId)).toContain('authz-qualified'),
  },
  grantQualification: {
    document: GRANT,
    variables: () => ({ id: ids.plain, user: fresh('grantee') }),
    check: (granted) => expect(granted).toBe(true),
  },
  revokeQualification: {
    document: 'mutation ($id: ID!, $user: ID!) { revokeQualification(instrumentId: $id, userId: $user) }',
    variables: async () => {
      const user = fresh('revokee');
      await must('officeA', GRANT, { id: ids.plain, user });
      return { id: ids.plain, user };
    },
    check: (revoked) => expect(revoked).toBe(true),
  },
  upsertInstrument: {
    document: UPSERT,
    variables: () => ({ input: { institution: A.code, localId: fresh('UPSERT'), name: '新規装置', category: 'XRD' } }),
    check: (instrument) => expect(instrument.institution.code).toBe(A.code),
  },
  importInstruments: {
    document:
      'mutation ($inst: ID!, $csv: String!) { importInstruments(institution: $inst, csv: $csv, dryRun: true) { created } }',
    variables: () => ({ inst: A.code, csv: `local_id,name,category\n${fresh('CSV')},輸入装置,XRD\n` }),
    check: (report) => expect(report).toEqual({ created: 1 }),
  },
  decommissionInstrument: {
    document: 'mutation ($id: ID!) { decommissionInstrument(id: $id, reason: "更新") { id decommissionedAt } }',
    variables: async () => ({ id: await listing(fresh('RETIRE')) }),
    check: (instrument) => expect(instrument.decommissionedAt).toEqual(expect.any(String)),
  },
  recommissionInstrument: {
    document: 'mutation ($id: ID!) { recommissionInstrument(id: $id) { id decommissionedAt } }',
    variables: async () => {
      const id = await listing(fresh('RETURN'));
      await must('officeA', 'mutation ($id: ID!) { decommissionInstrument(id: $id) { id } }', { id });
      return { id };
    },
    check: (instrument) => expect(instrument.decommissionedAt).toBeNull(),
  },
  listingChanges: {
    document: 'query ($id: ID!) { listingChanges(instrumentId: $id) { action via changedBy instrument { id } } }',
    variables: async () => ({ id: await listing(fresh('HISTORY')) }),
    check: (changes: { action: string; via: string }[]) =>
      expect(changes.map((c) => [c.action, c.via])).toEqual([['CREATED', 'upsertInstrument']]),
  },
  setOpenHours: {
    document: `mutation ($id: ID!, $hours: [OpenHoursInput!]!) {
      setOpenHours(instrumentId: $id, hours: $hours) { weekday opensAt closesAt } }`,
    variables: async () => ({
      id: await listing(fresh('HOURS')),
      hours: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, opensAt: 480, closesAt: 1200 })),
    }),
    check: (hours: { opensAt: number }[]) => expect(hours.map((h) => h.opensAt)).toEqual([480, 480, 480, 480, 480]),
  },
  addBlackout: {
    document: ADD_BLACKOUT,
    variables: () => {
      const { start, end } = freshSlot();
      return { id: ids.schedule, start: start.toISOString(), end: end.toISOString() };
    },
    check: (blackout) => expect(typeof blackout.id).toBe('string'),
  },
  removeBlackout: {
    document: 'mutation ($id: ID!) { removeBlackout(id: $id) }',
    variables: async () => {
      const { start, end } = freshSlot();
      const data = await must<{ addBlackout: { id: string } }>('officeA', ADD_BLACKOUT, {
        id: ids.schedule,
        start: start.toISOString(),
        end: end.toISOString(),
      });
      return { id: data.addBlackout.id };
    },
    check: (removed) => expect(removed).toBe(true),
  },
  sharingReport: {
    document: 'query ($inst: ID) { sharingReport(institution: $inst) { institution { code } instrumentsAtOrAboveThreshold } }',
    variables: () => ({ inst: A.code }),
    check: (report) => {
      expect(report.institution).toEqual({ code: A.code });
      expect(report.instrumentsAtOrAboveThreshold).toBeGreaterThan(0);
    },
  },
  'sharingReport (national)': {
    document: '{ sharingReport { institution { code } instrumentsAtOrAboveThreshold } }',
    check: (report) => {
      expect(report.institution).toBeNull();
      expect(report.instrumentsAtOrAboveThreshold).toBeGreaterThan(0);
    },
  },
  checkDuplicatePurchase: {
    document: `mutation ($input: PurchaseProposalInput!) { checkDuplicatePurchase(input: $input) { ${CHECK_FIELDS} } }`,
    variables: () => ({ input: proposal(A.code) }),
    check: (check, persona) =>
      expect(check).toMatchObject({ checkedBy: idOf(persona), proposal: { institution: { code: A.code } } }),
  },
  checkDuplicatePurchases: {
    document: `mutation ($inputs: [PurchaseProposalInput!]!) { checkDuplicatePurchases(inputs: $inputs) { ${CHECK_FIELDS} } }`,
    variables: () => ({ inputs: [proposal(A.code), proposal(A.code)] }),
    check: (checks: { checkedBy: string }[], persona) =>
      expect(checks.map((c) => c.checkedBy)).toEqual([idOf(persona), idOf(persona)]),
  },
  'checkDuplicatePurchases (A and B)': {
    document: `mutation ($inputs: [PurchaseProposalInput!]!) { checkDuplicatePurchases(inputs: $inputs) { ${CHECK_FIELDS} } }`,
    variables: () => ({ inputs: [proposal(A.code), proposal(B.code)] }),
    check: (checks: { proposal: { institution: { code: string } } }[]) =>
      expect(checks.map((c) => c.proposal.institution.code)).toEqual([A.code, B.code]),
  },
  duplicateCheck: {
    document: `query ($id: ID!) { duplicateCheck(id: $id) { ${CHECK_FIELDS} } }`,
    variables: () => ({ id: ids.check }),
    check: (check) => expect(check).toMatchObject({ id: ids.check, digest: checkDigest }),
  },
  verifyDuplicateCheck: {
    document: 'query ($id: ID!, $digest: String!) { verifyDuplicateCheck(id: $id, digest: $digest) }',
    variables: () => ({ id: ids.check, digest: checkDigest }),
    check: (verified) => expect(verified).toBe(true),
  },
  joinWaitlist: {
    document: JOIN_WAITLIST,
    variables: async () => ({ input: await heldSlot() }),
    check: (entry) => expect(entry).toMatchObject({ active: true, position: 1 }),
  },
  leaveWaitlist: {
    document: 'mutation ($id: ID!) { leaveWaitlist(id: $id) { id active endReason } }',
    variables: async () => ({ id: await waitlisted() }),
    check: (entry) => expect(entry).toMatchObject({ active: false, endReason: 'LEFT' }),
    refusedByInstitution: true,
  },
  myWaitlist: {
    document: '{ myWaitlist { id active } }',
    variables: async (persona) => {
      if (persona === 'researcher') waiting.push(await waitlisted());
      return {};
    },
    check: (list: { id: string; active: boolean }[], persona) => {
      expect(list.every((e) => e.active)).toBe(true);
      if (persona === 'researcher') expect(list.map((e) => e.id)).toEqual(expect.arrayContaining(waiting));
      else expect(list).toEqual([]);
    },
  },
  createCalendarFeed: {
    document: 'mutation { createCalendarFeed { url feed { createdAt } } }',
    check: (made: { url: string }) => expect(made.url).toMatch(/\/calendar\/personal\.ics\?token=[\w-]{43}$/),
  },
  revokeCalendarFeed: {
    document: 'mutation { revokeCalendarFeed }',
    check: (revoked) => expect(typeof revoked).toBe('boolean'),
  },
  setNotificationPreferences: {
    document: 'mutation { setNotificationPreferences(input: { reminders: true }) { language reminders } }',
    check: (set) => expect(set).toMatchObject({ reminders: true }),
  },
  notificationDeliveries: {
    document: 'query ($inst: ID!) { notificationDeliveries(institution: $inst, states: [FAILED]) { state } }',
    variables: () => ({ inst: A.code }),
    check: (list: { state: string }[]) => expect(list.every((d) => d.state === 'FAILED')).toBe(true),
  },
  grantRole: {
    document: GRANT_ROLE,
    variables: () => ({ input: { subject: fresh('grantee@a.ac.jp'), role: 'FACILITY_MANAGER', institution: A.code } }),
    check: (grant, persona) =>
      expect(grant).toMatchObject({ role: 'FACILITY_MANAGER', institution: { code: A.code }, grantedBy: idOf(persona) }),
  },
  'grantRole (ADMIN)': {
    document: GRANT_ROLE,
    variables: () => ({ input: { subject: fresh('operator@kyoyo.example'), role: 'ADMIN' } }),
    check: (grant) => expect(grant).toMatchObject({ role: 'ADMIN', institution: null, revokedAt: null }),
  },
  revokeRole: {
    document: 'mutation ($id: ID!) { revokeRole(id: $id, note: "異動") { id revokedBy revokeNote } }',
    variables: async () => {
      const data = await must<{ grantRole: { id: string } }>('admin', GRANT_ROLE, {
        input: { subject: fresh('leaver@a.ac.jp'), role: 'FACILITY_MANAGER', institution: A.code },
      });
      return { id: data.grantRole.id };
    },
    check: (grant, persona) => expect(grant).toMatchObject({ revokedBy: idOf(persona), revokeNote: '異動' }),
  },
  roleGrants: {
    document: 'query ($inst: ID) { roleGrants(institution: $inst, includeRevoked: true) { subject role institution { code } } }',
    variables: () => ({ inst: A.code }),
    check: (list: { institution: { code: string } }[]) => {
      expect(list.length).toBeGreaterThan(0);
      expect(list.every((g) => g.institution.code === A.code)).toBe(true);
    },
  },
  'roleGrants (all institutions)': {
    document: '{ roleGrants(includeRevoked: true) { subject role } }',
    check: (list: unknown[]) => expect(Array.isArray(list)).toBe(true),
  },
};

/** Where the personas' roles come from: their development-issuer tokens' claims, or Kyoyo's grants. */
export type RoleSource = 'token claims' | 'Kyoyo grants';

/** How each persona signs in and comes to hold its roles. */
async function signIn(source: RoleSource): Promise<void> {
  if (source === 'token claims') {
    for (const [persona, identity] of Object.entries(IDENTITIES)) {
      tokens[persona as Persona] = await federation.token({ ...identity, roles: [...identity.roles] });
    }
    return;
  }
  // The first administrator is granted from the operator's tool (`npm run roles`), which writes what this does;
  // everyone else is granted by that administrator through the API.
  await new RoleGrantsRepository(federation.gatewayDatabase.db).grant({
    subject: IDENTITIES.admin.id,
    role: 'ADMIN',
    institution: null,
    agency: null,
    note: 'bootstrap',
    grantedBy: 'cli:e2e',
  });
  for (const [persona, identity] of Object.entries(IDENTITIES)) {
    // A campus token's role claims do not count: claiming ADMIN must give nothing.
    tokens[persona as Persona] = await federation.campusToken({ ...identity, roles: ['ADMIN'] });
  }
  for (const [persona, identity] of Object.entries(IDENTITIES)) {
    if (persona === 'admin') continue;
    for (const role of identity.roles) {
      await must('admin', GRANT_ROLE, {
        input: {
          subject: identity.id,
          role,
          ...(INSTITUTION_ROLES.includes(role) ? { institution: 'institution' in identity ? identity.institution : null } : {}),
          ...(role === 'FUNDER' ? { agency: 'JSPS' } : {}),
        },
      });
    }
  }
  for (const [persona, identity] of Object.entries(IDENTITIES)) {
    const me = await must<{ me: { roles: Role[] } }>(persona as Persona, '{ me { roles } }', {});
    expect(me.me.roles, persona).toEqual([...identity.roles]);
  }
}

/** The whole matrix, with the personas' roles from `source`. */
export function defineAuthorizationMatrix(source: RoleSource): void {
  describe('the matrix', () => {
    const schema = createGatewaySchema();
    const rootFields = (['query', 'mutation'] as const).flatMap((kind) => {
      const type = kind === 'query' ? schema.getQueryType() : schema.getMutationType();
      return Object.keys(type?.getFields() ?? {}).map((name) => ({ kind, name }));
    });
    const rows = MATRIX.map(([row]) => row);

    it('has a row for every root field of Query and Mutation', () => {
      const covered = new Set(rows.map(operationOf));
      expect(rootFields.map((f) => f.name).filter((name) => !covered.has(name))).toEqual([]);
    });

    it('names only operations the schema has, each row once, each with a way to run it', () => {
      const names = new Set(rootFields.map((f) => f.name));
      expect(rows.filter((row) => !names.has(operationOf(row)))).toEqual([]);
      expect(rows.filter((row, i) => rows.indexOf(row) !== i)).toEqual([]);
      expect(Object.keys(CASES).sort()).toEqual([...rows].sort());
    });

    it('runs each row’s own operation', () => {
      for (const row of rows) {
        const document = CASES[row]?.document ?? '';
        const [, keyword, field] = /^\s*(query|mutation)?[^{]*\{\s*(\w+)/.exec(document) ?? [];
        const kind = rootFields.find((f) => f.name === operationOf(row))?.kind;
        expect({ row, kind: keyword ?? 'query', field }).toEqual({ row, kind, field: operationOf(row) });
      }
    });
  });

  beforeAll(async () => {
    federation = await startFederation([A, B], { proxied: [A.code] });
    proxyA = federation.services.get(A.code)!.proxy!;
    await signIn(source);
    ids.plain = await listing('PLAIN');
    ids.approval = await listing('APPROVAL', { requiresApproval: true });
    ids.schedule = await listing('SCHEDULE');
    ids.outcome = await listing('OUTCOME');
    // B's office manages B's listings: its refusals below are about A, not a broken token.
    await must('officeB', UPSERT, { input: { institution: B.code, localId: 'B-1', name: '乙の装置', category: 'NMR' } });
    ids.booking = await booked(ids.plain, 'CONFIRMED');
    await must('officeA', GRANT, { id: ids.plain, user: 'authz-qualified' });
    const check = await must<{ checkDuplicatePurchase: { id: string; digest: string } }>(
      'funder',
      `mutation ($input: PurchaseProposalInput!) { checkDuplicatePurchase(input: $input) { ${CHECK_FIELDS} } }`,
      { input: proposal(A.code) },
    );
    ids.check = check.checkDuplicatePurchase.id;
    checkDigest = check.checkDuplicatePurchase.digest;
  });

  afterAll(() => federation?.stop());

  describe.each(MATRIX.map((row) => [row[0], row] as const))('%s', (row, [, ...expectations]) => {
    const operation = operationOf(row);
    it.each(PERSONAS.map((persona, i) => [persona, expectations[i]!] as const))('%s: %s', async (persona, expected) => {
      const spec = CASES[row];
      if (!spec) throw new Error(`No case for row ${row}`);
      const call = async () => {
        const variables = (await spec.variables?.(persona)) ?? {};
        const before = proxyA.requests;
        const answer = await gql<Record<string, unknown>>(persona, spec.document, variables);
        return { answer, callsToA: proxyA.requests - before };
      };
      const refusal = expected === UNAUTHENTICATED || expected === FORBIDDEN;
      const mayAskA = !refusal || (spec.refusedByInstitution === true && persona !== 'anonymous');
      let { answer, callsToA } = await call();
      // The gateway's periodic health probe may reach A meanwhile: a refusal that seemed to ask A is tried once more.
      if (!mayAskA && callsToA > 0) ({ answer, callsToA } = await call());

      if (expected === OK) {
        expect(answer.errors, JSON.stringify(answer.errors)).toBeUndefined();
        expect(answer.data).toHaveProperty(operation);
        spec.check?.(answer.data![operation], persona);
        return;
      }
      expect(
        answer.errors?.map((e) => e.extensions?.code),
        JSON.stringify(answer.errors),
      ).toEqual([expected]);
      expect(answer.data?.[operation] ?? null).toBeNull();
      if (!mayAskA) expect(callsToA, 'refused only after asking the institution').toBe(0);
    });
  });

  describe('a researcher who did not make the booking', () => {
    it('may neither read nor cancel it, and it stays confirmed', async () => {
      const other = await federation.token({ ...IDENTITIES.researcher, id: 'authz-other-researcher', roles: ['RESEARCHER'] });
      for (const row of ['booking', 'cancelBooking']) {
        const answer = await federation.query(CASES[row]!.document, { id: ids.booking }, other);
        expect(answer.errors?.map((e) => e.extensions?.code)).toEqual([FORBIDDEN]);
      }
      const read = await gql<{ booking: { status: string } }>('researcher', 'query ($id: ID!) { booking(id: $id) { status } }', {
        id: ids.booking,
      });
      expect(read.data?.booking.status).toBe('CONFIRMED');
    });
  });

  describe('who closed an instrument (Blackout.createdBy)', () => {
    it('is shown to the owner’s facility office and administrators, and null to everyone else', async () => {
      const slot = freshSlot();
      await must('officeA', ADD_BLACKOUT, { id: ids.schedule, start: slot.start, end: slot.end });
      const seen: Record<string, (string | null)[]> = {};
      for (const persona of PERSONAS) {
        const answer = await gql<{ instrument: { blackouts: { createdBy: string | null }[] } }>(
          persona,
          'query ($id: ID!, $from: DateTime!, $to: DateTime!) { instrument(id: $id) { blackouts(from: $from, to: $to) { createdBy } } }',
          { id: ids.schedule, from: slot.start, to: slot.end },
        );
        expect(answer.errors).toBeUndefined();
        seen[persona] = answer.data!.instrument.blackouts.map((b) => b.createdBy);
      }
      expect(seen).toEqual({
        anonymous: [null],
        researcher: [null],
        officeA: [IDENTITIES.officeA.id],
        officeB: [null],
        instAdminA: [null],
        funder: [null],
        admin: [IDENTITIES.officeA.id],
      });
    });
  });
}

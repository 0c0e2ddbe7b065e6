import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Identity } from '@kyoyo/auth';
import { startServiceHarness, userOf, type ServiceHarness } from '../common/test-harness';

/**
 * The booking use cases through the service's real HTTP endpoint, on PostgreSQL through the production
 * migrations. "Now" is Monday 2030-01-07 09:00 Tokyo unless a test moves it; bookings go into later weeks.
 */

let service: ServiceHarness;
const NOW = '2030-01-07T09:00:00+09:00';

beforeAll(async () => {
  service = await startServiceHarness('test-u');
});
afterAll(() => service.stop());
beforeEach(() => service.setNow(NOW));

/** A Tokyo wall-clock time as RFC 3339. */
const tokyo = (local: string) => `${local}:00+09:00`;

const office = userOf('office-1', { institution: 'test-u', organization: 'テスト大学', roles: ['FACILITY_MANAGER'] });
const otherOffice = userOf('office-9', { institution: 'kyoto-u', roles: ['FACILITY_MANAGER'] });
const admin = userOf('admin-1', { institution: null, organization: '運用', roles: ['ADMIN'] });
const researcher = (name: string = randomUUID()) => userOf(`r-${name}`);
const member = (name: string = randomUUID()) => userOf(`m-${name}`, { institution: 'test-u', organization: 'テスト大学' });
const company = (name: string = randomUUID()) =>
  userOf(`c-${name}`, { institution: null, organization: '株式会社テスト', affiliation: 'industry' });

const BOOKING = `id instrumentId requesterId requesterOrganization requesterInstitution userCategory start end mode status
  fee cancellationFee fundingSource purpose createdAt decidedBy decidedAt decisionNote cancelledAt cancelledBy cancelReason`;

interface Booking {
  id: string;
  instrumentId: string;
  requesterId: string;
  requesterOrganization: string;
  requesterInstitution: string | null;
  userCategory: string;
  start: string;
  end: string;
  mode: string;
  status: string;
  fee: number;
  cancellationFee: number | null;
  fundingSource: string | null;
  purpose: string;
  decidedBy: string | null;
  decidedAt: string | null;
  decisionNote: string | null;
  cancelledAt: string | null;
  cancelledBy: string | null;
  cancelReason: string | null;
}

const UPSERT = `mutation ($input: InstrumentInput!) { upsertInstrument(input: $input) { id cancellationFreeHours cancellationFeePercent } }`;
const QUOTE = `query ($input: LocalBookingInput!) {
  quoteBooking(input: $input) { instrumentId userCategory mode billableMinutes amount lines { label amount } currency } }`;
const CREATE = `mutation ($input: LocalBookingInput!, $key: String!) { createBooking(input: $input, idempotencyKey: $key) { ${BOOKING} } }`;
const CANCEL = `mutation ($id: ID!, $reason: String) { cancelBooking(id: $id, reason: $reason) { ${BOOKING} } }`;
const DECIDE = `mutation ($id: ID!, $approve: Boolean!, $note: String) { decideBooking(id: $id, approve: $approve, note: $note) { ${BOOKING} } }`;
const OUTCOME = `mutation ($id: ID!, $outcome: BookingOutcome!, $note: String) {
  recordBookingOutcome(id: $id, outcome: $outcome, note: $note) { ${BOOKING} } }`;
const GET = `query ($id: ID!) { booking(id: $id) { ${BOOKING} } }`;
const MINE = `query ($from: DateTime, $to: DateTime) { myBookings(from: $from, to: $to) { id start } }`;
const LIST = `query ($status: [BookingStatus!], $from: DateTime, $to: DateTime) {
  bookings(status: $status, from: $from, to: $to) { id start status } }`;
const GRANT = `mutation ($instrumentId: ID!, $userId: ID!, $expiresOn: Date) {
  grantQualification(instrumentId: $instrumentId, userId: $userId, expiresOn: $expiresOn) { instrumentId userId expiresOn grantedBy grantedAt valid } }`;
const REVOKE = `mutation ($instrumentId: ID!, $userId: ID!) { revokeQualification(instrumentId: $instrumentId, userId: $userId) }`;
const QUALIFICATIONS = `query ($instrumentId: ID!) { qualifications(instrumentId: $instrumentId) { userId expiresOn valid grantedBy } }`;
const STATEMENT = `query ($month: String!) { usageStatement(month: $month) {
  month total groups { requesterOrganization requesterInstitution fundingSource bookings amount
    lines { bookingId instrumentId instrumentName requesterId start end status userCategory mode amount } } } }`;

const DEFAULT_FEES = [
  { userCategory: 'ACADEMIC', mode: 'SELF', hourlyRate: 3_000, billingUnitMinutes: 30 },
  { userCategory: 'ACADEMIC', mode: 'ASSISTED', hourlyRate: 5_000, billingUnitMinutes: 30 },
  { userCategory: 'INTERNAL', mode: 'SELF', hourlyRate: 1_000, billingUnitMinutes: 30 },
  { userCategory: 'INDUSTRY', mode: 'SELF', hourlyRate: 9_000 },
];

/** Lists an instrument of this institution through upsertInstrument; its local id. */
async function anInstrument(input: Record<string, unknown> = {}): Promise<string> {
  const { data, errors } = await service.call<{ upsertInstrument: { id: string } }>(office, UPSERT, {
    input: {
      localId: `EQ-${randomUUID()}`,
      name: '核磁気共鳴装置',
      category: 'NMR',
      sharedExternally: true,
      fees: DEFAULT_FEES,
      ...input,
    },
  });
  expect(errors).toBeUndefined();
  return data!.upsertInstrument.id;
}

interface BookingArgs {
  instrumentId: string;
  start: string;
  end: string;
  mode?: string;
  purpose?: string;
  fundingSource?: string | null;
}

const inputOf = (args: BookingArgs) => ({ mode: 'SELF', purpose: 'NMR測定', ...args });

async function book(who: Identity, args: BookingArgs, key: string = randomUUID()): Promise<Booking> {
  const { data, errors } = await service.call<{ createBooking: Booking }>(who, CREATE, { input: inputOf(args), key });
  expect(errors).toBeUndefined();
  return data!.createBooking;
}

const ok = <T>(who: Identity | null, query: string, variables: Record<string, unknown>) => service.ok<T>(who, query, variables);
const failure = (who: Identity | null, query: string, variables: Record<string, unknown>) =>
  service.failure(who, query, variables);

const count = async (table: 'bookings') => (await service.rowCounts())[table];

/** Expects the call to fail with `code` on `field` and to leave every table as it was; the message. */
async function refusedWithoutWriting(
  who: Identity | null,
  query: string,
  variables: Record<string, unknown>,
  code: string,
  field?: string,
): Promise<string> {
  const before = await service.rowCounts();
  const error = await failure(who, query, variables);
  expect({ code: error.code, field: error.field }).toEqual({ code, field });
  expect(await service.rowCounts()).toEqual(before);
  return error.message;
}

const create = (args: BookingArgs, key: string = randomUUID()) => ({ input: inputOf(args), key });

describe('quoteBooking', () => {
  it('prices 90 minutes at ¥3,000/h in 30-minute units at ¥4,500, with a line that explains it', async () => {
    const instrumentId = await anInstrument();
    const { quoteBooking } = await ok<{ quoteBooking: Record<string, unknown> }>(researcher(), QUOTE, {
      input: inputOf({ instrumentId, start: tokyo('2030-01-14T10:00'), end: tokyo('2030-01-14T11:30') }),
    });
    expect(quoteBooking).toEqual({
      instrumentId,
      userCategory: 'ACADEMIC',
      mode: 'SELF',
      billableMinutes: 90,
      amount: 4_500,
      lines: [{ label: '3 × 30 min at ¥3,000/h (ACADEMIC, SELF)', amount: 4_500 }],
      currency: 'JPY',
    });
  });

  it('bills 70 minutes as 90', async () => {
    const instrumentId = await anInstrument();
    const { quoteBooking } = await ok<{ quoteBooking: { billableMinutes: number; amount: number } }>(researcher(), QUOTE, {
      input: inputOf({ instrumentId, start: tokyo('2030-01-14T10:00'), end: tokyo('2030-01-14T11:10') }),
    });
    expect(quoteBooking).toMatchObject({ billableMinutes: 90, amount: 4_500 });
  });

  it('raises a short booking to the minimum charge and says so in a line', async () => {
    const instrumentId = await anInstrument({
      fees: [{ userCategory: 'ACADEMIC', mode: 'SELF', hourlyRate: 3_000, billingUnitMinutes: 15, minimumCharge: 5_000 }],
    });
    const { quoteBooking } = await ok<{ quoteBooking: { amount: number; lines: unknown[] } }>(researcher(), QUOTE, {
      input: inputOf({ instrumentId, start: tokyo('2030-01-14T10:00'), end: tokyo('2030-01-14T10:30') }),
    });
    expect(quoteBooking.amount).toBe(5_000);
    expect(quoteBooking.lines).toEqual([
      { label: '2 × 15 min at ¥3,000/h (ACADEMIC, SELF)', amount: 1_500 },
      { label: 'Minimum charge ¥5,000', amount: 3_500 },
    ]);
  });

  it('prices members, other universities and companies at their own rates', async () => {
    const instrumentId = await anInstrument();
    const input = inputOf({ instrumentId, start: tokyo('2030-01-14T10:00'), end: tokyo('2030-01-14T11:00') });
    const quote = async (who: Identity) =>
      (await ok<{ quoteBooking: { userCategory: string; amount: number } }>(who, QUOTE, { input })).quoteBooking;
    expect(await quote(member())).toMatchObject({ userCategory: 'INTERNAL', amount: 1_000 });
    expect(await quote(researcher())).toMatchObject({ userCategory: 'ACADEMIC', amount: 3_000 });
    expect(await quote(company())).toMatchObject({ userCategory: 'INDUSTRY', amount: 9_000 });
  });

  it('needs no qualification and ignores the slot being taken', async () => {
    const instrumentId = await anInstrument({ requiresQualification: true });
    const slot = { instrumentId, start: tokyo('2030-01-14T10:00'), end: tokyo('2030-01-14T11:00') };
    await book(researcher(), { ...slot, mode: 'ASSISTED' });
    const { quoteBooking } = await ok<{ quoteBooking: { amount: number } }>(researcher(), QUOTE, { input: inputOf(slot) });
    expect(quoteBooking.amount).toBe(3_000);
  });

  it('refuses what createBooking refuses: not shared, not offered, a bad period', async () => {
    const privateOne = await anInstrument({ sharedExternally: false });
    const slot = { start: tokyo('2030-01-14T10:00'), end: tokyo('2030-01-14T11:00') };
    await refusedWithoutWriting(
      researcher(),
      QUOTE,
      { input: inputOf({ instrumentId: privateOne, ...slot }) },
      'NOT_SHARED',
      'input.instrumentId',
    );
    const instrumentId = await anInstrument();
    const delegated = inputOf({ instrumentId, ...slot, mode: 'DELEGATED' });
    await refusedWithoutWriting(researcher(), QUOTE, { input: delegated }, 'NOT_OFFERED', 'input.mode');
    const early = inputOf({ instrumentId, start: tokyo('2030-01-14T08:00'), end: tokyo('2030-01-14T09:30') });
    await refusedWithoutWriting(researcher(), QUOTE, { input: early }, 'BAD_USER_INPUT', 'input.start');
  });
});

describe('createBooking', () => {
  it('books at the quoted fee and records who asked, from where, for what and on which grant', async () => {
    const instrumentId = await anInstrument();
    const who = researcher();
    const booking = await book(who, {
      instrumentId,
      start: tokyo('2030-01-14T10:00'),
      end: tokyo('2030-01-14T11:30'),
      purpose: '  固体NMR測定  ',
      fundingSource: 'KAKENHI JP23H01234',
    });
    expect(booking).toMatchObject({
      instrumentId,
      requesterId: who.id,
      requesterOrganization: '京都大学',
      requesterInstitution: 'kyoto-u',
      userCategory: 'ACADEMIC',
      start: '2030-01-14T10:00:00+09:00',
      end: '2030-01-14T11:30:00+09:00',
      mode: 'SELF',
      status: 'CONFIRMED',
      fee: 4_500,
      cancellationFee: null,
      fundingSource: 'KAKENHI JP23H01234',
      purpose: '固体NMR測定',
      decidedBy: null,
      cancelledAt: null,
    });
  });

  it('lets members book an instrument that is not shared externally', async () => {
    const instrumentId = await anInstrument({ sharedExternally: false });
    const booking = await book(member(), { instrumentId, start: tokyo('2030-01-14T10:00'), end: tokyo('2030-01-14T11:00') });
    expect(booking).toMatchObject({ userCategory: 'INTERNAL', fee: 1_000, status: 'CONFIRMED' });
  });

  it('accepts bookings that only touch: one ends at 11:30, the next starts at 11:30', async () => {
    const instrumentId = await anInstrument();
    await book(researcher(), { instrumentId, start: tokyo('2030-01-14T10:00'), end: tokyo('2030-01-14T11:30') });
    await book(researcher(), { instrumentId, start: tokyo('2030-01-14T11:30'), end: tokyo('2030-01-14T12:00') });
    await book(researcher(), { instrumentId, start: tokyo('2030-01-14T09:30'), end: tokyo('2030-01-14T10:00') });
  });

  it('keeps the fee it was booked at when the schedule changes later', async () => {
    const localId = `EQ-${randomUUID()}`;
    const instrumentId = await anInstrument({ localId });
    const booking = await book(researcher(), { instrumentId, start: tokyo('2030-01-14T10:00'), end: tokyo('2030-01-14T11:00') });
    await anInstrument({ localId, fees: [{ userCategory: 'ACADEMIC', mode: 'SELF', hourlyRate: 8_000 }] });
    const { booking: after } = await ok<{ booking: Booking }>(office, GET, { id: booking.id });
    expect(after.fee).toBe(3_000);
    const { quoteBooking } = await ok<{ quoteBooking: { amount: number } }>(researcher(), QUOTE, {
      input: inputOf({ instrumentId, start: tokyo('2030-01-15T10:00'), end: tokyo('2030-01-15T11:00') }),
    });
    expect(quoteBooking.amount).toBe(8_000);
  });

  describe('refuses, writing nothing', () => {
    let instrumentId: string;
    const slot = () => ({ instrumentId, start: tokyo('2030-01-14T10:00'), end: tokyo('2030-01-14T11:00') });
    beforeAll(async () => {
      instrumentId = await anInstrument({ maxBookingMinutes: 240 });
    });

    it('an anonymous caller: UNAUTHENTICATED', async () => {
      await refusedWithoutWriting(null, CREATE, create(slot()), 'UNAUTHENTICATED');
    });

    it('a signed-in user who is not a researcher: FORBIDDEN', async () => {
      const funder = userOf('f-1', { roles: ['FUNDER'] });
      await refusedWithoutWriting(funder, CREATE, create(slot()), 'FORBIDDEN');
    });

    it('an unknown instrument: NOT_FOUND on input.instrumentId', async () => {
      await refusedWithoutWriting(
        researcher(),
        CREATE,
        create({ ...slot(), instrumentId: '999999' }),
        'NOT_FOUND',
        'input.instrumentId',
      );
    });

    it('an instrument id that is not an id: BAD_USER_INPUT on input.instrumentId', async () => {
      await refusedWithoutWriting(
        researcher(),
        CREATE,
        create({ ...slot(), instrumentId: 'abc' }),
        'BAD_USER_INPUT',
        'input.instrumentId',
      );
    });

    it('a decommissioned instrument: NOT_FOUND on input.instrumentId', async () => {
      const gone = await anInstrument();
      await service.probe.sql`UPDATE instruments SET decommissioned_at = now() WHERE id = ${gone}`;
      await refusedWithoutWriting(
        researcher(),
        CREATE,
        create({ ...slot(), instrumentId: gone }),
        'NOT_FOUND',
        'input.instrumentId',
      );
    });

    it('an outsider booking an instrument that is not shared: NOT_SHARED', async () => {
      const privateOne = await anInstrument({ sharedExternally: false });
      const args = create({ ...slot(), instrumentId: privateOne });
      await refusedWithoutWriting(researcher(), CREATE, args, 'NOT_SHARED', 'input.instrumentId');
      await refusedWithoutWriting(company(), CREATE, args, 'NOT_SHARED', 'input.instrumentId');
    });

    it('a mode the category has no rate for: NOT_OFFERED on input.mode', async () => {
      await refusedWithoutWriting(researcher(), CREATE, create({ ...slot(), mode: 'DELEGATED' }), 'NOT_OFFERED', 'input.mode');
      await refusedWithoutWriting(company(), CREATE, create({ ...slot(), mode: 'ASSISTED' }), 'NOT_OFFERED', 'input.mode');
    });

    it.each([
      ['an end before the start', '2030-01-14T11:00', '2030-01-14T10:00', 'input.end'],
      ['zero duration', '2030-01-14T10:00', '2030-01-14T10:00', 'input.end'],
      ['less than 15 minutes', '2030-01-14T10:00', '2030-01-14T10:14', 'input.end'],
      ['longer than the instrument allows (240 min)', '2030-01-14T09:00', '2030-01-14T13:15', 'input.end'],
      ['a period outside open hours', '2030-01-14T17:30', '2030-01-14T18:30', 'input.start'],
      ['a Sunday', '2030-01-13T10:00', '2030-01-13T11:00', 'input.start'],
      ['a start in the past', '2030-01-04T10:00', '2030-01-04T11:00', 'input.start'],
      ['a start earlier today', '2030-01-07T08:45', '2030-01-07T10:00', 'input.start'],
    ])('%s (%s to %s): BAD_USER_INPUT on %s', async (_name, start, end, field) => {
      await refusedWithoutWriting(
        researcher(),
        CREATE,
        create({ instrumentId, start: tokyo(start), end: tokyo(end) }),
        'BAD_USER_INPUT',
        field,
      );
    });

    it('seconds in the times: BAD_USER_INPUT on input.start or input.end', async () => {
      const withSeconds = { instrumentId, start: '2030-01-14T10:00:30+09:00', end: tokyo('2030-01-14T11:00') };
      await refusedWithoutWriting(researcher(), CREATE, create(withSeconds), 'BAD_USER_INPUT', 'input.start');
      const endSeconds = { instrumentId, start: tokyo('2030-01-14T10:00'), end: '2030-01-14T11:00:00.500+09:00' };
      await refusedWithoutWriting(researcher(), CREATE, create(endSeconds), 'BAD_USER_INPUT', 'input.end');
    });

    it('an empty or over-long idempotency key: BAD_USER_INPUT on idempotencyKey', async () => {
      await refusedWithoutWriting(researcher(), CREATE, create(slot(), ''), 'BAD_USER_INPUT', 'idempotencyKey');
      await refusedWithoutWriting(researcher(), CREATE, create(slot(), 'k'.repeat(201)), 'BAD_USER_INPUT', 'idempotencyKey');
    });

    it('an empty or over-long purpose, an over-long funding source: BAD_USER_INPUT on the field', async () => {
      await refusedWithoutWriting(researcher(), CREATE, create({ ...slot(), purpose: '   ' }), 'BAD_USER_INPUT', 'input.purpose');
      await refusedWithoutWriting(
        researcher(),
        CREATE,
        create({ ...slot(), purpose: 'x'.repeat(2001) }),
        'BAD_USER_INPUT',
        'input.purpose',
      );
      const grant = create({ ...slot(), fundingSource: 'J'.repeat(201) });
      await refusedWithoutWriting(researcher(), CREATE, grant, 'BAD_USER_INPUT', 'input.fundingSource');
    });

    it('a period another active booking holds: SLOT_UNAVAILABLE on input.start', async () => {
      const own = await anInstrument();
      await book(researcher(), { instrumentId: own, start: tokyo('2030-01-14T10:00'), end: tokyo('2030-01-14T11:00') });
      const overlapping = create({ instrumentId: own, start: tokyo('2030-01-14T10:45'), end: tokyo('2030-01-14T11:15') });
      await refusedWithoutWriting(researcher(), CREATE, overlapping, 'SLOT_UNAVAILABLE', 'input.start');
    });

    it('a period the instrument is closed for: SLOT_UNAVAILABLE on input.start', async () => {
      const own = await anInstrument();
      await ok(
        office,
        `mutation ($id: ID!, $s: DateTime!, $e: DateTime!) { addBlackout(instrumentId: $id, start: $s, end: $e) { id } }`,
        {
          id: own,
          s: tokyo('2030-01-14T12:00'),
          e: tokyo('2030-01-14T13:00'),
        },
      );
      const args = create({ instrumentId: own, start: tokyo('2030-01-14T11:30'), end: tokyo('2030-01-14T12:15') });
      await refusedWithoutWriting(researcher(), CREATE, args, 'SLOT_UNAVAILABLE', 'input.start');
    });
  });
});

describe('qualifications and SELF bookings', () => {
  let instrumentId: string;
  const slot = () => ({ instrumentId, start: tokyo('2030-01-21T10:00'), end: tokyo('2030-01-21T11:00') });
  beforeAll(async () => {
    instrumentId = await anInstrument({ requiresQualification: true });
  });

  it('refuses SELF use without a qualification: QUALIFICATION_REQUIRED, nothing written', async () => {
    await refusedWithoutWriting(researcher(), CREATE, create(slot()), 'QUALIFICATION_REQUIRED', 'input.mode');
  });

  it('books ASSISTED use without a qualification', async () => {
    const booking = await book(researcher(), {
      ...slot(),
      start: tokyo('2030-01-22T10:00'),
      end: tokyo('2030-01-22T11:00'),
      mode: 'ASSISTED',
    });
    expect(booking).toMatchObject({ mode: 'ASSISTED', fee: 5_000 });
  });

  it('accepts a qualification valid on the day the booking starts, refuses one that lapsed before', async () => {
    const who = researcher();
    await ok(office, GRANT, { instrumentId, userId: who.id, expiresOn: '2030-01-20' });
    await refusedWithoutWriting(who, CREATE, create(slot()), 'QUALIFICATION_REQUIRED', 'input.mode');
    await ok(office, GRANT, { instrumentId, userId: who.id, expiresOn: '2030-01-21' });
    expect((await book(who, slot())).status).toBe('CONFIRMED');
  });

  it('refuses a revoked qualification and accepts it again once granted anew', async () => {
    const who = researcher();
    const later = { ...slot(), start: tokyo('2030-01-23T10:00'), end: tokyo('2030-01-23T11:00') };
    await ok(office, GRANT, { instrumentId, userId: who.id, expiresOn: null });
    expect(await ok(office, REVOKE, { instrumentId, userId: who.id })).toEqual({ revokeQualification: true });
    await refusedWithoutWriting(who, CREATE, create(later), 'QUALIFICATION_REQUIRED', 'input.mode');
    await ok(office, GRANT, { instrumentId, userId: who.id, expiresOn: null });
    expect((await book(who, later)).status).toBe('CONFIRMED');
  });

  it('lists grants with their validity today, which ends after the last day', async () => {
    const own = await anInstrument({ requiresQualification: true });
    await ok(office, GRANT, { instrumentId: own, userId: 'u-b', expiresOn: '2030-01-10' });
    await ok(office, GRANT, { instrumentId: own, userId: 'u-a', expiresOn: null });
    await ok(office, GRANT, { instrumentId: own, userId: 'u-c', expiresOn: null });
    await ok(office, REVOKE, { instrumentId: own, userId: 'u-c' });
    const list = await ok<{ qualifications: unknown[] }>(office, QUALIFICATIONS, { instrumentId: own });
    expect(list.qualifications).toEqual([
      { userId: 'u-a', expiresOn: null, valid: true, grantedBy: office.id },
      { userId: 'u-b', expiresOn: '2030-01-10', valid: true, grantedBy: office.id },
      { userId: 'u-c', expiresOn: null, valid: false, grantedBy: office.id },
    ]);
    service.setNow('2030-01-11T00:00:00+09:00');
    const later = await ok<{ qualifications: { userId: string; valid: boolean }[] }>(office, QUALIFICATIONS, {
      instrumentId: own,
    });
    expect(later.qualifications.find((q) => q.userId === 'u-b')?.valid).toBe(false);
  });

  it('answers revoking what was never granted with false', async () => {
    expect(await ok(office, REVOKE, { instrumentId, userId: 'nobody' })).toEqual({ revokeQualification: false });
  });

  it('refuses bad grants without writing: past expiry, unknown instrument, empty user, not the office', async () => {
    await refusedWithoutWriting(
      office,
      GRANT,
      { instrumentId, userId: 'u-1', expiresOn: '2030-01-06' },
      'BAD_USER_INPUT',
      'expiresOn',
    );
    await refusedWithoutWriting(office, GRANT, { instrumentId: '999999', userId: 'u-1' }, 'NOT_FOUND', 'instrumentId');
    await refusedWithoutWriting(office, GRANT, { instrumentId, userId: '' }, 'BAD_USER_INPUT', 'userId');
    await refusedWithoutWriting(office, GRANT, { instrumentId, userId: 'u'.repeat(201) }, 'BAD_USER_INPUT', 'userId');
    await refusedWithoutWriting(researcher(), GRANT, { instrumentId, userId: 'u-1' }, 'FORBIDDEN');
    await refusedWithoutWriting(otherOffice, GRANT, { instrumentId, userId: 'u-1' }, 'FORBIDDEN');
    await refusedWithoutWriting(researcher(), QUALIFICATIONS, { instrumentId }, 'FORBIDDEN');
  });
});

describe('concurrent bookings', () => {
  // Three rounds each: a deadlock between racing inserts would surface as INTERNAL_SERVER_ERROR (or, as
  // PostgreSQL settles one a second, as a time-out), not as SLOT_UNAVAILABLE.
  it.each(['2030-01-28', '2030-01-29', '2030-01-30'])(
    'give exactly one of 50 users racing for one slot on %s the booking; the other 49 get SLOT_UNAVAILABLE',
    async (day) => {
      const instrumentId = await anInstrument();
      const before = await count('bookings');
      const slot = { instrumentId, start: tokyo(`${day}T10:00`), end: tokyo(`${day}T12:00`) };
      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          service.call<{ createBooking: Booking }>(researcher(`race-${i}`), CREATE, create(slot)),
        ),
      );
      const won = answers.filter((a) => a.data?.createBooking);
      const codes = answers.flatMap((a) => (a.errors ?? []).map((e) => e.extensions.code));
      expect(won).toHaveLength(1);
      expect(codes).toEqual(Array(49).fill('SLOT_UNAVAILABLE'));
      expect(await count('bookings')).toBe(before + 1);
    },
  );

  it.each(['2030-01-28', '2030-01-29', '2030-01-30'])(
    'give exactly one of 50 overlapping but different periods on %s the booking',
    async (day) => {
      const instrumentId = await anInstrument();
      // Each period starts i minutes after 09:00 and lasts 4 h: every one holds 12:49–13:00.
      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, i) => {
          const start = new Date(Date.parse(tokyo(`${day}T09:00`)) + i * 60_000);
          const end = new Date(start.getTime() + 4 * 3_600_000);
          return service.call(
            researcher(`overlap-${i}`),
            CREATE,
            create({ instrumentId, start: start.toISOString(), end: end.toISOString() }),
          );
        }),
      );
      expect(answers.filter((a) => !a.errors)).toHaveLength(1);
      expect(answers.filter((a) => a.errors?.[0]?.extensions.code === 'SLOT_UNAVAILABLE')).toHaveLength(49);
      const rows = await service.probe.sql`SELECT id FROM bookings WHERE instrument_id = ${instrumentId}`;
      expect(rows).toHaveLength(1);
    },
  );

  it('book every one of 9 touching hours asked for at once', async () => {
    const instrumentId = await anInstrument();
    const answers = await Promise.all(
      Array.from({ length: 9 }, (_, i) =>
        service.call(
          researcher(),
          CREATE,
          create({
            instrumentId,
            start: tokyo(`2030-01-30T${String(9 + i).padStart(2, '0')}:00`),
            end: tokyo(`2030-01-30T${String(10 + i).padStart(2, '0')}:00`),
          }),
        ),
      ),
    );
    expect(answers.map((a) => a.errors)).toEqual(Array(9).fill(undefined));
  });

  it('never let a closure and a booking of the same period both succeed', async () => {
    const instrumentId = await anInstrument();
    const ADD = `mutation ($id: ID!, $s: DateTime!, $e: DateTime!) { addBlackout(instrumentId: $id, start: $s, end: $e) { id } }`;
    let bookings = 0;
    let closures = 0;
    for (let day = 0; day < 10; day++) {
      const date = `2030-02-${String(4 + (day % 5) + 7 * Math.floor(day / 5)).padStart(2, '0')}`;
      const [booked, closed] = await Promise.all([
        service.call(researcher(), CREATE, create({ instrumentId, start: tokyo(`${date}T10:00`), end: tokyo(`${date}T11:00`) })),
        service.call(office, ADD, { id: instrumentId, s: tokyo(`${date}T10:30`), e: tokyo(`${date}T12:00`) }),
      ]);
      expect([booked.errors?.[0]?.extensions.code, closed.errors?.[0]?.extensions.code]).toContain('SLOT_UNAVAILABLE');
      if (!booked.errors) bookings++;
      if (!closed.errors) closures++;
    }
    expect(bookings + closures).toBe(10);
  });
});

describe('idempotent retries', () => {
  it('return the same booking for the same key and input, however the times are written', async () => {
    const instrumentId = await anInstrument();
    const who = researcher();
    const key = randomUUID();
    const first = await book(who, { instrumentId, start: tokyo('2030-01-14T10:00'), end: tokyo('2030-01-14T11:00') }, key);
    const before = await count('bookings');
    const again = await book(who, { instrumentId, start: '2030-01-14T01:00:00Z', end: '2030-01-14T02:00:00.000Z' }, key);
    expect(again).toEqual(first);
    expect(await count('bookings')).toBe(before);
  });

  it('make one booking when the same request is fired 10 times at once', async () => {
    const instrumentId = await anInstrument();
    const who = researcher();
    const args = create({ instrumentId, start: tokyo('2030-01-15T10:00'), end: tokyo('2030-01-15T11:00') });
    const before = await count('bookings');
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => service.call<{ createBooking: Booking }>(who, CREATE, args)),
    );
    expect(answers.map((a) => a.errors)).toEqual(Array(10).fill(undefined));
    expect(new Set(answers.map((a) => a.data!.createBooking.id)).size).toBe(1);
    expect(await count('bookings')).toBe(before + 1);
  });

  it('refuse the same key with other input: IDEMPOTENCY_CONFLICT, nothing written', async () => {
    const instrumentId = await anInstrument();
    const who = researcher();
    const key = randomUUID();
    await book(who, { instrumentId, start: tokyo('2030-01-16T10:00'), end: tokyo('2030-01-16T11:00') }, key);
    const other = create({ instrumentId, start: tokyo('2030-01-16T13:00'), end: tokyo('2030-01-16T14:00') }, key);
    await refusedWithoutWriting(who, CREATE, other, 'IDEMPOTENCY_CONFLICT', 'idempotencyKey');
    const otherPurpose = create(
      { instrumentId, start: tokyo('2030-01-16T10:00'), end: tokyo('2030-01-16T11:00'), purpose: '別の目的' },
      key,
    );
    await refusedWithoutWriting(who, CREATE, otherPurpose, 'IDEMPOTENCY_CONFLICT', 'idempotencyKey');
  });

  it('return the booking even after its start has passed or it was cancelled', async () => {
    const instrumentId = await anInstrument();
    const who = researcher();
    const args = { instrumentId, start: tokyo('2030-01-17T10:00'), end: tokyo('2030-01-17T11:00') };
    const key = randomUUID();
    const first = await book(who, args, key);
    service.setNow(tokyo('2030-01-17T10:30'));
    expect((await book(who, args, key)).id).toBe(first.id);
    service.setNow(NOW);
    await ok(who, CANCEL, { id: first.id });
    const replay = await book(who, args, key);
    expect(replay).toMatchObject({ id: first.id, status: 'CANCELLED' });
  });
});

describe('approval', () => {
  it('creates PENDING bookings that hold the slot; rejecting frees it', async () => {
    const instrumentId = await anInstrument({ requiresApproval: true });
    const slot = { instrumentId, start: tokyo('2030-01-14T13:00'), end: tokyo('2030-01-14T14:00') };
    const pending = await book(researcher(), slot);
    expect(pending.status).toBe('PENDING');
    await refusedWithoutWriting(researcher(), CREATE, create(slot), 'SLOT_UNAVAILABLE', 'input.start');
    const { decideBooking } = await ok<{ decideBooking: Booking }>(office, DECIDE, {
      id: pending.id,
      approve: false,
      note: '装置点検のため',
    });
    expect(decideBooking).toMatchObject({
      status: 'REJECTED',
      decidedBy: office.id,
      decidedAt: NOW,
      decisionNote: '装置点検のため',
    });
    expect((await book(researcher(), slot)).status).toBe('PENDING');
  });

  it('confirms on approval', async () => {
    const instrumentId = await anInstrument({ requiresApproval: true });
    const pending = await book(researcher(), { instrumentId, start: tokyo('2030-01-14T13:00'), end: tokyo('2030-01-14T14:00') });
    const { decideBooking } = await ok<{ decideBooking: Booking }>(admin, DECIDE, { id: pending.id, approve: true });
    expect(decideBooking).toMatchObject({ status: 'CONFIRMED', decidedBy: admin.id, decisionNote: null });
  });

  it('refuses deciding a booking that is not PENDING, naming its status', async () => {
    const instrumentId = await anInstrument();
    const confirmed = await book(researcher(), {
      instrumentId,
      start: tokyo('2030-01-14T13:00'),
      end: tokyo('2030-01-14T14:00'),
    });
    const message = await refusedWithoutWriting(office, DECIDE, { id: confirmed.id, approve: true }, 'BAD_USER_INPUT', 'id');
    expect(message).toMatch(/CONFIRMED/);
  });

  it('refuses approving once the booking has started, but lets the office reject it', async () => {
    const instrumentId = await anInstrument({ requiresApproval: true });
    const pending = await book(researcher(), { instrumentId, start: tokyo('2030-01-14T13:00'), end: tokyo('2030-01-14T14:00') });
    service.setNow(tokyo('2030-01-14T13:00'));
    await failure(office, DECIDE, { id: pending.id, approve: true }).then((e) =>
      expect([e.code, e.field]).toEqual(['BAD_USER_INPUT', 'id']),
    );
    expect((await ok<{ decideBooking: Booking }>(office, DECIDE, { id: pending.id, approve: false })).decideBooking.status).toBe(
      'REJECTED',
    );
  });

  it('is for this institution’s office: another office and researchers get FORBIDDEN, unknown ids NOT_FOUND', async () => {
    const instrumentId = await anInstrument({ requiresApproval: true });
    const pending = await book(researcher(), { instrumentId, start: tokyo('2030-01-14T13:00'), end: tokyo('2030-01-14T14:00') });
    expect((await failure(otherOffice, DECIDE, { id: pending.id, approve: true })).code).toBe('FORBIDDEN');
    expect((await failure(researcher(), DECIDE, { id: pending.id, approve: true })).code).toBe('FORBIDDEN');
    expect(await failure(office, DECIDE, { id: '999999', approve: true })).toMatchObject({ code: 'NOT_FOUND', field: 'id' });
    const { booking } = await ok<{ booking: Booking }>(office, GET, { id: pending.id });
    expect(booking.status).toBe('PENDING');
  });

  it('lets only one of an approval and a rejection sent at once win', async () => {
    const instrumentId = await anInstrument({ requiresApproval: true });
    for (let i = 0; i < 5; i++) {
      const hour = String(9 + i).padStart(2, '0');
      const pending = await book(researcher(), {
        instrumentId,
        start: tokyo(`2030-01-14T${hour}:00`),
        end: tokyo(`2030-01-14T${hour}:30`),
      });
      const answers = await Promise.all([
        service.call<{ decideBooking: Booking }>(office, DECIDE, { id: pending.id, approve: true }),
        service.call<{ decideBooking: Booking }>(admin, DECIDE, { id: pending.id, approve: false }),
      ]);
      const winners = answers.filter((a) => !a.errors);
      expect(winners).toHaveLength(1);
      expect(answers.find((a) => a.errors)!.errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'id' });
      const { booking } = await ok<{ booking: Booking }>(office, GET, { id: pending.id });
      expect(booking.status).toBe(winners[0]!.data!.decideBooking.status);
    }
  });
});

describe('cancellation', () => {
  // ¥3,002/h for 90 minutes: ceil(3,002 × 90 / 60) = ¥4,503, so half of it needs rounding up (¥2,252).
  const oddFees = [{ userCategory: 'ACADEMIC', mode: 'SELF', hourlyRate: 3_002, billingUnitMinutes: 30 }];
  const start = '2030-01-21T10:00';
  let instrumentId: string;
  beforeAll(async () => {
    instrumentId = await anInstrument({ fees: oddFees });
  });
  let hour = 8;
  /** A fresh 90-minute booking on Monday 2030-01-21 (a later slot each time). */
  async function aBooking(who: Identity, day = '2030-01-21'): Promise<Booking> {
    hour = hour >= 15 ? 9 : hour + 2;
    const begin = `${day}T${String(hour).padStart(2, '0')}:00`;
    const end = `${day}T${String(hour + 1).padStart(2, '0')}:30`;
    return book(who, { instrumentId, start: tokyo(begin), end: tokyo(end) });
  }
  const at = (booking: Booking, hoursAhead: number) => new Date(Date.parse(booking.start) - hoursAhead * 3_600_000);

  it('is free for the requester 48 hours or more before the start, and records who, when and why', async () => {
    const who = researcher();
    const booking = await aBooking(who);
    expect(booking.fee).toBe(4_503);
    service.setNow(at(booking, 48));
    const { cancelBooking } = await ok<{ cancelBooking: Booking }>(who, CANCEL, { id: booking.id, reason: ' 試料が届かない ' });
    expect(cancelBooking).toMatchObject({
      status: 'CANCELLED',
      cancellationFee: 0,
      cancelledBy: who.id,
      cancelReason: '試料が届かない',
    });
    expect(Date.parse(cancelBooking.cancelledAt!)).toBe(at(booking, 48).getTime());
  });

  it('costs the requester half the fee, rounded up to the yen, later than that', async () => {
    const who = researcher();
    const booking = await aBooking(who);
    service.setNow(new Date(at(booking, 48).getTime() + 60_000));
    const { cancelBooking } = await ok<{ cancelBooking: Booking }>(who, CANCEL, { id: booking.id });
    expect(cancelBooking).toMatchObject({ status: 'CANCELLED', cancellationFee: 2_252 });
  });

  it('is free when the facility office cancels, however late', async () => {
    const booking = await aBooking(researcher());
    service.setNow(at(booking, 0.5));
    const { cancelBooking } = await ok<{ cancelBooking: Booking }>(office, CANCEL, { id: booking.id, reason: '装置故障' });
    expect(cancelBooking).toMatchObject({ status: 'CANCELLED', cancellationFee: 0, cancelledBy: office.id });
  });

  it('is free for a booking still waiting for approval', async () => {
    const approval = await anInstrument({ requiresApproval: true, fees: oddFees });
    const who = researcher();
    const pending = await book(who, { instrumentId: approval, start: tokyo(start), end: tokyo('2030-01-21T11:30') });
    service.setNow(at(pending, 1));
    expect((await ok<{ cancelBooking: Booking }>(who, CANCEL, { id: pending.id })).cancelBooking.cancellationFee).toBe(0);
  });

  it('follows the instrument’s own policy', async () => {
    const strict = await anInstrument({ fees: oddFees, cancellationFreeHours: 24, cancellationFeePercent: 100 });
    const who = researcher();
    const early = await book(who, { instrumentId: strict, start: tokyo('2030-01-21T10:00'), end: tokyo('2030-01-21T11:30') });
    const late = await book(who, { instrumentId: strict, start: tokyo('2030-01-21T13:00'), end: tokyo('2030-01-21T14:30') });
    service.setNow(at(early, 30));
    expect((await ok<{ cancelBooking: Booking }>(who, CANCEL, { id: early.id })).cancelBooking.cancellationFee).toBe(0);
    service.setNow(at(late, 23));
    expect((await ok<{ cancelBooking: Booking }>(who, CANCEL, { id: late.id })).cancelBooking.cancellationFee).toBe(4_503);
  });

  it('frees the slot', async () => {
    const who = researcher();
    const booking = await aBooking(who, '2030-01-22');
    await ok(who, CANCEL, { id: booking.id });
    const again = await book(researcher(), { instrumentId, start: booking.start, end: booking.end });
    expect(again.status).toBe('CONFIRMED');
  });

  it('is refused once the booking has started, and for a booking already cancelled', async () => {
    const who = researcher();
    const booking = await aBooking(who);
    service.setNow(booking.start);
    expect(await refusedWithoutWriting(who, CANCEL, { id: booking.id }, 'BAD_USER_INPUT', 'id')).toMatch(/started/);
    service.setNow(NOW);
    await ok(who, CANCEL, { id: booking.id });
    expect(await refusedWithoutWriting(who, CANCEL, { id: booking.id }, 'BAD_USER_INPUT', 'id')).toMatch(/CANCELLED/);
  });

  it('is for the requester and the office: others get FORBIDDEN, anonymous callers UNAUTHENTICATED', async () => {
    const booking = await aBooking(researcher());
    await refusedWithoutWriting(researcher(), CANCEL, { id: booking.id }, 'FORBIDDEN');
    await refusedWithoutWriting(otherOffice, CANCEL, { id: booking.id }, 'FORBIDDEN');
    await refusedWithoutWriting(null, CANCEL, { id: booking.id }, 'UNAUTHENTICATED');
    await refusedWithoutWriting(office, CANCEL, { id: '999999' }, 'NOT_FOUND', 'id');
    await refusedWithoutWriting(office, CANCEL, { id: booking.id, reason: 'x'.repeat(2001) }, 'BAD_USER_INPUT', 'reason');
  });

  it('lets only one of two cancellations sent at once win; the other learns the booking is CANCELLED', async () => {
    const who = researcher();
    const booking = await aBooking(who);
    service.setNow(at(booking, 1));
    const answers = await Promise.all([
      service.call<{ cancelBooking: Booking }>(who, CANCEL, { id: booking.id }),
      service.call<{ cancelBooking: Booking }>(office, CANCEL, { id: booking.id }),
    ]);
    const winners = answers.filter((a) => !a.errors);
    expect(winners).toHaveLength(1);
    const loser = answers.find((a) => a.errors)!.errors![0]!;
    expect(loser.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'id' });
    expect(loser.message).toMatch(/CANCELLED/);
    const won = winners[0]!.data!.cancelBooking;
    expect(won.cancellationFee).toBe(won.cancelledBy === who.id ? 2_252 : 0);
  });
});

describe('outcomes', () => {
  let instrumentId: string;
  beforeAll(async () => {
    instrumentId = await anInstrument();
  });

  it('records COMPLETED and NO_SHOW for CONFIRMED bookings that have started', async () => {
    const a = await book(researcher(), { instrumentId, start: tokyo('2030-01-14T10:00'), end: tokyo('2030-01-14T11:00') });
    const b = await book(researcher(), { instrumentId, start: tokyo('2030-01-14T11:00'), end: tokyo('2030-01-14T12:00') });
    service.setNow(tokyo('2030-01-14T11:00'));
    const done = await ok<{ recordBookingOutcome: Booking }>(office, OUTCOME, { id: a.id, outcome: 'COMPLETED' });
    expect(done.recordBookingOutcome).toMatchObject({ status: 'COMPLETED', decidedBy: office.id, fee: 3_000 });
    const missed = await ok<{ recordBookingOutcome: Booking }>(office, OUTCOME, {
      id: b.id,
      outcome: 'NO_SHOW',
      note: '連絡なし',
    });
    expect(missed.recordBookingOutcome).toMatchObject({ status: 'NO_SHOW', decisionNote: '連絡なし' });
    expect(await refusedWithoutWriting(office, OUTCOME, { id: a.id, outcome: 'NO_SHOW' }, 'BAD_USER_INPUT', 'id')).toMatch(
      /COMPLETED/,
    );
  });

  it('is refused before the start, for PENDING bookings, and for anyone but the office', async () => {
    const booking = await book(researcher(), { instrumentId, start: tokyo('2030-01-15T10:00'), end: tokyo('2030-01-15T11:00') });
    await refusedWithoutWriting(office, OUTCOME, { id: booking.id, outcome: 'COMPLETED' }, 'BAD_USER_INPUT', 'id');
    service.setNow(tokyo('2030-01-15T12:00'));
    await refusedWithoutWriting(researcher(), OUTCOME, { id: booking.id, outcome: 'COMPLETED' }, 'FORBIDDEN');
    const approval = await anInstrument({ requiresApproval: true });
    service.setNow(NOW);
    const pending = await book(researcher(), {
      instrumentId: approval,
      start: tokyo('2030-01-15T10:00'),
      end: tokyo('2030-01-15T11:00'),
    });
    service.setNow(tokyo('2030-01-15T12:00'));
    await refusedWithoutWriting(office, OUTCOME, { id: pending.id, outcome: 'NO_SHOW' }, 'BAD_USER_INPUT', 'id');
  });
});

describe('reading bookings', () => {
  it('shows a booking to its requester, the office and ADMIN; FORBIDDEN to strangers; UNAUTHENTICATED anonymously', async () => {
    const instrumentId = await anInstrument();
    const who = researcher();
    const booking = await book(who, { instrumentId, start: tokyo('2030-01-14T10:00'), end: tokyo('2030-01-14T11:00') });
    for (const reader of [who, office, admin]) {
      expect((await ok<{ booking: Booking }>(reader, GET, { id: booking.id })).booking).toEqual(booking);
    }
    expect((await failure(researcher(), GET, { id: booking.id })).code).toBe('FORBIDDEN');
    expect((await failure(otherOffice, GET, { id: booking.id })).code).toBe('FORBIDDEN');
    expect((await failure(null, GET, { id: booking.id })).code).toBe('UNAUTHENTICATED');
  });

  it('answers null for an unknown id and BAD_USER_INPUT for one that is not an id', async () => {
    expect(await ok(office, GET, { id: '987654321' })).toEqual({ booking: null });
    expect(await failure(office, GET, { id: 'B-1' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
  });

  it('lists the caller’s own bookings starting in [from, to), by start', async () => {
    const instrumentId = await anInstrument();
    const who = researcher();
    const later = await book(who, { instrumentId, start: tokyo('2030-01-16T10:00'), end: tokyo('2030-01-16T11:00') });
    const earlier = await book(who, { instrumentId, start: tokyo('2030-01-15T10:00'), end: tokyo('2030-01-15T11:00') });
    const outside = await book(who, { instrumentId, start: tokyo('2030-01-17T10:00'), end: tokyo('2030-01-17T11:00') });
    await book(researcher(), { instrumentId, start: tokyo('2030-01-16T11:00'), end: tokyo('2030-01-16T12:00') });
    const mine = await ok<{ myBookings: { id: string }[] }>(who, MINE, {
      from: tokyo('2030-01-15T10:00'),
      to: tokyo('2030-01-17T10:00'),
    });
    expect(mine.myBookings.map((b) => b.id)).toEqual([earlier.id, later.id]);
    const all = await ok<{ myBookings: { id: string }[] }>(who, MINE, {});
    expect(all.myBookings.map((b) => b.id)).toEqual([earlier.id, later.id, outside.id]);
    expect(await failure(who, MINE, { from: tokyo('2030-01-15T10:00'), to: tokyo('2030-01-15T10:00') })).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'to',
    });
    expect((await failure(null, MINE, {})).code).toBe('UNAUTHENTICATED');
  });

  describe('the office’s list', () => {
    const window = { from: '2040-01-01T00:00:00+09:00', to: '2041-01-01T00:00:00+09:00' };
    let instrumentId: string;
    beforeAll(async () => {
      instrumentId = await anInstrument();
      // 2001 bookings in 2040, 15 minutes each, one after another; every tenth cancelled.
      await service.probe.sql`
        INSERT INTO bookings (instrument_id, requester_id, requester_organization, user_category, mode, period, status, fee,
          purpose, idempotency_key, request_hash)
        SELECT ${instrumentId}, 'bulk', '京都大学', 'ACADEMIC', 'SELF',
          tstzrange(t, t + interval '15 minutes', '[)'), CASE WHEN i % 10 = 0 THEN 'CANCELLED' ELSE 'CONFIRMED' END::booking_status,
          750, 'bulk', 'bulk-' || i, 'h'
        FROM generate_series(0, 2000) AS i, LATERAL (SELECT '2040-03-01T00:00:00Z'::timestamptz + i * interval '15 minutes' AS t) AS s`;
    });

    it('refuses more than 2000 matches with LIMIT_EXCEEDED on from instead of cutting the list short', async () => {
      expect(await failure(office, LIST, window)).toMatchObject({ code: 'LIMIT_EXCEEDED', field: 'from' });
    });

    it('filters by status and period, ordered by start then id', async () => {
      const { bookings } = await ok<{ bookings: { id: string; start: string; status: string }[] }>(office, LIST, {
        ...window,
        status: ['CANCELLED'],
      });
      expect(bookings).toHaveLength(201);
      expect(bookings.every((b) => b.status === 'CANCELLED')).toBe(true);
      const starts = bookings.map((b) => Date.parse(b.start));
      expect(starts).toEqual([...starts].sort((a, b) => a - b));
      const day = await ok<{ bookings: unknown[] }>(office, LIST, { from: '2040-03-01T00:00:00Z', to: '2040-03-01T01:00:00Z' });
      expect(day.bookings).toHaveLength(4);
      expect(await ok(office, LIST, { ...window, status: [] })).toEqual({ bookings: [] });
    });

    it('is for the office of this institution and ADMIN only', async () => {
      expect((await failure(researcher(), LIST, {})).code).toBe('FORBIDDEN');
      expect((await failure(otherOffice, LIST, {})).code).toBe('FORBIDDEN');
      expect(
        (await ok<{ bookings: unknown[] }>(admin, LIST, { from: '2040-03-01T00:00:00Z', to: '2040-03-01T00:15:00Z' })).bookings,
      ).toHaveLength(1);
      expect(await failure(office, LIST, { from: window.to, to: window.from })).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'to',
      });
    });
  });
});

describe('usage statement', () => {
  it('charges the month’s completed, no-show and late-cancelled bookings by organisation and grant, in Tokyo time', async () => {
    const nmr = await anInstrument({ name: 'NMR 600MHz' });
    const allDay = await anInstrument({ name: '24時間装置' });
    await ok(
      office,
      `mutation ($id: ID!, $hours: [OpenHoursInput!]!) { setOpenHours(instrumentId: $id, hours: $hours) { weekday } }`,
      {
        id: allDay,
        hours: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, opensAt: 0, closesAt: 1440 })),
      },
    );
    service.setNow('2030-02-01T09:00:00+09:00');
    const kyoto = userOf('u-kyoto', { institution: 'kyoto-u', organization: '京都大学' });
    const kyoto2 = userOf('u-kyoto-2', { institution: 'kyoto-u', organization: '京都大学' });
    const acme = userOf('u-acme', { institution: null, organization: 'ACME株式会社', affiliation: 'industry' });
    const b = async (who: Identity, instrumentId: string, start: string, end: string, fundingSource: string | null = null) =>
      book(who, { instrumentId, start: tokyo(start), end: tokyo(end), fundingSource });
    const grantA1 = await b(kyoto, nmr, '2030-03-04T10:00', '2030-03-04T11:00', 'JP30H00001'); // ¥3,000
    const grantA2 = await b(kyoto2, nmr, '2030-03-05T10:00', '2030-03-05T11:30', 'JP30H00001'); // ¥4,500
    const noGrant = await b(kyoto, nmr, '2030-03-06T10:00', '2030-03-06T10:30'); // ¥1,500
    const company = await b(acme, nmr, '2030-03-07T10:00', '2030-03-07T12:00'); // ¥18,000, no-show
    const firstMinute = await b(kyoto, allDay, '2030-03-01T00:00', '2030-03-01T01:00', 'JP30H00001'); // Feb 28 in UTC
    const april = await b(kyoto, allDay, '2030-04-01T00:00', '2030-04-01T01:00', 'JP30H00001'); // Mar 31 in UTC
    const lateCancel = await b(kyoto, nmr, '2030-03-08T10:00', '2030-03-08T12:00', 'JP30H00002'); // ¥6,000 → ¥3,000
    const freeCancel = await b(kyoto, nmr, '2030-03-11T10:00', '2030-03-11T11:00', 'JP30H00002');
    await b(kyoto, nmr, '2030-03-12T10:00', '2030-03-12T11:00', 'JP30H00002'); // confirmed, no outcome yet
    await ok(kyoto, CANCEL, { id: freeCancel.id });
    service.setNow('2030-03-07T12:00:00+09:00');
    await ok(kyoto, CANCEL, { id: lateCancel.id });
    service.setNow('2030-04-02T09:00:00+09:00');
    for (const done of [grantA1, grantA2, noGrant, firstMinute, april]) {
      await ok(office, OUTCOME, { id: done.id, outcome: 'COMPLETED' });
    }
    await ok(office, OUTCOME, { id: company.id, outcome: 'NO_SHOW' });

    const { usageStatement } = await ok<{ usageStatement: Statement }>(office, STATEMENT, { month: '2030-03' });
    type Statement = {
      month: string;
      total: number;
      groups: {
        requesterOrganization: string;
        requesterInstitution: string | null;
        fundingSource: string | null;
        bookings: number;
        amount: number;
        lines: { bookingId: string; instrumentName: string; status: string; amount: number; start: string }[];
      }[];
    };
    expect(usageStatement.month).toBe('2030-03');
    expect(
      usageStatement.groups.map((g) => [g.requesterOrganization, g.requesterInstitution, g.fundingSource, g.bookings, g.amount]),
    ).toEqual([
      ['ACME株式会社', null, null, 1, 18_000],
      ['京都大学', 'kyoto-u', 'JP30H00001', 3, 3_000 + 3_000 + 4_500],
      ['京都大学', 'kyoto-u', 'JP30H00002', 1, 3_000],
      ['京都大学', 'kyoto-u', null, 1, 1_500],
    ]);
    expect(usageStatement.groups[1]!.lines.map((l) => [l.bookingId, l.instrumentName, l.amount])).toEqual([
      [firstMinute.id, '24時間装置', 3_000],
      [grantA1.id, 'NMR 600MHz', 3_000],
      [grantA2.id, 'NMR 600MHz', 4_500],
    ]);
    expect(usageStatement.groups[0]!.lines[0]).toMatchObject({ status: 'NO_SHOW', amount: 18_000 });
    expect(usageStatement.groups[2]!.lines[0]).toMatchObject({ bookingId: lateCancel.id, status: 'CANCELLED', amount: 3_000 });
    expect(usageStatement.total).toBe(18_000 + 10_500 + 3_000 + 1_500);

    const aprilStatement = await ok<{ usageStatement: Statement }>(office, STATEMENT, { month: '2030-04' });
    expect(aprilStatement.usageStatement.groups.flatMap((g) => g.lines.map((l) => l.bookingId))).toEqual([april.id]);
  });

  it('refuses a month not written YYYY-MM, and anyone but the office', async () => {
    expect(await failure(office, STATEMENT, { month: '2030-3' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'month' });
    expect((await failure(researcher(), STATEMENT, { month: '2030-03' })).code).toBe('FORBIDDEN');
    expect(await ok(office, STATEMENT, { month: '2031-07' })).toEqual({
      usageStatement: { month: '2031-07', total: 0, groups: [] },
    });
  });
});

describe('round trips', () => {
  it('a booking costs a bounded number of statements, the same for a first attempt and a retry', async () => {
    const instrumentId = await anInstrument({ requiresQualification: true });
    const who = researcher();
    await ok(office, GRANT, { instrumentId, userId: who.id });
    const args = create({ instrumentId, start: tokyo('2030-01-14T10:00'), end: tokyo('2030-01-14T11:00') });
    const first = await service.countStatements(() => ok(who, CREATE, args));
    const retry = await service.countStatements(() => ok(who, CREATE, args));
    // Key lookup, instrument, open hours, fees (in parallel); qualification; BEGIN, lock, closures, insert, the
    // requester's waits for the period ended, their address kept (messages too, for a requester with one: none
    // here), COMMIT.
    expect(first).toHaveLength(12);
    expect(first.slice(-7).map((q) => q.trim().split(' ')[0])).toEqual([
      'begin',
      'select',
      'select',
      'insert',
      'update',
      'insert',
      'commit',
    ]);
    // A retry is answered from the key lookup (the other three reads ran alongside it).
    expect(retry).toHaveLength(4);
  });
});

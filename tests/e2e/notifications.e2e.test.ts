import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAddressedTo, startMailbox, type Mailbox } from '@kyoyo/infra';
import { startFederation, uniqueCode, type GraphQLAnswer, type TestFederation } from './support/federation';

/**
 * E-mail through the federation, delivered over real SMTP to a mailbox in the suite: the owner writes each
 * message in the booking's own transaction and sends it, in the language the researcher chose at the gateway;
 * a bounce is recorded and shown to the owner's office; a bad choice is refused and changes nothing.
 */

const owner = {
  code: uniqueCode('mail'),
  name: '京都大学',
  prefecture: '京都府',
  location: { latitude: 35.0262, longitude: 135.7808 },
};
const OFFICE_MAIL = `office@${owner.code}.example`;
const RESEARCHER_MAIL = 'hanako@tohoku.example';
const BOUNCING_MAIL = 'nobody@tohoku.example';

let mailbox: Mailbox;
let federation: TestFederation;
const tokens = {} as Record<'office' | 'other' | 'researcher' | 'bouncing', string>;
let instrumentId: string;

const HOUR = 3_600_000;
/** The next whole hour at least `hours` hours from now (the instrument is open around the clock). */
const hoursFromNow = (hours: number) => new Date(Math.ceil((Date.now() + hours * HOUR) / HOUR) * HOUR);
let slot = 0;
/** A fresh two-hour period a week or more ahead. */
const period = () => {
  const start = hoursFromNow(24 * 7 + 3 * slot++);
  return { start: start.toISOString(), end: new Date(start.getTime() + 2 * HOUR).toISOString() };
};

const codeOf = (answer: GraphQLAnswer<unknown>) => answer.errors?.[0]?.extensions?.code;

async function must<T>(token: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const answer = await federation.query<T>(query, variables, token);
  expect(answer.errors).toBeUndefined();
  return answer.data!;
}

const CREATE = `mutation ($input: BookingInput!, $key: String!) { createBooking(input: $input, idempotencyKey: $key) { id status } }`;
const DECIDE = `mutation ($id: ID!) { decideBooking(id: $id, approve: true, note: "承認します") { id status } }`;
const CANCEL = `mutation ($id: ID!) { cancelBooking(id: $id, reason: "plans changed") { id status } }`;
const PREFERENCES = `mutation ($input: NotificationPreferencesInput!) {
  setNotificationPreferences(input: $input) { email language reminders } }`;
const ME = '{ me { notificationPreferences { email language reminders } } }';
const DELIVERIES = `query ($inst: ID!, $states: [DeliveryState!]) {
  notificationDeliveries(institution: $inst, states: $states) { id kind bookingId recipient language subject state attempts lastError } }`;

async function book(token: string): Promise<{ id: string; status: string }> {
  const { createBooking } = await must<{ createBooking: { id: string; status: string } }>(token, CREATE, {
    input: { instrumentId, ...period(), mode: 'SELF', purpose: 'NMR測定' },
    key: crypto.randomUUID(),
  });
  return createBooking;
}

beforeAll(async () => {
  mailbox = await startMailbox({ rejectRecipient: (address) => address === BOUNCING_MAIL });
  federation = await startFederation([owner], { smtpUrl: mailbox.smtpUrl });
  tokens.office = await federation.token({ id: 'office-mail', institution: owner.code, roles: ['FACILITY_MANAGER'] });
  tokens.other = await federation.token({ id: 'office-other', institution: 'elsewhere', roles: ['FACILITY_MANAGER'] });
  tokens.researcher = await federation.token({
    id: 'r-hanako',
    institution: null,
    organization: '東北大学',
    email: RESEARCHER_MAIL,
    language: 'en',
  });
  tokens.bouncing = await federation.token({ id: 'r-nobody', organization: '東北大学', email: BOUNCING_MAIL });
  const { upsertInstrument } = await must<{ upsertInstrument: { id: string } }>(
    tokens.office,
    'mutation ($input: InstrumentInput!) { upsertInstrument(input: $input) { id } }',
    {
      input: {
        institution: owner.code,
        localId: 'MAIL-NMR',
        name: '核磁気共鳴装置',
        category: 'NMR',
        sharedExternally: true,
        requiresApproval: true,
        fees: [{ userCategory: 'ACADEMIC', mode: 'SELF', hourlyRate: 3000 }],
      },
    },
  );
  instrumentId = upsertInstrument.id;
  await must(
    tokens.office,
    'mutation ($id: ID!, $hours: [OpenHoursInput!]!) { setOpenHours(instrumentId: $id, hours: $hours) { weekday } }',
    {
      id: instrumentId,
      hours: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, opensAt: 0, closesAt: 1440 })),
    },
  );
});

afterAll(async () => {
  await federation?.stop();
  await mailbox?.stop();
});

describe('e-mail of a booking', () => {
  it('asks the office, tells the researcher in English, and after a change of language writes in Japanese', async () => {
    const booking = await book(tokens.researcher);
    expect(booking.status).toBe('PENDING');
    const requested = await mailbox.waitFor(
      (m) => isAddressedTo(m, RESEARCHER_MAIL) && m.subject.startsWith('Booking requested'),
    );
    expect(requested.text).toContain('核磁気共鳴装置 (京都大学)');
    expect(requested.text).toContain('Usage fee (expected): ¥6,000');
    expect(requested.from).toContain(`kyoyo@${owner.code}.example`);
    const approval = await mailbox.waitFor((m) => isAddressedTo(m, OFFICE_MAIL) && m.subject.startsWith('承認依頼'));
    expect(approval.text).toContain('申請者: r-hanako（東北大学）');

    await must(tokens.office, DECIDE, { id: booking.id });
    const approved = await mailbox.waitFor((m) => isAddressedTo(m, RESEARCHER_MAIL) && m.subject.startsWith('Booking approved'));
    expect(approved.text).toContain('Note: 承認します');

    // The researcher asks for Japanese at the gateway; the owner writes the cancellation in Japanese.
    expect(await must(tokens.researcher, PREFERENCES, { input: { language: 'JA' } })).toEqual({
      setNotificationPreferences: { email: RESEARCHER_MAIL, language: 'JA', reminders: true },
    });
    await must(tokens.researcher, CANCEL, { id: booking.id });
    const cancelled = await mailbox.waitFor(
      (m) => isAddressedTo(m, RESEARCHER_MAIL) && m.subject.startsWith('予約がキャンセルされました'),
    );
    expect(cancelled.text).toContain('キャンセル料: なし');
    await mailbox.waitFor((m) => isAddressedTo(m, OFFICE_MAIL) && m.subject.startsWith('予約がキャンセルされました'));

    // Each message once.
    const toResearcher = mailbox.messages().filter((m) => isAddressedTo(m, RESEARCHER_MAIL));
    expect(toResearcher.map((m) => m.subject.split(':')[0])).toEqual([
      'Booking requested (awaiting approval)',
      'Booking approved',
      '予約がキャンセルされました',
    ]);

    // The office sees what was sent, with the booking it is about.
    const { notificationDeliveries } = await must<{
      notificationDeliveries: { kind: string; bookingId: string; state: string }[];
    }>(tokens.office, DELIVERIES, { inst: owner.code });
    const ofBooking = notificationDeliveries.filter((d) => d.bookingId === booking.id);
    expect(ofBooking.map((d) => d.kind).sort()).toEqual(
      ['APPROVAL_REQUESTED', 'BOOKING_APPROVED', 'BOOKING_CANCELLED', 'BOOKING_CANCELLED', 'BOOKING_REQUESTED'].sort(),
    );
    expect(ofBooking.every((d) => d.state === 'SENT')).toBe(true);
  });

  it('records a bounce as FAILED with the server’s answer, for the owner’s office to see', async () => {
    const booking = await book(tokens.bouncing);
    await mailbox.waitFor((m) => isAddressedTo(m, OFFICE_MAIL) && m.text.includes('r-nobody'));
    await expect
      .poll(
        async () => {
          const { notificationDeliveries } = await must<{ notificationDeliveries: { bookingId: string; recipient: string }[] }>(
            tokens.office,
            DELIVERIES,
            { inst: owner.code, states: ['FAILED'] },
          );
          return notificationDeliveries.filter((d) => d.bookingId === booking.id);
        },
        { timeout: 10_000 },
      )
      .toEqual([
        expect.objectContaining({
          recipient: BOUNCING_MAIL,
          state: 'FAILED',
          attempts: 1,
          lastError: expect.stringMatching(/550/),
        }),
      ]);
    expect(mailbox.messages().some((m) => isAddressedTo(m, BOUNCING_MAIL))).toBe(false);
  });

  it('shows an institution’s e-mail to its own office and the operator only', async () => {
    expect(codeOf(await federation.query(DELIVERIES, { inst: owner.code }, tokens.other))).toBe('FORBIDDEN');
    expect(codeOf(await federation.query(DELIVERIES, { inst: owner.code }, tokens.researcher))).toBe('FORBIDDEN');
    expect(codeOf(await federation.query(DELIVERIES, { inst: owner.code }))).toBe('UNAUTHENTICATED');
    expect(
      codeOf(
        await federation.query(
          DELIVERIES.replace('states: $states', 'states: $states, first: 0'),
          { inst: owner.code },
          tokens.office,
        ),
      ),
    ).toBe('BAD_USER_INPUT');
  });
});

describe('e-mail of a waitlist', () => {
  it('tells those waiting for a period, in the order they joined, when a cancellation frees it', async () => {
    const waiters = await Promise.all(
      ['first', 'second'].map((name) =>
        federation.token({ id: `r-wait-${name}`, organization: '大阪大学', email: `${name}@osaka.example`, language: 'en' }),
      ),
    );
    const held = period();
    const { createBooking } = await must<{ createBooking: { id: string; status: string } }>(tokens.researcher, CREATE, {
      input: { instrumentId, ...held, mode: 'SELF', purpose: 'NMR測定' },
      key: crypto.randomUUID(),
    });
    for (const token of waiters) {
      await must(token, 'mutation ($input: WaitlistInput!) { joinWaitlist(input: $input) { id position } }', {
        input: { instrumentId, ...held },
      });
    }
    await must(tokens.researcher, CANCEL, { id: createBooking.id });
    const told = await Promise.all(
      ['first', 'second'].map((name) =>
        mailbox.waitFor(
          (m) => isAddressedTo(m, `${name}@osaka.example`) && m.subject.startsWith('A period you wait for is free'),
        ),
      ),
    );
    expect(told[0]!.text).toContain('You were number 1 in line');
    expect(told[1]!.text).toContain('You were number 2 in line');
    // Told in order: the first in line's message was sent first.
    expect(told[0]!.id).toBeLessThan(told[1]!.id);
  });
});

describe('notification preferences', () => {
  it('turns reminders off and back, and refuses an empty or null change without writing anything', async () => {
    const token = await federation.token({ id: 'r-prefs', email: 'prefs@tohoku.example' });
    expect(await must(token, ME)).toEqual({
      me: { notificationPreferences: { email: 'prefs@tohoku.example', language: 'JA', reminders: true } },
    });
    await must(token, PREFERENCES, { input: { reminders: false } });
    expect(await must(token, ME)).toEqual({
      me: { notificationPreferences: { email: 'prefs@tohoku.example', language: 'JA', reminders: false } },
    });
    for (const input of [{}, { reminders: null }, { language: null }]) {
      const refused = await federation.query(PREFERENCES, { input }, token);
      expect(codeOf(refused)).toBe('BAD_USER_INPUT');
    }
    expect(codeOf(await federation.query(PREFERENCES, { input: { language: 'FR' } }, token))).toBe('BAD_USER_INPUT');
    expect(codeOf(await federation.query(PREFERENCES, { input: { reminders: true } }))).toBe('UNAUTHENTICATED');
    // Nothing of the refusals was written.
    expect(await must(token, ME)).toEqual({
      me: { notificationPreferences: { email: 'prefs@tohoku.example', language: 'JA', reminders: false } },
    });
    await must(token, PREFERENCES, { input: { language: 'EN', reminders: true } });
    expect(await must(token, ME)).toEqual({
      me: { notificationPreferences: { email: 'prefs@tohoku.example', language: 'EN', reminders: true } },
    });
  });
});

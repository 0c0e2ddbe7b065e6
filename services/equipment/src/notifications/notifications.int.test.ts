/**
 * Notifications on real PostgreSQL through the production migrations, delivered over real SMTP (nodemailer
 * to an `smtp-server` in the test that accepts, defers, refuses or drops the link as told): messages are
 * written in the transaction of their booking event, and sent at most once however the delivery goes.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerDataStream } from 'smtp-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '@kyoyo/server-kit';
import { startServiceHarness, userOf, type ServiceHarness } from '../common/test-harness';
import { BookingNotices } from './booking-notices';
import { smtpSender } from './mail-sender';
import { NotificationWorker } from './notification.worker';
import { NotificationsRepository } from './notifications.repository';
import { ReminderSweep } from './reminder.sweep';
import { RemindersRepository } from './reminders.repository';

/** What the test's SMTP server does with the next message. */
type Behaviour = 'accept' | 'defer' | 'refuse' | 'drop';

interface Receiver {
  url: string;
  received: ParsedMail[];
  next: Behaviour[];
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const received: ParsedMail[] = [];
  const next: Behaviour[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream: SMTPServerDataStream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const behaviour = next.shift() ?? 'accept';
        if (behaviour === 'defer')
          return callback(Object.assign(new Error('4.2.0 mailbox busy, try later'), { responseCode: 451 }));
        if (behaviour === 'refuse') return callback(Object.assign(new Error('5.1.1 no such user'), { responseCode: 550 }));
        if (behaviour === 'drop') {
          // The message is in; the link drops before the server says so.
          void simpleParser(Buffer.concat(chunks)).then((mail) => received.push(mail));
          const connections = (server as unknown as { connections: Set<{ _socket: { destroy(): void } }> }).connections;
          for (const connection of connections) connection._socket.destroy();
          return;
        }
        void simpleParser(Buffer.concat(chunks)).then((mail) => {
          received.push(mail);
          callback();
        });
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return { url: `smtp://127.0.0.1:${port}`, received, next, close: () => new Promise((resolve) => server.close(resolve)) };
}

const NOW = '2030-01-07T09:00:00+09:00';
const silent = createLogger('test', 'error', {}, () => undefined);
const settings = { institutionName: 'テスト大学', officeEmail: 'office@test-u.example', consoleUrl: 'https://kyoyo.example' };

let service: ServiceHarness;
let receiver: Receiver;
let outbox: NotificationsRepository;
let worker: NotificationWorker;

beforeAll(async () => {
  receiver = await startReceiver();
  // No sender in the service: the test drives its own worker, round by round.
  service = await startServiceHarness('test-u', 10, { settings, sender: null });
  outbox = new NotificationsRepository(service.probe.db);
  worker = new NotificationWorker(outbox, smtpSender(receiver.url, 'テスト大学 <kyoyo@test-u.example>', 'test-u'), silent, {
    firstRetryMs: 60_000,
    maxAttempts: 3,
    staleAfterMs: 60_000,
  });
});
afterAll(async () => {
  await worker?.stop();
  await service?.stop();
  await receiver?.close();
});
beforeEach(() => service.setNow(NOW));

const office = userOf('office-1', { institution: 'test-u', organization: 'テスト大学', roles: ['FACILITY_MANAGER'] });
const researcher = (language: 'ja' | 'en' = 'ja', reminders?: boolean) => {
  const id = `r-${randomUUID()}`;
  return userOf(id, { email: `${id}@kyoto-u.example`, language, reminders });
};

const UPSERT = `mutation ($input: InstrumentInput!) { upsertInstrument(input: $input) { id } }`;
const CREATE = `mutation ($input: LocalBookingInput!, $key: String!) { createBooking(input: $input, idempotencyKey: $key) { id status } }`;
const CANCEL = `mutation ($id: ID!, $reason: String) { cancelBooking(id: $id, reason: $reason) { id status cancellationFee } }`;
const DECIDE = `mutation ($id: ID!, $approve: Boolean!, $note: String) { decideBooking(id: $id, approve: $approve, note: $note) { id status } }`;

async function anInstrument(input: Record<string, unknown> = {}): Promise<string> {
  const { upsertInstrument } = await service.ok<{ upsertInstrument: { id: string } }>(office, UPSERT, {
    input: {
      localId: `EQ-${randomUUID()}`,
      name: '核磁気共鳴装置',
      category: 'NMR',
      sharedExternally: true,
      fees: [{ userCategory: 'ACADEMIC', mode: 'SELF', hourlyRate: 3_000 }],
      ...input,
    },
  });
  return upsertInstrument.id;
}

async function book(who: ReturnType<typeof researcher>, instrumentId: string, start: string, end: string) {
  const { createBooking } = await service.ok<{ createBooking: { id: string; status: string } }>(who, CREATE, {
    input: { instrumentId, start, end, mode: 'SELF', purpose: 'NMR測定' },
    key: randomUUID(),
  });
  return createBooking;
}

/** The outbox's messages about a booking, by kind and recipient. */
async function messagesOf(bookingId: string) {
  const rows = await service.probe.sql<
    { kind: string; recipient: string; language: string; subject: string; body: string; state: string }[]
  >`
    SELECT kind, recipient, language, subject, body, state FROM notifications WHERE booking_id = ${bookingId} ORDER BY id`;
  return rows;
}

describe('the outbox', () => {
  it('writes a confirmation in the researcher’s language with the booking, and nothing for a refused booking', async () => {
    const instrumentId = await anInstrument();
    const who = researcher('en');
    const booking = await book(who, instrumentId, '2030-01-14T10:00:00+09:00', '2030-01-14T12:00:00+09:00');
    expect(booking.status).toBe('CONFIRMED');
    const [message, ...others] = await messagesOf(booking.id);
    expect(others).toEqual([]);
    expect(message).toMatchObject({ kind: 'BOOKING_CONFIRMED', recipient: who.email, language: 'en', state: 'PENDING' });
    expect(message!.subject).toBe('Booking confirmed: 核磁気共鳴装置');
    expect(message!.body).toContain('Mon, 14 Jan 2030 10:00–12:00 (Japan time)');
    expect(message!.body).toContain('¥6,000');
    expect(message!.body).toContain('https://kyoyo.example/bookings');

    // The same slot again: refused, and neither a booking nor a message nor a person is written.
    const before = await service.rowCounts();
    const refused = await service.failure(researcher(), CREATE, {
      input: { instrumentId, start: '2030-01-14T11:00:00+09:00', end: '2030-01-14T13:00:00+09:00', mode: 'SELF', purpose: 'x' },
      key: randomUUID(),
    });
    expect(refused.code).toBe('SLOT_UNAVAILABLE');
    expect(await service.rowCounts()).toEqual(before);
  });

  it('asks the office to approve, tells the researcher the decision, and a cancellation with its fee to both', async () => {
    const instrumentId = await anInstrument({ requiresApproval: true, cancellationFreeHours: 48, cancellationFeePercent: 50 });
    const who = researcher('ja');
    const booking = await book(who, instrumentId, '2030-01-08T10:00:00+09:00', '2030-01-08T12:00:00+09:00');
    expect(booking.status).toBe('PENDING');
    expect((await messagesOf(booking.id)).map((m) => [m.kind, m.recipient])).toEqual([
      ['BOOKING_REQUESTED', who.email],
      ['APPROVAL_REQUESTED', 'office@test-u.example'],
    ]);
    await service.ok(office, DECIDE, { id: booking.id, approve: true, note: '了解しました' });
    const approved = (await messagesOf(booking.id)).find((m) => m.kind === 'BOOKING_APPROVED')!;
    expect(approved.subject).toBe('予約が承認されました: 核磁気共鳴装置');
    expect(approved.body).toContain('2030年1月8日(火) 10:00–12:00（日本時間）');
    expect(approved.body).toContain('メモ: 了解しました');

    // Within 48 hours of the start: the researcher pays half of ¥6,000.
    const { cancelBooking } = await service.ok<{ cancelBooking: { cancellationFee: number } }>(who, CANCEL, {
      id: booking.id,
      reason: '試料が届かない',
    });
    expect(cancelBooking.cancellationFee).toBe(3_000);
    const cancelled = (await messagesOf(booking.id)).filter((m) => m.kind === 'BOOKING_CANCELLED');
    expect(cancelled.map((m) => m.recipient)).toEqual([who.email, 'office@test-u.example']);
    expect(cancelled[0]!.body).toContain('キャンセル料: ¥3,000');
  });

  it('writes nothing to someone without an address, and keeps the address of an earlier call', async () => {
    const instrumentId = await anInstrument();
    const who = researcher('en');
    const { email: _email, ...withoutEmail } = who;
    const first = await book(withoutEmail, instrumentId, '2030-01-15T10:00:00+09:00', '2030-01-15T11:00:00+09:00');
    expect(await messagesOf(first.id)).toEqual([]);
    await book(who, instrumentId, '2030-01-15T11:00:00+09:00', '2030-01-15T12:00:00+09:00');
    // A later call without an address (say, from a script) still reaches the person at the known one.
    const third = await book(withoutEmail, instrumentId, '2030-01-15T12:00:00+09:00', '2030-01-15T13:00:00+09:00');
    await service.ok(withoutEmail, CANCEL, { id: third.id });
    expect((await messagesOf(third.id)).map((m) => [m.kind, m.recipient])).toEqual([
      ['BOOKING_CANCELLED', who.email],
      ['BOOKING_CANCELLED', 'office@test-u.example'],
    ]);
  });
});

describe('delivery over SMTP', () => {
  /** Marks everything written so far as sent, so that a test sees only its own messages. */
  const settle = () => service.probe.sql`UPDATE notifications SET state = 'SENT' WHERE state IN ('PENDING', 'SENDING')`;
  const stateOf = async (bookingId: string) =>
    (
      await service.probe.sql<{ state: string; attempts: number; last_error: string | null; next_attempt_at: Date }[]>`
        SELECT state, attempts, last_error, next_attempt_at FROM notifications WHERE booking_id = ${bookingId}`
    )[0]!;

  it('sends a message once: received with its subject, SENT, and not sent again', async () => {
    await settle();
    const instrumentId = await anInstrument();
    const who = researcher('ja');
    const booking = await book(who, instrumentId, '2030-01-16T10:00:00+09:00', '2030-01-16T11:00:00+09:00');
    const count = receiver.received.length;
    expect(await worker.round()).toMatchObject({ sent: 1, retried: 0, failed: 0, unknown: 0 });
    expect(await worker.round()).toMatchObject({ sent: 0 });
    expect(receiver.received).toHaveLength(count + 1);
    const mail = receiver.received.at(-1)!;
    expect(mail.subject).toBe('予約が確定しました: 核磁気共鳴装置');
    expect(mail.text).toContain('予約番号');
    expect(mail.headers.get('auto-submitted')).toBe('auto-generated');
    expect((await stateOf(booking.id)).state).toBe('SENT');
  });

  it('tries a deferred message (4xx) again later with backoff, and gives up after the last attempt', async () => {
    await settle();
    const booking = await book(researcher(), await anInstrument(), '2030-01-17T10:00:00+09:00', '2030-01-17T11:00:00+09:00');
    receiver.next.push('defer');
    const before = Date.now();
    expect(await worker.round()).toMatchObject({ retried: 1 });
    const deferred = await stateOf(booking.id);
    expect(deferred).toMatchObject({ state: 'PENDING', attempts: 1 });
    expect(deferred.last_error).toMatch(/451.*mailbox busy/);
    expect(new Date(deferred.next_attempt_at).getTime()).toBeGreaterThanOrEqual(before + 60_000);
    // Not due yet: nothing happens.
    expect(await worker.round()).toMatchObject({ sent: 0, retried: 0 });
    // Due again (the test moves its time), deferred twice more: the third attempt gives up.
    receiver.next.push('defer', 'defer');
    for (const outcome of ['retried', 'failed'] as const) {
      await service.probe.sql`UPDATE notifications SET next_attempt_at = now() WHERE booking_id = ${booking.id}`;
      expect(await worker.round()).toMatchObject({ [outcome]: 1 });
    }
    expect(await stateOf(booking.id)).toMatchObject({ state: 'FAILED', attempts: 3 });
    expect((await stateOf(booking.id)).last_error).toMatch(/deferred 3 times, given up/);
  });

  it('records a refusal (5xx, a bounce) as FAILED with the server’s answer, and shows it to the office', async () => {
    await settle();
    const booking = await book(researcher(), await anInstrument(), '2030-01-18T10:00:00+09:00', '2030-01-18T11:00:00+09:00');
    receiver.next.push('refuse');
    expect(await worker.round()).toMatchObject({ failed: 1 });
    expect(await stateOf(booking.id)).toMatchObject({ state: 'FAILED', attempts: 1 });
    expect((await stateOf(booking.id)).last_error).toMatch(/550.*no such user/);
    const failures = await outbox.list(['FAILED', 'UNKNOWN'], 10);
    expect(failures.map((f) => f.bookingId)).toContain(Number(booking.id));
  });

  it('never sends again a message whose link dropped after it was handed over, or whose sender stopped mid-send', async () => {
    await settle();
    const dropped = await book(researcher(), await anInstrument(), '2030-01-21T10:00:00+09:00', '2030-01-21T11:00:00+09:00');
    receiver.next.push('drop');
    const count = receiver.received.length;
    expect(await worker.round()).toMatchObject({ unknown: 1 });
    expect(await worker.round()).toMatchObject({ sent: 0, unknown: 0 });
    expect(await stateOf(dropped.id)).toMatchObject({ state: 'UNKNOWN', attempts: 1 });
    // It had reached the server: once, not twice.
    await expect.poll(() => receiver.received.length).toBe(count + 1);

    // A worker that claimed a message and stopped (a crash): after the stale time the message is UNKNOWN.
    const claimed = await book(researcher(), await anInstrument(), '2030-01-22T10:00:00+09:00', '2030-01-22T11:00:00+09:00');
    await service.probe.sql`UPDATE notifications SET state = 'SENDING', attempts = 1, claimed_at = now() - interval '2 minutes'
      WHERE booking_id = ${claimed.id}`;
    expect(await worker.round()).toMatchObject({ abandoned: 1, sent: 0 });
    expect((await stateOf(claimed.id)).state).toBe('UNKNOWN');
  });

  it('tries again when the SMTP server cannot be reached, sending nothing meanwhile', async () => {
    await settle();
    const booking = await book(researcher(), await anInstrument(), '2030-01-23T10:00:00+09:00', '2030-01-23T11:00:00+09:00');
    // A port nobody listens on: the server we just closed.
    const gone = await startReceiver();
    await gone.close();
    const unreachable = new NotificationWorker(outbox, smtpSender(gone.url, 'kyoyo@test-u.example', 'test-u'), silent, {
      firstRetryMs: 60_000,
    });
    expect(await unreachable.round()).toMatchObject({ retried: 1, unknown: 0 });
    expect(await stateOf(booking.id)).toMatchObject({ state: 'PENDING', attempts: 1 });
    await unreachable.stop();
    await service.probe.sql`UPDATE notifications SET next_attempt_at = now() WHERE booking_id = ${booking.id}`;
    expect(await worker.round()).toMatchObject({ sent: 1 });
  });

  it('claims each message once however many workers run', async () => {
    await settle();
    const instrumentId = await anInstrument();
    for (let hour = 10; hour < 16; hour++) {
      await book(researcher(), instrumentId, `2030-01-24T${hour}:00:00+09:00`, `2030-01-24T${hour + 1}:00:00+09:00`);
    }
    const count = receiver.received.length;
    const second = new NotificationWorker(outbox, smtpSender(receiver.url, 'kyoyo@test-u.example', 'test-u'), silent, {
      batchSize: 2,
    });
    const reports = await Promise.all([worker.round(), second.round(), worker.round(), second.round()]);
    await second.stop();
    const rest = await worker.round();
    expect(reports.reduce((n, r) => n + r.sent, 0) + rest.sent).toBe(6);
    expect(receiver.received).toHaveLength(count + 6);
    expect(new Set(receiver.received.slice(count).map((m) => m.messageId)).size).toBe(6);
  });
});

describe('reminders', () => {
  it('reminds the day before, once, those who want reminders; and tells of a qualification that ends soon', async () => {
    const instrumentId = await anInstrument();
    const wants = researcher('en');
    const optedOut = researcher('ja', false);
    // "Now" is 09:00: a booking at 14:00 is within the next day, one at 09:30 too close to be reminded of.
    const soon = await book(wants, instrumentId, '2030-01-07T14:00:00+09:00', '2030-01-07T15:00:00+09:00');
    const quiet = await book(optedOut, instrumentId, '2030-01-07T15:00:00+09:00', '2030-01-07T16:00:00+09:00');
    const close = await book(wants, instrumentId, '2030-01-07T09:30:00+09:00', '2030-01-07T10:00:00+09:00');
    const later = await book(wants, instrumentId, '2030-01-10T10:00:00+09:00', '2030-01-10T11:00:00+09:00');
    await service.probe.sql`INSERT INTO qualifications (instrument_id, user_id, expires_on, granted_by)
      VALUES (${instrumentId}, ${wants.id}, '2030-01-15', 'office-1')`;
    const sweep = new ReminderSweep(new RemindersRepository(service.probe.db), outbox, new BookingNotices(settings), silent);
    const now = new Date(NOW);
    expect(await sweep.run(now)).toEqual({ reminders: 1, qualifications: 1 });
    expect(await sweep.run(now)).toEqual({ reminders: 0, qualifications: 0 });
    const reminder = (await messagesOf(soon.id)).find((m) => m.kind === 'BOOKING_REMINDER')!;
    expect(reminder).toMatchObject({ recipient: wants.email, language: 'en', subject: 'Tomorrow: 核磁気共鳴装置' });
    expect((await messagesOf(quiet.id)).map((m) => m.kind)).toEqual(['BOOKING_CONFIRMED']);
    expect((await messagesOf(later.id)).map((m) => m.kind)).toEqual(['BOOKING_CONFIRMED']);
    expect((await messagesOf(close.id)).map((m) => m.kind)).toEqual(['BOOKING_CONFIRMED']);
    const [notice] = await service.probe.sql<{ subject: string; body: string }[]>`
      SELECT subject, body FROM notifications WHERE kind = 'QUALIFICATION_EXPIRING' AND recipient_subject = ${wants.id}`;
    expect(notice!.subject).toBe('Qualification ending soon: 核磁気共鳴装置');
    expect(notice!.body).toContain('valid until 2030-01-15');
  });
});

import nodemailer from 'nodemailer';
import { afterEach, describe, expect, it } from 'vitest';
import { startMailbox, type Mailbox, type MailboxMessage, type MailboxOptions } from './mailbox';

let mailbox: Mailbox | undefined;
afterEach(async () => {
  await mailbox?.stop();
  mailbox = undefined;
});

async function start(options: MailboxOptions = {}): Promise<Mailbox> {
  mailbox = await startMailbox({ httpPort: 0, ...options });
  return mailbox;
}

/** Sends one message over SMTP, as the equipment services do (a transport per message: no pooled connection). */
function send(box: Mailbox, message: nodemailer.SendMailOptions) {
  return nodemailer.createTransport(box.smtpUrl).sendMail({
    from: '"東北大学 共用機器" <noreply@tohoku-u.kyoyo.example>',
    text: 'body',
    ...message,
  });
}

async function listed(box: Mailbox, query = ''): Promise<{ status: number; body: { messages?: MailboxMessage[] } }> {
  const response = await fetch(`${box.httpUrl}/messages${query}`);
  return { status: response.status, body: (await response.json()) as { messages?: MailboxMessage[] } };
}

describe('the development mailbox', () => {
  it('keeps a message sent over SMTP with its envelope, decoded headers and both bodies', async () => {
    const box = await start();
    expect(box.smtpUrl).toMatch(/^smtp:\/\/127\.0\.0\.1:\d+$/);
    const sent = await send(box, {
      to: 'Researcher One <researcher-1@u-tokyo.kyoyo.example>',
      bcc: 'office@tohoku-u.kyoyo.example',
      subject: '予約が承認されました / Your booking is confirmed',
      text: '核磁気共鳴装置の予約が承認されました。\nYour booking is confirmed.',
      html: '<p>予約が承認されました。</p>',
      headers: { 'Content-Language': 'ja, en', 'X-Kyoyo-Event': 'booking.confirmed' },
    });

    const [message] = box.messages();
    expect(message).toMatchObject({
      id: 1,
      envelopeFrom: 'noreply@tohoku-u.kyoyo.example',
      envelopeTo: ['researcher-1@u-tokyo.kyoyo.example', 'office@tohoku-u.kyoyo.example'],
      from: '"東北大学 共用機器" <noreply@tohoku-u.kyoyo.example>',
      to: ['researcher-1@u-tokyo.kyoyo.example'],
      subject: '予約が承認されました / Your booking is confirmed',
      text: '核磁気共鳴装置の予約が承認されました。\nYour booking is confirmed.',
      html: '<p>予約が承認されました。</p>',
      messageId: sent.messageId,
    });
    expect(message!.headers).toMatchObject({ 'content-language': 'ja, en', 'x-kyoyo-event': 'booking.confirmed' });
    expect(message!.headers['content-type']).toMatch(/^multipart\/alternative;/);
    expect(message!.headers).not.toHaveProperty('bcc');
    expect(Date.now() - Date.parse(message!.receivedAt)).toBeLessThan(10_000);
  });

  it('has no HTML body for a plain-text message', async () => {
    const box = await start();
    await send(box, { to: 'a@x.example', subject: 'plain' });
    const [message] = box.messages();
    expect(message!.text.trim()).toBe('body');
    expect(message!.html).toBeNull();
  });

  it('waits for a message that has not come yet, and finds one that already has', async () => {
    const box = await start();
    const waiting = box.waitFor((m) => m.subject === 'second');
    await send(box, { to: 'a@x.example', subject: 'first' });
    await send(box, { to: 'a@x.example', subject: 'second' });
    expect((await waiting).id).toBe(2);
    expect((await box.waitFor((m) => m.subject === 'first')).id).toBe(1);
  });

  it('gives up waiting after the timeout, naming the subjects it has', async () => {
    const box = await start();
    await send(box, { to: 'a@x.example', subject: '予約の受付' });
    await expect(box.waitFor((m) => m.subject === 'never', { timeoutMs: 100 })).rejects.toThrow(
      'no message matched within 100 ms; the mailbox holds 1: "予約の受付"',
    );
  });

  it('bounces a rejected recipient at RCPT TO with 550 5.1.1 and keeps nothing', async () => {
    const box = await start({ rejectRecipient: (address) => address.endsWith('@gone.example') });
    const refused = await send(box, { to: 'former@gone.example', subject: 'bounce' }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ responseCode: 550, response: expect.stringContaining('550 5.1.1') });
    expect(box.messages()).toEqual([]);

    const partly = await send(box, { to: ['former@gone.example', 'here@x.example'], subject: 'partly' });
    expect(partly.rejected).toEqual(['former@gone.example']);
    expect(box.messages().map((m) => m.envelopeTo)).toEqual([['here@x.example']]);
  });

  it('refuses the next transactions with a temporary error when told to, then accepts again', async () => {
    const box = await start();
    box.failNext(2);
    for (let attempt = 0; attempt < 2; attempt++) {
      await expect(send(box, { to: 'a@x.example', subject: 'retry' })).rejects.toMatchObject({ responseCode: 421 });
    }
    await send(box, { to: 'a@x.example', subject: 'retry' });
    expect(box.messages().map((m) => m.subject)).toEqual(['retry']);

    box.failNext(1, 451);
    await expect(send(box, { to: 'a@x.example', subject: 'again' })).rejects.toMatchObject({ responseCode: 451 });
  });

  it('keeps only the newest maxMessages', async () => {
    const box = await start({ maxMessages: 2 });
    for (const subject of ['one', 'two', 'three']) await send(box, { to: 'a@x.example', subject });
    expect(box.messages().map((m) => [m.id, m.subject])).toEqual([
      [2, 'two'],
      [3, 'three'],
    ]);
  });

  it('lists messages newest first over HTTP, filtered by recipient, and clears them', async () => {
    const box = await start();
    expect(box.httpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await send(box, { to: 'Researcher-1@U-Tokyo.kyoyo.example', subject: 'to the researcher' });
    await send(box, { to: 'other@x.example', bcc: 'researcher-1@u-tokyo.kyoyo.example', subject: 'bcc to the researcher' });
    await send(box, { to: 'other@x.example', subject: 'not to the researcher' });

    const all = await listed(box);
    expect(all.status).toBe(200);
    expect(all.body.messages!.map((m) => m.subject)).toEqual([
      'not to the researcher',
      'bcc to the researcher',
      'to the researcher',
    ]);
    const mine = await listed(box, `?to=${encodeURIComponent('RESEARCHER-1@u-tokyo.kyoyo.example')}`);
    expect(mine.body.messages!.map((m) => m.subject)).toEqual(['bcc to the researcher', 'to the researcher']);

    const cleared = await fetch(`${box.httpUrl}/messages`, { method: 'DELETE' });
    expect(cleared.status).toBe(200);
    expect((await listed(box)).body.messages).toEqual([]);
    expect(box.messages()).toEqual([]);
    expect((await listed(box, '/1')).status).toBe(404);
    expect((await fetch(`${box.httpUrl}/messages`, { method: 'POST' })).status).toBe(404);
  });

  it('has no HTTP API unless asked, and rejects a pending wait when it stops', async () => {
    const box = await startMailbox();
    expect(box.httpUrl).toBeNull();
    const waiting = box.waitFor(() => true);
    await box.stop();
    await expect(waiting).rejects.toThrow('the mailbox stopped');
  });

  it('refuses to start on an SMTP port that is taken', async () => {
    const box = await start();
    const port = Number(new URL(box.smtpUrl).port);
    await expect(startMailbox({ smtpPort: port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});

import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyPair } from '@kyoyo/auth';
import { connect } from '@kyoyo/db';
import { createGatewayApp, gatewayMigrationsFolder, gatewaySchema, type GatewayApp } from '@kyoyo/gateway';
import { startMailbox, type Mailbox, type MailboxMessage } from '@kyoyo/infra';
import { createLogger } from '@kyoyo/server-kit';
import { createTestDatabase } from '@kyoyo/test-kit';

/**
 * The console's development mailbox through the gateway: `GET /dev/mailbox` lists what a real SMTP client sent to
 * the mailbox, newest first and by recipient, and answers 503 when the mailbox is gone; `/auth/options` tells the
 * console it is there. A production gateway has neither, whatever it is given.
 */

const silent = createLogger('test', 'error', {}, () => undefined);

let mailbox: Mailbox;
let development: { app: GatewayApp; origin: string };
let production: { app: GatewayApp; origin: string };

async function gateway(options: { production: boolean; devMailboxUrl: string }) {
  const { pair } = await createKeyPair();
  const app = await createGatewayApp({
    database: connect(await createTestDatabase(gatewayMigrationsFolder), gatewaySchema, { max: 2 }),
    signingKey: pair,
    issuers: [],
    logger: silent,
    timeoutMs: 2000,
    healthIntervalMs: 60_000,
    maxBodyBytes: 1024 * 1024,
    harvest: false,
    ...options,
  });
  return { app, origin: `http://127.0.0.1:${await app.listen(0, '127.0.0.1')}` };
}

async function getJson<T>(url: string): Promise<{ status: number; body: T }> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as T };
}

beforeAll(async () => {
  mailbox = await startMailbox({ httpPort: 0 });
  development = await gateway({ production: false, devMailboxUrl: mailbox.httpUrl! });
  production = await gateway({ production: true, devMailboxUrl: mailbox.httpUrl! });
});

afterAll(async () => {
  await Promise.all([development?.app.stop(), production?.app.stop(), mailbox?.stop()]);
});

describe('the development mailbox through the gateway', () => {
  it('tells the console there is a mailbox, in development only', async () => {
    expect((await getJson(`${development.origin}/auth/options`)).body).toMatchObject({ devMailbox: true });
    expect((await getJson(`${production.origin}/auth/options`)).body).toMatchObject({ devMailbox: false });
    expect((await fetch(`${production.origin}/dev/mailbox`)).status).toBe(404);
  });

  it('lists what was sent over SMTP, newest first, and only the messages to a recipient when asked', async () => {
    const transport = nodemailer.createTransport(mailbox.smtpUrl);
    const from = '東北大学 共用機器 <noreply@tohoku-u.kyoyo.example>';
    await transport.sendMail({ from, to: 'researcher-1@u-tokyo.kyoyo.example', subject: '予約の受付', text: '受け付けました。' });
    await transport.sendMail({
      from,
      to: 'office@tohoku-u.kyoyo.example',
      subject: '承認待ちの予約',
      text: '承認してください。',
    });

    const all = await getJson<{ messages: MailboxMessage[] }>(`${development.origin}/dev/mailbox`);
    expect(all.status).toBe(200);
    expect(all.body.messages.map((m) => m.subject)).toEqual(['承認待ちの予約', '予約の受付']);
    expect(all.body.messages[1]).toMatchObject({
      to: ['researcher-1@u-tokyo.kyoyo.example'],
      from: expect.stringContaining('東北大学'),
    });

    const mine = await getJson<{ messages: MailboxMessage[] }>(
      `${development.origin}/dev/mailbox?to=${encodeURIComponent('Researcher-1@u-tokyo.kyoyo.example')}`,
    );
    expect(mine.body.messages.map((m) => m.subject)).toEqual(['予約の受付']);
  });

  it('answers 503 with a code when the mailbox does not answer', async () => {
    await mailbox.stop();
    const answer = await getJson<{ errors: { message: string; extensions: { code: string } }[] }>(
      `${development.origin}/dev/mailbox`,
    );
    expect(answer.status).toBe(503);
    expect(answer.body.errors[0]!.extensions.code).toBe('SERVICE_UNAVAILABLE');
    expect(answer.body.errors[0]!.message).toContain('not answering');
  });
});

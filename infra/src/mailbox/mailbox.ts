/**
 * The development and test mail receiver: an SMTP server (no TLS, no authentication) that keeps what it is sent
 * in memory, parsed, with an optional HTTP JSON API for the console's Mailbox page. `npm start` runs one for the
 * demo federation's equipment services; tests start their own to read what was sent, to bounce an address
 * (`rejectRecipient`) or to refuse the next transactions with a temporary error (`failNext`) to see a retry.
 */
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { simpleParser, type AddressObject, type EmailAddress, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import { listen, sendJson } from '@kyoyo/server-kit';

/** One message the mailbox received, as the HTTP API answers it. */
export interface MailboxMessage {
  /** 1, 2, 3, … in order of arrival (not reused after `clear()`). */
  id: number;
  /** When the message was accepted, ISO 8601. */
  receivedAt: string;
  /** The SMTP envelope's sender (`MAIL FROM`; empty for a null sender). */
  envelopeFrom: string;
  /** The SMTP envelope's recipients (`RCPT TO`): where the message was delivered, Bcc included. */
  envelopeTo: string[];
  /** The From header as written, decoded, e.g. `東北大学 共用機器 <noreply@tohoku-u.kyoyo.example>`. */
  from: string;
  /** The addresses of the To header. */
  to: string[];
  subject: string;
  /** The plain-text body (empty when the message has none). */
  text: string;
  /** The HTML body, or null. */
  html: string | null;
  /** The Message-ID header, or null. */
  messageId: string | null;
  /** Every header by its lower-case name (`content-language`, `x-kyoyo-event`, …), decoded; repeated ones joined with `, `. */
  headers: Record<string, string>;
}

export interface MailboxOptions {
  /** SMTP port; 0 (the default) takes a free one. */
  smtpPort?: number;
  /** Address both servers listen on (default 127.0.0.1). */
  host?: string;
  /** Port of the HTTP JSON API (0: a free one); null or absent: no HTTP API. */
  httpPort?: number | null;
  /** Messages kept; beyond this the oldest are dropped (default 1000). */
  maxMessages?: number;
  /** Recipients for which this is true are refused at `RCPT TO` with 550 5.1.1: a hard bounce. */
  rejectRecipient?: (address: string) => boolean;
}

export interface Mailbox {
  /** e.g. `smtp://127.0.0.1:2525`, for nodemailer's `createTransport`. */
  smtpUrl: string;
  /** e.g. `http://127.0.0.1:4025` (its API is `GET` and `DELETE /messages`), or null without an HTTP API. */
  httpUrl: string | null;
  /** The messages kept, oldest first. */
  messages(): MailboxMessage[];
  /**
   * The first message, already received or still to come, for which `predicate` is true. Rejects after
   * `timeoutMs` (default 10 s) with an Error that lists the subjects received, and when the mailbox stops.
   */
  waitFor(predicate: (m: MailboxMessage) => boolean, options?: { timeoutMs?: number }): Promise<MailboxMessage>;
  /**
   * Refuses the next `count` SMTP transactions at `MAIL FROM` with the temporary `code` (default 421, which also
   * closes the connection), as a busy or failing relay would: for tests of retrying.
   */
  failNext(count: number, code?: number): void;
  /** Forgets every message kept. */
  clear(): void;
  /** Closes both servers (an open SMTP connection is given one second); a pending `waitFor` rejects. */
  stop(): Promise<void>;
}

/** The SMTP size limit (advertised in EHLO): 10 MB, beyond any notification's. */
const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;
const DEFAULT_MAX_MESSAGES = 1000;
const DEFAULT_WAIT_MS = 10_000;

/** An error whose `responseCode` smtp-server answers the SMTP command with. */
function smtpReply(responseCode: number, message: string): Error & { responseCode: number } {
  return Object.assign(new Error(message), { responseCode });
}

function addressesOf(field: AddressObject | AddressObject[] | undefined): string[] {
  const flatten = (list: EmailAddress[]): string[] =>
    list.flatMap((a) => (a.group ? flatten(a.group) : a.address ? [a.address] : []));
  return (Array.isArray(field) ? field : field ? [field] : []).flatMap((o) => flatten(o.value));
}

/**
 * Every header by its lower-case name: decoded where mailparser decodes it as text or addresses (encoded words,
 * e.g. a Japanese display name), else the raw value unfolded (`date`, `content-type`, `list-*`, `x-priority`).
 */
function headersOf(parsed: ParsedMail): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const { key } of parsed.headerLines) {
    if (key in headers) continue;
    const value = parsed.headers.get(key);
    const addresses = (Array.isArray(value) ? value : [value]).filter((v): v is AddressObject => isAddressObject(v));
    headers[key] =
      typeof value === 'string'
        ? value
        : Array.isArray(value) && value.every((v) => typeof v === 'string')
          ? value.join(', ')
          : addresses.length > 0
            ? addresses.map((a) => a.text).join(', ')
            : parsed.headerLines
                .filter((h) => h.key === key)
                .map((h) =>
                  h.line
                    .slice(h.line.indexOf(':') + 1)
                    .replace(/\r?\n[ \t]+/g, ' ')
                    .trim(),
                )
                .join(', ');
  }
  return headers;
}

const isAddressObject = (value: unknown): value is AddressObject =>
  typeof value === 'object' && value !== null && 'text' in value && 'value' in value && Array.isArray(value.value);

function toMessage(id: number, session: SMTPServerSession, parsed: ParsedMail): MailboxMessage {
  return {
    id,
    receivedAt: new Date().toISOString(),
    envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
    envelopeTo: session.envelope.rcptTo.map((r) => r.address),
    from: parsed.from?.text ?? '',
    to: addressesOf(parsed.to),
    subject: parsed.subject ?? '',
    text: parsed.text ?? '',
    html: parsed.html || null,
    messageId: parsed.messageId ?? null,
    headers: headersOf(parsed),
  };
}

/** True when `message` was delivered to `address` or names it in its To header (case-insensitive). */
export function isAddressedTo(message: MailboxMessage, address: string): boolean {
  const wanted = address.trim().toLowerCase();
  return [...message.envelopeTo, ...message.to].some((a) => a.toLowerCase() === wanted);
}

const urlHost = (host: string) => (host.includes(':') ? `[${host}]` : host);

/** Starts a mailbox: SMTP on `smtpPort`, and the HTTP API when `httpPort` is given. Rejects when a port is taken. */
export async function startMailbox(options: MailboxOptions = {}): Promise<Mailbox> {
  const host = options.host ?? '127.0.0.1';
  const maxMessages = options.maxMessages ?? DEFAULT_MAX_MESSAGES;
  let kept: MailboxMessage[] = [];
  let lastId = 0;
  let failures: { remaining: number; code: number } = { remaining: 0, code: 421 };
  const waiters = new Set<{
    predicate: (m: MailboxMessage) => boolean;
    resolve: (m: MailboxMessage) => void;
    fail: (e: Error) => void;
  }>();

  const receive = (message: MailboxMessage) => {
    kept.push(message);
    if (kept.length > maxMessages) kept = kept.slice(kept.length - maxMessages);
    for (const waiter of waiters) if (waiter.predicate(message)) waiter.resolve(message);
  };

  const smtp = new SMTPServer({
    banner: 'Kyoyo development mailbox',
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    size: MAX_MESSAGE_BYTES,
    logger: false,
    closeTimeout: 1000,
    onMailFrom(_address, _session, callback) {
      if (failures.remaining <= 0) return callback();
      failures.remaining--;
      callback(smtpReply(failures.code, '4.3.2 The mailbox refuses this transaction for a test (failNext); try again later'));
    },
    onRcptTo(address, _session, callback) {
      if (options.rejectRecipient?.(address.address)) {
        return callback(smtpReply(550, `5.1.1 <${address.address}>: no such mailbox here`));
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => {
        if (!stream.sizeExceeded) chunks.push(chunk);
      });
      stream.on('end', () => {
        if (stream.sizeExceeded) {
          return callback(smtpReply(552, `5.3.4 The message exceeds ${MAX_MESSAGE_BYTES} bytes`));
        }
        simpleParser(Buffer.concat(chunks)).then(
          (parsed) => {
            const message = toMessage(++lastId, session, parsed);
            receive(message);
            callback(null, `Queued as ${message.id}`);
          },
          (error: unknown) => callback(smtpReply(451, `4.6.0 The message could not be parsed: ${(error as Error).message}`)),
        );
      });
    },
  });
  // A client that drops its connection is the client's business; the mailbox carries on.
  smtp.on('error', () => undefined);
  const smtpPort = await listen(smtp.server, options.smtpPort ?? 0, host);

  const http =
    options.httpPort === null || options.httpPort === undefined
      ? null
      : createHttpServer((req, res) =>
          answerHttp(
            req,
            res,
            () => kept,
            () => (kept = []),
          ),
        );
  let httpUrl: string | null = null;
  if (http) {
    try {
      httpUrl = `http://${urlHost(host)}:${await listen(http, options.httpPort!, host)}`;
    } catch (error) {
      await new Promise<void>((resolve) => smtp.close(resolve));
      throw error;
    }
  }

  return {
    smtpUrl: `smtp://${urlHost(host)}:${smtpPort}`,
    httpUrl,
    messages: () => [...kept],
    waitFor(predicate, { timeoutMs = DEFAULT_WAIT_MS } = {}) {
      const found = kept.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const waiter = {
          predicate,
          resolve: (m: MailboxMessage) => (settle(), resolve(m)),
          fail: (e: Error) => (settle(), reject(e)),
        };
        const timer = setTimeout(() => {
          const subjects = kept.map((m) => JSON.stringify(m.subject));
          waiter.fail(
            new Error(
              `no message matched within ${timeoutMs} ms; the mailbox holds ${kept.length}` +
                (subjects.length ? `: ${subjects.join(', ')}` : ''),
            ),
          );
        }, timeoutMs);
        const settle = () => {
          clearTimeout(timer);
          waiters.delete(waiter);
        };
        waiters.add(waiter);
      });
    },
    failNext(count, code = 421) {
      failures = { remaining: count, code };
    },
    clear() {
      kept = [];
    },
    async stop() {
      for (const waiter of waiters) waiter.fail(new Error('the mailbox stopped before a matching message arrived'));
      await Promise.all([
        new Promise<void>((resolve) => smtp.close(resolve)),
        http &&
          new Promise<void>((resolve) => {
            http.close(() => resolve());
            http.closeAllConnections();
          }),
      ]);
    },
  };
}

/** The HTTP API: `GET /messages[?to=address]` newest first, `DELETE /messages`; anything else 404. */
function answerHttp(req: IncomingMessage, res: ServerResponse, messages: () => MailboxMessage[], clear: () => void) {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/messages' && req.method === 'GET') {
    const to = url.searchParams.get('to')?.trim();
    return sendJson(res, 200, {
      messages: messages()
        .filter((m) => !to || isAddressedTo(m, to))
        .toReversed(),
    });
  }
  if (url.pathname === '/messages' && req.method === 'DELETE') {
    clear();
    return sendJson(res, 200, { cleared: true });
  }
  sendJson(res, 404, { error: 'not found' });
}

/**
 * `GET /dev/mailbox?to=address` (development only: the gateway has it when `DEV_MAILBOX_URL` names the development
 * mailbox, never in production): what the mailbox received, newest first, as its API answers it (`{ messages }`),
 * optionally only the messages to `address`; for the console's Mailbox page. Anyone may read it, as anyone may
 * sign in as anyone in development. A mailbox that does not answer within 5 s answers 503 in GraphQL's error shape,
 * as the gateway's other routes answer errors.
 */
import { requestIdOf, sendJson, type Logger, type Route } from '@kyoyo/server-kit';

/** The path of the route. */
export const DEV_MAILBOX_PATH = '/dev/mailbox';

const TIMEOUT_MS = 5000;

/**
 * Not one of `@kyoyo/domain`'s codes: only this development route answers it, and the public contract has no
 * mailbox (what an institution's silence answers is `INSTITUTION_UNAVAILABLE`).
 */
const MAILBOX_UNAVAILABLE = 'SERVICE_UNAVAILABLE';

/** The route in front of the development mailbox whose HTTP API is at `mailboxUrl` (e.g. http://127.0.0.1:4025). */
export function devMailboxRoute(mailboxUrl: string, logger: Logger): Route {
  const messagesUrl = new URL('messages', mailboxUrl.endsWith('/') ? mailboxUrl : `${mailboxUrl}/`);
  return {
    method: 'GET',
    path: DEV_MAILBOX_PATH,
    handle: async (req, res) => {
      const requestId = requestIdOf(req);
      const to = new URL(req.url ?? '/', 'http://localhost').searchParams.get('to')?.trim();
      const upstream = new URL(messagesUrl);
      if (to) upstream.searchParams.set('to', to);
      try {
        const response = await fetch(upstream, { signal: AbortSignal.timeout(TIMEOUT_MS) });
        if (!response.ok) throw new Error(`the mailbox answered HTTP ${response.status}`);
        const body = (await response.json()) as { messages?: unknown };
        if (!Array.isArray(body.messages)) throw new Error('the mailbox answered no list of messages');
        sendJson(res, 200, { messages: body.messages }, { 'x-request-id': requestId });
      } catch (error) {
        logger.warn('development mailbox unavailable', { rid: requestId, url: messagesUrl.href, error });
        sendJson(
          res,
          503,
          {
            errors: [
              {
                message: `The development mailbox at ${messagesUrl.origin} is not answering; is \`npm start\` still running?`,
                extensions: { code: MAILBOX_UNAVAILABLE },
              },
            ],
          },
          { 'x-request-id': requestId },
        );
      }
    },
  };
}

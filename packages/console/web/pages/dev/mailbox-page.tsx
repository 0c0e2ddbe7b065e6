/**
 * `#/dev/mailbox` (development only): the e-mail the demo federation sent, as the development mailbox of
 * `npm start` received it (`GET /dev/mailbox` at the gateway), newest first; received time, recipients and
 * subject, the plain-text body on opening one. Filtered by recipient — the signed-in person's address when the
 * session knows it, `?to=` in the address otherwise — and read again every 5 seconds.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../../api';
import { Field, Page } from '../../components/common';
import { dateTime } from '../../format';
import { useLang, useT } from '../../i18n';
import { navigate } from '../../router';
import { session } from '../../session';
import { useStore } from '../../store';

const REFRESH_MS = 5000;

/** A message as the gateway's `GET /dev/mailbox` answers it (the mailbox's own shape; what the page shows of it). */
interface MailboxMessage {
  id: number;
  receivedAt: string;
  envelopeTo: string[];
  from: string;
  to: string[];
  subject: string;
  text: string;
}

type Answer = { messages: MailboxMessage[]; error: null; absent: false } | { error: ApiError | null; absent: boolean };

/** One read of the mailbox; never rejects: a gateway without the route is `absent`, anything else an `ApiError`. */
async function readMailbox(to: string): Promise<Answer> {
  let response: Response;
  try {
    response = await fetch(`/dev/mailbox${to ? `?to=${encodeURIComponent(to)}` : ''}`);
  } catch (error) {
    return { error: new ApiError([{ message: (error as Error).message, code: 'NETWORK', field: null }]), absent: false };
  }
  if (response.status === 404) return { error: null, absent: true };
  const body = (await response.json().catch(() => null)) as {
    messages?: MailboxMessage[];
    errors?: { message: string; extensions?: { code?: string } }[];
  } | null;
  if (response.ok && Array.isArray(body?.messages)) return { messages: body.messages, error: null, absent: false };
  const problems = body?.errors?.map((e) => ({
    message: e.message,
    code: e.extensions?.code ?? 'INTERNAL_SERVER_ERROR',
    field: null,
  }));
  return {
    error: new ApiError(problems?.length ? problems : [{ message: `HTTP ${response.status}`, code: 'NETWORK', field: null }]),
    absent: false,
  };
}

/** The mailbox's messages to `to` (every one when empty), read now and every `REFRESH_MS`; the last list stays on an error. */
function useMailbox(to: string) {
  const [state, setState] = useState<{
    messages: MailboxMessage[] | null;
    error: ApiError | null;
    absent: boolean;
    loading: boolean;
  }>({ messages: null, error: null, absent: false, loading: true });
  const latest = useRef(0);
  const reload = useCallback(() => {
    const ticket = ++latest.current;
    setState((s) => ({ ...s, loading: true }));
    void readMailbox(to).then((answer) => {
      if (ticket !== latest.current) return;
      setState((s) => ({ ...s, ...answer, loading: false }));
    });
  }, [to]);
  useEffect(() => {
    reload();
    const timer = setInterval(reload, REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload]);
  return { ...state, reload };
}

/** Where a message went: its To addresses, then any other envelope recipient (Bcc), each once. */
function recipients(message: MailboxMessage): string {
  const seen = new Map<string, string>();
  for (const address of [...message.to, ...message.envelopeTo])
    if (!seen.has(address.toLowerCase())) seen.set(address.toLowerCase(), address);
  return [...seen.values()].join(', ');
}

export function MailboxPage(props: { query: URLSearchParams }) {
  const t = useT();
  const lang = useLang();
  const { viewer } = useStore(session);
  const [to, setTo] = useState(() => props.query.get('to') ?? viewer?.email ?? '');
  const [draft, setDraft] = useState(to);
  const mailbox = useMailbox(to);

  if (mailbox.absent)
    return (
      <Page title={t('dev.mailbox.title')}>
        <p class="alert warn">{t('dev.mailbox.absent')}</p>
      </Page>
    );
  return (
    <Page title={t('dev.mailbox.title')}>
      <p>{t('dev.mailbox.lead')}</p>
      <form
        class="mailbox-filter"
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          const value = draft.trim();
          setTo(value);
          navigate('/dev/mailbox', { to: value }, { replace: true });
        }}
      >
        <Field label={t('dev.mailbox.to')} hint={t('dev.mailbox.toHint')}>
          {(control) => (
            <input
              {...control}
              type="search"
              name="to"
              autocomplete="off"
              value={draft}
              onInput={(e) => setDraft(e.currentTarget.value)}
              data-testid="mailbox-filter"
            />
          )}
        </Field>
        <button type="submit">{t('dev.mailbox.filter')}</button>
        <button type="button" class="secondary" disabled={mailbox.loading} onClick={mailbox.reload}>
          {t('dev.mailbox.refresh')}
        </button>
      </form>
      {mailbox.error && (
        <p class="alert error" role="alert" data-code={mailbox.error.code}>
          {t('dev.mailbox.unreachable', { message: mailbox.error.message })}
        </p>
      )}
      {mailbox.messages && (
        <>
          <p class="muted" role="status" data-testid="mailbox-count">
            {mailbox.messages.length === 0
              ? to
                ? t('dev.mailbox.emptyTo', { to })
                : t('dev.mailbox.empty')
              : t('dev.mailbox.count', { count: mailbox.messages.length })}
          </p>
          <ol class="mailbox">
            {mailbox.messages.map((m) => (
              <li key={m.id} data-testid="mailbox-message">
                <details>
                  <summary>
                    <span class="mailbox-line">
                      <time dateTime={m.receivedAt} title={t('dev.mailbox.receivedAt')}>
                        {dateTime(m.receivedAt, lang)}
                      </time>
                      <span class="mailbox-to" data-testid="mailbox-to">
                        {recipients(m)}
                      </span>
                      <strong class="mailbox-subject" data-testid="mailbox-subject">
                        {m.subject || t('dev.mailbox.noSubject')}
                      </strong>
                    </span>
                  </summary>
                  <p class="muted">
                    {t('dev.mailbox.from')}: {m.from}
                  </p>
                  <pre class="mailbox-body" data-testid="mailbox-body">
                    {m.text || t('dev.mailbox.noText')}
                  </pre>
                </details>
              </li>
            ))}
          </ol>
        </>
      )}
    </Page>
  );
}

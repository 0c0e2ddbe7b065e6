/**
 * A check's proof of integrity: the SHA-256 digest, whether the gateway and this browser find it matches the
 * stored record, how anyone can verify it offline (with the canonical record to download and, on paper, in
 * full), and a form to confirm a digest an applicant attached.
 */
import { useEffect, useState } from 'preact/hooks';
import { gql } from '../../api';
import { ErrorMessage, Field } from '../../components/common';
import { useT } from '../../i18n';
import { useAction } from '../../use-api';
import { VERIFY_CHECK, type DuplicateCheck } from './queries';

/** SHA-256 of `text` (UTF-8) in hex; null where the browser offers no Web Crypto (plain http other than localhost). */
async function sha256Hex(text: string): Promise<string | null> {
  if (!globalThis.crypto?.subtle) return null;
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** The digest this browser computes of `text`: undefined while computing, null when it cannot. */
function useBrowserDigest(text: string): string | null | undefined {
  const [digest, setDigest] = useState<string | null | undefined>(undefined);
  useEffect(() => {
    let current = true;
    setDigest(undefined);
    sha256Hex(text).then(
      (hex) => current && setDigest(hex),
      () => current && setDigest(null),
    );
    return () => {
      current = false;
    };
  }, [text]);
  return digest;
}

/** The file name the canonical record downloads under (named by the start of its digest: short, and tied to it). */
export const canonicalFileName = (check: Pick<DuplicateCheck, 'digest'>) => `duplicate-check-${check.digest.slice(0, 12)}.json`;

/** Saves the canonical record exactly as the digest was taken over (UTF-8, nothing added). */
export function downloadCanonicalRecord(check: Pick<DuplicateCheck, 'digest' | 'canonicalRecord'>): void {
  const url = URL.createObjectURL(new Blob([check.canonicalRecord], { type: 'application/json' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = canonicalFileName(check);
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function DigestSection(props: { check: DuplicateCheck }) {
  const t = useT();
  const { check } = props;
  return (
    <section class="panel digest-section" aria-labelledby="digest-heading">
      <h2 id="digest-heading">{t('funder.digest.title')}</h2>
      <p>{t('funder.digest.lead')}</p>
      <h3 class="digest-label">{t('funder.digest.digest')}</h3>
      <p class="digest-value">
        <code class="digest wrap" data-testid="digest">
          {check.digest}
        </code>
      </p>
      <dl class="facts">
        <div>
          <dt>{t('funder.digest.server')}</dt>
          <dd data-testid="digest-verified" data-verified={String(check.digestVerified)}>
            {check.digestVerified ? (
              <span class="badge good">✓ {t('funder.digest.verified')}</span>
            ) : (
              <span class="badge bad">✕ {t('funder.digest.notVerified')}</span>
            )}
          </dd>
        </div>
        <div>
          <dt>{t('funder.digest.browser')}</dt>
          <dd>
            <BrowserCheck check={check} />
          </dd>
        </div>
      </dl>
      <h3>{t('funder.digest.offline')}</h3>
      <ol class="steps">
        <li>{t('funder.digest.step1', { file: canonicalFileName(check) })}</li>
        <li>
          {t('funder.digest.step2')}
          <ul>
            <li>
              macOS / Linux: <code class="wrap">shasum -a 256 {canonicalFileName(check)}</code>
            </li>
            <li>
              Windows: <code class="wrap">certutil -hashfile {canonicalFileName(check)} SHA256</code>
            </li>
          </ul>
        </li>
        <li>{t('funder.digest.step3')}</li>
      </ol>
      <div class="actions">
        <button type="button" class="secondary" onClick={() => downloadCanonicalRecord(check)}>
          {t('funder.digest.download')}
        </button>
      </div>
      <VerifyAttachedDigest id={check.id} />
    </section>
  );
}

function BrowserCheck(props: { check: DuplicateCheck }) {
  const t = useT();
  const computed = useBrowserDigest(props.check.canonicalRecord);
  if (computed === undefined) return <span class="muted">{t('funder.digest.computing')}</span>;
  if (computed === null) return <span class="muted">{t('funder.digest.noCrypto')}</span>;
  return computed === props.check.digest ? (
    <span class="badge good" data-testid="browser-digest-match">
      ✓ {t('funder.digest.browserMatch')}
    </span>
  ) : (
    <span class="badge bad">✕ {t('funder.digest.browserMismatch', { digest: computed })}</span>
  );
}

/** Confirms a digest someone else holds (an applicant's attachment) against the stored record. */
function VerifyAttachedDigest(props: { id: string }) {
  const t = useT();
  const [digest, setDigest] = useState('');
  const verify = useAction((value: string) =>
    gql<{ verifyDuplicateCheck: boolean }>(VERIFY_CHECK, { id: props.id, digest: value }),
  );
  const submit = (event: Event) => {
    event.preventDefault();
    void verify.run(digest);
  };
  const answer = verify.result?.verifyDuplicateCheck;
  return (
    <form class="verify-digest no-print" onSubmit={submit} noValidate>
      <h3>{t('funder.verify.title')}</h3>
      <Field label={t('funder.verify.digest')} hint={t('funder.verify.hint')} problem={verify.error?.forField('digest')}>
        {(control) => (
          <input
            {...control}
            name="attachedDigest"
            type="text"
            class="mono"
            spellcheck={false}
            autoComplete="off"
            value={digest}
            onInput={(e) => {
              setDigest((e.target as HTMLInputElement).value);
              verify.reset();
            }}
          />
        )}
      </Field>
      <ErrorMessage error={verify.error} />
      {answer !== undefined && (
        <p class={`alert ${answer ? 'ok' : 'error'}`} role="status">
          {answer ? `✓ ${t('funder.verify.match')}` : `✕ ${t('funder.verify.mismatch')}`}
        </p>
      )}
      <div class="actions">
        <button type="submit" class="secondary" disabled={verify.running}>
          {t('funder.verify.submit')}
        </button>
      </div>
    </form>
  );
}

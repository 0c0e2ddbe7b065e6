/**
 * `#/funder/checks/:id`: the printable report of one stored duplicate check — verdict and what it means, the
 * proposal, the candidates, who checked when against which threshold, the institutions it does not cover,
 * and the digest with how to verify it. Everything is laid out open, so the printed page holds all of it.
 */
import type { ComponentChildren } from 'preact';
import { ErrorMessage, Loading, Page, RequireRole } from '../../components/common';
import { useLang, useT } from '../../i18n';
import { dateTime, number, yen } from '../../format';
import { href } from '../../router';
import { useQuery } from '../../use-api';
import { CandidatesTable } from './candidates-table';
import { DigestSection, downloadCanonicalRecord } from './digest-section';
import { nameIn } from './proposal';
import { DUPLICATE_CHECK, type DuplicateCheck } from './queries';
import { VerdictStatement } from './verdict';

export function ReportPage(props: { id: string }) {
  const t = useT();
  return (
    <Page title={t('funder.report.title')}>
      <RequireRole roles={['FUNDER', 'FACILITY_MANAGER']}>
        <ReportLoader id={props.id} />
      </RequireRole>
    </Page>
  );
}

function ReportLoader(props: { id: string }) {
  const t = useT();
  const { data, error, loading, reload } = useQuery<{ duplicateCheck: DuplicateCheck | null }>(DUPLICATE_CHECK, { id: props.id });
  if (loading) return <Loading />;
  if (error) return <ErrorMessage error={error} onRetry={reload} />;
  if (!data?.duplicateCheck) {
    return (
      <p class="alert warn" role="status">
        {t('funder.report.notFound')} <a href={href('/funder/check')}>{t('funder.report.newCheck')}</a>
      </p>
    );
  }
  return <Report check={data.duplicateCheck} />;
}

/** A term and its description in a list of facts; absent values read as a dash. */
function Fact(props: { term: string; children: ComponentChildren }) {
  return (
    <div>
      <dt>{props.term}</dt>
      <dd>{props.children ?? '—'}</dd>
    </div>
  );
}

function Report(props: { check: DuplicateCheck }) {
  const t = useT();
  const lang = useLang();
  const { check } = props;
  return (
    <article class="funder-page report" data-testid="check-report">
      <p class="print-only print-head">
        {t('common.brand')} — {t('funder.report.title')} (
        {t('funder.report.printedAt', { at: dateTime(new Date().toISOString(), lang) })})
      </p>
      <div class="actions no-print">
        <button type="button" onClick={() => window.print()}>
          {t('common.print')}
        </button>
        <button type="button" class="secondary" onClick={() => downloadCanonicalRecord(check)}>
          {t('funder.digest.download')}
        </button>
        <a class="button secondary" href={href('/funder/check')}>
          {t('funder.report.newCheck')}
        </a>
      </div>
      <VerdictStatement verdict={check.verdict} />
      <section class="panel" aria-labelledby="record-heading">
        <h2 id="record-heading">{t('funder.report.record')}</h2>
        <dl class="facts">
          <Fact term={t('funder.report.checkId')}>
            <code class="wrap" data-testid="check-id">
              {check.id}
            </code>
          </Fact>
          <Fact term={t('funder.report.checkedAt')}>{dateTime(check.checkedAt, lang)}</Fact>
          <Fact term={t('funder.report.checkedBy')}>{check.checkedBy}</Fact>
          <Fact term={t('funder.report.threshold')}>
            {yen(check.threshold, lang)} ({t('funder.report.thresholdNote')})
          </Fact>
          {check.batchId && (
            <Fact term={t('funder.report.batch')}>
              <code class="wrap">{check.batchId}</code>
            </Fact>
          )}
        </dl>
        <Coverage check={check} />
      </section>
      <ProposalSection check={check} />
      <section class="panel" aria-labelledby="candidates-heading">
        <h2 id="candidates-heading">
          {t('funder.report.candidates')} ({number(check.candidates.length, lang)})
        </h2>
        <p class="muted">{t('funder.report.candidatesLead')}</p>
        <CandidatesTable candidates={check.candidates} />
      </section>
      <DigestSection check={check} />
      <section class="panel canonical" aria-labelledby="canonical-heading">
        <h2 id="canonical-heading">{t('funder.canonical.title')}</h2>
        <p class="muted">{t('funder.canonical.lead')}</p>
        <pre class="canonical-record" tabIndex={0} aria-labelledby="canonical-heading">
          {check.canonicalRecord}
        </pre>
      </section>
    </article>
  );
}

/** Which institutions the verdict covers: all, or all but those that did not answer. */
function Coverage(props: { check: DuplicateCheck }) {
  const t = useT();
  const lang = useLang();
  const missing = props.check.unavailableInstitutions;
  if (missing.length === 0) return <p class="muted">{t('funder.report.allAnswered')}</p>;
  return (
    <p class="alert warn" data-testid="unavailable">
      {t('funder.report.unavailable', { list: missing.map((i) => nameIn(lang, i)).join(lang === 'ja' ? '、' : ', ') })}
    </p>
  );
}

function ProposalSection(props: { check: DuplicateCheck }) {
  const t = useT();
  const lang = useLang();
  const { proposal } = props.check;
  return (
    <section class="panel" aria-labelledby="proposal-heading">
      <h2 id="proposal-heading">{t('funder.report.proposal')}</h2>
      <dl class="facts">
        <Fact term={t('funder.field.title')}>{proposal.title}</Fact>
        <Fact term={t('funder.field.category')}>{proposal.category}</Fact>
        <Fact term={t('funder.field.manufacturer')}>{proposal.manufacturer}</Fact>
        <Fact term={t('funder.field.model')}>{proposal.model}</Fact>
        <Fact term={t('funder.field.estimatedPrice')}>{yen(proposal.estimatedPrice, lang)}</Fact>
        <Fact term={t('funder.field.institution')}>
          {nameIn(lang, proposal.institution)} ({proposal.institution.code})
        </Fact>
        <Fact term={t('funder.field.fundingProgram')}>{proposal.fundingProgram}</Fact>
        <Fact term={t('funder.field.grantId')}>{proposal.grantId}</Fact>
        <Fact term={t('funder.field.expectedHours')}>
          {proposal.expectedHoursPerYear === null
            ? null
            : t('funder.report.hours', { hours: number(proposal.expectedHoursPerYear, lang) })}
        </Fact>
        <Fact term={t('funder.field.keywords')}>
          {proposal.keywords.length > 0 ? proposal.keywords.join(lang === 'ja' ? '、' : ', ') : null}
        </Fact>
      </dl>
    </section>
  );
}

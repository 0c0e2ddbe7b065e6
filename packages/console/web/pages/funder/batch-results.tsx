/** A checked batch: counts per verdict, every proposal's verdict and best candidate in input order, the batch CSV. */
import { download } from '../../api';
import { ErrorMessage } from '../../components/common';
import { useLang, useT } from '../../i18n';
import { number } from '../../format';
import { href } from '../../router';
import { useAction } from '../../use-api';
import { nameIn } from './proposal';
import { VERDICTS, type BatchResult, type Verdict } from './queries';
import { VerdictBadge, VerdictLegend } from './verdict';

export function BatchResults(props: { results: BatchResult[] }) {
  const t = useT();
  const lang = useLang();
  const batchId = props.results[0]?.batchId ?? null;
  const csv = useAction((id: string) =>
    download(`/duplicate-checks.csv?batch=${encodeURIComponent(id)}`, `duplicate-checks-${id}.csv`),
  );
  const missing = [...new Map(props.results.flatMap((r) => r.unavailableInstitutions).map((i) => [i.code, i])).values()];
  return (
    <section class="panel batch-results" aria-labelledby="results-heading" data-testid="batch-results">
      <h2 id="results-heading" tabIndex={-1}>
        {t('funder.batch.results', { count: number(props.results.length, lang) })}
      </h2>
      <VerdictCounts results={props.results} />
      {missing.length > 0 && (
        <p class="alert warn">
          {t('funder.report.unavailable', { list: missing.map((i) => nameIn(lang, i)).join(lang === 'ja' ? '、' : ', ') })}
        </p>
      )}
      {batchId && (
        <div class="actions">
          <button type="button" class="secondary" disabled={csv.running} onClick={() => void csv.run(batchId)}>
            {t('funder.batch.downloadCsv')}
          </button>
          <span class="muted small">{t('funder.batch.batchId', { id: batchId })}</span>
        </div>
      )}
      <ErrorMessage error={csv.error} />
      <div class="table-scroll">
        <table data-testid="batch-results-table">
          <thead>
            <tr>
              <th scope="col" class="num">
                {t('funder.batch.row')}
              </th>
              <th scope="col">{t('funder.field.title')}</th>
              <th scope="col">{t('funder.field.institution')}</th>
              <th scope="col">{t('funder.report.verdict')}</th>
              <th scope="col">{t('funder.batch.best')}</th>
              <th scope="col">{t('funder.batch.report')}</th>
            </tr>
          </thead>
          <tbody>
            {props.results.map((r, i) => (
              <ResultRow key={r.id} row={i + 1} result={r} />
            ))}
          </tbody>
        </table>
      </div>
      <VerdictLegend verdicts={VERDICTS} />
    </section>
  );
}

function ResultRow(props: { row: number; result: BatchResult }) {
  const t = useT();
  const lang = useLang();
  const { result } = props;
  const best = result.candidates[0];
  return (
    <tr data-verdict={result.verdict}>
      <td class="num">{props.row}</td>
      <th scope="row">{result.proposal.title}</th>
      <td>{nameIn(lang, result.proposal.institution)}</td>
      <td>
        <VerdictBadge verdict={result.verdict} />
      </td>
      <td>
        {best ? (
          <>
            <a href={href(`/instruments/${best.instrument.id}`)}>{nameIn(lang, best.instrument)}</a>
            <span class="muted small">
              {nameIn(lang, best.instrument.institution)} · {t('funder.candidate.score')} {number(best.score, lang, 2)}
            </span>
          </>
        ) : (
          <span class="muted">{t('common.none')}</span>
        )}
      </td>
      <td>
        <a href={href(`/funder/checks/${result.id}`)} aria-label={t('funder.batch.reportOf', { row: props.row })}>
          {t('funder.batch.report')}
        </a>
      </td>
    </tr>
  );
}

/** How many proposals got each verdict. */
function VerdictCounts(props: { results: BatchResult[] }) {
  const t = useT();
  const lang = useLang();
  const counts = new Map<Verdict, number>(VERDICTS.map((v) => [v, 0]));
  for (const r of props.results) counts.set(r.verdict, (counts.get(r.verdict) ?? 0) + 1);
  return (
    <ul class="verdict-counts" aria-label={t('funder.batch.counts')} data-testid="verdict-counts">
      {VERDICTS.map((v) => (
        <li key={v} data-verdict={v}>
          <VerdictBadge verdict={v} /> <strong>{number(counts.get(v) ?? 0, lang)}</strong>
        </li>
      ))}
    </ul>
  );
}

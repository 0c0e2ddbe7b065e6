/** Duplicate-check verdicts in words: a badge for tables, and the prominent statement a report opens with. */
import { useT } from '../../i18n';
import type { Verdict } from './queries';

/** The marker beside each verdict, so that it never rests on colour alone. */
const MARKS: Record<Verdict, string> = {
  LIKELY_DUPLICATE: '!',
  SIMILAR_AVAILABLE: '≈',
  NO_EQUIVALENT: '✓',
  BELOW_THRESHOLD: '–',
};

/** The verdict's short name, marked and coloured by what it asks of the reader. */
export function VerdictBadge(props: { verdict: Verdict }) {
  const t = useT();
  return (
    <span class={`badge verdict verdict-${props.verdict}`} data-verdict={props.verdict}>
      <span aria-hidden="true">{MARKS[props.verdict]} </span>
      {t(`funder.verdict.${props.verdict}`)}
    </span>
  );
}

/** The verdict as a report states it: large, with what it means and what to do. */
export function VerdictStatement(props: { verdict: Verdict }) {
  const t = useT();
  return (
    <section class={`verdict-statement verdict-${props.verdict}`} aria-labelledby="verdict-heading" data-testid="verdict">
      <h2 id="verdict-heading">
        <span class="verdict-label">{t('funder.report.verdict')}</span>
        <span class="verdict-name">
          <span aria-hidden="true">{MARKS[props.verdict]} </span>
          {t(`funder.verdict.${props.verdict}`)}
        </span>
      </h2>
      <p>{t(`funder.verdict.${props.verdict}.explain`)}</p>
    </section>
  );
}

/** Every verdict with its meaning: the legend under a batch's counts. */
export function VerdictLegend(props: { verdicts: readonly Verdict[] }) {
  const t = useT();
  return (
    <dl class="verdict-legend">
      {props.verdicts.map((v) => (
        <div key={v}>
          <dt>
            <VerdictBadge verdict={v} />
          </dt>
          <dd>{t(`funder.verdict.${v}.explain`)}</dd>
        </div>
      ))}
    </dl>
  );
}

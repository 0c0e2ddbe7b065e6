/** The instruments a check found, best first, with the evidence for each (for the report, on screen and paper). */
import { useLang, useT } from '../../i18n';
import { number, percent } from '../../format';
import { href } from '../../router';
import { nameIn } from './proposal';
import type { Candidate } from './queries';

export function CandidatesTable(props: { candidates: Candidate[] }) {
  const t = useT();
  if (props.candidates.length === 0) return <p>{t('funder.report.noCandidates')}</p>;
  return (
    <div class="table-scroll">
      <table class="candidates" data-testid="candidates">
        <caption class="visually-hidden">{t('funder.report.candidates')}</caption>
        <thead>
          <tr>
            <th scope="col" class="num">
              #
            </th>
            <th scope="col">{t('funder.candidate.instrument')}</th>
            <th scope="col">{t('funder.candidate.institution')}</th>
            <th scope="col" class="num">
              {t('funder.candidate.score')}
            </th>
            <th scope="col">{t('funder.candidate.reasons')}</th>
            <th scope="col" class="num">
              {t('funder.candidate.distance')}
            </th>
            <th scope="col" class="num">
              {t('funder.candidate.utilization')}
            </th>
            <th scope="col" class="num">
              {t('funder.candidate.spareHours')}
            </th>
            <th scope="col">{t('funder.candidate.usable')}</th>
          </tr>
        </thead>
        <tbody>
          {props.candidates.map((c, i) => (
            <CandidateRow key={c.instrument.id} rank={i + 1} candidate={c} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function CandidateRow(props: { rank: number; candidate: Candidate }) {
  const t = useT();
  const lang = useLang();
  const { instrument, ...c } = props.candidate;
  const facts = [
    [instrument.manufacturer, instrument.model].filter(Boolean).join(' '),
    instrument.sharedExternally ? t('funder.candidate.shared') : t('funder.candidate.notShared'),
    instrument.remoteOperable ? t('funder.candidate.remote') : '',
  ].filter(Boolean);
  return (
    <tr>
      <td class="num">{props.rank}</td>
      <th scope="row" class="instrument">
        <a href={href(`/instruments/${instrument.id}`)}>{nameIn(lang, instrument)}</a>
        <span class="muted small">{facts.join(' / ')}</span>
      </th>
      <td>{nameIn(lang, instrument.institution)}</td>
      <td class="num">{number(c.score, lang, 2)}</td>
      <td>
        <ul class="reasons">
          {c.reasons.map((r) => (
            <li key={r}>{r}</li>
          ))}
        </ul>
      </td>
      <td class="num">{c.distanceKm === null ? '—' : t('funder.candidate.km', { km: number(c.distanceKm, lang) })}</td>
      <td class="num">{percent(c.utilization, lang)}</td>
      <td class="num">{number(c.spareHoursPerYear, lang)}</td>
      <td>
        {c.usableByRequester ? (
          <span class="badge good">✓ {t('common.yes')}</span>
        ) : (
          <span class="badge">✕ {t('common.no')}</span>
        )}
      </td>
    </tr>
  );
}

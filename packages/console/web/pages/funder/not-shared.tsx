/** Each institution's compliance gap: its ¥10M+ instruments not shared externally, highest price first, one list each. */
import { useLang, useT } from '../../i18n';
import { date, number, yen } from '../../format';
import { href } from '../../router';
import { nameIn } from './proposal';
import type { NotSharedInstrument } from './queries';
import type { SharingRow } from './sharing-table';

export function NotSharedLists(props: { rows: SharingRow[] }) {
  const t = useT();
  return (
    <section class="panel not-shared" aria-labelledby="not-shared-heading">
      <h2 id="not-shared-heading">{t('funder.notShared.title')}</h2>
      <p class="muted">{t('funder.notShared.lead')}</p>
      {props.rows.map((r) => (
        <InstitutionGap key={r.institution.code} row={r} />
      ))}
    </section>
  );
}

function InstitutionGap(props: { row: SharingRow }) {
  const t = useT();
  const lang = useLang();
  const instruments = props.row.report.notShared ?? [];
  const name = nameIn(lang, props.row.institution);
  return (
    <details data-testid="not-shared-list" data-institution={props.row.institution.code}>
      <summary>{t('funder.notShared.summary', { institution: name, count: number(instruments.length, lang) })}</summary>
      {instruments.length === 0 ? <p>{t('funder.notShared.none')}</p> : <GapTable instruments={instruments} caption={name} />}
    </details>
  );
}

function GapTable(props: { instruments: NotSharedInstrument[]; caption: string }) {
  const t = useT();
  const lang = useLang();
  return (
    <div class="table-scroll">
      <table>
        <caption class="visually-hidden">{t('funder.notShared.caption', { institution: props.caption })}</caption>
        <thead>
          <tr>
            <th scope="col">{t('funder.candidate.instrument')}</th>
            <th scope="col">{t('funder.field.category')}</th>
            <th scope="col">{t('funder.notShared.maker')}</th>
            <th scope="col" class="num">
              {t('funder.notShared.price')}
            </th>
            <th scope="col">{t('funder.notShared.acquiredOn')}</th>
          </tr>
        </thead>
        <tbody>
          {props.instruments.map((i) => (
            <tr key={i.id}>
              <th scope="row">
                <a href={href(`/instruments/${i.id}`)}>{nameIn(lang, i)}</a>
              </th>
              <td>{i.category}</td>
              <td>{[i.manufacturer, i.model].filter(Boolean).join(' ') || '—'}</td>
              <td class="num">{yen(i.acquisitionPrice, lang)}</td>
              <td>{date(i.acquiredOn, lang)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

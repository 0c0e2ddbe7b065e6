/** The dashboard's numbers as a table (the charts' accessible twin): one row for the nation, one per institution. */
import { useLang, useT } from '../../i18n';
import { number, percent } from '../../format';
import { nameIn, SHARING_TARGET } from './proposal';
import type { InstitutionRef, SharingReport } from './queries';

export interface SharingRow {
  institution: InstitutionRef;
  report: SharingReport;
}

export function SharingTable(props: { national: SharingReport | null; rows: SharingRow[] }) {
  const t = useT();
  const lang = useLang();
  return (
    <section class="panel" aria-labelledby="table-heading">
      <h2 id="table-heading">{t('funder.table.title')}</h2>
      <div class="table-scroll">
        <table data-testid="sharing-table">
          <thead>
            <tr>
              <th scope="col">{t('funder.table.institution')}</th>
              <th scope="col" class="num">
                {t('funder.table.atOrAbove')}
              </th>
              <th scope="col" class="num">
                {t('funder.table.shared')}
              </th>
              <th scope="col" class="num">
                {t('funder.table.rate')}
              </th>
              <th scope="col">{t('funder.table.target', { target: percent(SHARING_TARGET, lang, 0) })}</th>
              <th scope="col" class="num">
                {t('funder.table.external')}
              </th>
              <th scope="col" class="num">
                {t('funder.table.utilization')}
              </th>
              <th scope="col" class="num">
                {t('funder.table.notShared')}
              </th>
            </tr>
          </thead>
          <tbody>
            {props.national && <Row name={t('funder.dashboard.national')} report={props.national} national />}
            {props.rows.map((r) => (
              <Row key={r.institution.code} name={nameIn(lang, r.institution)} report={r.report} />
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function Row(props: { name: string; report: SharingReport; national?: boolean }) {
  const t = useT();
  const lang = useLang();
  const { report } = props;
  const notShared = report.instrumentsAtOrAboveThreshold - report.sharedAtOrAboveThreshold;
  return (
    <tr class={props.national ? 'national' : undefined}>
      <th scope="row">{props.name}</th>
      <td class="num">{number(report.instrumentsAtOrAboveThreshold, lang)}</td>
      <td class="num">{number(report.sharedAtOrAboveThreshold, lang)}</td>
      <td class="num">{percent(report.sharingRate, lang)}</td>
      <td>
        {report.sharingRate >= SHARING_TARGET ? (
          <span class="badge good">✓ {t('funder.table.met')}</span>
        ) : (
          <span class="badge bad">▼ {t('funder.table.below')}</span>
        )}
      </td>
      <td class="num">{percent(report.externalUseShare, lang)}</td>
      <td class="num">{percent(report.utilization, lang)}</td>
      <td class="num">{number(notShared, lang)}</td>
    </tr>
  );
}

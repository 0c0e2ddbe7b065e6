/**
 * `#/funder/dashboard?fy=2025`: sharing of ¥10M+ instruments in one fiscal year — the nation's rate against
 * the 30% target, every institution's as bar charts with the target line, the same numbers as a table, each
 * institution's instruments not shared, and who did not answer. A facility office sees its own institution
 * only (the gateway refuses it the rest).
 */
import { ErrorMessage, Loading, Page, RequireRole, Unavailable } from '../../components/common';
import { useLang, useT } from '../../i18n';
import { number, percent } from '../../format';
import { navigate } from '../../router';
import { session } from '../../session';
import { useStore } from '../../store';
import { BarChart, type Bar } from './bar-chart';
import { currentFiscalYear, FIRST_FISCAL_YEAR, parseFiscalYear } from './fiscal-year';
import { NotSharedLists } from './not-shared';
import { nameIn, SHARING_TARGET } from './proposal';
import type { InstitutionRef, SharingReport } from './queries';
import { inScope, scopeOf, useInstitutions, type Scope } from './scope';
import { SharingTable } from './sharing-table';
import { useSharingReports, type ReportEntry } from './use-sharing-reports';

/** Fiscal years offered: this one and the nine before it. */
const YEARS_OFFERED = 10;

export function DashboardPage(props: { query: URLSearchParams }) {
  const t = useT();
  const fiscalYear = parseFiscalYear(props.query.get('fy')) ?? currentFiscalYear();
  return (
    <Page title={t('funder.dashboard.title')}>
      <RequireRole roles={['FUNDER', 'FACILITY_MANAGER']}>
        <div class="funder-page dashboard">
          <p>{t('funder.dashboard.lead')}</p>
          <YearSelect fiscalYear={fiscalYear} />
          <Dashboard fiscalYear={fiscalYear} />
        </div>
      </RequireRole>
    </Page>
  );
}

function YearSelect(props: { fiscalYear: number }) {
  const t = useT();
  const current = currentFiscalYear();
  const years = Array.from({ length: YEARS_OFFERED }, (_, i) => current - i).filter((y) => y >= FIRST_FISCAL_YEAR);
  return (
    <div class="year-select no-print">
      <label for="fiscal-year">{t('funder.dashboard.fiscalYear')}</label>
      <select
        id="fiscal-year"
        name="fiscalYear"
        value={String(props.fiscalYear)}
        onChange={(e) => navigate('/funder/dashboard', { fy: (e.target as HTMLSelectElement).value })}
      >
        {years.map((y) => (
          <option key={y} value={String(y)}>
            {t('funder.dashboard.fiscalYearOption', { year: y, next: y + 1 })}
            {y === current ? ` ${t('funder.dashboard.current')}` : ''}
          </option>
        ))}
      </select>
    </div>
  );
}

function Dashboard(props: { fiscalYear: number }) {
  const t = useT();
  const { viewer } = useStore(session);
  const scope = scopeOf(viewer);
  const institutions = useInstitutions();
  const members = institutions.data ? inScope(institutions.data.institutions, scope) : null;
  const { entries, reload } = useSharingReports(members?.map((m) => m.code) ?? null, scope.all, props.fiscalYear);

  if (institutions.error) return <ErrorMessage error={institutions.error} onRetry={institutions.reload} />;
  if (!scope.all && !scope.institution) return <p class="alert warn">{t('funder.dashboard.noInstitution')}</p>;
  if (!members || !entries) return <Loading />;
  return <DashboardBody scope={scope} fiscalYear={props.fiscalYear} members={members} entries={entries} onRetry={reload} />;
}

function DashboardBody(props: {
  scope: Scope;
  fiscalYear: number;
  members: InstitutionRef[];
  entries: ReportEntry[];
  onRetry(): void;
}) {
  const t = useT();
  const lang = useLang();
  const national = props.entries.find((e) => e.code === null) ?? null;
  const byCode = new Map(props.entries.filter((e) => e.code !== null).map((e) => [e.code!, e]));
  const rows = props.members.map((m) => ({ institution: m, entry: byCode.get(m.code)! }));
  const reported = rows.filter(
    (r): r is { institution: InstitutionRef; entry: ReportEntry & { report: SharingReport } } => !!r.entry.report,
  );
  const unavailable = unavailableOf(national, rows);
  const failed = rows.filter((r) => r.entry.error && r.entry.error.code !== 'INSTITUTION_UNAVAILABLE');
  const nation = national?.report ?? null;
  const bars = (value: (r: SharingReport) => number): Bar[] => [
    ...(nation ? [{ key: 'national', label: t('funder.dashboard.national'), value: value(nation), national: true }] : []),
    ...reported.map((r) => ({ key: r.institution.code, label: nameIn(lang, r.institution), value: value(r.entry.report) })),
  ];
  const targetLabel = t('funder.chart.target', { target: percent(SHARING_TARGET, lang, 0) });

  return (
    <>
      {!props.scope.all && <p class="alert warn">{t('funder.dashboard.ownOnly')}</p>}
      <Unavailable institutions={unavailable.map((i) => ({ code: i.code, name: nameIn(lang, i) }))} />
      {national?.error && <ErrorMessage error={national.error} onRetry={props.onRetry} />}
      {failed.map((r) => (
        <div key={r.institution.code}>
          <p>
            <strong>{nameIn(lang, r.institution)}</strong>
          </p>
          <ErrorMessage error={r.entry.error} onRetry={props.onRetry} />
        </div>
      ))}
      {nation && <NationalSummary report={nation} />}
      <section class="panel" aria-labelledby="charts-heading">
        <h2 id="charts-heading">{t('funder.dashboard.charts')}</h2>
        <BarChart
          testId="sharing-rate"
          title={t('funder.chart.rateTitle', { year: props.fiscalYear })}
          description={t('funder.chart.rateDescription', { target: percent(SHARING_TARGET, lang, 0) })}
          bars={bars((r) => r.sharingRate)}
          target={{ value: SHARING_TARGET, label: targetLabel }}
        />
        <h3>{t('funder.chart.externalTitle')}</h3>
        <p class="muted">{t('funder.chart.externalLead')}</p>
        <BarChart
          testId="external-use"
          title={t('funder.chart.externalTitle')}
          description={t('funder.chart.externalLead')}
          bars={bars((r) => r.externalUseShare)}
        />
      </section>
      <SharingTable national={nation} rows={reported.map((r) => ({ institution: r.institution, report: r.entry.report }))} />
      <NotSharedLists rows={reported.map((r) => ({ institution: r.institution, report: r.entry.report }))} />
    </>
  );
}

/** Institutions left out: those the national report lists, and those whose own report did not answer. */
function unavailableOf(
  national: ReportEntry | null,
  rows: { institution: InstitutionRef; entry: ReportEntry }[],
): InstitutionRef[] {
  const missing = new Map<string, InstitutionRef>();
  for (const i of national?.report?.unavailableInstitutions ?? []) missing.set(i.code, i);
  for (const r of rows) if (r.entry.error?.code === 'INSTITUTION_UNAVAILABLE') missing.set(r.institution.code, r.institution);
  return [...missing.values()];
}

/** The nation's figures at a glance, against the target. */
function NationalSummary(props: { report: SharingReport }) {
  const t = useT();
  const lang = useLang();
  const { report } = props;
  const gap = SHARING_TARGET - report.sharingRate;
  return (
    <section class="panel national-summary" aria-labelledby="national-heading" data-testid="national-summary">
      <h2 id="national-heading">{t('funder.dashboard.nationalTitle', { year: report.fiscalYear })}</h2>
      <dl class="figures">
        <div class="figure main">
          <dt>{t('funder.table.rate')}</dt>
          <dd>
            <span class="big">{percent(report.sharingRate, lang)}</span>
            <span class={gap > 0 ? 'badge bad' : 'badge good'}>
              {gap > 0
                ? `▼ ${t('funder.dashboard.gap', { points: number(gap * 100, lang, 1) })}`
                : `✓ ${t('funder.dashboard.met', { target: percent(SHARING_TARGET, lang, 0) })}`}
            </span>
          </dd>
        </div>
        <div class="figure">
          <dt>{t('funder.table.shared')}</dt>
          <dd>
            {t('funder.dashboard.sharedOf', {
              shared: number(report.sharedAtOrAboveThreshold, lang),
              total: number(report.instrumentsAtOrAboveThreshold, lang),
            })}
          </dd>
        </div>
        <div class="figure">
          <dt>{t('funder.table.external')}</dt>
          <dd>{percent(report.externalUseShare, lang)}</dd>
        </div>
        <div class="figure">
          <dt>{t('funder.table.utilization')}</dt>
          <dd>{percent(report.utilization, lang)}</dd>
        </div>
      </dl>
    </section>
  );
}

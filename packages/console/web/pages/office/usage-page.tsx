/**
 * `#/office/usage`: a month's usage statement (`usageStatement`): what each requesting organisation and funding
 * source owes, line by line with subtotals and the total; as CSV (`GET /usage-statement.csv`) or printed.
 * The month (default: last month in Tokyo) is kept in the address.
 */
import { useState } from 'preact/hooks';
import { download } from '../../api';
import { ErrorMessage, Field, Loading } from '../../components/common';
import { dateTime, number, time, tokyoToday, yen } from '../../format';
import { useLang, useT, type Translate } from '../../i18n';
import { useAction, useQuery } from '../../use-api';
import { OfficePage, scopedNavigate, type OfficeScope } from './scope';
import type { BookingStatus, OperationMode, UserCategory } from './types';

interface UsageLine {
  bookingId: string;
  instrumentName: string;
  requesterId: string;
  start: string;
  end: string;
  status: BookingStatus;
  userCategory: UserCategory;
  mode: OperationMode;
  amount: number;
}

interface UsageGroup {
  requesterOrganization: string;
  requesterInstitution: string | null;
  fundingSource: string | null;
  bookings: number;
  amount: number;
  lines: UsageLine[];
}

interface UsageStatement {
  institution: { code: string; name: string; nameEn: string | null };
  month: string;
  groups: UsageGroup[];
  total: number;
}

const STATEMENT = `query OfficeUsageStatement($institution: ID!, $month: String!) {
  usageStatement(institution: $institution, month: $month) {
    institution { code name nameEn } month total
    groups { requesterOrganization requesterInstitution fundingSource bookings amount
      lines { bookingId instrumentName requesterId start end status userCategory mode amount } } } }`;

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/** The month before this one in Tokyo, as YYYY-MM. */
function lastMonth(): string {
  const [year, month] = tokyoToday().split('-').map(Number) as [number, number];
  return month === 1 ? `${year - 1}-12` : `${year}-${String(month - 1).padStart(2, '0')}`;
}

export function UsagePage(props: { query: URLSearchParams }) {
  const t = useT();
  const asked = props.query.get('month');
  const month = asked && MONTH.test(asked) ? asked : lastMonth();
  return (
    <OfficePage title={t('office.usage.title')}>
      {(scope) => (
        <>
          {asked && asked !== month && <p class="alert warn">{t('office.usage.badMonth', { month: asked })}</p>}
          <MonthPicker key={month} scope={scope} month={month} />
          <Statement scope={scope} month={month} />
        </>
      )}
    </OfficePage>
  );
}

function MonthPicker(props: { scope: OfficeScope; month: string }) {
  const t = useT();
  const [value, setValue] = useState(props.month);
  const valid = MONTH.test(value);
  return (
    <form
      class="filter-box compact no-print"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        if (valid) scopedNavigate(props.scope, '/office/usage', { month: value });
      }}
    >
      <Field label={t('office.usage.month')} problem={valid ? null : t('office.usage.monthFormat')}>
        {(control) => (
          <input {...control} type="month" name="month" value={value} onInput={(e) => setValue(e.currentTarget.value)} />
        )}
      </Field>
      <button type="submit" disabled={!valid}>
        {t('office.usage.show')}
      </button>
    </form>
  );
}

function Statement(props: { scope: OfficeScope; month: string }) {
  const t = useT();
  const lang = useLang();
  const { scope, month } = props;
  const statement = useQuery<{ usageStatement: UsageStatement }>(STATEMENT, { institution: scope.code, month });
  const csv = useAction(() =>
    download(
      `/usage-statement.csv?institution=${encodeURIComponent(scope.code)}&month=${encodeURIComponent(month)}`,
      `usage-${scope.code}-${month}.csv`,
    ),
  );
  if (statement.error) return <ErrorMessage error={statement.error} onRetry={statement.reload} />;
  if (statement.loading || !statement.data) return <Loading />;
  const { groups, total, institution } = statement.data.usageStatement;
  return (
    <>
      <div class="actions no-print">
        <button type="button" disabled={csv.running} onClick={() => void csv.run()}>
          {t('office.usage.csv')}
        </button>
        <button type="button" class="secondary" onClick={() => print()}>
          {t('common.print')}
        </button>
      </div>
      <ErrorMessage error={csv.error} />
      <h2>
        {t('office.usage.heading', { name: lang === 'en' && institution.nameEn ? institution.nameEn : institution.name, month })}
      </h2>
      {groups.length === 0 ? (
        <p>{t('office.usage.empty')}</p>
      ) : (
        <>
          <Summary groups={groups} total={total} />
          <h2>{t('office.usage.details')}</h2>
          {groups.map((group, i) => (
            <GroupTable key={i} group={group} />
          ))}
        </>
      )}
    </>
  );
}

const fundingOf = (group: UsageGroup, t: Translate) =>
  group.fundingSource ? t('office.usage.funding', { source: group.fundingSource }) : t('office.usage.noFunding');

/** One line per requesting organisation and funding source, and the month's total: what to invoice. */
function Summary(props: { groups: UsageGroup[]; total: number }) {
  const t = useT();
  const lang = useLang();
  const count = props.groups.reduce((n, g) => n + g.bookings, 0);
  return (
    <div class="table-scroll">
      <table class="usage-summary">
        <caption>{t('office.usage.summary')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('office.usage.organization')}</th>
            <th scope="col">{t('office.usage.fundingSource')}</th>
            <th scope="col" class="num">
              {t('office.usage.bookings')}
            </th>
            <th scope="col" class="num">
              {t('office.usage.amount')}
            </th>
          </tr>
        </thead>
        <tbody>
          {props.groups.map((group, i) => (
            <tr key={i}>
              <th scope="row">{group.requesterOrganization}</th>
              <td>{group.fundingSource ?? <span class="muted">{t('office.usage.noFunding')}</span>}</td>
              <td class="num">{number(group.bookings, lang)}</td>
              <td class="num">{yen(group.amount, lang)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row" colSpan={2}>
              {t('office.usage.total')}
            </th>
            <td class="num" data-testid="usage-count">
              {number(count, lang)}
            </td>
            <td class="num" data-testid="usage-total">
              {yen(props.total, lang)}
            </td>
          </tr>
        </tfoot>
      </table>
    </div>
  );
}

function GroupTable(props: { group: UsageGroup }) {
  const t = useT();
  const lang = useLang();
  const { group } = props;
  return (
    <section class="panel usage-group">
      <h3>
        {group.requesterOrganization}
        <span class="muted small"> {fundingOf(group, t)}</span>
      </h3>
      <div class="table-scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">{t('office.usage.when')}</th>
              <th scope="col">{t('office.usage.instrument')}</th>
              <th scope="col">{t('office.usage.requester')}</th>
              <th scope="col">{t('office.usage.status')}</th>
              <th scope="col" class="num">
                {t('office.usage.amount')}
              </th>
            </tr>
          </thead>
          <tbody>
            {group.lines.map((line) => (
              <tr key={line.bookingId}>
                <td class="nowrap">
                  {dateTime(line.start, lang)}–{time(line.end, lang)}
                </td>
                <td>
                  {line.instrumentName}
                  <div class="muted small">{t(`common.mode.${line.mode}`)}</div>
                </td>
                <td>
                  {line.requesterId}
                  <div class="muted small">{t(`common.category.${line.userCategory}`)}</div>
                </td>
                <td>{t(`common.status.${line.status}`)}</td>
                <td class="num">{yen(line.amount, lang)}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row" colSpan={4}>
                {t('office.usage.subtotal', { count: number(group.bookings, lang) })}
              </th>
              <td class="num">
                <strong>{yen(group.amount, lang)}</strong>
              </td>
            </tr>
          </tfoot>
        </table>
      </div>
    </section>
  );
}

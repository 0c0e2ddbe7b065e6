import { formatDateTimeTokyo } from '@kyoyo/domain';
import { csvRow } from '../common/csv';
import type { UsageStatement } from './bookings.types';

/** Columns of a usage statement CSV, in order. */
export const USAGE_STATEMENT_COLUMNS = [
  'row_type',
  'owner_institution',
  'month',
  'requester_organization',
  'requester_institution',
  'funding_source',
  'booking_id',
  'instrument_id',
  'instrument_name',
  'requester_id',
  'start',
  'end',
  'status',
  'user_category',
  'mode',
  'bookings',
  'amount_yen',
] as const;

type Column = (typeof USAGE_STATEMENT_COLUMNS)[number];

function row(values: Partial<Record<Column, string | number | null>>): string {
  return csvRow(USAGE_STATEMENT_COLUMNS, values);
}

/**
 * A usage statement as CSV (RFC 4180, CRLF line ends, no BOM): a header, then for every group its
 * `line` rows and a `subtotal` row, then one `total` row. Times are Asia/Tokyo; amounts whole yen.
 */
export function usageStatementCsv(statement: UsageStatement): string {
  const common = { owner_institution: statement.institution, month: statement.month };
  const rows = [USAGE_STATEMENT_COLUMNS.join(',')];
  for (const group of statement.groups) {
    const who = {
      ...common,
      requester_organization: group.requesterOrganization,
      requester_institution: group.requesterInstitution,
      funding_source: group.fundingSource,
    };
    for (const line of group.lines) {
      rows.push(
        row({
          row_type: 'line',
          ...who,
          booking_id: line.bookingId,
          instrument_id: line.instrumentId,
          instrument_name: line.instrumentName,
          requester_id: line.requesterId,
          start: formatDateTimeTokyo(line.start),
          end: formatDateTimeTokyo(line.end),
          status: line.status,
          user_category: line.userCategory,
          mode: line.mode,
          bookings: 1,
          amount_yen: line.amount,
        }),
      );
    }
    rows.push(row({ row_type: 'subtotal', ...who, bookings: group.bookings, amount_yen: group.amount }));
  }
  const count = statement.groups.reduce((sum, g) => sum + g.bookings, 0);
  rows.push(row({ row_type: 'total', ...common, bookings: count, amount_yen: statement.total }));
  return `${rows.join('\r\n')}\r\n`;
}

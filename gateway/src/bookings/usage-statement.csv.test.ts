import { describe, expect, it } from 'vitest';
import type { UsageStatement } from './bookings.types';
import { USAGE_STATEMENT_COLUMNS, usageStatementCsv } from './usage-statement.csv';

const line = (bookingId: string, amount: number, status: 'COMPLETED' | 'NO_SHOW' | 'CANCELLED' = 'COMPLETED') => ({
  bookingId,
  instrumentId: 'SW5zdHJ1bWVudDpreW90by11OjE',
  instrumentName: 'NMR 600MHz, "Avance"',
  requesterId: 'u-1',
  start: new Date('2026-11-02T01:00:00Z'),
  end: new Date('2026-11-02T02:30:00Z'),
  status,
  userCategory: 'ACADEMIC' as const,
  mode: 'SELF' as const,
  amount,
});

const statement: UsageStatement = {
  institution: 'kyoto-u',
  month: '2026-11',
  total: 12_000,
  groups: [
    {
      requesterOrganization: '東北大学',
      requesterInstitution: 'tohoku-u',
      fundingSource: 'KAKENHI JP23H01234',
      bookings: 2,
      amount: 9_000,
      lines: [line('b1', 4_500), line('b2', 4_500, 'NO_SHOW')],
    },
    {
      requesterOrganization: '=HYPERLINK("x")',
      requesterInstitution: null,
      fundingSource: null,
      bookings: 1,
      amount: 3_000,
      lines: [line('b3', 3_000, 'CANCELLED')],
    },
  ],
};

function parse(csv: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < csv.length; i++) {
    const c = csv[i]!;
    if (quoted && c === '"' && csv[i + 1] === '"') {
      field += '"';
      i++;
    } else if (quoted && c === '"') {
      quoted = false;
    } else if (quoted || (c !== '"' && c !== ',' && c !== '\r')) {
      field += c;
    } else if (c === '"') {
      quoted = true;
    } else if (c === ',') {
      row.push(field);
      field = '';
    } else {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++; // the \n of \r\n
    }
  }
  return rows;
}

describe('usage statement CSV', () => {
  const rows = parse(usageStatementCsv(statement));
  const column = (name: (typeof USAGE_STATEMENT_COLUMNS)[number]) => USAGE_STATEMENT_COLUMNS.indexOf(name);

  it('has a header, line and subtotal rows per group, and one total row', () => {
    expect(rows[0]).toEqual([...USAGE_STATEMENT_COLUMNS]);
    expect(rows.slice(1).map((r) => r[column('row_type')])).toEqual(['line', 'line', 'subtotal', 'line', 'subtotal', 'total']);
    expect(rows.every((r) => r.length === USAGE_STATEMENT_COLUMNS.length)).toBe(true);
  });

  it('carries amounts and totals as whole yen, and times in Tokyo', () => {
    expect(rows[3]![column('amount_yen')]).toBe('9000');
    expect(rows[3]![column('bookings')]).toBe('2');
    expect(rows[6]![column('amount_yen')]).toBe('12000');
    expect(rows[6]![column('bookings')]).toBe('3');
    expect(rows[1]![column('start')]).toBe('2026-11-02T10:00:00+09:00');
  });

  it('quotes commas and quotes, and defuses text a spreadsheet would run as a formula', () => {
    expect(rows[1]![column('instrument_name')]).toBe('NMR 600MHz, "Avance"');
    expect(rows[4]![column('requester_organization')]).toBe(`'=HYPERLINK("x")`);
  });
});

import { describe, expect, it } from 'vitest';
import { BOM, parseCsv } from '../../csv';
import { CSV_COLUMNS, templateCsv } from './listing-csv';

describe('the listing CSV template', () => {
  it('offers every contract column with one example row, marked as UTF-8 for Excel', () => {
    const template = templateCsv();
    expect(template.startsWith(BOM)).toBe(true);
    const [header, example, ...rest] = parseCsv(template);
    expect(header!.fields).toEqual([...CSV_COLUMNS]);
    expect(example!.fields).toHaveLength(CSV_COLUMNS.length);
    expect(rest).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { currentFiscalYear, fiscalYearOf, parseFiscalYear } from './fiscal-year';

describe('fiscal years', () => {
  it('begin on April 1', () => {
    expect(fiscalYearOf('2026-03-31')).toBe(2025);
    expect(fiscalYearOf('2026-04-01')).toBe(2026);
    expect(fiscalYearOf('2026-12-31')).toBe(2026);
  });

  it('are read from the address only when a report can exist', () => {
    expect(parseFiscalYear(String(currentFiscalYear()))).toBe(currentFiscalYear());
    expect(parseFiscalYear('1990')).toBe(1990);
    expect(parseFiscalYear('1989')).toBeNull();
    expect(parseFiscalYear(String(currentFiscalYear() + 1))).toBeNull();
    expect(parseFiscalYear('20x5')).toBeNull();
    expect(parseFiscalYear(null)).toBeNull();
  });
});

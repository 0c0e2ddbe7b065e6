/** Japanese fiscal years (年度): April to March, named by the year they begin in. */
import { tokyoToday } from '../../format';

/** The schema refuses reports of fiscal years before this. */
export const FIRST_FISCAL_YEAR = 1990;

/** The fiscal year `day` (YYYY-MM-DD, Tokyo) falls in: 2026-03-31 is in 2025, 2026-04-01 in 2026. */
export function fiscalYearOf(day: string): number {
  const year = Number(day.slice(0, 4));
  return Number(day.slice(5, 7)) >= 4 ? year : year - 1;
}

export const currentFiscalYear = (): number => fiscalYearOf(tokyoToday());

/** A fiscal year from the address, when it is one a report can be had for (begun, 1990 or later); else null. */
export function parseFiscalYear(text: string | null): number | null {
  if (!text || !/^\d{4}$/.test(text)) return null;
  const year = Number(text);
  return year >= FIRST_FISCAL_YEAR && year <= currentFiscalYear() ? year : null;
}

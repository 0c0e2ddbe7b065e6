import { formatDateTimeTokyo } from '@kyoyo/domain';
import { csvRow } from '../common/csv';
import type { DuplicateCheckView } from './duplicate-checks.types';

/** Columns of a batch's CSV for a review panel, one row per proposal in submission order. */
export const DUPLICATE_CHECK_COLUMNS = [
  'row',
  'check_id',
  'title',
  'institution',
  'estimated_price_yen',
  'funding_program',
  'grant_id',
  'expected_hours_per_year',
  'verdict',
  'candidates',
  'best_instrument_id',
  'best_instrument_name',
  'best_institution',
  'best_score',
  'best_distance_km',
  'best_utilization',
  'best_spare_hours_per_year',
  'best_usable_by_requester',
  'best_reasons',
  'unavailable_institutions',
  'checked_at',
  'checked_by',
  'digest',
] as const;

/** The results of a batch as CSV (CRLF line ends, RFC 4180); reasons joined with ` / `, times in Tokyo. */
export function duplicateChecksCsv(checks: readonly DuplicateCheckView[]): string {
  const lines = [DUPLICATE_CHECK_COLUMNS.join(',')];
  checks.forEach((check, i) => {
    const best = check.candidates[0];
    lines.push(
      csvRow(DUPLICATE_CHECK_COLUMNS, {
        row: i + 1,
        check_id: check.id,
        title: check.proposal.title,
        institution: check.proposal.institution,
        estimated_price_yen: check.proposal.estimatedPrice,
        funding_program: check.proposal.fundingProgram,
        grant_id: check.proposal.grantId,
        expected_hours_per_year: check.proposal.expectedHoursPerYear,
        verdict: check.verdict,
        candidates: check.candidates.length,
        best_instrument_id: best?.instrument.id ?? null,
        best_instrument_name: best?.instrument.name ?? null,
        best_institution: best?.instrument.institution ?? null,
        best_score: best?.score ?? null,
        best_distance_km: best?.distanceKm ?? null,
        best_utilization: best?.utilization ?? null,
        best_spare_hours_per_year: best?.spareHoursPerYear ?? null,
        best_usable_by_requester: best?.usableByRequester ?? null,
        best_reasons: best ? best.reasons.join(' / ') : null,
        unavailable_institutions: check.unavailableInstitutions.join(' '),
        checked_at: formatDateTimeTokyo(new Date(check.checkedAt)),
        checked_by: check.checkedBy,
        digest: check.digest,
      }),
    );
  });
  return `${lines.join('\r\n')}\r\n`;
}

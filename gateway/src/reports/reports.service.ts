import { requireOversight, type Identity } from '@kyoyo/auth';
import {
  fiscalYearOf,
  SHARING_THRESHOLD_YEN,
  sharingRates,
  sharingReportPeriod,
  sumSharingTotals,
  type SharingTotals,
} from '@kyoyo/domain';
import type { RequestNotices } from '../bookings/bookings.service';
import { fanOut, type CallContext, type InstitutionClient } from '../federation/institution-client';
import type { FederatedInstrument } from '../instruments/instruments.types';
import type { InstitutionRegistry } from '../registry/registry';
import type { RegisteredInstitution } from '../registry/registry.types';
import { SHARING_STATS, type ServiceSharingStats, type SharingStatsData } from './reports.documents';
import type { SharingReport } from './reports.types';

/** What one institution answered for a report. */
interface InstitutionStats {
  institution: RegisteredInstitution;
  value: ServiceSharingStats;
}

const totalsOf = (s: ServiceSharingStats): SharingTotals => ({
  instrumentsAtOrAboveThreshold: s.instrumentsAtOrAboveThreshold,
  sharedAtOrAboveThreshold: s.sharedAtOrAboveThreshold,
  bookedHours: s.bookedHours,
  externalBookedHours: s.externalBookedHours,
  openHours: s.openHours,
  bookedOpenHours: s.bookedOpenHours,
});

/** Highest acquisition price first; ties by institution code, then local id, so the national list is total. */
const byPriceDescending = (a: FederatedInstrument, b: FederatedInstrument) =>
  (b.acquisitionPrice ?? 0) - (a.acquisitionPrice ?? 0) ||
  (a.institutionCode < b.institutionCode ? -1 : a.institutionCode > b.institutionCode ? 1 : 0) ||
  Number(a.id) - Number(b.id);

const byCode = (a: RegisteredInstitution, b: RegisteredInstitution) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);

/**
 * The reporting use cases of one gateway request. Each institution's service computes its own figures from
 * its own database (and checks the caller again); the gateway checks who may ask and what was asked before
 * calling anyone, then adds institutions' figures up and derives every rate from the sums.
 */
export class ReportsService {
  constructor(
    private readonly registry: InstitutionRegistry,
    private readonly client: InstitutionClient,
    private readonly call: CallContext,
    private readonly notices: RequestNotices,
    /** The request's clock reading: it picks the default fiscal year and refuses ones that have not begun. */
    private readonly now: Date,
  ) {}

  /**
   * The sharing report of `institution`, or of the nation when it is null, for `fiscalYear` (default: the
   * current Japanese fiscal year, Asia/Tokyo).
   *
   * - Who: FUNDER and ADMIN for any member and the nation; a FACILITY_MANAGER for its own institution only
   *   (`requireOversight`). Services receive the caller's own identity and check it again.
   * - Input: an institution that is not a member is `BAD_USER_INPUT` on `institution`; a fiscal year that
   *   has not begun, or one before 1990, is `BAD_USER_INPUT` on `fiscalYear` — both before any call.
   * - National: every member is asked in parallel; counts and hours are summed and the rates derived from
   *   the sums, so large institutions weigh as much as their instruments and hours. Members that do not answer
   *   are left out of the figures and listed in `unavailableInstitutions` (and in the response's
   *   `extensions.unavailableInstitutions`).
   * - One institution: when it does not answer, the report is `INSTITUTION_UNAVAILABLE` (a report with no
   *   figures at all would read as an institution with nothing to share).
   */
  async sharingReport(
    institution: string | null | undefined,
    fiscalYear: number | null | undefined,
    identity: Identity | null,
  ): Promise<SharingReport> {
    const code = institution ?? null;
    requireOversight(identity, code);
    const member = code === null ? null : this.registry.requireMember(code, 'institution');
    const year = fiscalYear ?? fiscalYearOf(this.now);
    sharingReportPeriod(year, this.now);
    if (member) {
      const value = await this.statsOf(member, year);
      return this.report(member, year, [{ institution: member, value }], []);
    }
    const { answered, unavailable } = await fanOut(this.registry.all(), (i) => this.statsOf(i, year));
    for (const i of unavailable) this.notices.unavailableInstitutions.add(i.code);
    return this.report(null, year, answered, unavailable);
  }

  private async statsOf(institution: RegisteredInstitution, fiscalYear: number): Promise<ServiceSharingStats> {
    const data = await this.client.request<SharingStatsData>(
      institution.code,
      'SharingStats',
      SHARING_STATS,
      { fiscalYear },
      this.call,
    );
    return data.sharingStats;
  }

  private report(
    institution: RegisteredInstitution | null,
    fiscalYear: number,
    answered: InstitutionStats[],
    unavailable: RegisteredInstitution[],
  ): SharingReport {
    const totals = sumSharingTotals(answered.map((a) => totalsOf(a.value)));
    return {
      institution,
      fiscalYear,
      threshold: SHARING_THRESHOLD_YEN,
      instrumentsAtOrAboveThreshold: totals.instrumentsAtOrAboveThreshold,
      sharedAtOrAboveThreshold: totals.sharedAtOrAboveThreshold,
      ...sharingRates(totals),
      notShared: answered
        .flatMap((a) => a.value.notShared.map((i) => ({ ...i, institutionCode: a.institution.code })))
        .sort(byPriceDescending),
      unavailableInstitutions: [...unavailable].sort(byCode),
    };
  }
}

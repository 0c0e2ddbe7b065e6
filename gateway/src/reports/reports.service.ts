import { requireOversight, type Identity } from '@kyoyo/auth';
import {
  DomainError,
  ErrorCode,
  fiscalYearOf,
  openAndHeldHours,
  SHARING_THRESHOLD_YEN,
  sharingRates,
  sharingReportPeriod,
  sumSharingTotals,
  type SharingTotals,
  type TimeRange,
} from '@kyoyo/domain';
import type { RequestNotices } from '../bookings/bookings.service';
import { catalogueKeyOf } from '../catalogue/catalogue-equivalents.repository';
import type { CatalogueReportsRepository } from '../catalogue/catalogue-reports.repository';
import type { CatalogueFreshness } from '../catalogue/catalogue.freshness';
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
 * The reporting use cases of one gateway request. The current fiscal year — the report funders and offices
 * watch — comes from the national catalogue: one read whatever the number of institutions, none waiting for
 * the slowest, an institution that is down counted as of its last harvest. A finished year comes from the
 * owners, who hold what the catalogue does not (bookings older than a year, decommissioned instruments):
 * each service computes its own figures from its own database (and checks the caller again). Either way the
 * gateway checks who may ask and what was asked first, then derives every rate from the sums.
 */
export class ReportsService {
  constructor(
    private readonly registry: InstitutionRegistry,
    private readonly client: InstitutionClient,
    private readonly call: CallContext,
    private readonly notices: RequestNotices,
    /** The request's clock reading: it picks the default fiscal year and refuses ones that have not begun. */
    private readonly now: Date,
    private readonly catalogue: CatalogueReportsRepository,
    private readonly freshness: CatalogueFreshness,
  ) {}

  /**
   * The sharing report of `institution`, or of the nation when it is null, for `fiscalYear` (default: the
   * current Japanese fiscal year, Asia/Tokyo).
   *
   * - Who: FUNDER and ADMIN for any member and the nation; a FACILITY_MANAGER for its own institution only
   *   (`requireOversight`). Services receive the caller's own identity and check it again.
   * - Input: an institution that is not a member is `BAD_USER_INPUT` on `institution`; a fiscal year that
   *   has not begun, or one before 1990, is `BAD_USER_INPUT` on `fiscalYear` — both before any call.
   * - Current fiscal year, from the catalogue: counts and hours are summed over the covered instruments of
   *   every member (or the one asked about), so large institutions weigh as much as their instruments and
   *   hours. A member whose part is older than the freshness threshold is counted as of its
   *   `catalogueCurrentTo` and listed in `staleInstitutions`; one the catalogue holds nothing of yet is left
   *   out and listed in `unavailableInstitutions` (and the response's `extensions.unavailableInstitutions`).
   * - A finished fiscal year, from the owners: every member is asked in parallel and the same sums are taken
   *   over those that answered; members that do not answer are left out and listed as unavailable.
   * - One institution that cannot be reported on (not yet in the catalogue, or not answering for a finished
   *   year) is `INSTITUTION_UNAVAILABLE`: a report with no figures at all would read as an institution with
   *   nothing to share.
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
    const period = sharingReportPeriod(year, this.now);
    if (year === fiscalYearOf(this.now)) return this.fromCatalogue(member, year, period);
    if (member) {
      const value = await this.statsOf(member, year);
      return this.report(member, year, [{ institution: member, value }], []);
    }
    const { answered, unavailable } = await fanOut(this.registry.all(), (i) => this.statsOf(i, year));
    for (const i of unavailable) this.notices.unavailableInstitutions.add(i.code);
    return this.report(null, year, answered, unavailable);
  }

  /** The report of the current fiscal year so far (`period` ends now), from the national catalogue. */
  private async fromCatalogue(
    member: RegisteredInstitution | null,
    fiscalYear: number,
    period: TimeRange,
  ): Promise<SharingReport> {
    const members = member ? [member] : this.registry.all();
    const [freshness, snapshot] = await Promise.all([
      this.freshness.all(this.now),
      this.catalogue.sharingSnapshot(member?.code ?? null, period, SHARING_THRESHOLD_YEN),
    ]);
    const unavailable = members.filter((m) => !freshness.get(m.code)?.currentTo);
    if (member && unavailable.length > 0) {
      throw new DomainError(
        ErrorCode.INSTITUTION_UNAVAILABLE,
        `The national catalogue holds nothing of ${member.code} yet; try again once its listings are harvested`,
        'institution',
      );
    }
    for (const i of unavailable) this.notices.unavailableInstitutions.add(i.code);
    const usage = openAndHeldHours(
      period,
      snapshot.covered.map((instrument) => ({
        acquiredOn: instrument.acquiredOn,
        decommissionedAt: null,
        openHours: instrument.openHours,
        held: snapshot.heldPeriods.get(catalogueKeyOf(instrument)) ?? [],
      })),
    );
    const totals: SharingTotals = {
      instrumentsAtOrAboveThreshold: snapshot.covered.length,
      sharedAtOrAboveThreshold: snapshot.covered.filter((i) => i.sharedExternally).length,
      bookedHours: snapshot.bookedHours,
      externalBookedHours: snapshot.externalBookedHours,
      ...usage,
    };
    const stale = members.filter((m) => {
      const f = freshness.get(m.code);
      return f?.currentTo && f.stale;
    });
    return reportOf(member, fiscalYear, totals, snapshot.notShared, unavailable, stale);
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
    const notShared = answered
      .flatMap((a) => a.value.notShared.map((i) => ({ ...i, institutionCode: a.institution.code })))
      .sort(byPriceDescending);
    return reportOf(institution, fiscalYear, totals, notShared, unavailable, []);
  }
}

/** A report from its totals, whichever side they were summed on; institutions listed by code. */
function reportOf(
  institution: RegisteredInstitution | null,
  fiscalYear: number,
  totals: SharingTotals,
  notShared: FederatedInstrument[],
  unavailable: readonly RegisteredInstitution[],
  stale: readonly RegisteredInstitution[],
): SharingReport {
  return {
    institution,
    fiscalYear,
    threshold: SHARING_THRESHOLD_YEN,
    instrumentsAtOrAboveThreshold: totals.instrumentsAtOrAboveThreshold,
    sharedAtOrAboveThreshold: totals.sharedAtOrAboveThreshold,
    ...sharingRates(totals),
    notShared,
    unavailableInstitutions: [...unavailable].sort(byCode),
    staleInstitutions: [...stale].sort(byCode),
  };
}

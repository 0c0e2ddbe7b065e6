import type DataLoader from 'dataloader';
import { requireOversight, type Identity } from '@kyoyo/auth';
import { openAndHeldHours, SHARING_THRESHOLD_YEN, sharingReportPeriod, type OpenHoursRule } from '@kyoyo/domain';
import type { ReportsRepository } from './reports.repository';
import type { SharingStats } from './reports.types';

/** The reporting use cases of one request. */
export class ReportsService {
  constructor(
    private readonly institution: string,
    private readonly repository: ReportsRepository,
    /** Primed with the rules the report read, so the not-shared instruments' `openHours` cost no query. */
    private readonly openHoursLoader: DataLoader<number, OpenHoursRule[]>,
    /** The request's clock reading: the end of the current fiscal year's report. */
    private readonly now: Date,
  ) {}

  /**
   * Funders, administrators and this institution's facility office (the gateway calls every institution
   * with the funder's or administrator's own identity for a national report): this institution's sharing
   * figures for `fiscalYear` (DOMAIN.md, "Sharing report").
   *
   * - Covered: instruments acquired for `SHARING_THRESHOLD_YEN` or more that existed in the period; the
   *   period is the fiscal year, up to now for the current one (`sharingReportPeriod`).
   * - Shared: the instrument's current `sharedExternally` (no history of the setting is kept).
   * - Booked hours: CONFIRMED, COMPLETED and NO_SHOW bookings, clipped to the period, summed in SQL; external
   *   ones are those of users who are not INTERNAL.
   * - Open hours: each instrument's weekly rules inside the period and its life (from its acquisition day,
   *   until it was decommissioned), and the part of them bookings held — `Instrument.utilization`'s terms.
   */
  async sharingStats(fiscalYear: number, identity: Identity | null): Promise<SharingStats> {
    requireOversight(identity, this.institution);
    const period = sharingReportPeriod(fiscalYear, this.now);
    const threshold = SHARING_THRESHOLD_YEN;
    const snapshot = await this.repository.sharingSnapshot(period, threshold);
    const usage = openAndHeldHours(
      period,
      snapshot.covered.map((instrument) => ({
        acquiredOn: instrument.acquiredOn,
        decommissionedAt: instrument.decommissionedAt,
        openHours: snapshot.openHours.get(instrument.id) ?? [],
        held: snapshot.bookedPeriods.get(instrument.id) ?? [],
      })),
    );
    for (const instrument of snapshot.notShared) {
      this.openHoursLoader.prime(instrument.id, snapshot.openHours.get(instrument.id) ?? []);
    }
    return {
      fiscalYear,
      from: period.start,
      to: period.end,
      threshold,
      instrumentsAtOrAboveThreshold: snapshot.covered.length,
      sharedAtOrAboveThreshold: snapshot.covered.filter((i) => i.sharedExternally).length,
      notShared: snapshot.notShared,
      bookedHours: snapshot.bookedHours,
      externalBookedHours: snapshot.externalBookedHours,
      ...usage,
    };
  }
}

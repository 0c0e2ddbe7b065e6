import type { Counter, Metrics } from '@kyoyo/server-kit';

/**
 * The harvest in the gateway's metrics: lag per institution (read at every scrape), entries applied and
 * refused, resynchronisations and reconciliation repairs.
 */
export class CatalogueMetrics {
  readonly applied: Counter<'institution'>;
  readonly refused: Counter<'institution'>;
  readonly resyncs: Counter<'institution' | 'reason'>;
  readonly repairs: Counter<'institution'>;
  readonly reconciliations: Counter<'institution' | 'result'>;

  constructor(metrics: Metrics, lagSeconds: () => Promise<Map<string, number>>) {
    this.applied = metrics.counter(
      'catalogue_changes_applied_total',
      'Listings, busy periods and removals applied to the national catalogue from the members’ change feeds.',
      ['institution'],
    );
    this.refused = metrics.counter(
      'catalogue_entries_refused_total',
      'Feed entries refused as malformed (oversized text, bad ids or periods); the rest of their page applied.',
      ['institution'],
    );
    this.resyncs = metrics.counter(
      'catalogue_resyncs_total',
      'Full listings: the first on joining (counted when complete), and those started for an expired or foreign cursor (restored database) or a reconciliation repair.',
      ['institution', 'reason'],
    );
    this.repairs = metrics.counter(
      'catalogue_reconciliation_repairs_total',
      'Reconciliations that found the catalogue differing from the owner’s listings (count or checksum) and resynchronised.',
      ['institution'],
    );
    this.reconciliations = metrics.counter(
      'catalogue_reconciliations_total',
      'Reconciliation checks of an institution’s part of the catalogue against its owner’s summary, by result: match, repaired (drift found, full listing started), unrepaired (the same drift again after a repair: not relisted again), lagging (changes still in flight at every try), skipped (full listing under way, owner down, another replica harvests it), failed.',
      ['institution', 'result'],
    );
    metrics.gauge(
      'catalogue_harvest_lag_seconds',
      'How far behind its owner each institution’s part of the catalogue may be: 0 while a long poll is open on a healthy feed, else the time since the catalogue was last current.',
      ['institution'],
      async function () {
        const lag = await lagSeconds();
        this.reset();
        for (const [institution, seconds] of lag) this.set({ institution }, seconds);
      },
    );
  }
}

import type { CatalogueFigures } from '@kyoyo/domain';
import type { Logger } from '@kyoyo/server-kit';
import type { InstitutionClient } from '../federation/institution-client';
import type { InstitutionRegistry } from '../registry/registry';
import { CATALOGUE_SUMMARY, type CatalogueSummaryData } from './catalogue-summary.documents';
import type { CatalogueSummaryRepository } from './catalogue-summary.repository';
import type { CatalogueMetrics } from './catalogue.metrics';
import type { CatalogueRepository } from './catalogue.repository';
import type { HarvestLeasesRepository } from './harvest-leases.repository';
import type { Harvester } from './harvester';

/** Default time between two reconciliations of one institution: an hour. */
export const DEFAULT_RECONCILE_INTERVAL_MS = 3_600_000;

export interface ReconcilerOptions {
  /** How often each institution is reconciled (ms; default an hour). Institutions are spread over the interval. */
  intervalMs?: number;
  /** When a check could not compare yet (full listing under way, owner down, changes in flight): how soon it is tried again (ms; default 1 min). */
  retryMs?: number;
  /** Comparisons per check while changes are in flight, the harvest catching up between them (default 3). */
  attempts?: number;
  /** Time budget of the owner's summary (ms; default 30 s: it sums every listing). */
  timeoutMs?: number;
  /** With several gateway replicas, the harvest's leases: an institution is reconciled by the replica that harvests it. */
  lease?: { repository: HarvestLeasesRepository; holder: string };
}

/**
 * What one check found: `match`; `repaired` (drift: a full listing was started); `unrepaired` (the very drift a
 * repair was made for, again: not relisted again); `lagging` (changes were in flight at every comparison);
 * `skipped` (a full listing is under way, the owner is down, or another replica harvests the institution).
 */
export type ReconcileResult = 'match' | 'repaired' | 'unrepaired' | 'lagging' | 'skipped' | 'failed';

/** One check of one institution. */
export interface Reconciliation {
  result: ReconcileResult;
  /** The owner's figures and the catalogue's, when they were compared. */
  owner?: CatalogueFigures;
  catalogue?: CatalogueFigures;
}

/**
 * The periodic reconciliation of the national catalogue (issue #21): per institution, counts and a checksum of
 * its part of the catalogue against the owner's own (`CatalogueChecksum`, one function on both sides), and a
 * full relisting of that institution when they differ (the resync path, which keeps its listings searchable).
 *
 * The catalogue may lag its owner by changes in flight, which is no drift. The owner says whether the
 * catalogue's cursor has been given every change its summary reflects (`current`); only then are the two
 * compared, and with the catalogue exactly as it stood at that cursor (summed in one snapshot that checks the
 * cursor has not moved). Otherwise the harvest catches up and the comparison is made again, a few times.
 */
export class Reconciler {
  private readonly abort = new AbortController();
  private loop: Promise<void> | null = null;
  /** When each institution is next due (ms since the epoch). */
  private readonly due = new Map<string, number>();
  /**
   * Institutions relisted for a drift, with the owner's checksum then and the catalogue's as the relisting left
   * it (null until a check has seen it): a relisting that could not mend the drift is not made again and again.
   */
  private readonly repaired = new Map<string, { owner: string; catalogue: string | null }>();
  /** Checks under way: a second call for the same institution shares the first (one repair, not two). */
  private readonly running = new Map<string, Promise<Reconciliation>>();
  private readonly intervalMs: number;

  constructor(
    private readonly registry: InstitutionRegistry,
    private readonly client: InstitutionClient,
    private readonly summaries: CatalogueSummaryRepository,
    private readonly catalogue: CatalogueRepository,
    private readonly harvester: Harvester,
    private readonly metrics: CatalogueMetrics | null,
    private readonly logger: Logger,
    private readonly options: ReconcilerOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? DEFAULT_RECONCILE_INTERVAL_MS;
  }

  /** Reconciles every member, each once per interval, one at a time. */
  start(): void {
    this.loop ??= this.run();
  }

  /** Stops the schedule; a check under way ends at its next step (an owner call under way is abandoned). */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  /** When `institution` is next due after `now`: its own offset in every interval, the same on every replica. */
  nextDue(institution: string, now: number): number {
    const offset = Math.floor((fnv1a(institution) / 2 ** 32) * this.intervalMs);
    const wait = (((offset - now) % this.intervalMs) + this.intervalMs) % this.intervalMs;
    return now + (wait === 0 ? this.intervalMs : wait);
  }

  private async run(): Promise<void> {
    while (!this.abort.signal.aborted) {
      const now = Date.now();
      const members = new Set(this.registry.all().map((i) => i.code));
      for (const code of members) if (!this.due.has(code)) this.due.set(code, this.nextDue(code, now));
      for (const code of this.due.keys()) if (!members.has(code)) this.due.delete(code);
      let next: [string, number] | null = null;
      for (const entry of this.due) if (!next || entry[1] < next[1]) next = entry;
      // Looks at the registry again at least every 10 s, for members that joined or left.
      if (!next || next[1] > now) {
        await sleep(Math.min(10_000, next ? next[1] - now : 10_000), this.abort.signal);
        continue;
      }
      const [code] = next;
      const { result } = await this.reconcile(code);
      // A check that could not compare yet is made again soon; a failed one (an owner without the operation, a
      // timeout) waits its interval, with one warning, not one a minute.
      const retry = Math.min(this.intervalMs, this.options.retryMs ?? 60_000);
      const soon = result === 'skipped' || result === 'lagging';
      this.due.set(code, soon ? Date.now() + retry : this.nextDue(code, Date.now()));
    }
  }

  /** Reconciles `institution` now: compares, repairs a drift, counts and reports the result. */
  reconcile(institution: string): Promise<Reconciliation> {
    const running = this.running.get(institution);
    if (running) return running;
    const check = this.reconcileNow(institution).finally(() => this.running.delete(institution));
    this.running.set(institution, check);
    return check;
  }

  private async reconcileNow(institution: string): Promise<Reconciliation> {
    let outcome: Reconciliation;
    try {
      outcome = await this.check(institution);
    } catch (error) {
      if (this.abort.signal.aborted) return { result: 'skipped' };
      this.logger.warn('catalogue: reconciliation failed', { institution, error: (error as Error).message });
      outcome = { result: 'failed' };
    }
    this.metrics?.reconciliations.inc({ institution, result: outcome.result });
    return outcome;
  }

  private async check(institution: string): Promise<Reconciliation> {
    if (this.registry.health(institution) !== 'UP' || !(await this.harvestedHere(institution))) return { result: 'skipped' };
    const attempts = this.options.attempts ?? 3;
    for (let attempt = 1; ; attempt++) {
      const state = await this.summaries.harvestState(institution);
      // Before the first full listing and while one is under way there is nothing settled to compare.
      if (!state || state.cursor === null || state.snapshotNext !== null) return { result: 'skipped' };
      const { catalogueSummary: summary } = await this.client.request<CatalogueSummaryData>(
        institution,
        'CatalogueSummary',
        CATALOGUE_SUMMARY,
        { after: state.cursor },
        { identity: null, requestId: `reconcile-${institution}-${Date.now().toString(36)}` },
        { timeoutMs: this.options.timeoutMs ?? 30_000, signal: this.abort.signal, background: true },
      );
      const owner = { listings: summary.listings, busyPeriods: summary.busyPeriods, checksum: summary.checksum };
      const catalogue = summary.current ? await this.summaries.figures(institution, new Date(summary.asOf), state) : null;
      if (catalogue) {
        if (catalogue.checksum === owner.checksum) {
          this.repaired.delete(institution);
          this.logger.debug('catalogue: reconciled, no drift', { institution, ...owner });
          return { result: 'match', owner, catalogue };
        }
        return this.repair(institution, owner, catalogue, summary.position);
      }
      if (attempt >= attempts) {
        this.logger.info('catalogue: not reconciled, changes still in flight', { institution, attempts });
        return { result: 'lagging' };
      }
      // The catalogue lags the owner's summary (or moved on meanwhile): let the harvest catch up, then compare again.
      await this.catchUp(institution);
    }
  }

  private async repair(
    institution: string,
    owner: CatalogueFigures,
    catalogue: CatalogueFigures,
    position: string | null,
  ): Promise<Reconciliation> {
    const details = { institution, owner, catalogue, ownerPosition: position };
    const last = this.repaired.get(institution);
    if (last && last.owner === owner.checksum && (last.catalogue === null || last.catalogue === catalogue.checksum)) {
      // Nothing changed at the owner since the relisting, and the catalogue is as the relisting left it: the
      // difference is one a relisting cannot mend (entries the catalogue refuses: see the refused count).
      last.catalogue = catalogue.checksum;
      this.logger.warn('catalogue: drift persists after a full listing; not relisting again until something changes', details);
      return { result: 'unrepaired', owner, catalogue };
    }
    this.logger.warn('catalogue: reconciliation found drift; relisting the institution', details);
    await this.catalogue.beginResync(
      institution,
      `reconciliation: the owner lists ${owner.listings} (${owner.busyPeriods} busy periods), the catalogue ${catalogue.listings} (${catalogue.busyPeriods}), checksums differ`,
    );
    this.repaired.set(institution, { owner: owner.checksum, catalogue: null });
    this.metrics?.repairs.inc({ institution });
    this.metrics?.resyncs.inc({ institution, reason: 'reconcile' });
    return { result: 'repaired', owner, catalogue };
  }

  /** Whether this replica harvests `institution` (it holds the lease, or there are no leases). */
  private async harvestedHere(institution: string): Promise<boolean> {
    const lease = this.options.lease;
    if (!lease) return true;
    return (await lease.repository.holders()).get(institution) === lease.holder;
  }

  /**
   * Harvest steps without waiting until one finds nothing new (as `Harvester.settle`, for one institution), for
   * at most 2 s: under a steady flow of changes there is always something new, and the next comparison may
   * find the catalogue current all the same.
   */
  private async catchUp(institution: string): Promise<void> {
    const deadline = Date.now() + 2_000;
    while (Date.now() < deadline && !this.abort.signal.aborted) {
      const outcome = await this.harvester.step(institution, 0);
      if (outcome === 'idle' || outcome === 'resync') return;
      // A stale page (the background loop applied it meanwhile) or changes still held by an older transaction.
      await sleep(5, this.abort.signal);
    }
  }
}

/** 32-bit FNV-1a of a code: where in each interval its institution is reconciled. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

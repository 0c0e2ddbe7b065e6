import { DomainError, ErrorCode } from '@kyoyo/domain';
import type { Logger } from '@kyoyo/server-kit';
import type { CallContext, InstitutionClient } from '../federation/institution-client';
import type { InstitutionRegistry } from '../registry/registry';
import {
  CATALOGUE_CHANGES,
  CATALOGUE_SNAPSHOT,
  type CatalogueChangesData,
  type CatalogueSnapshotData,
} from './catalogue.documents';
import { checkEntries, type CheckedEntries } from './catalogue.entries';
import type { CatalogueMetrics } from './catalogue.metrics';
import type { CatalogueRepository } from './catalogue.repository';
import type { HarvestLeasesRepository } from './harvest-leases.repository';

export interface HarvesterOptions {
  /** How long one long poll waits at the owner for a change (ms; default 20 s). */
  waitMs?: number;
  /** Entries per page (default 500). */
  pageSize?: number;
  /** First and longest pause after a failed harvest call (ms; default 1 s and 30 s, doubling). */
  retryMs?: { first: number; max: number };
  /** How often the registry is re-read for members that joined or left (ms; default 10 s). */
  registryMs?: number;
  /**
   * With several gateway replicas: each institution is harvested by the one replica that holds its lease
   * (taken or renewed before every step). Without it this harvester takes every institution.
   */
  lease?: { repository: HarvestLeasesRepository; /** This replica, as the leases name it. */ holder: string };
  /** How long a lease runs unless renewed (ms; default the long poll's wait and 30 s, so a step never outlives it). */
  leaseTtlMs?: number;
  /** How often a replica without the lease tries to take it (ms; default 5 s). */
  leaseRetryMs?: number;
}

/** Why a long poll was abandoned when its member's service moved. */
const MOVED = 'the institution moved to a new service address';

/** What one harvest step did. */
export type StepOutcome = 'applied' | 'idle' | 'stale' | 'resync';

/**
 * Fills the national catalogue from every member's change feed: one consumer per institution, a full listing
 * on joining (and whenever the feed says to resynchronise), then pages after the stored cursor, each applied
 * in one transaction with the cursor. The owner holds an empty page open until a change commits (long poll),
 * so changes arrive within about a second; a lost wake-up costs at most one poll. An institution that fails
 * is retried with backoff; its listings stay in the catalogue, searchable, with the time they are current to.
 * Several gateway replicas share the work through leases: each institution is harvested by one of them.
 */
export class Harvester {
  private readonly loops = new Map<string, Promise<void>>();
  /** Institutions with a long poll open on a healthy feed, since when. */
  private readonly polling = new Map<string, number>();
  /** Each open long poll, to abandon it when its institution is seen down. */
  private readonly polls = new Map<string, AbortController>();
  /** Each consumer pausing after a failure, to wake it when its institution is seen up again. */
  private readonly pauses = new Map<string, AbortController>();
  private readonly abort = new AbortController();
  private registryTimer: NodeJS.Timeout | undefined;
  private readonly waitMs: number;
  private readonly pageSize: number;
  private readonly retryMs: { first: number; max: number };

  constructor(
    private readonly registry: InstitutionRegistry,
    private readonly client: InstitutionClient,
    private readonly repository: CatalogueRepository,
    private readonly metrics: CatalogueMetrics | null,
    private readonly logger: Logger,
    private readonly options: HarvesterOptions = {},
  ) {
    this.waitMs = options.waitMs ?? 20_000;
    this.pageSize = options.pageSize ?? 500;
    this.retryMs = options.retryMs ?? { first: 1_000, max: 30_000 };
  }

  /** Starts a consumer for every member, and for members that join later. */
  start(): void {
    // A long poll across a cut link would wait out its whole budget believing the feed healthy, and a consumer
    // backing off would wait out its pause after the link returned: follow the gateway's health probes.
    this.registry.onHealthChange((code, health) => {
      if (health === 'DOWN') {
        this.polling.delete(code);
        this.polls.get(code)?.abort();
      } else {
        this.pauses.get(code)?.abort();
      }
    });
    // A poll held open on a member's old address would keep it looking live (and miss what the new one commits).
    this.registry.onMove((code) => {
      this.polling.delete(code);
      this.polls.get(code)?.abort(MOVED);
      this.pauses.get(code)?.abort();
    });
    const sync = () => {
      for (const { code } of this.registry.all()) {
        if (!this.loops.has(code)) this.loops.set(code, this.run(code));
      }
    };
    sync();
    this.registryTimer = setInterval(() => {
      this.registry.refresh().then(sync, (error: unknown) => this.logger.warn('registry refresh failed', { error }));
    }, this.options.registryMs ?? 10_000);
    this.registryTimer.unref();
  }

  /** Stops every consumer (an open long poll is abandoned; its page would simply be read again). */
  async stop(): Promise<void> {
    clearInterval(this.registryTimer);
    this.abort.abort();
    await Promise.allSettled(this.loops.values());
    await this.analyzing;
  }

  private analyzing: Promise<void> | null = null;
  private analyzeAgain = false;

  /**
   * After a full listing: the catalogue made ready for search (its text indexes' pending lists merged, fresh
   * planner statistics), in the background, one pass at a time; listings completed while one runs are
   * covered by one more after it (forty members joining at once cost two or three, not forty).
   */
  private refreshStatistics(): void {
    if (this.analyzing) {
      this.analyzeAgain = true;
      return;
    }
    this.analyzing = (async () => {
      do {
        this.analyzeAgain = false;
        await this.repository.refreshForSearch();
      } while (this.analyzeAgain && !this.abort.signal.aborted);
    })()
      .catch((error: unknown) =>
        this.logger.warn('catalogue: refreshing indexes and statistics after a full listing failed', { error }),
      )
      .finally(() => {
        this.analyzing = null;
      });
  }

  /** Seconds each member's part of the catalogue may be behind its owner (0 while a long poll is open). */
  lagSeconds(states: readonly { institution: string; currentTo: Date | null }[], now = Date.now()): Map<string, number> {
    const lag = new Map<string, number>();
    for (const { institution, currentTo } of states) {
      if (this.isLive(institution)) lag.set(institution, 0);
      else if (currentTo) lag.set(institution, Math.max(0, (now - currentTo.getTime()) / 1000));
    }
    return lag;
  }

  /**
   * Up to when `institution`'s part is known current: now while a long poll is open on it and the institution
   * answers the gateway's probes (a change would arrive at once), else the stored time of its last harvest.
   */
  currentTo(institution: string, stored: Date | null, now = new Date()): Date | null {
    return this.isLive(institution) ? now : stored;
  }

  private isLive(institution: string): boolean {
    return this.polling.has(institution) && this.registry.health(institution) === 'UP';
  }

  /**
   * Returns once the catalogue holds everything each reachable member had committed when this was called: per
   * member, harvest steps without waiting until one finds nothing new. Members that cannot be reached are
   * skipped (their part stays as it is). For tests and tools that must read their own writes. Calls made
   * while one runs share the next run (which starts after it), so a burst costs two runs, not one each.
   */
  settle(timeoutMs = 15_000): Promise<void> {
    if (this.nextSettle) return this.nextSettle;
    if (!this.settling) return this.startSettle(timeoutMs);
    this.nextSettle = this.settling
      .catch(() => undefined)
      .then(() => {
        this.nextSettle = null;
        return this.startSettle(timeoutMs);
      });
    return this.nextSettle;
  }

  private settling: Promise<void> | null = null;
  private nextSettle: Promise<void> | null = null;

  private startSettle(timeoutMs: number): Promise<void> {
    const run = this.settleNow(timeoutMs).finally(() => {
      if (this.settling === run) this.settling = null;
    });
    this.settling = run;
    return run;
  }

  private async settleNow(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    await Promise.all(
      this.registry.all().map(async ({ code }) => {
        for (;;) {
          if (Date.now() > deadline) throw new Error(`catalogue: ${code} did not catch up within ${timeoutMs} ms`);
          let outcome: StepOutcome;
          try {
            outcome = await this.step(code, 0);
          } catch (error) {
            if (error instanceof DomainError && error.code === ErrorCode.INSTITUTION_UNAVAILABLE) return;
            throw error;
          }
          if (outcome === 'idle') return;
          // A stale page (applied by the background loop meanwhile) or changes still held by an older transaction.
          await sleep(5, this.abort.signal);
        }
      }),
    );
  }

  private async run(code: string): Promise<void> {
    let pause = 0;
    let holding = false;
    while (!this.abort.signal.aborted && this.registry.get(code)) {
      const held = await this.holdLease(code);
      if (held !== holding) {
        this.logger.info(held ? 'catalogue: harvesting (lease taken)' : 'catalogue: another replica harvests', {
          institution: code,
        });
        holding = held;
      }
      if (!held) {
        this.polling.delete(code);
        await sleep(this.options.leaseRetryMs ?? 5_000, this.abort.signal);
        continue;
      }
      try {
        await this.step(code);
        pause = 0;
      } catch (error) {
        this.polling.delete(code);
        if (this.abort.signal.aborted) break;
        pause = Math.min(this.retryMs.max, pause === 0 ? this.retryMs.first : pause * 2);
        const message = (error as Error).message;
        this.logger.warn('harvest failed; the catalogue keeps what it has', {
          institution: code,
          error: message,
          retryInMs: pause,
        });
        await this.repository.recordError(code, message).catch(() => undefined);
        const wake = new AbortController();
        this.pauses.set(code, wake);
        await sleep(pause, AbortSignal.any([this.abort.signal, wake.signal]));
        this.pauses.delete(code);
      }
    }
    this.polling.delete(code);
    this.loops.delete(code);
    if (holding) await this.options.lease?.repository.release(code, this.options.lease.holder).catch(() => undefined);
  }

  /** Whether this replica may harvest `institution` now: it holds (or just took) the lease, or there are no leases. */
  private async holdLease(code: string): Promise<boolean> {
    const lease = this.options.lease;
    if (!lease) return true;
    try {
      return await lease.repository.hold(code, lease.holder, this.options.leaseTtlMs ?? this.waitMs + 30_000);
    } catch (error) {
      // The gateway's own database is unreachable: no step could apply anything either.
      this.logger.warn('catalogue: harvest lease unavailable', { institution: code, error: (error as Error).message });
      return false;
    }
  }

  /**
   * One harvest step for `institution`: a page of its full listing while one is under way, else a page of its
   * change feed (held open by the owner until a change commits, unless `waitMs` is 0).
   */
  async step(institution: string, wait = this.waitMs): Promise<StepOutcome> {
    // An institution seen down gets a plain read within the usual budget: a long poll would only prove, after
    // its whole wait, what the health probe already says (and hold a connection across the cut link).
    const waitMs = this.registry.health(institution) === 'UP' ? wait : 0;
    const state = await this.repository.state(institution);
    const call: CallContext = { identity: null, requestId: `harvest-${institution}-${Date.now().toString(36)}` };
    if (state.snapshotNext !== null) {
      const data = await this.client.request<CatalogueSnapshotData>(
        institution,
        'CatalogueSnapshot',
        CATALOGUE_SNAPSHOT,
        { after: state.snapshotNext === '0' ? null : state.snapshotNext, first: this.pageSize },
        call,
        { signal: this.abort.signal, background: true },
      );
      const page = data.catalogueSnapshot;
      const entries = this.checked(institution, checkEntries(page));
      const applied = await this.repository.applySnapshot(institution, state, entries, {
        next: page.next,
        cursor: page.cursor,
        asOf: new Date(page.asOf),
      });
      if (applied) this.metrics?.applied.inc({ institution }, entries.listings.length + entries.busyPeriods.length);
      if (applied && page.next === null) {
        // The first full listing is counted once it is complete (only one consumer's last page applies).
        if (state.cursor === null) this.metrics?.resyncs.inc({ institution, reason: 'first' });
        this.logger.info('catalogue: full listing applied', { institution });
        this.refreshStatistics();
      }
      return applied ? 'applied' : 'stale';
    }
    let data: CatalogueChangesData;
    const poll = new AbortController();
    try {
      if (waitMs > 0) {
        this.polling.set(institution, Date.now());
        this.polls.set(institution, poll);
      }
      data = await this.client.request<CatalogueChangesData>(
        institution,
        'CatalogueChanges',
        CATALOGUE_CHANGES,
        { after: state.cursor, first: this.pageSize, waitMs },
        call,
        // A long poll may take its whole wait; a plain read has the usual budget.
        {
          ...(waitMs > 0 ? { timeoutMs: waitMs + 10_000 } : {}),
          signal: AbortSignal.any([this.abort.signal, poll.signal]),
          background: true,
        },
      );
    } catch (error) {
      // Abandoned because the member moved: the next step reads its feed at the new address.
      if (poll.signal.aborted && poll.signal.reason === MOVED) {
        this.polling.delete(institution);
        return 'stale';
      }
      if (error instanceof DomainError && error.code === ErrorCode.RESYNC_REQUIRED) {
        this.polling.delete(institution);
        this.logger.warn('catalogue: the feed asks for a full listing', { institution, reason: error.message });
        this.metrics?.resyncs.inc({ institution, reason: 'feed' });
        await this.repository.beginResync(institution, error.message);
        return 'resync';
      }
      throw error;
    } finally {
      if (this.polls.get(institution) === poll) this.polls.delete(institution);
    }
    const page = data.catalogueChanges;
    const entries = this.checked(institution, checkEntries(page));
    const applied = await this.repository.applyChanges(institution, state, entries, {
      cursor: page.cursor,
      currentTo: page.hasMore ? null : new Date(page.asOf),
    });
    const count =
      entries.listings.length + entries.removedListings.length + entries.busyPeriods.length + entries.removedBusyPeriods.length;
    if (applied && count > 0) this.metrics?.applied.inc({ institution }, count);
    if (!applied) return 'stale';
    return count > 0 || page.hasMore ? 'applied' : 'idle';
  }

  /** Reports what a page's check refused; the rest applies. */
  private checked(institution: string, entries: CheckedEntries): CheckedEntries {
    if (entries.refused.length > 0) {
      this.metrics?.refused.inc({ institution }, entries.refused.length);
      this.logger.warn('catalogue: feed entries refused', { institution, refused: entries.refused.slice(0, 20) });
    }
    return entries;
  }
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

import type { CatalogueRepository } from './catalogue.repository';
import type { Harvester } from './harvester';

/** Default age beyond which an institution's part of the catalogue is reported as stale: 60 s. */
export const DEFAULT_STALE_AFTER_MS = 60_000;

/** How current one institution's part of the catalogue is. */
export interface Freshness {
  /** Everything the owner committed before this time is in the catalogue; null before its first full listing. */
  currentTo: Date | null;
  /** Older than the threshold: results are listed with their "as of" time. */
  stale: boolean;
}

/**
 * How current each institution's part of the catalogue is: the stored time of its last complete harvest,
 * or now while this gateway holds a long poll open on its feed (a change there would arrive at once).
 */
export class CatalogueFreshness {
  constructor(
    private readonly repository: CatalogueRepository,
    private readonly harvester: Harvester | null,
    readonly staleAfterMs = DEFAULT_STALE_AFTER_MS,
  ) {}

  async all(now = new Date()): Promise<Map<string, Freshness>> {
    const states = await this.repository.states();
    return new Map(
      states.map((s) => {
        const currentTo = this.harvester ? this.harvester.currentTo(s.institution, s.currentTo, now) : s.currentTo;
        return [s.institution, { currentTo, stale: !currentTo || now.getTime() - currentTo.getTime() > this.staleAfterMs }];
      }),
    );
  }
}

import type { SharingTotals, Yen } from '@kyoyo/domain';
import type { Instrument } from '../instruments/instruments.types';

/** This institution's part of a sharing report of one fiscal year (see `reports.graphql`). */
export interface SharingStats extends SharingTotals {
  fiscalYear: number;
  /** The period covered: the fiscal year, up to now when it is the current one. */
  from: Date;
  to: Date;
  threshold: Yen;
  /** Covered instruments not shared externally, by acquisition price (highest first), then id. */
  notShared: Instrument[];
}

/** What the report needs of a covered instrument besides its sharing setting: when it existed. */
export interface CoveredInstrument {
  id: number;
  sharedExternally: boolean;
  acquiredOn: string | null;
  decommissionedAt: Date | null;
}

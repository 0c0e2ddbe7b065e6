import type { FeeRate } from '@kyoyo/domain';
import type { Instrument } from '../instruments/instruments.types';

/** A listing as stored, with its fee schedule; decommissioned ones too. */
export interface StoredListing {
  instrument: Instrument;
  fees: FeeRate[];
  decommissionedAt: Date | null;
}

/** What changed, field by field: the value before and after, as JSON values (null for none). */
export type ChangeSet = Record<string, { from: unknown; to: unknown }>;

export type ListingChangeAction =
  'CREATED' | 'UPDATED' | 'DECOMMISSIONED' | 'RECOMMISSIONED' | 'OPEN_HOURS' | 'BLACKOUT_ADDED' | 'BLACKOUT_REMOVED';

/** One recorded change to a listing. */
export interface ListingChange {
  id: number;
  instrumentId: number;
  changedAt: Date;
  changedBy: string;
  action: ListingChangeAction;
  via: string;
  changes: ChangeSet;
}

/** A problem with one row of an import (row 0 is the header). */
export interface ImportRowError {
  row: number;
  line: number;
  column: string | null;
  message: string;
}

/** What an import did, or would do in a dry run. */
export interface ImportReport {
  dryRun: boolean;
  created: number;
  updated: number;
  unchanged: number;
  errors: ImportRowError[];
}

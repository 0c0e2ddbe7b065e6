/**
 * What every import format produces: listing input in the shape of the equipment service's `InstrumentInput`
 * (`@kyoyo/equipment-service`), which its `toListing` checks and stores. This package does not depend on the
 * service, so that the service (CSV import, issue #7) can depend on it; the e2e tests pass these inputs
 * through `toListing`, which keeps the two shapes in step.
 */
export interface ListingInput {
  localId: string;
  name: string;
  nameEn: string | null;
  category: string;
  manufacturer: string | null;
  model: string | null;
  description: string | null;
  building: string | null;
  /** Whole yen; undefined when the source does not say. */
  acquisitionPrice?: number | null;
  /** YYYY-MM-DD; undefined when the source does not say. */
  acquiredOn?: string | null;
  /** Undefined when the source does not say. */
  location?: { latitude: number; longitude: number } | null;
  sharedExternally: boolean;
  remoteOperable: boolean;
  requiresApproval: boolean;
  requiresQualification: boolean;
}

/** Why one row of a source could not become a listing. Rows are never dropped without one. */
export interface RowError {
  /** 1-based line of the source file. */
  line: number;
  /** The source field at fault, or null when the row as a whole is unreadable (e.g. not JSON). */
  column: string | null;
  message: string;
}

/**
 * The equipment service's length limits (`toListing` in `services/equipment/src/instruments/instruments.service.ts`).
 * Importers check them so that an over-long field becomes a row error or a documented fallback here rather
 * than a failed bulk load there.
 */
export const LISTING_LIMITS = {
  localId: 100,
  name: 500,
  category: 200,
  description: 10_000,
  building: 300,
} as const;

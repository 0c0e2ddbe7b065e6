import type { SharingRates, Yen } from '@kyoyo/domain';
import type { FederatedInstrument } from '../instruments/instruments.types';
import type { RegisteredInstitution } from '../registry/registry.types';

/** A sharing report as the public schema's `SharingReport` reads it. */
export interface SharingReport extends SharingRates {
  /** Null for the national report. */
  institution: RegisteredInstitution | null;
  fiscalYear: number;
  threshold: Yen;
  instrumentsAtOrAboveThreshold: number;
  sharedAtOrAboveThreshold: number;
  /** By acquisition price (highest first), then institution code, then local id. */
  notShared: FederatedInstrument[];
  /** Members that did not answer, by code; the figures leave them out. */
  unavailableInstitutions: RegisteredInstitution[];
  /** Members counted as of their catalogue's time, older than the freshness threshold, by code. */
  staleInstitutions: RegisteredInstitution[];
}

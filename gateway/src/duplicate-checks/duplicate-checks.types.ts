import type { DuplicateVerdict, PurchaseProposal, Yen } from '@kyoyo/domain';
import type { FederatedInstrument } from '../instruments/instruments.types';

/** One candidate as the digest covers it: the instrument by global id, name and institution, and the evidence. */
export interface CanonicalCandidate {
  instrument: { id: string; institution: string; name: string };
  score: number;
  reasons: string[];
  distanceKm: number | null;
  utilization: number;
  spareHoursPerYear: number;
  usableByRequester: boolean;
}

/** Everything a check record's digest is taken over (`canonicalJson` of this, then SHA-256). */
export interface CanonicalCheck {
  id: string;
  checkedAt: string;
  checkedBy: string;
  threshold: Yen;
  proposal: PurchaseProposal;
  verdict: DuplicateVerdict;
  candidates: CanonicalCandidate[];
  /** Members the catalogue held nothing of: the check did not cover them. */
  unavailableInstitutions: string[];
  /**
   * Members whose part of the catalogue was older than the freshness threshold, with the time it was current
   * to: covered as of then. Absent from records made before checks read the catalogue.
   */
  staleInstitutions?: { institution: string; currentTo: string }[];
}

/** A check as the API shows it: the canonical record, each candidate's listing as it was, and its digest. */
export interface DuplicateCheckView extends CanonicalCheck {
  batchId: string | null;
  digest: string;
  canonical: string;
  /** The stored text still hashes to the stored digest. */
  intact: boolean;
  /** Candidates in canonical order with their listings (null when a listing was not kept). */
  listings: (FederatedInstrument | null)[];
}

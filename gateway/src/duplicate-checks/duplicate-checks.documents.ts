/** The operation the gateway sends to equipment services for duplicate checks, and the shape it answers with. */
import { INSTRUMENT_FIELDS, type ServiceInstrument } from '../instruments/instruments.documents';

export const EQUIVALENT_INSTRUMENTS = `query EquivalentInstruments($probes: [EquivalenceProbe!]!, $limit: Int!) {
  equivalentInstruments(probes: $probes, limit: $limit) {
    score reasons utilization spareHoursPerYear instrument { ${INSTRUMENT_FIELDS} }
  } }`;

/** One equivalent an institution found, with the institution's local ids. */
export interface ServiceEquivalent {
  score: number;
  reasons: string[];
  utilization: number;
  spareHoursPerYear: number;
  instrument: ServiceInstrument;
}

export interface EquivalentInstrumentsData {
  equivalentInstruments: ServiceEquivalent[][];
}

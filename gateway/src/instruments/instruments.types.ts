import type { ServiceInstrument } from './instruments.documents';

/** An instrument at the gateway: the service's answer plus the institution it came from. */
export interface FederatedInstrument extends ServiceInstrument {
  institutionCode: string;
}

/** Key of one instrument anywhere in the federation. */
export interface InstrumentKey {
  institution: string;
  localId: string;
}

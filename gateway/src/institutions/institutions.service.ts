import DataLoader from 'dataloader';
import type { CallContext, InstitutionClient } from '../federation/institution-client';
import { INSTITUTION_SUMMARY, type InstitutionSummaryData } from '../instruments/instruments.documents';
import type { InstitutionRegistry } from '../registry/registry';
import type { Health, RegisteredInstitution } from '../registry/registry.types';

/**
 * Per request: instrument counts by institution code, one call per institution. An institution that does
 * not answer gives its last known count (its health then reads DOWN).
 */
export function createInstrumentCountLoader(registry: InstitutionRegistry, client: InstitutionClient, call: CallContext) {
  return new DataLoader<string, number>(async (codes) =>
    Promise.all(
      codes.map(async (code) => {
        try {
          const data = await client.request<InstitutionSummaryData>(code, 'InstitutionSummary', INSTITUTION_SUMMARY, {}, call);
          registry.markUp(code, data.institution.instrumentCount);
          return data.institution.instrumentCount;
        } catch {
          return registry.lastInstrumentCount(code);
        }
      }),
    ),
  );
}

/** The institution use cases of one request. */
export class InstitutionsService {
  constructor(
    private readonly registry: InstitutionRegistry,
    private readonly countLoader: DataLoader<string, number>,
  ) {}

  /** Every member, asking each for its count first so that health is what the gateway sees now. */
  async all(): Promise<RegisteredInstitution[]> {
    const members = this.registry.all();
    await this.countLoader.loadMany(members.map((m) => m.code));
    return members;
  }

  get(code: string): RegisteredInstitution | undefined {
    return this.registry.get(code);
  }

  health(code: string): Health {
    return this.registry.health(code);
  }

  instrumentCount(code: string): Promise<number> {
    return this.countLoader.load(code);
  }
}

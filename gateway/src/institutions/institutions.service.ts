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
    Promise.all(codes.map((code) => refreshInstrumentCount(registry, client, code, call))),
  );
}

/**
 * Asks one institution for its instrument count and records it with its health; when it does not answer,
 * the last known count (the client has already marked it DOWN and logged why). Used per request and by
 * the gateway's background probe.
 */
export async function refreshInstrumentCount(
  registry: InstitutionRegistry,
  client: InstitutionClient,
  code: string,
  call: CallContext,
): Promise<number> {
  try {
    const data = await client.request<InstitutionSummaryData>(code, 'InstitutionSummary', INSTITUTION_SUMMARY, {}, call);
    registry.markUp(code, data.institution.instrumentCount);
    return data.institution.instrumentCount;
  } catch {
    return registry.lastInstrumentCount(code);
  }
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

  /** The member, or (for a record naming an institution that has since left) what the record knows of it: its code. */
  getOrFormer(code: string): RegisteredInstitution {
    return this.registry.get(code) ?? { code, name: code, nameEn: null, prefecture: '', location: null, serviceUrl: '' };
  }

  health(code: string): Health {
    return this.registry.health(code);
  }

  instrumentCount(code: string): Promise<number> {
    return this.countLoader.load(code);
  }
}

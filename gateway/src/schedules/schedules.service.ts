import { requireInstitutionManager, type Identity } from '@kyoyo/auth';
import type { OpenHoursRule } from '@kyoyo/domain';
import type { CallContext, InstitutionClient } from '../federation/institution-client';
import { createWindowLoader } from '../instruments/instruments.loaders';
import type { InstitutionRegistry } from '../registry/registry';
import {
  ADD_BLACKOUT,
  BLACKOUTS_BY_IDS,
  REMOVE_BLACKOUT,
  SET_OPEN_HOURS,
  type AddBlackoutData,
  type BlackoutsByIdsData,
  type RemoveBlackoutData,
  type ServiceBlackout,
  type SetOpenHoursData,
} from './schedules.documents';

/** A blackout at the gateway, with the institution of its instrument. */
export interface FederatedBlackout extends ServiceBlackout {
  institutionCode: string;
}

/** Per request: blackouts by (instrument, window), one call per institution and window. */
export function createBlackoutsLoader(client: InstitutionClient, call: CallContext) {
  return createWindowLoader<BlackoutsByIdsData, ServiceBlackout[]>(client, call, 'BlackoutsByIds', BLACKOUTS_BY_IDS, (data) =>
    data.instruments.map((i) => i && { id: i.id, value: i.blackouts }),
  );
}

/** Open hours and closures, changed by the owning facility office. */
export class SchedulesService {
  constructor(
    private readonly registry: InstitutionRegistry,
    private readonly client: InstitutionClient,
    private readonly call: CallContext,
  ) {}

  private route(id: string, kind: 'Instrument' | 'Blackout', field: string, identity: Identity | null) {
    const located = this.registry.locate(id, kind, field);
    requireInstitutionManager(identity, located.institution);
    return located;
  }

  async setOpenHours(instrumentId: string, hours: OpenHoursRule[], identity: Identity | null): Promise<OpenHoursRule[]> {
    const { institution, localId } = this.route(instrumentId, 'Instrument', 'instrumentId', identity);
    const data = await this.client.request<SetOpenHoursData>(
      institution,
      'SetOpenHours',
      SET_OPEN_HOURS,
      { instrumentId: localId, hours },
      this.call,
    );
    return data.setOpenHours;
  }

  async addBlackout(
    input: { instrumentId: string; start: Date; end: Date; reason?: string | null },
    identity: Identity | null,
  ): Promise<FederatedBlackout> {
    const { institution, localId } = this.route(input.instrumentId, 'Instrument', 'instrumentId', identity);
    const data = await this.client.request<AddBlackoutData>(
      institution,
      'AddBlackout',
      ADD_BLACKOUT,
      { instrumentId: localId, start: input.start, end: input.end, reason: input.reason ?? null },
      this.call,
    );
    return { ...data.addBlackout, institutionCode: institution };
  }

  async removeBlackout(id: string, identity: Identity | null): Promise<boolean> {
    const { institution, localId } = this.route(id, 'Blackout', 'id', identity);
    const data = await this.client.request<RemoveBlackoutData>(
      institution,
      'RemoveBlackout',
      REMOVE_BLACKOUT,
      { id: localId },
      this.call,
    );
    return data.removeBlackout;
  }
}

import DataLoader from 'dataloader';
import type { CallContext, InstitutionClient } from '../federation/institution-client';
import {
  AVAILABILITY_BY_IDS,
  INSTRUMENTS_BY_IDS,
  UTILIZATION_BY_IDS,
  type AvailabilityByIdsData,
  type InstrumentsByIdsData,
  type UtilizationByIdsData,
} from './instruments.documents';
import type { FederatedInstrument, InstrumentKey } from './instruments.types';

const keyOf = (k: InstrumentKey) => `${k.institution}\u0000${k.localId}`;

/** Groups keys by institution, keeping each key's position. */
function byInstitution<K extends InstrumentKey>(keys: readonly K[]): Map<string, { key: K; index: number }[]> {
  const groups = new Map<string, { key: K; index: number }[]>();
  keys.forEach((key, index) => {
    const group = groups.get(key.institution) ?? [];
    group.push({ key, index });
    groups.set(key.institution, group);
  });
  return groups;
}

/**
 * Per request: instruments by (institution, local id). One call per institution per batch; a failed
 * institution fails only its own keys.
 */
export function createInstrumentLoader(client: InstitutionClient, call: CallContext) {
  return new DataLoader<InstrumentKey, FederatedInstrument | null, string>(
    async (keys) => {
      const results: (FederatedInstrument | null | Error)[] = new Array(keys.length).fill(null);
      await Promise.all(
        [...byInstitution(keys)].map(async ([institution, group]) => {
          try {
            const data = await client.request<InstrumentsByIdsData>(
              institution,
              'InstrumentsByIds',
              INSTRUMENTS_BY_IDS,
              { ids: group.map((g) => g.key.localId) },
              call,
            );
            group.forEach((g, i) => {
              const found = data.instruments[i];
              results[g.index] = found ? { ...found, institutionCode: institution } : null;
            });
          } catch (error) {
            for (const g of group) results[g.index] = error as Error;
          }
        }),
      );
      return results;
    },
    { cacheKeyFn: keyOf },
  );
}

/** A per-instrument question about one window. */
export interface WindowKey extends InstrumentKey {
  from: Date;
  to: Date;
}

const windowKeyOf = (k: WindowKey) => `${keyOf(k)}\u0000${k.from.toISOString()}\u0000${k.to.toISOString()}`;

/**
 * A loader that asks each institution one query per distinct window for all its instruments in the batch
 * (a page of results shares one window, so a page costs one call per institution).
 */
export function createWindowLoader<TData, TValue>(
  client: InstitutionClient,
  call: CallContext,
  operationName: string,
  document: string,
  pick: (data: TData) => ({ id: string; value: TValue } | null)[],
) {
  return new DataLoader<WindowKey, TValue, string>(
    async (keys) => {
      const results: (TValue | Error)[] = new Array(keys.length);
      const groups = new Map<string, { key: WindowKey; index: number }[]>();
      keys.forEach((key, index) => {
        const group = `${key.institution}\u0000${key.from.toISOString()}\u0000${key.to.toISOString()}`;
        groups.set(group, [...(groups.get(group) ?? []), { key, index }]);
      });
      await Promise.all(
        [...groups.values()].map(async (group) => {
          const { institution, from, to } = group[0]!.key;
          try {
            const data = await client.request<TData>(
              institution,
              operationName,
              document,
              { ids: group.map((g) => g.key.localId), from: from.toISOString(), to: to.toISOString() },
              call,
            );
            const answers = pick(data);
            group.forEach((g, i) => {
              const answer = answers[i];
              results[g.index] = answer ? answer.value : new Error(`instrument ${g.key.localId} vanished at ${institution}`);
            });
          } catch (error) {
            for (const g of group) results[g.index] = error as Error;
          }
        }),
      );
      return results;
    },
    { cacheKeyFn: windowKeyOf },
  );
}

export function createAvailabilityLoader(client: InstitutionClient, call: CallContext) {
  return createWindowLoader<AvailabilityByIdsData, { start: Date; end: Date }[]>(
    client,
    call,
    'AvailabilityByIds',
    AVAILABILITY_BY_IDS,
    (data) =>
      data.instruments.map(
        (i) => i && { id: i.id, value: i.availability.map((s) => ({ start: new Date(s.start), end: new Date(s.end) })) },
      ),
  );
}

export function createUtilizationLoader(client: InstitutionClient, call: CallContext) {
  return createWindowLoader<UtilizationByIdsData, number>(client, call, 'UtilizationByIds', UTILIZATION_BY_IDS, (data) =>
    data.instruments.map((i) => i && { id: i.id, value: i.utilization }),
  );
}

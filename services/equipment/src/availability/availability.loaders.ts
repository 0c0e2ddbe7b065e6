import DataLoader from 'dataloader';
import type { OpenHoursRule, TimeRange } from '@kyoyo/domain';
import type { Period } from '@kyoyo/db';
import type { AvailabilityRepository } from './availability.repository';
import type { Blackout } from './availability.types';

/** A busy-period lookup: one instrument in one window. */
export interface BusyKey {
  instrumentId: number;
  window: TimeRange;
}

/** Per request: weekly open hours by instrument id, one query per batch. */
export function createOpenHoursLoader(repository: AvailabilityRepository): DataLoader<number, OpenHoursRule[]> {
  return new DataLoader(async (ids) => {
    const hours = await repository.openHoursOf(ids);
    return ids.map((id) => hours.get(id) ?? []);
  });
}

const windowKey = (w: TimeRange) => `${w.start.toISOString()}/${w.end.toISOString()}`;

/**
 * Per request: busy periods by (instrument, window). A page of results asks the same window for many
 * instruments, so keys are grouped by window and each window costs one query.
 */
export function createBusyPeriodsLoader(repository: AvailabilityRepository): DataLoader<BusyKey, Period[], string> {
  return createPeriodsLoader((ids, window) => repository.busyPeriodsOf(ids, window));
}

/** Per request: booked (used) periods by (instrument, window), grouped by window like the busy loader. */
export function createBookedPeriodsLoader(repository: AvailabilityRepository): DataLoader<BusyKey, Period[], string> {
  return createPeriodsLoader((ids, window) => repository.bookedPeriodsOf(ids, window));
}

/** Per request: closures by (instrument, window), grouped by window like the busy loader. */
export function createBlackoutsLoader(repository: AvailabilityRepository): DataLoader<BusyKey, Blackout[], string> {
  return createPeriodsLoader((ids, window) => repository.blackoutsOf(ids, window));
}

function createPeriodsLoader<T>(
  fetch: (ids: number[], window: TimeRange) => Promise<Map<number, T[]>>,
): DataLoader<BusyKey, T[], string> {
  return new DataLoader(
    async (keys) => {
      const byWindow = new Map<string, { window: TimeRange; ids: number[] }>();
      for (const { instrumentId, window } of keys) {
        const entry = byWindow.get(windowKey(window)) ?? { window, ids: [] };
        entry.ids.push(instrumentId);
        byWindow.set(windowKey(window), entry);
      }
      const results = new Map<string, Map<number, T[]>>();
      await Promise.all([...byWindow].map(async ([key, { window, ids }]) => results.set(key, await fetch(ids, window))));
      return keys.map((k) => results.get(windowKey(k.window))?.get(k.instrumentId) ?? []);
    },
    { cacheKeyFn: (k) => `${k.instrumentId}@${windowKey(k.window)}` },
  );
}

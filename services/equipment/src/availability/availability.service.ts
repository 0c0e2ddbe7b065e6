import type DataLoader from 'dataloader';
import { errors, freeSlots, type OpenHoursRule, type TimeRange } from '@kyoyo/domain';
import type { Period } from '@kyoyo/db';
import type { BusyKey } from './availability.loaders';

/** Longest window one availability question may span. */
export const MAX_AVAILABILITY_DAYS = 92;

/** Checks an availability window: a real range of at most `MAX_AVAILABILITY_DAYS`. */
export function toWindow(from: Date, to: Date, minMinutes: number): TimeRange {
  if (to.getTime() <= from.getTime()) throw errors.badInput('to', '`to` must be after `from`');
  if (to.getTime() - from.getTime() > MAX_AVAILABILITY_DAYS * 86_400_000) {
    throw errors.limitExceeded(`An availability window spans at most ${MAX_AVAILABILITY_DAYS} days`, 'to');
  }
  if (!Number.isInteger(minMinutes) || minMinutes < 0 || minMinutes > 10080) {
    throw errors.badInput('minMinutes', 'minMinutes must be from 0 to 10080');
  }
  return { start: from, end: to };
}

/** Availability use cases of one request. */
export class AvailabilityService {
  constructor(
    private readonly openHoursLoader: DataLoader<number, OpenHoursRule[]>,
    private readonly busyLoader: DataLoader<BusyKey, Period[], string>,
    /** The request's own clock reading, so every instrument of a page shares one window (one query). */
    private readonly now: Date,
  ) {}

  openHours(instrumentId: number): Promise<OpenHoursRule[]> {
    return this.openHoursLoader.load(instrumentId);
  }

  /**
   * Free stretches of at least `minMinutes` in [from, to): inside open hours, not blacked out, not held by
   * an active booking, and not in the past (nothing past can be booked).
   */
  async freeSlots(instrumentId: number, from: Date, to: Date, minMinutes = 0): Promise<TimeRange[]> {
    const requested = toWindow(from, to, minMinutes);
    const now = this.now;
    const window = { start: requested.start < now ? now : requested.start, end: requested.end };
    if (window.end <= window.start) return [];
    const [hours, busy] = await Promise.all([this.openHoursLoader.load(instrumentId), this.busyLoader.load({ instrumentId, window })]);
    return freeSlots(hours, window, busy, minMinutes);
  }
}

import type DataLoader from 'dataloader';
import {
  bookableFrom,
  durationMinutes,
  errors,
  freeSlots,
  openRanges,
  subtractRanges,
  type OpenHoursRule,
  type TimeRange,
} from '@kyoyo/domain';
import type { Period } from '@kyoyo/db';
import type { BusyKey } from './availability.loaders';

/** Longest window one availability question may span. */
export const MAX_AVAILABILITY_DAYS = 92;
/** Longest window a utilisation question may span (a fiscal year and some). */
export const MAX_UTILIZATION_DAYS = 400;

/** Checks an availability window: a real range of at most `MAX_AVAILABILITY_DAYS`. */
export function toWindow(from: Date, to: Date, minMinutes: number, maxDays = MAX_AVAILABILITY_DAYS): TimeRange {
  if (to.getTime() <= from.getTime()) throw errors.badInput('to', '`to` must be after `from`');
  if (to.getTime() - from.getTime() > maxDays * 86_400_000) {
    throw errors.limitExceeded(`This window spans at most ${maxDays} days`, 'to');
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
    private readonly bookedLoader: DataLoader<BusyKey, Period[], string>,
    /** The request's own clock reading, so every instrument of a page shares one window (one query). */
    private readonly now: Date,
  ) {}

  openHours(instrumentId: number): Promise<OpenHoursRule[]> {
    return this.openHoursLoader.load(instrumentId);
  }

  /**
   * Free stretches of at least `minMinutes` in [from, to): inside open hours, not blacked out, not held by
   * an active booking, and not in the past (nothing past can be booked; free time starts at the next
   * quarter hour).
   */
  async freeSlots(instrumentId: number, from: Date, to: Date, minMinutes = 0): Promise<TimeRange[]> {
    const requested = toWindow(from, to, minMinutes);
    const now = bookableFrom(this.now);
    const window = { start: requested.start < now ? now : requested.start, end: requested.end };
    if (window.end <= window.start) return [];
    const [hours, busy] = await Promise.all([
      this.openHoursLoader.load(instrumentId),
      this.busyLoader.load({ instrumentId, window }),
    ]);
    return freeSlots(hours, window, busy, minMinutes);
  }

  /**
   * For each instrument, the start of its earliest free stretch of at least `minMinutes` inside `window`
   * (the caller clips the window to the present); absent when it has none. One query per kind of data.
   */
  async earliestFreeStarts(instrumentIds: readonly number[], window: TimeRange, minMinutes: number): Promise<Map<number, Date>> {
    const starts = new Map<number, Date>();
    if (instrumentIds.length === 0 || window.end <= window.start) return starts;
    const [hours, busy] = await Promise.all([
      this.openHoursLoader.loadMany(instrumentIds),
      this.busyLoader.loadMany(instrumentIds.map((instrumentId) => ({ instrumentId, window }))),
    ]);
    instrumentIds.forEach((id, i) => {
      const rules = hours[i];
      const periods = busy[i];
      if (rules instanceof Error) throw rules;
      if (periods instanceof Error) throw periods;
      const [first] = freeSlots(rules ?? [], window, periods ?? [], minMinutes);
      if (first) starts.set(id, first.start);
    });
    return starts;
  }

  /** Booked hours / open hours in [from, to), in [0, 1]; 0 when the instrument is never open then. */
  async utilization(instrumentId: number, from: Date, to: Date): Promise<number> {
    const window = toWindow(from, to, 0, MAX_UTILIZATION_DAYS);
    const [hours, booked] = await Promise.all([
      this.openHoursLoader.load(instrumentId),
      this.bookedLoader.load({ instrumentId, window }),
    ]);
    const open = openRanges(hours, window);
    const openMinutes = open.reduce((sum, r) => sum + durationMinutes(r), 0);
    if (openMinutes === 0) return 0;
    const freeMinutes = subtractRanges(open, booked).reduce((sum, r) => sum + durationMinutes(r), 0);
    return (openMinutes - freeMinutes) / openMinutes;
  }
}

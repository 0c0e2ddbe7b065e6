import type DataLoader from 'dataloader';
import { requireInstitutionManager, type Identity } from '@kyoyo/auth';
import {
  bookableFrom,
  checkPeriodOrder,
  errors,
  freeSlots,
  openAndHeldMinutes,
  optionalNote,
  validateOpenHours,
  type OpenHoursRule,
  type TimeRange,
} from '@kyoyo/domain';
import type { Period } from '@kyoyo/db';
import { localIdOf } from '../common/ids';
import type { BusyKey } from './availability.loaders';
import type { AvailabilityRepository } from './availability.repository';
import type { Blackout } from './availability.types';

/** Most weekly rules one instrument may have (several a day, e.g. around a lunch break). */
export const MAX_OPEN_HOURS_RULES = 100;

/** Longest window one availability question may span. */
export const MAX_AVAILABILITY_DAYS = 92;
/** Longest window a utilisation question may span (a fiscal year and some). */
export const MAX_UTILIZATION_DAYS = 400;

/** Checks an availability window: a real range of at most `MAX_AVAILABILITY_DAYS`. */
export function toWindow(from: Date, to: Date, minMinutes: number, maxDays = MAX_AVAILABILITY_DAYS): TimeRange {
  checkPeriodOrder(from, to);
  if (to.getTime() - from.getTime() > maxDays * 86_400_000) {
    throw errors.limitExceeded(`This window spans at most ${maxDays} days`, 'to');
  }
  if (!Number.isInteger(minMinutes) || minMinutes < 0 || minMinutes > 10080) {
    throw errors.badInput('minMinutes', 'minMinutes must be from 0 to 10080');
  }
  return { start: from, end: to };
}

/** The per-request DataLoaders availability reads through. */
export interface AvailabilityLoaders {
  openHours: DataLoader<number, OpenHoursRule[]>;
  busy: DataLoader<BusyKey, Period[], string>;
  booked: DataLoader<BusyKey, Period[], string>;
  blackouts: DataLoader<BusyKey, Blackout[], string>;
}

/** Availability use cases of one request. */
export class AvailabilityService {
  constructor(
    private readonly institution: string,
    private readonly repository: AvailabilityRepository,
    private readonly loaders: AvailabilityLoaders,
    /** The request's own clock reading, so every instrument of a page shares one window (one query). */
    private readonly now: Date,
  ) {}

  openHours(instrumentId: number): Promise<OpenHoursRule[]> {
    return this.loaders.openHours.load(instrumentId);
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
      this.loaders.openHours.load(instrumentId),
      this.loaders.busy.load({ instrumentId, window }),
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
      this.loaders.openHours.loadMany(instrumentIds),
      this.loaders.busy.loadMany(instrumentIds.map((instrumentId) => ({ instrumentId, window }))),
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
      this.loaders.openHours.load(instrumentId),
      this.loaders.booked.load({ instrumentId, window }),
    ]);
    const { openMinutes, heldMinutes } = openAndHeldMinutes(hours, window, booked);
    return openMinutes === 0 ? 0 : heldMinutes / openMinutes;
  }

  /** Closures of the instrument overlapping [from, to) (at most 400 days), by start. */
  blackouts(instrumentId: number, from: Date, to: Date): Promise<Blackout[]> {
    const window = toWindow(from, to, 0, MAX_UTILIZATION_DAYS);
    return this.loaders.blackouts.load({ instrumentId, window });
  }

  /** Facility office: replaces the instrument's weekly open hours; bookings already made stay. */
  async setOpenHours(instrumentId: string, hours: OpenHoursRule[], identity: Identity | null): Promise<OpenHoursRule[]> {
    const who = requireInstitutionManager(identity, this.institution);
    const id = localIdOf(instrumentId, 'instrumentId');
    if (hours.length > MAX_OPEN_HOURS_RULES) throw errors.badInput('hours', `At most ${MAX_OPEN_HOURS_RULES} rules`);
    validateOpenHours(hours, 'hours');
    const rules = hours
      .map(({ weekday, opensAt, closesAt }) => ({ weekday, opensAt, closesAt }))
      .sort((a, b) => a.weekday - b.weekday || a.opensAt - b.opensAt);
    if (!(await this.repository.replaceOpenHours(id, rules, { changedBy: who.id, via: 'setOpenHours' })))
      throw errors.notFound('Instrument', 'instrumentId');
    this.loaders.openHours.clear(id).prime(id, rules);
    return rules;
  }

  /**
   * Facility office: closes [start, end) of an instrument; `SLOT_UNAVAILABLE` (field `start`) while an active
   * booking holds part of it, checked in the same transaction as the insert.
   */
  async addBlackout(
    instrumentId: string,
    start: Date,
    end: Date,
    reason: string | null | undefined,
    identity: Identity | null,
  ): Promise<Blackout> {
    const who = requireInstitutionManager(identity, this.institution);
    const id = localIdOf(instrumentId, 'instrumentId');
    if (end.getTime() <= start.getTime()) throw errors.badInput('end', '`end` must be after `start`');
    const note = optionalNote(reason, 'reason');
    const blackout = await this.repository.addBlackout(id, { start, end }, note, { changedBy: who.id, via: 'addBlackout' });
    if (!blackout) throw errors.notFound('Instrument', 'instrumentId');
    this.loaders.busy.clearAll();
    this.loaders.blackouts.clearAll();
    return blackout;
  }

  /** Facility office: reopens a closure; false when there was none. */
  async removeBlackout(id: string, identity: Identity | null): Promise<boolean> {
    const who = requireInstitutionManager(identity, this.institution);
    const removed = await this.repository.removeBlackout(localIdOf(id, 'id'), { changedBy: who.id, via: 'removeBlackout' });
    this.loaders.busy.clearAll();
    this.loaders.blackouts.clearAll();
    return removed;
  }
}

import { DEFAULT_OPEN_HOURS } from '@kyoyo/domain';
import type { OpenHoursRule } from '@kyoyo/domain';

/**
 * Weekly open-hours profiles of demo instruments (the domain's `OpenHoursRule`: ISO weekday 1 = Monday …
 * 7 = Sunday; minutes since midnight Asia/Tokyo).
 */

const weekdays = (from: number, to: number, opensAt: number, closesAt: number): OpenHoursRule[] => {
  const rules: OpenHoursRule[] = [];
  for (let weekday = from; weekday <= to; weekday++) rules.push({ weekday, opensAt, closesAt });
  return rules;
};

/** The open-hours profiles the generator assigns. */
export const OPEN_HOURS_PROFILES = {
  /** The domain default: Monday–Friday 09:00–18:00. */
  standard: DEFAULT_OPEN_HOURS.map((rule) => ({ ...rule })),
  /** Monday–Friday 08:30–20:00. */
  extended: weekdays(1, 5, 510, 1200),
  /** Every day 00:00–24:00 (sequencers, cryo-EM, long low-temperature runs). */
  always: weekdays(1, 7, 0, 1440),
} as const satisfies Record<string, readonly OpenHoursRule[]>;

/** The name of an open-hours profile. */
export type OpenHoursProfile = keyof typeof OPEN_HOURS_PROFILES;

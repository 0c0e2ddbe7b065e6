/**
 * Weeks of the availability calendar (Monday to Sunday, Asia/Tokyo) and free stretches cut into the days
 * they cover, so a stretch that runs overnight shows in each of its days.
 */
import { addDays } from '../../format';
import type { TimeSlot } from './model';

const DAY_MS = 86_400_000;

/** The Monday of the Tokyo week holding `day` (YYYY-MM-DD). */
export function mondayOf(day: string): string {
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
  return addDays(day, -((weekday + 6) % 7));
}

export function weekDays(monday: string): string[] {
  return Array.from({ length: 7 }, (_, i) => addDays(monday, i));
}

/** The first instant of a Tokyo day as RFC 3339. */
export function tokyoMidnight(day: string): string {
  return `${day}T00:00:00+09:00`;
}

export interface DayPiece {
  day: string;
  /** The free stretch this piece is part of. */
  slot: TimeSlot;
  start: string;
  end: string;
  /** Runs to the end of the day (shown as 24:00, not 00:00). */
  untilMidnight: boolean;
}

/** Each day's share of the free stretches, in order. */
export function piecesByDay(slots: TimeSlot[], days: string[]): Map<string, DayPiece[]> {
  const byDay = new Map<string, DayPiece[]>(days.map((d) => [d, []]));
  for (const day of days) {
    const from = Date.parse(tokyoMidnight(day));
    const to = from + DAY_MS;
    for (const slot of slots) {
      const start = Math.max(Date.parse(slot.start), from);
      const end = Math.min(Date.parse(slot.end), to);
      if (end <= start) continue;
      byDay.get(day)!.push({
        day,
        slot,
        start: new Date(start).toISOString(),
        end: new Date(end).toISOString(),
        untilMidnight: end === to,
      });
    }
  }
  return byDay;
}

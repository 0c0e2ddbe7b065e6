/** Reading calendar feeds in tests with a real iCalendar parser (ical.js), and Tokyo times to book at. */
import ICAL from 'ical.js';

const HOUR = 3_600_000;

/** Tokyo 10:00 on the first weekday at least `days` ahead, as an instant. */
export function tokyoWeekdayAt10(days: number): Date {
  const day = new Date(Date.now() + days * 24 * HOUR + 9 * HOUR);
  while (day.getUTCDay() === 0 || day.getUTCDay() === 6) day.setUTCDate(day.getUTCDate() + 1);
  day.setUTCHours(10, 0, 0, 0);
  return new Date(day.getTime() - 9 * HOUR);
}

export interface ParsedEvent {
  summary: string;
  status: unknown;
  start: string;
  end: string;
  tokyoStart: string;
  zone: string | undefined;
}

/** A feed's events as the parser reads them: summary, status, UTC instants, Tokyo wall-clock start and zone. */
export function eventsOf(text: string): ParsedEvent[] {
  const calendar = new ICAL.Component(ICAL.parse(text));
  for (const zone of calendar.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(zone);
  return calendar.getAllSubcomponents('vevent').map((v) => {
    const event = new ICAL.Event(v);
    return {
      summary: event.summary,
      status: v.getFirstPropertyValue('status'),
      start: event.startDate.toJSDate().toISOString(),
      end: event.endDate.toJSDate().toISOString(),
      tokyoStart: `${event.startDate.hour}:${String(event.startDate.minute).padStart(2, '0')}`,
      zone: event.startDate.zone?.tzid,
    };
  });
}

/** The calendar's own properties (name) and each event's description and location. */
export function detailsOf(text: string): { name: unknown; events: { uid: unknown; description: unknown; location: unknown }[] } {
  const calendar = new ICAL.Component(ICAL.parse(text));
  return {
    name: calendar.getFirstPropertyValue('x-wr-calname'),
    events: calendar.getAllSubcomponents('vevent').map((v) => ({
      uid: v.getFirstPropertyValue('uid'),
      description: v.getFirstPropertyValue('description'),
      location: v.getFirstPropertyValue('location'),
    })),
  };
}

import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { escapeText, foldLine, renderCalendar, tokyoLocal } from './icalendar';

const event = {
  uid: 'booking-kyoto-u-42@kyoyo',
  // 09:00–11:30 in Tokyo on 8 December 2026.
  start: new Date('2026-12-08T00:00:00Z'),
  end: new Date('2026-12-08T02:30:00Z'),
  summary: '予約済み; NMR, 600 MHz\\本体',
  description: '一行目\n二行目',
  changedAt: new Date('2026-12-01T03:04:05Z'),
};

/** Parses with ical.js (Mozilla's parser, as Thunderbird uses) and registers the feed's own time zones. */
function parse(text: string) {
  const calendar = new ICAL.Component(ICAL.parse(text));
  for (const zone of calendar.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(zone);
  return calendar;
}

describe('iCalendar feeds', () => {
  it('parse with a real iCalendar parser, times exact in Tokyo and as instants', () => {
    const text = renderCalendar({
      name: '核磁気共鳴装置（京都大学）',
      events: [event, { ...event, uid: 'u2', status: 'TENTATIVE' }],
    });
    const calendar = parse(text);
    expect(calendar.getFirstPropertyValue('x-wr-calname')).toBe('核磁気共鳴装置（京都大学）');
    const [first, second] = calendar.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
    expect(first!.uid).toBe(event.uid);
    expect(first!.summary).toBe(event.summary);
    expect(first!.description).toBe(event.description);
    expect(first!.startDate.zone?.tzid).toBe('Asia/Tokyo');
    expect([first!.startDate.hour, first!.startDate.minute, first!.endDate.hour, first!.endDate.minute]).toEqual([9, 0, 11, 30]);
    expect(first!.startDate.toJSDate().toISOString()).toBe(event.start.toISOString());
    expect(first!.endDate.toJSDate().toISOString()).toBe(event.end.toISOString());
    expect(second!.component.getFirstPropertyValue('status')).toBe('TENTATIVE');
  });

  it('end every line with CRLF and keep every line within 75 octets, never splitting a character', () => {
    const long = renderCalendar({ name: '装置'.repeat(60), events: [{ ...event, summary: 'あ'.repeat(100) }] });
    expect(long.endsWith('\r\n')).toBe(true);
    expect(long.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    for (const line of long.split('\r\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
    expect(new ICAL.Event(parse(long).getFirstSubcomponent('vevent')!).summary).toBe('あ'.repeat(100));
  });

  it('escape text and fold at the octet, not the character', () => {
    expect(escapeText('a\\b;c,d\ne\u0007')).toBe('a\\\\b\\;c\\,d\\ne');
    expect(foldLine('x'.repeat(80))).toBe(`${'x'.repeat(75)}\r\n ${'x'.repeat(5)}`);
    expect(tokyoLocal(new Date('2026-12-31T15:00:00Z'))).toBe('20270101T000000');
  });
});

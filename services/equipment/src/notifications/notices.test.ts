import { describe, expect, it } from 'vitest';
import { bookingNotice, freedNotice, periodText, qualificationNotice, yenText, type BookingFacts } from './notices';
import type { NoticeKind } from './notifications.types';

const facts: BookingFacts = {
  id: 42,
  instrumentName: '透過電子顕微鏡',
  institutionName: '東北大学',
  start: new Date('2030-03-31T14:30:00Z'), // 23:30 in Tokyo
  end: new Date('2030-03-31T16:00:00Z'), // 01:00 the next day
  fee: 12_345,
  cancellationFee: 6_172,
  note: 'ご注意ください',
  requesterId: 'r-1',
  requesterOrganization: '京都大学',
  link: 'https://kyoyo.example/bookings',
};

const BOOKING_KINDS: NoticeKind[] = [
  'BOOKING_CONFIRMED',
  'BOOKING_REQUESTED',
  'APPROVAL_REQUESTED',
  'BOOKING_APPROVED',
  'BOOKING_REJECTED',
  'BOOKING_CANCELLED',
  'BOOKING_REMINDER',
];

describe('notices', () => {
  it('writes periods in Japan’s time, across midnight, in both languages', () => {
    expect(periodText(facts.start, facts.end, 'ja')).toBe('2030年3月31日(日) 23:30–2030年4月1日(月) 01:00（日本時間）');
    expect(periodText(facts.start, facts.end, 'en')).toBe('Sun, 31 Mar 2030 23:30–Mon, 1 Apr 2030 01:00 (Japan time)');
    expect(periodText(new Date('2030-04-01T00:00:00Z'), new Date('2030-04-01T03:00:00Z'), 'ja')).toBe(
      '2030年4月1日(月) 09:00–12:00（日本時間）',
    );
    expect(yenText(1_234_567)).toBe('¥1,234,567');
  });

  it('has a subject and body for every booking event in both languages, naming the instrument, number and time', () => {
    for (const kind of BOOKING_KINDS) {
      for (const language of ['ja', 'en'] as const) {
        const { subject, body } = bookingNotice(kind, facts, language);
        expect(subject, `${kind} ${language}`).toContain('透過電子顕微鏡');
        expect(body).toContain('42');
        expect(body).toContain(periodText(facts.start, facts.end, language));
        expect(body).toContain('https://kyoyo.example/bookings');
        // Japanese mail reads Japanese; English mail has no Japanese outside the names.
        const rest = body
          .replaceAll('透過電子顕微鏡', '')
          .replaceAll('東北大学', '')
          .replaceAll('京都大学', '')
          .replaceAll('ご注意ください', '');
        if (language === 'en') expect(rest).not.toMatch(/[\u3040-\u30ff]/);
        else expect(rest).toMatch(/[\u3040-\u30ff]/);
      }
    }
  });

  it('states a cancellation fee, or that there is none', () => {
    expect(bookingNotice('BOOKING_CANCELLED', facts, 'en').body).toContain('Cancellation fee: ¥6,172');
    expect(bookingNotice('BOOKING_CANCELLED', { ...facts, cancellationFee: 0 }, 'ja').body).toContain('キャンセル料: なし');
    expect(bookingNotice('BOOKING_CANCELLED', { ...facts, cancellationFee: null }, 'en').body).toContain(
      'Cancellation fee: none',
    );
  });

  it('leaves out a link the service does not know, and refuses a kind that is not about a booking', () => {
    expect(bookingNotice('BOOKING_CONFIRMED', { ...facts, link: null }, 'en').body).not.toContain('Details');
    expect(() => bookingNotice('QUALIFICATION_EXPIRING', facts, 'ja')).toThrow(/not a booking notice/);
  });

  it('tells of a qualification ending and a freed period, with the place in line', () => {
    const q = qualificationNotice({ instrumentName: 'NMR', institutionName: '東北大学', expiresOn: '2030-04-30' }, 'ja');
    expect(q.body).toContain('2030-04-30 まで有効');
    const freed = freedNotice({ ...facts, position: 2 }, 'en');
    expect(freed.subject).toBe('A period you wait for is free: 透過電子顕微鏡');
    expect(freed.body).toContain('number 2 in line');
  });
});

import { describe, expect, it } from 'vitest';
import type { Viewer } from '../../session';
import type { FeeRate } from './model';
import { canCancel, categoryReason, hourlyRate, previewCancellation } from './rules';

const viewer = (institution: string | null, affiliation: 'academic' | 'industry' = 'academic'): Viewer => ({
  id: 'r-1',
  organization: null,
  roles: ['RESEARCHER'],
  affiliation,
  institution: institution ? { code: institution, name: institution, nameEn: null } : null,
});

const HOUR = 3_600_000;
const now = new Date('2030-05-01T09:00:00+09:00');
const booking = (hoursAhead: number, status: 'PENDING' | 'CONFIRMED' = 'CONFIRMED', fee = 4_501) => ({
  status,
  fee,
  start: new Date(now.getTime() + hoursAhead * HOUR).toISOString(),
  instrument: {
    id: 'tohoku-u:1',
    name: 'NMR',
    nameEn: null,
    institution: { code: 'tohoku-u', name: '東北大学', nameEn: null },
    cancellationFreeHours: 48,
    cancellationFeePercent: 50,
  },
});

describe('my category and fee', () => {
  it('says why I have the category I have', () => {
    expect(categoryReason(null, 'tohoku-u')).toBe('anonymous');
    expect(categoryReason(viewer('tohoku-u'), 'tohoku-u')).toBe('home');
    expect(categoryReason(viewer('u-tokyo'), 'tohoku-u')).toBe('academic');
    expect(categoryReason(viewer(null, 'industry'), 'tohoku-u')).toBe('industry');
  });

  it('finds the hourly rate of a category and mode, or null when not offered', () => {
    const fees: FeeRate[] = [
      { userCategory: 'ACADEMIC', mode: 'SELF', hourlyRate: 3000, billingUnitMinutes: 60, minimumCharge: 0 },
    ];
    expect(hourlyRate(fees, 'ACADEMIC')).toBe(3000);
    expect(hourlyRate(fees, 'ACADEMIC', 'ASSISTED')).toBeNull();
    expect(hourlyRate(fees, 'INDUSTRY')).toBeNull();
  });
});

describe('cancellation preview', () => {
  it('is free up to the free-cancellation deadline, exactly on it included', () => {
    const preview = previewCancellation(booking(48), now);
    expect(preview.fee).toBe(0);
    expect(preview.freeUntil.toISOString()).toBe(now.toISOString());
  });

  it('charges the late share of the fee, rounded up to the yen, after the deadline', () => {
    expect(previewCancellation(booking(47), now).fee).toBe(2_251);
    expect(previewCancellation(booking(1, 'CONFIRMED', 1_000), now).fee).toBe(500);
  });

  it('never charges for a pending booking', () => {
    const preview = previewCancellation(booking(1, 'PENDING'), now);
    expect(preview).toMatchObject({ fee: 0, pending: true });
  });

  it('offers cancelling only active bookings that have not started', () => {
    expect(canCancel(booking(1), now)).toBe(true);
    expect(canCancel(booking(-1), now)).toBe(false);
    expect(canCancel({ ...booking(10), status: 'CANCELLED' }, now)).toBe(false);
  });
});

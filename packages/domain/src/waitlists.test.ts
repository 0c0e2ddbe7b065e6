import { describe, expect, it } from 'vitest';
import { DEFAULT_OPEN_HOURS } from './time';
import { checkWaitable, checkWaitPeriod } from './waitlists';

const limits = { openHours: DEFAULT_OPEN_HOURS, maxBookingMinutes: 480 };
/** Monday 2030-01-07 09:00 Tokyo. */
const now = new Date('2030-01-07T09:00:00+09:00');
const at = (local: string) => new Date(`${local}:00+09:00`);

function refusal(run: () => void): { code: string; field: string | undefined; message: string } {
  try {
    run();
  } catch (error) {
    const e = error as { code: string; field?: string; message: string };
    return { code: e.code, field: e.field, message: e.message };
  }
  throw new Error('expected a refusal');
}

describe('checkWaitPeriod', () => {
  it('accepts a future period the instrument could be booked for', () => {
    expect(() => checkWaitPeriod({ start: at('2030-01-08T10:00'), end: at('2030-01-08T11:00') }, limits, now)).not.toThrow();
  });

  it('refuses a period that has started, saying so, before any other rule', () => {
    const started = { start: at('2030-01-07T08:30'), end: at('2030-01-07T08:31') };
    expect(refusal(() => checkWaitPeriod(started, limits, now))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.start',
      message: expect.stringContaining('has started'),
    });
  });

  it('refuses a period that starts right now', () => {
    expect(refusal(() => checkWaitPeriod({ start: now, end: at('2030-01-07T10:00') }, limits, now)).field).toBe('input.start');
  });

  it('applies the booking rules: too short, too long, outside open hours', () => {
    expect(
      refusal(() => checkWaitPeriod({ start: at('2030-01-08T10:00'), end: at('2030-01-08T10:10') }, limits, now)).field,
    ).toBe('input.end');
    expect(
      refusal(() => checkWaitPeriod({ start: at('2030-01-08T09:00'), end: at('2030-01-08T17:30') }, limits, now)).field,
    ).toBe('input.end');
    expect(
      refusal(() => checkWaitPeriod({ start: at('2030-01-12T10:00'), end: at('2030-01-12T11:00') }, limits, now)).field,
    ).toBe('input.start');
  });
});

describe('checkWaitable', () => {
  it('lets a researcher wait for a period someone else holds, also when they hold another part of it', () => {
    expect(() => checkWaitable({ bookedBy: ['other'], closed: false }, 'me')).not.toThrow();
    expect(() => checkWaitable({ bookedBy: ['me', 'other'], closed: false }, 'me')).not.toThrow();
  });

  it('refuses a free period with SLOT_AVAILABLE: book it instead', () => {
    expect(refusal(() => checkWaitable({ bookedBy: [], closed: false }, 'me'))).toMatchObject({
      code: 'SLOT_AVAILABLE',
      field: 'input.start',
      message: expect.stringContaining('book it'),
    });
  });

  it('refuses a period only the caller holds, and one a closure covers', () => {
    expect(refusal(() => checkWaitable({ bookedBy: ['me', 'me'], closed: false }, 'me')).code).toBe('BAD_USER_INPUT');
    expect(refusal(() => checkWaitable({ bookedBy: ['other'], closed: true }, 'me'))).toMatchObject({
      code: 'BAD_USER_INPUT',
      message: expect.stringContaining('closed'),
    });
  });
});

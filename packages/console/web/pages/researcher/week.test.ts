import { describe, expect, it } from 'vitest';
import { mondayOf, piecesByDay, weekDays } from './week';

describe('calendar weeks', () => {
  it('start on Monday', () => {
    expect(mondayOf('2030-05-01')).toBe('2030-04-29'); // a Wednesday
    expect(mondayOf('2030-05-05')).toBe('2030-04-29'); // a Sunday
    expect(mondayOf('2030-04-29')).toBe('2030-04-29');
    expect(weekDays('2030-04-29')).toHaveLength(7);
  });

  it('cut an overnight free stretch into the Tokyo days it covers', () => {
    const slot = { start: '2030-04-29T20:00:00+09:00', end: '2030-04-30T10:00:00+09:00' };
    const pieces = piecesByDay([slot], weekDays('2030-04-29'));
    const monday = pieces.get('2030-04-29')!;
    const tuesday = pieces.get('2030-04-30')!;
    expect(monday).toHaveLength(1);
    expect(monday[0]).toMatchObject({ untilMidnight: true, slot });
    expect(Date.parse(monday[0]!.end)).toBe(Date.parse('2030-04-30T00:00:00+09:00'));
    expect(Date.parse(tuesday[0]!.start)).toBe(Date.parse('2030-04-30T00:00:00+09:00'));
    expect(tuesday[0]!.untilMidnight).toBe(false);
    expect(pieces.get('2030-05-01')).toEqual([]);
  });
});

// The LADO clock (issue 19): the end of the next working day after receipt, at the school's time,
// in its time zone, over the shared calendar's bank holidays.
import { describe, expect, it } from 'vitest';
import { englandCalendar } from '../../shared/calendar.ts';
import { ladoDueAt, patternReason, zonedInstant } from './rules.ts';

const school = { dueTime: '17:00', timeZone: 'Europe/London' };
const cal = englandCalendar();

describe('the LADO clock', () => {
  it('received Fri 13 Mar 2026 15:00 is due Mon 16 Mar 2026 17:00', () => {
    expect(ladoDueAt(new Date('2026-03-13T15:00:00Z'), cal, school).toISOString()).toBe(
      '2026-03-16T17:00:00.000Z',
    );
  });

  it('counts in the school time zone across summer time, and skips bank holidays', () => {
    // Thu 2 Apr 2026 23:30 BST is Thu 22:30 UTC; Good Friday 3 Apr and Easter Monday 6 Apr are
    // bank holidays, so the next working day is Tue 7 Apr, 17:00 BST = 16:00 UTC.
    expect(ladoDueAt(new Date('2026-04-02T22:30:00Z'), cal, school).toISOString()).toBe(
      '2026-04-07T16:00:00.000Z',
    );
    // 00:30 BST on Fri 3 Apr is already Friday in the school, though Thursday in UTC.
    expect(ladoDueAt(new Date('2026-04-02T23:30:00Z'), cal, school).toISOString()).toBe(
      '2026-04-07T16:00:00.000Z',
    );
  });

  it('uses the time the school sets', () => {
    expect(
      ladoDueAt(new Date('2026-03-13T15:00:00Z'), cal, {
        ...school,
        dueTime: '16:30',
      }).toISOString(),
    ).toBe('2026-03-16T16:30:00.000Z');
    expect(zonedInstant('2026-07-01', '09:00', 'Europe/London').toISOString()).toBe(
      '2026-07-01T08:00:00.000Z',
    );
  });
});

describe('the patterns review prompt', () => {
  it('prompts at the count, or at a repeated theme, and otherwise not', () => {
    const school = { patternCount: 3 };
    expect(patternReason(3, null, school)).toBe('count');
    expect(patternReason(4, 'Other', school)).toBe('count');
    expect(patternReason(2, 'Other', school)).toBe('same_theme');
    expect(patternReason(2, null, school)).toBeNull();
    expect(patternReason(1, null, school)).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import {
  addCalendarMonths,
  addSchoolDays,
  addWorkingDays,
  bankHolidaysCover,
  daysBetween,
  englandCalendar,
  isIsoDate,
  isSchoolDay,
  onOrNextWorkingDay,
} from './calendar.ts';

const cal = englandCalendar();

describe('the calendar behind every statutory clock', () => {
  it('reads only real calendar dates', () => {
    expect(isIsoDate('2026-02-28')).toBe(true);
    expect(isIsoDate('2026-02-29')).toBe(false);
    expect(isIsoDate('2026-2-1')).toBe(false);
    expect(() => addCalendarMonths('2026-13-01', 1)).toThrow(RangeError);
  });

  it('counts a calendar month as the ICO does, then moves to a working day', () => {
    // Received Tue 5 Aug 2025 → Fri 5 Sep 2025.
    expect(onOrNextWorkingDay(addCalendarMonths('2025-08-05', 1), cal)).toBe('2025-09-05');
    // Received Sat 31 Jan 2026 → 28 Feb (a Saturday) → Mon 2 Mar 2026.
    expect(addCalendarMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(onOrNextWorkingDay(addCalendarMonths('2026-01-31', 1), cal)).toBe('2026-03-02');
    // Wed 20 Aug 2025 → Sat 20 Sep → Mon 22 Sep 2025.
    expect(onOrNextWorkingDay(addCalendarMonths('2025-08-20', 1), cal)).toBe('2025-09-22');
    // A leap year's 29 February, and three months on from 30 November.
    expect(addCalendarMonths('2028-01-31', 1)).toBe('2028-02-29');
    expect(addCalendarMonths('2025-11-30', 3)).toBe('2026-02-28');
  });

  it('skips bank holidays, including substitute days', () => {
    // Boxing Day 2026 is a Saturday; Monday 28 December is the substitute.
    expect(onOrNextWorkingDay('2026-12-25', cal)).toBe('2026-12-29');
    expect(addWorkingDays('2026-04-02', 1, cal)).toBe('2026-04-07'); // Good Friday and Easter Monday
    // The LADO's next working day: Fri 13 Mar 2026 → Mon 16 Mar 2026.
    expect(addWorkingDays('2026-03-13', 1, cal)).toBe('2026-03-16');
  });

  it('counts school days on the school’s terms and closed days', () => {
    const school = englandCalendar({
      terms: [
        { startsOn: '2026-01-05', endsOn: '2026-03-27' },
        { startsOn: '2026-04-13', endsOn: '2026-07-22' },
      ],
      closedDays: ['2026-04-13'],
    });
    // Left and confirmed Wed 11 Mar 2026 → Wed 18 Mar 2026 (5 school days); Mon 16 Mar by calendar days.
    expect(addSchoolDays('2026-03-11', 5, school)).toBe('2026-03-18');
    expect(addDaysCheck('2026-03-11', 5)).toBe('2026-03-16');
    // Leaving on the last day of the spring term: the 5th school day of the summer term (13 April closed).
    expect(addSchoolDays('2026-03-27', 5, school)).toBe('2026-04-20');
    expect(isSchoolDay('2026-04-01', school)).toBe(false);
    // Terms run out: no date rather than a wrong one.
    expect(addSchoolDays('2026-07-20', 5, school)).toBeNull();
    // No terms entered: working days stand in.
    expect(addSchoolDays('2026-03-11', 5, cal)).toBe('2026-03-18');
  });

  it('says when the bundled bank holidays no longer reach a year', () => {
    expect(bankHolidaysCover('2027-06-01', cal)).toBe(true);
    expect(bankHolidaysCover('2031-06-01', cal)).toBe(false);
    expect(bankHolidaysCover('2031-06-01', englandCalendar({ bankHolidays: ['2031-01-01'] }))).toBe(
      true,
    );
  });
});

function addDaysCheck(date: string, days: number): string {
  const to = new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000)
    .toISOString()
    .slice(0, 10);
  expect(daysBetween(date, to)).toBe(days);
  return to;
}

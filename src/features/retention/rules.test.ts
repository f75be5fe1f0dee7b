// The retention rules' dates, with the issue's worked examples (issue 15) and the edges a
// calendar has: leap days, several pupils, missing facts, and periods a school may not set.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SCHEDULE, RETENTION_MAX_YEARS } from '../../shared/retention.ts';
import { addYears, dueDate, latestDue, periodProblem } from './rules.ts';

describe('retention due dates', () => {
  it('a pupil born 2010-05-14: child-protection records due for review on 2035-05-14', () => {
    expect(dueDate(DEFAULT_SCHEDULE.cp_pupil, { dateOfBirth: '2010-05-14' })).toEqual({
      known: true,
      date: '2035-05-14',
    });
    expect(DEFAULT_SCHEDULE.cp_pupil.action).toBe('review');
  });

  it('staff born 1990-01-01, allegation 2026-03-01, pension age 68: kept to 2058-01-01', () => {
    expect(
      dueDate(DEFAULT_SCHEDULE.staff_allegation, {
        dateOfBirth: '1990-01-01',
        allegationDate: '2026-03-01',
        pensionAge: 68,
      }),
    ).toEqual({ known: true, date: '2058-01-01' });
  });

  it('born 1966-01-01, pension age 67: ten years after the allegation is later (2036-03-01)', () => {
    expect(
      dueDate(DEFAULT_SCHEDULE.staff_allegation, {
        dateOfBirth: '1966-01-01',
        allegationDate: '2026-03-01',
        pensionAge: 67,
      }),
    ).toEqual({ known: true, date: '2036-03-01' });
  });

  it('a leap-day birthday falls on 1 March in a year without 29 February', () => {
    expect(addYears('2012-02-29', 25)).toBe('2037-03-01');
    expect(addYears('2012-02-29', 28)).toBe('2040-02-29');
    expect(addYears('2024-12-31', 1)).toBe('2025-12-31');
    expect(() => addYears('14/05/2010', 1)).toThrow(/calendar date/);
  });

  it('a missing fact means "not known", never a date', () => {
    expect(dueDate(DEFAULT_SCHEDULE.cp_pupil, {})).toEqual({
      known: false,
      missing: 'date_of_birth',
    });
    expect(
      dueDate(DEFAULT_SCHEDULE.staff_allegation, {
        dateOfBirth: '1990-01-01',
        allegationDate: '2026-03-01',
      }),
    ).toEqual({ known: false, missing: 'pension_age' });
    expect(dueDate(DEFAULT_SCHEDULE.staff_allegation, { pensionAge: 67 })).toEqual({
      known: false,
      missing: 'allegation',
    });
    expect(dueDate(DEFAULT_SCHEDULE.mis_leaver, { leavingDate: '2026-07-22' })).toEqual({
      known: true,
      date: '2027-07-22',
    });
    expect(dueDate(DEFAULT_SCHEDULE.sar_breach, { closureDate: '2026-01-31' })).toEqual({
      known: true,
      date: '2032-01-31',
    });
    expect(
      dueDate(DEFAULT_SCHEDULE.staff_allegation_malicious, { findingDate: '2026-04-01' }),
    ).toEqual({ known: true, date: '2026-04-01' });
    expect(dueDate(DEFAULT_SCHEDULE.staff_low_level, {})).toEqual({
      known: false,
      missing: 'leaving',
    });
  });

  it('a record about several pupils waits for the last of them, or for a missing birthday', () => {
    const a = dueDate(DEFAULT_SCHEDULE.cp_pupil, { dateOfBirth: '2010-05-14' });
    const b = dueDate(DEFAULT_SCHEDULE.cp_pupil, { dateOfBirth: '2012-09-01' });
    const unknown = dueDate(DEFAULT_SCHEDULE.cp_pupil, { dateOfBirth: null });
    expect(latestDue([a, b])).toEqual({ known: true, date: '2037-09-01' });
    expect(latestDue([b, a])).toEqual({ known: true, date: '2037-09-01' });
    expect(latestDue([a, unknown])).toEqual({ known: false, missing: 'date_of_birth' });
    expect(latestDue([])).toBeNull();
  });
});

describe('periods a school may set', () => {
  it('refuses negative, fractional, too short for the rule, and absurd periods', () => {
    const cp = DEFAULT_SCHEDULE.cp_pupil;
    const sar = DEFAULT_SCHEDULE.sar_breach;
    expect(periodProblem(sar, -1, RETENTION_MAX_YEARS)).toBe('A period cannot be negative.');
    expect(periodProblem(sar, 1.5, RETENTION_MAX_YEARS)).toMatch(/whole number/);
    expect(periodProblem(cp, 10, RETENTION_MAX_YEARS)).toMatch(/25th birthday/);
    expect(periodProblem(sar, 101, RETENTION_MAX_YEARS)).toMatch(/longer than 100 years/);
    expect(periodProblem(sar, 0, RETENTION_MAX_YEARS)).toBeNull();
    expect(periodProblem(cp, 30, RETENTION_MAX_YEARS)).toBeNull();
  });
});

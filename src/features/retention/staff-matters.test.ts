// Which retention rule a concern about an adult is kept under (issue 19, KCSIE Part 4): every
// classification and every one of the five outcomes, worked through.
import { describe, expect, it } from 'vitest';
import { OUTCOMES, CLASSIFICATIONS } from '../../shared/schemas/staff-concerns.ts';
import { staffMatterRetentionKind } from './staff-matters.ts';
import { dueDate } from './rules.ts';
import { DEFAULT_SCHEDULE } from '../../shared/retention.ts';

describe('the retention of a concern about an adult', () => {
  it('follows the triage until an outcome, then the outcome', () => {
    expect(staffMatterRetentionKind(null, null)).toBeNull();
    expect(staffMatterRetentionKind('low_level', null)).toBe('staff_low_level');
    expect(staffMatterRetentionKind('not_a_concern', null)).toBe('staff_low_level');
    expect(staffMatterRetentionKind('possibly_meets_threshold', null)).toBe('staff_allegation');
    const byOutcome = Object.fromEntries(
      OUTCOMES.map((o) => [o, staffMatterRetentionKind('possibly_meets_threshold', o)]),
    );
    expect(byOutcome).toEqual({
      substantiated: 'staff_allegation',
      // KCSIE: false and malicious allegations are removed from personnel records.
      false: 'staff_allegation_malicious',
      malicious: 'staff_allegation_malicious',
      unsubstantiated: 'staff_allegation',
      unfounded: 'staff_allegation',
    });
    // Every classification has a rule once an outcome is recorded.
    for (const c of CLASSIFICATIONS)
      expect(staffMatterRetentionKind(c, 'unfounded')).toBe('staff_allegation');
  });

  it('keeps an allegation to pension age or 10 years, whichever is later, and waits for facts', () => {
    const rule = DEFAULT_SCHEDULE.staff_allegation;
    expect(dueDate(rule, { allegationDate: '2026-03-13' })).toEqual({
      known: false,
      missing: 'date_of_birth',
    });
    // Born 1990: pension age 67 in 2057 is later than 2036.
    expect(
      dueDate(rule, { allegationDate: '2026-03-13', dateOfBirth: '1990-05-01', pensionAge: 67 }),
    ).toEqual({ known: true, date: '2057-05-01' });
    // Born 1962: 10 years from the allegation (2036) is later than 2029.
    expect(
      dueDate(rule, { allegationDate: '2026-03-13', dateOfBirth: '1962-05-01', pensionAge: 67 }),
    ).toEqual({ known: true, date: '2036-03-13' });
  });
});

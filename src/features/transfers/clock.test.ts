// The transfer clock on the worked example: left and confirmed Wed 11 Mar 2026 → due
// Wed 18 Mar 2026 on school days, Mon 16 Mar 2026 on calendar days; the later of the two dates
// starts it; a pupil leaving at the end of a term is due on the 5th school day of the next.
import { describe, expect, it } from 'vitest';
import { englandCalendar } from '../../shared/calendar.ts';
import { transferClock } from './clock.ts';
import { otherPupilName } from './file.ts';

const cal = englandCalendar();
const base = { leavingOn: '2026-03-11', destinationSetOn: '2026-03-11', today: '2026-03-11' };

describe('the transfer clock', () => {
  it('is due Wed 18 Mar 2026 on school days and Mon 16 Mar 2026 on calendar days', () => {
    expect(transferClock({ ...base, rule: 'school_days' }, cal)).toMatchObject({
      startsOn: '2026-03-11',
      dueOn: '2026-03-18',
      explanation: expect.stringMatching(/^5 school days .* due Wed 18 Mar 2026/) as unknown,
      overdue: false,
    });
    expect(transferClock({ ...base, rule: 'calendar_days' }, cal)).toMatchObject({
      dueOn: '2026-03-16',
      explanation: expect.stringMatching(/^5 calendar days .* due Mon 16 Mar 2026/) as unknown,
    });
  });

  it('starts at the later of leaving and the destination being confirmed', () => {
    const c = transferClock({ ...base, destinationSetOn: '2026-03-13', rule: 'school_days' }, cal);
    expect(c).toMatchObject({ startsOn: '2026-03-13', dueOn: '2026-03-20' });
    expect(transferClock({ ...base, today: '2026-03-21', rule: 'school_days' }, cal).overdue).toBe(
      true,
    );
  });

  it('runs into the next term for a pupil leaving at the end of one', () => {
    const terms = englandCalendar({
      terms: [
        { startsOn: '2026-01-05', endsOn: '2026-03-27' },
        { startsOn: '2026-04-13', endsOn: '2026-07-22' },
      ],
    });
    const c = transferClock(
      {
        leavingOn: '2026-03-27',
        destinationSetOn: '2026-03-20',
        today: '2026-03-27',
        rule: 'school_days',
      },
      terms,
    );
    expect(c.dueOn).toBe('2026-04-17');
    const lastTerm = englandCalendar({ terms: [{ startsOn: '2026-01-05', endsOn: '2026-03-27' }] });
    const unknownNext = transferClock(
      { ...base, leavingOn: '2026-03-27', rule: 'school_days' },
      lastTerm,
    );
    expect(unknownNext).toMatchObject({
      dueOn: null,
      explanation: expect.stringMatching(/next term/) as unknown,
    });
  });

  it('has no clock while the destination is unknown', () => {
    const c = transferClock({ ...base, destinationSetOn: null, rule: 'school_days' }, cal);
    expect(c).toMatchObject({ startsOn: null, dueOn: null, overdue: false });
    expect(c.explanation).toMatch(/local authority/);
  });

  it('is never overdue once the transfer is finished', () => {
    const late = { ...base, today: '2026-03-21', rule: 'school_days' as const };
    expect(transferClock({ ...late, finished: true }, cal).overdue).toBe(false);
    expect(transferClock({ ...late, finished: false }, cal).overdue).toBe(true);
  });

  it('keeps the label of a pupil the DSL may not see, and gives initials otherwise', () => {
    expect(otherPupilName({ id: null, name: 'Another pupil' })).toBe('Another pupil');
    expect(otherPupilName({ id: 'x', name: 'Sam Lee' })).toBe('S.L.');
  });
});

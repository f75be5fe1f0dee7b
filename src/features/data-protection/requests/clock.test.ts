// The ICO's clock on the worked examples (issue 17), and the refused late extension.
import { describe, expect, it } from 'vitest';
import { englandCalendar } from '../../../shared/calendar.ts';
import { extendedDue, requestClock, type ClockFacts } from './clock.ts';
import { DomainError } from '../../../core/errors.ts';

const cal = englandCalendar();
const sar = (receivedOn: string, more: Partial<ClockFacts> = {}): ClockFacts => ({
  kind: 'subject_access',
  receivedOn,
  identityVerifiedOn: null,
  clarificationAskedOn: null,
  clarificationReceivedOn: null,
  ...more,
});

describe('the one-month clock', () => {
  it('received Tue 5 Aug 2025 is due Fri 5 Sep 2025', () => {
    expect(requestClock(sar('2025-08-05'), cal)).toEqual({
      state: 'running',
      startsOn: '2025-08-05',
      dueOn: '2025-09-05',
    });
  });

  it('received Sat 31 Jan 2026 is due Mon 2 Mar 2026 (28 Feb is a Saturday)', () => {
    expect(requestClock(sar('2026-01-31'), cal).dueOn).toBe('2026-03-02');
  });

  it('clarification received Wed 20 Aug 2025 is due Mon 22 Sep 2025', () => {
    const f = sar('2025-08-01', {
      clarificationAskedOn: '2025-08-04',
      clarificationReceivedOn: '2025-08-20',
    });
    expect(requestClock(f, cal)).toMatchObject({ startsOn: '2025-08-20', dueOn: '2025-09-22' });
  });

  it('is paused while clarification is awaited, and starts again from identity verified', () => {
    expect(requestClock(sar('2025-08-01', { clarificationAskedOn: '2025-08-04' }), cal)).toEqual({
      state: 'paused_clarification',
      startsOn: null,
      dueOn: null,
    });
    expect(requestClock(sar('2025-08-05', { identityVerifiedOn: '2025-08-12' }), cal).dueOn).toBe(
      '2025-09-12',
    );
  });

  it('moves a due date on a bank holiday to the next working day', () => {
    // 25 Aug 2025 is the summer bank holiday (a Monday).
    expect(requestClock(sar('2025-07-25'), cal).dueOn).toBe('2025-08-26');
  });
});

describe('extensions', () => {
  it('extends by up to two months from the same start, inside the first month', () => {
    expect(extendedDue(sar('2025-08-05'), cal, 2, '2025-09-05')).toBe('2025-11-05');
    expect(extendedDue(sar('2025-08-05'), cal, 1, '2025-08-20')).toBe('2025-10-06');
  });

  it('refuses an extension sent after the first month', () => {
    const late = () => extendedDue(sar('2025-08-05'), cal, 2, '2025-09-08');
    expect(late).toThrow(DomainError);
    expect(late).toThrow(/within the first month.*2025-09-05/);
  });

  it('refuses to extend an educational-record request or a paused clock', () => {
    const edu = { ...sar('2025-09-01'), kind: 'educational_record' as const };
    expect(() => extendedDue(edu, cal, 1, '2025-09-02')).toThrow(/15 school days/);
    const paused = sar('2025-08-01', { clarificationAskedOn: '2025-08-02' });
    expect(() => extendedDue(paused, cal, 1, '2025-08-03')).toThrow(/paused/);
  });
});

describe('educational-record requests', () => {
  it("are due in 15 school days on the school's terms", () => {
    const terms = englandCalendar({
      terms: [
        { startsOn: '2025-09-03', endsOn: '2025-10-24' },
        { startsOn: '2025-11-03', endsOn: '2025-12-19' },
      ],
      closedDays: ['2025-10-10'],
    });
    const edu = (receivedOn: string) => ({
      ...sar(receivedOn),
      kind: 'educational_record' as const,
    });
    // 15 school days from Mon 13 Oct: 14–24 Oct is 9, half term, then 3–7 Nov (5) and 10 Nov.
    expect(requestClock(edu('2025-10-13'), terms).dueOn).toBe('2025-11-10');
    // From Wed 1 Oct: 2, 3, 6–9 (4), 13–17 (5; Fri 10th is closed), 20–23 (4) → Thu 23 Oct.
    expect(requestClock(edu('2025-10-01'), terms).dueOn).toBe('2025-10-23');
    expect(requestClock(edu('2025-12-15'), terms)).toEqual({
      state: 'needs_term_dates',
      startsOn: '2025-12-15',
      dueOn: null,
    });
  });
});

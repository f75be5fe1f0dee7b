// The statutory clock of a rights request, exactly as the ICO counts it (issue 17). Pure, so the
// worked examples are tests (clock.test.ts).
// - One calendar month from the day the clock starts to the same date next month, or that month's
//   last day where the date does not exist, moved to the next working day in England when it falls
//   at a weekend or on a bank holiday (src/shared/calendar.ts).
// - The clock starts on receipt, or on the day the requester's identity was verified when that is
//   later, or on the day clarification asked for was received (the Data (Use and Access) Act 2025:
//   "stop the clock"); while clarification is awaited it is paused and nothing is due.
// - An extension of one or two further months is allowed only up to the original due date, and
//   runs from the same start.
// - An educational-record request (maintained schools) is due in 15 school days on the school's
//   term dates, with no extension; when the entered terms run out first, the school must enter
//   next year's term dates (the request is kept; the clock says so).
// To change safely: keep every worked example of the issue in clock.test.ts passing.
import {
  addCalendarMonths,
  addSchoolDays,
  onOrNextWorkingDay,
  type IsoDate,
  type WorkingCalendar,
} from '../../../shared/calendar.ts';
import type { ClockState, RequestKind } from '../../../shared/schemas/data-protection.ts';
import { badRequest, DomainError } from '../../../core/errors.ts';

export type ClockFacts = {
  kind: RequestKind;
  receivedOn: IsoDate;
  identityVerifiedOn: IsoDate | null;
  clarificationAskedOn: IsoDate | null;
  clarificationReceivedOn: IsoDate | null;
};

export type Clock = { state: ClockState; startsOn: IsoDate | null; dueOn: IsoDate | null };

const EDUCATIONAL_RECORD_SCHOOL_DAYS = 15;

const later = (a: IsoDate, b: IsoDate | null) => (b !== null && b > a ? b : a);

/** Where the clock stands for these facts. */
export function requestClock(f: ClockFacts, cal: WorkingCalendar): Clock {
  if (f.clarificationAskedOn !== null && f.clarificationReceivedOn === null)
    return { state: 'paused_clarification', startsOn: null, dueOn: null };
  const startsOn = later(later(f.receivedOn, f.identityVerifiedOn), f.clarificationReceivedOn);
  if (f.kind === 'educational_record') {
    const dueOn = addSchoolDays(startsOn, EDUCATIONAL_RECORD_SCHOOL_DAYS, cal);
    return dueOn === null
      ? { state: 'needs_term_dates', startsOn, dueOn: null }
      : { state: 'running', startsOn, dueOn };
  }
  return {
    state: 'running',
    startsOn,
    dueOn: onOrNextWorkingDay(addCalendarMonths(startsOn, 1), cal),
  };
}

/**
 * The extended due date, or a refusal: only a one-month request whose clock is running, asked on
 * or before its original due date, by one or two months.
 */
export function extendedDue(
  f: ClockFacts,
  cal: WorkingCalendar,
  months: number,
  today: IsoDate,
): IsoDate {
  if (f.kind === 'educational_record')
    throw badRequest(
      'An educational-record request must be answered in 15 school days; it cannot be extended.',
      'no_extension',
    );
  const clock = requestClock(f, cal);
  if (clock.state !== 'running' || clock.startsOn === null || clock.dueOn === null)
    throw badRequest(
      'The clock is paused while clarification is awaited; record when it arrived first.',
      'clock_paused',
    );
  if (months !== 1 && months !== 2)
    throw badRequest('An extension is by one or two further months.', 'bad_months');
  if (today > clock.dueOn)
    throw new DomainError(
      'conflict',
      'extension_too_late',
      `An extension must be made within the first month: this request was due on ${clock.dueOn}.`,
    );
  return onOrNextWorkingDay(addCalendarMonths(clock.startsOn, 1 + months), cal);
}

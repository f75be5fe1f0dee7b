// The statutory clock of a child-protection file transfer (issue 18; KCSIE: "within 5 days for
// an in-year transfer or within the first 5 days of the start of a new term"). It starts at the
// later of the leaving date and the day the destination was confirmed; it runs 5 school days on
// the school's term calendar (so a pupil leaving at the end of a term is due on the 5th school
// day of the next), or 5 calendar days if the school chose that. No destination: no clock yet.
// Pure: the same answer for the server and any screen. Tests: clock.test.ts, with the issue's
// worked example.
import { addDays, addSchoolDays, weekday, type WorkingCalendar } from '../../shared/calendar.ts';
import {
  TRANSFER_DAYS,
  type ClockRule,
  type TransferClock,
} from '../../shared/schemas/transfers.ts';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** "Wed 18 Mar 2026", the same in every locale. */
const say = (date: string) =>
  `${DAYS[weekday(date)]} ${Number(date.slice(8, 10))} ${MONTHS[Number(date.slice(5, 7)) - 1]} ${date.slice(0, 4)}`;

export function transferClock(
  f: {
    leavingOn: string;
    destinationSetOn: string | null;
    rule: ClockRule;
    today: string;
    /** Accepted, rejected, revoked or closed: nothing more is owed, so never overdue. */
    finished?: boolean;
  },
  cal: WorkingCalendar,
): TransferClock {
  if (f.destinationSetOn === null)
    return {
      rule: f.rule,
      startsOn: null,
      dueOn: null,
      explanation:
        'The destination is not known, so the clock has not started: keep the file, tell the local authority, and set the destination when it is known.',
      overdue: false,
    };
  const startsOn = f.leavingOn > f.destinationSetOn ? f.leavingOn : f.destinationSetOn;
  const dueOn =
    f.rule === 'calendar_days'
      ? addDays(startsOn, TRANSFER_DAYS)
      : addSchoolDays(startsOn, TRANSFER_DAYS, cal);
  const unit =
    f.rule === 'calendar_days' ? 'calendar days' : "school days (on the school's term dates)";
  const explanation =
    dueOn === null
      ? `${TRANSFER_DAYS} ${unit} from ${say(startsOn)}: enter next term's dates to see the due date.`
      : `${TRANSFER_DAYS} ${unit} from ${say(startsOn)}: due ${say(dueOn)}.`;
  return {
    rule: f.rule,
    startsOn,
    dueOn,
    explanation,
    overdue: !f.finished && dueOn !== null && f.today > dueOn,
  };
}

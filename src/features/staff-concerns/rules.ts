// Pure rules of concerns about adults (issue 19): the LADO clock. KCSIE: an allegation that may
// meet the harm threshold is reported to the LADO within one working day; the school sets the
// time of day the working day ends (17:00 by default), in its own time zone. Working days come
// from the shared calendar (bank holidays bundled, plus the school's own), never counted here.
import { addWorkingDays, type WorkingCalendar } from '../../shared/calendar.ts';

/** The calendar date of an instant in a time zone (YYYY-MM-DD). */
export function localDate(at: Date, timeZone: string): string {
  return at.toLocaleDateString('en-CA', { timeZone });
}

/** The offset of a zone from UTC at an instant, in minutes (Europe/London: 0 or 60). */
function offsetMinutes(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(at);
  const n = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  const asUtc = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second'));
  return Math.round((asUtc - at.getTime()) / 60_000);
}

/** The instant a wall-clock time on a date happens in a zone ("2026-03-16", "17:00"). */
export function zonedInstant(date: string, time: string, timeZone: string): Date {
  const naive = new Date(`${date}T${time}:00Z`);
  // Two passes settle the offset either side of a clock change.
  let at = new Date(naive.getTime() - offsetMinutes(naive, timeZone) * 60_000);
  at = new Date(naive.getTime() - offsetMinutes(at, timeZone) * 60_000);
  return at;
}

/** When the LADO must have been told: the end of the next working day after receipt. */
export function ladoDueAt(
  receivedAt: Date,
  cal: WorkingCalendar,
  school: { dueTime: string; timeZone: string },
): Date {
  const day = addWorkingDays(localDate(receivedAt, school.timeZone), 1, cal);
  return zonedInstant(day, school.dueTime, school.timeZone);
}

/**
 * Whether the patterns review prompts the case manager to reconsider the threshold for a member:
 * `count` low-level concerns in 12 months reaching the school's number, or `sameTheme` (a theme
 * reaching the school's same-theme number) being set. The count is checked first.
 */
export function patternReason(
  count: number,
  sameTheme: string | null,
  school: { patternCount: number },
): 'count' | 'same_theme' | null {
  if (count >= school.patternCount) return 'count';
  if (sameTheme !== null) return 'same_theme';
  return null;
}

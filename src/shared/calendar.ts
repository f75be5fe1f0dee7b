// Working days and school days, for every statutory clock Lantern runs: a subject-access request
// (one calendar month, then the next working day), an educational-record request and a
// child-protection file transfer (school days on the school's term dates), the LADO's next working
// day. Pure and shared, so the browser shows the same due date the server stores.
//
// Dates are calendar dates written 'YYYY-MM-DD' (a day in England, never an instant): arithmetic is
// done on UTC midnights so no time zone or clock change can move a day. Bank holidays are England
// and Wales's, bundled below from GOV.UK's list (https://www.gov.uk/bank-holidays.json); an operator
// can load a newer list (core/calendar.ts reads the bank_holidays table and adds it to these).
//
// Changing this safely: each clock has tests with the worked examples the issues give
// (calendar.test.ts); add a year's bank holidays from GOV.UK's list, never computed by hand.

export type IsoDate = string;

/** England and Wales bank holidays as published by GOV.UK, 2020 to 2028. */
export const ENGLAND_BANK_HOLIDAYS: readonly IsoDate[] = Object.freeze([
  '2020-01-01',
  '2020-04-10',
  '2020-04-13',
  '2020-05-08',
  '2020-05-25',
  '2020-08-31',
  '2020-12-25',
  '2020-12-28',
  '2021-01-01',
  '2021-04-02',
  '2021-04-05',
  '2021-05-03',
  '2021-05-31',
  '2021-08-30',
  '2021-12-27',
  '2021-12-28',
  '2022-01-03',
  '2022-04-15',
  '2022-04-18',
  '2022-05-02',
  '2022-06-02',
  '2022-06-03',
  '2022-08-29',
  '2022-09-19',
  '2022-12-26',
  '2022-12-27',
  '2023-01-02',
  '2023-04-07',
  '2023-04-10',
  '2023-05-01',
  '2023-05-08',
  '2023-05-29',
  '2023-08-28',
  '2023-12-25',
  '2023-12-26',
  '2024-01-01',
  '2024-03-29',
  '2024-04-01',
  '2024-05-06',
  '2024-05-27',
  '2024-08-26',
  '2024-12-25',
  '2024-12-26',
  '2025-01-01',
  '2025-04-18',
  '2025-04-21',
  '2025-05-05',
  '2025-05-26',
  '2025-08-25',
  '2025-12-25',
  '2025-12-26',
  '2026-01-01',
  '2026-04-03',
  '2026-04-06',
  '2026-05-04',
  '2026-05-25',
  '2026-08-31',
  '2026-12-25',
  '2026-12-28',
  '2027-01-01',
  '2027-03-26',
  '2027-03-29',
  '2027-05-03',
  '2027-05-31',
  '2027-08-30',
  '2027-12-27',
  '2027-12-28',
  '2028-01-03',
  '2028-04-14',
  '2028-04-17',
  '2028-05-01',
  '2028-05-29',
  '2028-08-28',
  '2028-12-25',
  '2028-12-26',
]);

/** A term: its first and last day, both school days unless closed. */
export interface Term {
  startsOn: IsoDate;
  endsOn: IsoDate;
}

/** What a clock needs to know about the days: bank holidays, and for school days the terms. */
export interface WorkingCalendar {
  bankHolidays: ReadonlySet<IsoDate>;
  /** The school's terms. None entered: every working day counts as a school day. */
  terms: readonly Term[];
  /** Days inside a term the school is closed (training days, a snow day). */
  closedDays: ReadonlySet<IsoDate>;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

export function isIsoDate(value: string): boolean {
  const m = ISO_DATE.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === value;
}

function toUtc(date: IsoDate): number {
  if (!isIsoDate(date)) throw new RangeError(`not a calendar date (YYYY-MM-DD): ${date}`);
  return Date.parse(`${date}T00:00:00Z`);
}

function fromUtc(ms: number): IsoDate {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The calendar day in England at an instant (GMT or BST as the day falls). */
export function englandDay(at: Date): IsoDate {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(at);
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return fromUtc(toUtc(date) + days * DAY_MS);
}

/** Days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return Math.round((toUtc(to) - toUtc(from)) / DAY_MS);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekday(date: IsoDate): number {
  return new Date(toUtc(date)).getUTCDay();
}

/**
 * The same date `months` later, or that month's last day where the date does not exist (the
 * ICO's "calendar month": received 31 January → 28 or 29 February).
 */
export function addCalendarMonths(date: IsoDate, months: number): IsoDate {
  const d = new Date(toUtc(date));
  const day = d.getUTCDate();
  const target = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1));
  const lastDay = new Date(
    Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0),
  ).getUTCDate();
  target.setUTCDate(Math.min(day, lastDay));
  return fromUtc(target.getTime());
}

export function englandCalendar(
  extra: {
    bankHolidays?: Iterable<IsoDate>;
    terms?: readonly Term[];
    closedDays?: Iterable<IsoDate>;
  } = {},
): WorkingCalendar {
  return {
    bankHolidays: new Set([...ENGLAND_BANK_HOLIDAYS, ...(extra.bankHolidays ?? [])]),
    terms: [...(extra.terms ?? [])].sort((a, b) => (a.startsOn < b.startsOn ? -1 : 1)),
    closedDays: new Set(extra.closedDays ?? []),
  };
}

/** Monday to Friday and not a bank holiday. */
export function isWorkingDay(date: IsoDate, cal: WorkingCalendar): boolean {
  const wd = weekday(date);
  return wd !== 0 && wd !== 6 && !cal.bankHolidays.has(date);
}

/** The date itself when it is a working day, else the next one. */
export function onOrNextWorkingDay(date: IsoDate, cal: WorkingCalendar): IsoDate {
  let d = date;
  while (!isWorkingDay(d, cal)) d = addDays(d, 1);
  return d;
}

/** The `n`th working day after `date` (n ≥ 1; `date` itself is never counted). */
export function addWorkingDays(date: IsoDate, n: number, cal: WorkingCalendar): IsoDate {
  let d = date;
  for (let left = n; left > 0;) {
    d = addDays(d, 1);
    if (isWorkingDay(d, cal)) left -= 1;
  }
  return d;
}

/** A working day inside one of the school's terms and not a closed day (every working day when no terms are entered). */
export function isSchoolDay(date: IsoDate, cal: WorkingCalendar): boolean {
  if (!isWorkingDay(date, cal) || cal.closedDays.has(date)) return false;
  if (cal.terms.length === 0) return true;
  return cal.terms.some((t) => t.startsOn <= date && date <= t.endsOn);
}

/**
 * The `n`th school day after `date` (n ≥ 1; `date` itself is never counted), so a pupil leaving on
 * the last day of a term is due on the nth school day of the next. Returns null when the school's
 * entered terms run out first (the screen asks for next year's term dates).
 */
export function addSchoolDays(date: IsoDate, n: number, cal: WorkingCalendar): IsoDate | null {
  const lastTermDay = cal.terms.reduce<IsoDate | null>(
    (max, t) => (max === null || t.endsOn > max ? t.endsOn : max),
    null,
  );
  let d = date;
  for (let left = n; left > 0;) {
    d = addDays(d, 1);
    if (lastTermDay !== null && d > lastTermDay) return null;
    if (isSchoolDay(d, cal)) left -= 1;
  }
  return d;
}

/** Whether every bundled or loaded bank holiday list reaches this date's year (else a clock may be wrong). */
export function bankHolidaysCover(date: IsoDate, cal: WorkingCalendar): boolean {
  const year = date.slice(0, 4);
  for (const h of cal.bankHolidays) if (h.startsWith(year)) return true;
  return false;
}

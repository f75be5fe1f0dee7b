// Pure arithmetic behind the report tables: days into months, weeks (Monday to Sunday) and the
// school's terms; ages into bands; a median and a percentile. Days are 'YYYY-MM-DD' strings in
// England's calendar, compared as text; nothing here reads a clock or a database.

import { addDays, weekday } from '../../shared/calendar.ts';

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const SHORT = MONTHS.map((m) => m.slice(0, 3));

const asDate = (day: string) => new Date(`${day}T00:00:00Z`);
export type Row = { label: string; values: (number | null)[] };

/** One row per calendar month the range touches, in order, with the days' counts summed. */
export function byMonth(counts: ReadonlyMap<string, number>, from: string, to: string): Row[] {
  const rows: Row[] = [];
  let y = Number(from.slice(0, 4));
  let m = Number(from.slice(5, 7));
  const endKey = to.slice(0, 7);
  for (;;) {
    const key = `${y}-${String(m).padStart(2, '0')}`;
    let n = 0;
    for (const [day, c] of counts) if (day.startsWith(key) && day >= from && day <= to) n += c;
    rows.push({ label: `${MONTHS[m - 1]} ${y}`, values: [n] });
    if (key === endKey) return rows;
    m += 1;
    if (m === 13) [y, m] = [y + 1, 1];
  }
}

/** The Monday on or before a day. */
export function mondayOf(day: string): string {
  return addDays(day, -((weekday(day) + 6) % 7)); // Monday 0 … Sunday 6
}

/** One row per week (Monday to Sunday) the range touches, labelled "w/c 7 Sep 2026". */
export function byWeek(counts: ReadonlyMap<string, number>, from: string, to: string): Row[] {
  const rows: Row[] = [];
  for (let monday = mondayOf(from); monday <= to; monday = addDays(monday, 7)) {
    const sunday = addDays(monday, 6);
    let n = 0;
    for (const [day, c] of counts)
      if (day >= monday && day <= sunday && day >= from && day <= to) n += c;
    const d = asDate(monday);
    rows.push({
      label: `w/c ${d.getUTCDate()} ${SHORT[d.getUTCMonth()]} ${d.getUTCFullYear()}`,
      values: [n],
    });
  }
  return rows;
}

export type Term = { name: string; startsOn: string; endsOn: string };

/**
 * One row per term overlapping the range (only its days inside the range count), then the days
 * in no term (holidays), so the rows add up to every record in the range.
 */
export function byTerm(
  counts: ReadonlyMap<string, number>,
  terms: readonly Term[],
  from: string,
  to: string,
): Row[] {
  const inRange = terms
    .filter((t) => t.endsOn >= from && t.startsOn <= to)
    .sort((a, b) => a.startsOn.localeCompare(b.startsOn));
  const rows: Row[] = inRange.map((t) => {
    let n = 0;
    for (const [day, c] of counts) {
      if (day >= t.startsOn && day <= t.endsOn && day >= from && day <= to) n += c;
    }
    return { label: t.name, values: [n] };
  });
  let outside = 0;
  for (const [day, c] of counts) {
    if (day < from || day > to) continue;
    if (!inRange.some((t) => day >= t.startsOn && day <= t.endsOn)) outside += c;
  }
  rows.push({ label: 'Outside term (holidays)', values: [outside] });
  return rows;
}

/** Bands of days: "Under 30 days", "30 to 89 days", …, "365 days or more". */
export const AGE_BANDS: readonly { label: string; below: number }[] = [
  { label: 'Under 30 days', below: 30 },
  { label: '30 to 89 days', below: 90 },
  { label: '90 to 179 days', below: 180 },
  { label: '180 to 364 days', below: 365 },
  { label: '365 days or more', below: Number.POSITIVE_INFINITY },
];

export function ageBands(ages: readonly number[]): Row[] {
  return AGE_BANDS.map((band, i) => {
    const above = i === 0 ? Number.NEGATIVE_INFINITY : AGE_BANDS[i - 1]!.below;
    return { label: band.label, values: [ages.filter((a) => a >= above && a < band.below).length] };
  });
}

/**
 * The p-th percentile (0–100) by the nearest-rank method: the smallest value with at least p % of
 * the values at or below it; null for no values. The median is the 50th.
 */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

/** The academic year (1 September to 31 August) a day falls in: its first day. */
export function academicYearStart(day: string): string {
  const y = Number(day.slice(0, 4));
  return day.slice(5) >= '09-01' ? `${y}-09-01` : `${y - 1}-09-01`;
}

// The governors' pack covers only whole fixed periods (issue 20): a term of the school's calendar,
// an academic year (1 September to 31 August) or a calendar month. What it protects: two packs
// cut from the same figures over ranges that overlap in part would let a reader subtract one from
// the other and recover a small count the suppression hid (the sliver of days one covers and the
// other does not). So an arbitrary range is refused, so is a period not yet ended, and a pack may
// not overlap in part any pack already released: its period is either exactly a released pack's
// or clear of it; and a further version of a released period is released only if its tables are
// the same. Checked when a pack is prepared and again when it is released, under the school's
// row lock (another may have been released meanwhile). Packs released before this rule, over any range, stay readable and
// count as released periods. To change safely: keep both checks, and pack-periods.test.ts passing.
import type { Tx } from '../../core/context.ts';
import { badRequest, conflict } from '../../core/errors.ts';
import { addCalendarMonths, addDays, englandDay } from '../../shared/calendar.ts';
import type { NewPack, PackPeriod } from '../../shared/schemas/reports.ts';
import { academicYearStart } from './buckets.ts';
import type { Range } from './figures.ts';

const MONTHS = new Intl.DateTimeFormat('en-GB', {
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
});
const monthLabel = (first: string) => MONTHS.format(new Date(`${first}T00:00:00Z`));
const monthEnd = (first: string) => addDays(addCalendarMonths(first, 1), -1);
const yearOf = (from: string): PackPeriod => {
  const y = Number(from.slice(0, 4));
  return {
    kind: 'academic_year',
    label: `Academic year ${y} to ${y + 1}`,
    from,
    to: `${y + 1}-08-31`,
  };
};

async function terms(t: Tx): Promise<PackPeriod[]> {
  const rows = await t.q<{ name: string; from: string; to: string }>(
    `SELECT name, starts_on::text AS from, ends_on::text AS to FROM school_terms
     ORDER BY starts_on DESC LIMIT 40`,
  );
  return rows.map((r) => ({ kind: 'term', label: `${r.name} (term)`, from: r.from, to: r.to }));
}

/** The range the request names: the last completed academic year when it names none. */
export function packRange(body: NewPack, now: Date): Range {
  if (body.from === undefined && body.to === undefined) {
    const thisYear = academicYearStart(englandDay(now));
    const year = yearOf(`${Number(thisYear.slice(0, 4)) - 1}${thisYear.slice(4)}`);
    return { from: year.from, to: year.to };
  }
  if (body.from === undefined || body.to === undefined)
    throw badRequest(
      'Give both the first and the last day of the period, or neither for the last completed academic year.',
      'bad_range',
    );
  if (body.to < body.from)
    throw badRequest('The “To date” must be on or after the “From date”.', 'bad_range');
  return { from: body.from, to: body.to };
}

/** The fixed period the range is exactly, or a refusal saying which periods a pack may cover. */
export async function fixedPeriodOf(t: Tx, range: Range): Promise<PackPeriod> {
  const { from, to } = range;
  let period: PackPeriod | undefined;
  if (from.endsWith('-01') && monthEnd(from) === to)
    period = { kind: 'month', label: monthLabel(from), from, to };
  else if (from.slice(5) === '09-01' && yearOf(from).to === to) period = yearOf(from);
  else period = (await terms(t)).find((p) => p.from === from && p.to === to);
  if (!period)
    throw badRequest(
      `A governors’ pack covers a whole term of the school’s calendar, a whole academic year (1 September to 31 August) or a whole calendar month, not ${from} to ${to}: packs over ranges that overlap in part could be subtracted to reveal a small number. Choose one of the periods offered.`,
      'not_a_fixed_period',
    );
  // Only a period that has ended: one still running would change from version to version, and
  // two versions of it could be subtracted one from the other.
  if (to >= englandDay(t.now))
    throw badRequest(
      `${period.label} has not ended yet: a pack covers only a period whose last day has passed.`,
      'not_ended',
    );
  return period;
}

/** Refuses a period that overlaps in part the period of a pack already released. */
export async function refusePartialOverlap(t: Tx, range: Range, except?: string): Promise<void> {
  const [clash] = await t.q<{ version: number; from: string; to: string }>(
    `SELECT version, from_day::text AS from, to_day::text AS to FROM governors_packs
     WHERE released_at IS NOT NULL AND from_day <= $2::date AND to_day >= $1::date
       AND NOT (from_day = $1::date AND to_day = $2::date) AND id IS DISTINCT FROM $3::uuid
     ORDER BY version LIMIT 1`,
    [range.from, range.to, except ?? null],
  );
  if (clash)
    throw conflict(
      `Version ${clash.version}, already released, covers ${clash.from} to ${clash.to}, which shares days with ${range.from} to ${range.to}: a reader could subtract one pack from the other to reveal a small number. Prepare a pack for exactly that period, or for one that shares none of its days.`,
    );
}

/**
 * Refuses a further version of a period already released unless its tables are exactly the
 * released one's (the same digest): two released versions that differ could be subtracted to
 * reveal a small number (a record backdated into the period, a pupil who moved year group).
 */
export async function refuseChangedRelease(
  t: Tx,
  range: Range,
  sha256: string,
  except?: string,
): Promise<void> {
  const [released] = await t.q<{ version: number }>(
    `SELECT version FROM governors_packs
     WHERE released_at IS NOT NULL AND from_day = $1::date AND to_day = $2::date
       AND sha256 <> $3 AND id IS DISTINCT FROM $4::uuid
     ORDER BY version LIMIT 1`,
    [range.from, range.to, sha256, except ?? null],
  );
  if (released)
    throw conflict(
      `Version ${released.version}, already released, covers ${range.from} to ${range.to} and its figures differ from these: releasing both would let a reader subtract one from the other to reveal a small number. Governors keep version ${released.version}; if it is wrong, ask the DSL to explain the change to them in writing rather than releasing another version.`,
    );
}

/** The periods offered to the DSL team (only those ended): terms, three academic years, 12 months. */
export async function periodChoices(t: Tx): Promise<PackPeriod[]> {
  const today = englandDay(t.now);
  const out: PackPeriod[] = (await terms(t)).filter((p) => p.to < today);
  const thisYear = academicYearStart(today);
  for (let i = 1; i <= 3; i++)
    out.push(yearOf(`${Number(thisYear.slice(0, 4)) - i}${thisYear.slice(4)}`));
  const thisMonth = `${today.slice(0, 7)}-01`;
  for (let i = 1; i <= 12; i++) {
    const first = addCalendarMonths(thisMonth, -i);
    out.push({ kind: 'month', label: monthLabel(first), from: first, to: monthEnd(first) });
  }
  return out;
}

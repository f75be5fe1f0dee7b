// The school's working calendar as the statutory clocks need it: the bundled England and Wales
// bank holidays plus any the operator loaded (bank_holidays), and the school's own terms and closed
// days (school_terms, school_closed_days; migration 0034). Read inside the school's transaction,
// so row-level security keeps it to that school.
import type { Queryable } from '../platform/db/engine.ts';
import { englandCalendar, type WorkingCalendar } from '../shared/calendar.ts';

const asDate = (v: unknown): string =>
  v instanceof Date ? v.toISOString().slice(0, 10) : String(v).slice(0, 10);

export async function loadSchoolCalendar(q: Queryable, schoolId: string): Promise<WorkingCalendar> {
  const [holidays, terms, closed] = [
    await q.query<{ on_date: unknown }>('SELECT on_date FROM bank_holidays'),
    await q.query<{ starts_on: unknown; ends_on: unknown }>(
      'SELECT starts_on, ends_on FROM school_terms WHERE school_id = $1 ORDER BY starts_on',
      [schoolId],
    ),
    await q.query<{ on_date: unknown }>(
      'SELECT on_date FROM school_closed_days WHERE school_id = $1',
      [schoolId],
    ),
  ];
  return englandCalendar({
    bankHolidays: holidays.map((h) => asDate(h.on_date)),
    terms: terms.map((t) => ({ startsOn: asDate(t.starts_on), endsOn: asDate(t.ends_on) })),
    closedDays: closed.map((c) => asDate(c.on_date)),
  });
}

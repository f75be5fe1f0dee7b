import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { Services } from '../platform/services.ts';
import { inSchool, unsafeAsOwner } from '../platform/db/tenancy.ts';
import { addSchoolDays, addWorkingDays } from '../shared/calendar.ts';
import { makeSchool, testServices } from '../test/harness.ts';
import { loadSchoolCalendar } from './calendar.ts';

let s: Services;
beforeAll(async () => {
  s = await testServices();
});
afterAll(async () => s.db.close());

describe('a school’s working calendar', () => {
  it('joins the bundled bank holidays, those the operator loaded, and only this school’s terms', async () => {
    const mine = await makeSchool(s);
    const other = await makeSchool(s);
    await unsafeAsOwner(s.db, async (tx) => {
      await tx.query(
        `INSERT INTO bank_holidays (on_date, title, loaded_at) VALUES ('2031-01-01', 'New Year’s Day', now())
         ON CONFLICT (on_date) DO NOTHING`,
      );
      await tx.query(
        `INSERT INTO school_terms (id, school_id, name, starts_on, ends_on) VALUES
           ($1, $3, 'Spring', '2026-01-05', '2026-03-27'), ($2, $4, 'Spring', '2026-01-05', '2026-03-13')`,
        [randomUUID(), randomUUID(), mine, other],
      );
      await tx.query(
        `INSERT INTO school_closed_days (school_id, on_date, reason) VALUES ($1, '2026-03-16', 'Training day')`,
        [mine],
      );
    });
    const cal = await inSchool(s.db, mine, (tx) => loadSchoolCalendar(tx, mine));
    expect(cal.bankHolidays.has('2031-01-01')).toBe(true);
    expect(cal.bankHolidays.has('2026-12-28')).toBe(true);
    expect(cal.terms).toEqual([{ startsOn: '2026-01-05', endsOn: '2026-03-27' }]);
    // The training day moves the fifth school day after Wed 11 March from the 18th to the 19th.
    expect(addSchoolDays('2026-03-11', 5, cal)).toBe('2026-03-19');
    expect(addWorkingDays('2030-12-31', 1, cal)).toBe('2031-01-02');
  });
});

// The school calendar (issue 18): administrators list, add and remove terms and closed days, each
// change audited; a bad term is refused naming what is wrong, nothing written; other roles are
// refused; the clocks read what was entered (core/calendar.ts). And the operator's GOV.UK bank
// holiday list: loaded all or nothing, a bad file refused with a clear message.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, makeSchool, makeUser, signIn, testApp, type TestApp } from '../../test/harness.ts';
import { auditRows, errorOf } from '../identity/identity-test-kit.ts';
import type { CalendarView } from '../../shared/schemas/calendar.ts';
import { asSystem } from '../../core/context.ts';
import { loadSchoolCalendar } from '../../core/calendar.ts';
import { addSchoolDays } from '../../shared/calendar.ts';
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';
import { BankHolidayFileError, loadBankHolidays, parseBankHolidays } from './bank-holidays.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ config: { logLevel: 'error' } });
  t.services.mailer = { send: () => Promise.resolve() };
});
afterAll(async () => t.close());

async function school() {
  const schoolId = await makeSchool(t.services);
  const admin = await signIn(t.app, await makeUser(t.services, schoolId, 'school_admin'), {
    elevated: true,
  });
  return { schoolId, admin };
}

describe('the school calendar', () => {
  it('lets an administrator add and remove terms and closed days, each audited', async () => {
    const { schoolId, admin } = await school();
    const term = await call(t.app, admin, 'POST', '/api/calendar/terms', {
      name: 'Spring 2026',
      startsOn: '2026-01-05',
      endsOn: '2026-03-27',
    });
    expect(term.statusCode, term.body).toBe(201);
    const closed = await call(t.app, admin, 'POST', '/api/calendar/closed-days', {
      date: '2026-03-12',
      reason: 'INSET day',
    });
    expect(closed.statusCode, closed.body).toBe(201);
    const view = (await call(t.app, admin, 'GET', '/api/calendar')).json<CalendarView>();
    expect(view).toMatchObject({
      terms: [{ name: 'Spring 2026', startsOn: '2026-01-05', endsOn: '2026-03-27' }],
      closedDays: [{ date: '2026-03-12', reason: 'INSET day' }],
      allowed: ['edit'],
    });

    // The clocks count what was entered: the INSET day is skipped.
    const cal = await asSystem(t.services, schoolId, 'scheduled').tx((tx) =>
      loadSchoolCalendar(tx.db, schoolId),
    );
    expect(addSchoolDays('2026-03-11', 5, cal)).toBe('2026-03-19');

    const id = term.json<{ id: string }>().id;
    expect((await call(t.app, admin, 'POST', `/api/calendar/terms/${id}/remove`)).statusCode).toBe(
      200,
    );
    const removed = await call(t.app, admin, 'POST', '/api/calendar/closed-days/2026-03-12/remove');
    expect(removed.statusCode, removed.body).toBe(200);
    expect((await call(t.app, admin, 'GET', '/api/calendar')).json<CalendarView>()).toMatchObject({
      terms: [],
      closedDays: [],
    });
    const actions = (await auditRows(t, schoolId))
      .map((r) => r.action)
      .filter((a) => a.startsWith('calendar.'));
    expect(actions).toEqual([
      'calendar.term_added',
      'calendar.closed_day_added',
      'calendar.term_removed',
      'calendar.closed_day_removed',
    ]);
  });

  it('refuses a backwards, overlong or overlapping term, and a repeated closed day', async () => {
    const { schoolId, admin } = await school();
    const add = (startsOn: string, endsOn: string) =>
      call(t.app, admin, 'POST', '/api/calendar/terms', { name: 'Term', startsOn, endsOn });
    const backwards = await add('2026-03-27', '2026-01-05');
    expect(backwards.statusCode).toBe(400);
    expect(errorOf(backwards).message).toMatch(/end on or after/);
    expect((await add('2026-01-05', '2026-12-31')).statusCode).toBe(400);
    expect((await add('2026-01-05', '2026-03-27')).statusCode).toBe(201);
    const overlap = await add('2026-03-20', '2026-04-30');
    expect(overlap.statusCode).toBe(409);
    expect(errorOf(overlap).message).toMatch(/overlap/);
    expect((await add('2026-02-30', '2026-03-01')).statusCode).toBe(400);
    const day = { date: '2026-02-16', reason: 'Snow' };
    expect((await call(t.app, admin, 'POST', '/api/calendar/closed-days', day)).statusCode).toBe(
      201,
    );
    expect((await call(t.app, admin, 'POST', '/api/calendar/closed-days', day)).statusCode).toBe(
      409,
    );
    const view = (await call(t.app, admin, 'GET', '/api/calendar')).json<CalendarView>();
    expect(view.terms).toHaveLength(1);
    expect(view.closedDays).toHaveLength(1);
    expect(
      (await auditRows(t, schoolId)).filter((r) => r.action.startsWith('calendar.')),
    ).toHaveLength(2);
  });

  it('is refused to a teacher and to another school', async () => {
    const { admin } = await school();
    const term = await call(t.app, admin, 'POST', '/api/calendar/terms', {
      name: 'Summer',
      startsOn: '2026-04-20',
      endsOn: '2026-07-22',
    });
    const other = await school();
    const teacher = await signIn(t.app, await makeUser(t.services, other.schoolId, 'teacher'), {
      elevated: true,
    });
    expect((await call(t.app, teacher, 'GET', '/api/calendar')).statusCode).toBe(403);
    const id = term.json<{ id: string }>().id;
    const cross = await call(t.app, other.admin, 'POST', `/api/calendar/terms/${id}/remove`);
    expect(cross.statusCode).toBe(404);
    expect(
      (await call(t.app, admin, 'GET', '/api/calendar')).json<CalendarView>().terms,
    ).toHaveLength(1);
  });
});

describe("the operator's bank holiday list", () => {
  const govuk = (events: unknown[]) =>
    JSON.stringify({
      'england-and-wales': { division: 'england-and-wales', events },
      scotland: { division: 'scotland', events: [] },
    });

  it("loads GOV.UK's England and Wales events, and the clocks count them", async () => {
    const file = govuk([
      { title: 'A new holiday', date: '2029-01-01', notes: '', bunting: true },
      { title: 'Another', date: '2029-12-25', notes: '', bunting: true },
    ]);
    const r = await loadBankHolidays(t.services, parseBankHolidays(file));
    expect(r).toEqual({ loaded: 2, first: '2029-01-01', last: '2029-12-25' });
    const rows = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ title: string }>(`SELECT title FROM bank_holidays WHERE on_date = '2029-01-01'`),
    );
    expect(rows).toEqual([{ title: 'A new holiday' }]);
  });

  it('refuses a file that is not the shape, or has one bad event, with a clear message', () => {
    expect(() => parseBankHolidays('not json')).toThrow(/not JSON/);
    expect(() => parseBankHolidays('{"scotland":{}}')).toThrow(/england-and-wales/);
    expect(() =>
      parseBankHolidays(
        govuk([
          { title: 'Good', date: '2029-01-01' },
          { title: 'Bad', date: '2029-02-30' },
        ]),
      ),
    ).toThrow(/Event 2 .* no valid "date"/);
    expect(() => parseBankHolidays(govuk([{ date: '2029-01-01' }]))).toThrow(BankHolidayFileError);
  });
});

// Reports through the API on a fixed calendar (issue 20). A teacher logs four records; the DSL
// and a pastoral lead (no restricted categories) read the figures for 1 Jan – 20 Mar 2026:
//   c1  Ava (Year 7, F)          Bullying            10 Jan (Spring 1)
//   c2  Ava and Ben (Year 8, M)  Bullying + Mental health  16 Feb (half term: no term)
//   c3  Ben                      a restricted one    2 Mar  (Spring 2)
//   c4  Cal (Year 7, sex not recorded)  Mental health      31 Dec 2025 (before the range)
// Ben has a child-protection plan from 1 Feb. The DSL refers Ava from c1 on 20 Mar at noon.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';
import type { Pack, PackSummary, Report, ReportTable } from '../../shared/schemas/reports.ts';
import {
  call,
  categoryIds,
  makePupil,
  makeSchool,
  makeUser,
  signIn,
  testApp,
  testClock,
  type Session,
  type TestApp,
} from '../../test/harness.ts';

let t: TestApp;
const clock = testClock(new Date('2026-03-20T12:00:00Z'));
let dsl: Session;
let pastoral: Session;
let teacher: Session;
let schoolId: string;
const RANGE = 'from=2026-01-01&to=2026-03-20';

async function post(s: Session, url: string, body: unknown): Promise<string> {
  const res = await call(t.app, s, 'POST', url, body);
  expect(res.statusCode, `${url}: ${res.body}`).toBeLessThan(300);
  return res.json<{ id: string }>().id;
}

beforeAll(async () => {
  t = await testApp({ clock });
  schoolId = await makeSchool(t.services);
  const dslUser = await makeUser(t.services, schoolId, 'dsl', 'Dee Lead');
  const teacherUser = await makeUser(t.services, schoolId, 'teacher', 'Tia Teach');
  const pastoralUser = await makeUser(t.services, schoolId, 'teacher', 'Pat Oral');
  await unsafeAsOwner(t.services.db, (q) =>
    q.query(
      `INSERT INTO staff_group_members (school_id, group_id, user_id)
       SELECT $1, id, $2 FROM staff_groups WHERE school_id = $1 AND key = 'pastoral'`,
      [schoolId, pastoralUser.id],
    ),
  );
  const ava = await makePupil(t.services, schoolId, { firstName: 'Ava', yearGroup: 'Year 7' });
  const ben = await makePupil(t.services, schoolId, { firstName: 'Ben', yearGroup: 'Year 8' });
  const cal = await makePupil(t.services, schoolId, { firstName: 'Cal', yearGroup: 'Year 7' });
  await unsafeAsOwner(t.services.db, (q) =>
    q.query(
      `UPDATE pupils SET gender = CASE id WHEN $1 THEN 'F' WHEN $2 THEN 'M' END WHERE id IN ($1, $2)`,
      [ava.id, ben.id],
    ),
  );
  await unsafeAsOwner(t.services.db, (q) =>
    q.query(
      `INSERT INTO school_terms (id, school_id, name, starts_on, ends_on) VALUES
        (gen_random_uuid(), $1, 'Spring 1', '2026-01-05', '2026-02-13'),
        (gen_random_uuid(), $1, 'Spring 2', '2026-02-23', '2026-03-27')`,
      [schoolId],
    ),
  );
  const cats = await categoryIds(t.services, schoolId);
  const bullying = cats.find((c) => c.name === 'Bullying')!.id;
  const mental = cats.find((c) => c.name === 'Mental health')!.id;
  const restricted = cats.find((c) => c.restricted)!.id;
  dsl = await signIn(t.app, dslUser, { elevated: true });
  pastoral = await signIn(t.app, pastoralUser, { elevated: true });
  teacher = await signIn(t.app, teacherUser);
  const log = (pupils: string[], categoryIds: string[], happenedAt: string) =>
    post(teacher, '/api/concerns', {
      pupils: pupils.map((pupilId) => ({ pupilId, role: 'subject' })),
      categoryIds,
      happenedAt,
      body: 'A worry written for the report fixture.',
    });
  const c1 = await log([ava.id], [bullying], '2026-01-10T10:00:00Z');
  await log([ava.id, ben.id], [bullying, mental], '2026-02-16T09:00:00Z');
  await log([ben.id], [restricted], '2026-03-02T14:00:00Z');
  await log([cal.id], [mental], '2025-12-31T15:00:00Z');
  await post(dsl, `/api/pupils/${ben.id}/flags`, { flag: 'cp_plan', startsOn: '2026-02-01' });
  const agencies = await call(t.app, dsl, 'GET', '/api/referral-agencies');
  const agency = agencies.json<{ items: { id: string; name: string }[] }>().items[0]!;
  await post(dsl, '/api/referrals', {
    pupilId: ava.id,
    agencyId: agency.id,
    referredAt: '2026-03-20T12:00:00Z',
    concernId: c1,
  });
  await post(dsl, '/api/cases', { pupilId: ava.id });
}, 120_000);
afterAll(async () => t.close());

async function report(s: Session, query = RANGE): Promise<Report> {
  const res = await call(t.app, s, 'GET', `/api/reports?${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<Report>();
}
const tableOf = (r: Report, id: string): ReportTable => {
  const found = r.tables.find((x) => x.id === id);
  expect(found, id).toBeDefined();
  return found!;
};
const values = (tbl: ReportTable) =>
  Object.fromEntries(
    [...tbl.rows, ...(tbl.total ? [tbl.total] : [])].map((r) => [r.label, r.values]),
  );

describe('reports', () => {
  it('counts the DSL’s records by category (a record in two counts in each), month, week and term', async () => {
    const r = await report(dsl);
    expect(r).toMatchObject({ from: '2026-01-01', to: '2026-03-20', withheld: [] });
    // The DSL team may prepare the inspection pack: the page's link is sent, not worked out.
    expect(r.allowed).toEqual(['inspection_pack']);
    const byCategory = values(tableOf(r, 'records_by_category'));
    expect(byCategory['Bullying']).toEqual([2]);
    expect(byCategory['Mental health']).toEqual([1]);
    expect(byCategory['Child protection']).toEqual([1]);
    expect(byCategory['All records']).toEqual([3]);
    expect(Object.keys(byCategory)).toHaveLength(4);
    expect(values(tableOf(r, 'records_by_month'))).toEqual({
      'January 2026': [1],
      'February 2026': [1],
      'March 2026': [1],
    });
    const weeks = values(tableOf(r, 'records_by_week'));
    expect(weeks['w/c 29 Dec 2025']).toEqual([0]); // 31 Dec is before the range
    expect(weeks['w/c 5 Jan 2026']).toEqual([1]);
    expect(weeks['w/c 16 Feb 2026']).toEqual([1]);
    expect(weeks['w/c 16 Mar 2026']).toEqual([0]);
    expect(values(tableOf(r, 'records_by_term'))).toEqual({
      'Spring 1': [1],
      'Spring 2': [1],
      'Outside term (holidays)': [1],
      'All records': [3],
    });
    for (const tbl of r.tables) expect(tbl.definition.length).toBeGreaterThan(60);
  });

  it('counts pupils once however many records, by year group, sex and vulnerable group', async () => {
    const r = await report(dsl);
    expect(values(tableOf(r, 'pupils_by_year'))).toEqual({
      'Year 7': [1, 2, 50],
      'Year 8': [1, 1, 100],
    });
    expect(values(tableOf(r, 'pupils_by_sex'))).toEqual({
      Female: [1, 1, 100],
      Male: [1, 1, 100],
      'Not recorded': [0, 1, 0],
    });
    const groups = values(tableOf(r, 'pupils_by_group'));
    expect(groups['Child protection plan']).toEqual([1, 1, 100]);
    expect(groups['Looked after']).toEqual([0, 0, null]);
  });

  it('gives the DSL team case work: open cases, referrals with days from concern, alert times', async () => {
    const r = await report(dsl);
    expect(values(tableOf(r, 'open_cases_by_age'))['All open cases']).toEqual([1]);
    const referrals = tableOf(r, 'referrals_by_agency');
    // 10 Jan 10:00 to 20 Mar 12:00 is 69.08 days; no response yet, and not yet due (no share).
    expect(referrals.total).toEqual({ label: 'All referrals', values: [1, 0, 0, null, 69.1] });
    // Each record alerts its categories' teams: the DSL for all four, the pastoral lead for the
    // two about bullying; none acknowledged yet.
    expect(values(tableOf(r, 'alert_acknowledgement'))['All alerts']).toEqual([6, 0, null, null]);
  });

  it('counts for a pastoral lead only the records they may see, and withholds case work', async () => {
    const r = await report(pastoral);
    const byCategory = values(tableOf(r, 'records_by_category'));
    expect(byCategory['All records']).toEqual([2]);
    expect(Object.keys(byCategory).sort()).toEqual(['All records', 'Bullying', 'Mental health']);
    expect(r.tables.map((x) => x.id)).not.toContain('referrals_by_agency');
    expect(r.withheld).toHaveLength(1);
    expect(r.allowed).toEqual([]);
  });

  it('refuses a range that runs backwards or is too long, and a member without reports', async () => {
    const backwards = await call(t.app, dsl, 'GET', '/api/reports?from=2026-03-01&to=2026-02-01');
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json<{ error: { message: string } }>().error.message).toMatch(/on or after/);
    const long = await call(t.app, dsl, 'GET', '/api/reports?from=2020-01-01&to=2026-03-01');
    expect(long.statusCode).toBe(400);
    expect((await call(t.app, teacher, 'GET', `/api/reports?${RANGE}`)).statusCode).toBe(403);
  });

  it('exports the same figures as CSV and PDF, and audits each view and export', async () => {
    const csv = await call(t.app, dsl, 'GET', `/api/reports/export.csv?${RANGE}`);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.body).toContain('Records by category,Bullying,Records,2');
    expect(csv.body).toContain('Records by term,Outside term (holidays),Records,1');
    const pdf = await call(t.app, dsl, 'GET', `/api/reports/export.pdf?${RANGE}`);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    const audited = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ action: string; details: Record<string, unknown> }>(
        `SELECT action, details FROM audit_events
          WHERE school_id = $1 AND action LIKE 'reports.%' ORDER BY seq`,
        [schoolId],
      ),
    );
    expect(audited.map((a) => a.action)).toContain('reports.viewed');
    expect(
      audited.filter((a) => a.action === 'reports.exported').map((a) => a.details['format']),
    ).toEqual(['csv', 'pdf']);
  });

  it('gives the DSL team the local-authority return, counts with no identifiers', async () => {
    const res = await call(t.app, dsl, 'GET', `/api/reports/la-return.csv?${RANGE}`);
    expect(res.statusCode).toBe(200);
    const lines = res.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split(/\r?\n/);
    expect(lines).toContain('Records logged,3');
    expect(lines).toContain('Pupils on roll with at least one record,2');
    expect(lines).toContain('Pupils with a child protection plan,1');
    expect(lines).toContain('Referrals to all agencies,1');
    expect(lines).toContain('Cases open today,1');
    expect(res.body).not.toMatch(/Ava|Ben|Cal/);
    // Ben leaves: he still counts among records, but not among pupils on roll.
    const archive = (at: string | null) =>
      unsafeAsOwner(t.services.db, (q) =>
        q.query('UPDATE pupils SET archived_at = $2 WHERE school_id = $1 AND first_name = $3', [
          schoolId,
          at,
          'Ben',
        ]),
      );
    await archive('2026-03-19T00:00:00Z');
    try {
      const after = await call(t.app, dsl, 'GET', `/api/reports/la-return.csv?${RANGE}`);
      expect(after.body).toContain('Pupils on roll with at least one record,1');
      expect(after.body).toContain('Pupils on roll,2');
    } finally {
      await archive(null);
    }
    expect(
      (await call(t.app, pastoral, 'GET', `/api/reports/la-return.csv?${RANGE}`)).statusCode,
    ).toBe(403);
  });

  it('prepares a governors’ pack with small numbers suppressed, released only by the DSL team', async () => {
    const refusedPrepare = await call(t.app, pastoral, 'POST', '/api/reports/governors-packs', {});
    expect(refusedPrepare.statusCode).toBe(403);
    // A whole fixed period, ended, only (pack-periods.test.ts): the Spring 1 term, holding c1.
    const dslPrepared = await call(t.app, dsl, 'POST', '/api/reports/governors-packs', {
      from: '2026-01-05',
      to: '2026-02-13',
    });
    expect(dslPrepared.statusCode, dslPrepared.body).toBe(201);
    const pack = dslPrepared.json<PackSummary>();
    expect(pack).toMatchObject({ version: 1, releasedAt: null, allowed: { release: true } });
    // Before release the version is the DSL team's alone.
    const pastoralList = await call(t.app, pastoral, 'GET', '/api/reports/governors-packs');
    expect(pastoralList.json()).toEqual({ items: [], canPrepare: false, periods: [] });
    const draftRead = await call(t.app, pastoral, 'GET', `/api/reports/governors-packs/${pack.id}`);
    expect(draftRead.statusCode).toBe(404);

    const read = await call(t.app, dsl, 'GET', `/api/reports/governors-packs/${pack.id}`);
    expect(read.statusCode).toBe(200);
    const body = read.json<Pack>();
    const byCategory = body.tables.find((x) => x.id === 'records_by_category')!;
    expect(byCategory.rows.find((r) => r.label === 'Bullying')!.values).toEqual(['<5']);
    expect(byCategory.total).toBeUndefined(); // "All records" is on the term table only
    expect(body.tables.find((x) => x.id === 'records_by_term')!.total!.values).toEqual(['<5']);
    expect(body.tables.map((x) => x.id)).not.toContain('records_by_month');
    // Shares and medians are left out: counts only.
    expect(body.tables.find((x) => x.id === 'pupils_by_year')!.columns).toEqual([
      'Year group',
      'With a record',
      'On roll',
    ]);
    // No count from 1 to 4 anywhere in what the API gives back for the pack.
    const cells = body.tables.flatMap((x) =>
      [...x.rows, ...(x.total ? [x.total] : [])].flatMap((r) => r.values),
    );
    expect(cells.filter((v) => typeof v === 'number' && v >= 1 && v <= 4)).toEqual([]);
    expect(cells).toContain('<5');

    const early = await call(t.app, dsl, 'GET', `/api/reports/governors-packs/${pack.id}/pdf`);
    expect(early.statusCode).toBe(409);
    const refused = await call(
      t.app,
      pastoral,
      'POST',
      `/api/reports/governors-packs/${pack.id}/release`,
    );
    expect(refused.statusCode).toBe(403);
    expect(refused.json<{ error: { message: string } }>().error.message).toMatch(/DSL team/);
    const released = await call(
      t.app,
      dsl,
      'POST',
      `/api/reports/governors-packs/${pack.id}/release`,
    );
    expect(released.statusCode, released.body).toBe(200);
    expect(released.json<PackSummary>()).toMatchObject({ releasedBy: 'Dee Lead' });
    const again = await call(t.app, dsl, 'POST', `/api/reports/governors-packs/${pack.id}/release`);
    expect(again.statusCode).toBe(409);
    const pdf = await call(t.app, pastoral, 'GET', `/api/reports/governors-packs/${pack.id}/pdf`);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    const list = await call(t.app, pastoral, 'GET', '/api/reports/governors-packs');
    expect(list.json<{ items: PackSummary[] }>().items.map((p) => p.version)).toEqual([1]);
    const audited = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ action: string }>(
        `SELECT action FROM audit_events WHERE school_id = $1 AND action LIKE 'reports.pack_%' ORDER BY seq`,
        [schoolId],
      ),
    );
    expect(audited.map((a) => a.action)).toEqual([
      'reports.pack_prepared',
      'reports.pack_viewed',
      'reports.pack_released',
      'reports.pack_downloaded',
    ]);
  });
});

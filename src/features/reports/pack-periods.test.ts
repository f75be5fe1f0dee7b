// Governors' packs over whole fixed periods only (issue 20), through the API on 20 March 2026: a
// calendar month, a term of the school's calendar and an academic year, each ended, are prepared
// (the last completed academic year by default); an arbitrary range, half a range, and a period
// not yet ended are refused with a message and write nothing; a pack sharing days with a released
// one (but not its exact period) is refused when prepared and when released; a new version of a
// released period is released only with the very same tables; a pack released before the rule,
// over any range, stays readable and downloadable and still blocks packs that share its days.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';
import type { PackList, PackSummary } from '../../shared/schemas/reports.ts';
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
beforeAll(async () => {
  t = await testApp({ clock });
});
afterAll(async () => t.close());

async function school() {
  const schoolId = await makeSchool(t.services);
  await unsafeAsOwner(t.services.db, (q) =>
    q.query(
      `INSERT INTO school_terms (id, school_id, name, starts_on, ends_on) VALUES
        (gen_random_uuid(), $1, 'Spring 1', '2026-01-05', '2026-02-13'),
        (gen_random_uuid(), $1, 'Spring 2', '2026-02-23', '2026-03-27'),
        (gen_random_uuid(), $1, 'Summer 1', '2026-04-13', '2026-05-22')`,
      [schoolId],
    ),
  );
  const dsl = await signIn(t.app, await makeUser(t.services, schoolId, 'dsl', 'Dee Lead'), {
    elevated: true,
  });
  return { schoolId, dsl };
}

const prepare = (s: Session, body: object) =>
  call(t.app, s, 'POST', '/api/reports/governors-packs', body);
const release = (s: Session, id: string) =>
  call(t.app, s, 'POST', `/api/reports/governors-packs/${id}/release`);
const packCount = async (schoolId: string) =>
  (
    await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM governors_packs WHERE school_id = $1',
        [schoolId],
      ),
    )
  )[0]!.n;

describe('governors’ packs for fixed periods', () => {
  it('offers and prepares a month, a term and an academic year; refuses anything else, writing nothing', async () => {
    const s = await school();
    const list = (await call(t.app, s.dsl, 'GET', '/api/reports/governors-packs')).json<PackList>();
    expect(list.periods).toEqual(
      expect.arrayContaining([
        { kind: 'term', label: 'Spring 1 (term)', from: '2026-01-05', to: '2026-02-13' },
        {
          kind: 'academic_year',
          label: 'Academic year 2024 to 2025',
          from: '2024-09-01',
          to: '2025-08-31',
        },
        { kind: 'month', label: 'February 2026', from: '2026-02-01', to: '2026-02-28' },
      ]),
    );
    // Not ended: Spring 2 (until 27 March), March, this academic year, Summer 1.
    const labels = list.periods.map((p) => p.label);
    for (const open of [
      'Spring 2 (term)',
      'Summer 1 (term)',
      'March 2026',
      'Academic year 2025 to 2026',
    ])
      expect(labels).not.toContain(open);

    for (const body of [
      { from: '2026-02-01', to: '2026-02-28' },
      { from: '2026-01-05', to: '2026-02-13' },
      {}, // the last completed academic year
    ]) {
      const made = await prepare(s.dsl, body);
      expect(made.statusCode, made.body).toBe(201);
    }
    const packs = (
      await call(t.app, s.dsl, 'GET', '/api/reports/governors-packs')
    ).json<PackList>();
    expect(packs.items.map((p) => `${p.from}..${p.to}`)).toEqual([
      '2024-09-01..2025-08-31',
      '2026-01-05..2026-02-13',
      '2026-02-01..2026-02-28',
    ]);

    const before = await packCount(s.schoolId);
    const arbitrary = await prepare(s.dsl, { from: '2026-01-01', to: '2026-03-20' });
    expect(arbitrary.statusCode).toBe(400);
    expect(arbitrary.json<{ error: { code: string; message: string } }>().error).toMatchObject({
      code: 'not_a_fixed_period',
      message: expect.stringContaining('a whole term of the school’s calendar') as string,
    });
    const almostAMonth = await prepare(s.dsl, { from: '2026-02-01', to: '2026-02-27' });
    expect(almostAMonth.statusCode).toBe(400);
    const half = await prepare(s.dsl, { from: '2026-02-01' });
    expect(half.statusCode).toBe(400);
    expect(half.body).toContain('Give both the first and the last day');
    const backwards = await prepare(s.dsl, { from: '2026-02-28', to: '2026-02-01' });
    expect(backwards.statusCode).toBe(400);
    for (const running of [
      { from: '2026-04-13', to: '2026-05-22' },
      { from: '2026-02-23', to: '2026-03-27' },
      { from: '2026-03-01', to: '2026-03-31' },
      { from: '2025-09-01', to: '2026-08-31' },
    ]) {
      const refused = await prepare(s.dsl, running);
      expect(refused.statusCode).toBe(400);
      expect(refused.body).toContain('has not ended yet');
    }
    expect(await packCount(s.schoolId)).toBe(before);
  });

  it('refuses a pack sharing days with a released one, when prepared and when released', async () => {
    const s = await school();
    const feb = (
      await prepare(s.dsl, { from: '2026-02-01', to: '2026-02-28' })
    ).json<PackSummary>();
    const term = await prepare(s.dsl, { from: '2026-01-05', to: '2026-02-13' });
    expect(term.statusCode).toBe(201); // two drafts may overlap: neither is released
    expect((await release(s.dsl, feb.id)).statusCode).toBe(200);
    // Releasing the term now would let February be subtracted from it.
    const late = await release(s.dsl, term.json<PackSummary>().id);
    expect(late.statusCode).toBe(409);
    expect(late.body).toContain('Version 1, already released, covers 2026-02-01 to 2026-02-28');
    // Preparing anything sharing February's days is refused; the same month again is a new version.
    const before = await packCount(s.schoolId);
    expect((await prepare(s.dsl, { from: '2026-01-05', to: '2026-02-13' })).statusCode).toBe(409);
    expect(await packCount(s.schoolId)).toBe(before);
    const again = await prepare(s.dsl, { from: '2026-02-01', to: '2026-02-28' });
    expect(again.statusCode).toBe(201);
    // Its tables are the released one's: it may be released too.
    expect((await release(s.dsl, again.json<PackSummary>().id)).statusCode).toBe(200);
    // A month clear of February is fine.
    expect((await prepare(s.dsl, { from: '2026-01-01', to: '2026-01-31' })).statusCode).toBe(201);
  });

  it('refuses to release a further version of a released period whose figures changed', async () => {
    const s = await school();
    const jan = (
      await prepare(s.dsl, { from: '2026-01-01', to: '2026-01-31' })
    ).json<PackSummary>();
    expect((await release(s.dsl, jan.id)).statusCode).toBe(200);
    const draft = await prepare(s.dsl, { from: '2026-01-01', to: '2026-01-31' });
    expect(draft.statusCode).toBe(201);
    // A record backdated into January changes its figures.
    const pupil = await makePupil(t.services, s.schoolId);
    const cats = await categoryIds(t.services, s.schoolId);
    const logged = await call(t.app, s.dsl, 'POST', '/api/concerns', {
      pupils: [{ pupilId: pupil.id, role: 'subject' }],
      categoryIds: [cats.find((c) => !c.restricted)!.id],
      happenedAt: '2026-01-15T10:00:00Z',
      body: 'Written up late.',
    });
    expect(logged.statusCode, logged.body).toBe(201);
    // Preparing a changed version is refused; so is releasing the draft made before, were it changed.
    const before = await packCount(s.schoolId);
    const changed = await prepare(s.dsl, { from: '2026-01-01', to: '2026-01-31' });
    expect(changed.statusCode).toBe(409);
    expect(changed.body).toContain('its figures differ');
    expect(await packCount(s.schoolId)).toBe(before);
    await unsafeAsOwner(t.services.db, (q) =>
      q.query(`UPDATE governors_packs SET sha256 = repeat('b', 64) WHERE id = $1`, [
        draft.json<PackSummary>().id,
      ]),
    );
    const second = await release(s.dsl, draft.json<PackSummary>().id);
    expect(second.statusCode).toBe(409);
    expect(second.body).toContain('Version 1, already released, covers 2026-01-01 to 2026-01-31');
  });

  it('a pack released before the rule, over any range, stays readable and still counts', async () => {
    const s = await school();
    // As released before fixed periods: 10 February to 20 March.
    const [old] = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ id: string }>(
        `INSERT INTO governors_packs (school_id, version, from_day, to_day, body, sha256,
           prepared_by, prepared_at, released_by, released_at)
         SELECT $1, 1, '2026-02-10', '2026-03-20', '[]'::jsonb, repeat('a', 64), u.id, now(), u.id, now()
         FROM users u WHERE u.school_id = $1 LIMIT 1 RETURNING id`,
        [s.schoolId],
      ),
    );
    const read = await call(t.app, s.dsl, 'GET', `/api/reports/governors-packs/${old!.id}`);
    expect(read.statusCode, read.body).toBe(200);
    const pdf = await call(t.app, s.dsl, 'GET', `/api/reports/governors-packs/${old!.id}/pdf`);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    const clash = await prepare(s.dsl, { from: '2026-02-01', to: '2026-02-28' });
    expect(clash.statusCode).toBe(409);
    expect(clash.body).toContain('covers 2026-02-10 to 2026-03-20');
    expect((await prepare(s.dsl, { from: '2026-01-01', to: '2026-01-31' })).statusCode).toBe(201);
  });
});

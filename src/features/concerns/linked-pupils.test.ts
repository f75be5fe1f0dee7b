// Issue 4: each record shows only the pupils the viewer may see. A concern about Ava (Year 7, 7A)
// and Ben (Year 8, 8B): Ben's class teacher and Year 8's head of year may read it, but read Ava as
// "Another pupil", with no id, on the concern page, in lists, on the dashboard and in search.
// Its author and the DSL read both names. One function decides (pupilAsSeen, concerns/policy.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';
import { joinGroupsByKey } from '../../core/access/seed-groups.ts';
import {
  call,
  categoryIds,
  makePupil,
  makeSchool,
  makeUser,
  signIn,
  testApp,
  type TestApp,
  type TestUser,
} from '../../test/harness.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(async () => t.close());

/** The user teaches this form (as the MIS would record it). */
async function teaches(user: TestUser, form: string) {
  await unsafeAsOwner(t.services.db, (q) =>
    q.query(
      `INSERT INTO staff_teaching_groups (school_id, user_id, group_ref, source)
       VALUES ($1, $2, $3, 'mis')`,
      [user.schoolId, user.id, `form:${form}`],
    ),
  );
}

const WORD = 'sandpiper';

async function story() {
  const schoolId = await makeSchool(t.services);
  const author = await makeUser(t.services, schoolId, 'teacher', 'Arlo Author');
  const benTeacher = await makeUser(t.services, schoolId, 'teacher', 'Cal Teacher');
  await teaches(benTeacher, '8B');
  const headOfYear8 = await makeUser(t.services, schoolId, 'head_of_year', 'Hana Year');
  await unsafeAsOwner(t.services.db, (q) =>
    joinGroupsByKey(q, schoolId, headOfYear8.id, ['head_of_year_8']),
  );
  const dsl = await makeUser(t.services, schoolId, 'dsl');
  const ava = await makePupil(t.services, schoolId, {
    firstName: 'Ava',
    lastName: 'Quillon',
    yearGroup: 'Year 7',
    form: '7A',
  });
  const ben = await makePupil(t.services, schoolId, {
    firstName: 'Ben',
    lastName: 'Marsh',
    yearGroup: 'Year 8',
    form: '8B',
  });
  const bullying = (await categoryIds(t.services, schoolId)).find((c) => c.name === 'Bullying')!;
  const a = await signIn(t.app, author);
  const res = await call(t.app, a, 'POST', '/api/concerns', {
    pupils: [
      { pupilId: ava.id, role: 'victim' },
      { pupilId: ben.id, role: 'alleged_perpetrator' },
    ],
    categoryIds: [bullying.id],
    happenedAt: new Date(Date.now() - 3_600_000).toISOString(),
    body: `A push by the ${WORD} mural at break.`,
  });
  expect(res.statusCode, res.body).toBe(201);
  return { author: a, benTeacher, headOfYear8, dsl, ava, ben, id: res.json<{ id: string }>().id };
}

type Pupil = { id: string | null; name: string; role?: string };
const HIDDEN = { id: null, name: 'Another pupil' };

function expectAvaHidden(body: string, pupils: Pupil[], s: Awaited<ReturnType<typeof story>>) {
  expect(pupils).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ id: s.ben.id, name: s.ben.name }),
      expect.objectContaining(HIDDEN),
    ]),
  );
  expect(pupils).toHaveLength(2);
  expect(body).not.toContain(s.ava.id);
  expect(body).not.toContain('Quillon');
}

describe('linked pupils the viewer may not see', () => {
  it('are "Another pupil" with no id on the concern page, its list and the dashboard', async () => {
    const s = await story();
    const teacher = await signIn(t.app, s.benTeacher, { elevated: true });

    const one = await call(t.app, teacher, 'GET', `/api/concerns/${s.id}`);
    expect(one.statusCode, one.body).toBe(200);
    const seen = one.json<{ pupils: Pupil[] }>().pupils;
    expectAvaHidden(one.body, seen, s);
    // The role stays: the teacher may know a victim is involved, not who.
    expect(seen.find((p) => p.id === null)?.role).toBe('victim');

    const list = await call(t.app, teacher, 'GET', '/api/concerns');
    const listed = list.json<{ items: { id: string; pupils: Pupil[] }[] }>().items;
    expect(listed.map((c) => c.id)).toEqual([s.id]);
    expectAvaHidden(list.body, listed[0]!.pupils, s);

    const dash = await call(t.app, teacher, 'GET', '/api/dashboard');
    expect(dash.statusCode, dash.body).toBe(200);
    const recent = dash.json<{ recent: { id: string; pupils: Pupil[] }[] }>().recent;
    expect(recent.map((c) => c.id)).toEqual([s.id]);
    expectAvaHidden(dash.body, recent[0]!.pupils, s);
  });

  it('are unnamed in earlier versions too (no id)', async () => {
    const s = await story();
    const corrected = await call(t.app, s.author, 'PATCH', `/api/concerns/${s.id}`, {
      reason: 'Wrong place',
      body: `A push by the ${WORD} gate at break.`,
    });
    expect(corrected.statusCode, corrected.body).toBe(200);
    const teacher = await signIn(t.app, s.benTeacher, { elevated: true });
    const res = await call(t.app, teacher, 'GET', `/api/concerns/${s.id}/versions`);
    expect(res.statusCode, res.body).toBe(200);
    const [v1] = res.json<{ items: { pupils: { pupilId: string | null; role: string }[] }[] }>()
      .items;
    expect(v1!.pupils).toEqual(
      expect.arrayContaining([
        { pupilId: s.ben.id, role: 'alleged_perpetrator' },
        { pupilId: null, role: 'victim' },
      ]),
    );
    expect(res.body).not.toContain(s.ava.id);
    const own = await call(t.app, s.author, 'GET', `/api/concerns/${s.id}/versions`);
    expect(own.body).toContain(s.ava.id);
  });

  it('are "Another pupil" in search results', async () => {
    const s = await story();
    const hoy = await signIn(t.app, s.headOfYear8, { elevated: true });
    const res = await call(t.app, hoy, 'POST', '/api/search', { q: WORD });
    expect(res.statusCode, res.body).toBe(200);
    const hits = res.json<{ items: { id: string; pupils: Pupil[] }[] }>().items;
    expect(hits.map((h) => h.id)).toEqual([s.id]);
    expectAvaHidden(res.body, hits[0]!.pupils, s);
  });

  it('cannot be searched for by id: a hidden pupil finds nothing, a shown one finds the record', async () => {
    const s = await story();
    const hoy = await signIn(t.app, s.headOfYear8, { elevated: true });
    const byAva = await call(t.app, hoy, 'POST', '/api/search', { pupilId: s.ava.id });
    expect(byAva.statusCode, byAva.body).toBe(200);
    expect(byAva.json<{ items: unknown[] }>().items).toEqual([]);
    const byBen = await call(t.app, hoy, 'POST', '/api/search', { pupilId: s.ben.id });
    expect(byBen.json<{ items: { id: string }[] }>().items.map((h) => h.id)).toEqual([s.id]);
    const dsl = await signIn(t.app, s.dsl, { elevated: true });
    const dslByAva = await call(t.app, dsl, 'POST', '/api/search', { pupilId: s.ava.id });
    expect(dslByAva.json<{ items: { id: string }[] }>().items.map((h) => h.id)).toEqual([s.id]);
  });

  it('are named to the author who linked them and to the DSL', async () => {
    const s = await story();
    const dsl = await signIn(t.app, s.dsl, { elevated: true });
    for (const session of [s.author, dsl]) {
      const res = await call(t.app, session, 'GET', `/api/concerns/${s.id}`);
      expect(res.statusCode, res.body).toBe(200);
      expect(
        res
          .json<{ pupils: Pupil[] }>()
          .pupils.map((p) => p.name)
          .sort(),
      ).toEqual([s.ava.name, s.ben.name].sort());
    }
    const found = await call(t.app, dsl, 'POST', '/api/search', { q: WORD });
    expect(found.body).toContain(s.ava.id);
    expect(found.body).not.toContain('Another pupil');
  });
});

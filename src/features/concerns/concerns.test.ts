import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  categoryIds,
  makePupil,
  makeSchool,
  makeUser,
  signIn,
  testApp,
  type TestApp,
} from '../../test/harness.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(async () => t.close());

async function school() {
  const schoolId = await makeSchool(t.services);
  const teacher = await makeUser(t.services, schoolId, 'teacher', 'Tom Teacher');
  const teacher2 = await makeUser(t.services, schoolId, 'teacher');
  const dsl = await makeUser(t.services, schoolId, 'dsl');
  const pupil = await makePupil(t.services, schoolId, { firstName: 'Ava', lastName: "O'Brien" });
  const [cat] = await categoryIds(t.services, schoolId);
  return { schoolId, teacher, teacher2, dsl, pupil, categoryId: cat!.id };
}

const concern = (
  pupilId: string,
  categoryId: string,
  body = 'Said she was scared to go home.',
) => ({
  pupils: [{ pupilId, role: 'subject' }],
  categoryIds: [categoryId],
  happenedAt: new Date(Date.now() - 3_600_000).toISOString(),
  body,
});

describe('logging a concern', () => {
  it('lets a teacher log one and see it in their own list; the DSL sees it; another teacher does not', async () => {
    const s = await school();
    const teacher = await signIn(t.app, s.teacher);
    const created = await call(
      t.app,
      teacher,
      'POST',
      '/api/concerns',
      concern(s.pupil.id, s.categoryId),
    );
    expect(created.statusCode).toBe(201);
    const view = created.json<{
      id: string;
      body: string;
      pupils: { name: string }[];
      allowed: string[];
    }>();
    expect(view.body).toBe('Said she was scared to go home.');
    expect(view.pupils[0]!.name).toBe("Ava O'Brien");
    expect(view.allowed).toContain('edit');

    const mine = await call(t.app, teacher, 'GET', '/api/concerns?mine=true');
    expect(mine.json<{ items: { id: string }[] }>().items.map((i) => i.id)).toEqual([view.id]);

    // Signed in with a password alone, the DSL sees only what they logged (the first tier)...
    const dslPasswordOnly = await signIn(t.app, s.dsl);
    const firstTier = await call(t.app, dslPasswordOnly, 'GET', '/api/concerns');
    expect(firstTier.json<{ items: { id: string }[] }>().items.map((i) => i.id)).not.toContain(
      view.id,
    );
    const refused = await call(
      t.app,
      dslPasswordOnly,
      'GET',
      `/api/pupils/${s.pupil.id}/chronology`,
    );
    expect(refused.statusCode).toBe(403);
    expect(refused.json<{ error: { code: string } }>().error.code).toBe('step_up_required');

    // ...and after stepping up with a second factor, sees it in the list and the chronology.
    const dsl = await signIn(t.app, s.dsl, { elevated: true });
    const dash = await call(t.app, dsl, 'GET', '/api/concerns');
    expect(dash.json<{ items: { id: string }[] }>().items.map((i) => i.id)).toContain(view.id);
    const chron = await call(t.app, dsl, 'GET', `/api/pupils/${s.pupil.id}/chronology`);
    expect(chron.statusCode).toBe(200);
    expect(chron.json<{ entries: { id: string }[] }>().entries.map((e) => e.id)).toEqual([view.id]);

    // Another teacher, even stepped up, sees none of it.
    const other = await signIn(t.app, s.teacher2, { elevated: true });
    expect((await call(t.app, other, 'GET', `/api/concerns/${view.id}`)).statusCode).toBe(404);
    expect(
      (await call(t.app, other, 'GET', '/api/concerns')).json<{ items: unknown[] }>().items,
    ).toEqual([]);
    expect(
      (await call(t.app, other, 'GET', `/api/pupils/${s.pupil.id}/chronology`)).statusCode,
    ).toBe(403);
  });

  it('refuses bad input with a clear 400 and writes nothing', async () => {
    const s = await school();
    const teacher = await signIn(t.app, s.teacher);
    const future = {
      ...concern(s.pupil.id, s.categoryId),
      happenedAt: new Date(Date.now() + 86_400_000).toISOString(),
    };
    const cases: [unknown, RegExp][] = [
      [{ ...concern(s.pupil.id, s.categoryId), pupils: [] }, /pupils/],
      [{ ...concern(s.pupil.id, s.categoryId), body: '   ' }, /cannot be empty/],
      [future, /future/],
      [concern(s.pupil.id, '00000000-0000-4000-8000-000000000000'), /category/],
      [concern('00000000-0000-4000-8000-000000000000', s.categoryId), /pupil/],
      [{ ...concern(s.pupil.id, s.categoryId), extra: 1 }, /unexpected field/],
    ];
    for (const [payload, message] of cases) {
      const res = await call(t.app, teacher, 'POST', '/api/concerns', payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json<{ error: { message: string } }>().error.message).toMatch(message);
    }
    const mine = await call(t.app, teacher, 'GET', '/api/concerns?mine=true');
    expect(mine.json<{ items: unknown[] }>().items).toEqual([]);
  });
});

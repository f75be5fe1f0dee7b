// Logging a concern reads everything it checks in one statement (check-new.ts): each check still
// refuses with its own status, code and message, in the same order, and writes nothing; and the
// alerts it raises reach the chosen staff, the chosen groups (a team through its staff groups)
// and the category's default groups, never the author or a disabled member.
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
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(async () => t.close());

const errorOf = (r: { json<T>(): T }) =>
  r.json<{ error: { code: string; message: string } }>().error;

async function countConcerns(schoolId: string): Promise<number> {
  const [row] = await unsafeAsOwner(t.services.db, (q) =>
    q.query<{ n: number }>('SELECT count(*)::int AS n FROM concerns WHERE school_id = $1', [
      schoolId,
    ]),
  );
  return row!.n;
}

describe('logging a concern: the checks read in one statement', () => {
  it('refuses each bad reference with its own message and writes nothing', async () => {
    const schoolId = await makeSchool(t.services);
    const teacher = await makeUser(t.services, schoolId, 'teacher');
    const gone = await makeUser(t.services, schoolId, 'teacher', 'Left Already');
    await unsafeAsOwner(t.services.db, (q) =>
      q.query('UPDATE users SET disabled_at = now() WHERE id = $1', [gone.id]),
    );
    const otherSchool = await makeSchool(t.services);
    const stranger = await makeUser(t.services, otherSchool, 'dsl');
    const strangerPupil = await makePupil(t.services, otherSchool);
    const pupil = await makePupil(t.services, schoolId);
    const [category] = await categoryIds(t.services, schoolId);
    const session = await signIn(t.app, teacher);
    const base = {
      pupils: [{ pupilId: pupil.id, role: 'subject' }],
      categoryIds: [category!.id],
      happenedAt: new Date(Date.now() - 60_000).toISOString(),
      body: 'Came in upset after the weekend.',
    };
    const cases: [Record<string, unknown>, number, string, RegExp][] = [
      [
        { pupils: [{ pupilId: strangerPupil.id, role: 'subject' }] },
        400,
        'invalid_concern',
        /pupils was not found/,
      ],
      [{ alertUserIds: [gone.id] }, 400, 'unknown_staff', /member of staff to alert/],
      [{ alertUserIds: [stranger.id] }, 400, 'unknown_staff', /member of staff to alert/],
      [{ alertGroups: ['no_such_group'] }, 400, 'unknown_group', /"no_such_group"/],
      [{ verballyInformedId: stranger.id }, 400, 'unknown_staff', /The DSL you informed/],
      [{ caseId: pupil.id }, 403, 'forbidden', /DSL team adds to cases/],
    ];
    for (const [change, status, code, message] of cases) {
      const res = await call(t.app, session, 'POST', '/api/concerns', { ...base, ...change });
      expect([res.statusCode, errorOf(res).code], JSON.stringify(change)).toEqual([status, code]);
      expect(errorOf(res).message).toMatch(message);
    }
    expect(await countConcerns(schoolId)).toBe(0);
  });

  it('alerts chosen staff, a chosen team and the category default, never the author', async () => {
    const schoolId = await makeSchool(t.services);
    const teacher = await makeUser(t.services, schoolId, 'teacher');
    const colleague = await makeUser(t.services, schoolId, 'teacher', 'Cara Colleague');
    const head = await makeUser(t.services, schoolId, 'headteacher', 'Hana Head');
    const dsl = await makeUser(t.services, schoolId, 'dsl', 'Dee Ess');
    const pupil = await makePupil(t.services, schoolId);
    const [category] = await categoryIds(t.services, schoolId);
    await unsafeAsOwner(t.services.db, (q) =>
      q.query(
        `UPDATE categories SET alert_groups = '{dsl_team}', alert_user_ids = '{}' WHERE id = $1`,
        [category!.id],
      ),
    );
    const session = await signIn(t.app, teacher);
    const res = await call(t.app, session, 'POST', '/api/concerns', {
      pupils: [{ pupilId: pupil.id, role: 'subject' }],
      categoryIds: [category!.id],
      happenedAt: new Date(Date.now() - 60_000).toISOString(),
      body: 'Bruise on the arm, said she fell.',
      alertUserIds: [colleague.id, teacher.id],
      alertGroups: ['headteacher'],
    });
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json<{ id: string }>().id;
    const rows = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ recipient_id: string; via_group: string | null; escalates: boolean }>(
        `SELECT recipient_id, via_group, escalate_at IS NOT NULL AS escalates FROM alerts
         WHERE target_id = $1 ORDER BY recipient_id`,
        [id],
      ),
    );
    const byUser = new Map(rows.map((r) => [r.recipient_id, r]));
    expect(byUser.has(teacher.id)).toBe(false);
    expect(byUser.get(colleague.id)).toMatchObject({ via_group: null, escalates: false });
    expect(byUser.get(head.id)).toMatchObject({ via_group: 'headteacher', escalates: false });
    expect(byUser.get(dsl.id)).toMatchObject({ via_group: 'dsl_team', escalates: true });
    expect(rows).toHaveLength(3);
  });
});

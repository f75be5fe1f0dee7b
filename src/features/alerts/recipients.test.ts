// Alerts go to the school's own staff groups: a group the administrator made, set as a
// category's default, is alerted when a concern in that category is logged; disabled members and
// the author are not; an unknown group is refused with a clear message and nothing is written.
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

describe('alert recipients', () => {
  it('alerts the members of a group the school made, set as a category default', async () => {
    const schoolId = await makeSchool(t.services);
    const admin = await signIn(t.app, await makeUser(t.services, schoolId, 'school_admin'), {
      elevated: true,
    });
    const created = await call(t.app, admin, 'POST', '/api/admin/groups', {
      name: 'Safeguarding governors',
      nonRestrictedDefault: 'none',
      restrictedDefault: 'none',
      scope: { kind: 'school' },
      capabilities: [],
    });
    expect(created.statusCode, created.body).toBe(201);
    const groupId = created.json<{ id: string }>().id;
    const groups = await call(t.app, admin, 'GET', '/api/admin/groups');
    const key = groups
      .json<{ items: { id: string; key: string }[] }>()
      .items.find((g) => g.id === groupId)!.key;

    const governor = await makeUser(t.services, schoolId, 'teacher', 'Gov Ernor');
    const gone = await makeUser(t.services, schoolId, 'teacher', 'Left Already');
    for (const u of [governor, gone]) {
      const set = await call(t.app, admin, 'PUT', `/api/admin/users/${u.id}/groups`, {
        groupIds: [groupId],
      });
      expect(set.statusCode, set.body).toBeLessThan(300);
    }
    await unsafeAsOwner(t.services.db, (q) =>
      q.query('UPDATE users SET disabled_at = now() WHERE id = $1', [gone.id]),
    );

    const dsl = await signIn(t.app, await makeUser(t.services, schoolId, 'dsl'), {
      elevated: true,
    });
    const [category] = await categoryIds(t.services, schoolId);
    const patched = await call(t.app, dsl, 'PATCH', `/api/categories/${category!.id}`, {
      alertGroups: [key],
    });
    expect(patched.statusCode, patched.body).toBe(200);
    const refused = await call(t.app, dsl, 'PATCH', `/api/categories/${category!.id}`, {
      alertGroups: ['no_such_group'],
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json<{ error: { message: string } }>().error.message).toMatch(/no_such_group/);

    const teacher = await signIn(t.app, await makeUser(t.services, schoolId, 'teacher'));
    const pupil = await makePupil(t.services, schoolId);
    const logged = await call(t.app, teacher, 'POST', '/api/concerns', {
      pupils: [{ pupilId: pupil.id, role: 'subject' }],
      categoryIds: [category!.id],
      happenedAt: new Date(Date.now() - 60_000).toISOString(),
      body: 'Told me about a worry at home.',
    });
    expect(logged.statusCode, logged.body).toBe(201);
    const concernId = logged.json<{ id: string }>().id;
    const alerted = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ recipient_id: string; via_group: string | null }>(
        'SELECT recipient_id, via_group FROM alerts WHERE target_id = $1',
        [concernId],
      ),
    );
    expect(alerted).toEqual([{ recipient_id: governor.id, via_group: key }]);

    const before = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ n: number }>('SELECT count(*)::int AS n FROM concerns WHERE school_id = $1', [
        schoolId,
      ]),
    );
    const unknown = await call(t.app, teacher, 'POST', '/api/concerns', {
      pupils: [{ pupilId: pupil.id, role: 'subject' }],
      categoryIds: [category!.id],
      happenedAt: new Date(Date.now() - 60_000).toISOString(),
      body: 'Another worry.',
      alertGroups: ['nobody_here'],
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json<{ error: { message: string } }>().error.message).toMatch(/nobody_here/);
    const after = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ n: number }>('SELECT count(*)::int AS n FROM concerns WHERE school_id = $1', [
        schoolId,
      ]),
    );
    expect(after[0]!.n).toBe(before[0]!.n);
  });
});

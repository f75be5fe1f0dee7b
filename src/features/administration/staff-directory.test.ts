import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, makeSchool, makeUser, signIn, testApp, type TestApp } from '../../test/harness.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(async () => t.close());

type Directory = {
  staff: { id: string; name: string; role: string; dsl: boolean }[];
  groups: { key: string; name: string }[];
};

describe('the staff directory used when logging a concern', () => {
  it('lists active colleagues with the DSL team marked, and the staff groups, to a teacher with a password alone', async () => {
    const schoolId = await makeSchool(t.services);
    const teacher = await makeUser(t.services, schoolId, 'teacher', 'Tia Teacher');
    const dsl = await makeUser(t.services, schoolId, 'dsl', 'Dee Lead');
    const deputy = await makeUser(t.services, schoolId, 'deputy_dsl', 'Dan Deputy');
    const leaver = await makeUser(t.services, schoolId, 'teacher', 'Lee Leaver');
    const admin = await makeUser(t.services, schoolId, 'school_admin');
    const elsewhere = await makeUser(t.services, await makeSchool(t.services), 'dsl', 'Far Away');
    const a = await signIn(t.app, admin, { elevated: true });
    const off = await call(t.app, a, 'POST', `/api/admin/users/${leaver.id}/disable`);
    expect(off.statusCode, off.body).toBeLessThan(300);

    const s = await signIn(t.app, teacher); // password only: the first tier
    const res = await call(t.app, s, 'GET', '/api/staff');
    expect(res.statusCode, res.body).toBe(200);
    const dir = res.json<Directory>();
    const byId = new Map(dir.staff.map((p) => [p.id, p]));
    expect(byId.get(dsl.id)).toEqual({ id: dsl.id, name: 'Dee Lead', role: 'dsl', dsl: true });
    expect(byId.get(deputy.id)?.dsl).toBe(true);
    expect(byId.get(teacher.id)?.dsl).toBe(false);
    expect(byId.has(leaver.id)).toBe(false); // disabled staff are never offered
    expect(byId.has(elsewhere.id)).toBe(false); // another school's staff are never listed
    expect(res.body).not.toContain('@'); // names and roles only, no email addresses
    expect(dir.groups.map((g) => g.key)).toEqual(expect.arrayContaining(['dsl', 'pastoral']));
  });

  it('refuses a signed-out request', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/staff' });
    expect(res.statusCode).toBe(401);
  });
});

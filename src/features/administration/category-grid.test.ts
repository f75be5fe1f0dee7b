// The groups × categories grid saved in one request (issue 14): for elevated administrators only,
// every cell applied and audited as the per-group change is, or — when any cell is refused (a
// group the administrator belongs to, another school's category, a cell named twice) — nothing
// changed and nothing audited but the refusal.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  categoryIds,
  makeSchool,
  makeUser,
  testApp,
  type Session,
  type TestApp,
} from '../../test/harness.ts';
import {
  auditRows,
  enrolTotp,
  errorOf,
  startMailTrap,
  type MailTrap,
} from '../identity/identity-test-kit.ts';

let t: TestApp;
let mail: MailTrap;

beforeAll(async () => {
  mail = await startMailTrap();
  t = await testApp({ config: { smtpUrl: mail.url } });
});
afterAll(async () => {
  await t.close();
  await mail.close();
});

type Group = {
  id: string;
  key: string | null;
  categories: { categoryId: string; access: string }[];
};
const GRID = '/api/admin/category-access';

describe('the groups × categories grid', () => {
  it('saves every cell in one request, or none when one is refused', async () => {
    const schoolId = await makeSchool(t.services);
    const otherSchool = await makeSchool(t.services);
    const adminUser = await makeUser(t.services, schoolId, 'school_admin', 'Grid admin');
    const { session: admin } = await enrolTotp(t, adminUser);
    const { session: teacher } = await enrolTotp(
      t,
      await makeUser(t.services, schoolId, 'teacher'),
    );
    const newGroup = async (s: Session, name: string) => {
      const res = await call(t.app, s, 'POST', '/api/admin/groups', {
        name,
        nonRestrictedDefault: 'none',
        restrictedDefault: 'none',
        scope: { kind: 'school' },
        capabilities: [],
      });
      expect(res.statusCode, res.body).toBe(201);
      return res.json<{ id: string }>().id;
    };
    const year7 = await newGroup(admin, 'Year 7 team');
    const office = await newGroup(admin, 'Office');
    const open = (await categoryIds(t.services, schoolId)).filter((c) => !c.restricted);
    const [neglect, bullying] = [open[0]!.id, open[1]!.id];
    const groups = async () =>
      (await call(t.app, admin, 'GET', '/api/admin/groups')).json<{ items: Group[] }>().items;
    const accessOf = async (groupId: string) =>
      (await groups()).find((g) => g.id === groupId)!.categories;
    const changes = [
      { groupId: year7, categoryId: neglect, access: 'view' },
      { groupId: year7, categoryId: bullying, access: 'add' },
      { groupId: office, categoryId: neglect, access: 'none' },
    ];
    const changed = async () =>
      (await auditRows(t, schoolId)).filter((r) => r.action === 'group.category_access_changed');

    // Signed out, a teacher: refused, nothing changed.
    expect((await call(t.app, null, 'PUT', GRID, { changes })).statusCode).toBe(401);
    const byTeacher = await call(t.app, teacher, 'PUT', GRID, { changes });
    expect([byTeacher.statusCode, errorOf(byTeacher).code]).toEqual([403, 'forbidden']);
    expect(await changed()).toHaveLength(0);

    // All at once: each cell applied, and each audited as the per-group change is.
    const saved = await call(t.app, admin, 'PUT', GRID, { changes });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json()).toEqual({ awaitingApproval: [] });
    expect(await accessOf(year7)).toEqual(
      expect.arrayContaining([
        { categoryId: neglect, access: 'view' },
        { categoryId: bullying, access: 'add' },
      ]),
    );
    expect(await accessOf(office)).toEqual([{ categoryId: neglect, access: 'none' }]);
    const audited = await changed();
    expect(audited.map((r) => [r.target_id, r.details])).toEqual(
      expect.arrayContaining([
        [year7, { category: neglect, before: 'inherit', after: 'view' }],
        [year7, { category: bullying, before: 'inherit', after: 'add' }],
        [office, { category: neglect, before: 'inherit', after: 'none' }],
      ]),
    );
    expect(audited).toHaveLength(3);

    // One cell on a group the administrator belongs to: the whole save is refused, the good
    // cells before it are rolled back, and only the refusal is recorded.
    const mine = (await call(t.app, admin, 'GET', '/api/admin/users'))
      .json<{ items: { id: string; groupIds: string[] }[] }>()
      .items.find((u) => u.id === adminUser.id)!.groupIds[0]!;
    const before = await groups();
    const ownCell = await call(t.app, admin, 'PUT', GRID, {
      changes: [
        { groupId: year7, categoryId: neglect, access: 'inherit' },
        { groupId: office, categoryId: bullying, access: 'view' },
        { groupId: mine, categoryId: neglect, access: 'view' },
      ],
    });
    expect([ownCell.statusCode, errorOf(ownCell).code]).toEqual([403, 'own_access']);
    expect(await groups()).toEqual(before);
    expect(await changed()).toHaveLength(3);
    // The refusal names the group of the refused cell.
    expect(
      (await auditRows(t, schoolId))
        .filter((r) => r.action === 'access.own_change_refused')
        .map((r) => r.target_id),
    ).toEqual([mine]);

    // Another school's category, a cell named twice, an unknown access, no cells: refused in
    // plain words, nothing changed.
    const theirs = (await categoryIds(t.services, otherSchool))[0]!.id;
    const elsewhere = await call(t.app, admin, 'PUT', GRID, {
      changes: [
        { groupId: office, categoryId: bullying, access: 'view' },
        { groupId: year7, categoryId: theirs, access: 'view' },
      ],
    });
    expect(elsewhere.statusCode, elsewhere.body).toBe(404);
    const twice = await call(t.app, admin, 'PUT', GRID, {
      changes: [
        { groupId: office, categoryId: bullying, access: 'view' },
        { groupId: office, categoryId: bullying, access: 'none' },
      ],
    });
    expect(twice.statusCode, twice.body).toBe(400);
    expect(errorOf(twice).message).toBe(
      'The same group and category appear twice in the changes; nothing was saved.',
    );
    for (const body of [
      { changes: [{ groupId: office, categoryId: bullying, access: 'everything' }] },
      { changes: [] },
    ]) {
      const bad = await call(t.app, admin, 'PUT', GRID, body);
      expect(bad.statusCode, bad.body).toBe(400);
    }
    expect(await groups()).toEqual(before);
    expect(await changed()).toHaveLength(3);
  });
});

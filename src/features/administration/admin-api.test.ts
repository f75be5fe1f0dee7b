// The administration API through HTTP: who may use it (signed out 401, a teacher 403, an
// administrator without a second factor 403 step_up_required), the school's policies (bad values
// refused naming the field; changes take effect — idle timeout, elevation minutes, password
// length — and are audited), acting only on one's own school, resetting another person's
// second factor with a reason, and groups with their per-category access changing what a member
// may do. One clock for the file, only ever moved forward.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  categoryIds,
  makePupil,
  makeSchool,
  makeUser,
  testApp,
  testClock,
  type Session,
  type TestApp,
} from '../../test/harness.ts';
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';
import { DEFAULT_MIS_PUSH_BYTES, DEFAULT_SCHOOL_SETTINGS } from '../../core/settings.ts';
import {
  auditActions,
  auditRows,
  drainWork,
  enrolTotp,
  errorOf,
  linkToken,
  passwordSignIn,
  sessionOf,
  startMailTrap,
  type MailTrap,
} from '../identity/identity-test-kit.ts';

const clock = testClock();
let t: TestApp;
let mail: MailTrap;

beforeAll(async () => {
  mail = await startMailTrap();
  t = await testApp({ clock, config: { smtpUrl: mail.url } });
});
afterAll(async () => {
  await t.close();
  await mail.close();
});

/** A new school's policies: its settings and the records workflow's (record-policies.test.ts). */
const { maxUploadBytes: DEFAULT_UPLOAD_BYTES, ...DEFAULT_POLICY_SETTINGS } =
  DEFAULT_SCHOOL_SETTINGS;
const DEFAULT_POLICIES = {
  ...DEFAULT_POLICY_SETTINGS,
  maxUploadMegabytes: DEFAULT_UPLOAD_BYTES / (1024 * 1024),
  maxMisPushMegabytes: DEFAULT_MIS_PUSH_BYTES / (1024 * 1024),
};
const patchPolicies = (s: Session | null, body: unknown) =>
  call(t.app, s, 'PATCH', '/api/admin/policies', body);
const signedIn = async (user: { email: string; password: string }) => {
  const res = await passwordSignIn(t, user);
  expect(res.statusCode, res.body).toBe(200);
  return sessionOf(res);
};

describe('school policies', () => {
  it('are for elevated administrators only, and bad values are refused naming the field', async () => {
    const schoolId = await makeSchool(t.services);
    const adminUser = await makeUser(t.services, schoolId, 'school_admin');
    const { session: teacher } = await enrolTotp(
      t,
      await makeUser(t.services, schoolId, 'teacher'),
    );
    const change = { idleTimeoutMinutes: 10 };
    expect((await patchPolicies(null, change)).statusCode).toBe(401);
    const byTeacher = await patchPolicies(teacher, change);
    expect([byTeacher.statusCode, errorOf(byTeacher).code]).toEqual([403, 'forbidden']);
    // An administrator with only a password must step up first.
    const notElevated = await patchPolicies(await signedIn(adminUser), change);
    expect([notElevated.statusCode, errorOf(notElevated).code]).toEqual([403, 'step_up_required']);

    const { session: admin } = await enrolTotp(t, adminUser);
    for (const [body, message] of [
      [{ idleTimeoutMinutes: 0 }, 'The body field "idleTimeoutMinutes" must be >= 1.'],
      [{ idleTimeoutMinutes: 2.5 }, 'The body field "idleTimeoutMinutes" must be integer.'],
      [{ elevationMinutes: 121 }, 'The body field "elevationMinutes" must be <= 120.'],
      [{ dormancyDays: 3 }, 'The body field "dormancyDays" must be >= 7.'],
      [
        { passwordPolicy: { minLength: 4 } },
        'The body field "passwordPolicy.minLength" must be >= 8.',
      ],
      [
        { passwordPolicy: { historyCount: 25 } },
        'The body field "passwordPolicy.historyCount" must be <= 24.',
      ],
      [{ secondFactorAtSignIn: 'nobody' }, /"secondFactorAtSignIn"/],
      [{ sessionsNeverEnd: true }, 'The body has an unexpected field "sessionsNeverEnd".'],
    ] as const) {
      const refused = await patchPolicies(admin, body);
      expect(refused.statusCode, JSON.stringify(body)).toBe(400);
      if (typeof message === 'string') expect(errorOf(refused).message).toBe(message);
      else expect(errorOf(refused).message).toMatch(message);
    }
    const view = await call(t.app, admin, 'GET', '/api/admin/policies');
    expect(view.json<{ policies: unknown }>().policies).toEqual(DEFAULT_POLICIES);
    expect(await auditActions(t, schoolId)).not.toContain('school.policies_changed');
  });

  it('take effect when changed — idle timeout, elevation minutes, password length — and are audited', async () => {
    const schoolId = await makeSchool(t.services);
    const { session: admin } = await enrolTotp(
      t,
      await makeUser(t.services, schoolId, 'school_admin'),
    );
    const changed = await patchPolicies(admin, {
      idleTimeoutMinutes: 5,
      elevationMinutes: 3,
      passwordPolicy: { minLength: 16 },
    });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json<{ policies: unknown }>().policies).toEqual({
      ...DEFAULT_POLICIES,
      idleTimeoutMinutes: 5,
      elevationMinutes: 3,
      passwordPolicy: { ...DEFAULT_SCHOOL_SETTINGS.passwordPolicy, minLength: 16 },
    });
    const event = (await auditRows(t, schoolId)).find(
      (r) => r.action === 'school.policies_changed',
    );
    expect(event?.details.changed).toEqual([
      'idleTimeoutMinutes',
      'elevationMinutes',
      'passwordPolicy',
    ]);

    // Elevation now lasts three minutes: a chronology read at four asks for the factor again.
    const dsl = await makeUser(t.services, schoolId, 'dsl');
    const pupil = await makePupil(t.services, schoolId);
    const { session: elevated } = await enrolTotp(t, dsl);
    const chronology = `/api/pupils/${pupil.id}/chronology`;
    const info = await call(t.app, elevated, 'GET', '/api/auth/session');
    expect(Date.parse(info.json<{ elevatedUntil: string }>().elevatedUntil)).toBe(
      clock.now().getTime() + 3 * 60_000,
    );
    expect((await call(t.app, elevated, 'GET', chronology)).statusCode).toBe(200);
    clock.advance(2 * 60_000);
    expect((await call(t.app, elevated, 'GET', chronology)).statusCode).toBe(200);
    clock.advance(2 * 60_000);
    const late = await call(t.app, elevated, 'GET', chronology);
    expect([late.statusCode, errorOf(late).code]).toEqual([403, 'step_up_required']);

    // Five idle minutes end a session; activity keeps it alive.
    const teacher = await makeUser(t.services, schoolId, 'teacher');
    const s = await signedIn(teacher);
    clock.advance(4 * 60_000);
    expect((await call(t.app, s, 'GET', '/api/auth/session')).statusCode).toBe(200);
    clock.advance(5 * 60_000 + 1000);
    expect((await call(t.app, s, 'GET', '/api/auth/session')).statusCode).toBe(401);
    const ended = (await auditRows(t, schoolId)).find(
      (r) => r.action === 'auth.session_ended' && r.target_id === teacher.id,
    );
    expect(ended?.details).toEqual({ reason: 'idle' });

    // A new password must now have 16 characters.
    await drainWork(t); // the sign-in's new-device notice has gone before counting
    const sent = mail.messages.length;
    await call(t.app, null, 'POST', '/api/auth/forgotten-password', { email: teacher.email });
    const token = linkToken(await mail.to(teacher.email, sent));
    const short = await call(t.app, null, 'POST', '/api/auth/set-password', {
      token,
      password: 'Kettle-orch-7;', // 14 characters
    });
    expect(short.statusCode).toBe(400);
    expect(errorOf(short).message).toMatch(/Use at least 16 characters\./);
    const long = await call(t.app, null, 'POST', '/api/auth/set-password', {
      token,
      password: 'Kettle-orchid-granite-7;',
    });
    expect(long.statusCode, long.body).toBe(204);
  });
});

describe('staff accounts', () => {
  it('an administrator acts only on their own school, and cannot disable themselves', async () => {
    const schoolId = await makeSchool(t.services);
    const otherSchool = await makeSchool(t.services);
    const adminUser = await makeUser(t.services, schoolId, 'school_admin');
    const { session: admin } = await enrolTotp(t, adminUser);
    const stranger = await makeUser(t.services, otherSchool, 'teacher');
    const [theirGroup] = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ id: string }>('SELECT id FROM staff_groups WHERE school_id = $1 LIMIT 1', [
        otherSchool,
      ]),
    );
    const list = await call(t.app, admin, 'GET', '/api/admin/users');
    expect(list.json<{ items: { id: string }[] }>().items.map((u) => u.id)).not.toContain(
      stranger.id,
    );
    for (const [method, url, body] of [
      ['POST', `/api/admin/users/${stranger.id}/disable`, undefined],
      ['POST', `/api/admin/users/${stranger.id}/reactivate`, undefined],
      ['POST', `/api/admin/users/${stranger.id}/unlock`, undefined],
      ['POST', `/api/admin/users/${stranger.id}/invitation`, undefined],
      ['POST', `/api/admin/users/${stranger.id}/reset-second-factor`, { reason: 'lost_phone' }],
      ['PUT', `/api/admin/users/${stranger.id}/groups`, { groupIds: [] }],
    ] as const) {
      const res = await call(t.app, admin, method, url, body);
      expect(res.statusCode, url).toBe(404);
    }
    const mine = await makeUser(t.services, schoolId, 'teacher');
    const joinTheirs = await call(t.app, admin, 'PUT', `/api/admin/users/${mine.id}/groups`, {
      groupIds: [theirGroup!.id],
    });
    expect([joinTheirs.statusCode, errorOf(joinTheirs).code]).toEqual([400, 'unknown_group']);
    expect((await passwordSignIn(t, stranger)).statusCode).toBe(200);
    expect(
      (
        await unsafeAsOwner(t.services.db, (q) =>
          q.query('SELECT 1 FROM audit_events WHERE school_id = $1 AND actor_id = $2', [
            otherSchool,
            adminUser.id,
          ]),
        )
      ).length,
    ).toBe(0);

    const self = await call(t.app, admin, 'POST', `/api/admin/users/${adminUser.id}/disable`);
    expect([self.statusCode, errorOf(self).message]).toEqual([
      400,
      'You cannot disable your own account.',
    ]);
  });

  it('resets another person’s second factor only with a reason, ends their sessions, audited with it', async () => {
    const schoolId = await makeSchool(t.services);
    const { session: admin } = await enrolTotp(
      t,
      await makeUser(t.services, schoolId, 'school_admin'),
    );
    const teacher = await makeUser(t.services, schoolId, 'teacher');
    const { session: theirs } = await enrolTotp(t, teacher);
    const url = `/api/admin/users/${teacher.id}/reset-second-factor`;
    const noReason = await call(t.app, admin, 'POST', url, {});
    expect([noReason.statusCode, errorOf(noReason).message]).toEqual([
      400,
      'The body is missing "reason".',
    ]);
    // A reason is one of the list: typed words would land in the audit trail, which holds none.
    const typed = await call(t.app, admin, 'POST', url, { reason: 'Her ex-partner has the phone' });
    expect(typed.statusCode).toBe(400);
    expect(errorOf(typed).message).toMatch(/"reason"/);
    const factorRows = () =>
      unsafeAsOwner(t.services.db, (q) =>
        q.query<{ n: number }>(
          `SELECT (SELECT count(*)::int FROM totp_credentials WHERE user_id = $1)
                + (SELECT count(*)::int FROM recovery_codes WHERE user_id = $1) AS n`,
          [teacher.id],
        ),
      );
    expect((await factorRows())[0]!.n).toBe(11);

    const reason = 'lost_phone';
    expect((await call(t.app, admin, 'POST', url, { reason })).statusCode).toBe(204);
    expect((await factorRows())[0]!.n).toBe(0);
    expect((await call(t.app, theirs, 'GET', '/api/auth/session')).statusCode).toBe(401);
    const event = (await auditRows(t, schoolId)).find(
      (r) => r.action === 'user.second_factor_reset',
    );
    expect(event).toMatchObject({ target_id: teacher.id, details: { reason, sessionsEnded: 1 } });

    // They sign in with the password alone and are asked to set up a factor again.
    const again = await passwordSignIn(t, teacher);
    expect(again.json<{ secondFactorRequired?: boolean }>().secondFactorRequired).toBeUndefined();
    const info = await call(t.app, sessionOf(again), 'GET', '/api/auth/session');
    expect(info.json<{ secondFactor: unknown }>().secondFactor).toMatchObject({
      enrolled: false,
      required: true,
      recoveryCodesLeft: 0,
    });
  });

  it('groups and their category access change what a member may do, each change audited', async () => {
    const schoolId = await makeSchool(t.services);
    const otherSchool = await makeSchool(t.services);
    const { session: admin } = await enrolTotp(
      t,
      await makeUser(t.services, schoolId, 'school_admin'),
    );
    const office = await makeUser(t.services, schoolId, 'school_admin', 'Office manager');
    const officeSession = await signedIn(office);
    const whenElevated = async () =>
      (await call(t.app, officeSession, 'GET', '/api/auth/session')).json<{
        capabilitiesWhenElevated: string[];
      }>().capabilitiesWhenElevated;
    expect(await whenElevated()).not.toContain('records.view');

    const group = {
      name: 'Attendance readers',
      nonRestrictedDefault: 'none',
      restrictedDefault: 'none',
      scope: { kind: 'school' },
      capabilities: [],
    };
    const created = await call(t.app, admin, 'POST', '/api/admin/groups', group);
    expect(created.statusCode, created.body).toBe(201);
    const groupId = created.json<{ id: string }>().id;
    expect((await call(t.app, admin, 'POST', '/api/admin/groups', group)).statusCode).toBe(409);
    const noYears = await call(t.app, admin, 'POST', '/api/admin/groups', {
      ...group,
      name: 'Year leads',
      scope: { kind: 'year_groups' },
    });
    expect([noYears.statusCode, errorOf(noYears).code]).toEqual([400, 'no_year_groups']);

    const category = (await categoryIds(t.services, schoolId)).find((c) => !c.restricted)!;
    const theirCategory = (await categoryIds(t.services, otherSchool))[0]!;
    expect(
      (
        await call(
          t.app,
          admin,
          'PUT',
          `/api/admin/groups/${groupId}/categories/${theirCategory.id}`,
          {
            access: 'view',
          },
        )
      ).statusCode,
    ).toBe(404);
    const access = await call(
      t.app,
      admin,
      'PUT',
      `/api/admin/groups/${groupId}/categories/${category.id}`,
      { access: 'view' },
    );
    expect(access.statusCode, access.body).toBe(200);
    expect(access.json()).toEqual({ awaitingApproval: [] });

    const users = await call(t.app, admin, 'GET', '/api/admin/users');
    const before = users
      .json<{ items: { id: string; groupIds: string[] }[] }>()
      .items.find((u) => u.id === office.id)!.groupIds;
    const joined = await call(t.app, admin, 'PUT', `/api/admin/users/${office.id}/groups`, {
      groupIds: [...before, groupId],
    });
    expect(joined.statusCode, joined.body).toBe(200);
    expect(joined.json()).toEqual({ awaitingApproval: [] });
    expect(await whenElevated()).toEqual(expect.arrayContaining(['records.view', 'admin']));

    const groups = await call(t.app, admin, 'GET', '/api/admin/groups');
    expect(
      groups.json<{ items: { id: string }[] }>().items.find((g) => g.id === groupId),
    ).toMatchObject({
      name: 'Attendance readers',
      categories: [{ categoryId: category.id, access: 'view' }],
      memberIds: [office.id],
    });
    const rows = await auditRows(t, schoolId);
    expect(rows.find((r) => r.action === 'group.category_access_changed')?.details).toEqual({
      category: category.id,
      before: 'inherit',
      after: 'view',
    });
    expect(rows.find((r) => r.action === 'user.groups_changed')).toMatchObject({
      target_id: office.id,
      details: { before: expect.arrayContaining(before) as unknown, after: [...before, groupId] },
    });
    expect(rows.map((r) => r.action)).toContain('group.created');
  });

  it("lists the school's own year groups (current pupils only) for choosing a group's scope", async () => {
    const schoolId = await makeSchool(t.services);
    const otherSchool = await makeSchool(t.services);
    const { session: admin } = await enrolTotp(
      t,
      await makeUser(t.services, schoolId, 'school_admin'),
    );
    for (const yearGroup of ['Year 10', 'Year 7', 'Year 7', 'Year 2'])
      await makePupil(t.services, schoolId, { yearGroup });
    const leaver = await makePupil(t.services, schoolId, { yearGroup: 'Year 13' });
    await unsafeAsOwner(t.services.db, (q) =>
      q.query('UPDATE pupils SET archived_at = now() WHERE id = $1', [leaver.id]),
    );
    await makePupil(t.services, otherSchool, { yearGroup: 'Year 4' });
    const res = await call(t.app, admin, 'GET', '/api/admin/year-groups');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ items: ['Year 2', 'Year 7', 'Year 10'] });
  });
});

describe('no one may change their own access (issue 11)', () => {
  const OWN = 'Another administrator must make this change: no one may change their own access.';
  type Group = { id: string; key: string; name: string; restrictedDefault: string };

  it('refuses an administrator their own memberships and their own group’s grants; another administrator may', async () => {
    const schoolId = await makeSchool(t.services);
    const me = await makeUser(t.services, schoolId, 'school_admin', 'Self-granting admin');
    const { session: mine } = await enrolTotp(t, me);
    const { session: colleague } = await enrolTotp(
      t,
      await makeUser(t.services, schoolId, 'school_admin', 'Second admin'),
    );
    const groupsOf = async (userId: string) =>
      (await call(t.app, colleague, 'GET', '/api/admin/users'))
        .json<{ items: { id: string; groupIds: string[] }[] }>()
        .items.find((u) => u.id === userId)!.groupIds;
    const groups = async () =>
      (await call(t.app, colleague, 'GET', '/api/admin/groups')).json<{ items: Group[] }>().items;
    const dslTeam = (await groups()).find((g) => g.key === 'dsl')!;
    const myGroups = await groupsOf(me.id);
    const refused = (res: Parameters<typeof errorOf>[0]) => {
      expect(res.statusCode, res.body).toBe(403);
      expect(errorOf(res)).toMatchObject({ code: 'own_access', message: OWN });
    };
    // What changed; each refused attempt is itself recorded (issue 20's unusual-access scan).
    const auditCount = async () =>
      (await auditRows(t, schoolId)).filter((r) => r.action !== 'access.own_change_refused').length;
    const refusals = async () =>
      (await auditRows(t, schoolId)).filter((r) => r.action === 'access.own_change_refused').length;

    // Joining the DSL team oneself: refused, nothing written.
    const audited = await auditCount();
    const selfJoin = { groupIds: [...myGroups, dslTeam.id] };
    refused(await call(t.app, mine, 'PUT', `/api/admin/users/${me.id}/groups`, selfJoin));
    refused(await call(t.app, mine, 'PUT', `/api/admin/users/${me.id}/groups`, { groupIds: [] }));
    expect(await groupsOf(me.id)).toEqual(myGroups);
    // Saving one's groups unchanged changes no access.
    const same = await call(t.app, mine, 'PUT', `/api/admin/users/${me.id}/groups`, {
      groupIds: myGroups,
    });
    expect(same.statusCode, same.body).toBe(200);

    // A group the administrator belongs to: its grants and category access are not theirs to set.
    const created = await call(t.app, mine, 'POST', '/api/admin/groups', {
      name: 'Pastoral office',
      nonRestrictedDefault: 'none',
      restrictedDefault: 'none',
      scope: { kind: 'school' },
      capabilities: [],
    });
    const groupId = created.json<{ id: string }>().id;
    const added = await call(t.app, colleague, 'PUT', `/api/admin/users/${me.id}/groups`, {
      groupIds: [...myGroups, groupId],
    });
    expect(added.json(), added.body).toEqual({ awaitingApproval: [] });
    const restricted = (await categoryIds(t.services, schoolId)).find((c) => c.restricted)!;
    const grants = {
      name: 'Pastoral office',
      nonRestrictedDefault: 'view',
      restrictedDefault: 'view',
      scope: { kind: 'school' },
      capabilities: ['export'],
    };
    const before = await auditCount();
    for (const change of [
      { restrictedDefault: 'view' },
      { nonRestrictedDefault: 'add' },
      { capabilities: ['export'] },
      { scope: { kind: 'year_groups', yearGroups: ['Year 7'] } },
    ])
      refused(
        await call(t.app, mine, 'PUT', `/api/admin/groups/${groupId}`, {
          ...grants,
          nonRestrictedDefault: 'none',
          restrictedDefault: 'none',
          capabilities: [],
          ...change,
        }),
      );
    const adminsGroup = (await groups()).find((g) => g.key === 'school_admin')!;
    refused(
      await call(t.app, mine, 'PUT', `/api/admin/groups/${adminsGroup.id}`, {
        ...grants,
        name: adminsGroup.name,
        capabilities: ['admin'],
      }),
    );
    const categoryUrl = `/api/admin/groups/${groupId}/categories/${restricted.id}`;
    refused(await call(t.app, mine, 'PUT', categoryUrl, { access: 'view' }));
    expect(await auditCount()).toBe(before);
    expect(await refusals()).toBe(8); // two self-joins above, and these six
    expect((await groups()).find((g) => g.id === groupId)).toMatchObject({
      restrictedDefault: 'none',
      categories: [],
    });

    // Renaming and describing it changes no one's access: allowed.
    const renamed = await call(t.app, mine, 'PUT', `/api/admin/groups/${groupId}`, {
      name: 'Pastoral and attendance office',
      description: 'Front office staff',
      nonRestrictedDefault: 'none',
      restrictedDefault: 'none',
      scope: { kind: 'school' },
      capabilities: [],
    });
    expect(renamed.json(), renamed.body).toEqual({ awaitingApproval: [] });

    // The same changes by another administrator are accepted — those that open restricted
    // records or the DSL team as requests for approval (approvals.test.ts), the rest at once.
    const granted = await call(t.app, colleague, 'PUT', `/api/admin/groups/${groupId}`, {
      ...grants,
      restrictedDefault: 'none',
    });
    expect(granted.json(), granted.body).toEqual({ awaitingApproval: [] });
    const access = await call(t.app, colleague, 'PUT', categoryUrl, { access: 'view' });
    expect(access.json(), access.body).toMatchObject({
      awaitingApproval: [{ kind: 'category_access', reason: 'restricted', groupId }],
    });
    const joined = await call(t.app, colleague, 'PUT', `/api/admin/users/${me.id}/groups`, {
      groupIds: [...myGroups, groupId, dslTeam.id],
    });
    expect(joined.json(), joined.body).toMatchObject({
      awaitingApproval: [{ kind: 'membership', reason: 'dsl_team', groupId: dslTeam.id }],
    });
    expect(await groupsOf(me.id)).not.toContain(dslTeam.id);
    expect((await groups()).find((g) => g.id === groupId)).toMatchObject({
      name: 'Pastoral office',
      nonRestrictedDefault: 'view',
      restrictedDefault: 'none',
      categories: [],
    });
    // Nothing was changed by the refusals: only the allowed changes and requests were audited,
    // besides the record of each refused attempt.
    const actions = (await auditRows(t, schoolId))
      .slice(audited)
      .map((r) => r.action)
      .filter((a) => a !== 'access.own_change_refused');
    expect(actions).toEqual([
      'group.created',
      'user.groups_changed', // the colleague added them
      'group.updated', // renamed
      'group.updated',
      'access.requested',
      'access.requested',
    ]);
  });
});

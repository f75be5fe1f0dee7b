// Unusual access over the API (issue 20): each rule driven by what a member really does — opening
// many pupils' records in an hour, exporting in bulk, opening records outside school hours, an
// administrator adding themselves to a group — raises one signal per window, alerting the DSL
// team and the headteacher (never the member), audited; the rules are tuned by the DSL team,
// checked, and audited; the scan is idempotent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  categoryIds,
  makePupil,
  makeSchool,
  makeUser,
  signIn,
  testApp,
  type Session,
  type TestApp,
} from '../../test/harness.ts';
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';
import { auditRows } from '../identity/identity-test-kit.ts';
import { runUnusualAccessScan } from '../../jobs/unusual-access.ts';
import type { UnusualAccess, UnusualAccessRules } from '../../shared/schemas/audit-trail.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ config: { logLevel: 'error' } });
  t.services.mailer = { send: () => Promise.resolve() };
});
afterAll(async () => t.close());

const RULES: UnusualAccessRules = {
  pupilsPerHour: 3,
  pupilsPerDay: 100,
  refusalsPerHour: 5,
  exportsPerDay: 2,
  schoolHours: null,
};

async function school(rules: UnusualAccessRules = RULES) {
  const schoolId = await makeSchool(t.services);
  const dslUser = await makeUser(t.services, schoolId, 'dsl', 'Dana DSL');
  const headUser = await makeUser(t.services, schoolId, 'headteacher', 'Hal Head');
  const dsl = await signIn(t.app, dslUser, { elevated: true });
  const head = await signIn(t.app, headUser, { elevated: true });
  const pupils = [];
  for (let i = 0; i < 5; i++) pupils.push(await makePupil(t.services, schoolId));
  const set = await call(t.app, head, 'PUT', '/api/audit/unusual-access/rules', rules);
  expect(set.statusCode, set.body).toBe(200);
  const scan = () => runUnusualAccessScan(t.services, new Date(), [schoolId]);
  await scan(); // starts watching from here
  return { schoolId, dsl, dslUser, head, headUser, pupils, scan };
}

const alertsOf = (schoolId: string) =>
  unsafeAsOwner(t.services.db, (q) =>
    q.query<{ recipient_id: string; target_id: string; kind: string }>(
      `SELECT recipient_id, target_id, kind FROM alerts WHERE school_id = $1 AND kind = 'unusual_access'`,
      [schoolId],
    ),
  );
const unusual = async (s: Session) =>
  (await call(t.app, s, 'GET', '/api/audit/unusual-access')).json<UnusualAccess>();

describe('unusual access', () => {
  it('a member opening more pupils’ records in an hour than the school allows alerts the head, once', async () => {
    const s = await school();
    for (const p of s.pupils.slice(0, 4))
      expect((await call(t.app, s.dsl, 'GET', `/api/pupils/${p.id}/chronology`)).statusCode).toBe(
        200,
      );
    expect(await s.scan()).toBe(1);
    expect(await s.scan()).toBe(0); // the same hour: not again
    const alerts = await alertsOf(s.schoolId);
    expect(alerts.map((a) => a.recipient_id)).toContain(s.headUser.id);
    expect(alerts.map((a) => a.recipient_id)).not.toContain(s.dslUser.id); // never the member
    expect(alerts.every((a) => a.target_id === s.dslUser.id)).toBe(true);
    const view = await unusual(s.head);
    expect(view.signals).toHaveLength(1);
    expect(view.signals[0]).toMatchObject({
      rule: 'pupils_per_hour',
      member: 'Dana DSL',
      count: 4,
      what: 'opened 4 pupils’ records in an hour',
    });
    const audited = (await auditRows(t, s.schoolId)).filter(
      (r) => r.action === 'audit.unusual_access',
    );
    expect(audited).toHaveLength(1);
    expect(audited[0]?.details).toMatchObject({ rule: 'pupils_per_hour', observed: 4 });
  });

  it('judges only what happens after watching starts: a school’s history raises nothing', async () => {
    const schoolId = await makeSchool(t.services);
    const dsl = await signIn(t.app, await makeUser(t.services, schoolId, 'dsl'), {
      elevated: true,
    });
    const head = await signIn(t.app, await makeUser(t.services, schoolId, 'headteacher'), {
      elevated: true,
    });
    expect(
      (await call(t.app, head, 'PUT', '/api/audit/unusual-access/rules', RULES)).statusCode,
    ).toBe(200);
    const pupils = [];
    for (let i = 0; i < 5; i++) pupils.push(await makePupil(t.services, schoolId));
    // Before Lantern watched: five pupils opened (over the limit of 3).
    for (const p of pupils) await call(t.app, dsl, 'GET', `/api/pupils/${p.id}/chronology`);
    const scan = () => runUnusualAccessScan(t.services, new Date(), [schoolId]);
    expect(await scan()).toBe(0); // starts watching
    await call(t.app, dsl, 'GET', `/api/pupils/${pupils[0]!.id}/profile`);
    expect(await scan()).toBe(0); // one pupil since: the history is not counted again
  });

  it('pupils opened through a concern, a case, a referral and an attachment count as four', async () => {
    const s = await school();
    const teacher = await signIn(t.app, await makeUser(t.services, s.schoolId, 'teacher'));
    const [cat] = await categoryIds(t.services, s.schoolId);
    const concerns: string[] = [];
    for (const p of s.pupils.slice(0, 4)) {
      const made = await call(t.app, teacher, 'POST', '/api/concerns', {
        pupils: [{ pupilId: p.id, role: 'subject' }],
        categoryIds: [cat!.id],
        happenedAt: new Date(Date.now() - 60_000).toISOString(),
        body: 'A worry for the scan.',
      });
      expect(made.statusCode, made.body).toBe(201);
      concerns.push(made.json<{ id: string }>().id);
    }
    const opened = await call(t.app, s.dsl, 'POST', '/api/cases', {
      pupilId: s.pupils[1]!.id,
      concernId: concerns[1],
    });
    expect(opened.statusCode, opened.body).toBe(201);
    const caseId = opened.json<{ id: string }>().id;
    const agencies = (await call(t.app, s.dsl, 'GET', '/api/referral-agencies')).json<{
      items: { id: string }[];
    }>().items;
    const referred = await call(t.app, s.dsl, 'POST', '/api/referrals', {
      pupilId: s.pupils[2]!.id,
      agencyId: agencies[0]!.id,
      referredAt: new Date(Date.now() - 60_000).toISOString(),
    });
    expect(referred.statusCode, referred.body).toBe(201);
    const referralId = referred.json<{ id: string }>().id;
    const uploaded = await t.app.inject({
      method: 'POST',
      url: `/api/concerns/${concerns[3]}/attachments`,
      headers: {
        'x-file-name': 'note.txt',
        cookie: teacher.cookie,
        'x-csrf-token': teacher.csrf,
        'content-type': 'application/octet-stream',
      },
      payload: Buffer.from('A note.'),
    });
    expect(uploaded.statusCode, uploaded.body).toBe(201);
    const fileId = uploaded.json<{ id: string }>().id;
    await s.scan(); // the making above is behind the watch

    // Another DSL opens one pupil each through a concern, a case, a referral and a file.
    const viewer = await signIn(
      t.app,
      await makeUser(t.services, s.schoolId, 'dsl', 'Vic Viewer'),
      {
        elevated: true,
      },
    );
    for (const url of [
      `/api/concerns/${concerns[0]}`,
      `/api/cases/${caseId}`,
      `/api/referrals/${referralId}`,
      `/api/attachments/${fileId}`,
    ]) {
      const res = await call(t.app, viewer, 'GET', url);
      expect(res.statusCode, `${url} ${res.body}`).toBe(200);
    }
    const targets = [concerns[0], caseId, referralId, fileId];
    const kinds = (await auditRows(t, s.schoolId))
      .filter((r) => targets.includes(r.target_id ?? ''))
      .map((r) => `${r.action} ${r.target_id}`);
    expect(kinds).toEqual(
      expect.arrayContaining([
        `concern.viewed ${concerns[0]}`,
        `case.viewed ${caseId}`,
        `referral.viewed ${referralId}`,
        `attachment.downloaded ${fileId}`,
      ]),
    );
    expect(await s.scan()).toBe(1);
    const [signal] = (await unusual(s.head)).signals.filter((x) => x.member === 'Vic Viewer');
    expect(signal).toMatchObject({ rule: 'pupils_per_hour', count: 4 });
    const audited = (await auditRows(t, s.schoolId)).filter(
      (r) => r.action === 'audit.unusual_access',
    );
    expect(audited.map((r) => r.details)).toContainEqual(
      expect.objectContaining({ rule: 'pupils_per_hour', observed: 4 }),
    );
  });

  it('three pupils, at the limit, raise nothing', async () => {
    const s = await school();
    for (const p of s.pupils.slice(0, 3))
      await call(t.app, s.dsl, 'GET', `/api/pupils/${p.id}/chronology`);
    // The same pupil again does not count twice.
    await call(t.app, s.dsl, 'GET', `/api/pupils/${s.pupils[0]!.id}/profile`);
    expect(await s.scan()).toBe(0);
  });

  it('bulk exports, and records opened outside school hours, are each signalled', async () => {
    const s = await school({
      ...RULES,
      pupilsPerHour: 0,
      schoolHours: { from: '00:00', to: '00:01' },
    });
    const pupil = s.pupils[0]!.id;
    for (let i = 0; i < 2; i++)
      expect(
        (await call(t.app, s.dsl, 'GET', `/api/pupils/${pupil}/chronology.pdf`)).statusCode,
      ).toBe(200);
    await s.scan();
    const rules = (await unusual(s.head)).signals.map((x) => x.rule).sort();
    // Outside 00:00–00:01 (almost always, in a test), and two exports in a day.
    const now = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/London',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).format(new Date());
    expect(rules).toEqual(now === '00:00' ? ['exports'] : ['exports', 'out_of_hours']);
  });

  it('an administrator trying to add themselves to a group is refused, and signalled at once', async () => {
    const s = await school();
    const adminUser = await makeUser(t.services, s.schoolId, 'school_admin', 'Ada Admin');
    const admin = await signIn(t.app, adminUser, { elevated: true });
    const groups = (await call(t.app, admin, 'GET', '/api/admin/groups')).json<{
      items: { id: string; key: string; memberIds: string[] }[];
    }>().items;
    const mine = groups.filter((g) => g.memberIds.includes(adminUser.id)).map((g) => g.id);
    const pastoral = groups.find((g) => g.key === 'pastoral')!.id;
    const res = await call(t.app, admin, 'PUT', `/api/admin/users/${adminUser.id}/groups`, {
      groupIds: [...mine, pastoral],
    });
    expect(res.statusCode, res.body).toBe(403); // issue 11: another administrator must
    expect(await s.scan()).toBe(1);
    expect((await unusual(s.head)).signals[0]).toMatchObject({
      rule: 'own_access',
      member: 'Ada Admin',
    });
    // A group the administrator belongs to: changing its grants is refused, and signalled too.
    const adminsGroup = groups.find((g) => g.key === 'school_admin')!;
    const refused = await call(t.app, admin, 'PUT', `/api/admin/groups/${adminsGroup.id}`, {
      name: 'School administrators',
      nonRestrictedDefault: 'view',
      restrictedDefault: 'none',
      scope: { kind: 'school' },
      capabilities: ['admin'],
    });
    expect(refused.statusCode, refused.body).toBe(403);
    expect(await s.scan()).toBe(1);
  });

  it('rules are tuned by the DSL team and head, checked, and audited', async () => {
    const s = await school();
    const same = await call(t.app, s.dsl, 'PUT', '/api/audit/unusual-access/rules', {
      ...RULES,
      schoolHours: { from: '08:00', to: '08:00' },
    });
    expect(same.statusCode).toBe(400);
    expect(same.body).toContain('School hours must start and end at different times.');
    const bad = await call(t.app, s.dsl, 'PUT', '/api/audit/unusual-access/rules', {
      ...RULES,
      pupilsPerHour: -1,
    });
    expect(bad.statusCode).toBe(400);
    const teacher = await signIn(t.app, await makeUser(t.services, s.schoolId, 'teacher'), {
      elevated: true,
    });
    expect((await call(t.app, teacher, 'GET', '/api/audit/unusual-access')).statusCode).toBe(403);
    const ok = await call(t.app, s.dsl, 'PUT', '/api/audit/unusual-access/rules', {
      ...RULES,
      pupilsPerHour: 40,
    });
    expect(ok.json<UnusualAccess>().rules.pupilsPerHour).toBe(40);
    const changes = (await auditRows(t, s.schoolId)).filter(
      (r) => r.action === 'audit.rules_changed',
    );
    expect(changes.at(-1)?.details).toMatchObject({ changed: ['pupilsPerHour'] });
  });
});

// Granting record access is a two-person act (issue 11, finding 3), through HTTP on both engines:
// an administrator adding someone to the DSL team, giving a group view of restricted records or
// a restricted category, or inviting a DSL, changes nothing until the DSL, a deputy or the
// headteacher approves it in the app; the approvers are alerted and emailed (an email with no
// content); nobody approves a request they made, one that gives them access, or one for a group
// they belong to; a decided request cannot be decided again; every step is audited.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  categoryIds,
  makeSchool,
  makeUser,
  testApp,
  testClock,
  type Session,
  type TestApp,
} from '../../test/harness.ts';
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';
import {
  auditRows,
  enrolTotp,
  errorOf,
  passwordSignIn,
  sessionOf,
  startMailTrap,
  type MailTrap,
} from '../identity/identity-test-kit.ts';
import type { AccessRequestView } from '../../shared/schemas/administration.ts';

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

type Group = { id: string; key: string; name: string; restrictedDefault: string };

async function school() {
  const schoolId = await makeSchool(t.services);
  const people = {
    admin: await makeUser(t.services, schoolId, 'school_admin', 'Office admin'),
    dsl: await makeUser(t.services, schoolId, 'dsl', 'Dee Ess-Ell'),
    head: await makeUser(t.services, schoolId, 'headteacher', 'Head Teacher'),
    teacher: await makeUser(t.services, schoolId, 'teacher', 'Tess Teacher'),
  };
  const sessions = {
    admin: (await enrolTotp(t, people.admin)).session,
    dsl: (await enrolTotp(t, people.dsl)).session,
    head: (await enrolTotp(t, people.head)).session,
  };
  const groups = async () =>
    (await call(t.app, sessions.admin, 'GET', '/api/admin/groups')).json<{ items: Group[] }>()
      .items;
  const groupsOf = async (userId: string) =>
    (await call(t.app, sessions.admin, 'GET', '/api/admin/users'))
      .json<{ items: { id: string; groupIds: string[] }[] }>()
      .items.find((u) => u.id === userId)!.groupIds;
  const requests = async (s: Session) => {
    const res = await call(t.app, s, 'GET', '/api/access-requests');
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ items: AccessRequestView[] }>().items;
  };
  return { schoolId, people, sessions, groups, groupsOf, requests };
}

const decide = (s: Session, id: string, verb: 'approve' | 'decline' | 'withdraw') =>
  call(t.app, s, 'POST', `/api/access-requests/${id}/${verb}`);

async function alertsFor(userId: string) {
  return unsafeAsOwner(t.services.db, (q) =>
    q.query<{ kind: string; target_id: string; acknowledged_at: Date | null }>(
      `SELECT kind, target_id, acknowledged_at FROM alerts WHERE recipient_id = $1`,
      [userId],
    ),
  );
}

/** The alert email to `email` among those received after `after` (other notices may interleave). */
async function alertMailTo(email: string, after: number): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const m = mail.messages
      .slice(after)
      .find((x) => x.to.includes(email) && x.text.includes('You have a new alert in Lantern'));
    if (m) return m.text;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no alert email reached ${email}`);
}

describe('granting record access takes two people (issue 11)', () => {
  it('adding someone to the DSL team waits for a DSL, who is alerted and emailed, and applies on approval', async () => {
    const s = await school();
    const dslTeam = (await s.groups()).find((g) => g.key === 'dsl')!;
    const before = await s.groupsOf(s.people.teacher.id);
    const sent = mail.messages.length;

    const asked = await call(
      t.app,
      s.sessions.admin,
      'PUT',
      `/api/admin/users/${s.people.teacher.id}/groups`,
      { groupIds: [...before, dslTeam.id] },
    );
    expect(asked.statusCode, asked.body).toBe(200);
    const [pending] = asked.json<{ awaitingApproval: { requestId: string }[] }>().awaitingApproval;
    expect(pending).toMatchObject({
      kind: 'membership',
      reason: 'dsl_team',
      groupId: dslTeam.id,
      userId: s.people.teacher.id,
    });
    // Nothing changed yet.
    expect(await s.groupsOf(s.people.teacher.id)).toEqual(before);

    // The DSL and the headteacher are alerted and emailed, with nothing in the email but a link.
    for (const who of [s.people.dsl, s.people.head]) {
      expect(await alertsFor(who.id)).toEqual([
        { kind: 'access_request', target_id: pending!.requestId, acknowledged_at: null },
      ]);
      const text = await alertMailTo(who.email, sent);
      expect(text).toContain('There is something new for you to look at in Lantern.');
      expect(text).not.toContain('Tess');
      expect(text).not.toMatch(/safeguarding lead|DSL team|approv/i);
    }
    expect(await alertsFor(s.people.admin.id)).toEqual([]);

    // The administrator sees it waiting, and may not approve it.
    const seenByAdmin = (await s.requests(s.sessions.admin)).find(
      (r) => r.id === pending!.requestId,
    )!;
    expect(seenByAdmin).toMatchObject({
      status: 'pending',
      member: { id: s.people.teacher.id, name: 'Tess Teacher' },
      group: { id: dslTeam.id },
      requestedBy: { id: s.people.admin.id, name: 'Office admin' },
      allowed: { approve: false, decline: false, withdraw: true },
    });
    const byAdmin = await decide(s.sessions.admin, pending!.requestId, 'approve');
    expect([byAdmin.statusCode, errorOf(byAdmin).code]).toEqual([403, 'not_approver']);

    // A teacher cannot see the requests at all.
    const teacher = sessionOf(await passwordSignIn(t, s.people.teacher));
    const refused = await call(t.app, teacher, 'GET', '/api/access-requests');
    expect(refused.statusCode).toBe(403);

    // The DSL approves: the teacher joins, everyone's alert is acknowledged, and it is audited.
    const seen = (await s.requests(s.sessions.dsl)).find((r) => r.id === pending!.requestId)!;
    expect(seen.allowed).toEqual({ approve: true, decline: true, withdraw: true });
    const approved = await decide(s.sessions.dsl, pending!.requestId, 'approve');
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json()).toMatchObject({
      status: 'approved',
      decidedBy: { id: s.people.dsl.id },
    });
    expect(await s.groupsOf(s.people.teacher.id)).toEqual(
      expect.arrayContaining([...before, dslTeam.id]),
    );
    for (const who of [s.people.dsl, s.people.head]) {
      expect((await alertsFor(who.id))[0]?.acknowledged_at).not.toBeNull();
    }
    const again = await decide(s.sessions.head, pending!.requestId, 'approve');
    expect([again.statusCode, errorOf(again).code]).toEqual([409, 'already_decided']);

    const rows = await auditRows(t, s.schoolId);
    const requested = rows.find((r) => r.action === 'access.requested')!;
    expect(requested).toMatchObject({
      target_id: pending!.requestId,
      details: {
        kind: 'membership',
        reason: 'dsl_team',
        group: dslTeam.id,
        user: s.people.teacher.id,
      },
    });
    expect(requested.details.alerted).toEqual(
      expect.arrayContaining([s.people.dsl.id, s.people.head.id]),
    );
    const tail = rows.slice(-2).map((r) => r.action);
    expect(tail).toEqual(['user.groups_changed', 'access.approved']);
  });

  it('view of restricted records for a group waits; a decline changes nothing; an approval applies the change as asked', async () => {
    const s = await school();
    const created = await call(t.app, s.sessions.admin, 'POST', '/api/admin/groups', {
      name: 'Inclusion team',
      nonRestrictedDefault: 'view',
      restrictedDefault: 'none',
      scope: { kind: 'school' },
      capabilities: [],
    });
    const groupId = created.json<{ id: string }>().id;
    // An ordinary group: joining it applies at once.
    const teacherGroups = await s.groupsOf(s.people.teacher.id);
    const joined = await call(
      t.app,
      s.sessions.admin,
      'PUT',
      `/api/admin/users/${s.people.teacher.id}/groups`,
      { groupIds: [...teacherGroups, groupId] },
    );
    expect(joined.json(), joined.body).toEqual({ awaitingApproval: [] });

    const restrictedAll = {
      name: 'Inclusion team',
      nonRestrictedDefault: 'view',
      restrictedDefault: 'view',
      scope: { kind: 'school' },
      capabilities: [],
    };
    const asked = await call(
      t.app,
      s.sessions.admin,
      'PUT',
      `/api/admin/groups/${groupId}`,
      restrictedAll,
    );
    const [first] = asked.json<{ awaitingApproval: { requestId: string }[] }>().awaitingApproval;
    expect(first).toMatchObject({ kind: 'group', reason: 'restricted', groupId });
    expect((await s.groups()).find((g) => g.id === groupId)!.restrictedDefault).toBe('none');
    const view = (await s.requests(s.sessions.head)).find((r) => r.id === first!.requestId)!;
    expect(view.changes).toEqual(['Restricted categories: no access → may view']);

    const declined = await decide(s.sessions.head, first!.requestId, 'decline');
    expect(declined.json(), declined.body).toMatchObject({ status: 'declined' });
    expect((await s.groups()).find((g) => g.id === groupId)!.restrictedDefault).toBe('none');

    // One restricted category, asked for again and approved by the DSL.
    const restricted = (await categoryIds(t.services, s.schoolId)).find((c) => c.restricted)!;
    const url = `/api/admin/groups/${groupId}/categories/${restricted.id}`;
    const one = await call(t.app, s.sessions.admin, 'PUT', url, { access: 'view' });
    const [second] = one.json<{ awaitingApproval: { requestId: string }[] }>().awaitingApproval;
    expect(second).toMatchObject({ kind: 'category_access', categoryId: restricted.id });
    // Adding (not viewing) a restricted category gives no view: applied at once.
    const other = (await categoryIds(t.services, s.schoolId)).filter((c) => c.restricted)[1];
    if (other) {
      const add = await call(
        t.app,
        s.sessions.admin,
        'PUT',
        `/api/admin/groups/${groupId}/categories/${other.id}`,
        { access: 'add' },
      );
      expect(add.json(), add.body).toEqual({ awaitingApproval: [] });
    }
    const approved = await decide(s.sessions.dsl, second!.requestId, 'approve');
    expect(approved.statusCode, approved.body).toBe(200);
    const group = (await s.groups()).find((g) => g.id === groupId) as Group & {
      categories: { categoryId: string; access: string }[];
    };
    expect(group.categories).toContainEqual({ categoryId: restricted.id, access: 'view' });

    const actions = (await auditRows(t, s.schoolId)).map((r) => r.action);
    expect(actions.filter((a) => a.startsWith('access.'))).toEqual([
      'access.requested',
      'access.declined',
      'access.requested',
      'access.approved',
    ]);
  });

  it('no approver may approve what gives them access or changes a group they are in; a withdrawn request cannot be approved', async () => {
    const s = await school();
    const all = await s.groups();
    const headGroup = all.find((g) => g.key === 'headteacher')!;
    const dslGroup = all.find((g) => g.key === 'dsl')!;
    const dslGroups = await s.groupsOf(s.people.dsl.id);

    // The DSL asked to join the headteacher's group: the DSL may not approve it; the head may not
    // either (it is the head's own group); the refusal says why.
    const asked = await call(
      t.app,
      s.sessions.admin,
      'PUT',
      `/api/admin/users/${s.people.dsl.id}/groups`,
      { groupIds: [...dslGroups, headGroup.id] },
    );
    const [req] = asked.json<{ awaitingApproval: { requestId: string }[] }>().awaitingApproval;
    const byDsl = await decide(s.sessions.dsl, req!.requestId, 'approve');
    expect([byDsl.statusCode, errorOf(byDsl)]).toEqual([
      403,
      {
        code: 'own_access',
        message: 'This change would give you access, so someone else must approve it.',
      },
    ]);
    const view = (await s.requests(s.sessions.dsl)).find((r) => r.id === req!.requestId)!;
    expect(view.allowed.approve).toBe(false);
    expect(view.approveRefusal).toBe(
      'This change would give you access, so someone else must approve it.',
    );

    // A change to the DSL's own group: the DSL may not approve; the headteacher may.
    const dslRestrictedNone = await call(
      t.app,
      s.sessions.admin,
      'PUT',
      `/api/admin/groups/${dslGroup.id}/categories/${(await categoryIds(t.services, s.schoolId)).find((c) => c.restricted)!.id}`,
      { access: 'none' },
    );
    expect(dslRestrictedNone.json(), dslRestrictedNone.body).toEqual({ awaitingApproval: [] });
    const back = await call(
      t.app,
      s.sessions.admin,
      'PUT',
      `/api/admin/groups/${dslGroup.id}/categories/${(await categoryIds(t.services, s.schoolId)).find((c) => c.restricted)!.id}`,
      { access: 'inherit' },
    );
    const [restore] = back.json<{ awaitingApproval: { requestId: string }[] }>().awaitingApproval;
    expect(restore).toMatchObject({ kind: 'category_access', reason: 'restricted' });
    const own = await decide(s.sessions.dsl, restore!.requestId, 'approve');
    expect([own.statusCode, errorOf(own).message]).toEqual([
      403,
      'You belong to this group, so someone else must approve a change to what it sees.',
    ]);
    const byHead = await decide(s.sessions.head, restore!.requestId, 'approve');
    expect(byHead.statusCode, byHead.body).toBe(200);

    // Withdrawn by the administrator: no longer approvable.
    const withdrawn = await decide(s.sessions.admin, req!.requestId, 'withdraw');
    expect(withdrawn.json(), withdrawn.body).toMatchObject({ status: 'withdrawn' });
    const late = await decide(s.sessions.head, req!.requestId, 'approve');
    expect([late.statusCode, errorOf(late).message]).toEqual([
      409,
      'That request was already withdrawn.',
    ]);
    expect(await s.groupsOf(s.people.dsl.id)).not.toContain(headGroup.id);
  });

  it('an administrator cannot make themselves an approver: joining the headteacher’s group waits, however little it grants', async () => {
    const s = await school();
    const headGroup = (await s.groups()).find((g) => g.key === 'headteacher')!;
    // Lowering what a group sees needs nobody's approval…
    const lowered = await call(
      t.app,
      s.sessions.admin,
      'PUT',
      `/api/admin/groups/${headGroup.id}`,
      {
        name: headGroup.name,
        nonRestrictedDefault: 'view',
        restrictedDefault: 'none',
        scope: { kind: 'school' },
        capabilities: ['search', 'export', 'reports', 'admin', 'manage_cases'],
      },
    );
    expect(lowered.json(), lowered.body).toEqual({ awaitingApproval: [] });
    // …but a second account of theirs joining the group whose members approve still waits.
    const joined = await call(
      t.app,
      s.sessions.admin,
      'PUT',
      `/api/admin/users/${s.people.teacher.id}/groups`,
      { groupIds: [...(await s.groupsOf(s.people.teacher.id)), headGroup.id] },
    );
    expect(joined.json(), joined.body).toMatchObject({
      awaitingApproval: [{ kind: 'membership', reason: 'approvers', groupId: headGroup.id }],
    });
    expect(await s.groupsOf(s.people.teacher.id)).not.toContain(headGroup.id);
  });

  it('widening a group from one restricted category to all of them waits; the rest of the change applies at once', async () => {
    const s = await school();
    const [first, second] = (await categoryIds(t.services, s.schoolId)).filter((c) => c.restricted);
    const created = await call(t.app, s.sessions.admin, 'POST', '/api/admin/groups', {
      name: 'Early help',
      nonRestrictedDefault: 'none',
      restrictedDefault: 'none',
      scope: { kind: 'school' },
      capabilities: [],
    });
    const groupId = created.json<{ id: string }>().id;
    const one = await call(
      t.app,
      s.sessions.admin,
      'PUT',
      `/api/admin/groups/${groupId}/categories/${first!.id}`,
      { access: 'view' },
    );
    const [req] = one.json<{ awaitingApproval: { requestId: string }[] }>().awaitingApproval;
    expect((await decide(s.sessions.dsl, req!.requestId, 'approve')).statusCode).toBe(200);

    // It sees one restricted category; asking for all of them (and a new name) is not the same.
    const widened = await call(t.app, s.sessions.admin, 'PUT', `/api/admin/groups/${groupId}`, {
      name: 'Early help team',
      nonRestrictedDefault: 'view',
      restrictedDefault: 'view',
      scope: { kind: 'school' },
      capabilities: ['search'],
    });
    const [wide] = widened.json<{ awaitingApproval: { requestId: string }[] }>().awaitingApproval;
    expect(wide).toMatchObject({ kind: 'group', reason: 'restricted', groupId });
    type Full = Group & { nonRestrictedDefault: string; capabilities: string[] };
    const now = (await s.groups()).find((g) => g.id === groupId) as Full;
    expect(now).toMatchObject({
      name: 'Early help team',
      nonRestrictedDefault: 'view',
      restrictedDefault: 'none',
      capabilities: ['search'],
    });
    if (second) {
      const view = (await s.requests(s.sessions.dsl)).find((r) => r.id === wide!.requestId)!;
      expect(view.changes).toEqual(['Restricted categories: no access → may view']);
    }
    // Renamed again meanwhile; the approval applies the restricted default to the group as it is.
    await call(t.app, s.sessions.admin, 'PUT', `/api/admin/groups/${groupId}`, {
      name: 'Early help and inclusion',
      nonRestrictedDefault: 'view',
      restrictedDefault: 'none',
      scope: { kind: 'school' },
      capabilities: ['search'],
    });
    expect((await decide(s.sessions.head, wide!.requestId, 'approve')).statusCode).toBe(200);
    expect((await s.groups()).find((g) => g.id === groupId)).toMatchObject({
      name: 'Early help and inclusion',
      restrictedDefault: 'view',
    });
  });

  it('inviting a DSL makes the account at once but its DSL-team membership waits for approval', async () => {
    const s = await school();
    const invited = await call(t.app, s.sessions.admin, 'POST', '/api/admin/users', {
      name: 'New Deputy',
      email: `deputy-${Date.now()}@test.lantern.invalid`,
      role: 'deputy_dsl',
    });
    expect(invited.statusCode, invited.body).toBe(201);
    const body = invited.json<{ id: string; awaitingApproval: { groupId: string }[] }>();
    const deputyGroup = (await s.groups()).find((g) => g.key === 'deputy_dsl')!;
    const allStaff = (await s.groups()).find((g) => g.key === 'all_staff')!;
    expect(body.awaitingApproval).toEqual([
      expect.objectContaining({ kind: 'membership', reason: 'dsl_team', groupId: deputyGroup.id }),
    ]);
    expect(await s.groupsOf(body.id)).toEqual([allStaff.id]);
  });

  it('asks for a second factor again once the elevation has lapsed, before showing or deciding requests', async () => {
    const s = await school();
    const dslTeam = (await s.groups()).find((g) => g.key === 'dsl')!;
    const asked = await call(
      t.app,
      s.sessions.admin,
      'PUT',
      `/api/admin/users/${s.people.teacher.id}/groups`,
      { groupIds: [...(await s.groupsOf(s.people.teacher.id)), dslTeam.id] },
    );
    const [req] = asked.json<{ awaitingApproval: { requestId: string }[] }>().awaitingApproval;
    // Past the 15-minute elevation, inside the 20-minute idle timeout.
    clock.advance(16 * 60_000);
    for (const res of [
      await call(t.app, s.sessions.dsl, 'GET', '/api/access-requests'),
      await decide(s.sessions.dsl, req!.requestId, 'approve'),
    ]) {
      expect([res.statusCode, errorOf(res).code]).toEqual([403, 'step_up_required']);
    }
    const [still] = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ status: string }>('SELECT status FROM access_requests WHERE id = $1', [
        req!.requestId,
      ]),
    );
    expect(still?.status).toBe('pending');
  });
});

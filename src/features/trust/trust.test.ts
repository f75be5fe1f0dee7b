// A trust's view through the API (issue 20): the trust member's own sign-in with a required second
// factor and its own cookie; a school's sharing switch; the figures side by side and totalled,
// suppressed; a school that does not share refused and audited; the DSL team's grants (a reason,
// at most 30 days, only to a member of the school's own trust) and a pupil's record read under
// one, audited in the school's chain with the trust member as the actor; revoked, refused again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLATFORM_SCHOOL_ID, unsafeAsOwner } from '../../platform/db/tenancy.ts';
import { setTrustMemberStatus } from './members.ts';
import {
  call,
  categoryIds,
  makePupil,
  makeUser,
  signIn,
  testApp,
  type Session,
  type TestApp,
  type TestUser,
} from '../../test/harness.ts';
import { totpCodeAt } from '../identity/totp.ts';
import { closedPeriod } from './figures.ts';
import { englandDay } from '../../shared/calendar.ts';
import type {
  GrantPupils,
  HeldGrants,
  SchoolGrants,
  TrustOverview,
  TrustSchoolFigures,
  TrustSharing,
} from '../../shared/schemas/trust.ts';
import type { Chronology } from '../../shared/schemas/chronology.ts';
import {
  logConcerns,
  makeTrust,
  makeTrustMember,
  signInTrust,
  trustSessionOf,
  type TestTrustMember,
} from './trust-test-kit.ts';

let t: TestApp;
let trust: { trustId: string; schoolIds: string[] };
let other: { trustId: string; schoolIds: string[] };
let lead: TestTrustMember;
let outsider: TestTrustMember;
let leadSession: Session;
let adminA: Session;
let adminB: Session;
let dslA: Session;
let teacherA: Session;
let dslUserA: TestUser;
let pupil: { id: string; name: string };
let pupil2: { id: string; name: string };

async function lastEvent(schoolId: string, action: string) {
  const [row] = await unsafeAsOwner(t.services.db, (q) =>
    q.query<{ actor_label: string; actor_id: string | null; target_id: string; details: unknown }>(
      `SELECT actor_label, actor_id, target_id, details FROM audit_events
       WHERE school_id = $1 AND action = $2 ORDER BY seq DESC LIMIT 1`,
      [schoolId, action],
    ),
  );
  return row;
}

beforeAll(async () => {
  t = await testApp({ config: { logLevel: 'error' } });
  trust = await makeTrust(t, 2);
  other = await makeTrust(t, 1);
  lead = await makeTrustMember(t, trust.trustId);
  outsider = await makeTrustMember(t, other.trustId);
  const [a, b] = trust.schoolIds as [string, string];
  dslUserA = await makeUser(t.services, a, 'dsl', 'Dee Lead');
  dslA = await signIn(t.app, dslUserA, { elevated: true });
  adminA = await signIn(t.app, await makeUser(t.services, a, 'school_admin'), { elevated: true });
  adminB = await signIn(t.app, await makeUser(t.services, b, 'school_admin'), { elevated: true });
  teacherA = await signIn(t.app, await makeUser(t.services, a, 'teacher'));
  pupil = await makePupil(t.services, a, { firstName: 'Ava' });
  pupil2 = await makePupil(t.services, a, { firstName: 'Ben' });
  const pupilB = await makePupil(t.services, b);
  await logConcerns(t, dslA, a, pupil.id, 7);
  await logConcerns(t, dslA, a, pupil2.id, 2);
  const dslB = await signIn(t.app, await makeUser(t.services, b, 'dsl'), { elevated: true });
  await logConcerns(t, dslB, b, pupilB.id, 3);
  leadSession = await signInTrust(t, lead);
}, 180_000);
afterAll(async () => t.close());

describe('trust accounts', () => {
  it('need the code after the password; a wrong password or code is refused', async () => {
    const wrong = await t.app.inject({
      method: 'POST',
      url: '/api/trust/auth/sign-in',
      payload: { email: lead.email, password: 'not-the-password-1!' },
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json<{ error: { message: string } }>().error.message).toBe(
      'The email address or password is not right.',
    );
    const first = await t.app.inject({
      method: 'POST',
      url: '/api/trust/auth/sign-in',
      payload: { email: lead.email, password: lead.password },
    });
    expect(first.statusCode).toBe(200);
    expect(first.json<{ stage: string }>().stage).toBe('second_factor');
    const pending = trustSessionOf(first);
    expect((await call(t.app, pending, 'GET', '/api/trust/overview')).statusCode).toBe(401);
    const bad = await call(t.app, pending, 'POST', '/api/trust/auth/code', { code: '000000' });
    expect(bad.statusCode).toBe(401);
  });

  it('a member with no authenticator must set one up first', async () => {
    const fresh = await makeTrustMember(t, trust.trustId, 'trust_executive', false);
    const first = await t.app.inject({
      method: 'POST',
      url: '/api/trust/auth/sign-in',
      payload: { email: fresh.email, password: fresh.password },
    });
    expect(first.json<{ stage: string }>().stage).toBe('enrol');
    const s = trustSessionOf(first);
    expect((await call(t.app, s, 'GET', '/api/trust/overview')).statusCode).toBe(403);
    const enrol = await call(t.app, s, 'POST', '/api/trust/auth/totp/enrol');
    expect(enrol.statusCode, enrol.body).toBe(200);
    const secret = enrol.json<{ manualKey: string }>().manualKey.replace(/\s/g, '');
    const done = await call(t.app, s, 'POST', '/api/trust/auth/code', {
      code: totpCodeAt(secret, t.services.clock.now()),
    });
    expect(done.statusCode, done.body).toBe(200);
    const full = trustSessionOf(done, s);
    expect((await call(t.app, full, 'GET', '/api/trust/overview')).statusCode).toBe(200);
    // The secret is stored sealed (Lantern's envelope under the master key), never in clear.
    const [stored] = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ totp_sealed: Buffer }>(
        'SELECT totp_sealed FROM trust_member_credentials WHERE member_id = $1',
        [fresh.id],
      ),
    );
    const bytes = Buffer.from(stored!.totp_sealed);
    expect(bytes[0]).toBe(0x01);
    expect(bytes.includes(Buffer.from(secret))).toBe(false);
  });

  it('a staff cookie on a trust route, and a trust cookie on staff and parent routes: 401', async () => {
    expect((await call(t.app, dslA, 'GET', '/api/trust/overview')).statusCode).toBe(401);
    expect((await call(t.app, dslA, 'GET', '/api/trust/grants')).statusCode).toBe(401);
    expect((await call(t.app, leadSession, 'GET', '/api/trust-grants')).statusCode).toBe(401);
    expect((await call(t.app, leadSession, 'GET', '/api/reports')).statusCode).toBe(401);
    expect((await call(t.app, leadSession, 'GET', '/api/parent/children')).statusCode).toBe(401);
    expect((await call(t.app, null, 'GET', '/api/trust/overview')).statusCode).toBe(401);
  });

  it('a disabled member is signed out at once and cannot sign in; enabled, they can again', async () => {
    const leaver = await makeTrustMember(t, trust.trustId);
    const session = await signInTrust(t, leaver);
    expect((await call(t.app, session, 'GET', '/api/trust/session')).statusCode).toBe(200);
    const off = await setTrustMemberStatus(t.services, { email: leaver.email, status: 'disabled' });
    expect(off).toMatchObject({ changed: true, sessionsEnded: 1 });
    expect((await call(t.app, session, 'GET', '/api/trust/session')).statusCode).toBe(401);
    await expect(signInTrust(t, leaver)).rejects.toThrow(/trust sign-in: 401/);
    expect((await lastEvent(PLATFORM_SCHOOL_ID, 'trust.member_disabled'))?.target_id).toBe(
      leaver.id,
    );
    const again = await setTrustMemberStatus(t.services, {
      email: leaver.email,
      status: 'disabled',
    });
    expect(again.changed).toBe(false);
    await setTrustMemberStatus(t.services, { email: leaver.email, status: 'active' });
    const back = await signInTrust(t, leaver);
    expect((await call(t.app, back, 'GET', '/api/trust/session')).statusCode).toBe(200);
    await expect(
      setTrustMemberStatus(t.services, { email: 'nobody@example.org', status: 'disabled' }),
    ).rejects.toThrow(/no trust member/);
  });
});

describe('sharing and the figures', () => {
  it('nothing is shared until a school’s administrator switches it on (audited)', async () => {
    const before = await call(t.app, leadSession, 'GET', '/api/trust/overview');
    expect(before.json<TrustOverview>().schools).toEqual([]);
    expect(
      (await call(t.app, teacherA, 'PUT', '/api/trust-sharing', { sharing: true })).statusCode,
    ).toBe(403);
    const on = await call(t.app, adminA, 'PUT', '/api/trust-sharing', { sharing: true });
    expect(on.statusCode, on.body).toBe(200);
    expect(on.json<TrustSharing>().sharing).toBe(true);
    expect((await lastEvent(trust.schoolIds[0]!, 'trust.sharing_changed'))?.details).toEqual({
      sharing: true,
    });
    const onB = await call(t.app, adminB, 'PUT', '/api/trust-sharing', { sharing: true });
    expect(onB.statusCode).toBe(200);
  });

  it('shows the schools side by side and totalled, with no count from 1 to 4', async () => {
    const res = await call(t.app, leadSession, 'GET', '/api/trust/overview');
    expect(res.statusCode, res.body).toBe(200);
    const o = res.json<TrustOverview>();
    expect(o.schools).toHaveLength(2);
    expect(o.asOf).not.toBeNull();
    const cat = o.tables.find((x) => x.id === 'records_by_category:0')!;
    expect(cat.columns.slice(-1)).toEqual(['All sharing schools']);
    const bullying = cat.rows.find((r) => r.label === 'Bullying')!;
    // School A has 9 records, school B 3 ("<5"): the total across them would give B's back.
    const a = o.schools.findIndex((s) => s.id === trust.schoolIds[0]);
    const b = 1 - a;
    expect(bullying.values[b]).toBe('<5');
    expect(bullying.values[a]).toBe(9);
    expect(bullying.values[2]).toBe('[c]');
    for (const table of o.tables) {
      for (const line of [...table.rows, ...(table.total ? [table.total] : [])]) {
        for (const v of line.values) {
          if (typeof v === 'number')
            expect(v === 0 || v >= 5, `${table.id} ${line.label}`).toBe(true);
        }
      }
    }
  });

  it('a school that stops sharing disappears at once; asking for it is refused and audited', async () => {
    const off = await call(t.app, adminB, 'PUT', '/api/trust-sharing', { sharing: false });
    expect(off.json<TrustSharing>().sharing).toBe(false);
    const o = (await call(t.app, leadSession, 'GET', '/api/trust/overview')).json<TrustOverview>();
    expect(o.schools.map((s) => s.id)).toEqual([trust.schoolIds[0]]);
    expect(o.notSharing).toHaveLength(1);
    const asked = await call(
      t.app,
      leadSession,
      'GET',
      `/api/trust/schools/${trust.schoolIds[1]}/figures`,
    );
    expect(asked.statusCode).toBe(403);
    expect(asked.json<{ error: { message: string } }>().error.message).toBe(
      'That school does not share its figures with the trust.',
    );
    const ev = await lastEvent(trust.schoolIds[1]!, 'trust.school_refused');
    expect(ev?.actor_label).toMatch(/^Trust: /);
    expect(ev?.actor_id).toBeNull();
    const foreign = await call(
      t.app,
      leadSession,
      'GET',
      `/api/trust/schools/${other.schoolIds[0]}/figures`,
    );
    expect(foreign.statusCode).toBe(404);
    const mine = await call(
      t.app,
      leadSession,
      'GET',
      `/api/trust/schools/${trust.schoolIds[0]}/figures`,
    );
    expect(mine.statusCode).toBe(200);
    expect(mine.json<TrustSchoolFigures>().school.id).toBe(trust.schoolIds[0]);
    const outsiderSession = await signInTrust(t, outsider);
    const theirs = await call(t.app, outsiderSession, 'GET', '/api/trust/overview');
    expect(theirs.json<TrustOverview>().schools).toEqual([]);
  });

  it('covers whole months only, each computed once: asking again recomputes nothing', async () => {
    const before = (
      await call(t.app, leadSession, 'GET', '/api/trust/overview')
    ).json<TrustOverview>();
    expect(before.schools[0]!.to).toBe(closedPeriod(t.services.clock.now()).to);
    expect(before.schools[0]!.to < englandDay(t.services.clock.now())).toBe(true);
    const res = await call(t.app, leadSession, 'POST', '/api/trust/overview/refresh');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json<{ schools: number }>().schools).toBe(0);
    const after = (
      await call(t.app, leadSession, 'GET', '/api/trust/overview')
    ).json<TrustOverview>();
    expect(after.schools.map((s) => s.asOf)).toEqual(before.schools.map((s) => s.asOf));
    expect(after.tables).toEqual(before.tables);
  });

  it('the closed period: the last full month, so no two periods overlap', () => {
    expect(closedPeriod(new Date('2026-12-07T06:00:00Z'))).toEqual({
      from: '2026-11-01',
      to: '2026-11-30',
    });
    expect(closedPeriod(new Date('2026-09-15T06:00:00Z'))).toEqual({
      from: '2026-08-01',
      to: '2026-08-31',
    });
    // Just after midnight on 1 April in London (still 31 March in UTC): March is closed.
    expect(closedPeriod(new Date('2027-04-01T00:30:00+01:00')).to).toBe('2027-03-31');
  });
});

describe('grants', () => {
  let grantId = '';
  const newGrant = (over: Record<string, unknown> = {}) => ({
    memberId: lead.id,
    scope: 'pupil',
    pupilId: pupil.id,
    reason: 'Reviewing the case with the DSL.',
    days: 7,
    ...over,
  });

  it('are refused without a reason, beyond 30 days, to another trust’s member; nothing written', async () => {
    const count = async () =>
      (
        await unsafeAsOwner(t.services.db, (q) =>
          q.query('SELECT 1 FROM trust_grants WHERE school_id = $1', [trust.schoolIds[0]]),
        )
      ).length;
    const before = await count();
    const noReason = await call(
      t.app,
      dslA,
      'POST',
      '/api/trust-grants',
      newGrant({ reason: '  ' }),
    );
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json<{ error: { message: string } }>().error.message).toBe(
      'Give the reason the trust needs this access.',
    );
    const tooLong = await call(t.app, dslA, 'POST', '/api/trust-grants', newGrant({ days: 31 }));
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json<{ error: { message: string } }>().error.message).toMatch(/at most 30 days/);
    const foreign = await call(
      t.app,
      dslA,
      'POST',
      '/api/trust-grants',
      newGrant({ memberId: outsider.id }),
    );
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json<{ error: { message: string } }>().error.message).toBe(
      'That person is not a member of your school’s trust.',
    );
    const byAdmin = await call(t.app, adminA, 'POST', '/api/trust-grants', newGrant());
    expect(byAdmin.statusCode).toBe(403);
    expect(await count()).toBe(before);
  });

  it('a DSL grant lets the member read that pupil’s record, audited in the school as them', async () => {
    const made = await call(t.app, dslA, 'POST', '/api/trust-grants', newGrant());
    expect(made.statusCode, made.body).toBe(200);
    grantId = made.json<{ id: string }>().id;
    const list = await call(t.app, dslA, 'GET', '/api/trust-grants');
    const g = list.json<SchoolGrants>().items.find((x) => x.id === grantId)!;
    expect(g.reason).toBe('Reviewing the case with the DSL.');
    expect(g.state).toBe('active');
    const held = (await call(t.app, leadSession, 'GET', '/api/trust/grants')).json<HeldGrants>();
    expect(held.items.map((x) => x.id)).toContain(grantId);
    const pupils = await call(t.app, leadSession, 'GET', `/api/trust/grants/${grantId}/pupils`);
    expect(pupils.json<GrantPupils>().pupils.map((p) => p.id)).toEqual([pupil.id]);
    // A concern about both pupils: the grant covers Ava, so Ben is "Another pupil" on it.
    const both = await call(t.app, dslA, 'POST', '/api/concerns', {
      pupils: [
        { pupilId: pupil.id, role: 'subject' },
        { pupilId: pupil2.id, role: 'subject' },
      ],
      categoryIds: [(await categoryIds(t.services, trust.schoolIds[0]!))[0]!.id],
      happenedAt: new Date(t.services.clock.now().getTime() - 60_000).toISOString(),
      body: 'A worry about two pupils.',
    });
    expect(both.statusCode, both.body).toBe(201);
    const read = await call(
      t.app,
      leadSession,
      'GET',
      `/api/trust/grants/${grantId}/pupils/${pupil.id}/chronology`,
    );
    expect(read.statusCode, read.body).toBe(200);
    expect(read.json<Chronology>().total).toBe(8);
    const shared = read.json<Chronology>().entries.find((e) => e.pupils.length === 2)!;
    expect(shared.pupils.find((p) => p.id === pupil.id)?.name).toContain('Ava');
    expect(shared.pupils).toContainEqual({ id: null, name: 'Another pupil', role: 'subject' });
    expect(read.body).not.toContain(pupil2.id);
    expect(read.body).not.toContain(pupil2.name);
    const ev = await lastEvent(trust.schoolIds[0]!, 'pupil.chronology_viewed');
    expect(ev?.target_id).toBe(pupil.id);
    expect(ev?.actor_label).toMatch(/^Trust: Trust trust_safeguarding_lead/);
    expect(ev?.actor_id).toBeNull();
    // The school's "Who has seen this record" shows the trust member's read.
    const log = await call(t.app, dslA, 'GET', `/api/pupils/${pupil.id}/access-log`);
    expect(log.statusCode, log.body).toBe(200);
    const seen = log.json<{ entries: { who: string; action: string }[] }>().entries;
    expect(
      seen.some((e) => e.action === 'pupil.chronology_viewed' && e.who.startsWith('Trust: ')),
    ).toBe(true);
    expect(seen.some((e) => e.action === 'trust.grant_made')).toBe(true);
    const otherPupil = await call(
      t.app,
      leadSession,
      'GET',
      `/api/trust/grants/${grantId}/pupils/${pupil2.id}/chronology`,
    );
    expect(otherPupil.statusCode).toBe(404);
    const refusal = await lastEvent(trust.schoolIds[0]!, 'trust.grant_refused');
    expect(refusal).toMatchObject({
      target_id: pupil2.id,
      details: { reason: 'other_pupil' },
      actor_id: null,
    });
    expect(refusal!.actor_label).toMatch(/^Trust: /);
  });

  it('once revoked, the grant reads nothing and the attempt is audited', async () => {
    const revoked = await call(t.app, dslA, 'POST', `/api/trust-grants/${grantId}/revoke`);
    expect(revoked.statusCode, revoked.body).toBe(200);
    const again = await call(t.app, dslA, 'POST', `/api/trust-grants/${grantId}/revoke`);
    expect(again.statusCode).toBe(409);
    const read = await call(
      t.app,
      leadSession,
      'GET',
      `/api/trust/grants/${grantId}/pupils/${pupil.id}/chronology`,
    );
    expect(read.statusCode).toBe(404);
    expect(read.json<{ error: { message: string } }>().error.message).toMatch(
      /This access has ended/,
    );
    expect((await lastEvent(trust.schoolIds[0]!, 'trust.grant_refused'))?.details).toEqual({
      reason: 'revoked',
      trustMember: lead.id, // so the unusual-access scan counts the refusal as theirs
    });
  });

  it('an expired grant is refused too', async () => {
    const made = await call(
      t.app,
      dslA,
      'POST',
      '/api/trust-grants',
      newGrant({ scope: 'school', pupilId: undefined }),
    );
    const id = made.json<{ id: string }>().id;
    expect(
      (await call(t.app, leadSession, 'GET', `/api/trust/grants/${id}/pupils`)).statusCode,
    ).toBe(200);
    await unsafeAsOwner(t.services.db, (q) =>
      q.query(
        `UPDATE trust_grants SET granted_at = now() - interval '2 days',
           expires_at = now() - interval '1 minute' WHERE id = $1`,
        [id],
      ),
    );
    const read = await call(t.app, leadSession, 'GET', `/api/trust/grants/${id}/pupils`);
    expect(read.statusCode).toBe(404);
    expect((await lastEvent(trust.schoolIds[0]!, 'trust.grant_refused'))?.details).toEqual({
      reason: 'expired',
      trustMember: lead.id, // so the unusual-access scan counts the refusal as theirs
    });
  });
});

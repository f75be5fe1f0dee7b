// What the audit trail must show beyond successes and wrong passwords (issue 3): attempts the
// rate limit or a lock refused (429) on a real account — never on an unknown email, which gets the
// same answer — a lock brought on by wrong second-factor codes, sessions that idle out or reach
// their absolute lifetime (ended by the minute job even if the cookie never returns, audited once),
// and a group's settings before and after a change. One clock for the file, only moved forward.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  makeSchool,
  makeUser,
  testApp,
  testClock,
  type TestApp,
} from '../../test/harness.ts';
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';
import { PLATFORM_SCHOOL_ID } from '../../platform/db/tenancy.ts';
import { sweepLapsedSessions } from '../../jobs/due-work.ts';
import { accountKey, refusalDue } from './throttle.ts';
import {
  auditRows,
  drainWork,
  enrolTotp,
  errorOf,
  oathtool,
  passwordSignIn,
  sessionOf,
  type AuditRow,
} from './identity-test-kit.ts';

const clock = testClock();
let t: TestApp;
beforeAll(async () => {
  t = await testApp({ clock });
});
afterAll(async () => t.close());

const of = (rows: AuditRow[], action: string, userId?: string) =>
  rows.filter((r) => r.action === action && (userId === undefined || r.target_id === userId));

/** Wrong passwords until the account's throttle answers 429 (the fourth failure brings a delay). */
async function throttle(email: string) {
  for (let i = 0; i < 4; i++) {
    const res = await passwordSignIn(t, { email, password: 'not-the-Password-1!' });
    expect(res.statusCode, res.body).toBe(401);
  }
  return passwordSignIn(t, { email, password: 'not-the-Password-1!' });
}

describe('refused attempts', () => {
  it('a sign-in refused by the rate limit is audited for a real account, with the same answer as for an unknown email', async () => {
    const schoolId = await makeSchool(t.services);
    const user = await makeUser(t.services, schoolId, 'school_admin');
    const platformBefore = of(
      await auditRows(t, PLATFORM_SCHOOL_ID),
      'auth.sign_in_refused',
    ).length;

    const known = await throttle(user.email);
    const unknown = await throttle(`nobody-${Date.now()}@test.lantern.invalid`);
    expect(known.statusCode).toBe(429);
    expect([unknown.statusCode, unknown.body]).toEqual([known.statusCode, known.body]);
    // Even the right password is refused while the delay runs, and that is audited too (once a
    // minute at most, so a flood of refusals cannot flood the trail).
    const right = await passwordSignIn(t, user);
    expect(right.statusCode).toBe(429);

    // Refusals are audited by the deferred-work worker, after the answer.
    await drainWork(t);
    const refused = of(await auditRows(t, schoolId), 'auth.sign_in_refused', user.id);
    expect(refused.map((r) => r.details)).toEqual([
      { reason: 'throttled', step: 'password', retryAfterSeconds: 2 },
    ]);
    expect(of(await auditRows(t, PLATFORM_SCHOOL_ID), 'auth.sign_in_refused').length).toBe(
      platformBefore,
    );
    clock.advance(61_000);
  });

  it('queues a refused sign-in’s work at most once a minute per email, real or unknown alike', async () => {
    const user = await makeUser(t.services, await makeSchool(t.services), 'teacher');
    const due = (email: string) =>
      unsafeAsOwner(t.services.db, (q) => refusalDue(q, accountKey(email), clock.now()));
    const unknown = `nobody-${Date.now()}@test.lantern.invalid`;
    for (const email of [user.email, unknown]) {
      expect([await due(email), await due(email), await due(email)]).toEqual([true, false, false]);
    }
    clock.advance(61_000);
    expect([await due(user.email), await due(unknown)]).toEqual([true, true]);
  });

  it('ten wrong second-factor codes lock the account (auth.account_locked); attempts during the lock are refused and audited as locked', async () => {
    const schoolId = await makeSchool(t.services);
    const user = await makeUser(t.services, schoolId, 'school_admin');
    const { session, secret } = await enrolTotp(t, user);
    const wrong = () => {
      const right = oathtool(secret, clock.now());
      return `${right.slice(0, 5)}${(Number(right[5]) + 5) % 10}`;
    };
    for (let failures = 0; failures < 10; failures++) {
      // Wait out each growing delay (2, 4, 8… seconds after the third failure).
      if (failures >= 4) clock.advance(2 ** (failures - 3) * 1000 + 1000);
      const res = await call(t.app, session, 'POST', '/api/auth/verify/totp', { code: wrong() });
      expect(res.statusCode, `failure ${failures + 1}: ${res.body}`).toBe(400);
    }
    const rows = await auditRows(t, schoolId);
    expect(of(rows, 'auth.second_factor_failed', user.id).length).toBe(10);
    expect(of(rows, 'auth.account_locked', user.id).map((r) => r.details)).toEqual([
      { after: 'second_factor' },
    ]);

    clock.advance(1000);
    const code = await call(t.app, session, 'POST', '/api/auth/verify/totp', {
      code: oathtool(secret, clock.now()),
    });
    expect(code.statusCode).toBe(429);
    expect(errorOf(code).message).toMatch(/locked/);
    const password = await passwordSignIn(t, user);
    expect(password.statusCode).toBe(429);
    clock.advance(61_000);
    expect((await passwordSignIn(t, user)).statusCode).toBe(429);

    // A refused sign-in is audited by the deferred-work worker, after the answer.
    await drainWork(t);
    const refused = of(await auditRows(t, schoolId), 'auth.sign_in_refused', user.id).map(
      (r) => r.details,
    );
    expect(refused).toEqual([
      expect.objectContaining({ reason: 'locked', step: 'step_up' }),
      expect.objectContaining({ reason: 'locked', step: 'password' }),
    ]);
    // The lock lifts by itself after 30 minutes.
    clock.advance(30 * 60_000);
  });
});

const sessionEnded = async (schoolId: string, userId: string) =>
  of(await auditRows(t, schoolId), 'auth.session_ended', userId).map((r) => r.details);

describe('lapsed sessions', () => {
  it('the minute job ends and audits a session that idled out, once, though its cookie never returns', async () => {
    const schoolId = await makeSchool(t.services);
    const user = await makeUser(t.services, schoolId, 'school_admin');
    const s = sessionOf(await passwordSignIn(t, user));
    const sweep = () => sweepLapsedSessions(t.services, clock.now(), [schoolId]);
    clock.advance(10 * 60_000);
    expect(await sweep()).toBe(0);
    expect(await sessionEnded(schoolId, user.id)).toEqual([]);

    clock.advance(11 * 60_000);
    expect(await sweep()).toBe(1);
    expect(await sessionEnded(schoolId, user.id)).toEqual([{ reason: 'idle' }]);
    expect(await sweep()).toBe(0);
    // The cookie coming back afterwards is refused and does not audit it again.
    expect((await call(t.app, s, 'GET', '/api/auth/session')).statusCode).toBe(401);
    expect(await sessionEnded(schoolId, user.id)).toEqual([{ reason: 'idle' }]);
  });

  it('a session in use is refused at its absolute lifetime (12 hours by default) and audited', async () => {
    const schoolId = await makeSchool(t.services);
    const user = await makeUser(t.services, schoolId, 'school_admin');
    const s = sessionOf(await passwordSignIn(t, user));
    // Active every ten minutes (well inside the 20-minute idle timeout) for 11 h 50 min.
    for (let m = 10; m < 12 * 60; m += 10) {
      clock.advance(10 * 60_000);
      const res = await call(t.app, s, 'GET', '/api/auth/session');
      expect(res.statusCode, `at ${m} minutes: ${res.body}`).toBe(200);
    }
    clock.advance(10 * 60_000);
    const refused = await call(t.app, s, 'GET', '/api/auth/session');
    expect(refused.statusCode).toBe(401);
    expect(await sessionEnded(schoolId, user.id)).toEqual([{ reason: 'absolute' }]);
  });

  it('a school’s own absolute lifetime applies, and the minute job ends such a session itself', async () => {
    const schoolId = await makeSchool(t.services);
    await unsafeAsOwner(t.services.db, (q) =>
      q.query(
        `UPDATE schools SET settings = coalesce(settings, '{}'::jsonb) || '{"absoluteSessionHours": 2}'::jsonb
         WHERE id = $1`,
        [schoolId],
      ),
    );
    const user = await makeUser(t.services, schoolId, 'school_admin');
    const watched = sessionOf(await passwordSignIn(t, user));
    const swept = sessionOf(await passwordSignIn(t, user));
    for (let m = 15; m < 120; m += 15) {
      clock.advance(15 * 60_000);
      expect((await call(t.app, watched, 'GET', '/api/auth/session')).statusCode).toBe(200);
      expect((await call(t.app, swept, 'GET', '/api/auth/session')).statusCode).toBe(200);
    }
    clock.advance(15 * 60_000);
    expect((await call(t.app, watched, 'GET', '/api/auth/session')).statusCode).toBe(401);
    expect(await sweepLapsedSessions(t.services, clock.now(), [schoolId])).toBe(1);
    expect(await sessionEnded(schoolId, user.id)).toEqual([
      { reason: 'absolute' },
      { reason: 'absolute' },
    ]);
    expect((await call(t.app, swept, 'GET', '/api/auth/session')).statusCode).toBe(401);
    expect((await sessionEnded(schoolId, user.id)).length).toBe(2);
  });
});

describe('group changes', () => {
  it('group.updated records each setting before and after, and only whether the name changed', async () => {
    const schoolId = await makeSchool(t.services);
    const { session: admin } = await enrolTotp(
      t,
      await makeUser(t.services, schoolId, 'school_admin'),
    );
    const group = {
      name: 'Attendance readers',
      nonRestrictedDefault: 'none',
      restrictedDefault: 'none',
      scope: { kind: 'school' },
      capabilities: [],
    };
    const created = await call(t.app, admin, 'POST', '/api/admin/groups', group);
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json<{ id: string }>().id;
    const updated = await call(t.app, admin, 'PUT', `/api/admin/groups/${id}`, {
      ...group,
      name: 'Pastoral readers',
      nonRestrictedDefault: 'view',
    });
    expect(updated.statusCode, updated.body).toBe(200);
    expect(updated.json()).toEqual({ awaitingApproval: [] });
    const [row] = of(await auditRows(t, schoolId), 'group.updated');
    expect(row?.target_id).toBe(id);
    expect(row?.details).toEqual({
      renamed: true,
      descriptionChanged: false,
      changed: ['nonRestrictedDefault'],
      nonRestrictedDefaultBefore: 'none',
      nonRestrictedDefaultAfter: 'view',
      restrictedDefaultBefore: 'none',
      restrictedDefaultAfter: 'none',
      scopeBefore: 'school',
      scopeAfter: 'school',
      yearGroupsBefore: [],
      yearGroupsAfter: [],
      capabilitiesBefore: [],
      capabilitiesAfter: [],
    });
    expect(JSON.stringify(row?.details)).not.toContain('readers');
  });
});

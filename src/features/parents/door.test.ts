// The parents' door over HTTP (issue 21), on both engines: the parent's own cookie (HttpOnly,
// SameSite=Strict, path /api/parent, Secure over TLS); a password alone reaches only the code; a
// parent with no second factor must set one up before anything else; CSRF like staff; a wrong
// code counted and audited as the parent (actor_id NULL, "Parent: …"); a new device's notice says
// nothing but that; signing out ends the session.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePupil, makeSchool, testApp, testClock, type TestApp } from '../../test/harness.ts';
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';
import { totpCodeAt } from '../identity/totp.ts';
import { drainWork, startMailTrap, type MailTrap } from '../identity/identity-test-kit.ts';
import {
  makeParent,
  parentCall,
  parentCode,
  parentSessionOf,
  signInParent,
  type TestParent,
} from './parent-test-kit.ts';
import { parentCookieName } from './sessions.ts';

let t: TestApp;
let trap: MailTrap;
const clock = testClock();
let schoolId: string;
let childId: string;

beforeAll(async () => {
  trap = await startMailTrap();
  t = await testApp({ config: { logLevel: 'error', smtpUrl: trap.url }, clock });
  schoolId = await makeSchool(t.services);
  childId = (await makePupil(t.services, schoolId, { yearGroup: 'Nursery' })).id;
});
afterAll(async () => {
  await t.close();
  await trap.close();
});

const signInPassword = (p: TestParent) =>
  t.app.inject({
    method: 'POST',
    url: '/api/parent/auth/sign-in',
    payload: { email: p.email, password: p.password },
  });

async function auditOf(action: string) {
  return unsafeAsOwner(t.services.db, (q) =>
    q.query<{ actor_id: string | null; actor_label: string; target_id: string | null }>(
      `SELECT actor_id, actor_label, target_id FROM audit_events
       WHERE school_id = $1 AND action = $2 ORDER BY seq`,
      [schoolId, action],
    ),
  );
}

describe('the parents’ door', () => {
  it('sets its own cookie, and a password alone reaches only the code', async () => {
    const p = await makeParent(t, schoolId, [childId]);
    const res = await signInPassword(p);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json<{ stage: string }>().stage).toBe('second_factor');
    const cookie = res.cookies.find((c) => c.name === parentCookieName({ tls: false }));
    expect(cookie).toMatchObject({ path: '/api/parent', httpOnly: true, sameSite: 'Strict' });
    expect(res.cookies.some((c) => c.name === 'lantern_session')).toBe(false);
    const pending = parentSessionOf(res);
    expect((await parentCall(t, pending, 'GET', '/api/parent/children')).statusCode).toBe(401);
    expect((await parentCall(t, pending, 'GET', '/api/parent/session')).statusCode).toBe(200);

    const wrong = await parentCall(t, pending, 'POST', '/api/parent/auth/code', { code: '000000' });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json<{ error: { message: string } }>().error.message).toMatch(/code is not right/);
    const [failed] = await auditOf('parent.second_factor_failed');
    expect(failed).toMatchObject({ actor_id: null, actor_label: `Parent: ${p.name}` });

    const full = await parentCall(t, pending, 'POST', '/api/parent/auth/code', {
      code: await parentCode(t, p),
    });
    expect(full.statusCode, full.body).toBe(200);
    const s = parentSessionOf(full, pending);
    expect(s.cookie).not.toBe(pending.cookie); // a new token at every stage
    expect((await parentCall(t, pending, 'GET', '/api/parent/session')).statusCode).toBe(401);
    const kids = await parentCall(t, s, 'GET', '/api/parent/children');
    expect(kids.statusCode, kids.body).toBe(200);
    expect(kids.json<{ children: { id: string }[] }>().children.map((c) => c.id)).toEqual([
      childId,
    ]);
    const [signedIn] = await auditOf('parent.signed_in');
    expect(signedIn).toMatchObject({ actor_id: null, actor_label: `Parent: ${p.name}` });
  });

  it('marks the cookie Secure when the origin is https', async () => {
    const tls = await testApp({ config: { logLevel: 'error', tls: true } });
    try {
      const school = await makeSchool(tls.services);
      const pupil = await makePupil(tls.services, school);
      const p = await makeParent(tls, school, [pupil.id]);
      const res = await tls.app.inject({
        method: 'POST',
        url: '/api/parent/auth/sign-in',
        payload: { email: p.email, password: p.password },
      });
      expect(res.statusCode, res.body).toBe(200);
      const cookie = res.cookies.find((c) => c.name === parentCookieName({ tls: true }));
      expect(cookie).toMatchObject({ secure: true, path: '/api/parent', httpOnly: true });
    } finally {
      await tls.close();
    }
  });

  it('refuses a wrong password, and an unknown email, alike', async () => {
    const p = await makeParent(t, schoolId, [childId]);
    const wrong = await t.app.inject({
      method: 'POST',
      url: '/api/parent/auth/sign-in',
      payload: { email: p.email, password: 'not-the-password' },
    });
    const unknown = await t.app.inject({
      method: 'POST',
      url: '/api/parent/auth/sign-in',
      payload: { email: 'nobody@test.lantern.invalid', password: 'not-the-password' },
    });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json()).toEqual(unknown.json());
    // A staff member's email and password are nobody at the parents' door.
    const rows = await auditOf('parent.sign_in_failed');
    expect(rows.some((r) => r.target_id === p.parentId)).toBe(true);
  });

  it('requires a second factor to be set up before anything else', async () => {
    const p = await makeParent(t, schoolId, [childId], { secondFactor: false });
    const res = await signInPassword(p);
    expect(res.json<{ stage: string }>().stage).toBe('enrol');
    const s = parentSessionOf(res);
    const kids = await parentCall(t, s, 'GET', '/api/parent/children');
    expect(kids.statusCode).toBe(403);
    expect(kids.json<{ error: { code: string } }>().error.code).toBe(
      'second_factor_enrolment_required',
    );
    const started = await parentCall(t, s, 'POST', '/api/parent/auth/totp/enrol');
    expect(started.statusCode, started.body).toBe(200);
    const secret = started.json<{ manualKey: string }>().manualKey.replace(/\s/g, '');
    const confirmed = await parentCall(t, s, 'POST', '/api/parent/auth/code', {
      code: totpCodeAt(secret, clock.now()),
    });
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    const full = parentSessionOf(confirmed, s);
    expect((await parentCall(t, full, 'GET', '/api/parent/children')).statusCode).toBe(200);
    const added = await auditOf('parent.second_factor_added');
    expect(added.some((r) => r.target_id === p.parentId && r.actor_id === null)).toBe(true);
  });

  it('needs the parent session’s CSRF token to change anything', async () => {
    const p = await makeParent(t, schoolId, [childId]);
    const s = await signInParent(t, p);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/parent/auth/sign-out',
      headers: { cookie: s.cookie },
    });
    expect(res.statusCode).toBe(403);
    const foreign = await t.app.inject({
      method: 'POST',
      url: '/api/parent/auth/sign-out',
      headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, origin: 'https://evil.example' },
    });
    expect(foreign.statusCode).toBe(403);
    expect((await parentCall(t, s, 'GET', '/api/parent/session')).statusCode).toBe(200);
    const out = await parentCall(t, s, 'POST', '/api/parent/auth/sign-out');
    expect(out.statusCode).toBe(200);
    expect((await parentCall(t, s, 'GET', '/api/parent/session')).statusCode).toBe(401);
  });

  it('emails a notice, and nothing else, of a sign-in from a new device', async () => {
    const p = await makeParent(t, schoolId, [childId]);
    await signInParent(t, p); // the first device: no notice
    const before = trap.messages.length;
    clock.advance(60_000);
    await signInParent(t, p); // no device cookie sent: a new browser
    await drainWork(t);
    const text = await trap.to(p.email, before);
    expect(text).toMatch(/new device or browser/);
    expect(text).not.toMatch(/Pupil/);
    expect(trap.messages.slice(before).filter((m) => m.to.includes(p.email))).toHaveLength(1);
    const rows = await auditOf('parent.new_device');
    expect(rows.some((r) => r.target_id === p.parentId && r.actor_id === null)).toBe(true);
  });
});

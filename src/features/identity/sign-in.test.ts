// Staff sign-in (issue 2, item 6): the same answer and comparable time whether or not the email
// exists; a new session id at every sign-in; sign-out ends the session server-side; timeouts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  makeSchool,
  makeUser,
  signIn,
  testApp,
  testClock,
  type TestApp,
} from '../../test/harness.ts';
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';

const clock = testClock();
let t: TestApp;
beforeAll(async () => {
  t = await testApp({ clock });
});
afterAll(async () => t.close());

const attempt = (email: string, password: string) =>
  t.app.inject({ method: 'POST', url: '/api/auth/sign-in', payload: { email, password } });

describe('sign-in', () => {
  it('gives the same answer, in comparable time, for an unknown email and a wrong password', async () => {
    const schoolId = await makeSchool(t.services);
    const user = await makeUser(t.services, schoolId, 'teacher');
    const time = async (email: string) => {
      const started = performance.now();
      const res = await attempt(email, 'not-the-password');
      return { ms: performance.now() - started, status: res.statusCode, body: res.body };
    };
    await time(user.email); // warm up
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 5; i++) {
      // Wait out the growing delay the throttle puts on the known account after 3 failures.
      clock.advance(60_000);
      const k = await time(user.email);
      const u = await time(`nobody-${i}@test.lantern.invalid`);
      expect(u.status).toBe(k.status);
      expect(u.body).toBe(k.body);
      known.push(k.ms);
      unknown.push(u.ms);
    }
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    // Both paths run one Argon2id verification; medians within a factor of three (a loaded CI machine is noisy).
    expect(median(unknown) / median(known)).toBeGreaterThan(0.33);
    expect(median(unknown) / median(known)).toBeLessThan(3);
    const failures = await unsafeAsOwner(t.services.db, (tx) =>
      tx.query<{ details: { reason: string } }>(
        `SELECT details FROM audit_events WHERE school_id = $1 AND action = 'auth.sign_in_failed'`,
        [schoolId],
      ),
    );
    expect(failures.length).toBe(6);
    expect(failures.every((f) => f.details.reason === 'wrong_password')).toBe(true);
  });

  it('issues a new session at every sign-in, ends it at sign-out, and after the idle timeout', async () => {
    const schoolId = await makeSchool(t.services);
    const user = await makeUser(t.services, schoolId, 'teacher');
    const first = await signIn(t.app, user);
    const second = await signIn(t.app, user);
    expect(second.cookie).not.toBe(first.cookie);
    expect((await call(t.app, second, 'GET', '/api/auth/session')).statusCode).toBe(200);

    expect((await call(t.app, second, 'POST', '/api/auth/sign-out')).statusCode).toBe(204);
    expect((await call(t.app, second, 'GET', '/api/auth/session')).statusCode).toBe(401);

    const third = await signIn(t.app, user);
    clock.advance(21 * 60_000); // the default idle timeout is 20 minutes
    expect((await call(t.app, third, 'GET', '/api/auth/session')).statusCode).toBe(401);
    const ended = await unsafeAsOwner(t.services.db, (tx) =>
      tx.query<{ end_reason: string }>(
        'SELECT end_reason FROM sessions WHERE user_id = $1 AND ended_at IS NOT NULL ORDER BY ended_at',
        [user.id],
      ),
    );
    expect(ended.map((e) => e.end_reason)).toEqual(expect.arrayContaining(['signed_out', 'idle']));
  });

  it('refuses a tampered or made-up session cookie', async () => {
    const schoolId = await makeSchool(t.services);
    const user = await makeUser(t.services, schoolId, 'teacher');
    const s = await signIn(t.app, user);
    const tampered = s.cookie.slice(0, -2) + (s.cookie.endsWith('AA') ? 'BB' : 'AA');
    for (const cookie of [tampered, 'lantern_session=../../etc/passwd', 'lantern_session=']) {
      const res = await t.app.inject({
        method: 'GET',
        url: '/api/auth/session',
        headers: { cookie },
      });
      expect(res.statusCode).toBe(401);
    }
  });
});

// Accounts through the HTTP API, beyond identity-api.test.ts: a refused password changes
// nothing, the last five passwords are refused, a password change ends every session, the exact
// window of authenticator codes (oathtool), the session waiting for its second factor, a lock
// that lifts by itself, and an account's life: invitation by email, activation, dormancy and
// reactivation. One clock for the file, only ever moved forward.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  makePupil,
  makeSchool,
  makeUser,
  TEST_PASSWORD,
  testApp,
  testClock,
  type TestApp,
} from '../../test/harness.ts';
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';
import {
  drainWork,
  auditActions,
  auditRows,
  enrolTotp,
  errorOf,
  linkToken,
  oathtool,
  passwordSignIn,
  sessionOf,
  startMailTrap,
  type MailTrap,
} from './identity-test-kit.ts';

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

const post = (s: Parameters<typeof call>[1], url: string, body?: unknown) =>
  call(t.app, s, 'POST', url, body);
const signIn = (email: string, password: string) => passwordSignIn(t, { email, password });
const passwordHash = async (userId: string) =>
  (
    await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ password_hash: string | null }>('SELECT password_hash FROM users WHERE id = $1', [
        userId,
      ]),
    )
  )[0]?.password_hash;

describe('passwords', () => {
  it('emails only that a link was asked for; a refused password changes nothing; the link works at 29 minutes', async () => {
    const schoolId = await makeSchool(t.services);
    const user = await makeUser(t.services, schoolId, 'teacher', 'Morwenna Trelawny');
    const pupil = await makePupil(t.services, schoolId, { firstName: 'Ysolde' });
    const before = sessionOf(await signIn(user.email, user.password));
    const hashBefore = await passwordHash(user.id);

    await drainWork(t);
    const sent = mail.messages.length;
    const asked = await post(null, '/api/auth/forgotten-password', { email: user.email });
    const unknown = await post(null, '/api/auth/forgotten-password', {
      email: 'nobody-at-all@test.lantern.invalid',
    });
    expect(asked.statusCode).toBe(202);
    expect([unknown.statusCode, unknown.body]).toEqual([asked.statusCode, asked.body]);
    const text = await mail.to(user.email, sent);
    expect(text).toMatch(/asked for a link/);
    expect(text).toMatch(/expires in 30 minutes/);
    for (const secret of ['Morwenna', 'Trelawny', pupil.name, 'Ysolde', 'Test School']) {
      expect(text).not.toContain(secret);
    }
    expect(mail.messages.some((m) => m.to.includes('nobody-at-all@test.lantern.invalid'))).toBe(
      false,
    );
    const token = linkToken(text);

    // Every refusal is a 400 with the reason in words, and changes nothing. (The other session
    // is kept in use, so the school's 20 idle minutes do not end it.)
    clock.advance(15 * 60_000);
    expect((await call(t.app, before, 'GET', '/api/auth/session')).statusCode).toBe(200);
    clock.advance(14 * 60_000);
    for (const [password, message] of [
      ['Sh0rt-pw!', /Use at least 12 characters\./],
      ['harbour lantern quietly', /Include a digit and a symbol\./],
      ['Password1234!', /common or breached passwords/],
      ['morwenna-Harbour-42!', /Do not use your name/],
      [TEST_PASSWORD, /not used before \(the last 5 are refused\)/],
    ] as const) {
      const refused = await post(null, '/api/auth/set-password', { token, password });
      expect(refused.statusCode, password).toBe(400);
      expect(errorOf(refused).message, password).toMatch(message);
    }
    expect(await passwordHash(user.id)).toBe(hashBefore);
    expect((await call(t.app, before, 'GET', '/api/auth/session')).statusCode).toBe(200);
    expect(await auditActions(t, schoolId)).not.toContain('auth.password_changed');

    // Still inside the 30 minutes, the same link sets a good password, once.
    const fresh = 'Granite-orchard-kettle-73;';
    const set = await post(null, '/api/auth/set-password', { token, password: fresh });
    expect(set.statusCode, set.body).toBe(204);
    expect(await passwordHash(user.id)).not.toBe(hashBefore);
    const reused = await post(null, '/api/auth/set-password', { token, password: fresh + 'x' });
    expect(reused.statusCode).toBe(400);
    expect(errorOf(reused)).toEqual({
      code: 'link_refused',
      message: 'This link has expired or has already been used. Ask for a new one.',
    });
    expect((await call(t.app, before, 'GET', '/api/auth/session')).statusCode).toBe(401);
    const rows = await auditRows(t, schoolId);
    expect(rows.filter((r) => r.action === 'auth.password_reset_requested')).toHaveLength(1);
    expect(rows.find((r) => r.action === 'auth.password_changed')?.details).toMatchObject({
      by: 'link',
    });
    expect(rows.find((r) => r.action === 'auth.link_refused')?.details).toMatchObject({
      reason: 'used',
    });
  });

  it('changing my password ends every session; the last five passwords are refused, the sixth is allowed', async () => {
    const schoolId = await makeSchool(t.services);
    // A member who reads no records: a password alone gives them a full session (a teacher would
    // first have to set up the second factor the school requires of readers).
    const user = await makeUser(t.services, schoolId, 'school_admin');
    const passwords = [
      TEST_PASSWORD,
      'Granite-orchard-kettle-71;',
      'Granite-orchard-kettle-72;',
      'Granite-orchard-kettle-73;',
      'Granite-orchard-kettle-74;',
      'Granite-orchard-kettle-75;',
    ];
    const other = sessionOf(await signIn(user.email, TEST_PASSWORD));
    let current = sessionOf(await signIn(user.email, TEST_PASSWORD));
    const wrong = await post(current, '/api/auth/password', {
      currentPassword: 'not-my-password-1!',
      newPassword: passwords[1],
    });
    expect(wrong.statusCode).toBe(400);
    expect(errorOf(wrong).message).toBe('Your current password is not right.');
    expect((await call(t.app, other, 'GET', '/api/auth/session')).statusCode).toBe(200);
    // Guessing through an open session is throttled like signing in.
    for (let i = 0; i < 3; i++) {
      const guess = { currentPassword: `guess-number-${i}!`, newPassword: passwords[1] };
      expect((await post(current, '/api/auth/password', guess)).statusCode).toBe(400);
    }
    const held = await post(current, '/api/auth/password', {
      currentPassword: TEST_PASSWORD,
      newPassword: passwords[1],
    });
    expect(held.statusCode).toBe(429);
    expect(errorOf(held).message).toBe('Too many attempts. Wait 2 seconds and try again.');
    clock.advance(2000);

    for (let i = 1; i < passwords.length; i++) {
      clock.advance(60_000); // people change passwords at different times
      if (i > 1) current = sessionOf(await signIn(user.email, passwords[i - 1]!));
      const changed = await post(current, '/api/auth/password', {
        currentPassword: passwords[i - 1],
        newPassword: passwords[i],
      });
      expect(changed.statusCode, changed.body).toBe(204);
      if (i === 1) {
        // The other device and this one are both signed out.
        expect((await call(t.app, other, 'GET', '/api/auth/session')).statusCode).toBe(401);
        expect((await call(t.app, current, 'GET', '/api/auth/session')).statusCode).toBe(401);
        expect((await signIn(user.email, TEST_PASSWORD)).statusCode).toBe(401);
      }
    }
    // The last five are passwords[1..5]; passwords[0] is now sixth and may come back.
    current = sessionOf(await signIn(user.email, passwords[5]!));
    const again = await post(current, '/api/auth/password', {
      currentPassword: passwords[5],
      newPassword: passwords[1],
    });
    expect(again.statusCode).toBe(400);
    expect(errorOf(again).code).toBe('password_reused');
    const back = await post(current, '/api/auth/password', {
      currentPassword: passwords[5],
      newPassword: passwords[0],
    });
    expect(back.statusCode, back.body).toBe(204);
    const changes = (await auditRows(t, schoolId)).filter(
      (r) => r.action === 'auth.password_changed',
    );
    expect(changes).toHaveLength(6);
    expect(changes.every((r) => r.details.by === 'self')).toBe(true);
  });
});

describe('second factor at sign-in', () => {
  it('waits in a second_factor session that reaches nothing else; accepts one step of drift, refuses two', async () => {
    const schoolId = await makeSchool(t.services);
    const user = await makeUser(t.services, schoolId, 'teacher');
    const { session: enrolled, secret, codes } = await enrolTotp(t, user);
    expect(codes).toHaveLength(10);
    // The codes are shown once: the session says how many are left, never what they are.
    const info = await call(t.app, enrolled, 'GET', '/api/auth/session');
    expect(info.json<{ secondFactor: unknown }>().secondFactor).toMatchObject({
      enrolled: true,
      totp: true,
      recoveryCodesLeft: 10,
    });
    expect(info.body).not.toContain(codes[0]!);
    expect((await post(enrolled, '/api/auth/totp/enrol')).statusCode).toBe(409);

    clock.advance(60_000);
    const pending = await signIn(user.email, user.password);
    expect(pending.statusCode).toBe(200);
    expect(pending.json()).toMatchObject({
      secondFactorRequired: true,
      methods: ['totp', 'recovery_code'],
    });
    const s = sessionOf(pending);
    const [row] = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ stage: string; elevated_until: Date | null }>(
        `SELECT stage, elevated_until FROM sessions WHERE user_id = $1 AND ended_at IS NULL
         ORDER BY created_at DESC, id LIMIT 1`,
        [user.id],
      ),
    );
    expect(row).toEqual({ stage: 'second_factor', elevated_until: null });
    const blocked = await call(t.app, s, 'GET', '/api/auth/session');
    expect(blocked.statusCode).toBe(401);
    expect(errorOf(blocked).code).toBe('second_factor_required');

    const now = clock.now().getTime();
    for (const offset of [-60_000, 60_000]) {
      const far = await post(s, '/api/auth/verify/totp', {
        code: oathtool(secret, new Date(now + offset)),
      });
      expect(far.statusCode, String(offset)).toBe(400);
      expect(errorOf(far).message).toMatch(/not right/);
    }
    const drifted = await post(s, '/api/auth/verify/totp', {
      code: oathtool(secret, new Date(now + 30_000)),
    });
    expect(drifted.statusCode, drifted.body).toBe(200);
    expect(drifted.json<{ elevated: boolean }>().elevated).toBe(true);
    // The code for now is older than the step just used: refused as a replay.
    const s2 = sessionOf(await signIn(user.email, user.password));
    const older = await post(s2, '/api/auth/verify/totp', { code: oathtool(secret, clock.now()) });
    expect(older.statusCode).toBe(400);
    expect(errorOf(older).message).toMatch(/already been used/);
    const failures = (await auditRows(t, schoolId))
      .filter((r) => r.action === 'auth.second_factor_failed')
      .map((r) => r.details.reason);
    expect(failures).toEqual(['invalid', 'invalid', 'replayed']);
  });
});

describe('the sign-in lock', () => {
  it('delays with a clear message, locks after ten failures, and lifts by itself after 30 minutes', async () => {
    const schoolId = await makeSchool(t.services);
    const user = await makeUser(t.services, schoolId, 'teacher');
    const waits: number[] = [];
    for (let failures = 0; failures < 10;) {
      const res = await signIn(user.email, 'not-the-password-at-all');
      if (res.statusCode === 429) {
        const wait = Number(
          /^Too many attempts\. Wait (\d+) seconds and try again\.$/.exec(errorOf(res).message)![1],
        );
        waits.push(wait);
        // Even the right password waits its turn.
        expect((await signIn(user.email, user.password)).statusCode).toBe(429);
        clock.advance(wait * 1000);
        continue;
      }
      expect(res.statusCode).toBe(401);
      failures++;
    }
    expect(waits).toEqual([2, 4, 8, 16, 32, 64]);
    const locked = await signIn(user.email, user.password);
    expect(locked.statusCode).toBe(429);
    expect(errorOf(locked).message).toMatch(/locked for a while after repeated failures/);
    expect(await auditActions(t, schoolId)).toContain('auth.account_locked');
    // Another account from the same address is not held up.
    const colleague = await makeUser(t.services, schoolId, 'teacher');
    expect((await signIn(colleague.email, colleague.password)).statusCode).toBe(200);

    clock.advance(29 * 60_000);
    expect((await signIn(user.email, user.password)).statusCode).toBe(429);
    clock.advance(2 * 60_000);
    expect((await signIn(user.email, user.password)).statusCode).toBe(200);
  });
});

describe('an account’s life', () => {
  it('invites by email, activates by the link, and says the same to sign-in before activation', async () => {
    const schoolId = await makeSchool(t.services);
    const { session: admin } = await enrolTotp(
      t,
      await makeUser(t.services, schoolId, 'school_admin'),
    );
    const email = `new-starter-${Date.now()}@test.lantern.invalid`;
    await drainWork(t);
    const sent = mail.messages.length;
    const invited = await post(admin, '/api/admin/users', {
      email,
      name: 'Tamsin Penhallow',
      role: 'teacher',
    });
    expect(invited.statusCode, invited.body).toBe(201);
    const id = invited.json<{ id: string }>().id;
    const text = await mail.to(email, sent);
    expect(text).not.toMatch(/Tamsin|Penhallow|Test School/);
    const token = linkToken(text);
    const list = async () =>
      (await call(t.app, admin, 'GET', '/api/admin/users'))
        .json<{ items: { id: string; status: string }[] }>()
        .items.find((u) => u.id === id)?.status;
    expect(await list()).toBe('invited');
    expect(
      (await post(admin, '/api/admin/users', { email, name: 'Someone else', role: 'teacher' }))
        .statusCode,
    ).toBe(409);

    const before = await signIn(email, 'Granite-orchard-kettle-73;');
    expect(before.statusCode).toBe(401);
    expect(errorOf(before).message).toBe('The email address or password is not right.');
    const set = await post(null, '/api/auth/set-password', {
      token,
      password: 'Granite-orchard-kettle-73;',
    });
    expect(set.statusCode, set.body).toBe(204);
    expect(await list()).toBe('active');
    expect((await signIn(email, 'Granite-orchard-kettle-73;')).statusCode).toBe(200);
    const rows = await auditRows(t, schoolId);
    expect(rows.filter((r) => r.target_id === id).map((r) => r.action)).toEqual(
      expect.arrayContaining(['user.invited', 'user.activated', 'auth.password_changed']),
    );
  });

  it('makes an unused account dormant after the school’s days; an administrator reactivates it', async () => {
    const schoolId = await makeSchool(t.services);
    const { session: admin } = await enrolTotp(
      t,
      await makeUser(t.services, schoolId, 'school_admin'),
    );
    const set = await call(t.app, admin, 'PATCH', '/api/admin/policies', { dormancyDays: 7 });
    expect(set.statusCode, set.body).toBe(200);
    const user = await makeUser(t.services, schoolId, 'teacher');

    clock.advance(8 * 86_400_000);
    const refused = await signIn(user.email, user.password);
    expect(refused.statusCode).toBe(403);
    expect(errorOf(refused)).toEqual({
      code: 'account_dormant',
      message: expect.stringMatching(
        /has not been used for a long time and has been made dormant.*administrator to reactivate it/,
      ) as unknown,
    });
    // A wrong password still gets the ordinary answer: dormancy is told only to the holder.
    expect(errorOf(await signIn(user.email, 'not-the-password-at-all')).code).toBe(
      'sign_in_failed',
    );

    // The first administrator is dormant too by now; a new one takes over.
    const { session: admin2 } = await enrolTotp(
      t,
      await makeUser(t.services, schoolId, 'school_admin'),
    );
    const status = async () =>
      (await call(t.app, admin2, 'GET', '/api/admin/users'))
        .json<{ items: { id: string; status: string }[] }>()
        .items.find((u) => u.id === user.id)?.status;
    expect(await status()).toBe('dormant');
    expect((await post(admin2, `/api/admin/users/${user.id}/reactivate`)).statusCode).toBe(204);
    expect(await status()).toBe('active');
    expect((await signIn(user.email, user.password)).statusCode).toBe(200);
    const rows = await auditRows(t, schoolId);
    expect(
      rows.find((r) => r.action === 'auth.sign_in_failed' && r.target_id === user.id)?.details,
    ).toMatchObject({ reason: 'account_dormant' });
    expect(rows.some((r) => r.action === 'user.reactivated' && r.target_id === user.id)).toBe(true);
  });
});

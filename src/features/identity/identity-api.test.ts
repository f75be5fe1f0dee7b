// Identity and access through the HTTP API (issue 3): emailed links over a real SMTP server on
// loopback, authenticator codes computed by oathtool (an independent RFC 6238 implementation),
// recovery codes, step-up expiry, the sign-in throttle and lock an administrator clears,
// sessions, account disabling, and school policies — each with its audit events.
import { execFileSync } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  makePupil,
  makeSchool,
  makeUser,
  TEST_PASSWORD,
  testApp,
  testClock,
  type Session,
  type TestApp,
  type TestUser,
} from '../../test/harness.ts';
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';
import { drainWork } from './identity-test-kit.ts';

const mail: { to: string[]; text: string }[] = [];
let smtp: SMTPServer;
let t: TestApp;
// One clock for the file, only ever moved forward: the throttle's times must not run backwards.
const clock = testClock();

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, done) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        mail.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          text: raw
            .replace(/=\r?\n/g, '')
            .replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
        });
        done();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const { port } = smtp.server.address() as AddressInfo;
  t = await testApp({ clock, config: { smtpUrl: `smtp://127.0.0.1:${port}` } });
});
afterAll(async () => {
  await t.close();
  await new Promise<void>((resolve) => smtp.close(resolve));
});

function oathtool(secret: string, at: Date): string {
  return execFileSync(
    '/usr/bin/oathtool',
    ['--totp', '-b', `--now=${at.toISOString().replace('T', ' ').slice(0, 19)} UTC`, secret],
    { encoding: 'utf8' },
  ).trim();
}

const post = (s: Session | null, url: string, body?: unknown) => call(t.app, s, 'POST', url, body);

async function passwordSignIn(user: { email: string; password: string }) {
  return t.app.inject({
    method: 'POST',
    url: '/api/auth/sign-in',
    payload: { email: user.email, password: user.password },
  });
}

function sessionOf(res: Awaited<ReturnType<typeof passwordSignIn>>, old?: Session): Session {
  const c = res.cookies.find((x) => x.name === 'lantern_session');
  const body = res.json<{ csrfToken?: string; session?: { csrfToken: string } }>();
  return {
    cookie: c ? `lantern_session=${c.value}` : old!.cookie,
    csrf: body.csrfToken ?? body.session?.csrfToken ?? old!.csrf,
  };
}

async function mailTo(email: string, after: number): Promise<string> {
  await drainWork(t); // sent by the deferred-work worker after the answer
  for (let i = 0; i < 50; i++) {
    const m = mail.slice(after).find((x) => x.to.includes(email));
    if (m) return m.text;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no email reached ${email}`);
}

const auditActions = async (schoolId: string) =>
  (
    await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ action: string; details: Record<string, unknown> }>(
        'SELECT action, details FROM audit_events WHERE school_id = $1 ORDER BY seq',
        [schoolId],
      ),
    )
  ).map((r) => r.action);

/** Enrols an authenticator through the API; returns the secret and the recovery codes. */
async function enrol(
  user: TestUser,
): Promise<{ session: Session; secret: string; codes: string[] }> {
  const s = sessionOf(await passwordSignIn(user));
  const started = await post(s, '/api/auth/totp/enrol');
  expect(started.statusCode, started.body).toBe(200);
  const { manualKey, qrSvg } = started.json<{ manualKey: string; qrSvg: string }>();
  expect(qrSvg).toMatch(/^<svg/);
  const secret = manualKey.replace(/\s/g, '');
  const confirmed = await post(s, '/api/auth/totp/confirm', {
    code: oathtool(secret, clock.now()),
  });
  expect(confirmed.statusCode, confirmed.body).toBe(200);
  const codes = confirmed.json<{ recoveryCodes: string[] | null }>().recoveryCodes ?? [];
  return { session: sessionOf(confirmed, s), secret, codes };
}

describe('emailed links', () => {
  it('resets a forgotten password by a single-use link that says nothing about records', async () => {
    const schoolId = await makeSchool(t.services);
    const user = await makeUser(t.services, schoolId, 'teacher');
    const before = sessionOf(await passwordSignIn(user));
    await drainWork(t);
    const sent = mail.length;
    const asked = await post(null, '/api/auth/forgotten-password', { email: user.email });
    expect(asked.statusCode).toBe(202);
    const unknown = await post(null, '/api/auth/forgotten-password', {
      email: 'nobody-here@test.lantern.invalid',
    });
    expect(unknown.statusCode).toBe(asked.statusCode);
    const text = await mailTo(user.email, sent);
    expect(text).not.toMatch(/pupil|concern|Staff teacher/i);
    const token = /#token=([A-Za-z0-9_-]+)/.exec(text)![1]!;

    // The school's policy: long enough, letters, digits and a symbol, not a common password.
    for (const [password, message] of [
      ['short1!', /at least 12/],
      ['onlylettersandmore', /digit|symbol|number/i],
      ['Password123!', /common|guess/i],
    ] as const) {
      const refused = await post(null, '/api/auth/set-password', { token, password });
      expect(refused.statusCode, password).toBe(400);
      expect(refused.json<{ error: { message: string } }>().error.message).toMatch(message);
    }
    const fresh = 'Lantern-harbour-quiet-42!';
    const set = await post(null, '/api/auth/set-password', { token, password: fresh });
    expect(set.statusCode, set.body).toBeLessThan(300);
    const again = await post(null, '/api/auth/set-password', { token, password: fresh + 'x' });
    expect(again.statusCode).toBe(400);
    expect(again.body).toMatch(/expired or has already been used/);

    // The old session ended with the password change; the new password signs in.
    expect((await call(t.app, before, 'GET', '/api/auth/session')).statusCode).toBe(401);
    expect((await passwordSignIn({ email: user.email, password: TEST_PASSWORD })).statusCode).toBe(
      401,
    );
    expect((await passwordSignIn({ email: user.email, password: fresh })).statusCode).toBe(200);
    expect(await auditActions(schoolId)).toEqual(
      expect.arrayContaining(['auth.password_reset_requested', 'auth.password_changed']),
    );
  });

  it('refuses a link after 30 minutes', async () => {
    const schoolId = await makeSchool(t.services);
    const user = await makeUser(t.services, schoolId, 'teacher');
    await drainWork(t);
    const sent = mail.length;
    await post(null, '/api/auth/forgotten-password', { email: user.email });
    const token = /#token=([A-Za-z0-9_-]+)/.exec(await mailTo(user.email, sent))![1]!;
    clock.advance(31 * 60_000);
    const late = await post(null, '/api/auth/set-password', {
      token,
      password: 'Lantern-harbour-quiet-42!',
    });
    expect(late.statusCode).toBe(400);
    expect(await auditActions(schoolId)).toContain('auth.link_refused');
  });
});

describe('second factors', () => {
  it('accepts oathtool codes once, refuses replays and far codes, and recovery codes once', async () => {
    const schoolId = await makeSchool(t.services);
    const user = await makeUser(t.services, schoolId, 'teacher');
    const { secret, codes } = await enrol(user);
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    const stored = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ secret_sealed: Buffer }>(
        'SELECT secret_sealed FROM totp_credentials WHERE user_id = $1',
        [user.id],
      ),
    );
    expect(stored[0]!.secret_sealed.toString('latin1')).not.toContain(secret);

    // A teacher can read records (their classes), so the school's default asks for the factor.
    clock.advance(60_000);
    const pending = await passwordSignIn(user);
    expect(pending.json<{ secondFactorRequired: boolean }>().secondFactorRequired).toBe(true);
    let s = sessionOf(pending);
    expect((await call(t.app, s, 'GET', '/api/concerns')).statusCode).toBe(401);
    const far = await post(s, '/api/auth/verify/totp', {
      code: oathtool(secret, new Date(clock.now().getTime() + 90_000)),
    });
    expect(far.statusCode).toBe(400);
    const code = oathtool(secret, clock.now());
    const ok = await post(s, '/api/auth/verify/totp', { code });
    expect(ok.statusCode, ok.body).toBe(200);
    s = sessionOf(ok, s);
    expect((await call(t.app, s, 'GET', '/api/concerns')).statusCode).toBe(200);

    const second = sessionOf(await passwordSignIn(user));
    const replay = await post(second, '/api/auth/verify/totp', { code });
    expect(replay.statusCode).toBe(400);
    expect(replay.body).toMatch(/already been used/);
    const recovered = await post(second, '/api/auth/verify/recovery-code', { code: codes[0] });
    expect(recovered.statusCode, recovered.body).toBe(200);
    const third = sessionOf(await passwordSignIn(user));
    const reused = await post(third, '/api/auth/verify/recovery-code', { code: codes[0] });
    expect(reused.statusCode).toBe(400);
    expect(await auditActions(schoolId)).toEqual(
      expect.arrayContaining([
        'auth.second_factor_added',
        'auth.elevated',
        'auth.second_factor_failed',
      ]),
    );
  });

  it('ends elevation after the school’s minutes: reading a chronology asks for the factor again', async () => {
    const schoolId = await makeSchool(t.services);
    const dsl = await makeUser(t.services, schoolId, 'dsl');
    const pupil = await makePupil(t.services, schoolId);
    const { secret } = await enrol(dsl);
    clock.advance(60_000);
    let s = sessionOf(await passwordSignIn(dsl));
    const verified = await post(s, '/api/auth/verify/totp', {
      code: oathtool(secret, clock.now()),
    });
    expect(verified.statusCode).toBe(200);
    const elevatedCookie = sessionOf(verified, s).cookie;
    expect(elevatedCookie).not.toBe(s.cookie); // a new session id at elevation
    s = sessionOf(verified, s);
    const url = `/api/pupils/${pupil.id}/chronology`;
    expect((await call(t.app, s, 'GET', url)).statusCode).toBe(200);
    for (let i = 0; i < 8; i++) {
      clock.advance(2 * 60_000); // keep the session alive past the 15 elevation minutes
      await call(t.app, s, 'GET', '/api/auth/session');
    }
    const late = await call(t.app, s, 'GET', url);
    expect(late.statusCode).toBe(403);
    expect(late.json<{ error: { code: string } }>().error.code).toBe('step_up_required');
  });
});

describe('attacks on sign-in and the administrator', () => {
  it('delays, then locks after repeated failures; the administrator sees and clears the lock', async () => {
    const schoolId = await makeSchool(t.services);
    const user = await makeUser(t.services, schoolId, 'teacher');
    const wrong = { email: user.email, password: 'not-the-password-at-all' };
    let delayed = false;
    for (let i = 0; i < 10; i++) {
      const res = await passwordSignIn(wrong);
      if (res.statusCode === 429) {
        // A growing delay: wait it out (on the test clock) and try again.
        delayed = true;
        const wait = Number(/Wait (\d+) seconds/.exec(res.body)![1]);
        clock.advance((wait + 1) * 1000);
        i--;
        continue;
      }
      expect(res.statusCode).toBe(401);
    }
    expect(delayed).toBe(true);
    const locked = await passwordSignIn(user);
    expect(locked.statusCode).toBe(429);
    expect(locked.body).toMatch(/locked/);

    const { session: admin } = await enrol(await makeUser(t.services, schoolId, 'school_admin'));
    const list = await call(t.app, admin, 'GET', '/api/admin/users');
    const row = list
      .json<{ items: { id: string; status: string }[] }>()
      .items.find((u) => u.id === user.id);
    expect(row?.status).toBe('locked');
    expect((await post(admin, `/api/admin/users/${user.id}/unlock`)).statusCode).toBeLessThan(300);
    expect((await passwordSignIn(user)).statusCode).toBe(200);
    expect(await auditActions(schoolId)).toEqual(
      expect.arrayContaining(['auth.sign_in_failed', 'auth.account_locked', 'user.unlocked']),
    );
  });

  it('emails a notice of a sign-in from a new device, with no record content', async () => {
    const schoolId = await makeSchool(t.services);
    const user = await makeUser(t.services, schoolId, 'teacher');
    await drainWork(t);
    const sent = mail.length;
    expect((await passwordSignIn(user)).statusCode).toBe(200);
    const text = await mailTo(user.email, sent);
    expect(text).toMatch(/new device/);
    expect(text).not.toMatch(/pupil|concern/i);
    expect(await auditActions(schoolId)).toContain('auth.new_device');
  });

  it('lists my sessions, signs out everywhere, and ends sessions of a disabled account', async () => {
    const schoolId = await makeSchool(t.services);
    const user = await makeUser(t.services, schoolId, 'teacher');
    const a = sessionOf(await passwordSignIn(user));
    const b = sessionOf(await passwordSignIn(user));
    const mine = await call(t.app, b, 'GET', '/api/auth/sessions');
    const items = mine.json<{ items: { current: boolean }[] }>().items;
    expect(items.length).toBe(2);
    expect(items.filter((i) => i.current)).toHaveLength(1);
    expect((await post(b, '/api/auth/sign-out-everywhere')).statusCode).toBeLessThan(300);
    expect((await call(t.app, a, 'GET', '/api/auth/session')).statusCode).toBe(401);
    expect((await call(t.app, b, 'GET', '/api/auth/session')).statusCode).toBe(401);

    const c = sessionOf(await passwordSignIn(user));
    const { session: admin } = await enrol(await makeUser(t.services, schoolId, 'school_admin'));
    expect((await post(admin, `/api/admin/users/${user.id}/disable`)).statusCode).toBeLessThan(300);
    expect((await call(t.app, c, 'GET', '/api/auth/session')).statusCode).toBe(401);
    expect((await passwordSignIn(user)).statusCode).toBe(401);
    const reset = await post(admin, `/api/admin/users/${user.id}/reset-second-factor`, {
      reason: 'lost_phone',
    });
    expect(reset.statusCode, reset.body).toBeLessThan(300);
    const [event] = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ details: { reason?: string } }>(
        `SELECT details FROM audit_events WHERE school_id = $1 AND action = 'user.second_factor_reset'`,
        [schoolId],
      ),
    );
    expect(event?.details.reason).toBe('lost_phone');
    expect(await auditActions(schoolId)).toEqual(
      expect.arrayContaining(['auth.signed_out_everywhere', 'user.disabled']),
    );
  });

  it('changes school policies with clear refusals of bad values, audited; teachers may not', async () => {
    const schoolId = await makeSchool(t.services);
    const { session: admin } = await enrol(await makeUser(t.services, schoolId, 'school_admin'));
    const bad = await call(t.app, admin, 'PATCH', '/api/admin/policies', {
      idleTimeoutMinutes: 0,
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toMatch(/idleTimeoutMinutes/);
    const good = await call(t.app, admin, 'PATCH', '/api/admin/policies', {
      idleTimeoutMinutes: 10,
      passwordPolicy: { expiryDays: 0 },
    });
    expect(good.statusCode, good.body).toBe(200);
    const view = await call(t.app, admin, 'GET', '/api/admin/policies');
    expect(
      view.json<{ policies: { idleTimeoutMinutes: number } }>().policies.idleTimeoutMinutes,
    ).toBe(10);
    expect(await auditActions(schoolId)).toContain('school.policies_changed');
    const { session: teacher } = await enrol(await makeUser(t.services, schoolId, 'teacher'));
    expect(
      (await call(t.app, teacher, 'PATCH', '/api/admin/policies', { idleTimeoutMinutes: 60 }))
        .statusCode,
    ).toBe(403);
  });
});

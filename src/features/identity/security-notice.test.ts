// The email notice of a changed password or second factor (ASVS 5.0): delivered to a real SMTP
// server on loopback after the change commits (by the deferred-work worker, after the answer),
// saying only what kind of thing changed; a mail server that refuses leaves the change in place,
// the notice queued for another attempt, and a warning that names no one.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, makeSchool, makeUser, signIn, testApp, type TestApp } from '../../test/harness.ts';
import {
  drainWork,
  enrolTotp,
  linkToken,
  passwordSignIn,
  startMailTrap,
  type MailTrap,
} from './identity-test-kit.ts';

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

const NEW_PASSWORD = 'another-Lantern-pass-77!';

const isNotice = (text: string) => /Subject: Your Lantern .* was changed/.test(text);

/** The change notices to `email` received after `after` messages, once the queued work has run. */
async function mailTo(email: string, after: number): Promise<string[]> {
  await drainWork(t); // sent by the deferred-work worker after the answer
  for (let i = 0; i < 50; i++) {
    const found = mail.messages
      .slice(after)
      .filter((m) => m.to.includes(email) && isNotice(m.text))
      .map((m) => m.text);
    if (found.length > 0) return found;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no change notice reached ${email}`);
}

/** A member whose school does not require a second factor of them (no records to read). */
async function member(name = `Notice ${randomUUID().slice(0, 6)}`) {
  const schoolId = await makeSchool(t.services, `Notice School ${randomUUID().slice(0, 6)}`);
  const user = await makeUser(t.services, schoolId, 'school_admin', name);
  return { schoolId, user, name };
}

function expectNotice(text: string, what: 'password' | 'second factor', name: string) {
  expect(text).toContain(`Subject: Your Lantern ${what} was changed`);
  expect(text).toContain(`The ${what} on your Lantern account was changed.`);
  expect(text).toContain('If it was not you, contact your school');
  // Nothing that would help someone else who reads the mail: no name, school, link or code.
  expect(text).not.toContain(name);
  expect(text).not.toMatch(/Notice School|https?:\/\//);
}

describe('notice of a changed password', () => {
  it('is sent when I change my password, after the change', async () => {
    const { user, name } = await member();
    const s = await signIn(t.app, user);
    await drainWork(t);
    const before = mail.messages.length;
    const res = await call(t.app, s, 'POST', '/api/auth/password', {
      currentPassword: user.password,
      newPassword: NEW_PASSWORD,
    });
    expect(res.statusCode, res.body).toBe(204);
    const [notice, ...more] = await mailTo(user.email, before);
    expectNotice(notice!, 'password', name);
    expect(more).toEqual([]);
    // The change stands.
    const again = await passwordSignIn(t, { email: user.email, password: NEW_PASSWORD });
    expect(again.statusCode).toBe(200);
  });

  it('is not sent when the current password is wrong (nothing changed)', async () => {
    const { user } = await member();
    const s = await signIn(t.app, user);
    await drainWork(t);
    const before = mail.messages.length;
    const res = await call(t.app, s, 'POST', '/api/auth/password', {
      currentPassword: 'not-the-Password-123!',
      newPassword: NEW_PASSWORD,
    });
    expect(res.statusCode).toBe(400);
    await drainWork(t);
    expect(mail.messages.slice(before).filter((m) => m.to.includes(user.email))).toEqual([]);
  });

  it('is sent when the password is reset with an emailed link', async () => {
    const { user, name } = await member();
    await drainWork(t);
    const asked = mail.messages.length;
    const forgot = await t.app.inject({
      method: 'POST',
      url: '/api/auth/forgotten-password',
      payload: { email: user.email },
    });
    expect(forgot.statusCode).toBe(202);
    const token = linkToken(await mail.to(user.email, asked));
    await drainWork(t);
    const before = mail.messages.length;
    const set = await t.app.inject({
      method: 'POST',
      url: '/api/auth/set-password',
      payload: { token, password: NEW_PASSWORD },
    });
    expect(set.statusCode, set.body).toBe(204);
    const [notice] = await mailTo(user.email, before);
    expectNotice(notice!, 'password', name);
  });

  it('leaves the change in place when the mail server refuses, and logs no address', async () => {
    const { user } = await member();
    const s = await signIn(t.app, user);
    await drainWork(t);
    const warnings: string[] = [];
    const { mailer, log } = t.services;
    t.services.mailer = { send: () => Promise.reject(new Error(`550 no such user ${user.email}`)) };
    t.services.log = { ...log, warn: (m) => void warnings.push(m) };
    try {
      const res = await call(t.app, s, 'POST', '/api/auth/password', {
        currentPassword: user.password,
        newPassword: NEW_PASSWORD,
      });
      expect(res.statusCode, res.body).toBe(204);
      await drainWork(t);
    } finally {
      t.services.mailer = mailer;
      t.services.log = log;
    }
    // The notice stays queued for another attempt; the log says what kind of work and why.
    expect(warnings).toEqual([
      'deferred work: a mail.send failed (smtp_failed, attempt 1 of 8); trying again in 15 s',
    ]);
    expect(warnings.join(' ')).not.toContain(user.email);
    const again = await passwordSignIn(t, { email: user.email, password: NEW_PASSWORD });
    expect(again.statusCode).toBe(200);
  });
});

describe('notice of a changed second factor', () => {
  it('is sent when an authenticator app is added and when it is removed', async () => {
    const { user, name } = await member();
    await drainWork(t);
    const before = mail.messages.length;
    const { session } = await enrolTotp(t, user);
    const [added] = await mailTo(user.email, before);
    expectNotice(added!, 'second factor', name);

    await drainWork(t);
    const beforeRemoval = mail.messages.length;
    const removed = await call(t.app, session, 'POST', '/api/auth/totp/remove');
    expect(removed.statusCode, removed.body).toBe(204);
    const [notice] = await mailTo(user.email, beforeRemoval);
    expectNotice(notice!, 'second factor', name);
  });

  it('is not sent when a removal is refused (a password-only session)', async () => {
    const { user } = await member();
    await enrolTotp(t, user);
    const passwordOnly = await signIn(t.app, user);
    await drainWork(t);
    const before = mail.messages.length;
    const refused = await call(t.app, passwordOnly, 'POST', '/api/auth/totp/remove');
    expect(refused.statusCode).not.toBe(204);
    await drainWork(t);
    expect(mail.messages.slice(before).filter((m) => m.to.includes(user.email))).toEqual([]);
  });
});

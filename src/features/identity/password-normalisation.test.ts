// One normalisation for every password path (issue 3): a password set by emailed link, by the
// operator's command or by changing it is NFKC-normalised before Argon2id, and sign-in and the
// change-password check normalise the same way; hashes made before that (un-normalised, or with
// weaker parameters) still verify and are re-hashed at the next sign-in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hash, parseOptions, verify, type Algorithm } from '@node-rs/argon2';
import { call, makeSchool, testApp, testClock, type TestApp } from '../../test/harness.ts';
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';
import { createUser } from '../administration/create-user.ts';
import { ARGON2_PARAMS } from './password-hash.ts';
import {
  drainWork,
  linkToken,
  passwordSignIn,
  sessionOf,
  startMailTrap,
  type MailTrap,
} from './identity-test-kit.ts';

// Full-width letters, an ellipsis, a vulgar fraction and a trade mark sign: NFKC turns them into
// "Lantern...1⁄2 OtterTM 47 ribbon".
const FANCY = 'Ｌａｎｔｅｒｎ…½ Ｏｔｔｅｒ™ 47 ｒｉｂｂｏｎ';
const PLAIN = FANCY.normalize('NFKC');

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

const storedHash = async (userId: string) =>
  (
    await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ password_hash: string }>('SELECT password_hash FROM users WHERE id = $1', [userId]),
    )
  )[0]!.password_hash;

const newUser = (schoolId: string, password: string) =>
  createUser(
    t.services.db,
    {
      schoolId,
      email: `norm-${Math.random().toString(36).slice(2, 10)}@test.lantern.invalid`,
      name: 'Norma Lise',
      // An administrator: no second factor needed at sign-in, so changing the password is open.
      role: 'school_admin',
      password,
    },
    'test',
    clock.now(),
  );
const emailOf = async (userId: string) =>
  (
    await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ email: string }>('SELECT email FROM users WHERE id = $1', [userId]),
    )
  )[0]!.email;

describe('password normalisation', () => {
  it('a password set by emailed link with full-width letters, “…”, “½” and “™” signs in, as typed and as its plain form', async () => {
    const schoolId = await makeSchool(t.services);
    const id = await newUser(schoolId, 'placeholder-Password-77!');
    const email = await emailOf(id);
    await drainWork(t);
    const sent = mail.messages.length;
    const asked = await call(t.app, null, 'POST', '/api/auth/forgotten-password', { email });
    expect(asked.statusCode).toBe(202);
    const token = linkToken(await mail.to(email, sent));
    const set = await call(t.app, null, 'POST', '/api/auth/set-password', {
      token,
      password: FANCY,
    });
    expect(set.statusCode, set.body).toBe(204);

    const signedIn = await passwordSignIn(t, { email, password: FANCY });
    expect(signedIn.statusCode, signedIn.body).toBe(200);
    const plain = await passwordSignIn(t, { email, password: PLAIN });
    expect(plain.statusCode, plain.body).toBe(200);

    // Changing it checks the current password the same way.
    const changed = await call(t.app, sessionOf(plain), 'POST', '/api/auth/password', {
      currentPassword: FANCY,
      newPassword: 'Another-fresh-Lantern-93!',
    });
    expect(changed.statusCode, changed.body).toBe(204);
    expect((await passwordSignIn(t, { email, password: FANCY })).statusCode).toBe(401);
  });

  it('an account made by the operator’s command with such a password signs in, as typed and as its plain form', async () => {
    const schoolId = await makeSchool(t.services);
    const id = await newUser(schoolId, FANCY);
    const email = await emailOf(id);
    expect(await verify(await storedHash(id), PLAIN)).toBe(true);
    expect((await passwordSignIn(t, { email, password: FANCY })).statusCode).toBe(200);
    expect((await passwordSignIn(t, { email, password: PLAIN })).statusCode).toBe(200);
  });

  it('an older un-normalised hash still signs in and is replaced by the normalised one', async () => {
    const schoolId = await makeSchool(t.services);
    const id = await newUser(schoolId, 'placeholder-Password-77!');
    const email = await emailOf(id);
    const raw = await hash(FANCY, { ...ARGON2_PARAMS, algorithm: 2 as Algorithm });
    await unsafeAsOwner(t.services.db, (q) =>
      q.query('UPDATE users SET password_hash = $2 WHERE id = $1', [id, raw]),
    );
    expect((await passwordSignIn(t, { email, password: PLAIN })).statusCode).toBe(401);
    const res = await passwordSignIn(t, { email, password: FANCY });
    expect(res.statusCode, res.body).toBe(200);
    const now = await storedHash(id);
    expect(now).not.toBe(raw);
    expect(await verify(now, PLAIN)).toBe(true);
    // From now on the plain form works too.
    expect((await passwordSignIn(t, { email, password: PLAIN })).statusCode).toBe(200);
  });

  it('a hash made with weaker parameters is upgraded at the next correct sign-in, and not at a wrong one', async () => {
    const schoolId = await makeSchool(t.services);
    const id = await newUser(schoolId, 'placeholder-Password-77!');
    const email = await emailOf(id);
    const weak = await hash('Weak-params-Lantern-58!', {
      memoryCost: 4096,
      timeCost: 1,
      parallelism: 1,
      algorithm: 2 as Algorithm,
    });
    await unsafeAsOwner(t.services.db, (q) =>
      q.query('UPDATE users SET password_hash = $2 WHERE id = $1', [id, weak]),
    );
    expect((await passwordSignIn(t, { email, password: 'wrong-Password-1!' })).statusCode).toBe(
      401,
    );
    expect(await storedHash(id)).toBe(weak);
    const res = await passwordSignIn(t, { email, password: 'Weak-params-Lantern-58!' });
    expect(res.statusCode, res.body).toBe(200);
    const upgraded = parseOptions(await storedHash(id));
    expect(upgraded.memoryCost).toBe(ARGON2_PARAMS.memoryCost);
    expect(upgraded.timeCost).toBe(ARGON2_PARAMS.timeCost);
  });
});

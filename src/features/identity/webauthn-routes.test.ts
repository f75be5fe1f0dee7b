// Malformed and tampered security-key answers through the HTTP API (issue 3): with a real
// challenge issued, garbage or a doctored response to POST /api/auth/webauthn/register or
// /api/auth/verify/webauthn is a 400 with a message a person understands — never a 500 — stores
// nothing (no key, no counter, no elevation) and is audited as auth.second_factor_failed with its
// reason. A genuine answer from the same software key then works, so the refusals are the
// tampering's doing and not a misconfigured relying party.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  makeSchool,
  makeUser,
  testApp,
  type Session,
  type TestApp,
} from '../../test/harness.ts';
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';
import { auditRows, errorOf, passwordSignIn, sessionOf } from './identity-test-kit.ts';
import { b64, SoftwareAuthenticator, TEST_RP, utf8 } from './webauthn-test-kit.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ config: { publicOrigin: TEST_RP.origin } });
});
afterAll(async () => t.close());

const challengeFor = async (s: Session, url: string) => {
  const res = await call(t.app, s, 'POST', url);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<{ options: { challenge: string } }>().options.challenge;
};
const keysOf = (userId: string) =>
  unsafeAsOwner(t.services.db, (q) =>
    q.query<{ counter: number; last_used_at: Date | null }>(
      'SELECT counter, last_used_at FROM webauthn_credentials WHERE user_id = $1',
      [userId],
    ),
  );
const failures = async (schoolId: string, userId: string) =>
  (await auditRows(t, schoolId))
    .filter((r) => r.action === 'auth.second_factor_failed' && r.target_id === userId)
    .map((r) => r.details);

describe('security-key answers that are not right', () => {
  it('registering: garbage or a tampered answer to a real challenge is a 400, stores no key, is audited', async () => {
    const schoolId = await makeSchool(t.services);
    const user = await makeUser(t.services, schoolId, 'school_admin');
    const s = sessionOf(await passwordSignIn(t, user));
    const key = new SoftwareAuthenticator();
    const REGISTER = '/api/auth/webauthn/register';
    const OPTIONS = '/api/auth/webauthn/register/options';

    const cases: { name: string; response: (challenge: string) => unknown; reason: string }[] = [
      { name: 'a string', response: () => 'hello', reason: 'malformed' },
      { name: 'null', response: () => null, reason: 'malformed' },
      { name: 'an empty object', response: () => ({}), reason: 'malformed' },
      {
        name: 'an attestation that is not CBOR',
        response: (c) => {
          const good = key.register(c);
          return { ...good, response: { ...good.response, attestationObject: 'AAAA' } };
        },
        // Well-formed JSON the verifier takes in, then cannot decode: a refusal, not malformed.
        reason: 'rejected',
      },
      {
        name: 'an answer made for another site',
        response: (c) => key.register(c, 'https://lantern.evil'),
        reason: 'rejected',
      },
      {
        name: 'an answer to another challenge',
        response: () => key.register(b64(utf8('a challenge Lantern never issued'))),
        reason: 'rejected',
      },
    ];
    for (const c of cases) {
      const challenge = await challengeFor(s, OPTIONS);
      const res = await call(t.app, s, 'POST', REGISTER, { response: c.response(challenge) });
      expect(res.statusCode, `${c.name}: ${res.body}`).toBe(400);
      expect(errorOf(res)).toEqual({
        code: 'second_factor_refused',
        message: 'The security key’s answer could not be accepted. Try again.',
      });
    }
    // No body field at all is refused by the schema, naming it.
    const missing = await call(t.app, s, 'POST', REGISTER, {});
    expect(missing.statusCode).toBe(400);
    expect(errorOf(missing).message).toMatch(/response/);

    expect(await keysOf(user.id)).toEqual([]);
    expect(await failures(schoolId, user.id)).toEqual(
      cases.map((c) => ({ method: 'webauthn', reason: c.reason })),
    );

    // The challenge is single-use: the failed attempts spent theirs, a fresh one works.
    const good = await call(t.app, s, 'POST', REGISTER, {
      response: key.register(await challengeFor(s, OPTIONS)),
      label: 'Blue key',
    });
    expect(good.statusCode, good.body).toBe(201);
    expect(await keysOf(user.id)).toHaveLength(1);
  });

  it('using a key: garbage, a forged signature or a doctored assertion is a 400, changes nothing, is audited', async () => {
    const schoolId = await makeSchool(t.services);
    const user = await makeUser(t.services, schoolId, 'school_admin');
    const key = new SoftwareAuthenticator();
    const first = sessionOf(await passwordSignIn(t, user));
    const added = await call(t.app, first, 'POST', '/api/auth/webauthn/register', {
      response: key.register(await challengeFor(first, '/api/auth/webauthn/register/options')),
    });
    expect(added.statusCode, added.body).toBe(201);
    await call(t.app, sessionOf(added, first), 'POST', '/api/auth/sign-out');

    const s = sessionOf(await passwordSignIn(t, user));
    const VERIFY = '/api/auth/verify/webauthn';
    const OPTIONS = '/api/auth/verify/webauthn/options';
    const before = await failures(schoolId, user.id);

    // No challenge issued yet: told to start again, not counted as a guess.
    const early = await call(t.app, s, 'POST', VERIFY, { response: key.assert('x') });
    expect(early.statusCode).toBe(400);
    expect(errorOf(early).message).toBe('Start again: the security-key request has expired.');

    const impostor = new SoftwareAuthenticator();
    const cases: {
      name: string;
      response: (challenge: string) => unknown;
      reason: string;
      message: string;
    }[] = [
      {
        name: 'garbage',
        response: () => ({ id: 42, response: 'nonsense' }),
        reason: 'malformed',
        message: 'That is not a security-key response.',
      },
      {
        name: 'a signature made by another key under this key’s id',
        response: (c) => ({ ...impostor.assert(c), id: key.id, rawId: key.id }),
        reason: 'rejected',
        message: 'The security key could not be verified.',
      },
      {
        name: 'authenticator data altered after signing',
        response: (c) => {
          const good = key.assert(c);
          const data = Buffer.from(good.response.authenticatorData, 'base64url');
          data.writeUInt8(data.readUInt8(data.length - 1) ^ 0xff, data.length - 1); // the counter
          return {
            ...good,
            response: { ...good.response, authenticatorData: b64(new Uint8Array(data)) },
          };
        },
        reason: 'rejected',
        message: 'The security key could not be verified.',
      },
      {
        name: 'a key this account never registered',
        response: (c) => impostor.assert(c),
        reason: 'unknown_credential',
        message: 'The security key could not be verified.',
      },
    ];
    for (const c of cases) {
      const challenge = await challengeFor(s, OPTIONS);
      const res = await call(t.app, s, 'POST', VERIFY, { response: c.response(challenge) });
      expect(res.statusCode, `${c.name}: ${res.body}`).toBe(400);
      expect(errorOf(res)).toEqual({ code: 'second_factor_refused', message: c.message });
    }
    expect(await keysOf(user.id)).toEqual([{ counter: 0, last_used_at: null }]);
    const session = await call(t.app, s, 'GET', '/api/auth/session');
    expect(session.json<{ elevated?: boolean }>().elevated ?? false).toBe(false);
    expect((await failures(schoolId, user.id)).slice(before.length)).toEqual([
      { method: 'webauthn', reason: 'no_challenge' },
      ...cases.map((c) => ({ method: 'webauthn', reason: c.reason })),
    ]);

    // The genuine key still works afterwards.
    const ok = await call(t.app, s, 'POST', VERIFY, {
      response: key.assert(await challengeFor(s, OPTIONS)),
    });
    expect(ok.statusCode, ok.body).toBe(200);
    expect((await keysOf(user.id))[0]?.counter).toBeGreaterThan(0);
  });
});

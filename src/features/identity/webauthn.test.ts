import { afterAll, beforeAll, describe, it, expect } from 'vitest';
import {
  authenticationOptions,
  credentialIdOf,
  registrationOptions,
  verifyAuthentication,
  verifyRegistration,
} from './webauthn.ts';
import type { RelyingParty, StoredCredential } from './webauthn.ts';
import { b64, SoftwareAuthenticator, TEST_RP, utf8 } from './webauthn-test-kit.ts';
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

const rp: RelyingParty = TEST_RP;
const user = { userId: 'u-123', email: 'sam@school.example', displayName: 'Sam Teacher' };

async function enrol(key: SoftwareAuthenticator): Promise<StoredCredential> {
  const { challenge } = await registrationOptions(rp, user, []);
  const result = await verifyRegistration(rp, key.register(challenge), challenge);
  if (!result.ok) throw new Error(`registration failed: ${result.reason} ${result.detail}`);
  return result.credential;
}

describe('registration', () => {
  it('offers options for Lantern with an opaque user id and excludes existing keys', async () => {
    const existing = await enrol(new SoftwareAuthenticator());
    const { options, challenge } = await registrationOptions(rp, user, [existing]);
    expect(options.rp).toEqual({ name: 'Lantern', id: 'lantern.test' });
    expect(options.user.name).toBe('sam@school.example');
    expect(options.user.id).toBe(b64(utf8('u-123')));
    expect(options.challenge).toBe(challenge);
    expect(options.attestation).toBe('none');
    expect(options.excludeCredentials?.map((c) => c.id)).toEqual([existing.id]);
  });

  it('verifies a new security key and returns what to store', async () => {
    const key = new SoftwareAuthenticator();
    const credential = await enrol(key);
    expect(credential.id).toBe(key.id);
    expect(credential.publicKey.length).toBeGreaterThan(60);
    expect(credential.counter).toBe(0);
    expect(credential.transports).toEqual(['usb']);
  });

  it('refuses a response to another challenge', async () => {
    const { challenge } = await registrationOptions(rp, user, []);
    const other = await registrationOptions(rp, user, []);
    const result = await verifyRegistration(
      rp,
      new SoftwareAuthenticator().register(other.challenge),
      challenge,
    );
    expect(result).toMatchObject({ ok: false, reason: 'rejected' });
  });

  it('refuses a response from another origin or RP', async () => {
    const { challenge } = await registrationOptions(rp, user, []);
    const key = new SoftwareAuthenticator();
    const phished = key.register(challenge, 'https://lantern.evil');
    expect(await verifyRegistration(rp, phished, challenge)).toMatchObject({ ok: false });
    const wrongRp = key.register(challenge, rp.origin, 'evil.test');
    expect(await verifyRegistration(rp, wrongRp, challenge)).toMatchObject({ ok: false });
  });

  it('answers malformed input with a refusal, never an exception', async () => {
    const { challenge } = await registrationOptions(rp, user, []);
    const good = new SoftwareAuthenticator().register(challenge);
    const bad: unknown[] = [
      null,
      'hello',
      42,
      [],
      {},
      { ...good, type: 'password' },
      { ...good, response: { clientDataJSON: good.response.clientDataJSON } },
      { ...good, response: { ...good.response, attestationObject: 'not base64!' } },
      { ...good, response: { ...good.response, attestationObject: 'AAAA' } },
      { ...good, response: { ...good.response, clientDataJSON: b64(utf8('{not json')) } },
    ];
    for (const input of bad) {
      const result = await verifyRegistration(rp, input, challenge);
      expect(result.ok, JSON.stringify(input)).toBe(false);
    }
    expect(await verifyRegistration(rp, {}, challenge)).toMatchObject({ reason: 'malformed' });
  });
});

describe('authentication', () => {
  it('limits the options to the user’s own credentials', async () => {
    const credential = await enrol(new SoftwareAuthenticator());
    const { options, challenge } = await authenticationOptions(rp, [credential]);
    expect(options.rpId).toBe('lantern.test');
    expect(options.allowCredentials).toEqual([
      { id: credential.id, type: 'public-key', transports: ['usb'] },
    ]);
    expect(options.challenge).toBe(challenge);
  });

  it('verifies an assertion from a registered key and reports the new counter', async () => {
    const key = new SoftwareAuthenticator();
    const credential = await enrol(key);
    const { challenge } = await authenticationOptions(rp, [credential]);
    const assertion = key.assert(challenge);
    expect(credentialIdOf(assertion)).toBe(key.id);
    const result = await verifyAuthentication(rp, assertion, challenge, [credential]);
    expect(result).toEqual({ ok: true, credentialId: key.id, newCounter: 1, userVerified: false });
  });

  it('refuses a key the user has not registered', async () => {
    const mine = await enrol(new SoftwareAuthenticator());
    const stranger = new SoftwareAuthenticator();
    const { challenge } = await authenticationOptions(rp, [mine]);
    const result = await verifyAuthentication(rp, stranger.assert(challenge), challenge, [mine]);
    expect(result).toMatchObject({ ok: false, reason: 'unknown_credential' });
  });

  it('refuses a replayed assertion (wrong challenge) and a forged signature', async () => {
    const key = new SoftwareAuthenticator();
    const credential = await enrol(key);
    const first = await authenticationOptions(rp, [credential]);
    const assertion = key.assert(first.challenge);
    const second = await authenticationOptions(rp, [credential]);
    const replay = await verifyAuthentication(rp, assertion, second.challenge, [credential]);
    expect(replay).toMatchObject({ ok: false, reason: 'rejected' });

    const impostor = new SoftwareAuthenticator();
    const forged = { ...impostor.assert(second.challenge), id: key.id, rawId: key.id };
    const result = await verifyAuthentication(rp, forged, second.challenge, [credential]);
    expect(result).toMatchObject({ ok: false, reason: 'rejected' });
  });

  it('refuses an assertion made for another origin (phishing)', async () => {
    const key = new SoftwareAuthenticator();
    const credential = await enrol(key);
    const { challenge } = await authenticationOptions(rp, [credential]);
    const phished = key.assert(challenge, { origin: 'https://lantern.evil' });
    const result = await verifyAuthentication(rp, phished, challenge, [credential]);
    expect(result).toMatchObject({ ok: false, reason: 'rejected' });
  });

  it('flags a counter that went backwards (possible cloned key)', async () => {
    const key = new SoftwareAuthenticator();
    const credential = { ...(await enrol(key)), counter: 10 };
    const { challenge } = await authenticationOptions(rp, [credential]);
    const result = await verifyAuthentication(
      rp,
      key.assert(challenge, { counter: 5 }),
      challenge,
      [credential],
    );
    expect(result).toMatchObject({ ok: false, reason: 'counter_regressed' });
  });

  it('answers malformed input with a refusal, never an exception', async () => {
    const key = new SoftwareAuthenticator();
    const credential = await enrol(key);
    const { challenge } = await authenticationOptions(rp, [credential]);
    const good = key.assert(challenge);
    const bad: unknown[] = [
      undefined,
      { id: key.id },
      { ...good, rawId: 'different' },
      { ...good, response: { ...good.response, signature: '' } },
      { ...good, response: { ...good.response, signature: 'AAAA' } },
      { ...good, response: { ...good.response, authenticatorData: 'AAAA' } },
      { ...good, response: { ...good.response, clientDataJSON: b64(utf8('[]')) } },
    ];
    for (const input of bad) {
      const result = await verifyAuthentication(rp, input, challenge, [credential]);
      expect(result.ok, JSON.stringify(input)).toBe(false);
    }
    expect(credentialIdOf({ id: 3 })).toBeNull();
  });
});

describe('a security key through the API (the only factor)', () => {
  // The app speaks as https://lantern.test, so the software key answers for that origin and RP.
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp({ config: { publicOrigin: rp.origin } });
  });
  afterAll(async () => t.close());

  const addKey = async (s: Session, key: SoftwareAuthenticator, label: string) => {
    const started = await call(t.app, s, 'POST', '/api/auth/webauthn/register/options');
    expect(started.statusCode, started.body).toBe(200);
    const { challenge } = started.json<{ options: { challenge: string } }>().options;
    return call(t.app, s, 'POST', '/api/auth/webauthn/register', {
      response: key.register(challenge),
      label,
    });
  };
  type Added = {
    id: string;
    recoveryCodes: string[] | null;
    session: { elevated: boolean; secondFactor: { enrolmentRequired: boolean } } | null;
  };

  it('enrols at sign-in with a first key: ten recovery codes stored hashed, audited; a second key brings none; a recovery code signs in', async () => {
    const schoolId = await makeSchool(t.services);
    // A class teacher can read records, so the school (by default) requires a factor at sign-in.
    const teacher = await makeUser(t.services, schoolId, 'teacher');
    const signedIn = await passwordSignIn(t, teacher);
    expect(signedIn.statusCode, signedIn.body).toBe(200);
    const enrolling = sessionOf(signedIn);
    expect(signedIn.json<Added['session'] & object>().secondFactor.enrolmentRequired).toBe(true);
    const refused = await call(t.app, enrolling, 'GET', '/api/alerts');
    expect(refused.statusCode).toBe(403);
    expect(errorOf(refused).code).toBe('second_factor_enrolment_required');

    const first = await addKey(enrolling, new SoftwareAuthenticator(), 'Blue key');
    expect(first.statusCode, first.body).toBe(201);
    const added = first.json<Added>();
    expect(added.recoveryCodes).toHaveLength(10);
    expect(new Set(added.recoveryCodes).size).toBe(10);
    // The first factor completes the enrolment: a new, elevated session replaces the old one.
    expect(added.session).toMatchObject({
      elevated: true,
      secondFactor: { enrolmentRequired: false },
    });
    const elevated = sessionOf(first, enrolling);
    expect(elevated.cookie).not.toBe(enrolling.cookie);
    expect((await call(t.app, enrolling, 'GET', '/api/auth/session')).statusCode).toBe(401);
    expect((await call(t.app, elevated, 'GET', '/api/alerts')).statusCode).toBe(200);

    // Stored as keyed hashes only: no code, in any spelling, is in the table.
    const stored = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ code_hash: string }>('SELECT code_hash FROM recovery_codes WHERE user_id = $1', [
        teacher.id,
      ]),
    );
    expect(stored).toHaveLength(10);
    const table = JSON.stringify(stored);
    for (const code of added.recoveryCodes!) {
      expect(table).not.toContain(code);
      expect(table).not.toContain(code.replace(/-/g, ''));
      expect(table.toLowerCase()).not.toContain(code.replace(/-/g, '').toLowerCase());
    }
    expect(stored.every((r) => /^[0-9a-f]{64}$/.test(r.code_hash))).toBe(true);
    const audit = await auditRows(t, schoolId);
    const actions = audit.map((r) => r.action);
    expect(actions.filter((a) => a === 'auth.recovery_codes_created')).toHaveLength(1);
    expect(actions).toContain('auth.second_factor_added');
    expect(audit.find((r) => r.action === 'auth.elevated')?.details).toMatchObject({
      method: 'webauthn',
      enrolment: 'completed',
    });
    expect(JSON.stringify(audit)).not.toContain(added.recoveryCodes![0]!);

    // A second key (with the recent factor the first gave): no new codes, the session stays.
    const second = await addKey(elevated, new SoftwareAuthenticator(), 'Spare key');
    expect(second.statusCode, second.body).toBe(201);
    expect(second.json<Added>()).toMatchObject({ recoveryCodes: null, session: null });
    expect(
      (await auditRows(t, schoolId)).filter((r) => r.action === 'auth.recovery_codes_created'),
    ).toHaveLength(1);

    // Key lost: sign in with the password and a recovery code (no authenticator app exists).
    expect((await call(t.app, elevated, 'POST', '/api/auth/sign-out')).statusCode).toBe(204);
    const again = await passwordSignIn(t, teacher);
    expect(again.json()).toMatchObject({ secondFactorRequired: true });
    expect(again.json<{ methods: string[] }>().methods.sort()).toEqual([
      'recovery_code',
      'webauthn',
    ]);
    const pending = sessionOf(again);
    const code = added.recoveryCodes![3]!;
    const used = await call(t.app, pending, 'POST', '/api/auth/verify/recovery-code', { code });
    expect(used.statusCode, used.body).toBe(200);
    expect(used.json<{ elevated: boolean }>().elevated).toBe(true);
    const inside = sessionOf(used, pending);
    expect((await call(t.app, inside, 'GET', '/api/alerts')).statusCode).toBe(200);
    const info = await call(t.app, inside, 'GET', '/api/auth/session');
    expect(
      info.json<{ secondFactor: { recoveryCodesLeft: number } }>().secondFactor.recoveryCodesLeft,
    ).toBe(9);

    // The same code never works twice.
    await call(t.app, inside, 'POST', '/api/auth/sign-out');
    const third = sessionOf(await passwordSignIn(t, teacher));
    const reused = await call(t.app, third, 'POST', '/api/auth/verify/recovery-code', { code });
    expect(reused.statusCode).toBe(400);
    expect(errorOf(reused).code).toBe('second_factor_refused');
  });
});

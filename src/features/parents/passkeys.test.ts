// A parent's passkey (issue 21), on both engines: set up instead of an authenticator app (the
// identity feature's WebAuthn verification, with the parent's own credentials), then used to
// finish signing in; a wrong key or a replayed challenge is refused and audited as the parent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePupil, makeSchool, testApp, type TestApp } from '../../test/harness.ts';
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';
import { SoftwareAuthenticator, TEST_RP } from '../identity/webauthn-test-kit.ts';
import { makeParent, parentCall, parentSessionOf, type ParentSession } from './parent-test-kit.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ config: { logLevel: 'error', publicOrigin: TEST_RP.origin } });
});
afterAll(async () => t.close());

const passwordIn = async (p: { email: string; password: string }) =>
  parentSessionOf(
    await t.app.inject({
      method: 'POST',
      url: '/api/parent/auth/sign-in',
      payload: { email: p.email, password: p.password },
    }),
  );

async function challengeFor(s: ParentSession): Promise<{ challenge: string }> {
  const res = await parentCall(t, s, 'POST', '/api/parent/auth/passkey/options');
  expect(res.statusCode, res.body).toBe(200);
  return res.json<{ options: { challenge: string } }>().options;
}

describe('a parent’s passkey', () => {
  it('is set up instead of an authenticator app, and finishes signing in', async () => {
    const schoolId = await makeSchool(t.services);
    const pupil = await makePupil(t.services, schoolId);
    const p = await makeParent(t, schoolId, [pupil.id], { secondFactor: false });
    const key = new SoftwareAuthenticator();

    const enrolling = await passwordIn(p);
    const { challenge } = await challengeFor(enrolling);
    const registered = await parentCall(t, enrolling, 'POST', '/api/parent/auth/passkey', {
      response: key.register(challenge),
    });
    expect(registered.statusCode, registered.body).toBe(200);
    expect(registered.json<{ stage: string }>().stage).toBe('full');
    const full = parentSessionOf(registered, enrolling);
    expect((await parentCall(t, full, 'GET', '/api/parent/children')).statusCode).toBe(200);

    // Later: the password, then the passkey.
    const pending = await passwordIn(p);
    expect((await parentCall(t, pending, 'GET', '/api/parent/session')).json()).toMatchObject({
      stage: 'second_factor',
    });
    const impostor = new SoftwareAuthenticator();
    const first = await challengeFor(pending);
    const refused = await parentCall(t, pending, 'POST', '/api/parent/auth/passkey', {
      response: impostor.assert(first.challenge),
    });
    expect(refused.statusCode).toBe(401);
    // The challenge was spent by the refused answer: the right key cannot reuse it.
    const replay = await parentCall(t, pending, 'POST', '/api/parent/auth/passkey', {
      response: key.assert(first.challenge),
    });
    expect(replay.statusCode).toBe(400);
    const second = await challengeFor(pending);
    const signed = await parentCall(t, pending, 'POST', '/api/parent/auth/passkey', {
      response: key.assert(second.challenge),
    });
    expect(signed.statusCode, signed.body).toBe(200);
    expect(signed.json<{ stage: string }>().stage).toBe('full');

    const rows = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ action: string; actor_id: string | null; actor_label: string }>(
        `SELECT action, actor_id, actor_label FROM audit_events WHERE school_id = $1
           AND target_id = $2 AND action LIKE 'parent.%' ORDER BY seq`,
        [schoolId, p.parentId],
      ),
    );
    expect(rows.map((r) => r.action)).toEqual([
      'parent.second_factor_added',
      'parent.recovery_codes_created', // shown once, with the new factor
      'parent.signed_in',
      'parent.second_factor_failed',
      'parent.signed_in',
      'parent.new_device', // no device cookie was sent: a new browser
    ]);
    expect(rows.every((r) => r.actor_id === null && r.actor_label === `Parent: ${p.name}`)).toBe(
      true,
    );
  });

  it('is refused for a parent who has none', async () => {
    const schoolId = await makeSchool(t.services);
    const pupil = await makePupil(t.services, schoolId);
    const p = await makeParent(t, schoolId, [pupil.id]);
    const pending = await passwordIn(p);
    const res = await parentCall(t, pending, 'POST', '/api/parent/auth/passkey/options');
    expect(res.statusCode).toBe(409);
    expect(res.json<{ error: { message: string } }>().error.message).toMatch(/No passkey/);
  });
});

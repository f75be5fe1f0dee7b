// A member removing their own second factors: only with a recent second factor, never another
// member's key, never the last factor a school requires; each removal audited.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, makeSchool, makeUser, signIn, testApp, type TestApp } from '../../test/harness.ts';
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';
import { auditRows } from './identity-test-kit.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(async () => t.close());

/** A registered security key, as the WebAuthn ceremony would have stored it. */
async function addKey(user: { id: string; schoolId: string }, label: string): Promise<string> {
  const [row] = await unsafeAsOwner(t.services.db, (q) =>
    q.query<{ id: string }>(
      `INSERT INTO webauthn_credentials (school_id, user_id, credential_id, public_key, label)
       VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [user.schoolId, user.id, randomUUID(), Buffer.from('not-a-real-key'), label],
    ),
  );
  return row!.id;
}

const factors = async (userId: string) =>
  unsafeAsOwner(t.services.db, async (q) => {
    const [r] = await q.query<{ totp: number; keys: number; codes: number }>(
      `SELECT (SELECT count(*)::int FROM totp_credentials WHERE user_id = $1) AS totp,
              (SELECT count(*)::int FROM webauthn_credentials WHERE user_id = $1 AND removed_at IS NULL) AS keys,
              (SELECT count(*)::int FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL) AS codes`,
      [userId],
    );
    return r!;
  });

describe('removing my own second factors', () => {
  it('lists my keys and removes one with a recent second factor, audited; not with a password alone', async () => {
    const schoolId = await makeSchool(t.services);
    // An administrator: the school asks readers of records for a factor at sign-in, so only a
    // member who reads none can hold a password-only session to try this with.
    const admin = await makeUser(t.services, schoolId, 'school_admin');
    const elevated = await signIn(t.app, admin, { elevated: true }); // enrols an authenticator app
    const keyId = await addKey(admin, 'Blue key');

    const listed = await call(t.app, elevated, 'GET', '/api/auth/security-keys');
    expect(listed.statusCode, listed.body).toBe(200);
    expect(listed.json<{ items: { id: string; label: string }[] }>().items).toEqual([
      expect.objectContaining({ id: keyId, label: 'Blue key', lastUsedAt: null }),
    ]);

    const passwordOnly = await signIn(t.app, admin);
    const refused = await call(
      t.app,
      passwordOnly,
      'POST',
      `/api/auth/security-keys/${keyId}/remove`,
    );
    expect(refused.statusCode).toBe(403);
    expect(refused.json<{ error: { code: string } }>().error.code).toBe('step_up_required');
    expect((await factors(admin.id)).keys).toBe(1);

    const removed = await call(t.app, elevated, 'POST', `/api/auth/security-keys/${keyId}/remove`);
    expect(removed.statusCode, removed.body).toBe(204);
    expect(await factors(admin.id)).toMatchObject({ totp: 1, keys: 0 });
    const event = (await auditRows(t, schoolId)).find(
      (r) => r.action === 'auth.second_factor_removed',
    );
    expect(event).toMatchObject({
      target_id: admin.id,
      details: { method: 'webauthn', key: keyId },
    });

    const again = await call(t.app, elevated, 'POST', `/api/auth/security-keys/${keyId}/remove`);
    expect(again.statusCode).toBe(404);
  });

  it("does not find another member's key, and changes nothing", async () => {
    const schoolId = await makeSchool(t.services);
    const me = await makeUser(t.services, schoolId, 'dsl');
    const colleague = await makeUser(t.services, schoolId, 'deputy_dsl');
    const theirs = await addKey(colleague, 'Their key');
    const s = await signIn(t.app, me, { elevated: true });
    const res = await call(t.app, s, 'POST', `/api/auth/security-keys/${theirs}/remove`);
    expect(res.statusCode).toBe(404);
    expect((await factors(colleague.id)).keys).toBe(1);
    const listed = await call(t.app, s, 'GET', '/api/auth/security-keys');
    expect(listed.body).not.toContain(theirs);
    const malformed = await call(t.app, s, 'POST', '/api/auth/security-keys/not-an-id/remove');
    expect(malformed.statusCode).toBe(400);
  });

  it('refuses to remove the last factor the school requires, and rolls the removal back', async () => {
    const schoolId = await makeSchool(t.services);
    const dsl = await makeUser(t.services, schoolId, 'dsl'); // reads records: a factor is required
    const s = await signIn(t.app, dsl, { elevated: true });
    const res = await call(t.app, s, 'POST', '/api/auth/totp/remove');
    expect(res.statusCode, res.body).toBe(409);
    const error = res.json<{ error: { code: string; message: string } }>().error;
    expect(error.code).toBe('last_second_factor');
    expect(error.message).toMatch(/Add another security key or an authenticator app/);
    expect((await factors(dsl.id)).totp).toBe(1);
    expect(
      (await auditRows(t, schoolId)).some((r) => r.action === 'auth.second_factor_removed'),
    ).toBe(false);

    // With a security key as well, the authenticator app may go; the key remains.
    await addKey(dsl, 'Spare key');
    const ok = await call(t.app, s, 'POST', '/api/auth/totp/remove');
    expect(ok.statusCode, ok.body).toBe(204);
    expect(await factors(dsl.id)).toMatchObject({ totp: 0, keys: 1 });
    const none = await call(t.app, s, 'POST', '/api/auth/totp/remove');
    expect(none.statusCode).toBe(404);
  });

  it('lets a member the school does not require a factor of remove their last one, recovery codes with it', async () => {
    const schoolId = await makeSchool(t.services);
    const admin = await makeUser(t.services, schoolId, 'school_admin');
    const s = await signIn(t.app, admin, { elevated: true });
    const codes = await call(t.app, s, 'POST', '/api/auth/recovery-codes');
    expect(codes.statusCode, codes.body).toBe(200);
    expect((await factors(admin.id)).codes).toBe(10);
    const res = await call(t.app, s, 'POST', '/api/auth/totp/remove');
    expect(res.statusCode, res.body).toBe(204);
    expect(await factors(admin.id)).toEqual({ totp: 0, keys: 0, codes: 0 });
    const info = await call(t.app, s, 'GET', '/api/auth/session');
    expect(info.json<{ secondFactor: { enrolled: boolean } }>().secondFactor.enrolled).toBe(false);
  });
});

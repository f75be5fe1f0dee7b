// A parent's recovery codes (issue 21), on both engines: ten shown once when the first second
// factor is confirmed, kept only as keyed hashes, each usable once at sign-in in place of the
// authenticator code (a wrong one refused with a clear message, counted by the same throttle and
// audited), ten new ones only with an authenticator code (audited, the old ones void), the count
// left on the account, and gone with a staff reset of the second factor.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePupil, makeSchool, testApp, testClock, type TestApp } from '../../test/harness.ts';
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';
import { totpCodeAt } from '../identity/totp.ts';
import { errorOf } from '../identity/identity-test-kit.ts';
import {
  makeParent,
  parentCall,
  parentCode,
  parentSessionOf,
  signInParent,
  type TestParent,
} from './parent-test-kit.ts';

let t: TestApp;
const clock = testClock();
let schoolId: string;
let childId: string;

beforeAll(async () => {
  t = await testApp({ config: { logLevel: 'error' }, clock });
  schoolId = await makeSchool(t.services);
  childId = (await makePupil(t.services, schoolId, { yearGroup: 'Nursery' })).id;
});
afterAll(async () => {
  await t.close();
});

const passwordStep = async (p: TestParent) =>
  parentSessionOf(
    await t.app.inject({
      method: 'POST',
      url: '/api/parent/auth/sign-in',
      payload: { email: p.email, password: p.password },
    }),
  );

const audit = (parentId: string, action: string) =>
  unsafeAsOwner(t.services.db, (q) =>
    q.query<{ actor_id: string | null; details: Record<string, unknown> }>(
      `SELECT actor_id, details FROM audit_events WHERE target_id = $1 AND action = $2 ORDER BY seq`,
      [parentId, action],
    ),
  );

const storedHashes = (parentId: string) =>
  unsafeAsOwner(t.services.db, (q) =>
    q.query<{ code_hash: string; used_at: Date | null }>(
      'SELECT code_hash, used_at FROM parent_recovery_codes WHERE parent_id = $1',
      [parentId],
    ),
  );

/** A parent who sets up their authenticator app through the API; returns the codes shown. */
async function enrolled(): Promise<{ p: TestParent; secret: string; codes: string[] }> {
  const p = await makeParent(t, schoolId, [childId], { secondFactor: false });
  const s = await passwordStep(p);
  const started = await parentCall(t, s, 'POST', '/api/parent/auth/totp/enrol');
  const secret = started.json<{ manualKey: string }>().manualKey.replace(/\s/g, '');
  const confirmed = await parentCall(t, s, 'POST', '/api/parent/auth/code', {
    code: totpCodeAt(secret, clock.now()),
  });
  expect(confirmed.statusCode, confirmed.body).toBe(200);
  const codes = confirmed.json<{ recoveryCodes?: string[] }>().recoveryCodes ?? [];
  return { p: { ...p, secret }, secret, codes };
}

describe("a parent's recovery codes", () => {
  it('are shown once with the first factor, hashed at rest, and counted on the account', async () => {
    const { p, codes } = await enrolled();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const c of codes) expect(c).toMatch(/^[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}$/);
    const rows = await storedHashes(p.parentId);
    expect(rows).toHaveLength(10);
    const stored = rows.map((r) => r.code_hash).join(' ');
    for (const c of codes) {
      expect(stored).not.toContain(c);
      expect(stored).not.toContain(c.replace(/-/g, ''));
    }
    const made = await audit(p.parentId, 'parent.recovery_codes_created');
    expect(made.map((r) => r.details)).toEqual([{ why: 'first_factor' }]);
    expect(made[0]!.actor_id).toBeNull();

    // Signing in again with the app shows no codes: they are shown once.
    const s = await signInParent(t, p);
    const again = await parentCall(t, s, 'GET', '/api/parent/session');
    expect(again.json<{ recoveryCodes?: string[] }>().recoveryCodes).toBeUndefined();
    const left = await parentCall(t, s, 'GET', '/api/parent/account/recovery-codes');
    expect(left.json()).toEqual({ left: 10 });
  });

  it('sign a parent in once each in place of the code; a wrong one is refused, counted and audited', async () => {
    const { p, codes } = await enrolled();
    const pending = await passwordStep(p);
    const wrong = await parentCall(t, pending, 'POST', '/api/parent/auth/recovery-code', {
      code: 'aaaa-bbbb-cccc',
    });
    expect(wrong.statusCode).toBe(401);
    expect(errorOf(wrong).message).toMatch(/recovery code is not right, or it has been used/);
    const failed = await audit(p.parentId, 'parent.second_factor_failed');
    expect(failed.map((r) => r.details)).toContainEqual({
      method: 'recovery_code',
      reason: 'invalid',
    });
    // The session waiting for the code is still there; a real code (as typed: upper case,
    // spaces) finishes signing in.
    const typed = codes[3]!.toUpperCase().replace(/-/g, ' ');
    const ok = await parentCall(t, pending, 'POST', '/api/parent/auth/recovery-code', {
      code: typed,
    });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json<{ stage: string }>().stage).toBe('full');
    const full = parentSessionOf(ok, pending);
    expect((await parentCall(t, full, 'GET', '/api/parent/children')).statusCode).toBe(200);
    expect((await parentCall(t, full, 'GET', '/api/parent/account/recovery-codes')).json()).toEqual(
      { left: 9 },
    );
    const signedIn = await audit(p.parentId, 'parent.signed_in');
    expect(signedIn.map((r) => r.details)).toContainEqual({ secondFactor: 'recovery_code' });

    // The same code never works twice.
    const second = await passwordStep(p);
    const reused = await parentCall(t, second, 'POST', '/api/parent/auth/recovery-code', {
      code: codes[3],
    });
    expect(reused.statusCode).toBe(401);
    expect(errorOf(reused).code).toBe('wrong_recovery_code');
  });

  it('are throttled like wrong authenticator codes', async () => {
    const { p } = await enrolled();
    const pending = await passwordStep(p);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await parentCall(t, pending, 'POST', '/api/parent/auth/recovery-code', {
        code: `zzzz-zzzz-zzz${i}`,
      });
      statuses.push(r.statusCode);
    }
    expect(statuses.slice(0, 3)).toEqual([401, 401, 401]);
    expect(statuses).toContain(429);
  });

  it('are not a way to skip setting up a second factor', async () => {
    const p = await makeParent(t, schoolId, [childId], { secondFactor: false });
    const s = await passwordStep(p);
    const r = await parentCall(t, s, 'POST', '/api/parent/auth/recovery-code', {
      code: 'aaaa-bbbb-cccc',
    });
    expect(r.statusCode).toBe(403);
  });

  it('are made anew only with an authenticator code (audited); the old ones stop working', async () => {
    const { p, codes } = await enrolled();
    const s = await signInParent(t, p);
    const refused = await parentCall(t, s, 'POST', '/api/parent/account/recovery-codes', {
      code: '000000',
    });
    expect(refused.statusCode).toBe(400);
    expect(errorOf(refused).message).toMatch(/That code is not right/);
    expect((await storedHashes(p.parentId)).filter((r) => !r.used_at)).toHaveLength(10);
    expect((await parentCall(t, s, 'GET', '/api/parent/session')).statusCode).toBe(200);

    const made = await parentCall(t, s, 'POST', '/api/parent/account/recovery-codes', {
      code: await parentCode(t, p),
    });
    expect(made.statusCode, made.body).toBe(200);
    const fresh = made.json<{ codes: string[] }>().codes;
    expect(fresh).toHaveLength(10);
    expect(fresh.some((c) => codes.includes(c))).toBe(false);
    const audited = await audit(p.parentId, 'parent.recovery_codes_created');
    expect(audited.map((r) => r.details)).toEqual([
      { why: 'first_factor' },
      { why: 'regenerated' },
    ]);
    const old = await parentCall(
      t,
      await passwordStep(p),
      'POST',
      '/api/parent/auth/recovery-code',
      {
        code: codes[0],
      },
    );
    expect(old.statusCode).toBe(401);
    const pending = await passwordStep(p);
    const ok = await parentCall(t, pending, 'POST', '/api/parent/auth/recovery-code', {
      code: fresh[0],
    });
    expect(ok.statusCode, ok.body).toBe(200);
  });
});

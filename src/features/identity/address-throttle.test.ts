// The per-address sign-in limit (issue 3) actually bites: failures spread over several accounts
// (and unknown emails) from one address, none of them locked on its own, slow that address down
// after ADDRESS_FREE_FAILURES — even the right password for an untouched account gets 429 from
// there, audited as a refused sign-in — while the same account signs in from another address.
// There is no knob to lower the threshold, so the test makes all the failures (one Argon2id
// verification each) on a clock that does not move.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSchool, makeUser, testApp, testClock, type TestApp } from '../../test/harness.ts';
import { ACCOUNT_FREE_FAILURES, ADDRESS_FREE_FAILURES } from './throttle.ts';
import { auditRows, drainWork, errorOf } from './identity-test-kit.ts';

const clock = testClock();
let t: TestApp;
beforeAll(async () => {
  t = await testApp({ clock });
});
afterAll(async () => t.close());

const HERE = '198.51.100.23';
const ELSEWHERE = '203.0.113.77';
const attempt = (from: string, email: string, password: string) =>
  t.app.inject({
    method: 'POST',
    url: '/api/auth/sign-in',
    payload: { email, password },
    remoteAddress: from,
  });

describe('the per-address limit', () => {
  it('after enough failures across accounts from one address, that address is slowed for every account', async () => {
    const schoolId = await makeSchool(t.services);
    const accounts = await Promise.all(
      [0, 1, 2, 3, 4].map(() => makeUser(t.services, schoolId, 'school_admin')),
    );
    const untouched = await makeUser(t.services, schoolId, 'school_admin');
    // Each account takes one failure more than its free ones (the last starts a short delay on
    // that account only); unknown emails make up the rest, one each. Accounts run side by side
    // (each its own attempts in order), so Argon2id works on both cores while the database
    // records; the first failure goes alone so the address's row exists before the rest race.
    const fail = async (email: string) => {
      const res = await attempt(HERE, email, 'not-the-Password-1!');
      expect(res.statusCode, res.body).toBe(401);
    };
    await fail(accounts[0]!.email);
    const perAccount = ACCOUNT_FREE_FAILURES + 1;
    await Promise.all(
      accounts.map(async (a, n) => {
        for (let i = n === 0 ? 1 : 0; i < perAccount; i++) await fail(a.email);
      }),
    );
    let failures = accounts.length * perAccount;
    const strangers = Array.from(
      { length: ADDRESS_FREE_FAILURES + 1 - failures },
      (_, i) => `stranger-${i}@test.lantern.invalid`,
    );
    for (let i = 0; i < strangers.length; i += 8) {
      await Promise.all(strangers.slice(i, i + 8).map(fail));
    }
    failures += strangers.length;
    expect(failures).toBe(ADDRESS_FREE_FAILURES + 1);

    const refused = await attempt(HERE, untouched.email, untouched.password);
    expect(refused.statusCode).toBe(429);
    expect(errorOf(refused)).toEqual({
      code: 'too_many_attempts',
      message: 'Too many attempts. Wait 2 seconds and try again.',
    });
    expect(refused.headers['retry-after']).toBe('2');
    // An unknown email from there gets exactly the same answer.
    const stranger = await attempt(HERE, 'nobody-here@test.lantern.invalid', 'nope-Nope-1!');
    expect([stranger.statusCode, stranger.body, stranger.headers['retry-after']]).toEqual([
      refused.statusCode,
      refused.body,
      '2',
    ]);
    await drainWork(t); // the refusal's audit entry is written after the answer
    expect(
      (await auditRows(t, schoolId))
        .filter((r) => r.action === 'auth.sign_in_refused' && r.target_id === untouched.id)
        .map((r) => r.details),
    ).toEqual([{ reason: 'throttled', step: 'password', retryAfterSeconds: 2 }]);

    // The limit is the address's, not the account's.
    expect((await attempt(ELSEWHERE, untouched.email, untouched.password)).statusCode).toBe(200);
    // And it is a delay, not a lock: once it has passed, the address may try again.
    clock.advance(3_000);
    expect((await attempt(HERE, untouched.email, untouched.password)).statusCode).toBe(200);
  }, 120_000);
});

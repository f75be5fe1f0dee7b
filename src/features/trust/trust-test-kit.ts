// Test factories for a trust's view (issue 20): a trust with schools, a trust member with an
// authenticator app, signing in through the real routes, and records logged through the API.
import { closedPeriod } from './figures.ts';
import { randomUUID } from 'node:crypto';
import { createSchool, createTrust } from '../administration/create-school.ts';
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';
import { call, categoryIds, type Session, type TestApp } from '../../test/harness.ts';
import { newTotpSecret, totpCodeAt } from '../identity/totp.ts';
import { addTrustMember } from './members.ts';
import { trustCookieName } from './sessions.ts';
import type { TrustRole } from '../../core/trust-context.ts';

export const TRUST_PASSWORD = 'trust-Horse-battery-9!';

export async function makeTrust(t: Pick<TestApp, 'services'>, schools = 2) {
  const trustId = await createTrust(t.services.db, `Test Trust ${randomUUID().slice(0, 6)}`);
  const ids: string[] = [];
  for (let i = 0; i < schools; i += 1) {
    ids.push(
      await createSchool(
        t.services,
        {
          name: `Trust School ${String.fromCharCode(65 + i)} ${randomUUID().slice(0, 6)}`,
          trustId,
        },
        'test',
      ),
    );
  }
  return { trustId, schoolIds: ids };
}

export type TestTrustMember = {
  id: string;
  trustId: string;
  email: string;
  password: string;
  secret: string;
};

/** A trust member with a confirmed authenticator app (unless `enrolled` is false). */
export async function makeTrustMember(
  t: Pick<TestApp, 'services'>,
  trustId: string,
  role: TrustRole = 'trust_safeguarding_lead',
  enrolled = true,
): Promise<TestTrustMember> {
  const email = `trust-${randomUUID().slice(0, 8)}@test.lantern.invalid`;
  const id = await addTrustMember(t.services, {
    trustId,
    email,
    name: `Trust ${role}`,
    role,
    password: TRUST_PASSWORD,
  });
  const secret = newTotpSecret();
  if (enrolled) {
    const { sealed, masterKeyId } = t.services.keys.sealUnderMaster(
      `trust_totp.secret:${id}`,
      secret,
    );
    await unsafeAsOwner(t.services.db, (q) =>
      q.query(
        `UPDATE trust_member_credentials SET totp_sealed = $2, totp_master_key_id = $3,
           totp_confirmed_at = now() WHERE member_id = $1`,
        [id, sealed, masterKeyId],
      ),
    );
  }
  return { id, trustId, email, password: TRUST_PASSWORD, secret };
}

type Reply = Awaited<ReturnType<TestApp['app']['inject']>>;

export function trustSessionOf(res: Reply, old?: Session): Session {
  const name = trustCookieName({ tls: false });
  const c = res.cookies.find((x) => x.name === name);
  const csrf = res.json<{ csrfToken?: string }>().csrfToken ?? old?.csrf;
  const cookie = c ? `${name}=${c.value}` : old?.cookie;
  if (!cookie || !csrf) throw new Error(`no trust session in ${res.statusCode} ${res.body}`);
  return { cookie, csrf };
}

/** The code the member's app shows now (the replay guard reset first: tests only). */
export async function trustCode(t: Pick<TestApp, 'services'>, m: TestTrustMember) {
  await unsafeAsOwner(t.services.db, (q) =>
    q.query('UPDATE trust_member_credentials SET totp_last_step = NULL WHERE member_id = $1', [
      m.id,
    ]),
  );
  return totpCodeAt(m.secret, t.services.clock.now());
}

/** Signs in through the real routes: password, then the code. */
export async function signInTrust(t: TestApp, m: TestTrustMember): Promise<Session> {
  const first = await t.app.inject({
    method: 'POST',
    url: '/api/trust/auth/sign-in',
    payload: { email: m.email, password: m.password },
  });
  if (first.statusCode !== 200) throw new Error(`trust sign-in: ${first.statusCode} ${first.body}`);
  const pending = trustSessionOf(first);
  const coded = await call(t.app, pending, 'POST', '/api/trust/auth/code', {
    code: await trustCode(t, m),
  });
  if (coded.statusCode !== 200) throw new Error(`trust code: ${coded.statusCode} ${coded.body}`);
  return trustSessionOf(coded, pending);
}

/** Logs `n` concerns about the pupil through the API as the given staff session. */
export async function logConcerns(
  t: TestApp,
  staff: Session,
  schoolId: string,
  pupilId: string,
  n: number,
): Promise<void> {
  const cats = await categoryIds(t.services, schoolId);
  const bullying = cats.find((c) => c.name === 'Bullying')!.id;
  for (let i = 0; i < n; i += 1) {
    const res = await call(t.app, staff, 'POST', '/api/concerns', {
      pupils: [{ pupilId, role: 'subject' }],
      categoryIds: [bullying],
      // Inside the closed period the trust's figures cover (the last day of the last full month).
      happenedAt: new Date(
        Date.parse(`${closedPeriod(t.services.clock.now()).to}T12:00:00Z`) - (i + 1) * 3_600_000,
      ).toISOString(),
      body: 'A worry written for the trust fixture.',
    });
    if (res.statusCode >= 300) throw new Error(`concern: ${res.statusCode} ${res.body}`);
  }
}

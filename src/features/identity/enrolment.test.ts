// Forced enrolment (issue 3): when the school requires a second factor at sign-in — of everyone,
// or (the default) of every member whose groups can read records — a member who has none gets a
// session that may only set one up. Everything else answers 403 second_factor_enrolment_required,
// decided in one place (access/step-up.ts, called by the request context). Confirming an
// authenticator app replaces the session with an elevated one, audited.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  categoryIds,
  makePupil,
  makeSchool,
  makeUser,
  signIn,
  testApp,
  type Session,
  type TestApp,
  type TestUser,
} from '../../test/harness.ts';
import { auditRows, errorOf, oathtool, passwordSignIn, sessionOf } from './identity-test-kit.ts';
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(async () => t.close());

type Info = {
  capabilities: string[];
  elevated: boolean;
  secondFactor: { enrolled: boolean; required: boolean; enrolmentRequired: boolean };
};

async function concernBody(schoolId: string) {
  const pupil = await makePupil(t.services, schoolId);
  const category = (await categoryIds(t.services, schoolId)).find((c) => !c.restricted)!;
  return {
    pupils: [{ pupilId: pupil.id, role: 'subject' }],
    categoryIds: [category.id],
    happenedAt: new Date(t.services.clock.now().getTime() - 60_000).toISOString(),
    body: 'Seemed withdrawn at break.',
  };
}

const refusedForEnrolment = async (
  s: Session,
  method: 'GET' | 'POST',
  url: string,
  body?: unknown,
) => {
  const res = await call(t.app, s, method, url, body);
  expect(res.statusCode, `${url}: ${res.body}`).toBe(403);
  expect(errorOf(res).code).toBe('second_factor_enrolment_required');
};

/** Enrols an authenticator app on the given session; answers the new session and reply. */
async function enrolApp(s: Session) {
  const started = await call(t.app, s, 'POST', '/api/auth/totp/enrol');
  expect(started.statusCode, started.body).toBe(200);
  const secret = started.json<{ manualKey: string }>().manualKey.replace(/\s/g, '');
  const confirmed = await call(t.app, s, 'POST', '/api/auth/totp/confirm', {
    code: oathtool(secret, t.services.clock.now()),
  });
  expect(confirmed.statusCode, confirmed.body).toBe(200);
  return { session: sessionOf(confirmed, s), reply: confirmed };
}

async function requireOfEveryone(schoolId: string) {
  const admin = await signIn(t.app, await makeUser(t.services, schoolId, 'dsl'), {
    elevated: true,
  });
  const set = await call(t.app, admin, 'PATCH', '/api/admin/policies', {
    secondFactorAtSignIn: 'everyone',
  });
  expect(set.statusCode, set.body).toBe(200);
}

describe('second factor required at sign-in, none set up', () => {
  it('"everyone": a member who cannot read records may not log a concern or read alerts until enrolled', async () => {
    const schoolId = await makeSchool(t.services);
    await requireOfEveryone(schoolId);
    // A school administrator logs concerns but reads no records: only "everyone" requires them.
    const office: TestUser = await makeUser(t.services, schoolId, 'school_admin');
    const signedIn = await passwordSignIn(t, office);
    expect(signedIn.statusCode, signedIn.body).toBe(200);
    const info = signedIn.json<Info & { secondFactorRequired?: true }>();
    expect(info.secondFactorRequired).toBeUndefined();
    expect(info.secondFactor).toMatchObject({
      enrolled: false,
      required: true,
      enrolmentRequired: true,
    });
    expect(info.capabilities).toEqual([]);
    const s = sessionOf(signedIn);

    const concern = await concernBody(schoolId);
    await refusedForEnrolment(s, 'POST', '/api/concerns', concern);
    await refusedForEnrolment(s, 'GET', '/api/alerts');
    await refusedForEnrolment(s, 'GET', '/api/dashboard');
    await refusedForEnrolment(s, 'GET', '/api/concerns');
    await refusedForEnrolment(s, 'POST', '/api/auth/password', {
      currentPassword: office.password,
      newPassword: 'Another-long-passphrase-7!',
    });
    await refusedForEnrolment(s, 'POST', '/api/auth/recovery-codes');
    // What enrolling needs still works: the session, the sessions list.
    expect((await call(t.app, s, 'GET', '/api/auth/session')).statusCode).toBe(200);
    expect((await call(t.app, s, 'GET', '/api/auth/sessions')).statusCode).toBe(200);

    const { session: elevated, reply } = await enrolApp(s);
    const after = reply.json<{ session: Info; recoveryCodes: string[] | null }>();
    expect(after.recoveryCodes).toHaveLength(10);
    expect(after.session.elevated).toBe(true);
    expect(after.session.secondFactor.enrolmentRequired).toBe(false);
    expect(after.session.capabilities).toContain('concern.create');
    // The enrolling session is gone (new id), the new one may do the school's work.
    expect(elevated.cookie).not.toBe(s.cookie);
    expect((await call(t.app, s, 'GET', '/api/auth/session')).statusCode).toBe(401);
    expect((await call(t.app, elevated, 'POST', '/api/concerns', concern)).statusCode).toBe(201);
    expect((await call(t.app, elevated, 'GET', '/api/alerts')).statusCode).toBe(200);

    const audit = await auditRows(t, schoolId);
    const signIn = audit.find(
      (r) => r.action === 'auth.sign_in' && r.details.secondFactor === 'enrolment_required',
    );
    expect(signIn).toBeDefined();
    const elevation = audit.find(
      (r) => r.action === 'auth.elevated' && r.details.enrolment === 'completed',
    );
    expect(elevation?.details).toMatchObject({ method: 'totp' });
    expect(audit.map((r) => r.action)).toContain('auth.recovery_codes_created');

    // Next time they sign in, the factor is asked for before anything else.
    const next = await passwordSignIn(t, office);
    expect(next.json()).toMatchObject({
      secondFactorRequired: true,
      methods: ['totp', 'recovery_code'],
    });
  });

  it('"readers" (the default): a teacher who can read must enrol; a member who cannot is not forced', async () => {
    const schoolId = await makeSchool(t.services);
    const teacher = await makeUser(t.services, schoolId, 'teacher');
    const office = await makeUser(t.services, schoolId, 'school_admin');

    const t1 = await passwordSignIn(t, teacher);
    expect(t1.json<Info>().secondFactor).toMatchObject({ required: true, enrolmentRequired: true });
    const teacherSession = sessionOf(t1);
    await refusedForEnrolment(teacherSession, 'POST', '/api/concerns', await concernBody(schoolId));
    await refusedForEnrolment(teacherSession, 'GET', '/api/alerts');
    // Giving a factor they do not have is not a way round it.
    await refusedForEnrolment(teacherSession, 'POST', '/api/auth/verify/totp', { code: '123456' });

    const o1 = await passwordSignIn(t, office);
    const officeInfo = o1.json<Info>();
    expect(officeInfo.secondFactor).toMatchObject({ required: false, enrolmentRequired: false });
    expect(officeInfo.capabilities).toContain('concern.create');
    const officeSession = sessionOf(o1);
    const logged = await call(
      t.app,
      officeSession,
      'POST',
      '/api/concerns',
      await concernBody(schoolId),
    );
    expect(logged.statusCode, logged.body).toBe(201);
    expect((await call(t.app, officeSession, 'GET', '/api/alerts')).statusCode).toBe(200);

    const { session } = await enrolApp(teacherSession);
    expect((await call(t.app, session, 'GET', '/api/alerts')).statusCode).toBe(200);
  });

  it('applies at once to a signed-in member whose factors an administrator resets', async () => {
    const schoolId = await makeSchool(t.services);
    const teacher = await makeUser(t.services, schoolId, 'teacher');
    const { session } = await enrolApp(sessionOf(await passwordSignIn(t, teacher)));
    expect((await call(t.app, session, 'GET', '/api/alerts')).statusCode).toBe(200);
    // The factor disappears under the session (as an administrator's reset would remove it).
    await unsafeAsOwner(t.services.db, (q) =>
      q.query('DELETE FROM totp_credentials WHERE user_id = $1', [teacher.id]),
    );
    await refusedForEnrolment(session, 'GET', '/api/alerts');
    const info = await call(t.app, session, 'GET', '/api/auth/session');
    expect(info.json<Info>().secondFactor.enrolmentRequired).toBe(true);
  });
});

// A member of staff resets a parent's second factor (issue 21), on both engines: only the
// `parents` capability, elevated; a reason is required and kept for staff only (the audit trail);
// the parent's app is deleted, their sessions end, they are emailed with no detail, and their
// next sign-in must set up a new factor — the old authenticator no longer signs them in. Bad
// input changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  makePupil,
  makeSchool,
  makeUser,
  signIn,
  testApp,
  testClock,
  type TestApp,
} from '../../test/harness.ts';
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';
import { drainWork, errorOf, startMailTrap, type MailTrap } from '../identity/identity-test-kit.ts';
import type { InvitationList } from '../../shared/schemas/parents.ts';
import {
  makeInvitation,
  makeParent,
  parentCall,
  parentCode,
  signInParent,
} from './parent-test-kit.ts';

let t: TestApp;
let trap: MailTrap;
const clock = testClock();
beforeAll(async () => {
  trap = await startMailTrap();
  t = await testApp({ config: { logLevel: 'error', smtpUrl: trap.url }, clock });
});
afterAll(async () => {
  await t.close();
  await trap.close();
});

describe("resetting a parent's second factor", () => {
  it('ends their sessions, emails them with no detail, and makes the next sign-in set up a new factor', async () => {
    const schoolId = await makeSchool(t.services);
    const adminUser = await makeUser(t.services, schoolId, 'school_admin');
    const admin = await signIn(t.app, adminUser, { elevated: true });
    const pupil = await makePupil(t.services, schoolId, {
      firstName: 'Quinn',
      yearGroup: 'Nursery',
    });
    const parent = await makeParent(t, schoolId, [pupil.id]);
    const [inv] = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ id: string }>(
        `INSERT INTO parent_invitations (school_id, contact_id, pupil_id, parent_id, email, status,
           invited_at, accepted_at) VALUES ($1, $2, $3, $4, $5, 'accepted', $6, $6) RETURNING id`,
        [schoolId, parent.contactId, pupil.id, parent.parentId, parent.email, clock.now()],
      ),
    );
    const url = `/api/parents/invitations/${inv!.id}/reset-second-factor`;
    const signedIn = await signInParent(t, parent);
    expect((await parentCall(t, signedIn, 'GET', '/api/parent/children')).statusCode).toBe(200);
    const list = await call(t.app, admin, 'GET', '/api/parents/invitations?yearGroup=Nursery');
    expect(
      list.json<InvitationList>().rows.find((r) => r.invitationId === inv!.id)?.allowed,
    ).toContain('reset_second_factor');

    // Refused: a teacher (no `parents`), an administrator without their second factor, no
    // reason, and an invitation not accepted yet. Nothing changes.
    const teacher = await signIn(t.app, await makeUser(t.services, schoolId, 'teacher'), {
      elevated: true,
    });
    expect((await call(t.app, teacher, 'POST', url, { reason: 'lost_phone' })).statusCode).toBe(
      403,
    );
    const firstTier = await signIn(t.app, adminUser);
    const notElevated = await call(t.app, firstTier, 'POST', url, { reason: 'lost_phone' });
    expect(notElevated.statusCode).toBe(403);
    expect(errorOf(notElevated).code).toBe('step_up_required');
    const blank = await call(t.app, admin, 'POST', url, {});
    expect(blank.statusCode).toBe(400);
    expect(errorOf(blank).message).toMatch(/"reason"/);
    // Typed words are refused: the reason is one of the list, as the audit trail holds no text.
    const typed = await call(t.app, admin, 'POST', url, { reason: 'Her ex-partner has the phone' });
    expect(typed.statusCode).toBe(400);
    const pending = await makeInvitation(t, schoolId, pupil.id);
    const notYet = await call(
      t.app,
      admin,
      'POST',
      `/api/parents/invitations/${pending}/reset-second-factor`,
      { reason: 'lost_phone' },
    );
    expect(notYet.statusCode).toBe(409);
    expect(errorOf(notYet).code).toBe('not_accepted');
    expect((await parentCall(t, signedIn, 'GET', '/api/parent/children')).statusCode).toBe(200);

    // The parent's recovery codes (made here as a regeneration would) go with the reset.
    const made = await parentCall(t, signedIn, 'POST', '/api/parent/account/recovery-codes', {
      code: await parentCode(t, parent),
    });
    expect(made.statusCode, made.body).toBe(200);
    const before = trap.messages.length;
    const done = await call(t.app, admin, 'POST', url, {
      reason: 'lost_phone',
    });
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json()).toEqual({ sessionsEnded: 1 });
    // The session is over; the app's secret is gone.
    expect((await parentCall(t, signedIn, 'GET', '/api/parent/children')).statusCode).toBe(401);
    const apps = await unsafeAsOwner(t.services.db, (q) =>
      q.query('SELECT 1 FROM parent_totp WHERE parent_id = $1', [parent.parentId]),
    );
    expect(apps).toEqual([]);
    const codes = await unsafeAsOwner(t.services.db, (q) =>
      q.query('SELECT 1 FROM parent_recovery_codes WHERE parent_id = $1', [parent.parentId]),
    );
    expect(codes).toEqual([]);
    // The password went too: whoever knows it (an ex-partner who phoned the office) cannot sign
    // in and set up a factor of their own; nor does a recovery code made before the reset help.
    const withPassword = await t.app.inject({
      method: 'POST',
      url: '/api/parent/auth/sign-in',
      payload: { email: parent.email, password: parent.password },
    });
    expect(withPassword.statusCode).toBe(401);
    expect(made.json<{ codes: string[] }>().codes.length).toBeGreaterThan(0);
    // The invitation is sent again: a new factor only through the emailed link and the child's
    // date of birth, as at first.
    const [again] = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ status: string; token_hash: Buffer | null }>(
        'SELECT status, token_hash FROM parent_invitations WHERE id = $1',
        [inv!.id],
      ),
    );
    expect(again).toMatchObject({ status: 'invited' });
    expect(again!.token_hash).not.toBeNull();
    // The emails say it happened, with no reason, child or detail, and carry the new link.
    await drainWork(t);
    await trap.to(parent.email, before);
    const mails = trap.messages
      .slice(before)
      .filter((m) => m.to.includes(parent.email))
      .map((m) => m.text)
      .join('\n----\n');
    expect(mails).toMatch(/reset the second step of signing in/);
    expect(mails).toMatch(/\/parent\/accept#token=/);
    expect(mails).not.toMatch(/lost_phone|Lost, broken|Quinn/);

    const rows = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ actor_id: string; target_id: string; details: Record<string, unknown> }>(
        `SELECT actor_id, target_id, details FROM audit_events
         WHERE school_id = $1 AND action = 'parent.second_factor_reset'`,
        [schoolId],
      ),
    );
    expect(rows).toEqual([
      {
        actor_id: adminUser.id,
        target_id: parent.parentId,
        details: {
          reason: 'lost_phone',
          sessionsEnded: 1,
          authenticatorApp: true,
          passkeys: 0,
        },
      },
    ]);
  });
});

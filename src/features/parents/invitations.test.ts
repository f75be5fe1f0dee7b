// Inviting parents and accepting (issue 21), over HTTP on both engines: staff invite the contacts
// with parental responsibility (or the primary contact) of a pupil or an intake; the email says
// only that there is something to look at; the link plus the child's date of birth, a password
// and a required authenticator app; reminders after 5 days then weekly, at most 4; a refused
// delivery marks the invitation bounced; a restricted contact is never invited and loses access
// when restricted later; bad links and dates are refused clearly, audited, and change nothing.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  makePupil,
  makeSchool,
  makeUser,
  signIn,
  testApp,
  testClock,
  type Session,
  type TestApp,
  type TestUser,
} from '../../test/harness.ts';
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';
import { totpCodeAt } from '../identity/totp.ts';
import { drainWork, startMailTrap, type MailTrap } from '../identity/identity-test-kit.ts';
import { runParentReminders } from '../../jobs/parent-reminders.ts';
import type { InvitationList, InviteResult } from '../../shared/schemas/parents.ts';
import {
  makeContact,
  makeParent,
  parentCall,
  parentSessionOf,
  signInParent,
} from './parent-test-kit.ts';

let t: TestApp;
let trap: MailTrap;
const clock = testClock();
let schoolId: string;
let staff: Session;
let admin: TestUser;
const DAY = 86_400_000;

beforeAll(async () => {
  trap = await startMailTrap();
  t = await testApp({ config: { logLevel: 'error', smtpUrl: trap.url }, clock });
  schoolId = await makeSchool(t.services);
  admin = await makeUser(t.services, schoolId, 'school_admin');
  staff = await signIn(t.app, admin, { elevated: true });
});
afterAll(async () => {
  await t.close();
  await trap.close();
});

async function pupilBornOn(dob: string, yearGroup = 'Nursery') {
  const p = await makePupil(t.services, schoolId, { yearGroup, firstName: 'Zebedee' });
  await unsafeAsOwner(t.services.db, (q) =>
    q.query('UPDATE pupils SET date_of_birth = $2 WHERE id = $1', [p.id, dob]),
  );
  return p;
}

const tokenIn = (text: string) => {
  const m = /\/parent\/accept#token=([A-Za-z0-9_-]{43})/.exec(text);
  if (!m) throw new Error(`no link in: ${text}`);
  return m[1]!;
};

async function audit(action: string) {
  return unsafeAsOwner(t.services.db, (q) =>
    q.query<{ actor_id: string | null; actor_label: string; target_id: string; details: object }>(
      `SELECT actor_id, actor_label, target_id, details FROM audit_events
       WHERE school_id = $1 AND action = $2 ORDER BY seq`,
      [schoolId, action],
    ),
  );
}

async function listFor(pupilId: string) {
  const res = await call(t.app, staff, 'GET', `/api/parents/invitations?pupilId=${pupilId}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<InvitationList>().rows;
}

describe('inviting parents', () => {
  it('invites those with parental responsibility, and a parent accepts with the emailed link', async () => {
    const pupil = await pupilBornOn('2022-03-14');
    const mum = await makeContact(t, schoolId, pupil.id, { firstName: 'Mo', priority: 1 });
    const dad = await makeContact(t, schoolId, pupil.id, { firstName: 'Di', priority: 2 });
    // A contact without parental responsibility is not eligible while others have it.
    await makeContact(t, schoolId, pupil.id, { parentalResponsibility: false, priority: 3 });
    let rows = await listFor(pupil.id);
    expect(rows.map((r) => r.contactId).sort()).toEqual([mum.contactId, dad.contactId].sort());
    expect(rows.every((r) => r.status === 'not_invited' && r.allowed.includes('invite'))).toBe(
      true,
    );

    const before = trap.messages.length;
    const sent = await call(t.app, staff, 'POST', '/api/parents/invitations', {
      pupilIds: [pupil.id],
    });
    expect(sent.statusCode, sent.body).toBe(200);
    expect(sent.json<InviteResult>()).toMatchObject({ invited: 2, refused: [] });
    await drainWork(t);
    const text = await trap.to(mum.email!, before);
    expect(text).not.toContain('Zebedee');
    expect(text).not.toContain(pupil.name);
    expect(text).not.toContain('Mo ');
    rows = await listFor(pupil.id);
    expect(rows.map((r) => r.status)).toEqual(['invited', 'invited']);

    const token = tokenIn(text);
    // A wrong date of birth: refused clearly, counted, audited, nothing changed.
    const wrong = await t.app.inject({
      method: 'POST',
      url: '/api/parent/invitation/check',
      payload: { token, dateOfBirth: '2022-03-15' },
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json<{ error: { message: string } }>().error.message).toMatch(
      /date of birth does not match/,
    );
    expect((await audit('parent.date_of_birth_refused')).at(-1)?.details).toEqual({ failures: 1 });
    expect((await listFor(pupil.id)).find((r) => r.contactId === mum.contactId)?.status).toBe(
      'invited',
    );

    const right = await t.app.inject({
      method: 'POST',
      url: '/api/parent/invitation/check',
      payload: { token, dateOfBirth: '2022-03-14' },
    });
    expect(right.statusCode, right.body).toBe(200);
    expect(right.json()).toMatchObject({ needsPassword: true });

    const weak = await t.app.inject({
      method: 'POST',
      url: '/api/parent/invitation/accept',
      payload: { token, dateOfBirth: '2022-03-14', password: 'short' },
    });
    expect(weak.statusCode).toBe(400);
    expect(weak.json<{ error: { message: string } }>().error.message).toMatch(/at least/);

    const accepted = await t.app.inject({
      method: 'POST',
      url: '/api/parent/invitation/accept',
      payload: { token, dateOfBirth: '2022-03-14', password: 'Lantern-parent-pass-42!' },
    });
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(accepted.json<{ stage: string }>().stage).toBe('enrol');
    const s = parentSessionOf(accepted);
    // Nothing but setting up the second factor until there is one.
    expect((await parentCall(t, s, 'GET', '/api/parent/children')).statusCode).toBe(403);
    const started = await parentCall(t, s, 'POST', '/api/parent/auth/totp/enrol');
    const secret = started.json<{ manualKey: string }>().manualKey.replace(/\s/g, '');
    const full = await parentCall(t, s, 'POST', '/api/parent/auth/code', {
      code: totpCodeAt(secret, clock.now()),
    });
    expect(full.statusCode, full.body).toBe(200);
    const kids = await parentCall(t, parentSessionOf(full, s), 'GET', '/api/parent/children');
    expect(kids.json<{ children: { id: string }[] }>().children.map((c) => c.id)).toEqual([
      pupil.id,
    ]);
    expect((await listFor(pupil.id)).find((r) => r.contactId === mum.contactId)?.status).toBe(
      'accepted',
    );
    const [acc] = await audit('parent.invitation_accepted');
    expect(acc).toMatchObject({ actor_id: null, actor_label: `Parent: ${mum.name}` });

    // The link, used once, works no more.
    const again = await t.app.inject({
      method: 'POST',
      url: '/api/parent/invitation/check',
      payload: { token, dateOfBirth: '2022-03-14' },
    });
    expect(again.statusCode).toBe(400);
    expect(again.json<{ error: { message: string } }>().error.message).toMatch(
      /already been accepted/,
    );
    expect((await audit('parent.invitation_link_refused')).at(-1)?.details).toEqual({
      reason: 'used',
    });
  });

  it('invites the primary contact when nobody has parental responsibility, and a whole intake', async () => {
    const pupil = await pupilBornOn('2021-01-02', 'Reception');
    const first = await makeContact(t, schoolId, pupil.id, {
      parentalResponsibility: false,
      priority: 1,
    });
    await makeContact(t, schoolId, pupil.id, { parentalResponsibility: false, priority: 2 });
    const rows = await listFor(pupil.id);
    expect(rows.map((r) => r.contactId)).toEqual([first.contactId]);
    const intake = await call(t.app, staff, 'POST', '/api/parents/invitations', {
      yearGroup: 'Reception',
    });
    expect(intake.statusCode, intake.body).toBe(200);
    expect(intake.json<InviteResult>().invited).toBeGreaterThanOrEqual(1);
    expect((await listFor(pupil.id))[0]?.status).toBe('invited');
  });

  it('never invites a restricted contact, and ends access when restricted later', async () => {
    const pupil = await pupilBornOn('2022-05-05');
    const barred = await makeContact(t, schoolId, pupil.id);
    await unsafeAsOwner(t.services.db, (q) =>
      q.query(
        `INSERT INTO contact_restrictions (school_id, pupil_id, contact_id, kind, court_order)
         VALUES ($1, $2, $3, 'no_contact', true)`,
        [schoolId, pupil.id, barred.contactId],
      ),
    );
    const [row] = await listFor(pupil.id);
    expect(row).toMatchObject({ restricted: true, allowed: [] });
    const res = await call(t.app, staff, 'POST', '/api/parents/invitations', {
      pupilIds: [pupil.id],
      contactId: barred.contactId,
    });
    expect(res.statusCode).toBe(409);
    expect(res.json<{ error: { message: string } }>().error.message).toMatch(
      /can never be invited/,
    );
    expect((await audit('parent.invitation_refused')).at(-1)).toMatchObject({
      target_id: barred.contactId,
      details: { pupil: pupil.id, reason: 'restricted' },
    });
    expect((await listFor(pupil.id))[0]?.status).toBe('not_invited');

    // Accepted first, restricted after: the child is gone at once, the account ended by the job.
    const other = await makePupil(t.services, schoolId);
    const parent = await makeParent(t, schoolId, [other.id]);
    const s = await signInParent(t, parent);
    expect((await parentCall(t, s, 'GET', `/api/parent/children/${other.id}`)).statusCode).toBe(
      200,
    );
    await unsafeAsOwner(t.services.db, (q) =>
      q.query(
        `INSERT INTO contact_restrictions (school_id, pupil_id, contact_id, kind, court_order)
         VALUES ($1, $2, $3, 'no_contact', true)`,
        [schoolId, other.id, parent.contactId],
      ),
    );
    const gone = await parentCall(t, s, 'GET', `/api/parent/children/${other.id}`);
    expect(gone.statusCode).toBe(404);
    await runParentReminders(t.services, clock.now(), [schoolId]);
    expect((await parentCall(t, s, 'GET', '/api/parent/session')).statusCode).toBe(401);
    expect((await audit('parent.access_revoked')).at(-1)).toMatchObject({
      target_id: parent.parentId,
      details: { reason: 'restricted' },
    });
  });

  it('reminds after 5 days, then weekly, at most 4 times, each with a new link', async () => {
    const pupil = await pupilBornOn('2022-07-07');
    const carer = await makeContact(t, schoolId, pupil.id);
    await call(t.app, staff, 'POST', '/api/parents/invitations', { pupilIds: [pupil.id] });
    await drainWork(t);
    const reminders = () =>
      trap.messages.filter((m) => m.to.includes(carer.email!) && /Reminder/.test(m.text));
    // The clock moves (the worker sends what the job queues at the clock's time).
    let day = 0;
    const to = async (d: number) => {
      clock.advance((d - day) * DAY);
      day = d;
      await runParentReminders(t.services, clock.now(), [schoolId]);
      await drainWork(t);
    };
    await to(4.9);
    expect(reminders()).toHaveLength(0);
    await to(5.1);
    expect(reminders()).toHaveLength(1);
    await to(11.9);
    expect(reminders()).toHaveLength(1);
    for (const d of [12.2, 19.3, 26.4, 33.5, 40.6]) await to(d);
    expect(reminders()).toHaveLength(4);
    staff = await signIn(t.app, admin, { elevated: true }); // the clock moved past the session
    const [row] = await listFor(pupil.id);
    expect(row).toMatchObject({ status: 'invited', remindersSent: 4 });
    expect(reminders().every((m) => !m.text.includes('Zebedee'))).toBe(true);
  });

  it('marks an invitation bounced when the mail server refuses it, and staff resend', async () => {
    const refusing = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onRcptTo(_address, _session, done) {
        const err = new Error('No such mailbox') as Error & { responseCode: number };
        err.responseCode = 550;
        done(err);
      },
    });
    await new Promise<void>((r) => refusing.listen(0, '127.0.0.1', r));
    const port = (refusing.server.address() as AddressInfo).port;
    const bouncing = await testApp({
      config: { logLevel: 'error', smtpUrl: `smtp://127.0.0.1:${port}` },
    });
    try {
      const school = await makeSchool(bouncing.services);
      const admin = await signIn(
        bouncing.app,
        await makeUser(bouncing.services, school, 'school_admin'),
        { elevated: true },
      );
      const pupil = await makePupil(bouncing.services, school);
      await makeContact(bouncing, school, pupil.id);
      const sent = await call(bouncing.app, admin, 'POST', '/api/parents/invitations', {
        pupilIds: [pupil.id],
      });
      expect(sent.statusCode, sent.body).toBe(200);
      await drainWork(bouncing);
      const list = await call(
        bouncing.app,
        admin,
        'GET',
        `/api/parents/invitations?pupilId=${pupil.id}`,
      );
      const [row] = list.json<InvitationList>().rows;
      expect(row).toMatchObject({ status: 'bounced', allowed: ['resend', 'revoke'] });
      const resent = await call(
        bouncing.app,
        admin,
        'POST',
        `/api/parents/invitations/${row!.invitationId}/resend`,
      );
      expect(resent.statusCode, resent.body).toBe(200);
      const revoked = await call(
        bouncing.app,
        admin,
        'POST',
        `/api/parents/invitations/${row!.invitationId}/revoke`,
      );
      expect(revoked.statusCode, revoked.body).toBe(200);
    } finally {
      await bouncing.close();
      await new Promise<void>((r) => refusing.close(r));
    }
  });

  it('refuses an expired link, and an unknown one, with nothing changed', async () => {
    const pupil = await pupilBornOn('2022-09-09');
    const carer = await makeContact(t, schoolId, pupil.id);
    const before = trap.messages.length;
    await call(t.app, staff, 'POST', '/api/parents/invitations', { pupilIds: [pupil.id] });
    await drainWork(t);
    const token = tokenIn(await trap.to(carer.email!, before));
    clock.advance(29 * DAY);
    const late = await t.app.inject({
      method: 'POST',
      url: '/api/parent/invitation/accept',
      payload: { token, dateOfBirth: '2022-09-09', password: 'Lantern-parent-pass-42!' },
    });
    expect(late.statusCode).toBe(400);
    expect(late.json<{ error: { message: string } }>().error.message).toMatch(/expired/);
    const unknown = await t.app.inject({
      method: 'POST',
      url: '/api/parent/invitation/check',
      payload: { token: 'A'.repeat(43), dateOfBirth: '2022-09-09' },
    });
    expect(unknown.statusCode).toBe(400);
    const [inv] = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ status: string; dob_failures: number }>(
        'SELECT status, dob_failures FROM parent_invitations WHERE contact_id = $1',
        [carer.contactId],
      ),
    );
    expect(inv).toEqual({ status: 'invited', dob_failures: 0 });
    const accounts = await unsafeAsOwner(t.services.db, (q) =>
      q.query('SELECT 1 FROM parent_accounts WHERE contact_id = $1', [carer.contactId]),
    );
    expect(accounts).toEqual([]);
    expect((await audit('parent.invitation_link_refused')).at(-1)?.details).toEqual({
      reason: 'expired',
    });
  });
});

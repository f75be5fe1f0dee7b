// Issue 21 in the browser, on a phone: a school administrator resets an accepted parent's second
// factor from "Invitations and accounts" — a reason is asked for (none given first: refused by the
// field), the parent's session ends, their password no longer signs them in, and the invitation
// emailed again (link, the child's date of birth, a new password) leads to setting up an
// authenticator app again. axe on every state.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { makePupil, makeSchool, makeUser, signIn } from '../src/test/harness.ts';
import { unsafeAsOwner } from '../src/platform/db/tenancy.ts';
import { startMailTrap, type MailTrap } from '../src/features/identity/identity-test-kit.ts';
import { makeParent, parentCall, signInParent } from '../src/features/parents/parent-test-kit.ts';
import {
  expectNoAxeViolations,
  expectNoProblems,
  launchBrowser,
  openTab,
  PHONE,
  signInThroughPage,
  startServer,
  type Server,
} from './support.ts';

let server: Server;
let browser: Browser;
let trap: MailTrap;

beforeAll(async () => {
  trap = await startMailTrap();
  server = await startServer({ config: { smtpUrl: trap.url } });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.t.close();
  await trap?.close();
});

describe("a parent's second factor", () => {
  it('is reset by staff with a reason; the parent must set up a new one', async () => {
    const s = server.t.services;
    const schoolId = await makeSchool(s, 'Willow Primary');
    const admin = await makeUser(s, schoolId, 'school_admin', 'Ada Admin');
    await signIn(server.t.app, admin, { elevated: true });
    const pupil = await makePupil(s, schoolId, { firstName: 'Fern', yearGroup: 'Nursery' });
    await unsafeAsOwner(s.db, (q) =>
      q.query(`UPDATE pupils SET date_of_birth = '2022-05-14' WHERE id = $1`, [pupil.id]),
    );
    const parent = await makeParent(server.t, schoolId, [pupil.id], { firstName: 'Pat' });
    await unsafeAsOwner(s.db, (q) =>
      q.query(
        `INSERT INTO parent_invitations (school_id, contact_id, pupil_id, parent_id, email, status,
           invited_at, accepted_at) VALUES ($1, $2, $3, $4, $5, 'accepted', now(), now())`,
        [schoolId, parent.contactId, pupil.id, parent.parentId, parent.email],
      ),
    );
    const parentSession = await signInParent(server.t, parent);

    const tab = await openTab(browser, server.baseUrl, PHONE);
    const p = tab.page;
    await signInThroughPage(p, server, admin);
    await p.getByRole('link', { name: 'Parents and forms' }).click();
    await p.getByRole('link', { name: 'Invitations and accounts' }).click();
    await p.getByLabel('Year group').selectOption('Nursery');
    await p.getByText('Accepted', { exact: true }).waitFor();
    await expectNoAxeViolations(p);
    await p.getByRole('button', { name: `Reset second factor: ${parent.name}` }).click();
    const form = p.getByRole('form', { name: `Reset second factor: ${parent.name}` });
    await form.getByRole('button', { name: 'Reset second factor' }).click();
    await form.getByText('Say why the second factor is being reset.').waitFor();
    await expectNoAxeViolations(p);
    await form
      .getByRole('group', { name: 'Why? (kept for staff, never sent to the parent)' })
      .getByLabel('Lost, broken or replaced phone')
      .check();
    await form.getByRole('button', { name: 'Reset second factor' }).click();
    await p
      .getByText(`${parent.name}’s second factor and password have been reset (1 session ended).`, {
        exact: false,
      })
      .waitFor();
    await expectNoAxeViolations(p);
    expectNoProblems(tab);

    // The parent's session is over, and the old password no longer signs anyone in.
    expect(
      (await parentCall(server.t, parentSession, 'GET', '/api/parent/children')).statusCode,
    ).toBe(401);
    const home = await openTab(browser, server.baseUrl, PHONE);
    const h = home.page;
    await h.goto('/parent');
    await h.getByLabel('Email address').fill(parent.email);
    await h.getByLabel('Password', { exact: true }).fill(parent.password);
    await h.getByRole('button', { name: 'Sign in' }).click();
    await h.getByRole('alert').first().waitFor();
    await expectNoAxeViolations(h);
    // The invitation, emailed again: the link, the child's date of birth and a new password lead
    // to setting up a new authenticator app.
    let token: string | undefined;
    for (let i = 0; i < 250 && !token; i++) {
      token = trap.messages
        .filter((m) => m.to.includes(parent.email))
        .map((m) => /\/parent\/accept#token=([A-Za-z0-9_-]{43})/.exec(m.text)?.[1])
        .find(Boolean);
      if (!token) await new Promise((r) => setTimeout(r, 20));
    }
    expect(token, 'the invitation emailed again').toBeDefined();
    await h.goto(`/parent/accept#token=${token}`);
    await h.getByLabel('Your child’s date of birth').fill('2022-05-14');
    await h.getByRole('button', { name: 'Continue' }).click();
    const password = 'Willow-lantern-brook-58!';
    await h.getByLabel('Choose a password').fill(password);
    await h.getByLabel('Type the password again').fill(password);
    await h.getByRole('button', { name: 'Accept the invitation' }).click();
    await h
      .getByRole('heading', { name: 'Set up your authenticator app' })
      .waitFor({ timeout: 30_000 });
    await h.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor();
    await expectNoAxeViolations(h);
  });
});

// Issue 21 in the browser, on a phone: a school administrator invites a nursery intake's parents
// from "Parents and forms"; the parent opens the link from the email the test SMTP server actually
// received, gives the child's date of birth (a wrong one first), chooses a password, sets up the
// required authenticator app, sees their child; signs out and in again (email, password, code).
// axe on every state.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { makePupil, makeSchool, makeUser, signIn, testClock } from '../src/test/harness.ts';
import { unsafeAsOwner } from '../src/platform/db/tenancy.ts';
import { totpCodeAt } from '../src/features/identity/totp.ts';
import { makeContact } from '../src/features/parents/parent-test-kit.ts';
import { startMailTrap, type MailTrap } from '../src/features/identity/identity-test-kit.ts';
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

let trap: MailTrap;
let server: Server;
let browser: Browser;
const clock = testClock();

beforeAll(async () => {
  trap = await startMailTrap();
  server = await startServer({ clock, config: { smtpUrl: trap.url } });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.t.close();
  await trap?.close();
});

describe('parents and carers', () => {
  it('staff invite; the parent accepts, sets up a second factor, signs out and in again', async () => {
    const s = server.t.services;
    const schoolId = await makeSchool(s, 'Meadow Primary');
    const admin = await makeUser(s, schoolId, 'school_admin', 'Ada Admin');
    // An authenticator app, as the administrator set up at their first sign-in.
    await signIn(server.t.app, admin, { elevated: true });
    const pupil = await makePupil(s, schoolId, {
      firstName: 'Poppy',
      lastName: 'Seedling',
      yearGroup: 'Nursery',
      form: 'N1',
    });
    await unsafeAsOwner(s.db, (q) =>
      q.query(`UPDATE pupils SET date_of_birth = '2022-04-30' WHERE id = $1`, [pupil.id]),
    );
    const carer = await makeContact(server.t, schoolId, pupil.id, {
      firstName: 'Rosa',
      lastName: 'Seedling',
    });

    // Staff: Parents and forms → Invitations and accounts → Nursery → invite.
    const staffTab = await openTab(browser, server.baseUrl, PHONE);
    const staff = staffTab.page;
    await signInThroughPage(staff, server, admin);
    await staff.getByRole('link', { name: 'Parents and forms' }).click();
    await staff.getByRole('heading', { level: 1, name: 'Parents and forms' }).waitFor();
    await expectNoAxeViolations(staff);
    await staff.getByRole('link', { name: 'Invitations and accounts' }).click();
    await staff.getByLabel('Year group').waitFor();
    await expectNoAxeViolations(staff);
    await staff.getByLabel('Year group').selectOption('Nursery');
    await staff.getByText('Not invited').waitFor();
    await expectNoAxeViolations(staff);
    await staff.getByRole('button', { name: 'Invite everyone not yet invited in Nursery' }).click();
    await staff.getByRole('status').filter({ hasText: '1 invited' }).waitFor();
    await staff.getByText('Invited · 0 reminders sent').waitFor();
    await expectNoAxeViolations(staff);
    expectNoProblems(staffTab);
    await staffTab.context.close();

    // The email the SMTP server received: a link, and nothing about the child.
    const text = await trap.to(carer.email!, 0);
    expect(text).not.toContain('Poppy');
    const token = /\/parent\/accept#token=([A-Za-z0-9_-]{43})/.exec(text)![1]!;

    // The parent, on their phone.
    const tab = await openTab(browser, server.baseUrl, PHONE);
    const page = tab.page;
    await page.goto(`/parent/accept#token=${token}`);
    await page.getByRole('heading', { level: 1, name: 'Accept your invitation' }).waitFor();
    await expectNoAxeViolations(page);
    await page.getByLabel('Your child’s date of birth').fill('2022-04-29');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: /does not match/ })
      .waitFor();
    await expectNoAxeViolations(page);
    await page.getByLabel('Your child’s date of birth').fill('2022-04-30');
    await page.getByRole('button', { name: 'Continue' }).click();
    const password = 'Meadow-lantern-gate-71!';
    await page.getByLabel('Choose a password').fill(password);
    await expectNoAxeViolations(page);
    await page.getByLabel('Type the password again').fill(password);
    await page.getByRole('button', { name: 'Accept the invitation' }).click();
    await page
      .getByRole('heading', { level: 1, name: 'Set up your authenticator app' })
      .waitFor({ timeout: 30_000 });
    const key = page.getByLabel('Key to type by hand');
    await key.waitFor();
    await expectNoAxeViolations(page);
    const secret = (await key.innerText()).replace(/\s/g, '');
    await page.getByLabel('Code from your app').fill(totpCodeAt(secret, clock.now()));
    await page.getByRole('button', { name: 'Confirm' }).click();
    // Ten recovery codes, shown once: going on needs "I have saved these codes".
    await page.getByRole('heading', { level: 1, name: 'Save your recovery codes' }).waitFor();
    const codes = await page
      .getByRole('list', { name: 'Recovery codes' })
      .locator('code')
      .allInnerTexts();
    expect(codes).toHaveLength(10);
    await expectNoAxeViolations(page);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('alert').getByText('Tick “I have saved these codes”').waitFor();
    await expectNoAxeViolations(page);
    await page.getByLabel('I have saved these codes').check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { level: 1, name: 'Hello, Rosa Seedling' }).waitFor();
    await page.getByText('Poppy Seedling').waitFor();
    await expectNoAxeViolations(page);

    // Signs out, and in again with email, password and a fresh code.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    await expectNoAxeViolations(page);
    clock.advance(60_000);
    await page.getByLabel('Email address').fill(carer.email!);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('Authentication code').waitFor({ timeout: 30_000 });
    await expectNoAxeViolations(page);
    await page.getByLabel('Authentication code').fill(totpCodeAt(secret, clock.now()));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { level: 1, name: 'Hello, Rosa Seedling' }).waitFor();
    await page.getByRole('link', { name: 'Your account' }).click();
    await page.getByRole('heading', { level: 1, name: 'Your account' }).waitFor();
    await page.getByText('(this device)').waitFor();
    await page.getByText('You have 10 unused recovery codes left.').waitFor();
    await expectNoAxeViolations(page);

    // Lost the phone: signs in with a recovery code (a wrong one first).
    await page.getByRole('button', { name: 'Sign out' }).first().click();
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    await page.getByLabel('Email address').fill(carer.email!);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Use a recovery code' }).click();
    await page.getByLabel('Recovery code').fill('aaaa-bbbb-cccc');
    await page.getByRole('button', { name: 'Sign in with this code' }).click();
    await page.getByText('That recovery code is not right, or it has been used already.').waitFor();
    await expectNoAxeViolations(page);
    await page.getByLabel('Recovery code').fill(codes[0]!);
    await page.getByRole('button', { name: 'Sign in with this code' }).click();
    // Signed out from the account page, so signed in again there.
    await page.getByRole('heading', { level: 1, name: 'Your account' }).waitFor();

    // The account page counts what is left and makes new codes with an authenticator code.
    await page.getByText('You have 9 unused recovery codes left.').waitFor();
    await page.getByRole('button', { name: 'Get new recovery codes' }).click();
    await page.getByRole('button', { name: 'Make new recovery codes' }).click();
    await page.getByText('Enter the 6 digits your authenticator app shows.').waitFor();
    await expectNoAxeViolations(page);
    clock.advance(60_000);
    await page.getByLabel('Code from your authenticator app').fill(totpCodeAt(secret, clock.now()));
    await page.getByRole('button', { name: 'Make new recovery codes' }).click();
    await page.getByText('New recovery codes are ready. The old ones no longer work.').waitFor();
    const fresh = await page
      .getByRole('list', { name: 'Recovery codes' })
      .locator('code')
      .allInnerTexts();
    expect(fresh).toHaveLength(10);
    expect(fresh).not.toContain(codes[1]);
    await expectNoAxeViolations(page);
    await page.getByLabel('I have saved these codes').check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByText('You have 10 unused recovery codes left.').waitFor();
    await expectNoAxeViolations(page);
    expectNoProblems(tab);
    await tab.context.close();
  }, 300_000);
});

// Issue 3 in the browser: a teacher with no second factor signs in; the school requires one of
// everyone who can read records, so the password leads to "Set up your second factor" and
// nothing else: an authenticator app (key typed by hand, first code), the ten recovery codes
// once, then Lantern. On the account page they replace their recovery codes and change their
// password (the school's policy refusal shown; every session ends); signing in again asks for a
// code; "Sign out everywhere" ends it all. Codes come from the otpauth library (an implementation
// independent of Lantern's own), computed from the key the page shows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { Secret, TOTP } from 'otpauth';
import { makeUser } from '../src/test/harness.ts';
import {
  buildSchool,
  expectNoAxeViolations,
  expectNoProblems,
  launchBrowser,
  openTab,
  PHONE,
  startServer,
  type Server,
} from './support.ts';

let server: Server;
let browser: Browser;

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.t.close();
});

/** What an authenticator app holding `key` shows at `at`. */
const codeAt = (key: string, at: number) =>
  new TOTP({ secret: Secret.fromBase32(key), digits: 6, period: 30, algorithm: 'SHA1' }).generate({
    timestamp: at,
  });

const recoveryCodes = async (page: Page) =>
  page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem').allInnerTexts();

describe('authenticator app', () => {
  it('is set up at sign-in when the school requires it, then asked for; codes replaced, password changed, sign out everywhere', async () => {
    const cast = await buildSchool(server, 'totp');
    const name = 'Nina Newstarter';
    const nina = { ...(await makeUser(server.t.services, cast.schoolId, 'teacher', name)), name };
    let password = nina.password;
    const tab = await openTab(browser, server.baseUrl, PHONE);
    const page = tab.page;
    // The banner's link: the user's name, then (for screen readers) ": account security".
    const accountLink = new RegExp(`^${name}\\s*: account security$`);
    const signInWithPassword = async () => {
      await page.goto('/');
      await page.getByLabel('Email address').fill(nina.email);
      await page.getByLabel('Password', { exact: true }).fill(password);
      await page.getByRole('button', { name: 'Sign in' }).click();
    };

    // The password alone leads only to setting up a second factor.
    await signInWithPassword();
    await page.getByRole('heading', { level: 1, name: 'Set up your second factor' }).waitFor();
    expect(await page.getByRole('link', { name: accountLink }).count()).toBe(0);
    await expectNoAxeViolations(page);
    const refused = await page.evaluate(async () => (await fetch('/api/alerts')).status);
    expect(refused).toBe(403);
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    await page.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor();
    const key = (await page.getByLabel('Key to type by hand').innerText()).replace(/\s/g, '');
    expect(key).toMatch(/^[A-Z2-7]{32}$/);
    // On the phone itself: a link the authenticator app opens, and the key copied whole.
    const open = page.getByRole('link', { name: 'Open in authenticator app' });
    expect(await open.getAttribute('href')).toMatch(
      new RegExp(`^otpauth://totp/.*[?&]secret=${key}(&|$)`),
    );
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.getByRole('button', { name: 'Copy the key' }).click();
    await page.getByRole('status').filter({ hasText: 'Key copied.' }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);
    await expectNoAxeViolations(page);
    await page.getByLabel('Authentication code').fill('000000');
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('alert').filter({ hasText: /code/i }).waitFor();
    const confirmedAt = Date.now();
    await page.getByLabel('Authentication code').fill(codeAt(key, confirmedAt));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { level: 1, name: 'Your second factor is set up' }).waitFor();
    const firstCodes = await recoveryCodes(page);
    expect(firstCodes).toHaveLength(10);
    await expectNoAxeViolations(page);
    await page.getByRole('button', { name: 'Continue to Lantern' }).click();
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    await page.getByText(/Records unlocked until/).waitFor();

    // Recovery codes: how many are left, and ten new ones shown once.
    await page.getByRole('link', { name: accountLink }).click();
    await page.getByRole('heading', { level: 1, name: 'Account security' }).waitFor();
    await page.getByText('You have 10 unused recovery codes left.').waitFor();
    await page.getByRole('button', { name: 'Get new recovery codes' }).click();
    await page.getByRole('button', { name: 'Replace my recovery codes' }).click();
    await page.getByRole('status').filter({ hasText: 'New recovery codes are ready.' }).waitFor();
    const newCodes = await recoveryCodes(page);
    expect(newCodes).toHaveLength(10);
    expect(newCodes.filter((c) => firstCodes.includes(c))).toEqual([]);
    await expectNoAxeViolations(page);

    // Changing the password: the current one checked, the school's policy refusal shown.
    const current = page.getByLabel('Current password');
    const next = page.getByLabel('New password', { exact: true });
    const again = page.getByLabel('New password again');
    await current.fill('not-my-password-at-all');
    await next.fill('Lantern-ferry-orchard-42!');
    await again.fill('Lantern-ferry-orchard-42!');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: 'Your current password is not right.' })
      .waitFor();
    await current.fill(password);
    await next.fill('short1!');
    await again.fill('short1!');
    await page.getByText(/^Strength: /).waitFor();
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('alert').filter({ hasText: 'Use at least 12 characters.' }).waitFor();
    await expectNoAxeViolations(page);
    password = 'Lantern-ferry-orchard-42!';
    await next.fill(password);
    await again.fill(password);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    await page.getByRole('status').filter({ hasText: 'Your password is changed' }).waitFor();

    // Signing in again (new password) asks for a code.
    await signInWithPassword();
    await page.getByLabel('Authentication code').waitFor();
    await expectNoAxeViolations(page);
    const step = Math.floor(confirmedAt / 30_000);
    // The code used to confirm is spent: use the next step's, as an app would a moment later.
    await page.getByLabel('Authentication code').fill(codeAt(key, (step + 1) * 30_000));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();

    // Sign out everywhere: this session ends too, back to the sign-in page.
    await page.getByRole('link', { name: accountLink }).click();
    await page.getByRole('list', { name: 'Active sessions' }).getByText('(this one)').waitFor();
    await page.getByRole('button', { name: 'Sign out everywhere' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    expectNoProblems(tab);
    await tab.context.close();
  });
});

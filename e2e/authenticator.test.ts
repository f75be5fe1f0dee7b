// Issue 3 in the browser: a teacher sets up an authenticator app from the account page (key typed
// by hand, first code, ten recovery codes shown once), signs in again with a code, and ends all
// their sessions with "Sign out everywhere". Codes are computed from the key the page shows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { totpCodeAt } from '../src/auth/totp.ts';
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

describe('authenticator app', () => {
  it('is set up from the account page, then asked for at sign-in; sign out everywhere ends it all', async () => {
    const cast = await buildSchool(server, 'totp');
    const tab = await openTab(browser, server.baseUrl, PHONE);
    const page = tab.page;
    // The banner's link: the user's name, then (for screen readers) ": account security".
    const accountLink = new RegExp(`^${cast.teacher.name}\\s*: account security$`);
    const signInWithPassword = async () => {
      await page.goto('/');
      await page.getByLabel('Email address').fill(cast.teacher.email);
      await page.getByLabel('Password', { exact: true }).fill(cast.teacher.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
    };
    await signInWithPassword();
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();

    await page.getByRole('link', { name: accountLink }).click();
    await page.getByRole('heading', { level: 1, name: 'Account security' }).waitFor();
    await expectNoAxeViolations(page);
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    await page.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor();
    const key = (await page.getByLabel('Key to type by hand').innerText()).replace(/\s/g, '');
    expect(key).toMatch(/^[A-Z2-7]{32}$/);
    await expectNoAxeViolations(page);
    await page.getByLabel('Authentication code').fill('000000');
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('alert').filter({ hasText: /code/i }).waitFor();
    const confirmedAt = Date.now();
    await page.getByLabel('Authentication code').fill(totpCodeAt(key, new Date(confirmedAt)));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: 'Your authenticator app is set up.' })
      .waitFor();
    expect(
      await page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem').count(),
    ).toBe(10);
    await expectNoAxeViolations(page);
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();

    // Signing in again asks for a code (a teacher can read their classes' records).
    await signInWithPassword();
    await page.getByLabel('Authentication code').waitFor();
    await expectNoAxeViolations(page);
    const step = Math.floor(confirmedAt / 30_000);
    // The code used to confirm is spent: use the next step's, as an app would a moment later.
    await page
      .getByLabel('Authentication code')
      .fill(totpCodeAt(key, new Date((step + 1) * 30_000)));
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

// Issue 3 in the browser: security keys. A DSL (authenticator app already set up) adds a security
// key on the account page, signs out, signs in again with the key instead of a code, steps up
// with the key again on the dashboard once the elevation has lapsed, and removes the key.
// Chromium's virtual authenticator (DevTools protocol) plays the key. WebAuthn needs a secure
// context and an RP ID that is a host name (never an IP address), so this server's public origin
// is http://localhost:<port> and the browser goes there.
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { makeUser, testApp, testClock } from '../src/test/harness.ts';
import {
  buildSchool,
  DESKTOP,
  expectNoAxeViolations,
  expectNoProblems,
  launchBrowser,
  openTab,
  signInThroughPage,
  type Server,
} from './support.ts';

const clock = testClock();
let server: Server;
let browser: Browser;

/** A port nobody is listening on now, so the origin can be known before the server starts. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  const port = await freePort();
  const origin = `http://localhost:${port}`;
  const t = await testApp({ clock, config: { publicOrigin: origin } });
  await t.app.listen({ port, host: '127.0.0.1' });
  server = { t, baseUrl: origin };
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.t.close();
});

describe('security keys', () => {
  it('are added on the account page, used to sign in and to step up, and removed', async () => {
    const cast = await buildSchool(server, 'key');
    const tab = await openTab(browser, server.baseUrl, DESKTOP);
    const page = tab.page;
    const cdp = await tab.context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'usb',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
      },
    });
    const accountLink = new RegExp(`^${cast.dsl.name}\\s*: account security$`);
    const unlocked = page.getByText(/Records unlocked until/);

    // Signed in with the authenticator app's code: elevated, so a second factor may be added.
    await signInThroughPage(page, server, cast.dsl);
    await page.getByRole('link', { name: accountLink }).click();
    await page.getByRole('heading', { level: 1, name: 'Account security' }).waitFor();
    await page.getByText('No security keys are registered for your account.').waitFor();
    await expectNoAxeViolations(page);
    await page.getByLabel('Name for a new key').fill('Blue key on my lanyard');
    await page.getByRole('button', { name: 'Add a security key' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: 'Security key “Blue key on my lanyard” added.' })
      .waitFor();
    const keys = page.getByRole('list', { name: 'Security keys' });
    await expect.poll(() => keys.getByRole('listitem').count()).toBe(1);
    expect(await keys.innerText()).toContain('not used yet');
    await expectNoAxeViolations(page);
    const held = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    expect(held.credentials).toHaveLength(1);
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();

    // Signing in again: the key instead of a code.
    await page.goto('/');
    await page.getByLabel('Email address').fill(cast.dsl.email);
    await page.getByLabel('Password', { exact: true }).fill(cast.dsl.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('or use your security key, to finish signing in').waitFor();
    await expectNoAxeViolations(page);
    await page.getByRole('button', { name: 'Use a security key' }).click();
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    await unlocked.waitFor();

    // The elevation lapses (15 minutes on the server's clock); the dashboard asks again and the
    // key answers.
    clock.advance(16 * 60_000);
    await page.reload();
    const stepUp = page.getByRole('region', { name: 'Confirm it is you' });
    await stepUp.waitFor();
    expect(await unlocked.isVisible()).toBe(false);
    await stepUp.getByRole('button', { name: 'Use a security key' }).click();
    await unlocked.waitFor();

    // Removing the key: it was used, and the authenticator app remains, so the school allows it.
    await page.getByRole('link', { name: accountLink }).click();
    await page.getByRole('heading', { level: 1, name: 'Account security' }).waitFor();
    expect(await keys.innerText()).toContain('last used');
    await page.getByRole('button', { name: 'Remove security key Blue key on my lanyard' }).click();
    await page.getByRole('button', { name: 'Remove this key' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: 'Security key “Blue key on my lanyard” removed.' })
      .waitFor();
    await page.getByText('No security keys are registered for your account.').waitFor();
    await expectNoAxeViolations(page);
    expectNoProblems(tab);
    await tab.context.close();
  });

  it('can be the only factor, set up at sign-in; it confirms adding an app in place; the school keeps a reader from removing their last one', async () => {
    clock.set(new Date());
    const cast = await buildSchool(server, 'onlykey');
    // A new class teacher with no second factor (the cast's teachers are enrolled already).
    const name = 'Kim Keyholder';
    const kim = { ...(await makeUser(server.t.services, cast.schoolId, 'teacher', name)), name };
    const tab = await openTab(browser, server.baseUrl, DESKTOP);
    const page = tab.page;
    const cdp = await tab.context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'usb',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
      },
    });
    const accountLink = new RegExp(`^${name}\\s*: account security$`);
    const signInWithPassword = async () => {
      await page.goto('/');
      await page.getByLabel('Email address').fill(kim.email);
      await page.getByLabel('Password', { exact: true }).fill(kim.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
    };

    // The school requires a second factor of a reader: the password leads to setting one up,
    // here a security key, which brings recovery codes and then Lantern.
    await signInWithPassword();
    await page.getByRole('heading', { level: 1, name: 'Set up your second factor' }).waitFor();
    await expectNoAxeViolations(page);
    await page.getByLabel('Name for the key').fill('Green key');
    await page.getByRole('button', { name: 'Use a security key' }).click();
    await page.getByRole('heading', { level: 1, name: 'Your second factor is set up' }).waitFor();
    expect(
      await page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem').count(),
    ).toBe(10);
    await expectNoAxeViolations(page);
    await page.getByRole('button', { name: 'Continue to Lantern' }).click();
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    await page.getByText(/Records unlocked until/).waitFor();
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();

    // Signing in: only the key (or a recovery code) is offered, no code field.
    await signInWithPassword();
    await page.getByText('Use your security key to finish signing in.').waitFor();
    expect(await page.getByLabel('Authentication code').count()).toBe(0);
    await expect
      .poll(() => page.getByRole('button', { name: 'Use a recovery code instead' }).isVisible())
      .toBe(true);
    await page.getByRole('button', { name: 'Use a security key' }).click();
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();

    // Once the elevation lapses, setting up an authenticator app asks for the key in place, and
    // then carries on to the app's QR code.
    clock.advance(16 * 60_000);
    await page.getByRole('link', { name: accountLink }).click();
    await page.getByRole('heading', { level: 1, name: 'Account security' }).waitFor();
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    const confirm = page.getByRole('group', { name: 'Confirm it is you' });
    await confirm.getByText('Use your security key to add an authenticator app.').waitFor();
    await expectNoAxeViolations(page);
    await confirm.getByRole('button', { name: 'Use a security key' }).click();
    await page.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor();

    // Later again, removing the key asks for it in place; then the school refuses to leave a
    // reader of records with no factor, and the key stays.
    clock.advance(16 * 60_000);
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Account security' }).waitFor();
    await page.getByRole('button', { name: 'Remove security key Green key' }).click();
    await page.getByRole('button', { name: 'Remove this key' }).click();
    await page.getByRole('alert').filter({ hasText: 'Confirm it is you' }).waitFor();
    await expectNoAxeViolations(page);
    await page.getByRole('button', { name: 'Use a security key' }).click();
    await page.getByRole('status').filter({ hasText: 'Confirmed.' }).waitFor();
    await page.getByRole('button', { name: 'Remove this key' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: 'Your school requires a second factor for your account.' })
      .waitFor();
    expect(
      await page.getByRole('list', { name: 'Security keys' }).getByRole('listitem').count(),
    ).toBe(1);
    // That 409 was the point; Chromium logs it like any refused fetch. Nothing else may appear.
    const refused = tab.problems.findIndex((x) => /status of 409 \(Conflict\)/.test(x));
    expect(refused).toBeGreaterThanOrEqual(0);
    tab.problems.splice(refused, 1);
    expectNoProblems(tab);
    await tab.context.close();
  });
});

// The session on screen (issue 3): a warning before the idle timeout — as many minutes before as
// the school set — with a button that keeps the session; and, left alone, the session ends and
// the sign-in page returns. The browser's clock and the server's clock are both moved forward, as
// time passing would. And a password the school's policy has let expire leads to setting a new one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { call, makeUser, signIn, testClock } from '../src/test/harness.ts';
import { unsafeAsOwner } from '../src/platform/db/tenancy.ts';
import {
  buildSchool,
  expectNoAxeViolations,
  expectNoProblems,
  launchBrowser,
  openTab,
  PHONE,
  signInThroughPage,
  startServer,
  type Server,
} from './support.ts';

const clock = testClock();

/**
 * A member who reads no records (the school office): the school asks no second factor of them, so
 * their session is never elevated, and no elevation lapsing (which checks the session, itself
 * activity) restarts the idle clock these tests watch.
 */
async function officeMember(schoolId: string) {
  return makeUser(server.t.services, schoolId, 'school_admin', 'Olive Office');
}
let server: Server;
let browser: Browser;

beforeAll(async () => {
  server = await startServer({ clock });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.t.close();
});

describe('idle timeout on screen', () => {
  it('warns before the idle timeout, keeps the session on request, and ends it when left', async () => {
    const cast = await buildSchool(server, 'idle');
    const tab = await openTab(browser, server.baseUrl, PHONE);
    const page = tab.page;
    await page.clock.install();
    await signInThroughPage(page, server, await officeMember(cast.schoolId));
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    const warning = page.getByRole('alert').filter({ hasText: /You will be signed out in/ });
    expect(await warning.count()).toBe(0);

    // 18½ of the school's 20 idle minutes pass: the warning appears.
    clock.advance(18.5 * 60_000);
    await page.clock.fastForward(18.5 * 60_000);
    await warning.waitFor();
    await expectNoAxeViolations(page);
    await page.getByRole('button', { name: 'Stay signed in' }).click();
    await expect.poll(() => warning.count()).toBe(0);

    // Left alone for the whole idle time, the session ends and the sign-in page returns.
    clock.advance(21 * 60_000);
    await page.clock.fastForward(21 * 60_000);
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    expectNoProblems(tab);
    await tab.context.close();
  });

  it('warns as many minutes ahead as the school set', async () => {
    clock.set(new Date()); // the server's clock back in step with the browser's
    const cast = await buildSchool(server, 'warn');
    // The school's DSL sets a five-minute warning (its idle timeout stays at twenty).
    const dsl = await signIn(server.t.app, cast.dsl, { elevated: true });
    const set = await call(server.t.app, dsl, 'PATCH', '/api/admin/policies', {
      idleWarningMinutes: 5,
    });
    expect(set.statusCode, set.body).toBe(200);
    const tab = await openTab(browser, server.baseUrl, PHONE);
    const page = tab.page;
    await page.clock.install();
    await signInThroughPage(page, server, await officeMember(cast.schoolId));
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    const warning = page.getByRole('alert').filter({ hasText: /You will be signed out in/ });

    // 14 minutes: six left, no warning yet.
    clock.advance(14 * 60_000);
    await page.clock.fastForward(14 * 60_000);
    await page.clock.runFor(2_000);
    expect(await warning.count()).toBe(0);
    // 15½ minutes: four and a half left — inside the school's five, long before a fixed two.
    clock.advance(1.5 * 60_000);
    await page.clock.fastForward(1.5 * 60_000);
    await warning.waitFor();
    const seconds = Number(/in (\d+) seconds/.exec(await warning.innerText())?.[1]);
    expect(seconds).toBeGreaterThan(120);
    expect(seconds).toBeLessThanOrEqual(300);
    await expectNoAxeViolations(page);
    await page.getByRole('button', { name: 'Stay signed in' }).click();
    await expect.poll(() => warning.count()).toBe(0);
    expectNoProblems(tab);
    await tab.context.close();
  });
});

describe('an expired password', () => {
  it('is refused at sign-in with the way to set a new one', async () => {
    const cast = await buildSchool(server, 'expired');
    const user = await makeUser(server.t.services, cast.schoolId, 'teacher', 'Ed Expired');
    // Last set 61 days ago; the school's policy (the default) lets a password last 60.
    await unsafeAsOwner(server.t.services.db, (q) =>
      q.query('UPDATE users SET password_changed_at = $2 WHERE id = $1', [
        user.id,
        new Date(clock.now().getTime() - 61 * 86_400_000),
      ]),
    );
    const tab = await openTab(browser, server.baseUrl, PHONE);
    const page = tab.page;
    await page.goto('/');
    await page.getByLabel('Email address').fill(user.email);
    await page.getByLabel('Password', { exact: true }).fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const refusal = page.getByRole('alert').filter({ hasText: 'Your password has expired.' });
    await refusal.waitFor();
    await expectNoAxeViolations(page);
    await refusal.getByRole('link', { name: 'Set a new password' }).click();
    await page.getByRole('heading', { level: 1, name: 'Forgotten password' }).waitFor();
    await page.getByLabel('Email address').fill(user.email);
    await page.getByRole('button', { name: 'Email me a link' }).click();
    await page.getByRole('status').filter({ hasText: 'a link to set a new password' }).waitFor();
    await expectNoAxeViolations(page);
    expectNoProblems(tab);
    await tab.context.close();
  });
});

// The session on screen (issue 3): a warning a couple of minutes before the idle timeout with a
// button that keeps the session; and, left alone, the session ends and the sign-in page returns.
// The browser's clock and the server's clock are both moved forward, as time passing would.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { testClock } from '../src/test/harness.ts';
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
    await signInThroughPage(page, server, cast.teacher);
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
});

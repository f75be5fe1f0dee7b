// Browser-test support: the real server (in-process, embedded database, the built web app from
// dist/web), a school built with the test factories, Debian's Chromium driven by playwright-core
// (never a downloaded browser), an axe check, and a watch on the console for errors and
// Content-Security-Policy violations.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import type { Clock } from '../src/platform/services.ts';
import type { Config } from '../src/config.ts';
import { unsafeAsOwner } from '../src/platform/db/tenancy.ts';
import {
  currentCode,
  makePupil,
  makeSchool,
  makeUser,
  signIn,
  testApp,
  type TestApp,
  type TestUser,
} from '../src/test/harness.ts';

const WEB_INDEX = path.resolve(import.meta.dirname, '../dist/web/index.html');

export type Server = { t: TestApp; baseUrl: string };

export async function startServer(
  opts: { clock?: Clock; config?: Partial<Config>; logTo?: (line: string) => void } = {},
): Promise<Server> {
  if (!existsSync(WEB_INDEX)) {
    throw new Error('dist/web is missing: run `npm run build` before the browser tests.');
  }
  const t = await testApp({
    exportRunner: true,
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.config ? { config: opts.config } : {}),
    ...(opts.logTo ? { logTo: opts.logTo } : {}),
  });
  const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
  return { t, baseUrl: address };
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export const PHONE = { width: 375, height: 740 } as const;
export const DESKTOP = { width: 1280, height: 800 } as const;
export type Viewport = { width: number; height: number };

export type Tab = { context: BrowserContext; page: Page; problems: string[] };

/**
 * A fresh browser profile (no cookies) at the given size. Every console error, uncaught page
 * error and CSP violation is collected in `problems`; expectNoProblems() fails on any.
 */
export async function openTab(browser: Browser, baseUrl: string, viewport: Viewport): Promise<Tab> {
  const context = await browser.newContext({ baseURL: baseUrl, viewport, locale: 'en-GB' });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !isExpectedHttpError(msg.text()))
      problems.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  return { context, page, problems };
}

/**
 * Chromium logs every non-2xx fetch as a console error ("Failed to load resource"). The tests
 * make some on purpose (a wrong code, 401 while signed out, 403/404 probes), so those alone are not problems;
 * CSP violations and script errors always are.
 */
function isExpectedHttpError(text: string): boolean {
  return /Failed to load resource: the server responded with a status of (400|401|403|404)/.test(
    text,
  );
}

/**
 * `cutOffByTest`: the test itself took the tab off the network (`context.setOffline`), so a fetch
 * Chromium reports as net::ERR_INTERNET_DISCONNECTED is the test's doing, not a fault of the app
 * (the app's own handling of being offline is what such a test asserts on the page). Every other
 * console error, script error and CSP violation still fails.
 */
export function expectNoProblems(tab: Tab, options: { cutOffByTest?: boolean } = {}): void {
  const problems = options.cutOffByTest
    ? tab.problems.filter(
        (p) => p !== 'console: Failed to load resource: net::ERR_INTERNET_DISCONNECTED',
      )
    : tab.problems;
  expect(problems, 'console errors or CSP violations').toEqual([]);
}

/**
 * Fails with a readable list of every WCAG 2.x A/AA violation axe finds on the page now (or only
 * inside `within`, a CSS selector: used for an open listbox, while React Aria has hidden the rest
 * of the page from assistive technology as the combobox pattern does).
 */
export async function expectNoAxeViolations(page: Page, within?: string): Promise<void> {
  let builder = new AxeBuilder({ page }).withTags([
    'wcag2a',
    'wcag2aa',
    'wcag21a',
    'wcag21aa',
    'wcag22aa',
  ]);
  if (within) builder = builder.include(within);
  const results = await builder.analyze();
  const found = results.violations.map(
    (v) => `${v.id} (${v.impact ?? 'n/a'}): ${v.help} — ${v.nodes.map((n) => n.html).join(', ')}`,
  );
  expect(found, `axe violations on ${page.url()}`).toEqual([]);
}

export type Cast = {
  schoolId: string;
  schoolName: string;
  teacher: TestUser & { name: string };
  dsl: TestUser & { name: string };
  otherTeacher: TestUser & { name: string };
  pupil: { id: string; name: string; firstName: string; lastName: string };
  /** Other pupils, so the picker has to choose. */
  others: { id: string; name: string }[];
};

/** A school with a teacher, a DSL, another teacher and some pupils, built through the factories. */
export async function buildSchool(server: Server, tag: string): Promise<Cast> {
  const s = server.t.services;
  const schoolName = `Riverside Academy ${tag}`;
  const schoolId = await makeSchool(s, schoolName);
  const person = async (role: 'teacher' | 'dsl', name: string) => ({
    ...(await makeUser(s, schoolId, role, name)),
    name,
  });
  const teacher = await person('teacher', 'Tess Teacher');
  const dsl = await person('dsl', 'Dee Lead');
  const otherTeacher = await person('teacher', 'Oliver Other');
  const lastName = `O'Brien${tag}`;
  const pupil = await makePupil(s, schoolId, {
    firstName: 'Ava',
    lastName,
    yearGroup: 'Year 7',
    form: '7A',
  });
  const others = [
    await makePupil(s, schoolId, { firstName: 'Avery', lastName: `Stone${tag}`, form: '7B' }),
    await makePupil(s, schoolId, { firstName: 'Ben', lastName: `O'Neill${tag}`, form: '8C' }),
  ];
  // The school requires a second factor at sign-in of everyone who can read records (issue 3),
  // class teachers included: enrol an authenticator for each through the API, as they would have
  // done at their first sign-in, when the server offers one.
  if (server.t.routes.some((r) => r.url === '/api/auth/totp/enrol')) {
    for (const member of [teacher, dsl, otherTeacher]) {
      await signIn(server.t.app, member, { elevated: true });
    }
  }
  return {
    schoolId,
    schoolName,
    teacher,
    dsl,
    otherTeacher,
    pupil: { ...pupil, firstName: 'Ava', lastName },
    others,
  };
}

/** The member of staff teaches this form (their registration group), as the MIS records it. */
export async function teachForm(server: Server, user: TestUser, form: string): Promise<void> {
  await unsafeAsOwner(server.t.services.db, (q) =>
    q.query(
      `INSERT INTO staff_teaching_groups (school_id, user_id, group_ref, source)
       VALUES ($1, $2, $3, 'mis')`,
      [user.schoolId, user.id, `form:${form}`],
    ),
  );
}

/** Signs in through the page as a person would, giving the authenticator code when asked. */
export async function signInThroughPage(page: Page, server: Server, user: TestUser): Promise<void> {
  await page.goto('/');
  await page.getByLabel('Email address').fill(user.email);
  await page.getByLabel('Password', { exact: true }).fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const code = page.getByLabel('Authentication code');
  const signedIn = page.getByRole('button', { name: 'Sign out', exact: true });
  // Signed in with the password alone, the dashboard itself offers the code field: its page comes
  // as its own script (pages.ts), after the layout's "Sign out", so wait for the page, not the layout.
  const dashboard = page.getByRole('heading', { level: 1, name: 'Dashboard' });
  // Sign-in hashes with Argon2: on a busy machine the answer can take longer than poll's 1 s.
  await expect
    .poll(
      async () =>
        (await code.isVisible()) || ((await signedIn.isVisible()) && (await dashboard.isVisible())),
      { timeout: 30_000 },
    )
    .toBe(true);
  if (await code.isVisible()) {
    await expectNoAxeViolations(page);
    await code.fill(await currentCode(server.t.app, user));
    await page.getByRole('button', { name: 'Verify' }).click();
  }
  await signedIn.waitFor();
}

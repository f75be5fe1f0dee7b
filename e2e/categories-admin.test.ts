// Issue 4's categories in the browser: a school administrator (after their second factor) adds a
// category — a colour too light for white text is refused on the page, as the server would —
// with guidance and the DSL team and a colleague alerted by default, adds a sub-category under it,
// and makes the category restricted (the sub-category follows). A teacher logging a concern sees
// each one's guidance when choosing it. axe checks the list and the form at 1280 px and 375 px.
// Then the same administrator sets the DSL-alert escalation time and the attachment limit on the
// policies page, where a limit above the server's own is refused beside its field.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { currentCode, makeUser, signIn, type TestUser } from '../src/test/harness.ts';
import { unsafeAsOwner } from '../src/platform/db/tenancy.ts';
import {
  buildSchool,
  type Cast,
  DESKTOP,
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

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.t.close();
});

const PARENT_GUIDANCE =
  'Note the school the pupil joins from and anything their last school told us.';
const SUB_GUIDANCE = 'Ask the previous school for the safeguarding file within five school days.';

/** Opens the categories page, giving the second factor when the administration asks for it. */
async function openCategories(page: Page, admin: TestUser) {
  await page.goto('/admin/categories');
  await page.getByRole('heading', { level: 1, name: 'Categories' }).waitFor();
  const prompt = page.getByRole('heading', { name: 'Confirm it is you' });
  const list = page.getByRole('heading', { level: 2, name: /^Categories \(\d+\)$/ });
  await expect
    .poll(async () => (await prompt.isVisible()) || (await list.isVisible()), { timeout: 30_000 })
    .toBe(true);
  if (await prompt.isVisible()) {
    await page.getByLabel('Authentication code').fill(await currentCode(server.t.app, admin));
    await page.getByRole('button', { name: 'Verify' }).click();
  }
  await list.waitFor();
}

/** A top-level category's card, found by its heading. */
const item = (page: Page, name: string) =>
  page
    .getByRole('listitem')
    .filter({ has: page.getByRole('heading', { level: 3, name: new RegExp(`^${name}`) }) });

// One school for the file; the three steps run in order, each on the previous one's categories.
let cast: Cast;
let admin: TestUser;
// Generous: each step signs in (Argon2) and runs axe several times on a shared two-core machine.
const STEP_TIMEOUT = 180_000;

describe('categories administration', () => {
  it(
    'adds a category with guidance, a sub-category and default alerts, and restricts it',
    async () => {
      cast = await buildSchool(server, 'cat');
      const app = server.t.app;
      const s = server.t.services;
      admin = await makeUser(s, cast.schoolId, 'school_admin', 'Ada Admin');
      await signIn(app, admin, { elevated: true }); // enrols their authenticator

      const tab = await openTab(browser, server.baseUrl, DESKTOP);
      const page = tab.page;
      await signInThroughPage(page, server, admin);
      await page.getByRole('link', { name: 'Categories', exact: true }).click();
      await openCategories(page, admin);
      // The restricted mark is text in the heading, not colour alone.
      await page.getByRole('heading', { level: 3, name: 'Child protection Restricted' }).waitFor();
      await expectNoAxeViolations(page);

      // A new category: a pale colour is refused beside the field before anything is sent.
      await page.getByRole('link', { name: 'New category' }).click();
      await page.getByRole('heading', { level: 1, name: 'New category' }).waitFor();
      await expectNoAxeViolations(page);
      await page.getByLabel('Name').fill('Transition worries');
      await page.getByLabel('Colour').fill('#ffeb3b');
      await page.getByText('The colour #ffeb3b is too light').first().waitFor();
      expect(await page.getByLabel('Colour').getAttribute('aria-invalid')).toBe('true');
      await expectNoAxeViolations(page);
      await page.getByLabel('Colour').fill('#1d4f91');
      expect(await page.getByText('is too light').count()).toBe(0);
      await page.getByLabel('Guidance').fill(PARENT_GUIDANCE);
      await page.getByLabel('DSL team', { exact: true }).check();
      await page.getByLabel('Staff alerted by default').selectOption({ label: cast.dsl.name });
      await page.getByRole('list', { name: 'Staff chosen' }).getByText(cast.dsl.name).waitFor();
      await page.getByRole('button', { name: 'Add category' }).click();
      await page.getByRole('status').filter({ hasText: 'Transition worries was added.' }).waitFor();
      const added = item(page, 'Transition worries');
      await added.getByText(`DSL team, ${cast.dsl.name}`).waitFor();
      await page
        .getByRole('heading', { level: 3, name: 'Transition worries', exact: true })
        .waitFor();

      // A sub-category under it, its parent already chosen.
      await page.getByRole('link', { name: 'Add a sub-category to Transition worries' }).click();
      await page.getByRole('heading', { level: 1, name: 'New sub-category' }).waitFor();
      const parentSelect = page.getByLabel('Parent category');
      expect(await parentSelect.locator('option:checked').textContent()).toBe('Transition worries');
      await page.getByLabel('Name').fill('Moving school');
      await page.getByLabel('Guidance').fill(SUB_GUIDANCE);
      await page.getByRole('button', { name: 'Add category' }).click();
      await page.getByRole('status').filter({ hasText: 'Moving school was added.' }).waitFor();
      const subs = page.getByRole('list', { name: 'Sub-categories of Transition worries' });
      await subs.getByRole('heading', { level: 4, name: 'Moving school', exact: true }).waitFor();

      // Restricted: the sub-category follows its parent.
      await page.getByRole('link', { name: 'Edit Transition worries' }).click();
      await page.getByRole('heading', { level: 1, name: 'Category: Transition worries' }).waitFor();
      expect(await page.getByLabel('Guidance').inputValue()).toBe(PARENT_GUIDANCE);
      expect(await page.getByLabel('DSL team', { exact: true }).isChecked()).toBe(true);
      await page.getByLabel('Restricted').check();
      await page.getByRole('button', { name: 'Save category' }).click();
      await page.getByRole('status').filter({ hasText: 'Transition worries was saved.' }).waitFor();
      await page
        .getByRole('heading', { level: 3, name: 'Transition worries Restricted' })
        .waitFor();
      await subs.getByRole('heading', { level: 4, name: 'Moving school Restricted' }).waitFor();
      await expectNoAxeViolations(page);
      const stored = await unsafeAsOwner(s.db, (q) =>
        q.query<{ name: string; restricted: boolean; alert_groups: string[]; guidance: string }>(
          `SELECT name, restricted, alert_groups, guidance FROM categories
         WHERE school_id = $1 AND name IN ('Transition worries', 'Moving school') ORDER BY name`,
          [cast.schoolId],
        ),
      );
      expect(stored).toEqual([
        { name: 'Moving school', restricted: true, alert_groups: [], guidance: SUB_GUIDANCE },
        {
          name: 'Transition worries',
          restricted: true,
          alert_groups: ['dsl_team'],
          guidance: PARENT_GUIDANCE,
        },
      ]);
      expectNoProblems(tab);
      await tab.context.close();
    },
    STEP_TIMEOUT,
  );

  it(
    'on a phone, lists the categories and shows why a sub-category is restricted',
    async () => {
      const phone = await openTab(browser, server.baseUrl, PHONE);
      await signInThroughPage(phone.page, server, admin);
      await openCategories(phone.page, admin);
      await expectNoAxeViolations(phone.page);
      await phone.page.getByRole('link', { name: 'Edit Moving school' }).click();
      await phone.page
        .getByRole('heading', { level: 1, name: 'Category: Moving school' })
        .waitFor();
      const restricted = phone.page.getByLabel('Restricted');
      expect([await restricted.isChecked(), await restricted.isDisabled()]).toEqual([true, true]);
      await phone.page.getByText('Restricted because Transition worries is restricted.').waitFor();
      expect(
        await phone.page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
      ).toBe(true);
      await expectNoAxeViolations(phone.page);
      expectNoProblems(phone);
      await phone.context.close();
    },
    STEP_TIMEOUT,
  );

  it(
    'shows a teacher logging a concern each category’s guidance as they choose it',
    async () => {
      const teacher = await openTab(browser, server.baseUrl, DESKTOP);
      const tp = teacher.page;
      await signInThroughPage(tp, server, cast.teacher);
      await tp.getByRole('button', { name: 'Log a concern' }).click();
      await tp.getByRole('heading', { level: 1, name: 'Log a concern' }).waitFor();
      await tp.getByLabel('Category').selectOption({ label: 'Transition worries' });
      await tp.getByText(PARENT_GUIDANCE).waitFor();
      await tp.getByLabel('Category').selectOption({ label: 'Moving school' });
      await tp.getByText(SUB_GUIDANCE).waitFor();
      expect(await tp.getByText(PARENT_GUIDANCE).count()).toBe(0);
      await expectNoAxeViolations(tp);
      expectNoProblems(teacher);
      await teacher.context.close();
    },
    STEP_TIMEOUT,
  );

  it(
    'sets the DSL alert escalation time and the attachment limit on the policies page',
    async () => {
      const tab = await openTab(browser, server.baseUrl, DESKTOP);
      const page = tab.page;
      await signInThroughPage(page, server, admin);
      await page.goto('/admin/policies');
      await page.getByRole('heading', { level: 1, name: 'School policies' }).waitFor();
      const code = page.getByLabel('Authentication code');
      const escalation = page.getByLabel(/^Minutes an alert to the DSL team may wait/);
      await expect
        .poll(async () => (await code.isVisible()) || (await escalation.isVisible()), {
          timeout: 30_000,
        })
        .toBe(true);
      if (await code.isVisible()) {
        await code.fill(await currentCode(server.t.app, admin));
        await page.getByRole('button', { name: 'Verify' }).click();
      }
      const limit = page.getByLabel('Largest attachment, in MB');
      expect([await escalation.inputValue(), await limit.inputValue()]).toEqual(['60', '20']);
      await page.getByText(/The server itself accepts no upload larger than 50 MB/).waitFor();

      // Above the server's own limit: refused, and said beside the field.
      await escalation.fill('30');
      await limit.fill('60');
      await page.getByRole('button', { name: 'Save policies' }).click();
      await page
        .getByRole('alert')
        .getByText(/accepts no upload larger than 50 MB, whatever the school sets/)
        .waitFor();
      await expect.poll(() => limit.getAttribute('aria-invalid')).toBe('true');
      await expectNoAxeViolations(page);
      await limit.fill('10');
      await page.getByRole('button', { name: 'Save policies' }).click();
      await page.getByText('The school’s policies were saved.', { exact: false }).waitFor();
      const saved = await unsafeAsOwner(server.t.services.db, (q) =>
        q.query<{ minutes: number; bytes: number }>(
          `SELECT (settings->>'alertEscalationMinutes')::int AS minutes,
           (settings->>'maxUploadBytes')::int AS bytes FROM schools WHERE id = $1`,
          [cast.schoolId],
        ),
      );
      expect(saved).toEqual([{ minutes: 30, bytes: 10 * 1024 * 1024 }]);
      expectNoProblems(tab);
      await tab.context.close();
    },
    STEP_TIMEOUT,
  );
});

// Issue 14's groups × categories grid in the browser: an administrator (after the second factor)
// sets which groups see which categories on one screen — a row per group (the school's own groups
// first, year groups in number order), a column per category, each cell named by both — saved in
// one request; a save that touches the administrator's own group is refused whole, beside the
// button, and nothing in it is saved; a category's page sets its one column. axe checks each
// state at 1280 px and the grid at 375 px.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { call, currentCode, makeUser, signIn, type TestUser } from '../src/test/harness.ts';
import { unsafeAsOwner } from '../src/platform/db/tenancy.ts';
import {
  buildSchool,
  DESKTOP,
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

type Group = { id: string; name: string; categories: { categoryId: string; access: string }[] };

/** Signs in with a password and opens a page of the administration, giving the code it asks. */
async function openAdminPage(page: Page, admin: TestUser, address: string, heading: string) {
  await page.goto('/');
  await page.getByLabel('Email address').fill(admin.email);
  await page.getByLabel('Password', { exact: true }).fill(admin.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Confirm it is you' }).waitFor();
  await page.goto(address);
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  await page.getByRole('heading', { name: 'Confirm it is you' }).waitFor();
  await page.getByLabel('Authentication code').fill(await currentCode(server.t.app, admin));
  await page.getByRole('button', { name: 'Verify' }).click();
}

describe('the groups × categories grid', () => {
  it('sets which groups see which categories on one screen, all or nothing', async () => {
    const cast = await buildSchool(server, 'grid');
    const app = server.t.app;
    const admin = await makeUser(server.t.services, cast.schoolId, 'school_admin', 'Ada Admin');
    const session = await signIn(app, admin, { elevated: true }); // enrols their authenticator
    for (const name of ['Year 10 team', 'Year 7 team', 'Attendance officers']) {
      const res = await call(app, session, 'POST', '/api/admin/groups', {
        name,
        nonRestrictedDefault: 'none',
        restrictedDefault: 'none',
        scope: { kind: 'school' },
        capabilities: [],
      });
      expect(res.statusCode, res.body).toBe(201);
    }
    const categories = (await call(app, session, 'GET', '/api/categories')).json<{
      items: { id: string; name: string; parentId: string | null; restricted: boolean }[];
    }>().items;
    const [first, second] = categories.filter((c) => c.parentId === null && !c.restricted);
    // A grid of a few columns: axe over every cell of a school's full set takes minutes on this
    // shared machine. The other categories are archived, so the grid leaves them out.
    const restricted = categories.find((c) => c.parentId === null && c.restricted)!;
    await unsafeAsOwner(server.t.services.db, (q) =>
      q.query(
        'UPDATE categories SET archived_at = now() WHERE school_id = $1 AND NOT (id = ANY($2::uuid[]))',
        [cast.schoolId, [first!.id, second!.id, restricted.id]],
      ),
    );
    const groups = async () =>
      (await call(app, session, 'GET', '/api/admin/groups')).json<{ items: Group[] }>().items;
    const accessOf = async (group: string, categoryId: string) =>
      (await groups())
        .find((g) => g.name === group)!
        .categories.find((c) => c.categoryId === categoryId)?.access ?? 'inherit';
    const users = (await call(app, session, 'GET', '/api/admin/users')).json<{
      items: { id: string; groupIds: string[] }[];
    }>().items;
    const ownGroupId = users.find((u) => u.id === admin.id)!.groupIds[0]!;
    const ownGroup = (await groups()).find((g) => g.id === ownGroupId)!.name;

    const tab = await openTab(browser, server.baseUrl, DESKTOP);
    const page = tab.page;
    page.setDefaultTimeout(30_000);
    await openAdminPage(page, admin, '/admin/category-access', 'Category access');
    const grid = page.getByRole('table', {
      name: 'Access of each group (rows) to each category (columns)',
    });
    await grid.waitFor();
    // Each cell is named by its group and its category; the table has both headers.
    const cell = (group: string, category: string) =>
      grid.getByRole('combobox', { name: `${group}: access to ${category}`, exact: true });
    await grid.getByRole('columnheader', { name: first!.name, exact: true }).waitFor();
    const rows = await grid.getByRole('rowheader').allTextContents();
    expect(rows.indexOf('Attendance officers')).toBeLessThan(rows.indexOf('Year 7 team'));
    expect(rows.indexOf('Year 7 team')).toBeLessThan(rows.indexOf('Year 10 team'));
    expect(await cell('Year 7 team', first!.name).inputValue()).toBe('inherit');
    await expectNoAxeViolations(page);

    // Three cells in two groups, one save.
    await cell('Year 7 team', first!.name).selectOption({ label: 'View and add' });
    await cell('Year 7 team', second!.name).selectOption({ label: 'Add only' });
    await cell('Year 10 team', first!.name).selectOption({ label: 'View and add' });
    await page.getByRole('button', { name: 'Save category access' }).click();
    await page.getByRole('status').filter({ hasText: '3 changes were saved.' }).waitFor();
    expect(await accessOf('Year 7 team', first!.id)).toBe('view');
    expect(await accessOf('Year 7 team', second!.id)).toBe('add');
    expect(await accessOf('Year 10 team', first!.id)).toBe('view');
    await expectNoAxeViolations(page);

    // A save that includes the administrator's own group is refused whole: the other cell is
    // not saved either, and both choices stay on the screen to be corrected.
    await cell('Attendance officers', first!.name).selectOption({ label: 'View and add' });
    await cell(ownGroup, second!.name).selectOption({ label: 'View and add' });
    await page.getByRole('button', { name: 'Save category access' }).click();
    await page
      .getByRole('alert')
      .filter({
        hasText:
          'Nothing was saved: Another administrator must make this change: no one may change their own access.',
      })
      .waitFor();
    expect(await accessOf('Attendance officers', first!.id)).toBe('inherit');
    expect(await cell('Attendance officers', first!.name).inputValue()).toBe('view');
    await expectNoAxeViolations(page);
    await cell(ownGroup, second!.name).selectOption('inherit');
    await page.getByRole('button', { name: 'Save category access' }).click();
    await page.getByRole('status').filter({ hasText: 'One change was saved.' }).waitFor();
    expect(await accessOf('Attendance officers', first!.id)).toBe('view');

    // On a phone the grid scrolls sideways within its own region.
    await page.setViewportSize(PHONE);
    await grid.waitFor();
    await expectNoAxeViolations(page);
    // ...and the page itself does not.
    const wide = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(wide).toBeLessThanOrEqual(0);
    await page.setViewportSize(DESKTOP);

    // The category's own page sets its one column.
    await page.goto(`/admin/categories?category=${first!.id}`);
    const column = page.getByRole('region', { name: 'Which groups see it' });
    await column.getByRole('columnheader', { name: first!.name, exact: true }).waitFor();
    expect(await column.getByRole('columnheader').count()).toBe(2);
    const here = column.getByRole('combobox', {
      name: `Year 10 team: access to ${first!.name}`,
      exact: true,
    });
    expect(await here.inputValue()).toBe('view');
    await here.selectOption({ label: 'None' });
    await column.getByRole('button', { name: 'Save who sees it' }).click();
    await column.getByRole('status').filter({ hasText: 'One change was saved.' }).waitFor();
    expect(await accessOf('Year 10 team', first!.id)).toBe('none');
    await expectNoAxeViolations(page);

    // The refused save was the server's own answer (403); Chromium logs it as a console error.
    tab.problems.splice(
      0,
      tab.problems.length,
      ...tab.problems.filter((p) => !p.includes('status of 403 (Forbidden)')),
    );
    expectNoProblems(tab);
    await tab.context.close();
  }, 240_000);
});

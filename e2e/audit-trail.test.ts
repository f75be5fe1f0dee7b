// Issue 20's "Who has seen this record" and audit explorer in the browser: a teacher logs a
// concern about Ava; the DSL opens Ava's chronology, follows "Who has seen this record", finds the
// teacher's logging and their own reading, filters by person (kept in the address), then opens
// "Audit trail" from the banner, checks the chain, filters by event and downloads the CSV. On a
// phone the log still reads. A teacher has no "Audit trail" link. axe checks every state.
// Reports (same file, same server): the DSL opens "Reports", reads a figure's definition, chart
// and table, is refused a backwards range in words, and downloads the CSV; on a phone too.
// Pupil patterns: from the dashboard's "Pupils whose records are rising", the DSL sets a rule.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { call, categoryIds, signIn } from '../src/test/harness.ts';
import {
  buildSchool,
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

describe('who has seen this record', () => {
  it('the DSL reads who has seen a pupil’s record, then searches and checks the school’s trail', async () => {
    const cast = await buildSchool(server, 'aud');
    const app = server.t.app;
    const [cat] = await categoryIds(server.t.services, cast.schoolId);
    const teacher = await signIn(app, cast.teacher, { elevated: true });
    const logged = await call(app, teacher, 'POST', '/api/concerns', {
      pupils: [{ pupilId: cast.pupil.id, role: 'subject' }],
      categoryIds: [cat!.id],
      happenedAt: new Date(Date.now() - 3_600_000).toISOString(),
      body: 'Ava said she had not eaten since yesterday.',
    });
    expect(logged.statusCode, logged.body).toBe(201);

    const tab = await openTab(browser, server.baseUrl, DESKTOP);
    const page = tab.page;
    await signInThroughPage(page, server, cast.dsl);
    await page.goto(`/pupils/${cast.pupil.id}`);
    await page.getByRole('link', { name: 'Who has seen this record' }).click();
    await page.getByRole('heading', { level: 1, name: 'Who has seen this record' }).waitFor();
    const table = page.getByRole('table', {
      name: `Who has seen the record of ${cast.pupil.name}`,
    });
    await table
      .getByRole('row')
      .filter({ hasText: 'Logged a concern' })
      .filter({ hasText: 'Tess Teacher' })
      .waitFor();
    await table
      .getByRole('row')
      .filter({ hasText: 'Read the chronology' })
      .filter({ hasText: 'Dee Lead' })
      .waitFor();
    await expectNoAxeViolations(page);

    // Filter by person: the address keeps it, and only the teacher's entries remain.
    await page.getByLabel('Person').selectOption({ label: 'Tess Teacher' });
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('person')).toBe(cast.teacher.id);
    await expect
      .poll(async () => table.getByRole('row').filter({ hasText: 'Dee Lead' }).count())
      .toBe(0);
    await table.getByRole('row').filter({ hasText: 'Logged a concern' }).waitFor();
    // A backwards range is refused in words, nothing lost.
    await page.getByLabel('From date').fill('2026-03-02');
    await page.getByLabel('To date').fill('2026-03-01');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('The "To date" must be on or after the "From date".').waitFor();
    expect(await page.getByLabel('From date').inputValue()).toBe('2026-03-02');
    await expectNoAxeViolations(page);

    // The school's trail, from the banner.
    await page.getByRole('link', { name: 'Audit trail' }).click();
    await page.getByRole('heading', { level: 1, name: 'Audit trail' }).waitFor();
    await page.getByRole('button', { name: 'Check the chain now' }).click();
    await page.getByText(/^Intact: all [\d,]+ entries checked/).waitFor();
    await expectNoAxeViolations(page);
    // The unusual-access rules: a wrong number refused beside its field, then saved.
    await page.getByText('Nothing unusual has been noticed.').waitFor();
    const perHour = page.getByLabel('Pupils’ records one person opens in an hour, at most');
    await perHour.fill('many');
    await page.getByRole('button', { name: 'Save rules' }).click();
    await page.getByText('Enter a whole number, 0 or more.').waitFor();
    await expectNoAxeViolations(page);
    await perHour.fill('40');
    await page.getByRole('button', { name: 'Save rules' }).click();
    await page.getByText('Rules saved.').waitFor();
    await page.getByLabel('Event').selectOption({ label: 'Logged a concern' });
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('action')).toBe('concern.created');
    const trail = page.getByRole('table', { name: 'Audit trail entries' });
    await expect.poll(async () => trail.getByRole('row').count()).toBe(2); // heading row and one entry
    await trail.getByRole('row').filter({ hasText: 'Tess Teacher' }).waitFor();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download as CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^audit-trail-\d{4}-\d{2}-\d{2}\.csv$/);
    await expectNoAxeViolations(page);
    expectNoProblems(tab);
    await tab.context.close();

    // On a phone, the log still reads (the table scrolls within its region).
    const phone = await openTab(browser, server.baseUrl, PHONE);
    await signInThroughPage(phone.page, server, cast.dsl);
    await phone.page.goto(`/pupils/${cast.pupil.id}/access-log`);
    await phone.page.getByRole('heading', { level: 1, name: 'Who has seen this record' }).waitFor();
    await phone.page
      .getByRole('row')
      .filter({ hasText: 'Who has seen this record' })
      .first()
      .waitFor();
    await expectNoAxeViolations(phone.page);
    await phone.context.close();

    // A teacher has no audit trail.
    const teacherTab = await openTab(browser, server.baseUrl, PHONE);
    await signInThroughPage(teacherTab.page, server, cast.teacher);
    await teacherTab.page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    expect(await teacherTab.page.getByRole('link', { name: 'Audit trail' }).count()).toBe(0);
    await teacherTab.context.close();
  });
});

describe('reports', () => {
  it('the DSL reads the figures with their definitions, charts and tables, and downloads them', async () => {
    const cast = await buildSchool(server, 'rep');
    const app = server.t.app;
    const cats = await categoryIds(server.t.services, cast.schoolId);
    const bullying = cats.find((c) => c.name === 'Bullying')!;
    const teacher = await signIn(app, cast.teacher, { elevated: true });
    for (const pupil of [cast.pupil, ...cast.others]) {
      const logged = await call(app, teacher, 'POST', '/api/concerns', {
        pupils: [{ pupilId: pupil.id, role: 'subject' }],
        categoryIds: [bullying.id],
        happenedAt: new Date(Date.now() - 3_600_000).toISOString(),
        body: 'Pushed in the corridor again.',
      });
      expect(logged.statusCode, logged.body).toBe(201);
    }

    const tab = await openTab(browser, server.baseUrl, DESKTOP);
    const page = tab.page;
    await signInThroughPage(page, server, cast.dsl);
    await page.getByRole('link', { name: 'Reports' }).click();
    await page.getByRole('heading', { level: 1, name: 'Reports' }).waitFor();
    const byCategory = page.getByRole('region', { name: 'Records by category', exact: true });
    const table = byCategory.getByRole('table', { name: 'Records by category' });
    await expect
      .poll(async () => table.getByRole('row', { name: /Bullying/ }).textContent())
      .toMatch(/Bullying\s*3/);
    await byCategory.getByText('What this counts').click();
    await byCategory.getByText(/A record in two categories counts once in each/).waitFor();
    await byCategory
      .getByRole('figure', { name: /Bar chart of records by category: Bullying 3/ })
      .waitFor();
    await expectNoAxeViolations(page);

    // A backwards range is refused in words, and what was typed stays.
    await page.getByLabel('From date').fill('2026-03-02');
    await page.getByLabel('To date').fill('2026-03-01');
    await page.getByRole('button', { name: 'Show figures' }).click();
    await page.getByText('The "From date" must be on or before the "To date".').waitFor();
    expect(await page.getByLabel('From date').inputValue()).toBe('2026-03-02');
    await expectNoAxeViolations(page);

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download as CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(
      /^reports-\d{4}-\d{2}-\d{2}-to-\d{4}-\d{2}-\d{2}\.csv$/,
    );
    expectNoProblems(tab);
    await tab.context.close();

    const phone = await openTab(browser, server.baseUrl, PHONE);
    await signInThroughPage(phone.page, server, cast.dsl);
    await phone.page.goto('/reports');
    await phone.page
      .getByRole('heading', { level: 2, name: 'Pupils with a record, by year group' })
      .waitFor();
    await expectNoAxeViolations(phone.page);
    expectNoProblems(phone);
    await phone.context.close();
  });
});

describe('pupil patterns', () => {
  it('the DSL sees rising pupils on the dashboard and sets a pattern rule, refused a wrong number first', async () => {
    const cast = await buildSchool(server, 'pat');
    const app = server.t.app;
    const [cat] = await categoryIds(server.t.services, cast.schoolId);
    const teacher = await signIn(app, cast.teacher, { elevated: true });
    for (const hoursAgo of [2, 30]) {
      const logged = await call(app, teacher, 'POST', '/api/concerns', {
        pupils: [{ pupilId: cast.pupil.id, role: 'subject' }],
        categoryIds: [cat!.id],
        happenedAt: new Date(Date.now() - hoursAgo * 3_600_000).toISOString(),
        body: 'Upset at break again.',
      });
      expect(logged.statusCode, logged.body).toBe(201);
    }
    const tab = await openTab(browser, server.baseUrl, PHONE);
    const page = tab.page;
    await signInThroughPage(page, server, cast.dsl);
    const rising = page.getByRole('region', { name: 'Pupils whose records are rising' });
    await rising.getByRole('link', { name: cast.pupil.name }).waitFor();
    await rising.getByRole('link', { name: 'Pupil patterns and their rules' }).click();
    await page.getByRole('heading', { level: 1, name: 'Pupil patterns' }).waitFor();
    await page.getByText('No rules yet: add one.').waitFor();
    await page.getByRole('button', { name: 'Add a rule' }).click();
    await page.getByLabel('Name').fill('Three in a fortnight');
    await page.getByLabel('Records about one pupil, at least').fill('1');
    await page.getByLabel('Within this many days').fill('14');
    await page.getByRole('button', { name: 'Save rules' }).click();
    await page.getByText('Enter a whole number from 2 to 50.').waitFor();
    await expectNoAxeViolations(page);
    await page.getByLabel('Records about one pupil, at least').fill('3');
    await page.getByRole('button', { name: 'Save rules' }).click();
    await page.getByText('Rules saved.').waitFor();
    await expectNoAxeViolations(page);
    expectNoProblems(tab);
    await tab.context.close();
    const saved = await call(
      app,
      await signIn(app, cast.dsl, { elevated: true }),
      'GET',
      '/api/patterns',
    );
    expect(
      saved.json<{ rules: { name: string; records: number; withinDays: number }[] }>().rules,
    ).toMatchObject([{ name: 'Three in a fortnight', records: 3, withinDays: 14 }]);
  });
});

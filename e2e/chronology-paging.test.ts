// A long chronology in the browser (issue 12): the DSL opens a pupil with 130 entries and sees the
// newest 100 with the total; "Show older entries", pressed from the keyboard, appends the rest,
// moves focus to the first entry it added and announces the new count; a category filter starts
// again from its own first page, and clearing it brings the newest 100 back, after which "Show
// older entries" moves focus again; a hint by Print says the printout holds only what is loaded.
// Every state is checked with axe.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { inSchool } from '../src/platform/db/tenancy.ts';
import { categoryIds } from '../src/test/harness.ts';
import {
  buildSchool,
  DESKTOP,
  expectNoAxeViolations,
  expectNoProblems,
  launchBrowser,
  openTab,
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

/** 130 concerns about the pupil, one an hour: 120 in Bullying, every thirteenth in Neglect. */
async function seedConcerns(schoolId: string, pupilId: string, authorId: string) {
  const s = server.t.services;
  const cats = await categoryIds(s, schoolId);
  const bullying = cats.find((c) => c.name === 'Bullying')!;
  const neglect = cats.find((c) => c.name === 'Neglect')!;
  const start = Date.UTC(2025, 8, 1, 9, 0);
  await inSchool(s.db, schoolId, async (q) => {
    const sealer = await s.keys.forSchool(q, schoolId);
    for (let n = 0; n < 130; n++) {
      const id = randomUUID();
      await q.query(
        `INSERT INTO concerns (id, school_id, author_id, happened_at, recorded_at, body)
         VALUES ($1, $2, $3, $4, $4, $5)`,
        [
          id,
          schoolId,
          authorId,
          new Date(start + n * 3_600_000),
          sealer.seal('concerns.body', id, `Concern number ${n}.`),
        ],
      );
      await q.query(
        'INSERT INTO concern_pupils (school_id, concern_id, pupil_id) VALUES ($1, $2, $3)',
        [schoolId, id, pupilId],
      );
      await q.query(
        'INSERT INTO concern_categories (school_id, concern_id, category_id) VALUES ($1, $2, $3)',
        [schoolId, id, n % 13 === 0 ? neglect.id : bullying.id],
      );
    }
  });
}

describe('a long chronology', () => {
  it('shows the newest 100, then older entries on request, keeping focus and filters', async () => {
    const cast = await buildSchool(server, 'paging');
    await seedConcerns(cast.schoolId, cast.pupil.id, cast.teacher.id);
    const dsl = await openTab(browser, server.baseUrl, DESKTOP);
    const dp = dsl.page;
    await signInThroughPage(dp, server, cast.dsl);
    await dp.goto(`/pupils/${cast.pupil.id}`);
    await dp.getByRole('heading', { level: 1, name: cast.pupil.name }).waitFor();
    const timeline = dp.getByRole('list', { name: `Chronology of ${cast.pupil.name}` });
    // The timeline's own entries (an entry's category chips are a list of their own).
    const entries = timeline.locator(':scope > li');
    const count = dp.getByRole('status').filter({ hasText: /^Showing/ });
    await count.filter({ hasText: 'Showing 100 of 130 entries' }).waitFor();
    expect(await entries.count()).toBe(100);
    await timeline.getByText('Concern number 129.').waitFor();
    expect(await timeline.getByText('Concern number 29.', { exact: true }).count()).toBe(0);
    await expectNoAxeViolations(dp);

    // From the keyboard: the next page is appended and focus moves to its first entry.
    const older = dp.getByRole('button', { name: 'Show older entries' });
    await older.focus();
    await dp.keyboard.press('Enter');
    await count.filter({ hasText: 'Showing 130 of 130 entries' }).waitFor();
    expect(await entries.count()).toBe(130);
    const focused = dp.locator(':focus');
    await expect.poll(async () => focused.textContent()).toContain('Concern number 29.');
    expect(await older.count()).toBe(0);
    await timeline.getByText('Concern number 0.', { exact: true }).waitFor();
    await expectNoAxeViolations(dp);

    // The filters are folded above the timeline. A filter starts again from its own first page,
    // and is kept in the address: Back shows every entry again, Forward the filtered ones.
    await dp.getByText('Filters', { exact: true }).click();
    await dp.getByLabel('Filter by category').selectOption({ label: 'Neglect' });
    await dp.getByRole('button', { name: 'Apply filters' }).click();
    await count.filter({ hasText: 'Showing 10 of 10 entries' }).waitFor();
    expect(await entries.count()).toBe(10);
    expect(new URL(dp.url()).searchParams.get('category')).toBeTruthy();
    await dp.getByText('Filters (1 filter applied)').waitFor();
    await expectNoAxeViolations(dp);
    await dp.goBack();
    await count.filter({ hasText: 'Showing 100 of 130 entries' }).waitFor();
    await dp.goForward();
    await count.filter({ hasText: 'Showing 10 of 10 entries' }).waitFor();
    expect(await dp.getByLabel('Filter by category').inputValue()).not.toBe('');
    await dp.getByRole('button', { name: 'Clear filters' }).click();
    await count.filter({ hasText: 'Showing 100 of 130 entries' }).waitFor();
    expect(await entries.count()).toBe(100);

    // A second time round, focus moves again to the first entry added (not left where it was).
    await older.focus();
    await dp.keyboard.press('Enter');
    await count.filter({ hasText: 'Showing 130 of 130 entries' }).waitFor();
    await expect.poll(async () => focused.textContent()).toContain('Concern number 29.');

    // Print takes only what is loaded; the hint beside it says so, and that the PDF holds all.
    const print = dp.getByRole('button', { name: 'Print' });
    const hint = await print.getAttribute('aria-describedby');
    expect(await dp.locator(`#${hint}`).textContent()).toMatch(/only the entries loaded.*PDF/);
    expectNoProblems(dsl);
  });
});

// A search with many hits in the browser (issue 12): the DSL searches a word in 70 records and sees
// the newest 50 with "50 of 70 results"; "Show more results", pressed from the keyboard, appends the
// rest, moves focus to the first result it added and announces the new count; the words stay in
// the search box throughout, and a new search starts again from its own first page. Every state
// is checked with axe.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { inSchool } from '../src/platform/db/tenancy.ts';
import { concernTokens } from '../src/features/concerns/service.ts';
import { INDEX_VERSION } from '../src/features/search/blind-index.ts';
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

const WORD = 'sandpiper';

/** 70 concerns about the pupil holding WORD, one an hour; every tenth also holds "godwit". */
async function seedConcerns(schoolId: string, pupilId: string, authorId: string) {
  const s = server.t.services;
  const [category] = (await categoryIds(s, schoolId)).filter((c) => !c.restricted);
  const start = Date.UTC(2025, 8, 1, 9, 0);
  await inSchool(s.db, schoolId, async (q) => {
    const sealer = await s.keys.forSchool(q, schoolId);
    for (let n = 0; n < 70; n++) {
      const id = randomUUID();
      const text = `Saw a ${WORD} by the pond${n % 10 === 0 ? ' and a godwit' : ''}. Concern number ${n}.`;
      await q.query(
        `INSERT INTO concerns (id, school_id, author_id, happened_at, recorded_at, body, search_tokens,
           index_version)
         VALUES ($1, $2, $3, $4, $4, $5, $6, ${INDEX_VERSION})`,
        [
          id,
          schoolId,
          authorId,
          new Date(start + n * 3_600_000),
          sealer.seal('concerns.body', id, text),
          concernTokens(sealer.searchKey, text, null),
        ],
      );
      await q.query(
        'INSERT INTO concern_pupils (school_id, concern_id, pupil_id) VALUES ($1, $2, $3)',
        [schoolId, id, pupilId],
      );
      await q.query(
        'INSERT INTO concern_categories (school_id, concern_id, category_id) VALUES ($1, $2, $3)',
        [schoolId, id, category!.id],
      );
    }
  });
}

describe('a search with many results', () => {
  it('shows the newest 50 with the count, then more on request, keeping focus and the words', async () => {
    const cast = await buildSchool(server, 'search-paging');
    await seedConcerns(cast.schoolId, cast.pupil.id, cast.teacher.id);
    const dsl = await openTab(browser, server.baseUrl, DESKTOP);
    const dp = dsl.page;
    await signInThroughPage(dp, server, cast.dsl);
    await dp.goto('/search');
    await dp.getByRole('heading', { level: 1, name: 'Search records' }).waitFor();
    const box = dp.getByLabel('Search records');
    await box.fill(WORD);
    await dp.getByRole('button', { name: 'Search', exact: true }).click();
    const count = dp.getByRole('status').filter({ hasText: /results?$/ });
    await count.filter({ hasText: '50 of 70 results' }).waitFor();
    const results = dp.locator('section[aria-labelledby="results-heading"] ul.concern-list > li');
    expect(await results.count()).toBe(50);
    await dp.getByText('Concern number 69.').waitFor();
    expect(await dp.getByText('Concern number 19.', { exact: false }).count()).toBe(0);
    await expectNoAxeViolations(dp);

    // From the keyboard: the next page is appended and focus moves to its first result.
    const more = dp.getByRole('button', { name: 'Show more results' });
    await more.focus();
    await dp.keyboard.press('Enter');
    await count.filter({ hasText: '70 of 70 results' }).waitFor();
    expect(await results.count()).toBe(70);
    const focused = dp.locator(':focus');
    await expect.poll(async () => focused.textContent()).toContain('Concern number 19.');
    expect(await more.count()).toBe(0);
    expect(await box.inputValue()).toBe(WORD);
    await expectNoAxeViolations(dp);

    // A new search starts again from its own first page.
    await box.fill(`${WORD} godwit`);
    await dp.getByRole('button', { name: 'Search', exact: true }).click();
    await count.filter({ hasText: '7 of 7 results' }).waitFor();
    expect(await results.count()).toBe(7);
    expect(await more.count()).toBe(0);
    await expectNoAxeViolations(dp);

    // Word forms (issue 14): the plural finds the records that say it once, singular; each result
    // names the words found, marked in its text.
    await box.fill('godwits');
    await dp.getByRole('button', { name: 'Search', exact: true }).click();
    await count.filter({ hasText: '7 of 7 results' }).waitFor();
    expect(await results.filter({ hasText: 'Words found: godwit' }).count()).toBe(7);
    expect(await results.locator('mark', { hasText: /^godwit$/ }).count()).toBe(7);
    await expectNoAxeViolations(dp);
    expectNoProblems(dsl);
  });
});

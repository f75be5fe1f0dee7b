// The server's log after a full journey holds no name and no record text (issue 16): a teacher
// logs a concern about a pupil found by part of her name, the DSL opens the pupil's chronology and
// searches for the concern's words, and the log — captured from the server's own request log and
// services' log at the production level — is searched for the pupil's and staff's names and the
// concern's words and finds none. It must also be non-empty JSON lines with request ids, so this
// check cannot pass by logging nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
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

const lines: string[] = [];
let server: Server;
let browser: Browser;

beforeAll(async () => {
  server = await startServer({ logTo: (line) => void lines.push(line) });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.t.close();
});

describe('the server log of a full journey', () => {
  it('carries request ids and no name or record text', async () => {
    const cast = await buildSchool(server, 'Zephyrine');
    const words = 'Marigold said her stepfather locked her in the shed overnight';

    const teacher = await openTab(browser, server.baseUrl, DESKTOP);
    const tp = teacher.page;
    await signInThroughPage(tp, server, cast.teacher);
    await tp.getByRole('button', { name: 'Log a concern' }).click();
    await tp.getByRole('heading', { level: 1, name: 'Log a concern' }).waitFor();
    const pupilBox = tp.getByRole('combobox', { name: 'Pupil', exact: true });
    await pupilBox.fill(cast.pupil.lastName.slice(0, 6));
    await tp.getByRole('option', { name: `${cast.pupil.name} (7A)` }).click();
    await tp.getByLabel(`Role for ${cast.pupil.name}`).selectOption('victim');
    await tp.getByLabel('Category').selectOption({ label: 'Physical abuse' });
    await tp.getByLabel('When it happened').fill('2026-01-15T10:30');
    await tp.getByLabel('Where').fill('Greenhouse corridor');
    await tp.getByLabel('What happened').fill(words);
    await tp.getByRole('button', { name: 'Save concern' }).click();
    await tp.getByRole('status').filter({ hasText: 'Concern saved' }).waitFor();
    await expectNoAxeViolations(tp);
    expectNoProblems(teacher);
    await teacher.context.close();

    const dsl = await openTab(browser, server.baseUrl, DESKTOP);
    const dp = dsl.page;
    await signInThroughPage(dp, server, cast.dsl);
    const recent = dp.getByRole('region', { name: 'Recent concerns' });
    await recent.getByText(words).waitFor();
    await recent.getByRole('link', { name: cast.pupil.name, exact: true }).first().click();
    await dp.getByRole('heading', { level: 1, name: cast.pupil.name }).waitFor();
    await dp.getByText(words).waitFor();
    await dp.goto('/search');
    await dp.getByRole('heading', { level: 1, name: 'Search records' }).waitFor();
    await dp.getByLabel('Search records').fill('stepfather shed');
    await dp.getByRole('button', { name: 'Search', exact: true }).click();
    await dp
      .getByRole('status')
      .filter({ hasText: /results?$/ })
      .waitFor();
    await expectNoAxeViolations(dp);
    expectNoProblems(dsl);
    await dsl.context.close();

    // Non-empty, JSON, and every request line carries its request id.
    expect(lines.length).toBeGreaterThan(20);
    const parsed = lines.map((l) => JSON.parse(l) as { reqId?: string; req?: { path?: string } });
    const requestLines = parsed.filter((l) => l.req !== undefined);
    expect(requestLines.length).toBeGreaterThan(10);
    expect(requestLines.every((l) => typeof l.reqId === 'string' && l.reqId !== '')).toBe(true);
    expect(requestLines.some((l) => l.req?.path === '/api/concerns')).toBe(true);

    const log = lines.join('\n').toLowerCase();
    const secrets = [
      cast.pupil.firstName,
      cast.pupil.lastName,
      cast.teacher.name,
      cast.dsl.name,
      cast.teacher.email,
      'Marigold',
      'stepfather',
      'overnight',
      'Greenhouse',
      'shed',
      'Physical abuse',
    ];
    for (const secret of secrets) expect(log, secret).not.toContain(secret.toLowerCase());
    expect(log).not.toMatch(/\?[a-z]+=/); // no query string
  });
});

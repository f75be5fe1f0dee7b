// A teacher's actions on the dashboard and the two tiers (issue 3): the DSL assigns the teacher an
// action; once the teacher's elevation has lapsed the dashboard says only how many actions wait —
// no pupil, no text — beside the step-up panel; after the code the action appears with the Complete
// button the server allows, and the teacher completes it there. axe checks each state.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { call, currentCode, signIn, testClock } from '../src/test/harness.ts';
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

describe('my actions on the dashboard', () => {
  it('show only a count with a password alone, and in full (completable) after the second factor', async () => {
    clock.set(new Date());
    const cast = await buildSchool(server, 'actions');
    const dsl = await signIn(server.t.app, cast.dsl, { elevated: true });
    const marker = 'Ring the family about the missing PE kit';
    const added = await call(server.t.app, dsl, 'POST', '/api/actions', {
      pupilId: cast.pupil.id,
      type: 'phone_call',
      text: marker,
      assigneeId: cast.teacher.id,
    });
    expect(added.statusCode, added.body).toBe(201);

    const tab = await openTab(browser, server.baseUrl, DESKTOP);
    const page = tab.page;
    await signInThroughPage(page, server, cast.teacher);
    const mine = page.getByRole('region', { name: 'My actions' });
    await mine.getByText(marker).waitFor();

    // The elevation lapses (15 minutes on the server's clock): a password alone is left.
    clock.advance(16 * 60_000);
    await page.reload();
    await mine.getByText('1 action is waiting for you.').waitFor();
    const stepUp = page.getByRole('region', { name: 'Confirm it is you' });
    await stepUp.waitFor();
    const shown = await page.locator('body').innerText();
    expect(shown).not.toContain(marker);
    expect(shown).not.toContain(cast.pupil.lastName);
    expect(await mine.getByRole('button', { name: 'Complete' }).count()).toBe(0);
    await expectNoAxeViolations(page);

    // The code opens them, with what the server lets the teacher do.
    await stepUp
      .getByLabel('Authentication code')
      .fill(await currentCode(server.t.app, cast.teacher));
    await stepUp.getByRole('button', { name: 'Verify' }).click();
    await mine.getByText(marker).waitFor();
    await mine.getByText(`Phone call for ${cast.pupil.firstName} ${cast.pupil.lastName}`).waitFor();
    await expectNoAxeViolations(page);
    await mine.getByRole('button', { name: 'Complete' }).click();
    await mine.getByLabel('Outcome of this action').fill('Spoke to dad; kit on Monday.');
    await mine.getByRole('button', { name: 'Save outcome' }).click();
    await page.getByRole('status').filter({ hasText: 'Action completed.' }).waitFor();
    await mine.getByText('You have no open actions.').waitFor();
    await expectNoAxeViolations(page);
    expectNoProblems(tab);
    await tab.context.close();
  });
});

// The DSL's case work in the browser (issue 4): a teacher logs a concern (through the API); the DSL
// signs in with their second factor, opens the concern, opens a case from it, adds and completes an
// action, records a referral that is already overdue, chases it and records the response, records
// a conversation with a parent on the chronology, is refused closing the case without a rationale,
// closes it with one and reopens it. axe checks every page; the case page is also used at 375 px.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { call, categoryIds, signIn } from '../src/test/harness.ts';
import { toLocalInput } from '../web/src/format.ts';
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

/** Fails when the page is wider than the window (content cut off or scrolling sideways). */
async function expectNoSidewaysScroll(page: Page): Promise<void> {
  const wide = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(wide, 'horizontal overflow in px').toBeLessThanOrEqual(0);
}

describe('case work', () => {
  it('the DSL follows up a concern: case, action, referral, conversation, close and reopen', async () => {
    const cast = await buildSchool(server, 'casework');
    const cats = await categoryIds(server.t.services, cast.schoolId);
    const teacher = await signIn(server.t.app, cast.teacher);
    const marker = 'Ava said she is scared to go home at the weekend.';
    const logged = await call(server.t.app, teacher, 'POST', '/api/concerns', {
      pupils: [{ pupilId: cast.pupil.id, role: 'subject' }],
      categoryIds: [cats.find((c) => c.name === 'Neglect')?.id ?? cats[0]!.id],
      happenedAt: new Date(Date.now() - 3_600_000).toISOString(),
      body: marker,
    });
    expect(logged.statusCode, logged.body).toBe(201);
    const concernId = logged.json<{ id: string }>().id;

    const tab = await openTab(browser, server.baseUrl, DESKTOP);
    const page = tab.page;
    await signInThroughPage(page, server, cast.dsl);
    await page
      .getByRole('status')
      .filter({ hasText: /Records unlocked until/ })
      .waitFor();

    // The concern, with the follow-up the DSL may do.
    await page.goto(`/concerns/${concernId}`);
    await page.getByText(marker).waitFor();
    const followUp = page.getByRole('region', { name: 'Follow-up' });
    await followUp.getByText('This concern is not part of a case yet.').waitFor();
    await expectNoAxeViolations(page);
    await followUp.getByRole('button', { name: 'Open a case' }).click();
    await page.getByRole('status').filter({ hasText: 'The case was updated.' }).waitFor();
    await followUp.getByText(/Part of the case about .* \(open\), owned by Dee Lead/).waitFor();

    // An action: validation first, then saved, then completed with its outcome.
    await followUp.getByRole('button', { name: 'Add action' }).click();
    await followUp.getByText('Describe what needs doing.').waitFor();
    expect(await followUp.getByLabel('What needs doing').getAttribute('aria-invalid')).toBe('true');
    await followUp.getByLabel('Type of action').selectOption('phone_call');
    await followUp.getByLabel('What needs doing').fill('Phone mum about the weekend');
    await followUp.getByLabel('Assigned to').selectOption({ label: 'Dee Lead (DSL team)' });
    await followUp.getByLabel('Due (optional)').fill('2030-01-15T09:00');
    await followUp.getByRole('button', { name: 'Add action' }).click();
    await followUp.getByRole('status').filter({ hasText: 'Action added.' }).waitFor();
    const actions = followUp.getByRole('list', { name: 'Actions' });
    await actions.getByText('Phone mum about the weekend').waitFor();
    // Completed by keyboard alone: the outcome field takes focus, Tab reaches the button.
    await actions.getByRole('button', { name: 'Complete' }).press('Enter');
    await expect.poll(() => page.evaluate(() => document.activeElement?.tagName)).toBe('TEXTAREA');
    await page.keyboard.type('Spoke to mum; she will call back.');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Save outcome');
    await page.keyboard.press('Enter');
    await followUp.getByRole('status').filter({ hasText: 'Action completed.' }).waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.tagName)).toBe('H4');
    await actions.getByText('Spoke to mum; she will call back.').waitFor();

    // A referral made 25 hours ago to social care (expected within 24): overdue at once.
    const agency = followUp.getByLabel('Agency', { exact: true });
    const social = await agency
      .locator('option', { hasText: "Children's social care" })
      .first()
      .textContent();
    await agency.selectOption({ label: social ?? '' });
    await followUp.getByLabel('Contact at the agency (optional)').fill('MASH duty desk');
    await followUp.getByLabel('Their reference (optional)').fill('MASH-1234');
    await followUp
      .getByLabel('When the referral was made')
      .fill(toLocalInput(new Date(Date.now() - 25 * 3_600_000)));
    await followUp.getByRole('button', { name: 'Record referral' }).click();
    await followUp.getByRole('status').filter({ hasText: 'Referral recorded.' }).waitFor();
    const referrals = followUp.getByRole('list', { name: 'Referrals' });
    await referrals.getByText('Overdue', { exact: true }).waitFor();
    await expectNoAxeViolations(page);

    // The referral: overdue said plainly; a follow-up call; the response received.
    await referrals.getByRole('link', { name: "Referral to Children's social care" }).click();
    await page
      .getByRole('heading', { level: 1, name: "Referral to Children's social care" })
      .waitFor();
    await page.getByText(/the agency’s response was expected by/).waitFor();
    await page.getByText('MASH-1234').waitFor();
    await page.getByLabel('Kind of follow-up').selectOption('call');
    await page.getByLabel('What was said or sent').fill('Chased the duty desk by phone.');
    await page.getByRole('button', { name: 'Save follow-up' }).click();
    await page.getByRole('status').filter({ hasText: 'Follow-up recorded.' }).waitFor();
    await page
      .getByRole('list', { name: 'Follow-ups' })
      .getByText('Chased the duty desk by phone.')
      .waitFor();
    await expectNoAxeViolations(page);
    await page.getByRole('button', { name: 'Response received' }).click();
    await page.getByRole('status').filter({ hasText: 'Response recorded.' }).waitFor();
    expect(await page.getByText('Overdue', { exact: true }).count()).toBe(0);

    // A conversation with a parent on the chronology, with a decision.
    await page.goto(`/pupils/${cast.pupil.id}`);
    await page.getByRole('heading', { level: 1, name: cast.pupil.name }).waitFor();
    const conversation = page.getByRole('region', { name: 'Record a conversation' });
    await conversation.getByLabel('With').selectOption('parent');
    await conversation.getByLabel('What was discussed').fill('Met mum; agreed support at home.');
    await conversation
      .getByLabel('Decision taken (optional)')
      .selectOption({ label: 'Start an Early Help Assessment' });
    await conversation.getByRole('button', { name: 'Save conversation' }).click();
    await conversation.getByRole('status').filter({ hasText: 'Conversation recorded' }).waitFor();
    const timeline = page.getByRole('list', { name: `Chronology of ${cast.pupil.name}` });
    await timeline.getByText('Met mum; agreed support at home.').waitFor();
    await timeline.getByText(/decision: early help assessment/).waitFor();
    await expectNoAxeViolations(page);

    // The case, on a phone: closing needs a rationale; then closed; then reopened.
    await page.setViewportSize(PHONE);
    await page.goto(`/concerns/${concernId}`);
    await page.getByRole('link', { name: 'Open the case' }).click();
    await page.getByRole('heading', { level: 1, name: `Case: ${cast.pupil.name}` }).waitFor();
    await page.getByRole('link', { name: new RegExp(`: Neglect|: ${cats[0]!.name}`) }).waitFor();
    await expectNoAxeViolations(page);
    await expectNoSidewaysScroll(page);
    await page.getByLabel('Outcome', { exact: true }).fill('Family supported');
    await page.getByRole('button', { name: 'Close case' }).click();
    await page.getByText(/Write the rationale for this decision \(at least 20/).waitFor();
    expect(await page.getByLabel('Rationale').getAttribute('aria-invalid')).toBe('true');
    await expectNoAxeViolations(page);
    await page
      .getByLabel('Rationale')
      .fill('Early help in place, mum engaged, social care advice followed; no risk remains.');
    await page.getByRole('button', { name: 'Close case' }).click();
    await page.getByRole('status').filter({ hasText: 'Case closed.' }).waitFor();
    const history = page.getByRole('region', { name: 'History' });
    await history.getByRole('heading', { name: 'Case closed' }).waitFor();
    await history.getByText(/no risk remains/).waitFor();
    await page.getByLabel('Why it is being reopened').fill('Ava disclosed a new worry.');
    await page.getByRole('button', { name: 'Reopen case' }).click();
    await page.getByRole('status').filter({ hasText: 'Case reopened.' }).waitFor();
    await history.getByRole('heading', { name: 'Case reopened' }).waitFor();
    await history.getByText('Ava disclosed a new worry.').waitFor();
    expect(
      await history.getByRole('heading', { level: 3 }).allTextContents(),
      'the history keeps every step',
    ).toEqual(['Case opened', 'Case closed', 'Case reopened']);
    await expectNoAxeViolations(page);
    await expectNoSidewaysScroll(page);
    expectNoProblems(tab);
    await tab.context.close();
  });
});

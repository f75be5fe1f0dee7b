// Nothing typed is ever lost (issue 14), as people meet it: a body-map mark placed and described
// but not added is added on save, and one half given stops the save with its field named; what a
// teacher is writing comes back after a reload as a draft only they can see; a DSL whose records
// window ends mid-note keeps the note on screen, confirms it is them in place, and it is saved.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import {
  call,
  categoryIds,
  currentCode,
  makeUser,
  signIn,
  testClock,
} from '../src/test/harness.ts';
import type { ConcernView } from '../src/shared/schemas/concerns.ts';
import type { Chronology } from '../src/shared/schemas/chronology.ts';
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

async function pickPupil(page: Page, part: string, option: string) {
  await page.getByRole('combobox', { name: 'Pupil', exact: true }).fill(part);
  await page.getByRole('option', { name: option }).click();
}

describe('the short form on a phone', () => {
  it('fits a typical concern in two phone screens, the optional sections folded until wanted', async () => {
    clock.set(new Date());
    const cast = await buildSchool(server, 'short');
    // A 390 px phone of today (844 px of viewport, as an iPhone 14 or 15 shows).
    const tab = await openTab(browser, server.baseUrl, { width: 390, height: 844 });
    const page = tab.page;
    await signInThroughPage(page, server, cast.teacher);
    await page.goto('/concerns/new');
    await page.getByRole('heading', { level: 1, name: 'Log a concern' }).waitFor();
    await page.getByLabel('Category').selectOption({ label: 'Physical abuse' });
    // The category's own recipients are named; nobody else is offered until asked for.
    await page.getByText(/^Alerted for this category:/).waitFor();
    expect(await page.getByLabel('Alert a colleague').isVisible()).toBe(false);
    expect(await page.getByLabel('Description of the mark').isVisible()).toBe(false);
    expect(await page.getByLabel('Attachments').isVisible()).toBe(false);
    // Everything a typical concern needs, up to its button, within two screens.
    const save = await page.getByRole('button', { name: 'Save concern' }).boundingBox();
    const scrolled = await page.evaluate(() => window.scrollY);
    expect(save!.y + scrolled + save!.height).toBeLessThanOrEqual(2 * 844);
    await expectNoAxeViolations(page);
    // Opened on demand, each section is there, with the groups in a sensible order.
    await page.locator('summary', { hasText: 'Alert someone else' }).click();
    await page.getByLabel('Alert a colleague').waitFor();
    await page.locator('summary', { hasText: 'Body map' }).click();
    await page.getByLabel('Description of the mark').waitFor();
    await expectNoAxeViolations(page);
    expectNoProblems(tab);
    await tab.context.close();
  });
});

describe('nothing typed is lost', () => {
  it('adds a placed and described mark on save, and names the mark when it is half given', async () => {
    clock.set(new Date());
    const cast = await buildSchool(server, 'mark');
    const tab = await openTab(browser, server.baseUrl, PHONE);
    const page = tab.page;
    await signInThroughPage(page, server, cast.teacher);
    await page.getByRole('button', { name: 'Log a concern' }).click();
    await page.getByRole('heading', { level: 1, name: 'Log a concern' }).waitFor();
    await pickPupil(page, 'Ava', `${cast.pupil.name} (7A)`);
    await page.getByLabel('Category').selectOption({ label: 'Physical abuse' });
    await page.getByLabel('What happened').fill('Ava showed me a bruise on her arm at break.');

    // A place chosen, no description: the save stops and says so by the mark's description.
    await page.locator('summary', { hasText: 'Body map' }).click();
    await page.getByLabel('Place on the body').selectOption({ label: 'Left forearm' });
    await page.getByRole('button', { name: 'Save concern' }).click();
    const description = page.getByLabel('Description of the mark');
    await expect.poll(() => description.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.getByText(/A mark on the body map is not added yet\. Describe the mark/).waitFor();
    expect(await description.getAttribute('aria-invalid')).toBe('true');
    await expectNoAxeViolations(page);

    // Described but "Add mark" never pressed: saving adds it.
    await description.fill('Blue bruise about 2 cm across');
    await page.getByRole('button', { name: 'Save concern' }).click();
    await page.getByRole('status').filter({ hasText: 'Concern saved' }).waitFor();

    const dsl = await signIn(server.t.app, cast.dsl, { elevated: true });
    const chronology = (
      await call(server.t.app, dsl, 'GET', `/api/pupils/${cast.pupil.id}/chronology`)
    ).json<Chronology>();
    const entry = chronology.entries.find((e) => e.kind === 'concern');
    expect(entry, 'the concern is on the chronology').toBeDefined();
    const concern = (
      await call(server.t.app, dsl, 'GET', `/api/concerns/${entry!.id}`)
    ).json<ConcernView>();
    expect(concern.bodyMap).toEqual([
      expect.objectContaining({ side: 'front', description: 'Blue bruise about 2 cm across' }),
    ]);
    expectNoProblems(tab);
    await tab.context.close();
  });

  it('gives a teacher back what they were writing after a reload, and lets them throw it away', async () => {
    clock.set(new Date());
    const cast = await buildSchool(server, 'draft');
    const tab = await openTab(browser, server.baseUrl, PHONE);
    const page = tab.page;
    await signInThroughPage(page, server, cast.teacher);
    await page.goto('/concerns/new');
    await page.getByRole('heading', { level: 1, name: 'Log a concern' }).waitFor();
    const words = 'Ava said she had not eaten since Friday and was cold at home.';
    await page.getByLabel('Where').fill('Library');
    await page.getByLabel('What happened').fill(words);
    await page
      .getByRole('status')
      .filter({ hasText: /^Draft kept at \d\d:\d\d\. Only you/ })
      .waitFor();

    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Log a concern' }).waitFor();
    await page.getByText(/^Your draft from .* is back in the form below\.$/).waitFor();
    expect(await page.getByLabel('What happened').inputValue()).toBe(words);
    expect(await page.getByLabel('Where').inputValue()).toBe('Library');
    await expectNoAxeViolations(page);

    // Another member of staff never sees it.
    const other = await signIn(server.t.app, cast.otherTeacher, { elevated: true });
    const theirs = await call(server.t.app, other, 'GET', '/api/drafts/concern-new');
    expect(theirs.json()).toEqual({ draft: null });

    await page.getByRole('button', { name: 'Discard draft' }).click();
    expect(await page.getByLabel('What happened').inputValue()).toBe('');
    const mine = await signIn(server.t.app, cast.teacher, { elevated: true });
    await expect
      .poll(async () =>
        (await call(server.t.app, mine, 'GET', '/api/drafts/concern-new')).json<unknown>(),
      )
      .toEqual({ draft: null });
    expectNoProblems(tab);
    await tab.context.close();
  });

  it('gives a DSL back an action and a case rationale they were writing, after a reload', async () => {
    clock.set(new Date());
    const cast = await buildSchool(server, 'followdraft');
    const [cat] = await categoryIds(server.t.services, cast.schoolId);
    const teacher = await signIn(server.t.app, cast.teacher);
    const logged = await call(server.t.app, teacher, 'POST', '/api/concerns', {
      pupils: [{ pupilId: cast.pupil.id, role: 'subject' }],
      categoryIds: [cat!.id],
      happenedAt: new Date(Date.now() - 3_600_000).toISOString(),
      body: 'Ava was withdrawn all morning and would not say why.',
    });
    expect(logged.statusCode, logged.body).toBe(201);
    const concernId = logged.json<{ id: string }>().id;
    const dsl = await signIn(server.t.app, cast.dsl, { elevated: true });
    const opened = await call(server.t.app, dsl, 'POST', '/api/cases', {
      pupilId: cast.pupil.id,
      concernId,
    });
    expect(opened.statusCode, opened.body).toBeLessThan(300);
    const caseId = opened.json<{ id: string }>().id;

    const tab = await openTab(browser, server.baseUrl, DESKTOP);
    const page = tab.page;
    await signInThroughPage(page, server, cast.dsl);
    await page
      .getByRole('status')
      .filter({ hasText: /Records unlocked until/ })
      .waitFor();

    // An action half written on the concern comes back after a reload, and goes once added.
    await page.goto(`/concerns/${concernId}`);
    const followUp = page.getByRole('region', { name: 'Follow-up' });
    await followUp.getByRole('button', { name: 'Add an action' }).click();
    const action = 'Phone the school nurse about Ava’s weight and ask for a home visit.';
    await followUp.getByLabel('What needs doing').fill(action);
    await followUp
      .getByRole('status')
      .filter({ hasText: /^Draft kept at \d\d:\d\d\. Only you/ })
      .waitFor();
    await page.reload();
    // The draft opens its form again (it waits behind "Add an action").
    await followUp.getByText(/^Your draft from .* is back in the form below\.$/).waitFor();
    expect(
      await followUp.getByRole('button', { name: 'Add an action' }).getAttribute('aria-expanded'),
    ).toBe('true');
    expect(await followUp.getByLabel('What needs doing').inputValue()).toBe(action);
    // Opened by the draft, not by the person: the focus stays where the page load left it, and
    // never lands on "Discard draft" (one keypress would delete what was typed; WCAG 3.2.1).
    expect(
      await page.evaluate(() => {
        const at = document.activeElement;
        return at === null || at === document.body;
      }),
    ).toBe(true);
    await expectNoAxeViolations(page);
    await followUp.getByRole('button', { name: 'Add action' }).click();
    await followUp.getByRole('status').filter({ hasText: 'Action added.' }).waitFor();
    await followUp.getByRole('list', { name: 'Actions' }).getByText(action).waitFor();
    await page.reload();
    await followUp.getByRole('list', { name: 'Actions' }).getByText(action).waitFor();
    expect(await followUp.getByLabel('What needs doing').inputValue()).toBe('');
    expect(await page.getByText(/is back in the form below/).count()).toBe(0);

    // A case's rationale, long writing, the same.
    await page.goto(`/cases/${caseId}`);
    const close = page.getByRole('region', { name: 'Close the case' });
    const rationale =
      'Mum has engaged with early help; the nurse visited twice and Ava is eating at school.';
    await close.getByLabel('Rationale').fill(rationale);
    await close
      .getByRole('status')
      .filter({ hasText: /^Draft kept at \d\d:\d\d\. Only you/ })
      .waitFor();
    await page.reload();
    await close.getByText(/^Your draft from .* is back in the form below\.$/).waitFor();
    expect(await close.getByLabel('Rationale').inputValue()).toBe(rationale);
    await expectNoAxeViolations(page);
    // Only its author's: another member of the DSL team does not get it.
    const other = await makeUser(server.t.services, cast.schoolId, 'deputy_dsl', 'Dep Uty');
    const theirs = await call(
      server.t.app,
      await signIn(server.t.app, other, { elevated: true }),
      'GET',
      `/api/drafts/case-close-${caseId}`,
    );
    expect(theirs.json()).toEqual({ draft: null });
    expectNoProblems(tab);
    await tab.context.close();
  });

  it('keeps a DSL’s note on screen when the records window ends, and saves it after the second factor in place', async () => {
    clock.set(new Date());
    const cast = await buildSchool(server, 'lapse');
    const tab = await openTab(browser, server.baseUrl, DESKTOP);
    const page = tab.page;
    await page.clock.install();
    await signInThroughPage(page, server, cast.dsl);
    await page.goto(`/pupils/${cast.pupil.id}`);
    await page.getByRole('heading', { level: 1, name: cast.pupil.name }).waitFor();
    await page.getByRole('button', { name: 'Record a conversation' }).click();
    const form = page.getByRole('region', { name: 'Record a conversation' });
    const note =
      'Phoned dad: he will collect Ava on Fridays from now on; school nurse to follow up.';
    await form.getByLabel('What was discussed').fill(note);

    // The school's 15-minute records window ends while the note is being written (typing kept
    // the session itself alive).
    clock.advance(16 * 60_000);
    await page.clock.fastForward(16 * 60_000);
    await page
      .getByText(/^Your records window ended at \d\d:\d\d\. What you are writing stays/)
      .waitFor();
    expect(await form.getByLabel('What was discussed').inputValue()).toBe(note);

    await form.getByRole('button', { name: 'Save conversation' }).click();
    await form.getByText(/Your records window has ended, so this was not sent/).waitFor();
    const confirm = page.getByRole('region', { name: 'Confirm it is you to carry on' });
    await confirm.waitFor();
    await expectNoAxeViolations(page);
    const code = confirm.getByLabel('Authentication code');
    await expect.poll(() => code.evaluate((el) => el === document.activeElement)).toBe(true);
    await code.fill(await currentCode(server.t.app, cast.dsl));
    await confirm.getByRole('button', { name: 'Verify and send again' }).click();
    await form.getByRole('status').filter({ hasText: 'Conversation recorded' }).waitFor();
    await page
      .getByRole('list', { name: `Chronology of ${cast.pupil.name}` })
      .getByText(note)
      .waitFor();
    expect(await page.getByRole('region', { name: 'Confirm it is you to carry on' }).count()).toBe(
      0,
    );
    expectNoProblems(tab);
    await tab.context.close();
  });

  it('counts typing as activity, so a long account typed in one sitting is not signed out', async () => {
    clock.set(new Date());
    const cast = await buildSchool(server, 'typing');
    // A member of the office: never elevated, so no records window's end checks the session.
    const office = await makeUser(server.t.services, cast.schoolId, 'school_admin', 'Olive Office');
    const tab = await openTab(browser, server.baseUrl, PHONE);
    const page = tab.page;
    await page.clock.install();
    await signInThroughPage(page, server, office);
    await page.goto('/concerns/new');
    await page.getByRole('heading', { level: 1, name: 'Log a concern' }).waitFor();
    const warning = page.getByRole('alert').filter({ hasText: /You will be signed out in/ });
    const box = page.getByLabel('What happened');

    // Fifteen of the school's twenty idle minutes pass while a long account is typed…
    clock.advance(15 * 60_000);
    await page.clock.fastForward(15 * 60_000);
    const told = page.waitForResponse((r) => r.url().endsWith('/api/auth/session'));
    await box.pressSequentially('She said ');
    expect((await told).status()).toBe(200);
    // …and ten more: twenty-five in all, but only ten since the last keystroke.
    clock.advance(10 * 60_000);
    await page.clock.fastForward(10 * 60_000);
    await box.pressSequentially('it happened again.');
    expect(await warning.count()).toBe(0);
    expect(await page.getByRole('heading', { level: 1, name: 'Sign in' }).count()).toBe(0);

    // Left alone, the warning still comes.
    clock.advance(19 * 60_000);
    await page.clock.fastForward(19 * 60_000);
    await warning.waitFor();
    expectNoProblems(tab);
    await tab.context.close();
  });
});

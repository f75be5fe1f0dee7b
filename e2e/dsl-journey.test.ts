// The DSL's journey (issue 4), in the browser: a teacher on a phone logs a concern about two
// pupils, each with their own role, with a body map, a file and the DSL they told; the DSL at a desk
// acknowledges the alert, opens a case, adds an action and a referral; the referral goes overdue
// when the (controllable) server clock passes the agency's response time; the DSL closes the case
// with a rationale, finds the record by a word in its text and exports the chronology as a PDF whose
// text is extracted and checked. A teacher of another class sees none of it, on the page or
// through the API. axe checks every page visited.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { extractText, getDocumentProxy } from 'unpdf';
import { call, categoryIds, makeUser, signIn, testClock } from '../src/test/harness.ts';
import { runDueWork } from '../src/jobs/due-work.ts';
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
  teachForm,
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

/** A 1×1 PNG: a real image, as a photo of a note would be. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

const WORD = 'quillwort';

async function pickPupil(page: Page, part: string, option: string, role: string) {
  const box = page.getByRole('combobox', { name: 'Pupil', exact: true });
  await box.fill(part);
  await page.getByRole('option', { name: option }).click();
  await page.getByLabel(`Role for ${option.replace(/ \(.*\)$/, '')}`).selectOption({ label: role });
}

describe('the DSL journey', () => {
  it('runs from a phone in a corridor to a closed case, a search and a PDF', async () => {
    clock.set(new Date());
    const cast = await buildSchool(server, 'journey');
    const [avery, ben] = cast.others;
    // The other teacher has a class of their own: Ben's form, 8C (neither pupil on the concern).
    await teachForm(server, cast.otherTeacher, '8C');
    const text = `Ava said Avery pushed her against the radiator at lunch; ${WORD} mark seen.`;

    // ——— The teacher, on a phone ———
    const teacher = await openTab(browser, server.baseUrl, PHONE);
    const tp = teacher.page;
    await signInThroughPage(tp, server, cast.teacher);
    await tp.getByRole('button', { name: 'Log a concern' }).click();
    await tp.getByRole('heading', { level: 1, name: 'Log a concern' }).waitFor();
    await pickPupil(tp, 'Ava', `${cast.pupil.name} (7A)`, 'Victim');
    await pickPupil(tp, 'Avery', `${avery!.name} (7B)`, 'Alleged perpetrator');
    await tp.getByLabel('Category').selectOption({ label: 'Physical abuse' });
    await tp.getByText('Also record under other categories').click();
    await tp.getByRole('checkbox', { name: 'Bullying', exact: true }).check();
    await tp.getByLabel('Where').fill('Dining hall');
    await tp.getByLabel('What happened').fill(text);

    // Body map (folded away until wanted): one mark chosen from the list, one by tapping the
    // back of the outline.
    await tp.locator('summary', { hasText: 'Body map' }).click();
    await tp.getByLabel('Side of the body').selectOption({ label: 'Front' });
    await tp.getByLabel('Place on the body').selectOption({ label: 'Left forearm' });
    await tp.getByLabel('Type of mark').selectOption({ label: 'Bruise' });
    await tp.getByLabel('Description of the mark').fill('Blue-purple bruise about 3 cm across');
    await tp.getByRole('button', { name: 'Add mark' }).click();
    const back = tp.getByRole('img', { name: /^Back of the body/ });
    const box = (await back.boundingBox())!;
    await back.click({ position: { x: box.width * 0.5, y: box.height * 0.3 } });
    expect(await tp.getByLabel('Side of the body').inputValue()).toBe('back');
    await tp.getByLabel('Type of mark').selectOption({ label: 'Cut or graze' });
    await tp.getByLabel('Description of the mark').fill('Graze between the shoulder blades');
    await tp.getByRole('button', { name: 'Add mark' }).click();
    await tp.getByRole('button', { name: 'Remove mark 2' }).waitFor();
    expect(
      await tp
        .getByRole('img', { name: /^Front of the body: mark 1, Bruise, Left forearm/ })
        .count(),
    ).toBe(1);

    await tp.locator('summary', { hasText: 'Attach files' }).click();
    await tp.getByLabel('Attachments').setInputFiles({
      name: 'note-from-ava.png',
      mimeType: 'image/png',
      buffer: PNG,
    });
    await tp.getByRole('checkbox', { name: 'I verbally informed a DSL' }).check();
    await tp.getByLabel('Which DSL').selectOption({ label: cast.dsl.name });
    await expectNoAxeViolations(tp);
    await tp.getByRole('button', { name: 'Save concern' }).click();
    await tp.getByRole('status').filter({ hasText: 'Concern saved' }).waitFor();
    expectNoProblems(teacher);
    await teacher.context.close();

    // ——— The DSL, at a desk ———
    const dsl = await openTab(browser, server.baseUrl, DESKTOP);
    const dp = dsl.page;
    await signInThroughPage(dp, server, cast.dsl);
    const alerts = dp.getByRole('region', { name: 'My alerts' });
    await alerts
      .getByRole('link', { name: /^Concern about / })
      .first()
      .waitFor();
    await expectNoAxeViolations(dp);
    await alerts.getByRole('button', { name: 'Acknowledge' }).first().click();
    await dp.getByRole('status').filter({ hasText: 'Alert acknowledged.' }).waitFor();
    await alerts.getByText('No alerts are waiting for you.').waitFor();

    const recent = dp.getByRole('region', { name: 'Recent concerns' });
    await recent.getByText(text).waitFor();
    await recent
      .getByRole('link', { name: /^Concern of/ })
      .first()
      .click();
    await dp.getByRole('heading', { level: 1, name: 'Concern' }).waitFor();
    const concernId = new URL(dp.url()).pathname.split('/').pop()!;
    await dp.getByText(`${cast.pupil.name} (Victim)`).waitFor();
    await dp.getByText(`${avery!.name} (Alleged perpetrator)`).waitFor();
    await dp.getByText('Bruise, Left forearm (front)').first().waitFor();
    await dp
      .getByText(/^Cut or graze, .* \(back\)$/)
      .first()
      .waitFor();
    await dp.getByRole('link', { name: 'note-from-ava.png' }).waitFor();
    await expectNoAxeViolations(dp);

    // A case, an action and a referral to children's social care (expected within 24 hours).
    const followUp = dp.getByRole('region', { name: 'Follow-up' });
    await followUp.getByRole('button', { name: 'Open or join a case' }).click();
    await followUp.getByLabel('Pupil the case is about').selectOption({ label: cast.pupil.name });
    await followUp.getByRole('button', { name: 'Open a case' }).click();
    await dp.getByRole('status').filter({ hasText: 'The case was updated.' }).waitFor();
    await followUp.getByRole('button', { name: 'Add an action' }).click();
    await followUp.getByLabel('Type of action', { exact: true }).selectOption('meeting');
    await followUp.getByLabel('What needs doing').fill('Meet Ava with her form tutor');
    await followUp.getByLabel('Assigned to').selectOption({ label: `${cast.dsl.name} (DSL team)` });
    await followUp.getByRole('button', { name: 'Add action' }).click();
    await followUp.getByRole('status').filter({ hasText: 'Action added.' }).waitFor();
    await followUp.getByRole('button', { name: 'Record a referral' }).click();
    const agency = followUp.getByLabel('Agency', { exact: true });
    const social = await agency
      .locator('option', { hasText: "Children's social care" })
      .first()
      .textContent();
    await agency.selectOption({ label: social ?? '' });
    await followUp.getByLabel('Their reference (optional)').fill('MASH-7781');
    await followUp.getByRole('button', { name: 'Record referral' }).click();
    await followUp.getByRole('status').filter({ hasText: 'Referral recorded.' }).waitFor();
    const referrals = followUp.getByRole('list', { name: 'Referrals' });
    await referrals.getByRole('link', { name: "Referral to Children's social care" }).waitFor();
    expect(await referrals.getByText('Overdue', { exact: true }).count()).toBe(0);
    await expectNoAxeViolations(dp);

    // The next day: 25 hours pass on the server's clock with no response. The due-work job finds
    // the overdue referral and alerts the DSL team; the DSL's session has long ended.
    clock.advance(25 * 3_600_000);
    const work = await runDueWork(server.t.services, clock.now());
    expect(work.overdueReferrals).toBe(1);
    await dp.goto('/');
    await signInThroughPage(dp, server, cast.dsl);
    await dp
      .getByRole('region', { name: 'My alerts' })
      .getByRole('link', { name: 'A referral has had no response in the expected time' })
      .waitFor();
    const overdue = dp.getByRole('region', { name: 'Overdue referrals' });
    await overdue.getByText('Overdue', { exact: true }).waitFor();
    await expectNoAxeViolations(dp);
    await overdue.getByRole('link', { name: /Children's social care referral for/ }).click();
    await dp
      .getByRole('heading', { level: 1, name: "Referral to Children's social care" })
      .waitFor();
    await dp.getByText('MASH-7781').waitFor();
    await dp.getByText('Overdue', { exact: true }).first().waitFor();
    await expectNoAxeViolations(dp);

    // The case closes only with an outcome and a written rationale.
    await dp.goto(`/concerns/${concernId}`);
    await dp.getByRole('link', { name: 'Open the case' }).click();
    await dp.getByRole('heading', { level: 1, name: `Case: ${cast.pupil.name}` }).waitFor();
    await dp.getByLabel('Outcome', { exact: true }).fill('Referred; social care assessing');
    // Work still open is asked about (issue 14; e2e/case-open-work.test.ts): kept open here.
    const keep = dp
      .getByRole('region', { name: 'Close the case' })
      .getByRole('radio', { name: 'Keep it open' });
    for (let i = 0; i < (await keep.count()); i++) await keep.nth(i).check();
    await dp.getByRole('button', { name: 'Close case' }).click();
    await dp.getByText(/Write the rationale for this decision/).waitFor();
    await dp
      .getByLabel('Rationale')
      .fill('Social care have taken the lead under section 47; school support plan in place.');
    await dp.getByRole('button', { name: 'Close case' }).click();
    await dp.getByRole('status').filter({ hasText: 'Case closed.' }).waitFor();
    await expectNoAxeViolations(dp);

    // Found by a word in its (encrypted) text, and narrowed (or emptied) by a category filter.
    await dp.getByRole('link', { name: 'Search', exact: true }).click();
    await dp.getByRole('heading', { level: 1, name: 'Search records' }).waitFor();
    await dp.getByLabel('Search records').fill(WORD);
    await dp.getByRole('button', { name: 'Search', exact: true }).click();
    await dp.getByRole('status').filter({ hasText: '1 of 1 result' }).waitFor();
    await dp.getByText('More filters').click();
    await dp.getByLabel('Category').selectOption({ label: 'Neglect' });
    await dp.getByRole('button', { name: 'Search', exact: true }).click();
    await dp.getByRole('status').filter({ hasText: 'Nothing you can see matches.' }).waitFor();
    await dp.getByLabel('Category').selectOption({ label: 'Bullying' });
    await dp.getByRole('button', { name: 'Search', exact: true }).click();
    const hit = dp.getByRole('link', { name: `Concern about ${cast.pupil.name}, ${avery!.name}` });
    await hit.waitFor();
    await expectNoAxeViolations(dp);
    await hit.click();
    await dp.getByRole('heading', { level: 1, name: 'Concern' }).waitFor();
    expect(new URL(dp.url()).pathname).toBe(`/concerns/${concernId}`);

    // The chronology as a PDF, read back as text.
    await dp.goto(`/pupils/${cast.pupil.id}`);
    await dp.getByRole('heading', { level: 1, name: cast.pupil.name }).waitFor();
    const timeline = dp.getByRole('list', { name: `Chronology of ${cast.pupil.name}` });
    await timeline
      .getByText(/Referral to Children's social care/)
      .first()
      .waitFor();
    await expectNoAxeViolations(dp);
    const [download] = await Promise.all([
      dp.waitForEvent('download'),
      dp.getByRole('link', { name: 'Export as PDF' }).click(),
    ]);
    const pdfPath = await download.path();
    const { readFile } = await import('node:fs/promises');
    const bytes = new Uint8Array(await readFile(pdfPath));
    expect(Buffer.from(bytes.subarray(0, 5)).toString()).toBe('%PDF-');
    const { text: pdfText } = await extractText(await getDocumentProxy(bytes), {
      mergePages: true,
    });
    expect(pdfText).toContain(cast.pupil.name);
    expect(pdfText).toContain(cast.schoolName);
    expect(pdfText).toContain(WORD);
    expect(pdfText).toContain(cast.dsl.name);
    expect(pdfText).toMatch(/Page 1 of \d+/);
    expectNoProblems(dsl);
    await dsl.context.close();

    // ——— A teacher of another class: none of it, on the page or through the API ———
    const other = await signIn(server.t.app, cast.otherTeacher, { elevated: true });
    // They do see their own class, so the refusals below are about scope, not a bare account.
    expect(
      (await call(server.t.app, other, 'GET', `/api/pupils/${ben!.id}/chronology`)).statusCode,
    ).toBe(200);
    expect((await call(server.t.app, other, 'GET', `/api/concerns/${concernId}`)).statusCode).toBe(
      404,
    );
    for (const url of [
      `/api/pupils/${cast.pupil.id}/chronology`,
      `/api/pupils/${cast.pupil.id}/chronology.pdf`,
    ]) {
      expect((await call(server.t.app, other, 'GET', url)).statusCode, url).toBe(403);
    }
    const searched = await call(server.t.app, other, 'POST', '/api/search', { q: WORD });
    expect([200, 403]).toContain(searched.statusCode);
    expect(searched.body).not.toContain(concernId);
    const dash = await call(server.t.app, other, 'GET', '/api/dashboard');
    expect(dash.body).not.toContain(concernId);
    expect(dash.body).not.toContain(cast.pupil.name);

    const ot = await openTab(browser, server.baseUrl, PHONE);
    await signInThroughPage(ot.page, server, cast.otherTeacher);
    await ot.page.getByText('No alerts are waiting for you.').waitFor();
    expect(await ot.page.getByText(text).count()).toBe(0);
    await ot.page.goto(`/concerns/${concernId}`);
    await ot.page.getByRole('heading', { level: 1, name: 'Not found' }).waitFor();
    expect(await ot.page.getByText(text).count()).toBe(0);
    await expectNoAxeViolations(ot.page);
    expectNoProblems(ot);
    await ot.context.close();
  }, 240_000);

  it("shows a class teacher of one linked pupil the other only as 'Another pupil'", async () => {
    const cast = await buildSchool(server, 'shared');
    const [avery] = cast.others;
    // Cara teaches Avery's form (7B), not Ava's (7A).
    const cara = { ...(await makeUser(server.t.services, cast.schoolId, 'teacher')), name: 'Cara' };
    await teachForm(server, cara, '7B');
    await signIn(server.t.app, cara, { elevated: true }); // sets up her authenticator app
    const bullying = (await categoryIds(server.t.services, cast.schoolId)).find(
      (c) => c.name === 'Bullying',
    )!;
    const text = 'Pushing and name-calling by the lockers before registration.';
    const logged = await call(
      server.t.app,
      await signIn(server.t.app, cast.teacher),
      'POST',
      '/api/concerns',
      {
        pupils: [
          { pupilId: cast.pupil.id, role: 'victim' },
          { pupilId: avery!.id, role: 'alleged_perpetrator' },
        ],
        categoryIds: [bullying.id],
        happenedAt: new Date(Date.now() - 3_600_000).toISOString(),
        body: text,
      },
    );
    expect(logged.statusCode, logged.body).toBe(201);
    const concernId = logged.json<{ id: string }>().id;

    const tab = await openTab(browser, server.baseUrl, DESKTOP);
    const page = tab.page;
    await signInThroughPage(page, server, cara);
    // Records need a second factor: the school asks readers for it at sign-in (by default), so
    // the class teacher is already elevated and no step-up panel is offered.
    const recent = page.getByRole('region', { name: 'Recent concerns' });
    await recent.getByText(text).waitFor();
    expect(await page.getByRole('region', { name: 'Confirm it is you' }).count()).toBe(0);
    await recent.getByText('Another pupil').waitFor();
    expect(await recent.getByText(cast.pupil.name).count()).toBe(0);
    await expectNoAxeViolations(page);
    await recent.getByRole('link', { name: /^Concern of/ }).click();
    await page.getByRole('heading', { level: 1, name: 'Concern' }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/concerns/${concernId}`);
    await page.getByText(`${avery!.name} (Alleged perpetrator)`).waitFor();
    await page.getByText('Another pupil (Victim)').waitFor();
    expect(await page.getByRole('link', { name: 'Another pupil' }).count()).toBe(0);
    const shown = await page.locator('main').innerText();
    expect(shown).not.toContain(cast.pupil.name);
    expect(shown).not.toContain(cast.pupil.lastName);
    expect(await page.content()).not.toContain(cast.pupil.id);
    await expectNoAxeViolations(page);
    expectNoProblems(tab);
    await tab.context.close();
  });
});

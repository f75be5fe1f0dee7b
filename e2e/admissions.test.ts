// Issue 21 in the browser: a parent on a phone fills an admission form (saves, comes back,
// sends it) and answers a consent form; the DSL reviews the form field by field against the MIS,
// accepts one field and rejects another with an internal reason, and exports the write-back file
// for the MIS. axe checks every state.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { call, signIn } from '../src/test/harness.ts';
import { makeParent, parentCode } from '../src/features/parents/parent-test-kit.ts';
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

describe('admission and consent forms', () => {
  it('a parent fills and sends a form and answers a consent; staff review, decide and export', async () => {
    const cast = await buildSchool(server, 'forms');
    const app = server.t.app;
    const dsl = await signIn(app, cast.dsl, { elevated: true });
    const made = await call(app, dsl, 'POST', '/api/admissions/forms', {
      title: 'Reception admission 2027',
      intake: 'reception',
      questions: [
        { field: 'ethnicity', required: true },
        { field: 'first_language', required: true },
        { field: 'dietary_needs', required: false },
        { field: 'medical_conditions', required: false },
      ],
    });
    expect(made.statusCode, made.body).toBe(201);
    const formId = made.json<{ id: string }>().id;
    const sent = await call(app, dsl, 'POST', `/api/admissions/forms/${formId}/send`, {
      pupilIds: [cast.pupil.id],
    });
    expect(sent.statusCode, sent.body).toBe(200);
    const consent = await call(app, dsl, 'POST', '/api/consents/forms', {
      title: 'Local trips',
      text: 'Walks to the park and the library during the school day.',
      pupilIds: [cast.pupil.id],
    });
    expect(consent.statusCode, consent.body).toBe(201);
    const parent = await makeParent(server.t, cast.schoolId, [cast.pupil.id], {
      firstName: 'Pat',
      lastName: 'Parent',
    });

    // The parent, on a phone.
    const phone = await openTab(browser, server.baseUrl, PHONE);
    const p = phone.page;
    await p.goto('/parent');
    await p.getByLabel('Email address').fill(parent.email);
    await p.getByLabel('Password', { exact: true }).fill(parent.password);
    await p.getByRole('button', { name: 'Sign in' }).click();
    await p.getByLabel('Authentication code').waitFor({ timeout: 30_000 });
    await p.getByLabel('Authentication code').fill(await parentCode(server.t, parent));
    await p.getByRole('button', { name: 'Verify' }).click();
    await p.getByRole('link', { name: 'Forms', exact: true }).click();
    await p.getByRole('link', { name: 'Reception admission 2027' }).click();
    await p.getByRole('heading', { level: 1, name: 'Reception admission 2027' }).waitFor();
    await expectNoAxeViolations(p);
    await p.getByLabel('Ethnicity').selectOption({ label: 'White and Black Caribbean' });
    await p.getByLabel('Medical conditions').fill('Asthma: blue inhaler in the bag.');
    await p.getByRole('button', { name: 'Save and come back later' }).click();
    await p.getByText('Saved. You can come back and finish it later.').waitFor();
    await expectNoAxeViolations(p);
    // Coming back: what was saved is there.
    await p.reload();
    await p.getByRole('heading', { level: 1, name: 'Reception admission 2027' }).waitFor();
    await expect.poll(() => p.getByLabel('Ethnicity').inputValue()).toBe('MWBC');
    expect(await p.getByLabel('Medical conditions').inputValue()).toBe(
      'Asthma: blue inhaler in the bag.',
    );
    // Sending without a required answer is refused, naming the field; nothing typed is lost.
    await p.getByRole('button', { name: 'Send to the school' }).click();
    await p.getByText('First language: please answer this before sending the form.').waitFor();
    await expectNoAxeViolations(p);
    await p.getByLabel('First language').selectOption({ label: 'Polish' });
    await p.getByLabel('Dietary needs').selectOption({ label: 'Vegetarian' });
    await p.getByRole('button', { name: 'Send to the school' }).click();
    await p.getByText('Thank you: the form has been sent to the school.').waitFor();
    await p.getByText('You sent this form to the school.').waitFor();
    // Sent: the answers are shown, no longer editable.
    expect(await p.getByLabel('Ethnicity').count()).toBe(0);
    await p.getByText('MWBC (White and Black Caribbean)').waitFor();
    await expectNoAxeViolations(p);
    expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      PHONE.width,
    );

    await p.goto('/parent/consents');
    await p.getByRole('heading', { level: 3, name: 'Local trips (version 1)' }).waitFor();
    await expectNoAxeViolations(p);
    // Nothing is chosen for the parent: sending without a choice asks for one.
    expect(await p.getByLabel('I give consent').isChecked()).toBe(false);
    expect(await p.getByLabel('I do not give consent').isChecked()).toBe(false);
    await p.getByRole('button', { name: 'Send my answer' }).click();
    await p.getByText('Choose whether you give consent before sending your answer.').waitFor();
    await expectNoAxeViolations(p);
    await p.getByLabel('I give consent').check();
    await p.getByRole('button', { name: 'Send my answer' }).click();
    await p.getByText('Thank you: your answer has been recorded.').waitFor();
    await p.getByText(/You gave consent on/).waitFor();
    await expectNoAxeViolations(p);
    expectNoProblems(phone);

    // The DSL reviews the difference, decides, and exports the file.
    const desk = await openTab(browser, server.baseUrl, DESKTOP);
    const s = desk.page;
    await signInThroughPage(s, server, cast.dsl);
    await s.goto(`/parents/admissions/${formId}`);
    await s.getByRole('heading', { level: 1, name: 'Reception admission 2027' }).waitFor();
    await expectNoAxeViolations(s);
    await s.getByRole('link', { name: `Review ${cast.pupil.name}’s answers` }).click();
    // Each parent's own copy, under their name; a field's card under it.
    await s.getByRole('heading', { level: 2, name: `${parent.name}’s answers` }).waitFor();
    await s.getByRole('heading', { level: 3, name: 'Ethnicity' }).waitFor();
    await s.getByText('MWBC (White and Black Caribbean)').waitFor();
    await expectNoAxeViolations(s);
    await s.getByRole('button', { name: 'Accept Ethnicity' }).click();
    await s
      .getByRole('listitem', { name: 'Ethnicity' })
      .getByText('Accepted: queued for the MIS.')
      .waitFor();
    await s
      .getByLabel(`Reason for rejecting ${parent.name}’s Dietary needs (staff only)`)
      .fill('Checked with the family: no longer vegetarian.');
    await s.getByRole('button', { name: 'Reject Dietary needs' }).click();
    await s.getByText(/Reason \(staff only\): Checked with the family/).waitFor();
    await expectNoAxeViolations(s);
    await s.goto('/parents/admissions/writeback');
    await s.getByRole('heading', { level: 1, name: 'Changes waiting for the MIS' }).waitFor();
    await s.getByRole('cell', { name: 'MWBC (White and Black Caribbean)' }).waitFor();
    await expectNoAxeViolations(s);
    const [download] = await Promise.all([
      s.waitForEvent('download'),
      s.getByRole('button', { name: 'Export the file for the MIS' }).click(),
    ]);
    const csv = await readFile(await download.path(), 'utf8');
    expect(csv.split('\r\n')[0]).toMatch(/^Lantern Row ID,UPN,Admission Number,/);
    expect(csv).toContain(',Ethnicity,MWBC,White and Black Caribbean,');
    expect(csv).not.toContain('vegetarian');
    await s.getByText(/^Exported 1 change as lantern-mis-writeback-/).waitFor();
    await s.getByText('Nothing is waiting to go back to the MIS.').waitFor();
    await expectNoAxeViolations(s);
    // Withdrawing a consent form asks first.
    await s.goto(`/parents/consents/${consent.json<{ id: string }>().id}`);
    await s.getByRole('button', { name: 'Withdraw this form' }).click();
    await s.getByText(/Withdraw “Local trips”\? Parents will no longer be asked/).waitFor();
    await expectNoAxeViolations(s);
    await s.getByRole('button', { name: 'Cancel' }).click();
    await s.getByRole('button', { name: 'Withdraw this form' }).waitFor();
    expectNoProblems(desk);

    // The parent's own view never shows the review.
    await p.goto('/parent/forms');
    await p.getByRole('link', { name: 'Reception admission 2027' }).click();
    await p.getByText('You sent this form to the school.').waitFor();
    expect(await p.content()).not.toMatch(/no longer vegetarian|Rejected|Accepted/);
  }, 180_000);
});

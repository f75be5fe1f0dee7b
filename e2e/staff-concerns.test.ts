// Issue 19 in the browser: a teacher, on a 390 px phone, follows the dashboard's "Raise a concern
// about an adult", names a colleague, says what happened, sends it to the headteacher and then sees
// only their receipt; the headteacher finds it in their list and triages it as low-level; an
// allegation about the DSL goes to the headteacher, who triages it as possibly meeting the harm
// threshold, which starts the LADO clock; the DSL can find it nowhere. axe checks every state.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { call, makeUser, signIn } from '../src/test/harness.ts';
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
const PHONE_390 = { width: 390, height: 844 } as const;

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.t.close();
});

describe('concerns about adults', () => {
  it('a teacher raises one on a phone; the head triages; an allegation about the DSL stays hidden from them', async () => {
    const cast = await buildSchool(server, 'adults');
    const app = server.t.app;
    const head = {
      ...(await makeUser(server.t.services, cast.schoolId, 'headteacher', 'Hana Head')),
      name: 'Hana Head',
    };
    await signIn(app, head, { elevated: true }); // enrols their authenticator

    // The teacher, on a phone.
    const phone = await openTab(browser, server.baseUrl, PHONE_390);
    const p = phone.page;
    await signInThroughPage(p, server, cast.teacher);
    await p.getByRole('link', { name: 'Raise a concern about an adult' }).click();
    await p.getByRole('heading', { level: 1, name: 'Raise a concern about an adult' }).waitFor();
    await expectNoAxeViolations(p);
    // Nothing chosen yet: refused beside the fields, and axe on that state too.
    await p.getByRole('button', { name: 'Send to the headteacher' }).click();
    await p.getByText('Choose who the concern is about.').waitFor();
    await expectNoAxeViolations(p);
    await p.getByLabel('Who is the concern about').selectOption({ label: cast.otherTeacher.name });
    await p.getByLabel('What happened').fill('Left a pupil alone in the minibus for ten minutes.');
    await p.getByRole('button', { name: 'Send to the headteacher' }).click();
    await p.getByRole('heading', { level: 1, name: 'Your receipts' }).waitFor();
    await p.getByText('Sent to the headteacher. This is your receipt.').waitFor();
    const receipts = p.getByRole('list', { name: 'Receipts' });
    await expect.poll(() => receipts.getByRole('listitem').count()).toBe(1);
    expect(await p.content()).not.toContain('minibus');
    expect(await p.content()).not.toContain(cast.otherTeacher.name);
    await expectNoAxeViolations(p);
    // The page fits the phone: nothing wider than the screen.
    const overflow = await p.evaluate(() => document.documentElement.scrollWidth);
    expect(overflow).toBeLessThanOrEqual(390);

    // About the DSL: the button names the headteacher.
    await p.goto('/staff-concerns/new');
    await p.getByLabel('Who is the concern about').selectOption({ label: cast.dsl.name });
    await p.getByLabel('What happened').fill('Shared a pupil’s disclosure in the staff room.');
    await p.getByRole('button', { name: 'Send to the headteacher' }).click();
    await p.getByText('Sent to the headteacher. This is your receipt.').waitFor();
    // About the headteacher: the button names the chair of governors (not sent).
    await p.goto('/staff-concerns/new');
    await p.getByLabel('Who is the concern about').selectOption({ label: head.name });
    await p.getByRole('button', { name: 'Send to the chair of governors' }).waitFor();
    await expectNoAxeViolations(p);
    // The teacher cannot open the case manager's list.
    const refused = await call(
      app,
      await signIn(app, cast.teacher, { elevated: true }),
      'GET',
      '/api/staff-concerns',
    );
    expect(refused.statusCode).toBe(403);
    expectNoProblems(phone);
    await phone.context.close();

    // The headteacher triages the low-level concern, then the allegation about the DSL.
    const desk = await openTab(browser, server.baseUrl, DESKTOP);
    const d = desk.page;
    await signInThroughPage(d, server, head);
    await d.getByRole('link', { name: 'Concerns about adults' }).click();
    await d.getByRole('heading', { level: 1, name: 'Concerns about adults' }).waitFor();
    await expectNoAxeViolations(d);
    await d.getByRole('link', { name: new RegExp(cast.otherTeacher.name) }).click();
    await d.getByText('Left a pupil alone in the minibus for ten minutes.').waitFor();
    await expectNoAxeViolations(d);
    await d.getByRole('radio', { name: 'Low-level concern' }).check();
    await d.getByLabel('Rationale').fill('Poor judgement; no harm. Recorded and discussed.');
    await d.getByRole('button', { name: 'Record triage' }).click();
    await d.getByText('Triage recorded.').waitFor();
    await expectNoAxeViolations(d);

    await d.goto('/staff-concerns');
    await d.getByRole('link', { name: new RegExp(cast.dsl.name) }).click();
    await d.getByRole('radio', { name: 'Possibly meets the harm threshold' }).check();
    await d.getByLabel('Rationale').fill('Breach of confidentiality: consult the LADO.');
    await d.getByRole('button', { name: 'Record triage' }).click();
    await d.getByText('Triage recorded.').waitFor();
    await d
      .getByText(/LADO (overdue: was )?due/)
      .first()
      .waitFor();
    await d.goto('/staff-concerns');
    await d.getByText(/LADO (overdue: was )?due/).waitFor();
    await expectNoAxeViolations(d);
    expectNoProblems(desk);
    await desk.context.close();

    // The DSL: no link, no list, no matter, nothing in search.
    const dslTab = await openTab(browser, server.baseUrl, DESKTOP);
    const q = dslTab.page;
    await signInThroughPage(q, server, cast.dsl);
    await q.getByRole('link', { name: 'Raise a concern about an adult' }).waitFor();
    expect(await q.getByRole('link', { name: 'Concerns about adults' }).count()).toBe(0);
    await q.goto('/staff-concerns');
    await q.getByRole('heading', { level: 1, name: 'You cannot see this' }).waitFor();
    expect(await q.content()).not.toContain('staff room');
    await expectNoAxeViolations(q);
    const api = await signIn(app, cast.dsl, { elevated: true });
    const found = await call(app, api, 'POST', '/api/search', { q: 'staff room disclosure' });
    expect(found.json<{ count: number }>().count).toBe(0);
    await dslTab.context.close();
  });
});

// Issue 19 in the browser: a teacher, on a 390 px phone, follows the dashboard's "Raise a concern
// about an adult", names a colleague, says what happened, sends it to the headteacher and then sees
// only their receipt; the headteacher finds it in their list and triages it as low-level; an
// allegation about the DSL goes to the headteacher, who triages it as possibly meeting the harm
// threshold, which starts the LADO clock; the DSL can find it nowhere. Then, on a phone, the head
// records an allegation's LADO contact, its outcome and the copy given, makes a reference pack,
// changes the area's settings and opens the patterns review and the area's audit; a pupil linked
// to the matter shows the head an opaque marker and the DSL nothing. axe checks every state.
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

  it('on a phone, the head records the LADO contact, the outcome and the copy given, uses the pack, settings, patterns and audit pages; a linked pupil shows the marker to the head only', async () => {
    const started = Date.now();
    const cast = await buildSchool(server, 'lado');
    const app = server.t.app;
    const head = {
      ...(await makeUser(server.t.services, cast.schoolId, 'headteacher', 'Hana Head')),
      name: 'Hana Head',
    };
    const headApi = await signIn(app, head, { elevated: true }); // enrols their authenticator
    const raised = await call(
      app,
      await signIn(app, cast.teacher, { elevated: true }),
      'POST',
      '/api/staff-concerns',
      {
        subjectKind: 'staff',
        subjectUserId: cast.otherTeacher.id,
        whatHappened: 'Messaged a pupil on a personal phone late at night.',
      },
    );
    expect(raised.statusCode, raised.body).toBe(201);
    const id = raised.json<{ id: string }>().id;
    const triaged = await call(app, headApi, 'POST', `/api/staff-concerns/${id}/triage`, {
      classification: 'possibly_meets_threshold',
      rationale: 'Possible grooming: consult the LADO.',
    });
    expect(triaged.statusCode, triaged.body).toBe(200);
    const linked = await call(app, headApi, 'POST', `/api/staff-concerns/${id}/pupils`, {
      pupilId: cast.pupil.id,
    });
    expect(linked.statusCode, linked.body).toBe(200);

    const phone = await openTab(browser, server.baseUrl, PHONE_390);
    const p = phone.page;
    await signInThroughPage(p, server, head);
    await p.goto(`/staff-concerns/${id}`);
    await p.getByRole('heading', { level: 2, name: 'Record the LADO contact' }).waitFor();
    await expectNoAxeViolations(p);

    // Refused before sending, beside the fields; what was typed stays.
    const lado = p.getByRole('form', { name: 'Record the LADO contact' });
    await lado.getByLabel('LADO officer').fill('Lou LADO');
    await lado.getByLabel('LADO reference (optional)').fill('LADO-2026-42');
    await lado.getByRole('button', { name: 'Record LADO contact' }).click();
    await lado.getByText('Write the LADO’s advice.').waitFor();
    expect(await lado.getByLabel('LADO officer').inputValue()).toBe('Lou LADO');
    await expectNoAxeViolations(p);
    // By keyboard: the advice, then the involvement boxes.
    await lado
      .getByLabel('Their advice')
      .fill('Strategy discussion on Tuesday; no suspension yet.');
    await lado.getByLabel('Strategy meeting date (optional)').fill('2026-03-17');
    await lado.getByLabel('Children’s social care are involved').focus();
    await p.keyboard.press('Space');
    expect(await lado.getByLabel('Children’s social care are involved').isChecked()).toBe(true);
    await lado.getByLabel('Suspension decision (optional)').fill('Not suspended: other duties.');
    await lado.getByLabel('Suspension review date (optional)').fill('2026-04-01');
    await lado.getByRole('button', { name: 'Record LADO contact' }).click();
    await p.getByText('LADO contact recorded.').waitFor();
    const contacts = p.getByRole('list', { name: 'LADO contacts' });
    await contacts.getByText('LADO-2026-42').waitFor();
    await contacts.getByText('children’s social care').waitFor();
    await p.getByText('LADO contacted.').waitFor();
    await expectNoAxeViolations(p);

    // The outcome: exactly KCSIE's five; none chosen is refused beside the choice.
    const outcome = p.getByRole('form', { name: 'Outcome' });
    expect(await outcome.getByRole('radio').count()).toBe(5);
    await outcome.getByRole('button', { name: 'Record outcome' }).click();
    await outcome.getByText('Choose the outcome.').waitFor();
    await expectNoAxeViolations(p);
    await outcome.getByRole('radio', { name: /^Substantiated/ }).check();
    await outcome.getByRole('button', { name: 'Record outcome' }).click();
    await p.getByText('Outcome recorded.').waitFor();
    await p.getByRole('heading', { level: 2, name: 'Retention' }).waitFor();
    // The form goes once the matter reloads with its outcome (it may still be there a moment).
    await p.getByRole('form', { name: 'Outcome' }).waitFor({ state: 'detached' });
    await expectNoAxeViolations(p);

    // The copy given to the member.
    const copy = p.getByRole('form', { name: 'Copy given to the member' });
    await copy.getByLabel('Date a copy was given to the member').fill('2026-03-20');
    await copy.getByRole('button', { name: 'Record date' }).click();
    await p.getByText('A copy was given to the member on 20 March 2026.').waitFor();
    await expectNoAxeViolations(p);
    const overflow = await p.evaluate(() => document.documentElement.scrollWidth);
    expect(overflow).toBeLessThanOrEqual(390);

    // The reference pack: the substantiated matter, chosen by the member's name.
    // Never about the reader; and the pack says it covers only the head's team's matters.
    await p.goto('/staff-concerns/reference-pack');
    const members = p.getByLabel('Member of staff');
    await members
      .getByRole('option', { name: cast.otherTeacher.name })
      .waitFor({ state: 'attached' });
    expect(await members.locator('option').allTextContents()).not.toContain(head.name);
    await members.selectOption({ label: cast.otherTeacher.name });
    await p.getByRole('button', { name: 'Make reference pack' }).click();
    await p
      .getByRole('heading', {
        level: 2,
        name: `Substantiated allegations about ${cast.otherTeacher.name}`,
      })
      .waitFor();
    await p.getByText('Messaged a pupil on a personal phone late at night.').waitFor();
    await p
      .getByText(
        'Matters about the headteacher are managed by the chair of governors and are not included.',
        { exact: false },
      )
      .waitFor();
    await expectNoAxeViolations(p);

    // The area's settings: a wrong time is refused beside it, and what was typed stays.
    await p.goto('/staff-concerns/settings');
    const time = p.getByLabel('The LADO must be told by this time on the next working day');
    await time.fill('5pm');
    await p.getByLabel('Themes for low-level concerns').fill('Favouritism\nPhones');
    await p.getByRole('button', { name: 'Save settings' }).click();
    await p.getByText('Enter a time of day such as 17:00.').waitFor();
    expect(await p.getByLabel('Themes for low-level concerns').inputValue()).toBe(
      'Favouritism\nPhones',
    );
    await expectNoAxeViolations(p);
    await time.fill('16:30');
    await p.getByRole('button', { name: 'Save settings' }).click();
    await p.getByText('Settings saved.').waitFor();
    await expectNoAxeViolations(p);
    // The patterns review and the area's audit.
    await p.goto('/staff-concerns/patterns');
    await p.getByRole('heading', { level: 2, name: 'By theme, for the code of conduct' }).waitFor();
    await expectNoAxeViolations(p);
    await p.goto('/staff-concerns/audit');
    await p.getByRole('cell', { name: 'Recorded the outcome' }).first().waitFor();
    await expectNoAxeViolations(p);

    // The linked pupil's chronology: the head sees the opaque marker, which leads to the matter.
    await p.goto(`/pupils/${cast.pupil.id}`);
    const marker = p.getByRole('link', { name: 'Linked to a staff matter' });
    await marker.waitFor();
    await expectNoAxeViolations(p);
    expect(await p.content()).not.toContain('personal phone');
    await marker.click();
    await p.getByText('Messaged a pupil on a personal phone late at night.').waitFor();
    expectNoProblems(phone);
    await phone.context.close();

    // The DSL opens the same pupil: nothing of the matter, not even the marker.
    const dslTab = await openTab(browser, server.baseUrl, PHONE_390);
    const q = dslTab.page;
    await signInThroughPage(q, server, cast.dsl);
    await q.goto(`/pupils/${cast.pupil.id}`);
    await q.getByRole('heading', { level: 1, name: cast.pupil.name }).waitFor();
    await q.getByText('Chronology, newest first.').waitFor();
    expect(await q.getByText('Linked to a staff matter').count()).toBe(0);
    expect(await q.content()).not.toContain(id);
    await expectNoAxeViolations(q);
    expectNoProblems(dslTab);
    await dslTab.context.close();
    expect(Date.now() - started).toBeLessThan(60_000);
  });
});

// Issue 19 in the browser: a teacher, on a 390 px phone, follows the dashboard's "Raise a concern
// about an adult", names a colleague, says what happened, sends it to the headteacher and then sees
// only their receipt; the headteacher finds it in their list and triages it as low-level; an
// allegation about the DSL goes to the headteacher, who triages it as possibly meeting the harm
// threshold, which starts the LADO clock; the DSL can find it nowhere. Then, on a phone, the head
// records an allegation's LADO contact, its outcome and the copy given, makes a reference pack,
// changes the area's settings and opens the patterns review and the area's audit; a pupil linked
// to the matter shows the head an opaque marker and the DSL nothing. Finishing the issue, on a
// phone: the chair links a pupil with the picker (their name shown without a link: the chair may
// not open the pupil's page), the head sets the LADO warning, records when a contractor left, and
// in the retention review keeps one matter and destroys another that a co-head approved first.
// axe checks every state.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { call, currentCode, makeUser, signIn, type TestUser } from '../src/test/harness.ts';
import { unsafeAsOwner } from '../src/platform/db/tenancy.ts';
import { runStaffMatterSweep } from '../src/jobs/staff-concerns.ts';
import type { Locator, Page } from 'playwright-core';
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
  });
});

/** A case manager's second factor, asked in place if the page needs it, until `target` shows. */
async function confirmIfAsked(p: Page, server: Server, user: TestUser, target: Locator) {
  const code = p.getByLabel('Authentication code');
  await expect
    .poll(async () => (await code.isVisible()) || (await target.isVisible()), { timeout: 30_000 })
    .toBe(true);
  if (await code.isVisible()) {
    await expectNoAxeViolations(p);
    await code.fill(await currentCode(server.t.app, user));
    await p.getByRole('button', { name: 'Verify' }).click();
  }
  await target.waitFor();
}

describe('concerns about adults: linking by the chair, the LADO warning and retention', () => {
  it('on a phone, the chair links a pupil; the head sets the warning, keeps one matter and destroys another', async () => {
    const cast = await buildSchool(server, 'retain');
    const app = server.t.app;
    const s = server.t.services;
    const member = async (role: 'headteacher' | 'chair_of_governors' | 'teacher', name: string) => {
      const user = { ...(await makeUser(s, cast.schoolId, role, name)), name };
      return { user, api: await signIn(app, user, { elevated: true }) }; // enrols their authenticator
    };
    const head = await member('headteacher', 'Hana Head');
    const chair = await member('chair_of_governors', 'Cyril Chair');
    const coHead = await member('teacher', 'Cleo CoHead');
    await unsafeAsOwner(s.db, (q) =>
      q.query(
        `INSERT INTO staff_group_members (school_id, group_id, user_id)
         SELECT school_id, id, $2 FROM staff_groups WHERE school_id = $1 AND key = 'headteacher'`,
        [cast.schoolId, coHead.user.id],
      ),
    );
    const raiser = await signIn(app, cast.teacher, { elevated: true });
    const raise = async (body: Record<string, unknown>) => {
      const res = await call(app, raiser, 'POST', '/api/staff-concerns', {
        whatHappened: 'Shouted at a pupil in the corridor.',
        ...body,
      });
      expect(res.statusCode, res.body).toBe(201);
      return res.json<{ id: string }>().id;
    };
    const ok = async (res: Promise<{ statusCode: number; body: string }>) => {
      const r = await res;
      expect(r.statusCode, r.body).toBe(200);
    };
    const aboutHead = await raise({ subjectKind: 'staff', subjectUserId: head.user.id });
    const toDestroy = await raise({ subjectKind: 'volunteer', subjectName: 'Val Volunteer' });
    const toKeep = await raise({ subjectKind: 'contractor', subjectName: 'Colm Contractor' });
    for (const id of [toDestroy, toKeep])
      await ok(
        call(app, head.api, 'POST', `/api/staff-concerns/${id}/triage`, {
          classification: 'low_level',
          rationale: 'Recorded; no harm.',
        }),
      );
    await ok(
      call(app, head.api, 'POST', `/api/staff-concerns/${toDestroy}/left-on`, {
        leftOn: '2025-07-18',
      }),
    );

    // The chair, on a phone: finds the pupil with the picker and links them.
    const chairTab = await openTab(browser, server.baseUrl, PHONE_390);
    const c = chairTab.page;
    await signInThroughPage(c, server, chair.user);
    await c.goto(`/staff-concerns/${aboutHead}`);
    const link = c.getByRole('form', { name: 'Link a pupil' });
    await confirmIfAsked(c, server, chair.user, link);
    await expectNoAxeViolations(c);
    await link.getByRole('button', { name: 'Link pupil' }).click();
    await link.getByText('Choose a pupil first.').waitFor();
    await expectNoAxeViolations(c);
    await link.getByRole('combobox', { name: 'Pupil to link' }).fill('Ava');
    await c.getByRole('option', { name: new RegExp(cast.pupil.name) }).click();
    await link.getByText(`Chosen: ${cast.pupil.name}`).waitFor();
    await link.getByRole('button', { name: 'Link pupil' }).click();
    await c.getByText(`${cast.pupil.name} linked.`).waitFor();
    const linked = c.getByRole('heading', { level: 2, name: 'Linked pupils' });
    await linked.waitFor();
    // Named, but not a link: the chair may not open the pupil's page.
    await c.getByRole('listitem').filter({ hasText: cast.pupil.name }).first().waitFor();
    expect(await c.getByRole('link', { name: cast.pupil.name }).count()).toBe(0);
    await expectNoAxeViolations(c);
    expect(await c.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expectNoProblems(chairTab);
    await chairTab.context.close();

    // The head, on a phone: the LADO warning; a refusal keeps what was typed.
    const phone = await openTab(browser, server.baseUrl, PHONE_390);
    const p = phone.page;
    await signInThroughPage(p, server, head.user);
    await p.goto('/staff-concerns/settings');
    const warn = p.getByLabel('Hours before the LADO deadline to warn the case manager');
    await confirmIfAsked(p, server, head.user, warn);
    await warn.fill('30');
    await p.getByRole('button', { name: 'Save settings' }).click();
    await p.getByText('Enter a whole number of hours from 1 to 24.').waitFor();
    expect(await warn.inputValue()).toBe('30');
    await expectNoAxeViolations(p);
    await warn.fill('12');
    await p.getByRole('button', { name: 'Save settings' }).click();
    await p.getByText('Settings saved.').waitFor();
    const saved = await call(app, head.api, 'GET', '/api/staff-concerns/settings');
    expect(saved.json<{ ladoWarnHours: number }>().ladoWarnHours).toBe(12);
    await expectNoAxeViolations(p);

    // When the contractor left, recorded on the matter's page.
    await p.goto(`/staff-concerns/${toKeep}`);
    const leaving = p.getByRole('form', { name: 'When they left' });
    await leaving.getByLabel('Date they left').fill('2025-08-29');
    await leaving.getByRole('button', { name: 'Record leaving date' }).click();
    await p.getByText('Leaving date recorded.').waitFor();
    await p.getByText('Recorded as leaving on 29 August 2025.').waitFor();
    await expectNoAxeViolations(p);

    // The night's sweep marks both due; a co-head gives the first approval of one.
    expect(await runStaffMatterSweep(s, new Date(), [cast.schoolId])).toBe(2);
    const due = await call(app, coHead.api, 'GET', '/api/staff-concerns/retention');
    const destroyReview = due
      .json<{ items: { id: string; matterId: string }[] }>()
      .items.find((i) => i.matterId === toDestroy)!.id;
    await ok(
      call(app, coHead.api, 'POST', `/api/staff-concerns/retention/${destroyReview}/approve`),
    );

    await p.goto('/staff-concerns');
    await p.getByRole('link', { name: 'Retention review' }).click();
    await p.getByRole('heading', { level: 1, name: 'Retention review' }).waitFor();
    const matters = p.getByRole('list', { name: 'Matters due for a decision' });
    await expect.poll(() => matters.getByRole('listitem').count()).toBe(2);
    await expectNoAxeViolations(p);

    // Keep the contractor's: no date is refused beside it, and the reason stays.
    const keep = p.getByRole('form', { name: 'Keep: Colm Contractor' });
    await keep.getByLabel('Why it is kept').fill('The police asked us to keep it for now.');
    await keep.getByRole('button', { name: 'Keep the matter' }).click();
    await keep.getByText('Enter the date it should be reviewed again.').waitFor();
    expect(await keep.getByLabel('Why it is kept').inputValue()).toBe(
      'The police asked us to keep it for now.',
    );
    await expectNoAxeViolations(p);
    // A year ahead, as the school's calendar has it (the field takes YYYY-MM-DD).
    const aYearAhead = new Date(Date.now() + 365 * 86_400_000).toLocaleDateString('en-CA', {
      timeZone: 'Europe/London',
    });
    await keep.getByLabel('Review again on').fill(aYearAhead);
    await keep.getByRole('button', { name: 'Keep the matter' }).click();
    await expect.poll(() => matters.getByRole('listitem').count()).toBe(1);

    // Destroy the volunteer's: the co-head approved; the head's approval destroys it.
    const item = matters.getByRole('listitem').filter({ hasText: 'Val Volunteer' });
    await item.getByText('Destruction approved by Cleo CoHead').waitFor();
    const destroy = p.getByRole('form', { name: 'Approve and destroy: Val Volunteer' });
    await destroy.getByRole('button', { name: 'Approve and destroy' }).click();
    await destroy
      .getByText('Tick the box to confirm: a destroyed matter cannot be brought back.')
      .waitFor();
    await expectNoAxeViolations(p);
    await destroy.getByRole('checkbox').check();
    await destroy.getByRole('button', { name: 'Approve and destroy' }).click();
    await p.getByText('No matters are due for a decision.').waitFor();
    const gone = p.getByRole('list', { name: 'Destroyed matters' });
    await gone.getByText(`Matter ${toDestroy.slice(0, 8)}`).waitFor();
    await gone.getByText(/by Hana Head/).waitFor();
    expect(await p.content()).not.toContain('Val Volunteer');
    await expectNoAxeViolations(p);
    expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect((await call(app, head.api, 'GET', `/api/staff-concerns/${toDestroy}`)).statusCode).toBe(
      404,
    );
    expectNoProblems(phone);
    await phone.context.close();
  }, 240_000);
});

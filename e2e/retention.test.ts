// Issue 15's first half in the browser: the data-protection officer signs in with a password,
// follows the dashboard's link to retention, gives the second factor the page asks for, sees the
// seeded schedule, has a too-short period refused beside the field (what they typed kept), saves a
// school-set period, places a legal hold on a pupil, and lifts the standing sexual-abuse hold with a
// reason — which a DSL, on a phone, sees is the DPO's alone to lift. Then the review queue: the
// nightly sweep queues Ava's records as she nears 25; the DPO sees them (no content) with the
// standing hold on one, the DSL approves destroying the other, and the headteacher, on a phone,
// gives the second approval, then destroys the record after a confirmation naming how many, and
// finds its certificate of destruction listed with a PDF to download. axe checks every state.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { call, categoryIds, currentCode, makeUser, signIn } from '../src/test/harness.ts';
import { unsafeAsOwner } from '../src/platform/db/tenancy.ts';
import { runRetentionSweep } from '../src/jobs/retention-sweep.ts';
import { addYears } from '../src/features/retention/rules.ts';
import { auditRows } from '../src/features/identity/identity-test-kit.ts';
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

/** One card (a rule or a hold) by its heading. */
const card = (page: Page, heading: string | RegExp) =>
  page
    .getByRole('listitem')
    .filter({ has: page.getByRole('heading', { level: 3, name: heading }) });

describe('retention and legal holds', () => {
  it('the DPO changes the schedule, places a hold and lifts the standing hold; a DSL may not', async () => {
    const cast = await buildSchool(server, 'ret');
    const app = server.t.app;
    const dpo = {
      ...(await makeUser(server.t.services, cast.schoolId, 'dpo', 'Dana Protection')),
      name: 'Dana Protection',
    };
    await signIn(app, dpo, { elevated: true }); // enrols their authenticator

    const tab = await openTab(browser, server.baseUrl, DESKTOP);
    const page = tab.page;
    // The DPO reads no records, so signs in with a password alone; retention asks for the code.
    await page.goto('/');
    await page.getByLabel('Email address').fill(dpo.email);
    await page.getByLabel('Password', { exact: true }).fill(dpo.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Retention and legal holds' }).click();
    await page.getByRole('heading', { level: 1, name: 'Retention and legal holds' }).waitFor();
    await page.getByRole('heading', { name: 'Confirm it is you' }).waitFor();
    await expectNoAxeViolations(page);
    await page.getByLabel('Authentication code').fill(await currentCode(app, dpo));
    await page.getByRole('button', { name: 'Verify' }).click();

    const cp = card(page, 'Child-protection and safeguarding records about a pupil');
    await cp.getByText('Review 25 years after the pupil’s date of birth.').waitFor();
    await card(page, 'Allegations against staff found false or malicious')
      .getByText('Set by law; the school cannot change it.')
      .waitFor();
    await expectNoAxeViolations(page);

    // Too short for a child-protection record: refused beside the field, the typed value kept.
    await cp.getByLabel('Years').fill('18');
    await cp.getByRole('button', { name: 'Save this rule' }).click();
    await cp
      .getByText(/25th birthday/)
      .first()
      .waitFor();
    expect(await cp.getByLabel('Years').inputValue()).toBe('18');
    await expectNoAxeViolations(page);

    const mis = card(page, /^MIS data of pupils/);
    await mis.getByLabel('Years').fill('2');
    await mis.getByRole('button', { name: 'Save this rule' }).click();
    await mis.getByText('Saved: Destroy 2 years after the leaving date.').waitFor();

    // A hold on Ava's records, for litigation.
    const place = page.getByRole('form', { name: 'Place a legal hold' });
    await place.getByRole('button', { name: 'Place hold' }).click();
    await place.getByText('Choose the pupil.', { exact: true }).waitFor();
    await place.getByRole('combobox', { name: 'Pupil' }).fill('Ava');
    await page.getByRole('option', { name: new RegExp(cast.pupil.name) }).click();
    await place.getByLabel('Matter').selectOption('litigation');
    await place.getByLabel('Reason').fill('Letter before claim from the family’s solicitors.');
    await place.getByRole('button', { name: 'Place hold' }).click();
    const avaHold = card(page, `Every record about ${cast.pupil.name}`);
    await avaHold.getByText('Placed by Dana Protection', { exact: false }).waitFor();
    await expectNoAxeViolations(page);

    // The standing hold on sexual abuse: lifted deliberately, with a reason.
    const standing = card(page, 'Every record in Sexual abuse');
    await standing.getByText('Placed by Lantern (standing hold)', { exact: false }).waitFor();
    await standing.getByRole('button', { name: 'Lift hold' }).click();
    await standing.getByText('Say why the hold is lifted.').first().waitFor();
    await standing.getByLabel('Why lift this hold?').fill('Trust-wide review decided; minuted.');
    await standing.getByRole('button', { name: 'Lift hold' }).click();
    await expect.poll(() => standing.count()).toBe(0);
    await page.getByText('The hold on every record in Sexual abuse was lifted.').waitFor();
    await expectNoAxeViolations(page);
    expectNoProblems(tab);
    await tab.context.close();

    const actions = (await auditRows(server.t, cast.schoolId)).map((r) => r.action);
    expect(actions).toContain('retention.rule_changed');
    expect(actions).toContain('retention.refused');
    expect(actions.filter((a) => a === 'retention.hold_lifted')).toHaveLength(1);

    // A DSL on a phone sees the holds and who placed them, but not a way to lift a standing one.
    const phone = await openTab(browser, server.baseUrl, PHONE);
    await signInThroughPage(phone.page, server, cast.dsl);
    await phone.page.goto('/retention');
    const cse = card(phone.page, 'Every record in Child sexual exploitation (CSE)');
    await cse.getByText('Only the data-protection officer may lift this hold.').waitFor();
    expect(await cse.getByRole('button', { name: 'Lift hold' }).count()).toBe(0);
    await card(phone.page, `Every record about ${cast.pupil.name}`)
      .getByRole('button', { name: 'Lift hold' })
      .waitFor();
    await expectNoAxeViolations(phone.page);
    expectNoProblems(phone);
    await phone.context.close();
  });

  it('the review queue: the DPO reviews, the DSL and the headteacher approve a destruction', async () => {
    const cast = await buildSchool(server, 'rvq');
    const s = server.t.services;
    const person = async (role: 'dpo' | 'headteacher', name: string) => {
      const user = { ...(await makeUser(s, cast.schoolId, role, name)), name };
      await signIn(server.t.app, user, { elevated: true }); // enrols their authenticator
      return user;
    };
    const dpo = await person('dpo', 'Dana Protection');
    const head = await person('headteacher', 'Hal Head');
    const now = s.clock.now();
    const birth = addYears(
      new Date(now.getTime() + 10 * 86_400_000).toISOString().slice(0, 10),
      -25,
    );
    await unsafeAsOwner(s.db, (q) =>
      q.query('UPDATE pupils SET date_of_birth = $2 WHERE id = $1', [cast.pupil.id, birth]),
    );
    const teacher = await signIn(server.t.app, cast.teacher, { elevated: true });
    const cats = await categoryIds(s, cast.schoolId);
    for (const name of ['Bullying', 'Sexual abuse']) {
      const res = await call(server.t.app, teacher, 'POST', '/api/concerns', {
        pupils: [{ pupilId: cast.pupil.id, role: 'subject' }],
        categoryIds: [cats.find((c) => c.name === name)!.id],
        happenedAt: new Date(now.getTime() - 86_400_000).toISOString(),
        body: 'Private words about Ava.',
      });
      expect(res.statusCode, res.body).toBe(201);
    }
    expect(await runRetentionSweep(s, now, [cast.schoolId])).toBe(2);

    const tab = await openTab(browser, server.baseUrl, DESKTOP);
    await signInThroughPage(tab.page, server, dpo);
    await tab.page.goto('/retention');
    const stepUp = tab.page.getByLabel('Authentication code');
    if (await stepUp.isVisible()) {
      await stepUp.fill(await currentCode(server.t.app, dpo));
      await tab.page.getByRole('button', { name: 'Verify' }).click();
    }
    await tab.page.getByRole('heading', { level: 2, name: 'Review queue' }).waitFor();
    const records = tab.page.getByRole('listitem').filter({
      has: tab.page.getByRole('heading', { level: 3, name: /^Record of .* about Ava/ }),
    });
    await expect.poll(() => records.count()).toBe(2);
    const bullying = records.filter({ hasText: 'Bullying' });
    const abuse = records.filter({ hasText: 'Sexual abuse' });
    await abuse.getByText('placed by Lantern (standing hold)', { exact: false }).waitFor();
    expect(await abuse.getByRole('button', { name: 'Approve destruction' }).count()).toBe(0);
    expect(await tab.page.getByText('Private words about Ava').count()).toBe(0);
    // Keeping needs a reason: refused in place, nothing sent.
    await bullying.getByRole('button', { name: 'Keep' }).click();
    await bullying.getByText('Say why it is kept.', { exact: true }).waitFor();
    await expectNoAxeViolations(tab.page);
    expectNoProblems(tab);
    await tab.context.close();

    // The DSL gives the first approval.
    const dslTab = await openTab(browser, server.baseUrl, DESKTOP);
    await signInThroughPage(dslTab.page, server, cast.dsl);
    await dslTab.page.goto('/retention');
    const dslCard = dslTab.page
      .getByRole('listitem')
      .filter({ has: dslTab.page.getByRole('heading', { level: 3, name: /^Record of/ }) })
      .filter({ hasText: 'Bullying' });
    await dslCard.getByRole('button', { name: 'Approve destruction' }).click();
    await dslCard.getByText('Approved by Dee Lead (DSL team).').waitFor();
    expect(await dslCard.getByRole('button', { name: 'Approve destruction' }).count()).toBe(0);
    await expectNoAxeViolations(dslTab.page);
    expectNoProblems(dslTab);
    await dslTab.context.close();

    // The headteacher, on a phone, gives the second.
    const phone = await openTab(browser, server.baseUrl, PHONE);
    await signInThroughPage(phone.page, server, head);
    await phone.page.goto('/retention');
    const headCard = phone.page
      .getByRole('listitem')
      .filter({ has: phone.page.getByRole('heading', { level: 3, name: /^Record of/ }) })
      .filter({ hasText: 'Bullying' });
    await headCard.getByRole('button', { name: 'Approve destruction' }).click();
    await headCard
      .getByText('Destruction approved; waiting to be destroyed.', { exact: false })
      .waitFor();
    await headCard
      .getByText('Approved by Dee Lead (DSL team) and Hal Head (headteacher).')
      .waitFor();
    await expectNoAxeViolations(phone.page);

    // Destroying asks first, naming how many records go; cancelling changes nothing.
    await headCard.getByRole('button', { name: 'Destroy…' }).click();
    const confirm = phone.page.getByRole('form', { name: /^Destroy: Record of/ });
    await confirm.getByText('This destroys 1 record for good', { exact: false }).waitFor();
    await expectNoAxeViolations(phone.page);
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await headCard.getByRole('button', { name: 'Destroy…' }).click();
    await confirm.getByRole('button', { name: 'Yes, destroy 1 record' }).press('Enter');
    await phone.page
      .getByText('1 record destroyed. A certificate of destruction', { exact: false })
      .waitFor();
    await expect.poll(() => headCard.count()).toBe(0);
    const certificates = phone.page.getByRole('region', { name: 'Certificates of destruction' });
    const link = certificates.getByRole('link', {
      name: /^Download the certificate \(PDF\): 1 record destroyed/,
    });
    await link.waitFor();
    await expectNoAxeViolations(phone.page);
    const pdf = await phone.page.request.get((await link.getAttribute('href'))!);
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()['content-type']).toBe('application/pdf');
    expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');
    expectNoProblems(phone);
    await phone.context.close();
    const approvals = (await auditRows(server.t, cast.schoolId)).filter(
      (r) => r.action === 'retention.destruction_approved',
    );
    expect(approvals.map((r) => r.details.capacity)).toEqual(['dsl_team', 'headteacher']);
    const actions = (await auditRows(server.t, cast.schoolId)).map((r) => r.action);
    expect(actions).toContain('retention.destroyed');
    expect(actions).toContain('retention.certificate_downloaded');
  });
});

// Issue 14, case work shows what is open, as a DSL does it: a case (built through the API) has two
// open actions and an open referral. At a desk the case page lists them with their state; closing
// it asks what happens to each — refused until each is answered, a cancellation needing its
// reason — then keeps one action open, cancels the other and completes the referral, all with the
// closure. On a 375 px phone the teacher's "My actions" shows the kept action marked as a closed
// case's. axe on every state.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { call, categoryIds, signIn } from '../src/test/harness.ts';
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

let cast: Awaited<ReturnType<typeof buildSchool>> | undefined;

describe('closing a case with open work', () => {
  it('asks what happens to each open action and referral, and applies the answers', async () => {
    cast = await buildSchool(server, 'openwork');
    const app = server.t.app;
    const cat = (await categoryIds(server.t.services, cast.schoolId)).find((c) => !c.restricted)!;
    const dsl = await signIn(app, cast.dsl, { elevated: true });
    const concern = await call(app, dsl, 'POST', '/api/concerns', {
      pupils: [{ pupilId: cast.pupil.id, role: 'subject' }],
      categoryIds: [cat.id],
      happenedAt: new Date(Date.now() - 3_600_000).toISOString(),
      body: 'Ava was upset at lunch.',
    });
    const concernId = concern.json<{ id: string }>().id;
    const opened = await call(app, dsl, 'POST', '/api/cases', {
      pupilId: cast.pupil.id,
      concernId,
    });
    const caseId = opened.json<{ id: string }>().id;
    for (const [text, assigneeId] of [
      ['Ring the school nurse', cast.teacher.id],
      ['Book a home visit', cast.dsl.id],
    ] as const) {
      const res = await call(app, dsl, 'POST', '/api/actions', {
        pupilId: cast.pupil.id,
        concernId,
        caseId,
        type: 'phone_call',
        text,
        assigneeId,
      });
      expect(res.statusCode, res.body).toBe(201);
    }
    const agencies = (await call(app, dsl, 'GET', '/api/referral-agencies')).json<{
      items: { id: string; name: string }[];
    }>().items;
    const agency = agencies[0]!;
    const referral = await call(app, dsl, 'POST', '/api/referrals', {
      pupilId: cast.pupil.id,
      agencyId: agency.id,
      caseId,
      referredAt: new Date(Date.now() - 3_600_000).toISOString(),
    });
    expect(referral.statusCode, referral.body).toBe(201);

    const tab = await openTab(browser, server.baseUrl, DESKTOP);
    const page = tab.page;
    await signInThroughPage(page, server, cast.dsl);
    await page.goto(`/cases/${caseId}`);
    const work = page.getByRole('region', { name: 'Actions and referrals' });
    await work.getByText('Ring the school nurse').waitFor();
    await work.getByText('Book a home visit').waitFor();
    await work.getByRole('link', { name: `Referral to ${agency.name}` }).waitFor();
    await expectNoAxeViolations(page);

    const close = page.getByRole('region', { name: 'Close the case' });
    await close.getByText('3 actions and referrals are still open.', { exact: false }).waitFor();
    await close.getByLabel('Outcome').fill('Support in place');
    await close
      .getByLabel('Rationale')
      .fill('Family engaged with early help; school nurse involved.');
    await close.getByRole('button', { name: 'Close case' }).click();
    await close.getByText('Choose what happens to “Phone call: Ring the school nurse”.').waitFor();
    await expectNoAxeViolations(page);

    const nurse = close.getByRole('group', { name: 'Phone call: Ring the school nurse' });
    await nurse.getByRole('radio', { name: 'Keep it open' }).check();
    const visit = close.getByRole('group', { name: 'Phone call: Book a home visit' });
    await visit.getByRole('radio', { name: 'Cancel it, with a reason' }).check();
    await close
      .getByRole('group', { name: `Referral to ${agency.name}` })
      .getByRole('radio', { name: 'Complete it' })
      .check();
    await close.getByRole('button', { name: 'Close case' }).click();
    await close.getByText('Give the reason for cancelling it.').waitFor();
    await expectNoAxeViolations(page);
    await close
      .getByLabel('Why cancel “Phone call: Book a home visit”')
      .fill('The family moved away.');
    await close.getByRole('button', { name: 'Close case' }).click();
    await page.getByRole('status').filter({ hasText: 'Case closed.' }).waitFor();
    await work.getByText('Cancelled', { exact: true }).first().waitFor();
    await work.getByText('The family moved away.').waitFor();
    await work.getByText('Case closed', { exact: true }).waitFor();
    await work.getByText('Closed', { exact: true }).first().waitFor();
    await expectNoAxeViolations(page);
    expectNoProblems(tab);
    await tab.context.close();
  }, 240_000);

  it('on a 375 px phone, the kept action is on the teacher’s "My actions", marked', async () => {
    expect(cast, 'the desk journey ran first').toBeDefined();
    const phone = await openTab(browser, server.baseUrl, PHONE);
    const page = phone.page;
    await signInThroughPage(page, server, cast!.teacher);
    const mine = page.getByRole('list', { name: 'My actions' });
    await mine.getByText('Ring the school nurse').waitFor();
    await mine.getByText('Case closed', { exact: true }).waitFor();
    await mine
      .getByText('Its case was closed and this action was kept open', { exact: false })
      .waitFor();
    expect(await mine.getByText('Book a home visit').count()).toBe(0);
    await expectNoAxeViolations(page);
    expectNoProblems(phone);
    await phone.context.close();
  }, 240_000);
});

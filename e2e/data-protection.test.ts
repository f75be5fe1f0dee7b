// Issue 17 in the browser: the data-protection officer signs in with a password, follows the
// banner's "Data protection" link, opens Requests (giving the second factor the page asks for),
// records a subject-access request from a parent about Ava, sees its due date (one calendar month,
// on or after the next working day), extends it by two months with the reason and the notice
// sent, sees the new due date, reads the draft breach the hosting operator's incident notice
// opened, and records a breach on the 72-hour clock. axe checks every state.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { currentCode, makeUser, signIn } from '../src/test/harness.ts';
import { addCalendarMonths, englandCalendar, onOrNextWorkingDay } from '../src/shared/calendar.ts';
import { formatDay } from '../web/src/features/data-protection/words.ts';
import { notifyIncident } from '../src/features/data-protection/incidents/notify.ts';
import {
  buildSchool,
  DESKTOP,
  expectNoAxeViolations,
  expectNoProblems,
  launchBrowser,
  openTab,
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

describe('data protection', () => {
  it('the DPO records a request, sees its due date, extends it, and records a breach', async () => {
    const cast = await buildSchool(server, 'dp');
    const app = server.t.app;
    const dpo = await makeUser(server.t.services, cast.schoolId, 'dpo', 'Dana Protection');
    await signIn(app, dpo, { elevated: true }); // enrols their authenticator

    const tab = await openTab(browser, server.baseUrl, DESKTOP);
    const page = tab.page;
    await page.goto('/');
    await page.getByLabel('Email address').fill(dpo.email);
    await page.getByLabel('Password', { exact: true }).fill(dpo.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Data protection' }).click();
    await page.getByRole('heading', { level: 1, name: 'Data protection' }).waitFor();
    for (const name of ['Requests', 'Breaches', 'Complaints', 'Data-protection pack'])
      await page.getByRole('link', { name, exact: true }).waitFor();
    await expectNoAxeViolations(page);

    await page.getByRole('link', { name: 'Requests', exact: true }).click();
    await page.getByRole('heading', { name: 'Confirm it is you' }).waitFor();
    await expectNoAxeViolations(page);
    await page.getByLabel('Authentication code').fill(await currentCode(app, dpo));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByText('No open requests.').waitFor();
    await expectNoAxeViolations(page);

    await page.getByRole('button', { name: 'Record a request' }).click();
    const form = page.getByRole('form', { name: 'Record a request' });
    await form.getByLabel('Requester', { exact: true }).fill('Mrs Parent, 1 River Road');
    await form.getByRole('combobox', { name: 'Pupil the request is about' }).fill('Ava');
    await page.getByRole('option', { name: new RegExp(cast.pupil.name) }).click();
    await expectNoAxeViolations(page);
    await form.getByRole('button', { name: 'Record request' }).click();

    await page.getByRole('heading', { level: 1, name: 'Subject access request' }).waitFor();
    const today = new Date().toLocaleDateString('en-CA', { timeZone: 'Europe/London' });
    const cal = englandCalendar();
    const due = onOrNextWorkingDay(addCalendarMonths(today, 1), cal);
    await page.getByText(formatDay(due), { exact: true }).waitFor();
    await expectNoAxeViolations(page);

    const extend = page.getByRole('form', { name: 'Extend the request' });
    await extend.getByRole('button', { name: 'Extend' }).click();
    await extend.getByText('Say why the request needs longer.').waitFor();
    await expectNoAxeViolations(page);
    await extend.getByLabel('Reason for the extension').fill('Many records across two schools');
    await extend
      .getByLabel('Notice sent to the requester')
      .fill('Dear Mrs Parent, we need two more months because…');
    await extend.getByRole('button', { name: 'Extend' }).click();
    const extended = onOrNextWorkingDay(addCalendarMonths(today, 3), cal);
    await page.getByText(formatDay(extended), { exact: true }).waitFor();
    await expect(page.getByRole('form', { name: 'Extend the request' }).count()).resolves.toBe(0);
    await expectNoAxeViolations(page);

    // The hosting operator tells every school an incident touched (here, one that used the DPO's
    // account): a draft waits in the register, and opening it shows the operator's words.
    const notice = await notifyIncident(
      server.t.services,
      {
        reference: `INC-E2E-${Date.now()}`,
        title: 'Stolen session at the host',
        description: 'A session of the DPO was used from a network the school does not use.',
        types: ['confidentiality'],
        started: new Date(Date.now() - 3_600_000).toISOString(),
        aware: new Date().toISOString(),
        accounts: [dpo.email],
        schools: [cast.schoolId],
      },
      { confirm: true },
    );
    expect(notice.schools.map((s) => s.status)).toEqual(['told']);
    await page.goto('/data-protection/breaches');
    await page.getByText(/Draft from your hosting operator’s incident notice: aware/).waitFor();
    await page.getByText('What is known').click();
    await page.getByText(/In the operator's words: A session of the DPO was used/).waitFor();
    await page.getByText('People affected, about').waitFor();
    await expectNoAxeViolations(page);
    const breach = page.getByRole('form', { name: 'Record a breach' });
    await breach
      .getByLabel('How the school became aware')
      .fill('A class list went to the wrong parent');
    await breach.getByRole('button', { name: 'Record breach' }).click();
    await breach
      .getByText(/became aware/)
      .first()
      .waitFor();
    await expectNoAxeViolations(page);
    const hourAgo = new Date(Date.now() - 3_600_000);
    const local = new Date(hourAgo.getTime() - hourAgo.getTimezoneOffset() * 60_000)
      .toISOString()
      .slice(0, 16);
    await breach.getByLabel('When the school became aware').fill(local);
    await breach.getByRole('button', { name: 'Record breach' }).click();
    await expect.poll(() => page.getByText(/the ICO to be told by/).count()).toBe(2);
    await expectNoAxeViolations(page);
    expectNoProblems(tab);
  });
});

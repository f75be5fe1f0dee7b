// Issue 17 in the browser, the second part: the DPO follows Data protection → Data-protection pack
// (giving the second factor the page asks for), reads the pack generated from the live
// configuration and downloads it as PDF and JSON; then a member of the public, with no account,
// files a complaint on the public page — the proof of work done in the browser — and is told the
// date it must be acknowledged by; once the hour's limit from their address is reached, the
// refusal is shown in words. axe checks every state.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { call, categoryIds, currentCode, makeUser, signIn } from '../src/test/harness.ts';
import { addDays } from '../src/shared/calendar.ts';
import { solveChallenge } from '../src/features/data-protection/complaints/challenge.ts';
import { formatDay } from '../web/src/features/data-protection/words.ts';
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

describe('the data-protection pack and the public complaint form', () => {
  it('the DPO downloads the pack; a member of the public files a complaint', async () => {
    const cast = await buildSchool(server, 'dppack');
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
    await page.getByRole('button', { name: 'Record a request' }).waitFor();
    await page.getByRole('link', { name: 'Data-protection pack', exact: true }).click();
    await page.getByRole('heading', { name: 'Confirm it is you' }).waitFor();
    await page.getByLabel('Authentication code').fill(await currentCode(app, dpo));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { level: 1, name: 'Data-protection pack' }).waitFor();
    await page
      .getByRole('heading', { level: 2, name: 'Categories and who may see each' })
      .waitFor();
    await page.getByRole('heading', { level: 2, name: 'Audit trail integrity' }).waitFor();
    await expectNoAxeViolations(page);

    const [pdf] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download PDF' }).click(),
    ]);
    expect(pdf.suggestedFilename()).toMatch(/^data-protection-pack-\d{4}-\d\d-\d\d\.pdf$/);
    expect((await readFile(await pdf.path())).subarray(0, 5).toString()).toBe('%PDF-');
    const [json] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download JSON' }).click(),
    ]);
    const pack = JSON.parse(await readFile(await json.path(), 'utf8')) as { sections: unknown[] };
    expect(pack.sections.length).toBeGreaterThan(5);
    // A restriction request (recorded through the API; the register's own journey records one
    // through the page): the DPO restricts Ava's record from the request's page, then may lift it.
    const dslApi = await signIn(app, cast.dsl, { elevated: true });
    const logged = await call(app, dslApi, 'POST', '/api/concerns', {
      pupils: [{ pupilId: cast.pupil.id, role: 'subject' }],
      categoryIds: [(await categoryIds(server.t.services, cast.schoolId))[0]!.id],
      happenedAt: new Date(Date.now() - 60_000).toISOString(),
      body: 'A record Ava asks the school to stop using.',
    });
    expect(logged.statusCode, logged.body).toBe(201);
    const made = await call(
      app,
      await signIn(app, dpo, { elevated: true }),
      'POST',
      '/api/data-protection/requests',
      {
        kind: 'restriction',
        requester: 'Ava',
        relationship: 'self',
        channel: 'email',
        receivedOn: new Date().toISOString().slice(0, 10),
        subjects: [cast.pupil.id],
      },
    );
    expect(made.statusCode, made.body).toBe(201);
    await page.goto(`/data-protection/requests/${made.json<{ id: string }>().id}`);
    await page.getByRole('heading', { name: /The subject.s records and the decision/ }).waitFor();
    await expectNoAxeViolations(page);
    const restrict = page.getByRole('form', { name: 'Restrict a record' });
    await restrict.getByRole('button', { name: 'Restrict the record' }).click();
    await page.getByRole('form', { name: 'Lift a restriction' }).waitFor();
    await page
      .getByText(/\(restricted\)/)
      .first()
      .waitFor();
    await expectNoAxeViolations(page);

    // The complaints register gives the public form's address for the school's website.
    await page.getByRole('link', { name: 'Data protection', exact: true }).first().click();
    await page.getByRole('link', { name: 'Complaints', exact: true }).click();
    await page.getByText('No complaints received.').waitFor();
    const formLink = page.getByRole('link', { name: /\/complaints\/new\?school=/ });
    const formUrl = new URL((await formLink.getAttribute('href'))!);
    expect(formUrl.searchParams.get('school')).toBe(cast.schoolId);
    await expectNoAxeViolations(page);
    expectNoProblems(tab);

    // A member of the public: no account, a browser of their own.
    const publicTab = await openTab(browser, server.baseUrl, DESKTOP);
    const p = publicTab.page;
    const file = async (details: string) => {
      await p.goto(formUrl.pathname + formUrl.search);
      await p.getByRole('heading', { level: 1, name: /Complain about how the school/ }).waitFor();
      await p.getByLabel('Your name').fill('Pat Public');
      await p.getByLabel('How the school can reach you').fill('pat@example.invalid');
      await p.getByLabel('Your complaint').fill(details);
      await p.getByRole('button', { name: 'Send the complaint' }).click();
    };
    await p.goto(formUrl.pathname + formUrl.search);
    await p.getByRole('button', { name: 'Send the complaint' }).click();
    await p.getByText('Enter your name.').waitFor();
    await expectNoAxeViolations(p);
    await file('You sent my child’s report to another family.');
    const today = new Date().toLocaleDateString('en-CA', { timeZone: 'Europe/London' });
    await p
      .getByText(`The school must acknowledge it by ${formatDay(addDays(today, 30))}`)
      .waitFor();
    await expectNoAxeViolations(p);

    // Two more from the same address (a script, straight to the API), then the form is refused.
    for (let i = 0; i < 2; i++) {
      const base = `${server.baseUrl}/api/public/schools/${cast.schoolId}`;
      const { challenge } = (await (await fetch(`${base}/complaint-challenge`)).json()) as {
        challenge: string;
      };
      const sent = await fetch(`${base}/complaints`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          challenge,
          counter: solveChallenge(challenge),
          complainant: 'Script',
          contact: 'script@example.invalid',
          details: 'Again',
        }),
      });
      expect(sent.status).toBe(201);
    }
    await file('And another thing.');
    await p.getByText(/Several complaints have been sent from here in the last hour/).waitFor();
    await expect(p.getByLabel('Your complaint').inputValue()).resolves.toBe('And another thing.');
    await expectNoAxeViolations(p);
    expect(publicTab.problems.filter((x) => !/status of 429/.test(x))).toEqual([]);
  });
});

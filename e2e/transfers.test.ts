// Issue 18 in the browser: a pupil of one school with a safeguarding record leaves; their DSL,
// on the pupil's record, marks them leaving with the new school found in the directory, sees the
// statutory clock and the note that no parental consent is asked, and sends the whole file. The
// receiving school's DSL (same Lantern) finds it in the dashboard's "Transfers" region, opens it,
// confirms receipt by name and role, and reads it under the pupil's "Previous school"; the
// sender's dashboard then shows the receipt. axe checks every state.
import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { call, categoryIds, makePupil, signIn } from '../src/test/harness.ts';
import { unsafeAsOwner } from '../src/platform/db/tenancy.ts';
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

describe('sending a child-protection file to a school on the same Lantern', () => {
  it('the sending DSL sends the whole file; the receiving DSL confirms receipt and reads it', async () => {
    const from = await buildSchool(server, 'txa');
    const to = await buildSchool(server, 'txb');
    const app = server.t.app;
    const s = server.t.services;
    const upn = `T${randomInt(1e11, 1e12 - 1)}`;
    const arriving = await makePupil(s, to.schoolId, { firstName: 'Ava', lastName: 'Arriving' });
    const urn = randomInt(100_000_000, 999_999_999);
    await unsafeAsOwner(s.db, async (q) => {
      await q.query(
        `INSERT INTO establishments (urn, name, la_name, status, loaded_at)
         VALUES ($1, $2, 'Testshire', 'Open', now())`,
        [urn, `Hilltop Academy ${urn}`],
      );
      await q.query('UPDATE schools SET urn = $2 WHERE id = $1', [to.schoolId, urn]);
      await q.query('UPDATE pupils SET upn = $2 WHERE id = ANY($1::uuid[])', [
        [from.pupil.id, arriving.id],
        upn,
      ]);
    });
    const [category] = await categoryIds(s, from.schoolId);
    const logged = await call(
      app,
      await signIn(app, from.dsl, { elevated: true }),
      'POST',
      '/api/concerns',
      {
        pupils: [{ pupilId: from.pupil.id, role: 'subject' }],
        categoryIds: [category!.id],
        happenedAt: new Date(Date.now() - 3_600_000).toISOString(),
        body: 'Said she was scared to go home.',
      },
    );
    expect(logged.statusCode, logged.body).toBe(201);

    // The sending DSL marks Ava leaving from her record and finds the new school.
    const sender = await openTab(browser, server.baseUrl, DESKTOP);
    await signInThroughPage(sender.page, server, from.dsl);
    await sender.page.goto(`/pupils/${from.pupil.id}`);
    await sender.page.getByRole('link', { name: 'Mark as leaving' }).click();
    await sender.page.getByRole('heading', { level: 1, name: 'Pupil leaving' }).waitFor();
    await sender.page.getByRole('heading', { name: 'No parental consent is asked' }).waitFor();
    await expectNoAxeViolations(sender.page);
    await sender.page.getByLabel('Leaving date').fill('2026-03-11');
    await sender.page.getByLabel('Find the new school').fill('Hilltop');
    await sender.page.getByRole('button', { name: 'Find school' }).click();
    await sender.page.getByRole('radio', { name: new RegExp(`Hilltop Academy ${urn}`) }).check();
    await expectNoAxeViolations(sender.page);
    await sender.page.getByRole('button', { name: 'Open the transfer' }).click();
    await sender.page.getByRole('heading', { level: 1, name: /Child-protection file/ }).waitFor();
    await sender.page.getByText(/5 school days \(on the school/).waitFor();
    await sender.page.getByText('Said she was scared to go home.').waitFor();
    await expectNoAxeViolations(sender.page);

    // Back on her record, the button the issue names leads to the same page.
    await sender.page.goto(`/pupils/${from.pupil.id}`);
    await sender.page.getByRole('link', { name: 'Send the child-protection file' }).click();
    await sender.page.getByRole('button', { name: 'Send the file' }).click();
    await sender.page.getByRole('heading', { level: 2, name: 'Sent, not yet opened' }).waitFor();
    await expectNoAxeViolations(sender.page);

    // The receiving DSL, on a phone: the dashboard's Transfers region, the file, the receipt.
    const receiver = await openTab(browser, server.baseUrl, PHONE);
    await signInThroughPage(receiver.page, server, to.dsl);
    // Alerted on the dashboard that a file has arrived (the alert names no child).
    await receiver.page
      .getByRole('link', { name: /A child-protection file has arrived from another school/ })
      .waitFor();
    const region = receiver.page.getByRole('region', { name: 'Transfers' });
    await region.getByRole('link', { name: /File from Riverside Academy txa/ }).click();
    await receiver.page.getByRole('heading', { level: 1, name: /File from/ }).waitFor();
    await receiver.page.getByText('Said she was scared to go home.').waitFor();
    await expectNoAxeViolations(receiver.page);
    await receiver.page.getByLabel('Your name').fill('Rae Receiver');
    await receiver.page.getByLabel('Your role').fill('Designated safeguarding lead');
    await receiver.page.getByRole('button', { name: 'Confirm receipt' }).click();
    await receiver.page.getByText(/Receipt confirmed by Rae Receiver/).waitFor();
    await expectNoAxeViolations(receiver.page);

    await receiver.page.goto(`/pupils/${arriving.id}`);
    const previous = receiver.page.getByRole('region', { name: 'Previous school' });
    await previous.getByText('Said she was scared to go home.').waitFor();
    await expectNoAxeViolations(receiver.page);

    await sender.page.goto('/');
    await sender.page
      .getByRole('region', { name: 'Transfers' })
      .getByText('Receipt confirmed')
      .waitFor();
    await expectNoAxeViolations(sender.page);
    // The sender's receipt certificate, from the transfer's page.
    await sender.page
      .getByRole('region', { name: 'Transfers' })
      .getByRole('link', { name: from.pupil.name })
      .click();
    const certificate = sender.page.getByRole('link', {
      name: 'Download the receipt certificate (PDF)',
    });
    await certificate.waitFor();
    await expectNoAxeViolations(sender.page);
    const pdf = await sender.page.request.get((await certificate.getAttribute('href'))!);
    expect([pdf.status(), pdf.headers()['content-type']]).toEqual([200, 'application/pdf']);
    expectNoProblems(sender);
    expectNoProblems(receiver);
  });

  it('a transfer sent by other secure means is closed with its reason', async () => {
    const from = await buildSchool(server, 'txclose');
    const app = server.t.app;
    const s = server.t.services;
    const [category] = await categoryIds(s, from.schoolId);
    const dsl = await signIn(app, from.dsl, { elevated: true });
    const logged = await call(app, dsl, 'POST', '/api/concerns', {
      pupils: [{ pupilId: from.pupil.id, role: 'subject' }],
      categoryIds: [category!.id],
      happenedAt: new Date(Date.now() - 3_600_000).toISOString(),
      body: 'Told a friend about trouble at home.',
    });
    expect(logged.statusCode, logged.body).toBe(201);
    const opened = await call(app, dsl, 'POST', '/api/transfers', {
      pupilId: from.pupil.id,
      leavingOn: '2026-03-11',
      destinationUrn: null,
    });
    expect(opened.statusCode, opened.body).toBeLessThan(300);
    const id = opened.json<{ id: string }>().id;

    const tab = await openTab(browser, server.baseUrl, PHONE);
    await signInThroughPage(tab.page, server, from.dsl);
    await tab.page.goto(`/transfers/${id}`);
    await tab.page.getByRole('heading', { level: 2, name: 'Not sent yet' }).waitFor();
    await tab.page.getByRole('button', { name: 'Close the transfer' }).click();
    await tab.page.getByText('Say why the transfer is closed.').first().waitFor();
    await expectNoAxeViolations(tab.page);
    await tab.page
      .getByLabel('Why is this transfer closed?')
      .fill('Sent to the local authority by secure email, as it asked.');
    await tab.page.getByRole('button', { name: 'Close the transfer' }).click();
    await tab.page
      .getByRole('heading', { level: 2, name: 'Closed (not sent through Lantern)' })
      .waitFor();
    await expect(
      tab.page.getByRole('button', { name: 'Close the transfer' }).count(),
    ).resolves.toBe(0);
    await expectNoAxeViolations(tab.page);
    expectNoProblems(tab);
  });

  it('an administrator enters the term dates the clocks count, each refusal said by its field', async () => {
    const cast = await buildSchool(server, 'txcal');
    const tab = await openTab(browser, server.baseUrl, PHONE);
    await signInThroughPage(tab.page, server, cast.dsl);
    await tab.page.getByRole('link', { name: 'Term dates' }).click();
    await tab.page.getByRole('heading', { level: 1, name: 'Term dates' }).waitFor();
    await expectNoAxeViolations(tab.page);
    const form = tab.page.getByRole('form', { name: 'Add a term' });
    await form.getByLabel('Term name').fill('Spring 2026');
    await form.getByLabel('First day').fill('2026-03-27');
    await form.getByLabel('Last day').fill('2026-01-05');
    await form.getByRole('button', { name: 'Add term' }).click();
    await form.getByText('The term must end on or after the day it starts.').first().waitFor();
    await expectNoAxeViolations(tab.page);
    await form.getByLabel('First day').fill('2026-01-05');
    await form.getByLabel('Last day').fill('2026-03-27');
    await form.getByRole('button', { name: 'Add term' }).click();
    await tab.page.getByRole('button', { name: 'Remove Spring 2026' }).waitFor();
    await expectNoAxeViolations(tab.page);
    expectNoProblems(tab);
  });
});

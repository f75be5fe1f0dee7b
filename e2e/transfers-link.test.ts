// Issue 18 in the browser: a link transfer opened with its code and receipted. The sending DSL
// sends a pupil's file to a school on no Lantern: an address outside the school's domain is
// refused, the DSL's address at it is accepted and the link emailed (to the local SMTP server).
// The recipient, with no account, opens the link's page (never cached or indexed), asks for a
// code (a separate email), enters a wrong code (refused) and the right one, downloads the PDF and
// confirms receipt by name and role; the sender then sees the receipt and its certificate. axe
// checks every state.
import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { call, categoryIds, signIn } from '../src/test/harness.ts';
import { unsafeAsOwner } from '../src/platform/db/tenancy.ts';
import { startMailTrap, type MailTrap } from '../src/features/identity/identity-test-kit.ts';
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
let mail: MailTrap;

beforeAll(async () => {
  mail = await startMailTrap();
  server = await startServer({ config: { smtpUrl: mail.url } });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.t.close();
  await mail?.close();
});

describe('sending a child-protection file to a school on no Lantern', () => {
  it('a link transfer opened with its code and receipted', async () => {
    const from = await buildSchool(server, 'txlink');
    const app = server.t.app;
    const s = server.t.services;
    const urn = randomInt(100_000_000, 999_999_999);
    await unsafeAsOwner(s.db, (q) =>
      q.query(
        `INSERT INTO establishments (urn, name, la_name, status, website_host, loaded_at)
         VALUES ($1, $2, 'Testshire', 'Open', 'meadow.sch.uk', now())`,
        [urn, `Meadow School ${urn}`],
      ),
    );
    const dsl = await signIn(app, from.dsl, { elevated: true });
    const [category] = await categoryIds(s, from.schoolId);
    const logged = await call(app, dsl, 'POST', '/api/concerns', {
      pupils: [{ pupilId: from.pupil.id, role: 'subject' }],
      categoryIds: [category!.id],
      happenedAt: new Date(Date.now() - 3_600_000).toISOString(),
      body: 'Came in hungry again, said there was no food at home.',
    });
    expect(logged.statusCode, logged.body).toBe(201);
    const opened = await call(app, dsl, 'POST', '/api/transfers', {
      pupilId: from.pupil.id,
      leavingOn: '2026-03-11',
      destinationUrn: urn,
    });
    expect(opened.statusCode, opened.body).toBe(201);
    const id = opened.json<{ id: string }>().id;

    // The sender: an address outside the school's domain is refused, then the right one sent.
    const sender = await openTab(browser, server.baseUrl, DESKTOP);
    await signInThroughPage(sender.page, server, from.dsl);
    await sender.page.goto(`/transfers/${id}`);
    await sender.page.getByRole('heading', { level: 2, name: 'Not sent yet' }).waitFor();
    // The directory lists only the school's website: the DSL confirms its email domain first.
    await sender.page.getByText(/No email domain is confirmed for Meadow School/).waitFor();
    await sender.page.getByRole('textbox', { name: 'Email domain' }).fill('meadow.sch.uk');
    await sender.page.getByRole('button', { name: 'Confirm the domain' }).click();
    await sender.page.getByText('Domain confirmed.').waitFor();
    await expectNoAxeViolations(sender.page);
    const address = sender.page.getByLabel("The receiving school's DSL email address");
    await address.fill('dsl@meadow-school.example');
    await sender.page.getByRole('button', { name: 'Send the file' }).click();
    await sender.page.getByText(/That address is not at Meadow School/).waitFor();
    await expectNoAxeViolations(sender.page);
    const to = `dsl-${randomInt(1e6)}@meadow.sch.uk`;
    await address.fill(to);
    const before = mail.messages.length;
    await sender.page.getByRole('button', { name: 'Send the file' }).click();
    await sender.page.getByRole('heading', { level: 2, name: 'Sent, not yet opened' }).waitFor();
    await sender.page.getByText(`Sent as a secure link to`).waitFor();
    await expectNoAxeViolations(sender.page);
    const linkEmail = await mail.to(to, before);
    expect(linkEmail).not.toContain(from.pupil.lastName);
    const token = /\/transfer-link#([A-Za-z0-9_-]{43})/.exec(linkEmail)![1]!;

    // The recipient, on a phone with no account: the page, locked.
    const recipient = await openTab(browser, server.baseUrl, PHONE);
    const page = await recipient.page.goto(`/transfer-link#${token}`);
    expect(page!.headers()['x-robots-tag']).toMatch(/noindex/);
    expect(page!.headers()['cache-control']).toBe('no-store');
    expect(page!.headers()['referrer-policy']).toBe('no-referrer');
    const r = recipient.page;
    await r
      .getByRole('heading', { level: 1, name: 'A child-protection file sent to your school' })
      .waitFor();
    await r.getByText(/From Riverside Academy txlink/).waitFor();
    await expectNoAxeViolations(r);
    // The page took the token out of the address bar, and out of this history entry.
    expect(await r.evaluate(() => window.location.hash)).toBe('');
    expect(r.url()).not.toContain(token);
    // A reload before the file is opened says plainly to open the link from the email again.
    await r.reload();
    await r.getByText(/To see this file again, open the link from the email again/).waitFor();
    await expectNoAxeViolations(r);
    await r.goto('about:blank'); // else only the fragment would change, with no new page
    await r.goto(`/transfer-link#${token}`);
    await r.getByRole('button', { name: 'Email me a code' }).waitFor();
    expect(await r.evaluate(() => window.location.hash)).toBe('');

    // A code, a wrong one (refused), then the right one.
    const beforeCode = mail.messages.length;
    await r.getByRole('button', { name: 'Email me a code' }).click();
    await r.getByText(/A code was sent to d•••@meadow\.sch\.uk/).waitFor();
    const code = /code is:\s+(\d{6})\s/.exec(await mail.to(to, beforeCode))![1]!;
    await expectNoAxeViolations(r);
    await r.getByLabel('One-time code').fill(code === '000000' ? '111111' : '000000');
    await r.getByRole('button', { name: 'Open the file' }).click();
    await r.getByText(/That code is not right/).waitFor();
    await expectNoAxeViolations(r);
    await r.getByLabel('One-time code').fill(code);
    await r.getByRole('button', { name: 'Open the file' }).click();
    await r.getByRole('heading', { level: 2, name: `The file: ${from.pupil.name}` }).waitFor();
    await expectNoAxeViolations(r);
    // Once opened, a reload keeps working through the view key (the cookie), with no token.
    await r.reload();
    await r.getByRole('heading', { level: 2, name: `The file: ${from.pupil.name}` }).waitFor();
    expect(r.url()).not.toContain(token);
    const pdfLink = r.getByRole('link', { name: 'Download the file (PDF)' });
    const pdf = await r.request.get((await pdfLink.getAttribute('href'))!);
    expect([pdf.status(), pdf.headers()['content-type']]).toEqual([200, 'application/pdf']);
    const manifest = await r.request.get(
      (await r.getByRole('link', { name: /Download the manifest/ }).getAttribute('href'))!,
    );
    expect(manifest.status()).toBe(200);
    expect((await manifest.json()) as object).toHaveProperty('manifestSha256');

    // Receipt by name and role (a missing role is asked for, what was typed stays).
    await r.getByLabel('Your name').fill('Mo Meadow');
    await r.getByRole('button', { name: 'Confirm receipt' }).click();
    await r.getByText('Enter your role.').first().waitFor();
    await expect(r.getByLabel('Your name').inputValue()).resolves.toBe('Mo Meadow');
    await expectNoAxeViolations(r);
    await r.getByLabel('Your role').fill('Designated safeguarding lead');
    await r.getByRole('button', { name: 'Confirm receipt' }).click();
    await r.getByText(/Receipt confirmed by Mo Meadow, Designated safeguarding lead/).waitFor();
    await expectNoAxeViolations(r);

    // The sender sees the receipt and can print its certificate.
    await sender.page.reload();
    await sender.page.getByRole('heading', { level: 2, name: 'Receipt confirmed' }).waitFor();
    const certificate = sender.page.getByRole('link', {
      name: 'Download the receipt certificate (PDF)',
    });
    await certificate.waitFor();
    await expectNoAxeViolations(sender.page);
    const cert = await sender.page.request.get((await certificate.getAttribute('href'))!);
    expect(cert.status()).toBe(200);
    // What the sender keeps (the retention setting's default): a sealed copy, opened with a reason.
    await sender.page.getByText(/this school keeps a sealed, read-only copy/).waitFor();
    await sender.page.getByRole('button', { name: 'Open the kept copy' }).click();
    await sender.page.getByText('Say why you are opening the kept copy.').first().waitFor();
    await expectNoAxeViolations(sender.page);
    await sender.page
      .getByLabel('Why are you opening the kept copy?')
      .fill('The local authority asked what was sent.');
    await sender.page.getByRole('button', { name: 'Open the kept copy' }).click();
    await sender.page.getByText(/The local authority asked what was sent\./).waitFor();
    await sender.page
      .getByRole('region', { name: 'What this school keeps' })
      .getByText('Came in hungry again, said there was no food at home.')
      .waitFor();
    await expectNoAxeViolations(sender.page);
    expectNoProblems(sender);
    expectNoProblems(recipient);
  });
});

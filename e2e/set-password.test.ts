// Issue 3 in the browser: "Forgotten password?" sends a link by email (a real SMTP server on
// loopback receives it); the link opens the set-password page, which shows strength as the
// password is typed, takes the token out of the address bar, refuses a password the school's
// policy forbids with the server's message, and sets a good one; the new password signs in.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { currentCode } from '../src/test/harness.ts';
import {
  buildSchool,
  expectNoAxeViolations,
  expectNoProblems,
  launchBrowser,
  openTab,
  PHONE,
  startServer,
  type Server,
} from './support.ts';

const inbox: { to: string[]; text: string }[] = [];
let smtp: SMTPServer;
let server: Server;
let browser: Browser;

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, done) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        inbox.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          // Undo quoted-printable: soft line breaks and =XX escapes (the link's "=" is one).
          text: Buffer.concat(chunks)
            .toString('utf8')
            .replace(/=\r?\n/g, '')
            .replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
        });
        done();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const { port } = smtp.server.address() as AddressInfo;
  server = await startServer({ config: { smtpUrl: `smtp://127.0.0.1:${port}` } });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.t.close();
  await new Promise<void>((resolve) => smtp.close(resolve));
});

describe('forgotten password', () => {
  it('emails a link; the page shows strength, enforces the policy and sets the password', async () => {
    const cast = await buildSchool(server, 'reset');
    const tab = await openTab(browser, server.baseUrl, PHONE);
    const page = tab.page;
    await page.goto('/');
    await page.getByRole('link', { name: 'Forgotten password?' }).click();
    await page.getByRole('heading', { level: 1, name: 'Forgotten password' }).waitFor();
    await expectNoAxeViolations(page);
    await page.getByLabel('Email address').fill(cast.teacher.email);
    await page.getByRole('button', { name: 'Email me a link' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /a link to set a new password/ })
      .waitFor();

    // One link (the teacher also had new-device notices when they set up their second factor).
    const links = () =>
      inbox.filter((m) => m.to.includes(cast.teacher.email) && /set-password#token=/.test(m.text));
    await expect.poll(() => links().length).toBe(1);
    const mail = links()[0]!.text;
    const link = /(http:\/\/\S+\/set-password#token=[A-Za-z0-9_-]+)/.exec(mail)![1]!;
    await page.goto(link.replace(/^http:\/\/[^/]+/, server.baseUrl));
    await page.getByRole('heading', { level: 1, name: 'Set your password' }).waitFor();
    await expect.poll(() => page.url()).not.toContain('token');

    await page.getByLabel('New password', { exact: true }).fill('password1');
    await page
      .getByRole('status')
      .filter({ hasText: /Strength: (Very weak|Weak)/ })
      .waitFor();
    await page.getByLabel('New password again').fill('password1');
    await page.getByRole('button', { name: 'Set password' }).click();
    await expect
      .poll(() => page.getByRole('alert').allInnerTexts())
      .toContainEqual(expect.stringMatching(/at least 12/));
    await expectNoAxeViolations(page);

    const good = 'Lantern-harbour-quiet-42!';
    await page.getByLabel('New password', { exact: true }).fill(good);
    await page
      .getByRole('status')
      .filter({ hasText: /Strength: (Strong|Very strong)/ })
      .waitFor();
    await page.getByLabel('New password again').fill(good);
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.getByRole('status').filter({ hasText: 'Your password is set.' }).waitFor();

    await page.getByRole('link', { name: 'Sign in with your new password' }).click();
    await page.getByLabel('Email address').fill(cast.teacher.email);
    await page.getByLabel('Password', { exact: true }).fill(good);
    await page.getByRole('button', { name: 'Sign in' }).click();
    // The teacher's second factor, which the school requires of readers, is still asked for.
    await page
      .getByLabel('Authentication code')
      .fill(await currentCode(server.t.app, cast.teacher));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    expectNoProblems(tab);
    await tab.context.close();
  });
});

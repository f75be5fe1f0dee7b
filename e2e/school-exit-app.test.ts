// A school's exit in the app (issue 15), as an administrator takes it: from the administration
// links to "Export the school's data"; the page asks for the second factor first; "Prepare the
// export" shows the archive's password once and the progress; "Download the export" saves the
// archive, which 7-Zip opens with that password; the page then says it was downloaded and
// deleted; the code from README.txt inside is typed back to confirm. axe checks every state.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import {
  currentCode,
  makeSchool,
  makePupil,
  makeUser,
  signIn,
  testClock,
} from '../src/test/harness.ts';
import { sevenZip } from '../src/features/school-exit/archive.ts';
import {
  DESKTOP,
  expectNoAxeViolations,
  expectNoProblems,
  launchBrowser,
  openTab,
  signInThroughPage,
  startServer,
  type Server,
} from './support.ts';

const clock = testClock();
let server: Server;
let browser: Browser;
let dataDir: string;
let work: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'lantern-e2e-exit-data-'));
  work = await mkdtemp(path.join(tmpdir(), 'lantern-e2e-exit-'));
  server = await startServer({ clock, config: { dataDir } });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.t.close();
  await rm(dataDir, { recursive: true, force: true });
  await rm(work, { recursive: true, force: true });
});

function extract(file: string, out: string, password: string): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(sevenZip(), ['x', '-y', `-o${out}`, file], { stdio: 'pipe' });
    child.on('error', reject);
    child.on('close', resolve);
    child.stdin.end(`${password}\n`);
  });
}

describe("an administrator exports the school's data", () => {
  it('steps up, prepares, downloads once, opens it with 7-Zip, and confirms the code inside', async () => {
    const s = server.t.services;
    const schoolId = await makeSchool(s, 'Leaving Lane Primary');
    await makePupil(s, schoolId, { firstName: 'Ava', lastName: 'Leaver' });
    const admin = await makeUser(s, schoolId, 'school_admin', 'Ada Admin');
    // An authenticator enrolled (through the API, as at a first sign-in), so the page can ask.
    await signIn(server.t.app, admin, { elevated: true });

    const tab = await openTab(browser, server.baseUrl, DESKTOP);
    const page = tab.page;
    await signInThroughPage(page, server, admin);
    // The second factor given at sign-in lapses (15 minutes on the server's clock).
    clock.advance(16 * 60_000);
    await page.goto('/admin/school-export');
    const heading = page.getByRole('heading', { level: 1, name: 'Export the school’s data' });
    await heading.waitFor();

    // A password alone is not enough: the page asks for the second factor.
    const stepUp = page.getByRole('region', { name: 'Confirm it is you' });
    await stepUp.waitFor();
    expect(await page.getByRole('button', { name: 'Prepare the export' }).count()).toBe(0);
    await expectNoAxeViolations(page);
    await stepUp.getByLabel('Authentication code').fill(await currentCode(server.t.app, admin));
    await stepUp.getByRole('button', { name: 'Verify' }).click();
    const prepare = page.getByRole('button', { name: 'Prepare the export' });
    await prepare.waitFor();
    await page.getByRole('link', { name: 'Export the school’s data' }).waitFor();
    await expectNoAxeViolations(page);

    await prepare.click();
    const password = (
      await page.getByRole('region', { name: 'The archive’s password' }).locator('code').innerText()
    ).trim();
    expect(password).toMatch(/^([a-z2-9]{5}-){7}[a-z2-9]{5}$/);
    await expectNoAxeViolations(page);

    const downloadButton = page.getByRole('button', { name: 'Download the export' });
    await downloadButton.waitFor({ timeout: 120_000 });
    await expectNoAxeViolations(page);
    const [download] = await Promise.all([page.waitForEvent('download'), downloadButton.click()]);
    expect(download.suggestedFilename()).toMatch(/^school-export-\d{4}-\d{2}-\d{2}\.7z$/);
    const file = path.join(work, 'school.7z');
    await download.saveAs(file);
    await page.getByText(/Downloaded on .*deleted from the server/).waitFor();
    expect(await downloadButton.count()).toBe(0);
    await expectNoAxeViolations(page);

    const out = path.join(work, 'opened');
    expect(await extract(file, out, password)).toBe(0);
    const manifest = JSON.parse(await readFile(path.join(out, 'manifest.json'), 'utf8')) as {
      school: string;
    };
    expect(manifest.school).toBe(schoolId);
    const readme = await readFile(path.join(out, 'README.txt'), 'utf8');
    const code = /[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}/.exec(readme)![0];

    // A wrong code first: the message is by the field, and what was typed stays.
    const codeField = page.getByLabel('Confirmation code from README.txt');
    await codeField.fill('AAAA-BBBB-CCCC-DDDD');
    await page.getByRole('button', { name: 'Confirm the archive was opened' }).click();
    await page.getByText('That code does not match any export of this school').first().waitFor();
    expect(await codeField.inputValue()).toBe('AAAA-BBBB-CCCC-DDDD');
    await expectNoAxeViolations(page);
    await codeField.fill(code.toLowerCase());
    await page.getByRole('button', { name: 'Confirm the archive was opened' }).click();
    await page.getByText('Confirmed: the school has opened its export.').waitFor();
    await page.getByText(/The school confirmed it opened its export on/).waitFor();
    await expectNoAxeViolations(page);
    expectNoProblems(tab);
    await tab.context.close();
  }, 240_000);
});

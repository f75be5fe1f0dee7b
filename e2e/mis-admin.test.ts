// Issue 5's administration in the browser: the school administrator steps up, creates an API key
// (shown once), an integrator pushes a batch with it, the run appears with its counts; the key is
// revoked and then refused; the nightly pull connector is set. axe checks the page.
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { fullBatch, generateSchool, writeBatch } from '../src/features/mis/fixtures/generate.ts';
import { call, makeUser, signIn } from '../src/test/harness.ts';
import {
  buildSchool,
  expectNoAxeViolations,
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

const SCHOOL = generateSchool({ pupils: 12, staff: 3, groups: 30, days: 1, seed: 9 });

async function wondeFiles(school = SCHOOL): Promise<Record<string, unknown>> {
  const dir = await mkdtemp(join(tmpdir(), 'lantern-e2e-push-'));
  await writeBatch('wonde', dir, fullBatch(school));
  const files: Record<string, unknown> = {};
  for (const f of await readdir(dir))
    files[f] = JSON.parse(await readFile(join(dir, f), 'utf8')) as unknown;
  return files;
}

describe('MIS administration', () => {
  it('creates a key shown once, shows the pushed run, revokes the key and sets the connector', async () => {
    const cast = await buildSchool(server, 'mis');
    const admin = {
      ...(await makeUser(server.t.services, cast.schoolId, 'school_admin')),
      name: 'Ada Admin',
    };
    await signIn(server.t.app, admin, { elevated: true }); // enrols their authenticator
    const tab = await openTab(browser, server.baseUrl, PHONE);
    const page = tab.page;
    await signInThroughPage(page, server, admin);
    // An administrator gives the second factor at sign-in (the school's default for those who
    // can administer or read records), so the page is open straight away.
    await page.getByRole('link', { name: 'MIS imports and keys' }).click();
    await page.getByRole('heading', { level: 1, name: 'MIS' }).waitFor();
    await page.getByText('No imports yet.').waitFor();
    await expectNoAxeViolations(page);

    await page.getByLabel('Name of the integrator').fill('Wonde');
    await page.getByRole('button', { name: 'Create an API key' }).click();
    const key = (await page.getByLabel('New API key').innerText()).trim();
    expect(key.length).toBeGreaterThan(20);

    const push = (body: unknown) =>
      fetch(`${server.baseUrl}/api/mis/push`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const pushed = await push({
      batchId: 'e2e-1',
      format: 'wonde',
      kind: 'full',
      files: await wondeFiles(),
    });
    expect(pushed.status).toBe(200);
    const { added } = (await pushed.json()) as { added: number };
    expect(added).toBeGreaterThan(12);

    await page.reload();
    const runs = page.getByRole('region', { name: 'MIS sync runs' });
    await runs.getByRole('cell', { name: String(added), exact: true }).waitFor();
    await runs.getByText('push (wonde, full)').waitFor();
    await expectNoAxeViolations(page);

    await page.getByRole('button', { name: 'Revoke Wonde' }).click();
    await page
      .getByRole('list', { name: 'API keys' })
      .getByText(/revoked/)
      .waitFor();
    expect(
      (await push({ batchId: 'e2e-2', format: 'wonde', kind: 'delta', files: {} })).status,
    ).toBe(401);

    await page
      .getByLabel('API address for this school')
      .fill('https://api.example.invalid/v1.0/schools/A1');
    await page.getByLabel('Token').fill('school-token-from-wonde');
    await page.getByLabel('Schedule').selectOption('hourly');
    await page.getByRole('button', { name: 'Save connector' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /Wonde, schedule: hourly, next run/ })
      .waitFor();
    expect(await page.getByText('school-token-from-wonde').count()).toBe(0);
    await expectNoAxeViolations(page);

    // Xporter on Demand instead (issue 13): the establishment number and application id, and
    // the school's secret again (a secret is never sent for a new address or school).
    await page.getByLabel('MIS API').selectOption('xporter');
    await page
      .getByLabel('Xporter address (e.g. https://xporter.groupcall.com)')
      .fill('https://xporter.example.invalid');
    await page.getByLabel('Establishment number (estab)').fill('3281102');
    await page.getByLabel('Application id (relying party)').fill('app.lantern.example');
    await page.getByLabel(/New school secret/).fill('xod-school-secret');
    await page.getByRole('button', { name: 'Save connector' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /Xporter on Demand \(Groupcall\), schedule: hourly/ })
      .waitFor();
    expect(await page.getByText('xod-school-secret').count()).toBe(0);
    await expectNoAxeViolations(page);
    await tab.context.close();
  });

  it('holds a truncated export with the names it would archive; the administrator discards it', async () => {
    const cast = await buildSchool(server, 'mis-held');
    const admin = {
      ...(await makeUser(server.t.services, cast.schoolId, 'school_admin')),
      name: 'Hal Admin',
    };
    const session = await signIn(server.t.app, admin, { elevated: true });
    const created = await call(server.t.app, session, 'POST', '/api/admin/mis/keys', {
      label: 'Held test',
    });
    const { key } = created.json<{ key: string }>();
    const push = async (batchId: string, files: Record<string, unknown>) =>
      fetch(`${server.baseUrl}/api/mis/push`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ batchId, format: 'wonde', kind: 'full', files }),
      });
    expect((await push('full', await wondeFiles())).status).toBe(200);
    // The integrator's export stops after 8 of the 12 pupils.
    const cut = await push(
      'cut',
      await wondeFiles({ ...SCHOOL, pupils: SCHOOL.pupils.slice(0, 8) }),
    );
    expect(cut.status).toBe(202);

    const tab = await openTab(browser, server.baseUrl, PHONE);
    const page = tab.page;
    await signInThroughPage(page, server, admin);
    await page.getByRole('link', { name: 'MIS imports and keys' }).click();
    const held = page.getByRole('list', { name: 'Held imports' });
    await held.getByText(/would archive 4 of the 12 pupils on roll/).waitFor();
    await held.getByText('4 of 12 pupils it would archive').click();
    const leaver = SCHOOL.pupils[11]!;
    await held.getByText(`${leaver.forename} ${leaver.surname}`, { exact: false }).waitFor();
    await expectNoAxeViolations(page);

    // "Apply it" asks first, in the page, naming how many it will archive; Cancel applies nothing.
    await held.getByRole('button', { name: /^Apply the import held on/ }).click();
    const confirm = held.getByRole('group', {
      name: /^Applying this import will archive 4 pupils\./,
    });
    await confirm.waitFor();
    expect(await confirm.getByText('Applying this import will archive 4 pupils.').count()).toBe(1);
    await expectNoAxeViolations(page);
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    expect(await confirm.count()).toBe(0);

    await held.getByRole('button', { name: /^Discard the import held on/ }).click();
    await page.getByText('Discarded: nothing was applied.').waitFor();
    await page.getByText('No import is waiting for a decision.').waitFor();

    // The school's own report heading, added on the same page. An empty Add says what is missing;
    // Enter in the heading field saves the heading typed, without pressing Add.
    await page.getByRole('button', { name: 'Add this heading' }).click();
    await page.getByText('Type the heading to add.').waitFor();
    await expectNoAxeViolations(page);
    await page.getByLabel('Lantern column it means').selectOption('mis id');
    await page.getByLabel('Heading as it appears in the report').fill('Pupil Ref');
    await page.getByLabel('Heading as it appears in the report').press('Enter');
    await page.getByText('MIS settings saved.').waitFor();
    await page
      .getByRole('list', { name: 'Headings added for pupils.csv' })
      .getByText('“pupil ref” means mis id')
      .waitFor();
    await expectNoAxeViolations(page);
    await tab.context.close();
  });
});

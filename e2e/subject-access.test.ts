// Issue 17's subject-access workbench in the browser: a DPO opens a subject-access request about
// Ava, gathers her records, redacts another pupil's name in a concern with its reason (a first
// try without a reason is refused with the server's message), and marks the response ready; a
// second DPO approves it and makes the pack, and the PDF downloads with the name removed.
// axe checks the workbench with a refusal shown, and the approved page with its pack. Session 13:
// the staff-redaction setting is saved from the data-protection page; the audit log is one item,
// a table; a name standing twice is flagged ("appears 1 more time"), and selecting its second
// place redacts that place.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { extractText } from 'unpdf';
import { unsafeAsOwner } from '../src/platform/db/tenancy.ts';
import {
  call,
  categoryIds,
  currentCode,
  makeUser,
  signIn,
  type TestUser,
} from '../src/test/harness.ts';
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

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.t.close();
});

/** Opens the request's page, giving the second factor when the page asks for it. */
async function openRequest(page: Page, user: TestUser, url: string) {
  await page.goto(url);
  const confirm = page.getByRole('heading', { name: 'Confirm it is you' });
  const heading = page.getByRole('heading', { level: 1, name: 'Subject access request' });
  await expect
    .poll(async () => (await confirm.isVisible()) || (await heading.isVisible()), {
      timeout: 20_000,
    })
    .toBe(true);
  if (await confirm.isVisible()) {
    await page.getByLabel('Authentication code').fill(await currentCode(server.t.app, user));
    await page.getByRole('button', { name: 'Verify' }).click();
  }
  await heading.waitFor();
}

describe('subject access', () => {
  it('a DPO gathers and redacts, a second DPO approves, and the pack downloads', async () => {
    const cast = await buildSchool(server, 'sar');
    const app = server.t.app;
    const services = server.t.services;
    const dpo = await makeUser(services, cast.schoolId, 'dpo', 'Dana Protection');
    const dpo2 = await makeUser(services, cast.schoolId, 'dpo', 'Devon Second');
    // Both are in the DSL team too: only the DSL team reads and decides safeguarding records on
    // the workbench (sar/held-back.ts).
    for (const u of [dpo, dpo2])
      await unsafeAsOwner(services.db, (q) =>
        q.query(
          `INSERT INTO staff_group_members (school_id, group_id, user_id)
           SELECT $1, id, $2 FROM staff_groups WHERE school_id = $1 AND key = 'dsl'`,
          [cast.schoolId, u.id],
        ),
      );
    const dpoApi = await signIn(app, dpo, { elevated: true }); // enrols their authenticator
    await signIn(app, dpo2, { elevated: true });
    const [category] = await categoryIds(services, cast.schoolId);
    const other = cast.others[0]!;
    const logged = await call(
      app,
      await signIn(app, cast.dsl, { elevated: true }),
      'POST',
      '/api/concerns',
      {
        pupils: [
          { pupilId: cast.pupil.id, role: 'subject' },
          { pupilId: other.id, role: 'witness' },
        ],
        categoryIds: [category!.id],
        happenedAt: new Date(Date.now() - 3_600_000).toISOString(),
        body: `Ava was upset at break. ${other.name} saw what happened. Later ${other.name} told a teacher.`,
      },
    );
    expect(logged.statusCode, logged.body).toBe(201);
    const made = await call(app, dpoApi, 'POST', '/api/data-protection/requests', {
      kind: 'subject_access',
      requester: 'Ava',
      relationship: 'self',
      channel: 'email',
      receivedOn: new Date().toLocaleDateString('en-CA', { timeZone: 'Europe/London' }),
      subjects: [cast.pupil.id],
    });
    expect(made.statusCode, made.body).toBe(201);
    const url = `/data-protection/requests/${made.json<{ id: string }>().id}`;

    const tab = await openTab(browser, server.baseUrl, DESKTOP);
    const page = tab.page;
    await signInThroughPage(page, server, dpo);
    await openRequest(page, dpo, url);
    // The school's policy: staff names redacted in responses (saved from the page, audited).
    await page.goto('/data-protection');
    const settings = page.getByRole('form', { name: 'Subject-access settings' });
    await settings.getByLabel('Redact staff names in subject-access responses').check();
    await settings.getByRole('button', { name: 'Save settings' }).click();
    await settings.getByText('Saved.').waitFor();
    await expectNoAxeViolations(page);
    await openRequest(page, dpo, url);
    await page.getByText('Nothing gathered yet.').waitFor();
    await page.getByRole('button', { name: 'Gather records' }).click();
    await page.getByText(/new items gathered/).waitFor();
    const item = page.getByRole('article', { name: /Concern/ });
    await item.waitFor();

    const redact = item.getByRole('form', { name: /Redact in item/ });
    await redact
      .getByRole('button', { name: new RegExp(`Choose “${other.name}”`) })
      .first()
      .click();
    expect(await redact.getByLabel('Text to redact').inputValue()).toBe(other.name);
    await redact.getByRole('button', { name: 'Redact' }).click();
    await redact.getByText(/needs its reason/).waitFor();
    await expectNoAxeViolations(page);
    await redact.getByLabel('Reason').selectOption({ label: 'third party' });
    await redact
      .getByRole('group', { name: /Can the information be redacted/ })
      .getByLabel('Yes')
      .check();
    await redact
      .getByRole('group', { name: /consented/ })
      .getByLabel('No')
      .check();
    await redact
      .getByRole('group', { name: /reasonable/ })
      .getByLabel('No')
      .check();
    await redact.getByRole('button', { name: 'Redact' }).click();
    await item.getByText('[redacted: third party]').first().waitFor();
    // The same words stand once more, unredacted: the workbench says so.
    await item.getByText(/These words appear 1 more time unredacted/).waitFor();
    // The audit entries about her records are one item, a table.
    await page.getByRole('table', { name: /^Audit log: \d+ entr/ }).waitFor();
    await expectNoAxeViolations(page);
    // Selecting the second place in the text redacts that one, not the first again.
    await item.evaluate((el, name) => {
      const runs = [...el.querySelectorAll<HTMLElement>('[data-at]')];
      const run = runs.find((r) => r.textContent.includes(`Later ${name}`))!;
      const node = run.firstChild!;
      const at = node.textContent!.indexOf(name);
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + name.length);
      const sel = window.getSelection()!;
      sel.removeAllRanges();
      sel.addRange(range);
      run.dispatchEvent(new MouseEvent('mouseup', { bubbles: true }));
    }, other.name);
    expect(await redact.getByLabel('Text to redact').inputValue()).toBe(other.name);
    await redact.getByLabel('Reason').selectOption({ label: 'third party' });
    for (const [group, answer] of [
      [/Can the information be redacted/, 'Yes'],
      [/consented/, 'No'],
      [/reasonable/, 'No'],
    ] as const)
      await redact.getByRole('group', { name: group }).getByLabel(answer).check();
    await redact.getByRole('button', { name: 'Redact' }).click();
    await expect.poll(() => item.getByText('[redacted: third party]').count()).toBe(2);
    await expect.poll(() => item.getByText(/These words appear/).count()).toBe(0);
    // Every item needs a decision before review: this one on the page, the rest (MIS data, audit
    // entries…) through the API, as the handler would one by one.
    const decide = item.getByRole('form', { name: /Decide on item/ });
    await decide.getByLabel('Include or exclude').selectOption({ label: 'About the subject' });
    const saved = page.waitForResponse(
      (r) => r.request().method() === 'PATCH' && r.url().includes('/items/'),
    );
    await decide.getByRole('button', { name: 'Save decision' }).click();
    expect((await saved).status()).toBe(200);
    const api = `/api${url}`;
    const bench = await call(app, dpoApi, 'GET', `${api}/workbench`);
    for (const i of bench
      .json<{ items: { id: string; reason: string }[] }>()
      .items.filter((x) => x.reason === 'gathered')) {
      const res = await call(app, dpoApi, 'PATCH', `${api}/items/${i.id}`, {
        included: true,
        reason: 'about_subject',
      });
      expect(res.statusCode, res.body).toBe(200);
    }
    await page.getByRole('button', { name: 'Mark ready for review' }).click();
    await page.getByText(/Marked ready by Dana Protection/).waitFor();
    expectNoProblems(tab);
    await tab.context.close();

    const second = await openTab(browser, server.baseUrl, DESKTOP);
    const p2 = second.page;
    await signInThroughPage(p2, server, dpo2);
    await openRequest(p2, dpo2, url);
    await p2.getByRole('button', { name: 'Approve the response' }).click();
    await p2.getByText('Approved by Devon Second.').waitFor();
    await p2.getByRole('button', { name: 'Make the response pack' }).click();
    const link = p2.getByRole('link', { name: 'Download the PDF' });
    await link.waitFor();
    const [download] = await Promise.all([p2.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toBe('subject-access-response.pdf');
    const bytes = await readFile(await download.path());
    const { text } = await extractText(new Uint8Array(bytes), { mergePages: true });
    expect(text).toContain('Ava was upset at break.');
    expect(text).toContain('[redacted: third party]');
    expect(text).not.toContain(other.name.split(' ')[1]!);
    await p2.getByRole('form', { name: 'Record the disclosure' }).waitFor();
    await expectNoAxeViolations(p2);
    expectNoProblems(second);
    await second.context.close();
  });
});

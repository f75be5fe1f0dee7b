// The rest of issue 20 in the browser. The DPO opens "Audit trail": chooses to be emailed each
// day's anchor code, checks a code that is no code (refused in words, what was typed kept) and the
// trail's real code (it matches), and drafts a breach from an unusual-access signal (the wide-grant
// rule's), which then points to the breach register; on a phone too. The DSL opens "Reports",
// prepares a governors' pack for an ended term chosen from the fixed periods, follows "Inspection pack"
// and reads the sampled decisions with names, the policy note and the timeliness tables, and
// downloads the PDF; on a phone too. axe checks every state.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { call, categoryIds, makeUser, signIn } from '../src/test/harness.ts';
import { unsafeAsOwner } from '../src/platform/db/tenancy.ts';
import { formatAnchorCode } from '../src/shared/anchor-code.ts';
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

const owner = <T extends Record<string, unknown>>(sql: string, params: unknown[]) =>
  unsafeAsOwner(server.t.services.db, (q) => q.query<T>(sql, params));

describe('anchor codes and a breach from unusual access', () => {
  it('the DPO chooses the emailed code, checks a code, and drafts a breach from a signal', async () => {
    const cast = await buildSchool(server, 'ins');
    const dpo = { ...(await makeUser(server.t.services, cast.schoolId, 'dpo', 'Dora Protect')) };
    await signIn(server.t.app, dpo, { elevated: true }); // enrols the authenticator
    await owner(
      `INSERT INTO access_signals (id, school_id, rule, member_id, window_key, observed, raised_at)
       VALUES (gen_random_uuid(), $1, 'wide_grant', $2, 'e2e', 4, now())`,
      [cast.schoolId, cast.teacher.id],
    );

    const tab = await openTab(browser, server.baseUrl, DESKTOP);
    const page = tab.page;
    await signInThroughPage(page, server, dpo);
    await page.getByRole('link', { name: 'Audit trail' }).click();
    await page.getByRole('heading', { level: 1, name: 'Audit trail' }).waitFor();
    await page.getByRole('heading', { name: 'Anchor codes' }).waitFor();
    await expectNoAxeViolations(page);

    await page.getByText('Email me each day’s anchor code').click();
    await page.getByRole('button', { name: 'Save my choice' }).click();
    await page.getByText('You will be emailed each day’s code.').waitFor();
    await expectNoAxeViolations(page);

    const codeField = page.getByLabel('Anchor code', { exact: true });
    await codeField.fill('hello');
    await page.getByRole('button', { name: 'Check the code' }).click();
    await page.getByText(/That is not an anchor code\. A code looks like/).waitFor();
    expect(await codeField.inputValue()).toBe('hello');
    await expectNoAxeViolations(page);
    const [head] = await owner<{ seq: string; hash: Buffer }>(
      'SELECT seq, hash FROM audit_heads WHERE school_id = $1',
      [cast.schoolId],
    );
    const code = formatAnchorCode(
      new Date().toISOString().slice(0, 10),
      Number(head!.seq),
      Buffer.from(head!.hash).toString('hex'),
    );
    await codeField.fill(code);
    await page.getByRole('button', { name: 'Check the code' }).click();
    await page.getByText(/^The code matches: entry \d+ was in the trail/).waitFor();
    await expectNoAxeViolations(page);

    await page.getByText(/opened 4 pupils’ records outside their own classes/).waitFor();
    await page.getByRole('button', { name: 'Draft a breach from this' }).click();
    await page.getByText('A breach was drafted from this.').waitFor();
    expect(await page.getByRole('button', { name: 'Draft a breach from this' }).count()).toBe(0);
    await expectNoAxeViolations(page);
    await page.getByRole('link', { name: 'Open the breach register' }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe('/data-protection/breaches');
    expectNoProblems(tab);
    await tab.context.close();

    const phone = await openTab(browser, server.baseUrl, PHONE);
    await signInThroughPage(phone.page, server, dpo);
    await phone.page.goto('/audit');
    await phone.page.getByRole('heading', { name: 'Anchor codes' }).waitFor();
    await phone.page.getByLabel('Anchor code', { exact: true }).waitFor();
    await expectNoAxeViolations(phone.page);
    const width = await phone.page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(PHONE.width);
    expectNoProblems(phone);
    await phone.context.close();
  });
});

describe('the inspection pack and governors’ packs for fixed periods', () => {
  it('the DSL prepares a term’s pack and reads the inspection pack, on a desk and a phone', async () => {
    const cast = await buildSchool(server, 'insp');
    const app = server.t.app;
    await owner(
      `INSERT INTO school_terms (id, school_id, name, starts_on, ends_on)
       VALUES (gen_random_uuid(), $1, 'Autumn E2E', (now() - interval '60 days')::date, (now() - interval '20 days')::date)`,
      [cast.schoolId],
    );
    const [cat] = await categoryIds(server.t.services, cast.schoolId);
    const teacher = await signIn(app, cast.teacher, { elevated: true });
    const dsl = await signIn(app, cast.dsl, { elevated: true });
    const logged = await call(app, teacher, 'POST', '/api/concerns', {
      pupils: [{ pupilId: cast.pupil.id, role: 'subject' }],
      categoryIds: [cat!.id],
      happenedAt: new Date(Date.now() - 3_600_000).toISOString(),
      body: 'Ava was withdrawn all morning.',
    });
    expect(logged.statusCode, logged.body).toBe(201);
    const triaged = await call(
      app,
      dsl,
      'POST',
      `/api/concerns/${logged.json<{ id: string }>().id}/triage`,
      {
        state: 'triaged',
        risk: 'low',
        reason: 'Spoke with Ava; monitoring for two weeks.',
      },
    );
    expect(triaged.statusCode, triaged.body).toBeLessThan(300);

    const tab = await openTab(browser, server.baseUrl, DESKTOP);
    const page = tab.page;
    await signInThroughPage(page, server, cast.dsl);
    await page.getByRole('link', { name: 'Reports' }).click();
    await page.getByRole('heading', { level: 1, name: 'Reports' }).waitFor();
    const period = page.getByLabel('Period the pack covers');
    await period.selectOption({
      label: await period.locator('option', { hasText: 'Autumn E2E (term)' }).innerText(),
    });
    await page.getByRole('button', { name: 'Prepare a pack' }).click();
    await page.getByText(/^Version 1 prepared\./).waitFor();
    await page.getByRole('heading', { name: /^Version 1: / }).waitFor();
    await expectNoAxeViolations(page);

    await page.getByRole('link', { name: 'Inspection pack' }).click();
    await page.getByRole('heading', { level: 1, name: 'Inspection pack' }).waitFor();
    const decisions = page.getByRole('list', { name: 'Sampled decisions' });
    await decisions.getByText('Concern triaged: low risk').waitFor();
    await decisions.getByText(`${cast.pupil.name} (P-`).waitFor();
    await decisions.getByText('Reason: Spoke with Ava; monitoring for two weeks.').waitFor();
    await page.getByText('Lantern holds no policy documents').waitFor();
    await page.getByRole('heading', { name: 'Child-protection file transfers' }).waitFor();
    await expectNoAxeViolations(page);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download as PDF (references, no names)' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^inspection-pack-.*\.pdf$/);
    // A backwards range is refused in words.
    await page.getByLabel('From date').fill('2026-03-02');
    await page.getByLabel('To date').fill('2026-03-01');
    await page.getByRole('button', { name: 'Prepare the pack' }).click();
    await page.getByText('The "From date" must be on or before the "To date".').waitFor();
    await expectNoAxeViolations(page);
    expectNoProblems(tab);
    await tab.context.close();

    const phone = await openTab(browser, server.baseUrl, PHONE);
    await signInThroughPage(phone.page, server, cast.dsl);
    await phone.page.goto('/reports/inspection-pack');
    await phone.page.getByRole('heading', { level: 1, name: 'Inspection pack' }).waitFor();
    await phone.page.getByText('Concern triaged: low risk').waitFor();
    await expectNoAxeViolations(phone.page);
    const width = await phone.page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(PHONE.width);
    expectNoProblems(phone);
    await phone.context.close();
  });
});

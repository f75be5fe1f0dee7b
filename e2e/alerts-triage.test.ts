// Issue 14, alerts a DSL can triage, as a DSL does it: a teacher logs two concerns (through the
// API) alerting the DSL. At a desk the DSL's alerts each say whom they are about, the category,
// who logged it and when, with links that read differently; acknowledging one moves the focus to
// the next alert. The other is opened and acknowledged on the concern page itself (the focus goes
// to what is said next). The DSL triages it: refused without a risk level and a reason (each
// named by its field), then saved with a high risk; the dashboard and the chronology show the
// state. On a 375 px phone the second concern is marked "no further action". axe on every state.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
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

/** What the desk journey leaves for the phone's. */
let phoneCase: { cast: Awaited<ReturnType<typeof buildSchool>>; second: string } | undefined;

const focusedText = (page: Page) =>
  page.evaluate(() => document.activeElement?.textContent?.trim() ?? '');

describe('alerts a DSL can triage', () => {
  it('shows whom each alert is about, acknowledges in place, and records a triage decision', async () => {
    const cast = await buildSchool(server, 'triage');
    const cats = await categoryIds(server.t.services, cast.schoolId);
    const neglect = cats.find((c) => c.name === 'Neglect') ?? cats[0]!;
    const teacher = await signIn(server.t.app, cast.teacher);
    const log = async (pupilId: string, body: string, minutesAgo: number) => {
      const res = await call(server.t.app, teacher, 'POST', '/api/concerns', {
        pupils: [{ pupilId, role: 'subject' }],
        categoryIds: [neglect.id],
        happenedAt: new Date(Date.now() - minutesAgo * 60_000).toISOString(),
        body,
        alertUserIds: [cast.dsl.id],
      });
      expect(res.statusCode, res.body).toBe(201);
      return res.json<{ id: string }>().id;
    };
    const first = await log(cast.pupil.id, 'Ava came in hungry again.', 90);
    const other = cast.others[0]!;
    const second = await log(other.id, 'Avery had no coat in the snow.', 30);

    const tab = await openTab(browser, server.baseUrl, DESKTOP);
    const page = tab.page;
    await signInThroughPage(page, server, cast.dsl);
    const alerts = page.getByRole('region', { name: 'My alerts' });
    const avaLink = alerts.getByRole('link', {
      name: new RegExp(`^Concern about ${cast.pupil.name}, alerted`),
    });
    const averyLink = alerts.getByRole('link', {
      name: new RegExp(`^Concern about ${other.name}, alerted`),
    });
    await avaLink.waitFor();
    await averyLink.waitFor();
    await alerts.getByText(`${neglect.name} · logged by ${cast.teacher.name}`).first().waitFor();
    await alerts.getByText('Triage: New: not yet triaged').first().waitFor();
    await expectNoAxeViolations(page);

    // Acknowledged from the list (the newest, Avery's, is first): the focus goes to Ava's alert.
    await alerts
      .getByRole('button', { name: new RegExp(`^Acknowledge alert: Concern about ${other.name}`) })
      .click();
    await page.getByRole('status').filter({ hasText: 'Alert acknowledged.' }).waitFor();
    await expect
      .poll(() => focusedText(page))
      .toMatch(new RegExp(`^Concern about ${cast.pupil.name}`));
    await averyLink.waitFor({ state: 'detached' });
    await expectNoAxeViolations(page);

    // Ava's is opened and acknowledged on the concern page itself.
    await avaLink.click();
    await page.getByText('Ava came in hungry again.').waitFor();
    const here = page.getByRole('region', { name: 'Your alert' });
    await here.getByText('You were alerted to this concern.').waitFor();
    await expectNoAxeViolations(page);
    await here.getByRole('button', { name: 'Acknowledge alert' }).click();
    await expect
      .poll(() => focusedText(page))
      .toBe('Alert acknowledged. No other alerts are waiting for you.');
    await expectNoAxeViolations(page);

    // Triage: refused without a risk level and a reason, each by its field.
    const triage = page.getByRole('region', { name: 'Triage' });
    await triage.getByText('New: not yet triaged').waitFor();
    await triage.getByRole('button', { name: 'Record a triage decision' }).click();
    await triage.getByRole('button', { name: 'Save triage decision' }).click();
    await triage.getByText('Choose a risk level').waitFor();
    await triage.getByText('Write the reason for this decision').waitFor();
    expect(
      await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.type),
    ).toBe('radio');
    await expectNoAxeViolations(page);
    await triage.getByRole('radio', { name: 'High' }).check();
    await triage.getByLabel('Reason').fill('Third time this month; mother not answering calls.');
    await triage.getByRole('button', { name: 'Save triage decision' }).click();
    await triage
      .getByRole('status')
      .filter({ hasText: 'Triage saved: Triaged: high risk.' })
      .waitFor();
    await triage.getByText('Third time this month; mother not answering calls.').waitFor();
    await triage.getByText(`by ${cast.dsl.name}`).waitFor();
    await expectNoAxeViolations(page);

    // The chronology and the dashboard show where each concern stands.
    await page.goto(`/pupils/${cast.pupil.id}`);
    await page.getByText('Triage: Triaged: high risk').waitFor();
    await expectNoAxeViolations(page);
    await page.goto('/');
    const recent = page.getByRole('region', { name: 'Recent concerns' });
    await recent.getByText('Triaged: high risk').waitFor();
    await recent.getByText('New: not yet triaged').waitFor();
    await alerts.getByText('No alerts are waiting for you.').waitFor();
    await expectNoAxeViolations(page);
    expectNoProblems(tab);
    await tab.context.close();
    expect(first).not.toBe(second);
    phoneCase = { cast, second };
  }, 240_000);

  it('on a 375 px phone, marks the other concern "no further action"', async () => {
    expect(phoneCase, 'the desk journey ran first').toBeDefined();
    const { cast, second } = phoneCase!;
    const phone = await openTab(browser, server.baseUrl, PHONE);
    const pp = phone.page;
    await signInThroughPage(pp, server, cast.dsl);
    await pp.goto(`/concerns/${second}`);
    await pp.getByText('Avery had no coat in the snow.').waitFor();
    const t2 = pp.getByRole('region', { name: 'Triage' });
    await t2.getByRole('button', { name: 'Record a triage decision' }).click();
    await t2.getByRole('radio', { name: 'No further action' }).check();
    expect(await t2.getByRole('radio', { name: 'High' }).count()).toBe(0);
    await expectNoAxeViolations(pp);
    await t2.getByLabel('Reason').fill('Coat found in lost property; spoke to Avery.');
    await t2.getByRole('button', { name: 'Save triage decision' }).click();
    await t2.getByRole('status').filter({ hasText: 'Triage saved: No further action.' }).waitFor();
    await expectNoAxeViolations(pp);
    const wide = await pp.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(wide).toBeLessThanOrEqual(0);
    expectNoProblems(phone);
    await phone.context.close();
  }, 240_000);
});

// The pupil profile (issue 5) in the browser: pupils arrive from an MIS feed through the sync
// engine; the DSL opens a pupil from the chronology, sees a court-order restriction before
// anything else, contacts in priority order, attendance and siblings, and follows a sibling to
// their own profile. A teacher cannot open it. axe checks each page.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { fullBatch, generateSchool, writeBatch } from '../src/features/mis/fixtures/generate.ts';
import { readMisFolder } from '../src/features/mis/formats/index.ts';
import { runSync } from '../src/features/mis/sync.ts';
import { asSystem } from '../src/core/context.ts';
import { unsafeAsOwner } from '../src/platform/db/tenancy.ts';
import { call, signIn } from '../src/test/harness.ts';
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

describe('pupil profile', () => {
  it('shows the DSL restrictions first, contacts, attendance and siblings; a teacher cannot open it', async () => {
    const cast = await buildSchool(server, 'profile');
    const feed = generateSchool({ pupils: 20, staff: 4, groups: 30, days: 2, seed: 3 });
    const withSibling = feed.pupils.find((p) => p.siblingMisIds.length > 0)!;
    // Flags from the feed with their dates (issue 13): a current one and one that has ended.
    withSibling.flags = [
      { kind: 'child_protection_plan', startDate: '2019-05-01', endDate: '2020-01-31' },
      { kind: 'child_in_need', startDate: null, endDate: null },
      { kind: 'looked_after', startDate: '2023-02-01', endDate: null },
      { kind: 'young_carer', startDate: null, endDate: null },
    ];
    const dir = await mkdtemp(join(tmpdir(), 'lantern-e2e-mis-'));
    await writeBatch('wonde', dir, fullBatch(feed));
    const run = await runSync(
      asSystem(server.t.services, cast.schoolId, 'mis_sync'),
      () => readMisFolder('wonde', dir),
      {
        source: 'cli',
        format: 'wonde',
      },
    );
    expect(run.status).toBe('applied');
    const sibling = feed.pupils.find((p) => p.misId === withSibling.siblingMisIds[0])!;
    const [pupil] = await unsafeAsOwner(server.t.services.db, (q) =>
      q.query<{ id: string }>('SELECT id FROM pupils WHERE school_id = $1 AND mis_id = $2', [
        cast.schoolId,
        withSibling.misId,
      ]),
    );

    // The DSL records a court order against the lowest-priority contact, through the API.
    const api = await signIn(server.t.app, cast.dsl, { elevated: true });
    const profile = await call(server.t.app, api, 'GET', `/api/pupils/${pupil!.id}`);
    const contacts = profile.json<{
      contacts: { id: string; firstName: string; lastName: string }[];
    }>().contacts;
    const barred = contacts[contacts.length - 1]!;
    const restricted = await call(
      server.t.app,
      api,
      'POST',
      `/api/pupils/${pupil!.id}/restrictions`,
      {
        contactId: barred.id,
        kind: 'no_contact_or_collection',
        courtOrder: true,
        note: 'Order of 3 March',
      },
    );
    expect(restricted.statusCode, restricted.body).toBe(201);

    for (const viewport of [PHONE, DESKTOP]) {
      const tab = await openTab(browser, server.baseUrl, viewport);
      const page = tab.page;
      await signInThroughPage(page, server, cast.dsl);
      await page.goto(`/pupils/${pupil!.id}`);
      await page.getByRole('link', { name: 'Pupil profile' }).click();
      const name = `${withSibling.forename} ${withSibling.surname}`;
      await page.getByRole('heading', { level: 1, name }).waitFor();
      const restrictions = page.getByRole('region', { name: 'Restrictions on contacts' });
      await restrictions
        .getByText(`${barred.firstName} ${barred.lastName}`, { exact: false })
        .waitFor();
      await restrictions.getByText(/court order/).waitFor();
      await restrictions.getByText(/Order of 3 March/).waitFor();
      const contactList = page.getByRole('region', { name: 'Contacts', exact: true });
      expect(await contactList.getByRole('listitem').count()).toBe(contacts.length);
      await contactList.getByText('— restricted').waitFor();
      await page.getByRole('region', { name: 'Attendance this school year' }).waitFor();
      // Current flags with their start dates, most recent first; past ones apart, with dates.
      const current = page.getByRole('list', { name: 'Current flags' });
      expect(await current.getByRole('listitem').allInnerTexts()).toEqual([
        'Looked after, since 1 February 2023 (MIS)',
        'Child in need, start date not recorded (MIS)',
        'Young carer, start date not recorded (MIS)',
      ]);
      const past = page.getByRole('list', { name: 'Past flags' });
      expect(await past.getByRole('listitem').allInnerTexts()).toEqual([
        'Child protection plan, 1 May 2019 to 31 January 2020 (MIS)',
      ]);
      await expectNoAxeViolations(page);
      await page.getByRole('link', { name: `${sibling.forename} ${sibling.surname}` }).click();
      await page
        .getByRole('heading', { level: 1, name: `${sibling.forename} ${sibling.surname}` })
        .waitFor();
      await expectNoAxeViolations(page);
      expectNoProblems(tab);
      await tab.context.close();
    }

    const teacher = await openTab(browser, server.baseUrl, PHONE);
    await signInThroughPage(teacher.page, server, cast.teacher);
    await teacher.page.goto(`/pupils/${pupil!.id}/profile`);
    await teacher.page.getByRole('heading', { level: 1, name: 'You cannot see this' }).waitFor();
    expect(await teacher.page.getByText(barred.lastName).count()).toBe(0);
    await expectNoAxeViolations(teacher.page);
    await teacher.context.close();
  });
});

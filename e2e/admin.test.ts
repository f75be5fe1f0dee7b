// Issue 3’s administration in the browser: a school administrator signs in with a password, opens
// the staff page, which asks for the second factor (step_up_required), and invites
// a member of staff (the invitation email arrives), unlocks a locked account, resets a second
// factor with a reason, creates a group scoped to a year group with access to one category and
// adds a colleague to it, then changes the idle timeout and asks everyone for a second factor at
// sign-in — which their own next sign-in shows. axe checks each page at 1280 px, and the staff
// page at 375 px. Then (issue 11) an administrator's grant of a restricted category waits for the
// DSL, who follows the dashboard's alert on a phone and approves it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { call, categoryIds, currentCode, makeUser, signIn } from '../src/test/harness.ts';
import { unsafeAsOwner } from '../src/platform/db/tenancy.ts';
import { accountKey } from '../src/features/identity/throttle.ts';
import {
  auditRows,
  linkToken,
  startMailTrap,
  type MailTrap,
} from '../src/features/identity/identity-test-kit.ts';
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

/** One member of staff's card on the staff page (open it first with openCard). */
const card = (page: Page, name: string) =>
  page
    .getByRole('listitem')
    .filter({ has: page.getByRole('heading', { level: 3, name, exact: true }) });

/** Opens a member's card under their row of the staff table, as a person does: by their name. */
async function openCard(page: Page, name: string) {
  const row = page.getByRole('table').getByRole('button', { name, exact: true });
  if ((await row.getAttribute('aria-expanded')) !== 'true') await row.click();
  await card(page, name).waitFor();
}

/** A school administrator, Ada Admin, whose authenticator is already enrolled. */
async function enrolledAdmin(schoolId: string) {
  const admin = {
    ...(await makeUser(server.t.services, schoolId, 'school_admin', 'Ada Admin')),
    name: 'Ada Admin',
  };
  await signIn(server.t.app, admin, { elevated: true }); // enrols their authenticator
  return admin;
}

describe('administration', () => {
  it('manages staff, groups and the school’s policies, each change taking effect', async () => {
    const cast = await buildSchool(server, 'adm');
    const app = server.t.app;
    const s = server.t.services;
    const admin = await enrolledAdmin(cast.schoolId);
    await signIn(app, cast.teacher, { elevated: true }); // Tess has an authenticator to reset
    const locked = await makeUser(s, cast.schoolId, 'teacher', 'Luke Locked');
    await unsafeAsOwner(s.db, (q) =>
      q.query(
        `INSERT INTO sign_in_throttle (key_hash, failures, window_started_at, next_allowed_at, locked_until)
         VALUES ($1, 10, $2, $2, $3)`,
        [accountKey(locked.email), s.clock.now(), new Date(s.clock.now().getTime() + 30 * 60_000)],
      ),
    );

    const tab = await openTab(browser, server.baseUrl, DESKTOP);
    const page = tab.page;
    // An administrator who cannot read records signs in with a password alone (the school's
    // default asks only those who can), then gives the second factor to open the administration.
    await page.goto('/');
    await page.getByLabel('Email address').fill(admin.email);
    await page.getByLabel('Password', { exact: true }).fill(admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Confirm it is you' }).waitFor();
    // Straight to the staff page: it asks for the code itself (the server said step_up_required).
    await page.goto('/admin/users');
    await page.getByRole('heading', { level: 1, name: 'Staff' }).waitFor();
    await page.getByRole('heading', { name: 'Confirm it is you' }).waitFor();
    await page.getByLabel('Authentication code').fill(await currentCode(app, admin));
    await page.getByRole('button', { name: 'Verify' }).click();
    await openCard(page, 'Luke Locked');
    await card(page, 'Luke Locked').getByText('Locked until').waitFor();
    await expectNoAxeViolations(page);

    // Invite a head of year: the email arrives with a link to set a password.
    const email = `nina-${Date.now()}@test.lantern.invalid`;
    const sent = mail.messages.length;
    await page.getByLabel('Full name').fill('Nina New');
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Role').selectOption('head_of_year');
    await page.getByRole('button', { name: 'Send invitation' }).click();
    await page.getByText(`Invitation sent to ${email}.`).waitFor();
    expect(linkToken(await mail.to(email, sent))).toHaveLength(43);
    await openCard(page, 'Nina New');
    const nina = card(page, 'Nina New');
    await nina.getByText('Invited', { exact: true }).waitFor();
    await nina.getByText('Head of year', { exact: true }).waitFor();

    // Unlock the locked account: it can sign in again.
    await page.getByRole('button', { name: 'Unlock Luke Locked' }).click();
    await page.getByText('Luke Locked can sign in again.').waitFor();
    await card(page, 'Luke Locked').getByText('Active', { exact: true }).waitFor();
    expect(await page.getByRole('button', { name: 'Unlock Luke Locked' }).count()).toBe(0);
    await signIn(app, locked);

    // Reset Tess's second factor: a reason is required, and audited.
    await openCard(page, 'Tess Teacher');
    const tess = card(page, 'Tess Teacher');
    await tess.getByText('Authenticator app').waitFor();
    await page.getByRole('button', { name: 'Reset second factor for Tess Teacher' }).click();
    await tess.getByRole('button', { name: 'Reset their second factor' }).click();
    await tess.getByText('Say why their second factor is being reset.').waitFor();
    const reason = 'lost_phone';
    await tess.getByRole('group', { name: 'Why? (kept in the audit log)' }).waitFor();
    await tess.getByLabel('Lost, broken or replaced phone').check();
    await tess.getByRole('button', { name: 'Reset their second factor' }).click();
    await tess.getByText('Tess Teacher’s second factor was removed').waitFor();
    await tess.getByText('None set up').waitFor();
    expect(
      (await auditRows(server.t, cast.schoolId)).find(
        (r) => r.action === 'user.second_factor_reset',
      ),
    ).toMatchObject({ target_id: cast.teacher.id, details: { reason } });

    // A group for Year 7, with view access to one category.
    await page
      .getByRole('navigation', { name: 'Administration' })
      .getByRole('link', { name: 'Groups and permissions' })
      .click();
    await page.getByRole('heading', { level: 1, name: 'Groups and permissions' }).waitFor();
    await expectNoAxeViolations(page);
    await page.getByRole('link', { name: 'New group' }).click();
    await page.getByRole('heading', { level: 1, name: 'New group' }).waitFor();
    await page.getByLabel('Group name').fill('Year 7 pastoral');
    await page.getByLabel('Chosen year groups').check();
    await page.getByLabel('Year 7', { exact: true }).check();
    await page.getByLabel('Search records').check();
    await page.getByRole('button', { name: 'Create group' }).click();
    await page.getByRole('heading', { level: 1, name: 'Group: Year 7 pastoral' }).waitFor();
    const categories = await categoryIds(s, cast.schoolId);
    const open = categories.find((c) => !c.restricted)!;
    expect(categories.some((c) => c.restricted)).toBe(true);
    await page
      .getByRole('group', { name: 'Restricted categories' })
      .getByText('Restricted', { exact: true })
      .first()
      .waitFor();
    await page.getByLabel(open.name, { exact: true }).selectOption('view');
    await page.getByRole('button', { name: 'Save category access' }).click();
    await page.getByText(`Access to ${open.name} was saved.`).waitFor();
    await expectNoAxeViolations(page);

    // Oliver joins it.
    await page
      .getByRole('navigation', { name: 'Administration' })
      .getByRole('link', { name: 'Staff' })
      .click();
    await openCard(page, 'Oliver Other');
    await page.getByRole('button', { name: 'Change groups for Oliver Other' }).click();
    const oliver = card(page, 'Oliver Other');
    await oliver.getByLabel('Year 7 pastoral').check();
    await oliver.getByRole('button', { name: 'Save groups' }).click();
    await oliver.getByText('Oliver Other’s groups were saved.').waitFor();
    await oliver.getByText(/Year 7 pastoral/).waitFor();

    const api = await signIn(app, admin, { elevated: true });
    const groups = (await call(app, api, 'GET', '/api/admin/groups')).json<{
      items: {
        name: string;
        scope: unknown;
        capabilities: string[];
        categories: unknown[];
        memberIds: string[];
      }[];
    }>();
    expect(groups.items.find((g) => g.name === 'Year 7 pastoral')).toMatchObject({
      scope: { kind: 'year_groups', yearGroups: ['Year 7'] },
      capabilities: ['search'],
      categories: [{ categoryId: open.id, access: 'view' }],
      memberIds: [cast.otherTeacher.id],
    });

    // Policies: a refused value is shown by its field; then idle timeout 10, second factor for all.
    await page
      .getByRole('navigation', { name: 'Administration' })
      .getByRole('link', { name: 'School policies' })
      .click();
    await page.getByRole('heading', { level: 1, name: 'School policies' }).waitFor();
    await page.getByText(/0 means passwords never expire/).waitFor();
    await expectNoAxeViolations(page);
    const idle = page.getByLabel('Sign out after this many minutes without activity');
    await idle.fill('0');
    await page.getByRole('button', { name: 'Save policies' }).click();
    await page
      .getByRole('alert')
      .getByText('The body field "idleTimeoutMinutes" must be >= 1.')
      .waitFor();
    await expect.poll(() => idle.getAttribute('aria-invalid')).toBe('true');
    await idle.fill('10');
    await page.getByLabel('Everyone', { exact: true }).check();
    await page.getByRole('button', { name: 'Save policies' }).click();
    await page.getByText('The school’s policies were saved.', { exact: false }).waitFor();
    const view = (await call(app, api, 'GET', '/api/admin/policies')).json<{
      policies: { idleTimeoutMinutes: number; secondFactorAtSignIn: string };
    }>();
    expect(view.policies).toMatchObject({
      idleTimeoutMinutes: 10,
      secondFactorAtSignIn: 'everyone',
    });

    // Their own next sign-in now asks for the code at once, and the session idles out in 10 min.
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.getByLabel('Email address').fill(admin.email);
    await page.getByLabel('Password', { exact: true }).fill(admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('Authentication code').fill(await currentCode(app, admin));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('button', { name: 'Sign out', exact: true }).waitFor();
    const session = await page.evaluate(async () => {
      const r = await fetch('/api/auth/session');
      return (await r.json()) as { idleExpiresAt: string; elevated: boolean };
    });
    expect(session.elevated).toBe(true);
    expect(Date.parse(session.idleExpiresAt) - Date.now()).toBeLessThanOrEqual(10 * 60_000 + 5000);

    // On a phone: the dashboard links to the staff page, which fits 375 px and passes axe.
    await page.setViewportSize(PHONE);
    await page.goto('/');
    await page.getByRole('link', { name: 'Staff', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Staff' }).waitFor();
    await openCard(page, 'Nina New');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      PHONE.width,
    );
    await expectNoAxeViolations(page);
    expectNoProblems(tab);
    await tab.context.close();
  });

  it('keeps the staff table usable at 1,500 members: found by name, sorted, 50 rows at a time', async () => {
    const cast = await buildSchool(server, 'big');
    const app = server.t.app;
    const s = server.t.services;
    const admin = await enrolledAdmin(cast.schoolId);
    // 1,500 more members, as a large trust school's staff list; one with an accent to find.
    await unsafeAsOwner(s.db, (q) =>
      q.query(
        `INSERT INTO users (school_id, email, name, role, password_hash, password_changed_at, activated_at)
         SELECT $1, 'member' || g || '-' || $2 || '@test.lantern.invalid',
                CASE WHEN g = 777 THEN 'Zoë Ashworth' ELSE 'Member ' || lpad(g::text, 4, '0') END,
                'teacher', u.password_hash, now(), now()
           FROM generate_series(1, 1500) g, users u WHERE u.id = $3`,
        [cast.schoolId, cast.schoolId.slice(0, 8), admin.id],
      ),
    );
    const tab = await openTab(browser, server.baseUrl, DESKTOP);
    const page = tab.page;
    await page.goto('/');
    await page.getByLabel('Email address').fill(admin.email);
    await page.getByLabel('Password', { exact: true }).fill(admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Confirm it is you' }).waitFor();
    await page.goto('/admin/users');
    await page.getByRole('heading', { level: 1, name: 'Staff' }).waitFor();
    await page.getByLabel('Authentication code').fill(await currentCode(app, admin));
    await page.getByRole('button', { name: 'Verify' }).click();

    const status = page.getByRole('status').filter({ hasText: /^Showing|^No member/ });
    await status.filter({ hasText: /^Showing 50 of 1,5\d\d, sorted by name\.$/ }).waitFor();
    const rows = page.getByRole('table').locator('tbody > tr');
    expect(await rows.count()).toBe(50);
    await expectNoAxeViolations(page);

    // Found by part of the name, accents ignored.
    await page.getByLabel('Find a member of staff').fill('zoe');
    await status.filter({ hasText: /^Showing 1 of 1 matching \(1,5\d\d in all\)/ }).waitFor();
    await openCard(page, 'Zoë Ashworth');
    await card(page, 'Zoë Ashworth').getByText('Never', { exact: true }).waitFor();
    await page.getByLabel('Find a member of staff').fill('nobody-here');
    await status.filter({ hasText: 'No member of staff matches.' }).waitFor();
    await page.getByLabel('Find a member of staff').fill('');

    // Sorted by a column from its header; the header says how.
    const nameHeader = page.getByRole('columnheader', { name: 'Name' });
    expect(await nameHeader.getAttribute('aria-sort')).toBe('ascending');
    await nameHeader.getByRole('button').click();
    expect(await nameHeader.getAttribute('aria-sort')).toBe('descending');
    await status.filter({ hasText: /sorted by name, descending\.$/ }).waitFor();
    expect(await rows.first().getByRole('button').textContent()).toBe('Zoë Ashworth');
    const lastSignIn = page.getByRole('columnheader', { name: 'Last signed in' });
    await lastSignIn.getByRole('button').click();
    expect(await lastSignIn.getAttribute('aria-sort')).toBe('descending');
    // The administrator signed in just now: first when the newest sign-in comes first.
    expect(await rows.first().getByRole('button').textContent()).toBe('Ada Admin');

    // More rows on request.
    await page.getByRole('button', { name: 'Show 50 more' }).click();
    await status.filter({ hasText: /^Showing 100 of 1,5\d\d/ }).waitFor();
    expect(await rows.count()).toBe(100);
    // The focus moves to the first new row's name.
    await expect
      .poll(() =>
        page.evaluate(() => {
          const el = document.activeElement;
          const row = el?.closest('tr');
          return el?.tagName === 'BUTTON' && row
            ? [...row.parentElement!.children].indexOf(row)
            : -1;
        }),
      )
      .toBe(50);
    await expectNoAxeViolations(page);
    expectNoProblems(tab);
    await tab.context.close();
  });

  it('asks a DSL to approve a restricted grant, which the DSL approves from the dashboard alert', async () => {
    const cast = await buildSchool(server, 'apr');
    const app = server.t.app;
    const s = server.t.services;
    const admin = {
      ...(await makeUser(s, cast.schoolId, 'school_admin', 'Ari Admin')),
      name: 'Ari Admin',
    };
    await signIn(app, admin, { elevated: true }); // enrols their authenticator
    const restricted = (await categoryIds(s, cast.schoolId)).find((c) => c.restricted)!;

    const tab = await openTab(browser, server.baseUrl, DESKTOP);
    const page = tab.page;
    await signInThroughPage(page, server, admin);
    await page.goto('/admin/groups');
    await page.getByRole('heading', { level: 1, name: 'Groups and permissions' }).waitFor();
    await page.getByRole('link', { name: 'New group' }).click();
    await page.getByLabel('Group name').fill('Inclusion leads');
    await page.getByRole('button', { name: 'Create group' }).click();
    await page.getByRole('heading', { level: 1, name: 'Group: Inclusion leads' }).waitFor();
    // Its label carries a "Restricted" tag after the name.
    const escaped = restricted.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    await page.getByLabel(new RegExp(`${escaped}\\s*Restricted$`)).selectOption('view');
    await page.getByRole('button', { name: 'Save category access' }).click();
    await page
      .getByText(/waits for approval by the DSL, a deputy DSL or the headteacher/)
      .waitFor();
    await expectNoAxeViolations(page);
    // Nothing has changed yet; the administrator sees the request waiting, and cannot approve it.
    await page
      .getByRole('navigation', { name: 'Administration' })
      .getByRole('link', { name: 'Access approvals' })
      .click();
    await page.getByRole('heading', { level: 1, name: 'Access approvals' }).waitFor();
    const request = page.getByRole('listitem').filter({
      has: page.getByRole('heading', { level: 3, name: /^Inclusion leads:/ }),
    });
    await request.getByText('Waiting for approval').waitFor();
    expect(await request.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    await request.getByRole('button', { name: 'Withdraw' }).waitFor();
    await expectNoAxeViolations(page);
    await tab.context.close();

    // The DSL, on a phone: the dashboard's alert leads to the request; approving makes the change.
    const dslTab = await openTab(browser, server.baseUrl, PHONE);
    const dslPage = dslTab.page;
    await signInThroughPage(dslPage, server, cast.dsl);
    await dslPage
      .getByRole('link', { name: 'A change to record access is waiting for your approval' })
      .click();
    await dslPage.getByRole('heading', { level: 1, name: 'Access approvals' }).waitFor();
    const waiting = dslPage.getByRole('listitem').filter({
      has: dslPage.getByRole('heading', { level: 3, name: /^Inclusion leads:/ }),
    });
    await waiting.getByText('Ari Admin', { exact: false }).waitFor();
    await expectNoAxeViolations(dslPage);
    await waiting.getByRole('button', { name: 'Approve' }).click();
    await dslPage.getByText(/^Approved and made: Inclusion leads:/).waitFor();
    await dslPage.getByRole('heading', { level: 2, name: 'Waiting for approval (0)' }).waitFor();
    expect(await dslPage.evaluate(() => document.activeElement?.textContent?.trim() ?? '')).toBe(
      'Waiting for approval (0)',
    );
    expect(await dslPage.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      PHONE.width,
    );
    await expectNoAxeViolations(dslPage);

    const api = await signIn(app, admin, { elevated: true });
    const groups = (await call(app, api, 'GET', '/api/admin/groups')).json<{
      items: { name: string; categories: unknown[] }[];
    }>();
    expect(groups.items.find((g) => g.name === 'Inclusion leads')?.categories).toEqual([
      { categoryId: restricted.id, access: 'view' },
    ]);
    expect(
      (await auditRows(server.t, cast.schoolId))
        .map((r) => r.action)
        .filter((a) => a.startsWith('access.')),
    ).toEqual(['access.requested', 'access.approved']);
    expectNoProblems(dslTab);
    await dslTab.context.close();
  });
});

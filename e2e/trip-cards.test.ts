// Issue 21 in the browser, on a phone: a trip leader prepares the trip's emergency cards (a PIN
// they choose; the key released to their second factor), the phone goes offline and the card app
// still opens (its service worker) and reads a card with the PIN — a wrong PIN first is refused;
// then the device's clock passes the trip's end plus 24 hours and the cards cannot be opened;
// cards downloaded again and revoked in Lantern are wiped from the phone once it is online.
// A parent then confirms the school's change to their child's medical profile at /parent.
// axe checks every state.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { call, makeUser, signIn } from '../src/test/harness.ts';
import { makeParent, parentCode } from '../src/features/parents/parent-test-kit.ts';
import {
  buildSchool,
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

describe("a trip's offline emergency cards", () => {
  it('are prepared on a phone, read offline with the PIN, refused after expiry; a parent confirms a change', async () => {
    const cast = await buildSchool(server, 'trip');
    const app = server.t.app;
    const admin = await signIn(
      app,
      await makeUser(server.t.services, cast.schoolId, 'school_admin', 'Ada Admin'),
      { elevated: true },
    );
    // What the school holds: an allergy (not yet confirmed by the parent) and a trip today.
    const parent = await makeParent(server.t, cast.schoolId, [cast.pupil.id], { firstName: 'Pat' });
    const allergy = await call(app, admin, 'POST', `/api/pupils/${cast.pupil.id}/medical/entries`, {
      kind: 'allergy',
      content: { name: 'Peanuts', severity: 'anaphylaxis' },
    });
    expect(allergy.statusCode, allergy.body).toBe(201);
    const today = new Date().toISOString().slice(0, 10);
    const trip = await call(app, admin, 'POST', '/api/trips', {
      name: 'Castle visit',
      startsOn: today,
      endsOn: today,
      leaderIds: [cast.teacher.id],
      pupilIds: [cast.pupil.id, cast.others[0]!.id],
    });
    expect(trip.statusCode, trip.body).toBe(201);

    // The leader, on a phone, prepares the cards from the trip's page.
    const phone = await openTab(browser, server.baseUrl, PHONE);
    const p = phone.page;
    await signInThroughPage(p, server, cast.teacher);
    await p.getByRole('link', { name: 'Trips' }).click();
    await p.getByRole('link', { name: 'Castle visit' }).click();
    await p.getByRole('heading', { level: 1, name: 'Castle visit' }).waitFor();
    await expectNoAxeViolations(p);
    await p.getByRole('link', { name: 'Prepare cards on this phone' }).click();
    await p.getByRole('heading', { name: "Prepare this trip's cards on this phone" }).waitFor();
    await expectNoAxeViolations(p);
    await p.getByLabel('Choose a PIN').fill('482916');
    await p.getByLabel('Type the PIN again').fill('482917');
    await p.getByRole('button', { name: 'Download cards' }).click();
    await p.getByText('The two PINs are not the same.').waitFor();
    await expectNoAxeViolations(p);
    await p.getByLabel('Type the PIN again').fill('482916');
    await p.getByRole('button', { name: 'Download cards' }).click();
    await p.getByRole('button', { name: 'Open cards' }).waitFor();
    await expectNoAxeViolations(p);
    // The service worker keeps the card app for when there is no network.
    await p.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });

    // Offline: the card app still opens, and the cards open with the PIN only.
    await phone.context.setOffline(true);
    await p.reload();
    await p.getByRole('heading', { level: 1, name: 'Emergency cards' }).waitFor();
    await p.getByLabel('PIN').fill('111111');
    await p.getByRole('button', { name: 'Open cards' }).click();
    await p.getByText('That PIN is not right. 4 attempts left.').waitFor();
    await expectNoAxeViolations(p);
    await p.getByLabel('PIN').fill('482916');
    await p.getByRole('button', { name: 'Open cards' }).click();
    await p.getByRole('button', { name: cast.pupil.name }).click();
    const card = p.getByRole('article', { name: `Emergency card: ${cast.pupil.name}` });
    await card.getByText('Peanuts').waitFor();
    await expect.poll(() => card.getByText('Anaphylaxis').isVisible()).toBe(true);
    await expectNoAxeViolations(p);

    // The phone put away (the page hidden): the open cards lock, and ask for the PIN again.
    const visibility = (state: 'hidden' | 'visible') =>
      p.evaluate((value) => {
        Object.defineProperty(document, 'visibilityState', { value, configurable: true });
        document.dispatchEvent(new Event('visibilitychange'));
      }, state);
    await visibility('hidden');
    await p.getByLabel('PIN').waitFor();
    expect(await card.count()).toBe(0);
    await visibility('visible');
    await p.getByLabel('PIN').fill('482916');
    await p.getByRole('button', { name: 'Open cards' }).click();
    await p.getByRole('button', { name: cast.pupil.name }).click();
    await card.getByText('Peanuts').waitFor();

    // Past the trip's end plus 24 hours, on the device's clock: the cards do not open.
    await p.getByRole('button', { name: 'Lock' }).click();
    await p.clock.setFixedTime(
      new Date(Date.parse(`${today}T00:00:00Z`) + 2 * 86_400_000 + 60_000),
    );
    await p.getByLabel('PIN').fill('482916');
    await p.getByRole('button', { name: 'Open cards' }).click();
    await p.getByText(/expired on .* and can no longer be opened/).waitFor();
    expect(await p.getByRole('button', { name: 'Open cards' }).count()).toBe(0);
    await expectNoAxeViolations(p);

    // Back online: the device's log reaches Lantern, audited on the child's record.
    await phone.context.setOffline(false);
    await p.clock.setFixedTime(new Date());
    await p.reload();
    await p.getByRole('heading', { level: 1, name: 'Emergency cards' }).waitFor();
    await expect
      .poll(
        async () => {
          const rows = await server.t.services.db.query<{ action: string; target_id: string }>(
            `SELECT action, target_id FROM audit_events WHERE school_id = $1
           AND action IN ('trip.card_viewed', 'trip.card_refused')`,
            [cast.schoolId],
          );
          return rows.map((r) => r.action).sort();
        },
        { timeout: 15_000 },
      )
      // A wrong PIN and the expiry refused; the card opened twice (before and after the lock).
      .toEqual(['trip.card_refused', 'trip.card_refused', 'trip.card_viewed', 'trip.card_viewed']);

    // Downloaded again, then revoked in Lantern: the phone, online, wipes them.
    const tripId = trip.json<{ id: string }>().id;
    await p.goto(`/card.html?trip=${tripId}`);
    await p.getByLabel('Choose a PIN').fill('482916');
    await p.getByLabel('Type the PIN again').fill('482916');
    await p.getByRole('button', { name: 'Download cards' }).click();
    await p.getByRole('button', { name: 'Open cards' }).waitFor();
    const held = await call(app, admin, 'GET', `/api/trips/${tripId}`);
    const live = held.json<{ bundles: { id: string; revokedAt: string | null }[] }>().bundles;
    const bundleId = live.find((b) => b.revokedAt === null)!.id;
    const revoked = await call(app, admin, 'POST', `/api/card-bundles/${bundleId}/revoke`);
    expect(revoked.statusCode, revoked.body).toBe(200);
    await p.reload();
    await p.getByText(/Lantern has revoked or expired the cards for Castle visit/).waitFor();
    expect(await p.getByRole('button', { name: 'Open cards' }).count()).toBe(0);
    await expectNoAxeViolations(p);
    expectNoProblems(phone);

    // A parent confirms the school's change to their child's profile.
    const change = await call(app, admin, 'POST', `/api/pupils/${cast.pupil.id}/medical/entries`, {
      kind: 'condition',
      content: { name: 'Asthma', riskLevel: 'high' },
    });
    expect(change.statusCode, change.body).toBe(201);
    const home = await openTab(browser, server.baseUrl, PHONE);
    const h = home.page;
    await h.goto('/parent');
    await h.getByLabel('Email address').fill(parent.email);
    await h.getByLabel('Password', { exact: true }).fill(parent.password);
    await h.getByRole('button', { name: 'Sign in' }).click();
    await h.getByLabel('Authentication code').fill(await parentCode(server.t, parent));
    await h.getByRole('button', { name: 'Verify' }).click();
    await h.getByRole('link', { name: 'Medical and care' }).click();
    await h.getByRole('button', { name: cast.pupil.name }).click();
    // The allergy and the asthma, both proposed by the school.
    await h.getByText('2 changes wait for you to confirm.').waitFor();
    await expectNoAxeViolations(h);
    await h.getByRole('button', { name: 'Confirm: Asthma — high risk' }).click();
    await h.getByText('Confirmed. Thank you.').waitFor();
    await h.getByText('Asthma — high risk', { exact: true }).waitFor();
    await expectNoAxeViolations(h);
    expectNoProblems(home);

    // The DSL sees it confirmed in Parents and forms.
    const office = await openTab(browser, server.baseUrl, PHONE);
    const o = office.page;
    await signInThroughPage(o, server, cast.dsl);
    await o.getByRole('link', { name: 'Parents and forms' }).click();
    await o.getByRole('link', { name: 'Medical and care profiles' }).click();
    await o.getByLabel("Pupil's name").fill(cast.pupil.firstName);
    await o.getByRole('button', { name: 'Find' }).click();
    await o.getByRole('link', { name: cast.pupil.name, exact: true }).click();
    await o
      .getByRole('heading', { level: 1, name: `${cast.pupil.name}: medical and care` })
      .waitFor();
    await o.getByText('Asthma — high risk', { exact: true }).waitFor();
    await expectNoAxeViolations(o);
    expectNoProblems(office);
  });
});

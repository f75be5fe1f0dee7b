// Issue 21 in the browser, on a phone: a trip leader prepares the trip's emergency cards (a PIN
// they choose; the key released to their second factor), the phone goes offline and the card app
// still opens (its service worker) and reads a card with the PIN — a wrong PIN first is refused;
// then the device's clock passes the trip's end plus 24 hours and the cards cannot be opened;
// cards downloaded again and revoked in Lantern are wiped from the phone once it is online.
// A parent then confirms the school's change to their child's medical profile at /parent.
// axe checks every state.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Request } from 'playwright-core';
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
  type Tab,
} from './support.ts';

let server: Server;
let browser: Browser;
/** At least eight digits (web/src/card/crypto.ts). */
const PIN = '48291637';

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.t.close();
});

/**
 * Takes the phone off the network once the card app's own requests have finished: going online
 * starts a sync with Lantern, and cutting it off mid-request makes Chromium log the failed fetch
 * (net::ERR_INTERNET_DISCONNECTED) as a console error, which is the test's doing, not the app's.
 * A page loaded while offline may still start a fetch of its own (the app catches it and shows
 * the offline state, which the test checks), so the final checks pass `cutOffByTest`.
 */
function offlineSwitch(tab: Tab): (offline: boolean) => Promise<void> {
  const inFlight = new Set<Request>();
  tab.page.on('request', (r) => inFlight.add(r));
  tab.page.on('requestfinished', (r) => inFlight.delete(r));
  tab.page.on('requestfailed', (r) => inFlight.delete(r));
  return async (offline) => {
    if (offline) await expect.poll(() => inFlight.size, { timeout: 10_000 }).toBe(0);
    await tab.context.setOffline(offline);
  };
}

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
    // A plan with its document (a PDF), confirmed by the parent, and the trip's consent form.
    const planPdf = Buffer.from(
      '%PDF-1.4\n% Castle plan\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
    );
    const plan = await call(app, admin, 'POST', `/api/pupils/${cast.pupil.id}/medical/plans`, {
      kind: 'action_plan',
      title: 'Allergy action plan',
      expiresOn: new Date(Date.now() + 90 * 86_400_000).toISOString().slice(0, 10),
      fileName: 'allergy-plan.pdf',
      content: planPdf.toString('base64'),
    });
    expect(plan.statusCode, plan.body).toBe(201);
    await server.t.services.db.query(
      'UPDATE medical_plans SET parent_confirmed_at = now() WHERE id = $1',
      [plan.json<{ id: string }>().id],
    );
    const consent = await call(app, admin, 'POST', '/api/consents/forms', {
      title: 'Castle trip',
      text: 'I consent to my child visiting the castle with the school.',
      pupilIds: [cast.pupil.id],
    });
    expect(consent.statusCode, consent.body).toBe(201);
    const today = new Date().toISOString().slice(0, 10);
    const trip = await call(app, admin, 'POST', '/api/trips', {
      name: 'Castle visit',
      startsOn: today,
      endsOn: today,
      leaderIds: [cast.teacher.id],
      pupilIds: [cast.pupil.id, cast.others[0]!.id],
      consentFormIds: [consent.json<{ id: string }>().id],
    });
    expect(trip.statusCode, trip.body).toBe(201);

    // The leader, on a phone, prepares the cards from the trip's page.
    const phone = await openTab(browser, server.baseUrl, PHONE);
    const p = phone.page;
    const setOffline = offlineSwitch(phone);
    await signInThroughPage(p, server, cast.teacher);
    await p.getByRole('link', { name: 'Trips' }).click();
    await p.getByRole('link', { name: 'Castle visit' }).click();
    await p.getByRole('heading', { level: 1, name: 'Castle visit' }).waitFor();
    await expectNoAxeViolations(p);
    await p.getByRole('link', { name: 'Prepare cards on this phone' }).click();
    await p.getByRole('heading', { name: "Prepare this trip's cards on this phone" }).waitFor();
    await expectNoAxeViolations(p);
    // A six-digit PIN is too short now: at least eight digits.
    await p.getByLabel('Choose a PIN').fill('482916');
    await p.getByLabel('Type the PIN again').fill('482916');
    await p.getByRole('button', { name: 'Download cards' }).click();
    await p.getByText('Choose a PIN of 8 to 12 digits (numbers only).').waitFor();
    await expectNoAxeViolations(p);
    await p.getByLabel('Choose a PIN').fill(PIN);
    await p.getByLabel('Type the PIN again').fill('48291638');
    await p.getByRole('button', { name: 'Download cards' }).click();
    await p.getByText('The two PINs are not the same.').waitFor();
    await expectNoAxeViolations(p);
    await p.getByLabel('Type the PIN again').fill(PIN);
    await p.getByRole('button', { name: 'Download cards' }).click();
    await p.getByRole('button', { name: 'Open cards' }).waitFor();
    await expectNoAxeViolations(p);
    // The service worker keeps the card app for when there is no network.
    await p.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });

    // Offline: the card app still opens, and the cards open with the PIN only.
    await setOffline(true);
    await p.reload();
    await p.getByRole('heading', { level: 1, name: 'Emergency cards' }).waitFor();
    await p.getByLabel('PIN').fill('11111111');
    await p.getByRole('button', { name: 'Open cards' }).click();
    await p.getByText('That PIN is not right. 4 attempts left.').waitFor();
    await expectNoAxeViolations(p);
    await p.getByLabel('PIN').fill(PIN);
    await p.getByRole('button', { name: 'Open cards' }).click();
    await p.getByRole('button', { name: cast.pupil.name }).click();
    const card = p.getByRole('article', { name: `Emergency card: ${cast.pupil.name}` });
    await card.getByText('Peanuts').waitFor();
    await expect.poll(() => card.getByText('Anaphylaxis').isVisible()).toBe(true);
    // The trip's consent form, and the plan's document opened offline from the bundle.
    await card.getByText('Castle trip:').waitFor();
    expect(await card.getByText('not answered').count()).toBe(1);
    await expectNoAxeViolations(p);
    // The plan's PDF is never opened or handed to the phone (it would be saved unencrypted to
    // its downloads): the card says where to read it, and no page opens.
    let opened = 0;
    phone.context.on('page', () => (opened += 1));
    await card.getByText(/Allergy action plan: its document is not opened on the phone/).waitFor();
    expect(await card.getByRole('button', { name: /Open the plan/ }).count()).toBe(0);
    expect(opened).toBe(0);

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
    await p.getByLabel('PIN').fill(PIN);
    await p.getByRole('button', { name: 'Open cards' }).click();
    await p.getByRole('button', { name: cast.pupil.name }).click();
    await card.getByText('Peanuts').waitFor();

    // Past the trip's end plus 24 hours, on the device's clock: the cards do not open.
    await p.getByRole('button', { name: 'Lock' }).click();
    await p.clock.setFixedTime(
      new Date(Date.parse(`${today}T00:00:00Z`) + 2 * 86_400_000 + 60_000),
    );
    await p.getByLabel('PIN').fill(PIN);
    await p.getByRole('button', { name: 'Open cards' }).click();
    await p.getByText(/expired on .* and can no longer be opened/).waitFor();
    expect(await p.getByRole('button', { name: 'Open cards' }).count()).toBe(0);
    await expectNoAxeViolations(p);

    // Back online: the device's log reaches Lantern, audited on the child's record.
    await setOffline(false);
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
    const prepare = async () => {
      await p.goto(`/card.html?trip=${tripId}`);
      await p.getByLabel('Choose a PIN').fill(PIN);
      await p.getByLabel('Type the PIN again').fill(PIN);
      await p.getByRole('button', { name: 'Download cards' }).click();
      await p.getByRole('button', { name: 'Open cards' }).waitFor();
    };
    await prepare();
    const held = await call(app, admin, 'GET', `/api/trips/${tripId}`);
    const live = held.json<{ bundles: { id: string; revokedAt: string | null }[] }>().bundles;
    const bundleId = live.find((b) => b.revokedAt === null)!.id;
    const revoked = await call(app, admin, 'POST', `/api/card-bundles/${bundleId}/revoke`);
    expect(revoked.statusCode, revoked.body).toBe(200);
    await p.reload();
    await p.getByText(/Lantern has revoked or expired the cards for Castle visit/).waitFor();
    expect(await p.getByRole('button', { name: 'Open cards' }).count()).toBe(0);
    await expectNoAxeViolations(p);

    expectNoProblems(phone, { cutOffByTest: true });

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
  it('an edit of the trip revokes the cards on the phone and says so; the device key never leaves', async () => {
    const cast = await buildSchool(server, 'tripedit');
    const app = server.t.app;
    const admin = await signIn(
      app,
      await makeUser(server.t.services, cast.schoolId, 'school_admin', 'Ada Admin'),
      { elevated: true },
    );
    const consent = await call(app, admin, 'POST', '/api/consents/forms', {
      title: 'Castle trip',
      text: 'I consent to my child visiting the castle with the school.',
      pupilIds: [cast.pupil.id],
    });
    expect(consent.statusCode, consent.body).toBe(201);
    const today = new Date().toISOString().slice(0, 10);
    const trip = await call(app, admin, 'POST', '/api/trips', {
      name: 'Castle visit',
      startsOn: today,
      endsOn: today,
      leaderIds: [cast.teacher.id],
      pupilIds: [cast.pupil.id],
      consentFormIds: [consent.json<{ id: string }>().id],
    });
    expect(trip.statusCode, trip.body).toBe(201);
    const tripId = trip.json<{ id: string }>().id;
    const phone = await openTab(browser, server.baseUrl, PHONE);
    const p = phone.page;
    const setOffline = offlineSwitch(phone);
    await signInThroughPage(p, server, cast.teacher);
    const prepare = async () => {
      await p.goto(`/card.html?trip=${tripId}`);
      await p.getByLabel('Choose a PIN').fill(PIN);
      await p.getByLabel('Type the PIN again').fill(PIN);
      await p.getByRole('button', { name: 'Download cards' }).click();
      await p.getByRole('button', { name: 'Open cards' }).waitFor();
    };
    await prepare();

    // The device key: generated on the phone, kept in IndexedDB, and not extractable by script.
    const deviceKey = await p.evaluate(async () => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const r = indexedDB.open('lantern-cards');
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(new Error('no database'));
      });
      const keys = await new Promise<CryptoKey[]>((resolve) => {
        const r = db.transaction('device-keys').objectStore('device-keys').getAll();
        r.onsuccess = () => resolve(r.result as CryptoKey[]);
      });
      db.close();
      const exported = await crypto.subtle.exportKey('raw', keys[0]!).then(
        () => 'exported',
        (e: Error) => e.name,
      );
      return { count: keys.length, extractable: keys[0]!.extractable, exported };
    });
    expect(deviceKey).toEqual({ count: 1, extractable: false, exported: 'InvalidAccessError' });
    // The bundle itself, still encrypted, is in IndexedDB (room for photos and plans), apart from
    // the device key; nothing of the cards is in local storage.
    const kept = await p.evaluate(async (pupilName) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const r = indexedDB.open('lantern-card-bundles');
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(new Error('no database'));
      });
      const rows = await new Promise<Record<string, unknown>[]>((resolve) => {
        const r = db.transaction('bundles').objectStore('bundles').getAll();
        r.onsuccess = () => resolve(r.result as Record<string, unknown>[]);
      });
      db.close();
      return {
        count: rows.length,
        sealed: typeof rows[0]?.ciphertext === 'string',
        plain: JSON.stringify(rows).includes(pupilName),
        local: Object.keys(localStorage).filter((k) => k.startsWith('lantern.cards')),
      };
    }, cast.pupil.lastName);
    expect(kept).toEqual({ count: 1, sealed: true, plain: false, local: [] });

    // Those who manage trips edit it: the cards on the phone are revoked, and the page says so.
    const office = await openTab(browser, server.baseUrl, PHONE);
    const o = office.page;
    await signInThroughPage(o, server, cast.dsl);
    await o.goto(`/trips/${tripId}`);
    await o.getByRole('heading', { level: 1, name: 'Castle visit' }).waitFor();
    await o.getByText('Castle trip: not answered').waitFor();
    await expectNoAxeViolations(o);
    await o.getByRole('button', { name: 'Edit trip' }).click();
    const editForm = o.getByRole('form', { name: 'Edit trip' });
    await editForm.getByLabel('Trip name').fill('Castle and museum visit');
    await expectNoAxeViolations(o);
    await editForm.getByRole('button', { name: 'Save trip' }).click();
    await o
      .getByText(
        'Trip saved. The cards already downloaded for it (1) were revoked because the trip changed: each leader must prepare the cards again.',
      )
      .waitFor();
    await o.getByRole('heading', { level: 1, name: 'Castle and museum visit' }).waitFor();
    await o
      .getByText(/because the trip was edited/)
      .first()
      .waitFor();
    await expectNoAxeViolations(o);
    await p.reload();
    await p.getByText(/Lantern has revoked or expired the cards for Castle visit/).waitFor();

    // The key store failing once (as WebKit's does when an app is put away) costs nothing: the
    // cards stay, the PIN is not counted, and the next try opens them.
    await prepare();
    await setOffline(true);
    await p.reload();
    await p.getByLabel('PIN').waitFor();
    await p.evaluate(() => {
      const open = indexedDB.open.bind(indexedDB);
      let failed = false;
      indexedDB.open = (name: string, version?: number) => {
        if (failed) return open(name, version);
        failed = true;
        throw new DOMException('Connection to Indexed Database server lost', 'UnknownError');
      };
    });
    await p.getByLabel('PIN').fill(PIN);
    await p.getByRole('button', { name: 'Open cards' }).click();
    await p.getByText("Could not reach this phone's key store. Nothing has been removed").waitFor();
    await expectNoAxeViolations(p);
    await p.getByLabel('PIN').fill(PIN);
    await p.getByRole('button', { name: 'Open cards' }).click();
    await p.getByRole('button', { name: 'Lock' }).click();
    await p.getByRole('button', { name: 'Open cards' }).waitFor();
    await setOffline(false);

    // Local storage copied without the device key (here: the key deleted) opens nothing (the
    // cards prepared above are still on the phone).
    await p.evaluate(async () => {
      await new Promise<void>((resolve, reject) => {
        const r = indexedDB.deleteDatabase('lantern-cards');
        r.onsuccess = () => resolve();
        r.onerror = () => reject(new Error('not deleted'));
      });
    });
    await setOffline(true);
    await p.reload();
    await p.getByLabel('PIN').fill(PIN);
    await p.getByRole('button', { name: 'Open cards' }).click();
    await p
      .getByText(/This phone no longer holds the key to the cards for Castle and museum visit/)
      .waitFor();
    expect(await p.getByRole('button', { name: 'Open cards' }).count()).toBe(0);
    await expectNoAxeViolations(p);
    await setOffline(false);
    expectNoProblems(phone, { cutOffByTest: true });
  });
});

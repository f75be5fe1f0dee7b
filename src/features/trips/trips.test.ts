// Trips and their offline emergency cards over HTTP (issue 21), on both engines: a manager
// creates a trip; a leader downloads its cards, encrypted, and gets the key only with a second
// factor; the bundle opens with that key (AES-256-GCM, as WebCrypto reads it) and holds each
// pupil's contacts in priority order and medical items; a key request without the second factor,
// after revocation or after expiry (the trip's end plus 24 hours, on the injected clock) is
// refused and audited; views logged on the device are audited on each child's record.
import { createDecipheriv, createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  makePupil,
  makeSchool,
  makeUser,
  signIn,
  testApp,
  testClock,
  type TestApp,
} from '../../test/harness.ts';
import { asSystem } from '../../core/context.ts';
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';
import { hashToken } from '../identity/sessions.ts';
import { auditRows, errorOf } from '../identity/identity-test-kit.ts';
import type { BundleKey, CardBundle, CardSet, Trip, TripList } from '../../shared/trips.ts';
import { TRIP_DOCUMENTS_MAX_BYTES } from '../../shared/trips.ts';
import { asParent, makeFamily } from '../admissions/forms-test-kit.ts';
import { answerConsent } from '../consents/answers.ts';

let t: TestApp;
const clock = testClock(new Date('2027-03-01T08:00:00Z'));
beforeAll(async () => {
  t = await testApp({ config: { logLevel: 'error' }, clock });
  t.services.mailer = { send: () => Promise.resolve() };
});
afterAll(async () => t.close());

function open(bundle: CardBundle, key: string): CardSet {
  const body = Buffer.from(bundle.ciphertext, 'base64');
  const d = createDecipheriv(
    'aes-256-gcm',
    Buffer.from(key, 'base64'),
    Buffer.from(bundle.iv, 'base64'),
  );
  d.setAAD(Buffer.from(bundle.aad, 'utf8'));
  d.setAuthTag(body.subarray(body.length - 16));
  const plain = Buffer.concat([d.update(body.subarray(0, body.length - 16)), d.final()]);
  return JSON.parse(plain.toString('utf8')) as CardSet;
}

async function setUp() {
  clock.set(new Date('2027-03-01T08:00:00Z'));
  const schoolId = await makeSchool(t.services);
  const admin = await signIn(t.app, await makeUser(t.services, schoolId, 'school_admin'), {
    elevated: true,
  });
  const leaderUser = await makeUser(t.services, schoolId, 'teacher', 'Lee Leader');
  const leader = await signIn(t.app, leaderUser, { elevated: true });
  const other = await signIn(t.app, await makeUser(t.services, schoolId, 'teacher'), {
    elevated: true,
  });
  const amara = await makePupil(t.services, schoolId, { firstName: 'Amara', lastName: 'Bello' });
  const ben = await makePupil(t.services, schoolId, { firstName: 'Ben', lastName: 'Cole' });
  // Amara's contacts (second priority first in the table) and a confirmed allergy.
  await asSystem(t.services, schoolId, 'operator').tx(async (tx) => {
    const sealer = await tx.sealer();
    for (const [name, priority, phone] of [
      ['Second', 2, '07700 900002'],
      ['First', 1, '07700 900001'],
    ] as const) {
      const id = randomUUID();
      await tx.q(
        `INSERT INTO contacts (id, school_id, mis_id, first_name, last_name, phones)
         VALUES ($1, $2, $3, $4, 'Bello', $5)`,
        [
          id,
          schoolId,
          `C-${id}`,
          name,
          sealer.sealJson('contacts.phones', id, [{ kind: 'mobile', number: phone }]),
        ],
      );
      await tx.q(
        `INSERT INTO pupil_contacts (school_id, pupil_id, contact_id, priority, parental_responsibility)
         VALUES ($1, $2, $3, $4, true)`,
        [schoolId, amara.id, id, priority],
      );
    }
  });
  const allergy = await call(t.app, admin, 'POST', `/api/pupils/${amara.id}/medical/entries`, {
    kind: 'allergy',
    content: { name: 'Peanuts', severity: 'anaphylaxis' },
  });
  expect(allergy.statusCode, allergy.body).toBe(201);
  const created = await call(t.app, admin, 'POST', '/api/trips', {
    name: 'Year 7 residential',
    startsOn: '2027-03-10',
    endsOn: '2027-03-12',
    leaderIds: [leaderUser.id],
    pupilIds: [amara.id, ben.id],
  });
  expect(created.statusCode, created.body).toBe(201);
  const tripId = created.json<{ id: string }>().id;
  return { schoolId, admin, leader, leaderUser, other, amara, ben, tripId };
}

const download = async (s: Awaited<ReturnType<typeof setUp>>) => {
  const res = await call(t.app, s.leader, 'POST', `/api/trips/${s.tripId}/cards`);
  expect(res.statusCode, res.body).toBe(201);
  return res.json<CardBundle>();
};

describe('trips and offline emergency cards', () => {
  it("a leader downloads the trip's cards and opens them with the key released to their second factor", async () => {
    const s = await setUp();
    const mine = (await call(t.app, s.leader, 'GET', '/api/trips')).json<TripList>();
    expect(mine.items.map((i) => [i.name, i.allowed])).toEqual([
      ['Year 7 residential', ['download_cards']],
    ]);
    expect(mine.items[0]!.cardsExpireAt).toBe('2027-03-14T00:00:00.000Z');
    // Someone else sees neither the trip nor its cards.
    expect((await call(t.app, s.other, 'GET', '/api/trips')).json<TripList>().items).toEqual([]);
    expect((await call(t.app, s.other, 'GET', `/api/trips/${s.tripId}`)).statusCode).toBe(404);
    expect((await call(t.app, s.other, 'POST', `/api/trips/${s.tripId}/cards`)).statusCode).toBe(
      404,
    );
    // A manager sees the trip but is not a leader: no cards to carry.
    const byAdmin = await call(t.app, s.admin, 'POST', `/api/trips/${s.tripId}/cards`);
    expect(byAdmin.statusCode).toBe(403);

    // A consent form asks about Amara; no parent has answered yet.
    const consent = await call(t.app, s.admin, 'POST', '/api/consents/forms', {
      title: 'Local trips',
      text: 'I consent to my child going on local trips with the school.',
      pupilIds: [s.amara.id],
    });
    expect(consent.statusCode, consent.body).toBe(201);
    // Another form asks about Amara too, but the trip does not name it: not on the card.
    const photos = await call(t.app, s.admin, 'POST', '/api/consents/forms', {
      title: 'Photographs',
      text: 'I consent to photographs of my child in the newsletter.',
      pupilIds: [s.amara.id],
    });
    expect(photos.statusCode, photos.body).toBe(201);
    const linked = await call(t.app, s.admin, 'PUT', `/api/trips/${s.tripId}`, {
      basedOn: (await call(t.app, s.admin, 'GET', `/api/trips/${s.tripId}`)).json<Trip>()
        .fingerprint,
      name: 'Year 7 residential',
      startsOn: '2027-03-10',
      endsOn: '2027-03-12',
      leaderIds: [s.leaderUser.id],
      pupilIds: [s.amara.id, s.ben.id],
      consentFormIds: [consent.json<{ id: string }>().id],
    });
    expect(linked.statusCode, linked.body).toBe(200);
    expect(linked.json()).toEqual({ id: s.tripId, revokedBundles: 0 });

    const bundle = await download(s);
    expect(bundle.ciphertext).not.toMatch(/Peanut/);
    expect(Buffer.from(bundle.ciphertext, 'base64').toString('latin1')).not.toMatch(/Peanut|Amara/);
    const keyRes = await call(t.app, s.leader, 'POST', `/api/card-bundles/${bundle.id}/key`);
    expect(keyRes.statusCode, keyRes.body).toBe(200);
    const set = open(bundle, keyRes.json<BundleKey>().key);
    expect(set.cards.map((c) => c.name)).toEqual(['Amara Bello', 'Ben Cole']);
    const amara = set.cards[0]!;
    expect(amara.contacts.map((c) => [c.priority, c.phones[0]?.number])).toEqual([
      [1, '07700 900001'],
      [2, '07700 900002'],
    ]);
    // Waiting for the parent's confirmation, and shown so on the card.
    expect(amara.allergies).toEqual([
      { name: 'Peanuts', severity: 'anaphylaxis', confirmed: false },
    ]);
    // The trip's consents, as the consent pages judge them.
    expect(amara.consents).toEqual([{ title: 'Local trips', version: 1, state: 'unanswered' }]);
    expect(set.cards[1]!.consents).toEqual([]);
    // Another member cannot have the key.
    expect(
      (await call(t.app, s.other, 'POST', `/api/card-bundles/${bundle.id}/key`)).statusCode,
    ).toBe(404);

    const trip = (await call(t.app, s.admin, 'GET', `/api/trips/${s.tripId}`)).json<Trip>();
    expect(trip.bundles.map((b) => [b.holder, b.revokedAt])).toEqual([['Lee Leader', null]]);
    const rows = await auditRows(t, s.schoolId);
    expect(
      rows
        .filter((r) => r.action === 'trip.cards_downloaded')
        .map((r) => r.target_id)
        .sort(),
    ).toEqual([s.amara.id, s.ben.id].sort());
    expect(rows.map((r) => r.action)).toContain('trip.card_key_released');
    expect(JSON.stringify(rows)).not.toMatch(/Peanut|07700/);
    expect(trip.consentForms.map((f) => f.title)).toEqual(['Local trips']);
    expect(trip.pupilList.map((p) => [p.name, p.consents.map((c) => c.state)])).toEqual([
      ['Amara Bello', ['unanswered']],
      ['Ben Cole', ['not_asked']],
    ]);
    // The manager's download and the other member's request for the key are both recorded.
    expect(rows.filter((r) => r.action === 'trip.card_refused').map((r) => r.details)).toEqual([
      { reason: 'not_leader', where: 'server' },
      { bundle: bundle.id, reason: 'not_leader', where: 'server' },
    ]);
    // Downloading again replaces the earlier cards once the device says it has stored the new
    // ones: until then the earlier cards stay valid (a phone with no room keeps what it had).
    const replacement = await download(s);
    const statusOf = async (id: string) =>
      (await call(t.app, s.leader, 'GET', `/api/card-bundles/${id}/status`)).json<{
        state: string;
      }>().state;
    expect(await statusOf(bundle.id)).toBe('active');
    const stored = await call(
      t.app,
      s.leader,
      'POST',
      `/api/card-bundles/${replacement.id}/stored`,
    );
    expect(stored.statusCode, stored.body).toBe(200);
    expect(await statusOf(bundle.id)).toBe('revoked');
    expect(await statusOf(replacement.id)).toBe('active');
    // Only the holder says so; a revoked bundle cannot revoke others.
    expect(
      (await call(t.app, s.other, 'POST', `/api/card-bundles/${replacement.id}/stored`)).statusCode,
    ).toBe(404);
    expect(
      (await call(t.app, s.leader, 'POST', `/api/card-bundles/${bundle.id}/stored`)).statusCode,
    ).toBe(409);
  });

  it('refuses the key without a second factor, once revoked and after the trip ends plus 24 hours, each audited', async () => {
    const s = await setUp();
    const bundle = await download(s);
    // Without the second factor: refused, audited.
    const plain = await signIn(t.app, s.leaderUser, { elevated: true });
    await unsafeAsOwner(t.services.db, (q) =>
      q.query('UPDATE sessions SET elevated_until = NULL WHERE token_hash = $1', [
        hashToken(plain.cookie.slice(plain.cookie.indexOf('=') + 1)),
      ]),
    );
    const noFactor = await call(t.app, plain, 'POST', `/api/card-bundles/${bundle.id}/key`);
    expect(noFactor.statusCode).toBe(403);
    expect(errorOf(noFactor).code).toBe('step_up_required');

    // Past the end of the trip plus 24 hours (the injected clock): refused.
    clock.set(new Date('2027-03-14T00:00:01Z'));
    const leader = await signIn(t.app, s.leaderUser, { elevated: true });
    const late = await call(t.app, leader, 'POST', `/api/card-bundles/${bundle.id}/key`);
    expect(late.statusCode).toBe(409);
    expect(errorOf(late).code).toBe('cards_expired');
    expect(errorOf(late).message).toMatch(/expired/);
    const status = await call(t.app, leader, 'GET', `/api/card-bundles/${bundle.id}/status`);
    expect(status.json<{ state: string }>().state).toBe('expired');
    const again = await call(t.app, leader, 'POST', `/api/trips/${s.tripId}/cards`);
    expect(again.statusCode).toBe(409);

    // Revoked (back within the trip): refused, and never released again.
    clock.set(new Date('2027-03-11T08:00:00Z'));
    const admin = await signIn(t.app, await makeUser(t.services, s.schoolId, 'school_admin'), {
      elevated: true,
    });
    const during = await signIn(t.app, s.leaderUser, { elevated: true });
    const second = (
      await call(t.app, during, 'POST', `/api/trips/${s.tripId}/cards`)
    ).json<CardBundle>();
    const revoked = await call(t.app, admin, 'POST', `/api/card-bundles/${second.id}/revoke`);
    expect(revoked.statusCode, revoked.body).toBe(200);
    const afterRevoke = await call(t.app, during, 'POST', `/api/card-bundles/${second.id}/key`);
    expect(afterRevoke.statusCode).toBe(409);
    expect(errorOf(afterRevoke).code).toBe('cards_revoked');
    expect(
      (await call(t.app, during, 'GET', `/api/card-bundles/${second.id}/status`)).json<{
        state: string;
      }>().state,
    ).toBe('revoked');

    const refusals = (await auditRows(t, s.schoolId))
      .filter((r) => r.action === 'trip.card_refused')
      .map((r) => r.details.reason);
    // The key after expiry, the download after expiry, the key once revoked.
    expect(refusals).toEqual(['no_second_factor', 'expired', 'expired', 'revoked']);
  });

  it("records the device's offline log once, its times placed within the bundle's life, at most 20 events a pupil", async () => {
    const s = await setUp();
    const bundle = await download(s);
    clock.set(new Date('2027-03-01T08:10:00Z'));
    const events = [
      // Before the download (a wrong device clock): placed at the download.
      { id: randomUUID(), kind: 'viewed', pupilId: s.amara.id, at: '2027-03-01T07:00:00Z' },
      // In the future: placed at now.
      { id: randomUUID(), kind: 'refused', reason: 'wrong_pin', at: '2030-01-01T00:00:00Z' },
      // A pupil not on the trip is not recorded.
      { id: randomUUID(), kind: 'viewed', pupilId: randomUUID(), at: '2027-03-01T08:05:00Z' },
    ];
    const post = (evs: unknown[]) =>
      call(t.app, s.leader, 'POST', `/api/card-bundles/${bundle.id}/events`, { events: evs });
    const sent = await post(events);
    expect(sent.statusCode, sent.body).toBe(200);
    expect(sent.json<{ recorded: number }>().recorded).toBe(2);
    // The same log again (its answer was lost, say): nothing recorded twice.
    const again = await post(events);
    expect(again.json<{ recorded: number }>().recorded).toBe(0);
    // Events without an id are refused (an old device could not be deduplicated).
    expect((await post([{ kind: 'refused', at: '2027-03-01T08:05:00Z' }])).statusCode).toBe(400);

    const rows = await auditRows(t, s.schoolId);
    const viewed = rows.filter((r) => r.action === 'trip.card_viewed');
    expect(viewed.map((r) => [r.target_id, r.details.viewedAt])).toEqual([
      [s.amara.id, '2027-03-01T08:00:00.000Z'],
    ]);
    expect(rows.filter((r) => r.action === 'trip.card_refused').map((r) => r.details)).toEqual([
      { bundle: bundle.id, reason: 'wrong_pin', where: 'device', at: '2027-03-01T08:10:00.000Z' },
    ]);

    // A flood stops at 20 events for each pupil on the trip.
    const flood = Array.from({ length: 60 }, () => ({
      id: randomUUID(),
      kind: 'refused',
      reason: 'wrong_pin',
      at: '2027-03-01T08:05:00Z',
    }));
    const capped = await post(flood);
    expect(capped.statusCode, capped.body).toBe(200);
    expect(capped.json<{ recorded: number }>().recorded).toBe(2 * 20 - 2); // Two pupils on the trip, two events already recorded.
    expect(
      (await post(flood.slice(0, 1).map((e) => ({ ...e, id: randomUUID() })))).json<{
        recorded: number;
      }>().recorded,
    ).toBe(0);
  });

  it('the device learns of a revocation and sends its log with its status token, signed out', async () => {
    const s = await setUp();
    const bundle = await download(s);
    const base = `/api/public/schools/${s.schoolId}/card-bundles/${bundle.id}`;
    expect(bundle.schoolId).toBe(s.schoolId);
    const status = (token: string) => call(t.app, null, 'POST', `${base}/status`, { token });
    const first = await status(bundle.statusToken);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json<{ state: string }>().state).toBe('active');
    // A wrong token is answered like an unknown bundle.
    expect((await status('x'.repeat(43))).statusCode).toBe(404);
    expect(
      (
        await call(
          t.app,
          null,
          'POST',
          `/api/public/schools/${s.schoolId}/card-bundles/${randomUUID()}/status`,
          {
            token: bundle.statusToken,
          },
        )
      ).statusCode,
    ).toBe(404);
    // Only a hash of the token is kept.
    const [row] = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ h: Buffer }>('SELECT status_token_hash AS h FROM trip_card_bundles WHERE id = $1', [
        bundle.id,
      ]),
    );
    expect(row!.h.toString('utf8')).not.toContain(bundle.statusToken);
    expect(row!.h.length).toBe(32);

    const event = {
      id: randomUUID(),
      kind: 'viewed',
      pupilId: s.amara.id,
      at: '2027-03-01T08:00:00Z',
    };
    const sent = await call(t.app, null, 'POST', `${base}/events`, {
      token: bundle.statusToken,
      events: [event],
    });
    expect(sent.statusCode, sent.body).toBe(200);
    expect(sent.json<{ recorded: number }>().recorded).toBe(1);
    const wrong = await call(t.app, null, 'POST', `${base}/events`, { token: 'nope', events: [] });
    expect(wrong.statusCode).toBe(404);
    // Recorded as the leader's view, though no one was signed in.
    const viewed = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ target_id: string; actor_id: string }>(
        `SELECT target_id, actor_id FROM audit_events
         WHERE school_id = $1 AND action = 'trip.card_viewed'`,
        [s.schoolId],
      ),
    );
    expect(viewed.map((r) => [r.target_id, r.actor_id])).toEqual([[s.amara.id, s.leaderUser.id]]);

    expect(
      (await call(t.app, s.admin, 'POST', `/api/card-bundles/${bundle.id}/revoke`)).statusCode,
    ).toBe(200);
    expect((await status(bundle.statusToken)).json<{ state: string }>().state).toBe('revoked');
    // A flood of requests for one bundle is refused before any database work.
    let last = 200;
    for (let i = 0; i < 40 && last !== 429; i += 1)
      last = (await status(bundle.statusToken)).statusCode;
    expect(last).toBe(429);
  });

  it('edits a trip until it ends: the cards already downloaded are revoked and must be prepared again', async () => {
    const s = await setUp();
    const family = await makeFamily(t.services, s.schoolId, { firstName: 'Cara' });
    const form = await call(t.app, s.admin, 'POST', '/api/consents/forms', {
      title: 'Residential trip',
      text: 'I consent to my child staying away for two nights.',
      pupilIds: [family.pupilId],
    });
    expect(form.statusCode, form.body).toBe(201);
    const formId = form.json<{ id: string }>().id;
    const versionId = (await call(t.app, s.admin, 'GET', `/api/consents/forms/${formId}`)).json<{
      versions: { id: string }[];
    }>().versions[0]!.id;
    const bundle = await download(s);
    const url = `/api/trips/${s.tripId}`;
    const loaded = (await call(t.app, s.admin, 'GET', url)).json<Trip>().fingerprint;
    const edit = {
      basedOn: loaded,
      name: 'Year 7 residential (Wales)',
      startsOn: '2027-03-10',
      endsOn: '2027-03-13',
      leaderIds: [s.leaderUser.id],
      pupilIds: [s.amara.id, family.pupilId],
      consentFormIds: [formId],
    };
    // Only those who manage trips may edit: a leader is refused (403), nothing changed.
    const byLeader = await call(t.app, s.leader, 'PUT', url, edit);
    expect(byLeader.statusCode).toBe(403);
    // A consent form that is not the school's is refused, naming it, and nothing changes.
    const unknown = await call(t.app, s.admin, 'PUT', url, {
      ...edit,
      consentFormIds: [randomUUID()],
    });
    expect(unknown.statusCode).toBe(400);
    expect(errorOf(unknown).message).toMatch(/one of the school’s consent forms/);
    const reversed = await call(t.app, s.admin, 'PUT', url, { ...edit, endsOn: '2027-03-09' });
    expect(reversed.statusCode).toBe(400);
    const still = (await call(t.app, s.admin, 'GET', url)).json<Trip>();
    expect([still.name, still.pupils, still.consentForms, still.bundles[0]!.revokedAt]).toEqual([
      'Year 7 residential',
      2,
      [],
      null,
    ]);

    const ok = await call(t.app, s.admin, 'PUT', url, edit);
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toEqual({ id: s.tripId, revokedBundles: 1 });
    // Another edit based on the trip as it was before that one is refused, changing nothing.
    const stale = await call(t.app, s.admin, 'PUT', url, { ...edit, name: 'Back to Devon' });
    expect(stale.statusCode).toBe(409);
    expect(errorOf(stale).code).toBe('trip_changed');
    const after = (await call(t.app, s.admin, 'GET', url)).json<Trip>();
    expect(after).toMatchObject({
      name: 'Year 7 residential (Wales)',
      endsOn: '2027-03-13',
      consentForms: [{ id: formId, title: 'Residential trip' }],
    });
    expect(after.allowed).toContain('edit');
    expect(after.bundles.map((b) => b.revokedBecause)).toEqual(['trip_edited']);
    // The leader's phone learns the cards were revoked; their key is never released again.
    expect(
      (await call(t.app, s.leader, 'GET', `/api/card-bundles/${bundle.id}/status`)).json<{
        state: string;
      }>().state,
    ).toBe('revoked');
    const key = await call(t.app, s.leader, 'POST', `/api/card-bundles/${bundle.id}/key`);
    expect(key.statusCode).toBe(409);
    // Ben was on the cards and the edit took him off the trip: the phone's view of his card
    // (opened before the edit, sent after) is still audited, on Ben's record.
    const benView = await call(t.app, s.leader, 'POST', `/api/card-bundles/${bundle.id}/events`, {
      events: [{ id: randomUUID(), kind: 'viewed', pupilId: s.ben.id, at: '2027-03-01T08:01:00Z' }],
    });
    expect(benView.statusCode, benView.body).toBe(200);
    expect(benView.json<{ recorded: number }>().recorded).toBe(1);
    expect(
      (await auditRows(t, s.schoolId))
        .filter((r) => r.action === 'trip.card_viewed')
        .map((r) => r.target_id),
    ).toEqual([s.ben.id]);
    expect(errorOf(key).code).toBe('cards_revoked');

    // The trip page shows each pupil's consent on the trip's form, by the consent pages' rule:
    // one parent gave it, the other refused → the parents disagree.
    const run = asParent(t.services, s.schoolId);
    await run((tx) =>
      answerConsent(tx, [family.pupilId], family.mum, {
        versionId,
        pupilId: family.pupilId,
        answer: 'given',
      }),
    );
    const oneAnswer = (await call(t.app, s.admin, 'GET', url)).json<Trip>();
    expect(oneAnswer.pupilList.map((p) => [p.name, p.consents[0]!.state])).toEqual([
      ['Amara Bello', 'not_asked'],
      [family.name, 'given'],
    ]);
    await run((tx) =>
      answerConsent(tx, [family.pupilId], family.dad, {
        versionId,
        pupilId: family.pupilId,
        answer: 'refused',
      }),
    );
    const cara = (await call(t.app, s.admin, 'GET', url))
      .json<Trip>()
      .pupilList.find((p) => p.id === family.pupilId)!;
    expect(cara.consents).toEqual([
      { formId, title: 'Residential trip', version: 1, state: 'disagreement' },
    ]);
    // A new download carries the edit: Ben is gone, Cara's card has the trip's form only.
    const fresh = await download(s);
    const freshKey = await call(t.app, s.leader, 'POST', `/api/card-bundles/${fresh.id}/key`);
    const set = open(fresh, freshKey.json<BundleKey>().key);
    expect(set.tripName).toBe('Year 7 residential (Wales)');
    expect(set.cards.map((c) => c.pupilId).sort()).toEqual([s.amara.id, family.pupilId].sort());
    expect(set.cards.find((c) => c.pupilId === family.pupilId)!.consents).toEqual([
      { title: 'Residential trip', version: 1, state: 'disagreement' },
    ]);

    const rows = await auditRows(t, s.schoolId);
    expect(rows.find((r) => r.action === 'trip.edited')?.details).toEqual({
      changed: ['name', 'dates', 'pupils', 'consent_forms'],
      starts: '2027-03-10',
      ends: '2027-03-13',
      leaders: 1,
      pupils: 2,
      consentForms: 1,
      revokedBundles: 1,
    });
    expect(rows.filter((r) => r.action === 'trip.edited')).toHaveLength(1);

    // Once the trip has ended (its last day over in England) it cannot be edited.
    clock.set(new Date('2027-03-14T00:00:00Z'));
    const admin = await signIn(t.app, await makeUser(t.services, s.schoolId, 'school_admin'), {
      elevated: true,
    });
    const late = await call(t.app, admin, 'PUT', url, {
      ...edit,
      basedOn: (await call(t.app, admin, 'GET', url)).json<Trip>().fingerprint,
      name: 'Too late',
    });
    expect(late.statusCode).toBe(409);
    expect(errorOf(late)).toMatchObject({
      code: 'trip_ended',
      message: 'This trip has ended, so it can no longer be edited.',
    });
    const ended = (await call(t.app, admin, 'GET', url)).json<Trip>();
    expect(ended.name).toBe('Year 7 residential (Wales)');
    expect(ended.allowed).not.toContain('edit');
  });

  it("carries each plan's current document inside the bundle, within the trip's size limit", async () => {
    const s = await setUp();
    const pdf = (size: number, marker: string) => {
      const head = `%PDF-1.4\n% ${marker}\n`;
      const tail = '1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n';
      return Buffer.from(head + '%'.repeat(Math.max(0, size - head.length - tail.length)) + tail);
    };
    const addPlan = async (pupilId: string, title: string, bytes: Buffer) => {
      const res = await call(t.app, s.admin, 'POST', `/api/pupils/${pupilId}/medical/plans`, {
        kind: 'action_plan',
        title,
        expiresOn: '2027-09-30',
        fileName: `${title}.pdf`,
        content: bytes.toString('base64'),
      });
      expect(res.statusCode, res.body).toBe(201);
      const id = res.json<{ id: string }>().id;
      // Set-up: the parent's confirmation (the parent's side is tested in medical.test.ts).
      await unsafeAsOwner(t.services.db, (q) =>
        q.query('UPDATE medical_plans SET parent_confirmed_at = $2 WHERE id = $1', [
          id,
          clock.now(),
        ]),
      );
      return id;
    };
    const small = pdf(40_000, 'Amara asthma plan');
    await addPlan(s.amara.id, 'Asthma action plan', small);
    const bundle = await download(s);
    const key = await call(t.app, s.leader, 'POST', `/api/card-bundles/${bundle.id}/key`);
    const set = open(bundle, key.json<BundleKey>().key);
    const plan = set.cards.find((c) => c.pupilId === s.amara.id)!.plans[0]!;
    expect(plan).toMatchObject({ title: 'Asthma action plan', expiresOn: '2027-09-30' });
    expect(plan.document).toMatchObject({
      fileName: 'Asthma action plan.pdf',
      mime: 'application/pdf',
    });
    const carried = Buffer.from(plan.document!.data, 'base64');
    const stored = createHash('sha256').update(small).digest('hex');
    expect(createHash('sha256').update(carried).digest('hex')).toBe(stored);
    expect(plan.document!.sha256).toBe(stored);
    // Nothing of the document is readable in the bundle as downloaded.
    expect(Buffer.from(bundle.ciphertext, 'base64').toString('latin1')).not.toContain(
      'Amara asthma plan',
    );

    // Over the trip's limit (all its plans together): the cards still download, carrying the
    // files that fit (smallest first); the large one is left out and its card says so.
    await addPlan(s.ben.id, 'Epilepsy care plan', pdf(TRIP_DOCUMENTS_MAX_BYTES - 20_000, 'Ben'));
    const second = await download(s);
    const key2 = await call(t.app, s.leader, 'POST', `/api/card-bundles/${second.id}/key`);
    const set2 = open(second, key2.json<BundleKey>().key);
    const amaras = set2.cards.find((c) => c.pupilId === s.amara.id)!.plans[0]!;
    expect(amaras.document!.sha256).toBe(stored);
    expect(amaras.documentLeftOut).toBeUndefined();
    const bens = set2.cards.find((c) => c.pupilId === s.ben.id)!.plans[0]!;
    expect(bens).toMatchObject({ title: 'Epilepsy care plan', documentLeftOut: true });
    expect(bens.document).toBeUndefined();
  });

  it('refuses a trip that makes no sense, with nothing written', async () => {
    const s = await setUp();
    const bad = await call(t.app, s.admin, 'POST', '/api/trips', {
      name: 'Backwards',
      startsOn: '2027-03-12',
      endsOn: '2027-03-10',
      leaderIds: [s.leaderUser.id],
      pupilIds: [s.amara.id],
    });
    expect(bad.statusCode).toBe(400);
    expect(errorOf(bad).message).toMatch(/end on or after/);
    const stranger = await call(t.app, s.admin, 'POST', '/api/trips', {
      name: 'Stranger',
      startsOn: '2027-03-10',
      endsOn: '2027-03-10',
      leaderIds: [s.leaderUser.id],
      pupilIds: [randomUUID()],
    });
    expect(stranger.statusCode).toBe(400);
    const list = (await call(t.app, s.admin, 'GET', '/api/trips')).json<TripList>();
    expect(list.items.map((i) => i.name)).toEqual(['Year 7 residential']);
    expect((await call(t.app, s.other, 'POST', '/api/trips', {})).statusCode).toBe(400);
  });
});

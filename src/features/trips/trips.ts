// Trips (issue 21): a name, dates, leaders (members of staff), pupils and the consent forms that
// apply to it. Managers see every trip; a leader sees the trips they lead. Reads and changes are
// audited; a trip's pupil list is about children, so reading one is a view. A trip is edited
// (by those who manage trips) until it ends; an edit revokes the cards already downloaded for
// it, which were prepared from what the trip was.
import { createHash, randomUUID } from 'node:crypto';
import type { Tx } from '../../core/context.ts';
import { badRequest, DomainError, notFound } from '../../core/errors.ts';
import type { EditTrip, NewTrip, Trip, TripEdited, TripSummary } from '../../shared/trips.ts';
import { currentConsents } from '../consents/state.ts';
import { cardsExpireAt, isManager, loadTripFor, tripActions, tripEnded } from './policy.ts';

type Row = {
  id: string;
  name: string;
  starts_on: string;
  ends_on: string;
  pupils: number;
  leaders: { id: string; name: string }[] | string;
};

const leadersOf = (r: Row): { id: string; name: string }[] =>
  typeof r.leaders === 'string'
    ? (JSON.parse(r.leaders) as { id: string; name: string }[])
    : r.leaders;

function summary(t: Tx, r: Row): TripSummary {
  const leaders = leadersOf(r);
  return {
    id: r.id,
    name: r.name,
    startsOn: r.starts_on,
    endsOn: r.ends_on,
    pupils: r.pupils,
    leaders,
    cardsExpireAt: cardsExpireAt(r.ends_on).toISOString(),
    allowed: tripActions(
      t.actor,
      leaders.map((l) => l.id),
      r.ends_on,
      t.now,
    ),
  };
}

const SELECT = `SELECT t.id, t.name, t.starts_on::text AS starts_on, t.ends_on::text AS ends_on,
  (SELECT count(*)::int FROM trip_pupils p WHERE p.trip_id = t.id) AS pupils,
  coalesce((SELECT json_agg(json_build_object('id', u.id, 'name', u.name) ORDER BY u.name)
            FROM trip_leaders l JOIN users u ON u.id = l.user_id WHERE l.trip_id = t.id), '[]') AS leaders
  FROM trips t`;

export async function listTrips(t: Tx): Promise<{ items: TripSummary[] }> {
  const rows = isManager(t.actor)
    ? await t.q<Row>(`${SELECT} ORDER BY t.starts_on DESC, t.id`)
    : await t.q<Row>(
        `${SELECT} WHERE EXISTS (SELECT 1 FROM trip_leaders l WHERE l.trip_id = t.id AND l.user_id = $1)
         ORDER BY t.starts_on DESC, t.id`,
        [t.actor.userId],
      );
  return { items: rows.map((r) => summary(t, r)) };
}

/** The trip's details as one short hash: what an edit says it was based on. */
export function fingerprintOf(d: {
  name: string;
  startsOn: string;
  endsOn: string;
  leaders: readonly string[];
  pupils: readonly string[];
  forms: readonly string[];
}): string {
  const sorted = (ids: readonly string[]) => [...ids].sort();
  return createHash('sha256')
    .update(
      JSON.stringify([
        d.name,
        d.startsOn,
        d.endsOn,
        sorted(d.leaders),
        sorted(d.pupils),
        sorted(d.forms),
      ]),
    )
    .digest('hex')
    .slice(0, 32);
}

export async function readTrip(t: Tx, tripId: string): Promise<Trip> {
  await loadTripFor(t, t.actor, tripId);
  const [row] = await t.q<Row>(`${SELECT} WHERE t.id = $1`, [tripId]);
  const pupils = await t.q<{ id: string; name: string }>(
    `SELECT p.id, coalesce(p.preferred_name, p.first_name) || ' ' || p.last_name AS name
     FROM trip_pupils tp JOIN pupils p ON p.id = tp.pupil_id WHERE tp.trip_id = $1
     ORDER BY p.last_name, p.first_name`,
    [tripId],
  );
  const forms = await linkedForms(t, tripId);
  // What each pupil's consent comes to on the trip's forms, by the consent pages' own rule.
  const consents = (
    await currentConsents(
      t,
      pupils.map((p) => p.id),
    )
  ).filter((c) => forms.some((f) => f.id === c.formId));
  const bundles = await t.q<{
    id: string;
    holder: string;
    created_at: Date;
    expires_at: Date;
    revoked_at: Date | null;
    revoked_because: 'revoked' | 'replaced' | 'trip_edited' | null;
  }>(
    `SELECT b.id, u.name AS holder, b.created_at, b.expires_at, b.revoked_at, b.revoked_because
     FROM trip_card_bundles b JOIN users u ON u.id = b.user_id
     WHERE b.trip_id = $1 ${isManager(t.actor) ? '' : 'AND b.user_id = $2'} ORDER BY b.created_at DESC`,
    isManager(t.actor) ? [tripId] : [tripId, t.actor.userId],
  );
  await t.audit({ action: 'trip.viewed', targetType: 'trip', targetId: tripId });
  const base = summary(t, row!);
  return {
    ...base,
    fingerprint: fingerprintOf({
      name: base.name,
      startsOn: base.startsOn,
      endsOn: base.endsOn,
      leaders: base.leaders.map((l) => l.id),
      pupils: pupils.map((p) => p.id),
      forms: forms.map((f) => f.id),
    }),
    consentForms: forms,
    pupilList: pupils.map((p) => ({
      ...p,
      consents: forms.map((f) => {
        const c = consents.find((x) => x.pupilId === p.id && x.formId === f.id);
        return c
          ? { formId: f.id, title: f.title, version: c.version, state: c.state }
          : { formId: f.id, title: f.title, version: null, state: 'not_asked' as const };
      }),
    })),
    bundles: bundles.map((b) => ({
      id: b.id,
      holder: b.holder,
      createdAt: new Date(b.created_at).toISOString(),
      expiresAt: new Date(b.expires_at).toISOString(),
      revokedAt: b.revoked_at ? new Date(b.revoked_at).toISOString() : null,
      revokedBecause: b.revoked_because,
    })),
  };
}

/** The consent forms a trip names, by title. */
export async function linkedForms(t: Tx, tripId: string): Promise<{ id: string; title: string }[]> {
  return t.q<{ id: string; title: string }>(
    `SELECT f.id, f.title FROM trip_consent_forms l JOIN consent_forms f ON f.id = l.form_id
     WHERE l.trip_id = $1 ORDER BY f.title, f.id`,
    [tripId],
  );
}

/** Checks a trip's details (create and edit alike); the first problem is thrown, nothing written. */
async function checkDetails(t: Tx, body: NewTrip): Promise<void> {
  if (body.endsOn < body.startsOn) {
    throw badRequest('The trip must end on or after the day it starts.', 'dates_reversed');
  }
  if (cardsExpireAt(body.endsOn) <= t.now) {
    throw badRequest('The trip has already ended.', 'trip_over');
  }
  if (!body.name.trim()) throw badRequest('Give the trip a name.', 'name_blank');
  const leaders = await t.q<{ id: string }>(
    'SELECT id FROM users WHERE id = ANY($1::uuid[]) AND disabled_at IS NULL',
    [body.leaderIds],
  );
  if (leaders.length !== body.leaderIds.length) {
    throw badRequest('Each leader must be an active member of staff.', 'unknown_leader');
  }
  const pupils = await t.q<{ id: string }>(
    'SELECT id FROM pupils WHERE id = ANY($1::uuid[]) AND archived_at IS NULL',
    [body.pupilIds],
  );
  if (pupils.length !== body.pupilIds.length) {
    throw badRequest('Each pupil must be on the school roll.', 'unknown_pupil');
  }
  const formIds = body.consentFormIds ?? [];
  const forms = await t.q<{ id: string }>(
    'SELECT id FROM consent_forms WHERE id = ANY($1::uuid[])',
    [formIds],
  );
  if (forms.length !== formIds.length) {
    throw badRequest(
      'Each consent form must be one of the school’s consent forms.',
      'unknown_consent_form',
    );
  }
}

/** Writes the trip's leaders, pupils and consent forms (after any old ones were removed). */
async function writeLinks(t: Tx, id: string, body: NewTrip): Promise<void> {
  for (const u of body.leaderIds) {
    await t.q('INSERT INTO trip_leaders (school_id, trip_id, user_id) VALUES ($1, $2, $3)', [
      t.schoolId,
      id,
      u,
    ]);
  }
  for (const p of body.pupilIds) {
    await t.q('INSERT INTO trip_pupils (school_id, trip_id, pupil_id) VALUES ($1, $2, $3)', [
      t.schoolId,
      id,
      p,
    ]);
  }
  for (const f of body.consentFormIds ?? []) {
    await t.q('INSERT INTO trip_consent_forms (school_id, trip_id, form_id) VALUES ($1, $2, $3)', [
      t.schoolId,
      id,
      f,
    ]);
  }
}

export async function createTrip(t: Tx, body: NewTrip): Promise<{ id: string }> {
  await checkDetails(t, body);
  const id = randomUUID();
  await t.q(
    `INSERT INTO trips (id, school_id, name, starts_on, ends_on, created_by, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [id, t.schoolId, body.name.trim(), body.startsOn, body.endsOn, t.actor.userId, t.now],
  );
  await writeLinks(t, id, body);
  await t.audit({
    action: 'trip.created',
    targetType: 'trip',
    targetId: id,
    details: {
      starts: body.startsOn,
      ends: body.endsOn,
      leaders: body.leaderIds.length,
      pupils: body.pupilIds.length,
    },
  });
  return { id };
}

const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((x) => b.includes(x));

/**
 * Edits a trip: its name, dates, leaders, pupils and consent forms, given whole. Refused once the
 * trip has ended (the end of its last day). Every card bundle of the trip not yet revoked is
 * revoked, because it was prepared from what the trip was (a pupil removed must not stay on a
 * phone; one added is not on it): its holder prepares the cards again. The trip row is locked
 * first, so a download running at the same moment finishes before the edit (and is revoked by
 * it) or starts after it (and carries the edit).
 */
export async function editTrip(t: Tx, tripId: string, body: EditTrip): Promise<TripEdited> {
  const [trip] = await t.q<{ id: string; name: string; starts_on: string; ends_on: string }>(
    `SELECT id, name, starts_on::text AS starts_on, ends_on::text AS ends_on FROM trips
     WHERE id = $1 FOR UPDATE`,
    [tripId],
  );
  if (!trip) throw notFound('That trip');
  if (tripEnded(trip.ends_on, t.now)) {
    throw new DomainError(
      'conflict',
      'trip_ended',
      'This trip has ended, so it can no longer be edited.',
    );
  }
  await checkDetails(t, body);
  const ids = async (table: string, column: string) =>
    (
      await t.q<{ id: string }>(`SELECT ${column} AS id FROM ${table} WHERE trip_id = $1`, [tripId])
    ).map((r) => r.id);
  const before = {
    leaders: await ids('trip_leaders', 'user_id'),
    pupils: await ids('trip_pupils', 'pupil_id'),
    forms: await ids('trip_consent_forms', 'form_id'),
  };
  const now = fingerprintOf({
    name: trip.name,
    startsOn: trip.starts_on,
    endsOn: trip.ends_on,
    leaders: before.leaders,
    pupils: before.pupils,
    forms: before.forms,
  });
  if (body.basedOn !== now) {
    throw new DomainError(
      'conflict',
      'trip_changed',
      'Someone else changed this trip while you were editing it. Your changes are still in the form: note them, cancel, and edit the trip again to see theirs.',
    );
  }
  const changed: string[] = [];
  if (trip.name !== body.name.trim()) changed.push('name');
  if (trip.starts_on !== body.startsOn || trip.ends_on !== body.endsOn) changed.push('dates');
  if (!sameSet(before.leaders, body.leaderIds)) changed.push('leaders');
  if (!sameSet(before.pupils, body.pupilIds)) changed.push('pupils');
  if (!sameSet(before.forms, body.consentFormIds ?? [])) changed.push('consent_forms');
  if (changed.length === 0) return { id: tripId, revokedBundles: 0 };
  await t.q('UPDATE trips SET name = $2, starts_on = $3, ends_on = $4 WHERE id = $1', [
    tripId,
    body.name.trim(),
    body.startsOn,
    body.endsOn,
  ]);
  for (const table of ['trip_leaders', 'trip_pupils', 'trip_consent_forms']) {
    await t.q(`DELETE FROM ${table} WHERE trip_id = $1`, [tripId]);
  }
  await writeLinks(t, tripId, body);
  const revoked = await t.q<{ id: string }>(
    `UPDATE trip_card_bundles SET revoked_at = $2, revoked_by = $3, revoked_because = 'trip_edited'
     WHERE trip_id = $1 AND revoked_at IS NULL AND expires_at > $2 RETURNING id`,
    [tripId, t.now, t.actor.userId],
  );
  for (let i = 0; i < revoked.length; i += 1) {
    await t.audit({
      action: 'trip.card_revoked',
      targetType: 'trip',
      targetId: tripId,
      details: { trip: tripId },
    });
  }
  await t.audit({
    action: 'trip.edited',
    targetType: 'trip',
    targetId: tripId,
    details: {
      changed,
      starts: body.startsOn,
      ends: body.endsOn,
      leaders: body.leaderIds.length,
      pupils: body.pupilIds.length,
      consentForms: (body.consentFormIds ?? []).length,
      revokedBundles: revoked.length,
    },
  });
  return { id: tripId, revokedBundles: revoked.length };
}

/** Members of staff who may lead a trip: names only. */
export async function leaderChoices(t: Tx): Promise<{ items: { id: string; name: string }[] }> {
  const rows = await t.q<{ id: string; name: string }>(
    'SELECT id, name FROM users WHERE disabled_at IS NULL ORDER BY name, id',
  );
  return { items: rows };
}

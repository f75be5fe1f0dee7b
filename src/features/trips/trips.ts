// Trips (issue 21): a name, dates, leaders (members of staff) and pupils. Managers see every trip;
// a leader sees the trips they lead. Reads and changes are audited; a trip's pupil list is about
// children, so reading one is a view.
import { randomUUID } from 'node:crypto';
import type { Tx } from '../../core/context.ts';
import { badRequest } from '../../core/errors.ts';
import type { NewTrip, Trip, TripSummary } from '../../shared/trips.ts';
import { cardsExpireAt, isManager, loadTripFor, tripActions } from './policy.ts';

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

export async function readTrip(t: Tx, tripId: string): Promise<Trip> {
  await loadTripFor(t, t.actor, tripId);
  const [row] = await t.q<Row>(`${SELECT} WHERE t.id = $1`, [tripId]);
  const pupils = await t.q<{ id: string; name: string }>(
    `SELECT p.id, coalesce(p.preferred_name, p.first_name) || ' ' || p.last_name AS name
     FROM trip_pupils tp JOIN pupils p ON p.id = tp.pupil_id WHERE tp.trip_id = $1
     ORDER BY p.last_name, p.first_name`,
    [tripId],
  );
  const bundles = await t.q<{
    id: string;
    holder: string;
    created_at: Date;
    expires_at: Date;
    revoked_at: Date | null;
  }>(
    `SELECT b.id, u.name AS holder, b.created_at, b.expires_at, b.revoked_at
     FROM trip_card_bundles b JOIN users u ON u.id = b.user_id
     WHERE b.trip_id = $1 ${isManager(t.actor) ? '' : 'AND b.user_id = $2'} ORDER BY b.created_at DESC`,
    isManager(t.actor) ? [tripId] : [tripId, t.actor.userId],
  );
  await t.audit({ action: 'trip.viewed', targetType: 'trip', targetId: tripId });
  return {
    ...summary(t, row!),
    pupilList: pupils,
    bundles: bundles.map((b) => ({
      id: b.id,
      holder: b.holder,
      createdAt: b.created_at.toISOString(),
      expiresAt: b.expires_at.toISOString(),
      revokedAt: b.revoked_at ? b.revoked_at.toISOString() : null,
    })),
  };
}

export async function createTrip(t: Tx, body: NewTrip): Promise<{ id: string }> {
  if (body.endsOn < body.startsOn) {
    throw badRequest('The trip must end on or after the day it starts.', 'dates_reversed');
  }
  if (cardsExpireAt(body.endsOn) <= t.now) {
    throw badRequest('The trip has already ended.', 'trip_over');
  }
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
  const id = randomUUID();
  await t.q(
    `INSERT INTO trips (id, school_id, name, starts_on, ends_on, created_by, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [id, t.schoolId, body.name.trim(), body.startsOn, body.endsOn, t.actor.userId, t.now],
  );
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

/** Members of staff who may lead a trip: names only. */
export async function leaderChoices(t: Tx): Promise<{ items: { id: string; name: string }[] }> {
  const rows = await t.q<{ id: string; name: string }>(
    'SELECT id, name FROM users WHERE disabled_at IS NULL ORDER BY name, id',
  );
  return { items: rows };
}

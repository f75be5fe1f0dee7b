// Demo data for trips (issue 21): a day at the science museum next week, led by the demo teacher
// and the head, with the pupil whose medical profile the medical demo filled and a few others.
// Called by src/demo/seed.ts; synthetic people only.
import { randomUUID } from 'node:crypto';
import { asSystem } from '../../core/context.ts';
import type { Services } from '../../platform/services.ts';

export async function seedTrips(
  services: Services,
  schoolId: string,
  ids: { leaders: string[]; createdBy: string; pupilId: string | null },
): Promise<void> {
  await asSystem(services, schoolId, 'demo_seed').tx(async (t) => {
    const others = await t.q<{ id: string }>(
      'SELECT id FROM pupils WHERE archived_at IS NULL AND id <> $1 ORDER BY last_name, first_name LIMIT 5',
      [ids.pupilId ?? randomUUID()],
    );
    const pupils = [...(ids.pupilId ? [ids.pupilId] : []), ...others.map((o) => o.id)];
    const id = randomUUID();
    const day = new Date(t.now.getTime() + 7 * 86_400_000).toISOString().slice(0, 10);
    await t.q(
      `INSERT INTO trips (id, school_id, name, starts_on, ends_on, created_by, created_at)
       VALUES ($1, $2, 'Science museum visit', $3, $3, $4, $5)`,
      [id, schoolId, day, ids.createdBy, t.now],
    );
    for (const u of ids.leaders) {
      await t.q('INSERT INTO trip_leaders (school_id, trip_id, user_id) VALUES ($1, $2, $3)', [
        schoolId,
        id,
        u,
      ]);
    }
    for (const p of pupils) {
      await t.q('INSERT INTO trip_pupils (school_id, trip_id, pupil_id) VALUES ($1, $2, $3)', [
        schoolId,
        id,
        p,
      ]);
    }
    await t.audit({
      action: 'trip.created',
      targetType: 'trip',
      targetId: id,
      details: { starts: day, ends: day, leaders: ids.leaders.length, pupils: pupils.length },
    });
  });
}

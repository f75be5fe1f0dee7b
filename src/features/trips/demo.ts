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

/**
 * Links the demo trip to the school's demo consent forms (seeded after the trip), putting the
 * children those forms ask about on the trip too, so the trip's page and cards show their
 * consent. Called by src/demo/seed.ts after the consents demo.
 */
export async function linkDemoTripConsents(services: Services, schoolId: string): Promise<void> {
  await asSystem(services, schoolId, 'demo_seed').tx(async (t) => {
    const [trip] = await t.q<{ id: string }>(
      "SELECT id FROM trips WHERE name = 'Science museum visit' ORDER BY created_at LIMIT 1",
    );
    if (!trip) return;
    const forms = await t.q<{ id: string }>('SELECT id FROM consent_forms ORDER BY created_at');
    for (const f of forms) {
      await t.q(
        `INSERT INTO trip_consent_forms (school_id, trip_id, form_id) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING`,
        [schoolId, trip.id, f.id],
      );
    }
    await t.q(
      `INSERT INTO trip_pupils (school_id, trip_id, pupil_id)
       SELECT DISTINCT $1::uuid, $2::uuid, fp.pupil_id FROM consent_form_pupils fp
       JOIN trip_consent_forms l ON l.form_id = fp.form_id AND l.trip_id = $2
       ON CONFLICT DO NOTHING`,
      [schoolId, trip.id],
    );
  });
}

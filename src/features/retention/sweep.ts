// The nightly retention sweep (issue 15): once a day per school, puts in the review queue every
// record whose date under the school's schedule falls within the next 30 days (or has passed),
// once: a record already waiting, kept past the horizon, or held by a hold that still stands is
// left alone. Runs as 'Lantern (scheduled)' from the minute job (src/jobs/retention-sweep.ts),
// through the door like any work. Today it sweeps child-protection and safeguarding records about
// pupils (date of birth + the school's period); the staff area's and the rights work's records
// will join when they exist. What this protects: a date too early would put a record before its
// reviewers while it must still be kept, so the exact date is the pure rule's (rules.ts), and a
// record with any pupil whose date of birth is unknown is never queued.
import type { SchoolTx } from '../../core/context.ts';
import { schoolSchedule } from './schedule-service.ts';
import { addYears, dueDate, latestDue } from './rules.ts';
import { ensureStandingHolds } from './holds.ts';

export const QUEUE_DAYS_BEFORE = 30;

const addDays = (date: string, days: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/** Sweeps the school unless it was swept today; answers the reviews it queued. */
export async function sweepSchool(t: SchoolTx): Promise<string[]> {
  const today = t.now.toISOString().slice(0, 10);
  // The day's claim, in one statement: of two processes sweeping at once, the second waits on the
  // first's row and then finds the day already taken, so a school is swept once a day (issue 16).
  const claimed = await t.q(
    `INSERT INTO retention_sweeps (school_id, swept_on) VALUES ($1, $2)
     ON CONFLICT (school_id) DO UPDATE SET swept_on = EXCLUDED.swept_on
       WHERE retention_sweeps.swept_on < EXCLUDED.swept_on
     RETURNING school_id`,
    [t.schoolId, today],
  );
  if (claimed.length === 0) return [];
  await ensureStandingHolds(t);
  const rule = (await schoolSchedule(t.db)).cp_pupil;
  const horizon = addDays(today, QUEUE_DAYS_BEFORE);
  // A coarse bound for SQL (a day of slack for 29 February); the exact date is the rule's. The
  // candidates start from the pupils old enough (a record qualifies only if all its pupils are,
  // so at least one is), so the sweep reads the due records, not every record of the school.
  const latestBirth = addDays(addYears(horizon, -rule.years), 1);
  const candidates = await t.q<{
    id: string;
    births: (string | null)[];
    kept_until: string | null;
  }>(
    `SELECT k.id, array_agg(p.date_of_birth::text) AS births,
       (SELECT max(r.kept_until)::text FROM retention_reviews r
         WHERE r.concern_id = k.id AND r.status = 'kept') AS kept_until
     FROM (SELECT DISTINCT cp.concern_id FROM pupils d
           JOIN concern_pupils cp ON cp.pupil_id = d.id
           WHERE d.date_of_birth <= $1) due
     JOIN concerns k ON k.id = due.concern_id
     JOIN concern_pupils cp ON cp.concern_id = k.id
     JOIN pupils p ON p.id = cp.pupil_id
     WHERE NOT EXISTS (
       SELECT 1 FROM retention_reviews r WHERE r.concern_id = k.id
         AND (r.status IN ('pending', 'approved', 'destroyed')
              OR (r.status = 'kept' AND r.kept_until > $2)
              OR (r.status = 'held' AND EXISTS (SELECT 1 FROM retention_holds h
                                                WHERE h.id = r.hold_id AND h.lifted_at IS NULL))))
     GROUP BY k.id
     HAVING bool_and(p.date_of_birth IS NOT NULL) AND max(p.date_of_birth) <= $1`,
    [latestBirth, horizon],
  );
  const due: { id: string; on: string }[] = [];
  for (const c of candidates) {
    const date = latestDue(c.births.map((b) => dueDate(rule, { dateOfBirth: b })));
    if (!date?.known) continue;
    const on = c.kept_until && c.kept_until > date.date ? c.kept_until : date.date;
    if (on <= horizon) due.push({ id: c.id, on });
  }
  // One statement for the whole night's queue, in the order found.
  const rows =
    due.length === 0
      ? []
      : await t.q<{ id: string }>(
          `INSERT INTO retention_reviews (school_id, concern_id, kind, action, due_on, queued_at)
           SELECT $1, d.concern_id, 'cp_pupil', $2, d.due_on, $3
           FROM unnest($4::uuid[], $5::date[]) WITH ORDINALITY AS d(concern_id, due_on, n)
           ORDER BY d.n RETURNING id`,
          [t.schoolId, rule.action, t.now, due.map((d) => d.id), due.map((d) => d.on)],
        );
  const queued = rows.map((r) => r.id);
  if (queued.length > 0)
    await t.audit({ action: 'retention.queued', details: { reviews: queued } });
  return queued;
}

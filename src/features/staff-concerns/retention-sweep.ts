// The nightly sweep of concerns about adults (finishing issue 19): once a day per school, puts
// before the area's own retention review every matter whose date under the school's three staff
// rules (retention/staff-matters.ts) has passed — a low-level concern once the person has left
// (plus the school's years), an allegation found false or malicious at its finding, an allegation
// when the member's pension age or ten years have passed (never, while Lantern does not hold their
// date of birth). Run by the minute job as 'Lantern (scheduled)' (jobs/staff-concerns.ts). Not the
// school-wide queue (retention/sweep.ts): its reviewers would learn a matter exists.
// What this protects: a date too early would put a matter before its reviewers while it must be
// kept, so the date is the pure rule's from retention-facts.ts, a fact not held is "not known", and
// a matter kept by a case manager waits for its new date. Each matter marked is audited against it.
import { randomUUID } from 'node:crypto';
import type { SchoolTx } from '../../core/context.ts';
import { dueDate } from '../retention/rules.ts';
import { schoolSchedule } from '../retention/schedule-service.ts';
import type { StaffMatterKind } from '../retention/staff-matters.ts';
import { FACTS_COLUMNS, retentionFactsOf, type FactsRow } from './retention-facts.ts';
import { localDate } from './rules.ts';
import { settingsOf } from './settings.ts';

/** Sweeps the school unless it was swept today (the school's date); answers the reviews queued. */
export async function sweepStaffMatters(t: SchoolTx): Promise<string[]> {
  const { timeZone } = await settingsOf(t);
  const today = localDate(t.now, timeZone);
  // The day's claim in one statement: of two processes at once, the second waits on the first's
  // row and then finds the day taken.
  const claimed = await t.q(
    `INSERT INTO staff_concern_sweeps (school_id, swept_on) VALUES ($1, $2)
     ON CONFLICT (school_id) DO UPDATE SET swept_on = EXCLUDED.swept_on
       WHERE staff_concern_sweeps.swept_on < EXCLUDED.swept_on
     RETURNING school_id`,
    [t.schoolId, today],
  );
  if (claimed.length === 0) return [];
  const schedule = await schoolSchedule(t.db);
  // Every matter with a rule and no review waiting (a school holds tens or hundreds of them).
  const rows = await t.q<
    FactsRow & { id: string; retention_kind: StaffMatterKind; kept_until: string | null }
  >(
    `SELECT s.id, s.retention_kind, s.raised_at, ${FACTS_COLUMNS},
       (SELECT max(r.kept_until)::text FROM staff_concern_reviews r
         WHERE r.school_id = s.school_id AND r.staff_concern_id = s.id AND r.status = 'kept')
         AS kept_until
     FROM staff_concerns s
     WHERE s.removed_at IS NULL AND s.retention_kind IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM staff_concern_reviews r WHERE r.school_id = s.school_id
                         AND r.staff_concern_id = s.id AND r.status = 'pending')
     ORDER BY s.raised_at, s.id`,
  );
  const queued: string[] = [];
  for (const r of rows) {
    const due = dueDate(schedule[r.retention_kind], retentionFactsOf(r, timeZone));
    if (!due.known) continue;
    const on = r.kept_until !== null && r.kept_until > due.date ? r.kept_until : due.date;
    if (on > today) continue;
    const review = randomUUID();
    await t.q(
      `INSERT INTO staff_concern_reviews (id, school_id, staff_concern_id, kind, due_on, queued_at)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [review, t.schoolId, r.id, r.retention_kind, on, t.now],
    );
    await t.audit({
      action: 'staff_concerns.retention_due',
      targetType: 'staff_concern',
      targetId: r.id,
      details: { review, kind: r.retention_kind, dueOn: on },
    });
    queued.push(review);
  }
  return queued;
}

// The annual review of each current plan (issue 21), a task list for staff: every review not yet
// done, soonest first, and those done in the last year; recording one sets the next a year on.
import { randomUUID } from 'node:crypto';
import type { Tx } from '../../core/context.ts';
import { DomainError, notFound } from '../../core/errors.ts';
import type { PlanReview } from '../../shared/medical.ts';
import { addYear, dayOfDate } from './rules.ts';

export async function listReviews(t: Tx): Promise<{ items: PlanReview[] }> {
  const rows = await t.q<{
    id: string;
    plan_id: string;
    pupil_id: string;
    name: string;
    title: Buffer;
    expires_on: string;
    due_on: string;
    done_at: Date | null;
  }>(
    `SELECT r.id, r.plan_id, p.pupil_id, coalesce(u.preferred_name, u.first_name) || ' ' || u.last_name AS name,
       p.title, p.expires_on::text AS expires_on, r.due_on::text AS due_on, r.done_at
     FROM medical_plan_reviews r JOIN medical_plans p ON p.id = r.plan_id
     JOIN pupils u ON u.id = p.pupil_id
     WHERE (r.done_at IS NULL AND p.replaced_at IS NULL) OR r.done_at > $1
     ORDER BY r.done_at IS NOT NULL, r.due_on, r.id`,
    [new Date(t.now.getTime() - 365 * 86_400_000)],
  );
  const sealer = await t.sealer();
  const today = dayOfDate(t.now);
  await t.audit({ action: 'medical.reviews_listed', details: { count: rows.length } });
  return {
    items: rows.map((r) => ({
      id: r.id,
      planId: r.plan_id,
      pupil: { id: r.pupil_id, name: r.name },
      title: sealer.open('medical_plans.title', r.plan_id, r.title),
      expiresOn: r.expires_on,
      dueOn: r.due_on,
      doneAt: r.done_at ? r.done_at.toISOString() : null,
      overdue: r.done_at === null && r.due_on < today,
    })),
  };
}

export async function recordReview(t: Tx, reviewId: string): Promise<{ nextDueOn: string }> {
  const [r] = await t.q<{
    plan_id: string;
    pupil_id: string;
    due_on: string;
    done_at: Date | null;
  }>(
    `SELECT r.plan_id, p.pupil_id, r.due_on::text AS due_on, r.done_at
     FROM medical_plan_reviews r JOIN medical_plans p ON p.id = r.plan_id WHERE r.id = $1 FOR UPDATE`,
    [reviewId],
  );
  if (!r) throw notFound('That review');
  if (r.done_at)
    throw new DomainError('conflict', 'already_done', 'This review is already recorded.');
  // A year after it was done; one done before its date keeps the plan's yearly cycle instead.
  const aYearOn = addYear(dayOfDate(t.now));
  const nextDueOn = aYearOn > r.due_on ? aYearOn : addYear(r.due_on);
  await t.q('UPDATE medical_plan_reviews SET done_at = $2, done_by = $3 WHERE id = $1', [
    reviewId,
    t.now,
    t.actor.userId,
  ]);
  await t.q(
    `INSERT INTO medical_plan_reviews (id, school_id, plan_id, due_on) VALUES ($1, $2, $3, $4)
     ON CONFLICT DO NOTHING`,
    [randomUUID(), t.schoolId, r.plan_id, nextDueOn],
  );
  await t.audit({
    action: 'medical.plan_reviewed',
    targetType: 'pupil',
    targetId: r.pupil_id,
    details: { dueOn: r.due_on, nextDueOn },
  });
  return { nextDueOn };
}

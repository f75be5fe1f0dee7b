// The area's retention review (finishing issue 19): the matters the nightly sweep marked due
// (retention-sweep.ts), each kept until a new date with a reason, or destroyed on the word of two
// of its case managers — the first approves, the second approves and destroys, as the school's own
// destruction needs two people (retention/two-person.ts, the rule both share). What this protects:
// - only the matter's own case managers see or decide, never the person it names (policy.ts's one
//   rule: a review is loaded through `visibleMatterSql`, so theirs is a 404), and never the
//   school-wide queue's reviewers (the DSL team, the DPO);
// - destruction really removes the matter: its row (text, names, rationale, theme), LADO contacts,
//   tasks, linked pupils and alerts go in one database function (migration 0086, the only way
//   lantern_app can delete a matter, which checks the two approvals itself), leaving a tombstone
//   (when, by whom, under which rule, the person named only as a keyed digest) and the audit
//   entry `staff_concerns.destroyed` in the area's trail;
// - every refusal changes nothing (one transaction), and every read and decision is audited.
// To change safely: keep the checks here and in the function in step, and retention-review.test.ts
// passing on both engines.
import type { Tx } from '../../core/context.ts';
import { badRequest, DomainError, notFound } from '../../core/errors.ts';
import type {
  Classification,
  KeepMatter,
  Outcome,
  RoutedTo,
  StaffRetentionReview,
  SubjectKind,
} from '../../shared/schemas/staff-concerns.ts';
import { addYears } from '../retention/rules.ts';
import { schoolSchedule } from '../retention/schedule-service.ts';
import { staffMatterRuleWords, type StaffMatterKind } from '../retention/staff-matters.ts';
import { approvalsComplete } from '../retention/two-person.ts';
import { factsOf, subjectNameOf } from './matters.ts';
import {
  STAFF_DESTRUCTION,
  staffReviewActions,
  teamsOf,
  visibleMatterSql,
  visibleTombstoneSql,
} from './policy.ts';
import { localDate } from './rules.ts';
import { settingsOf } from './settings.ts';

type ReviewRow = {
  id: string;
  staff_concern_id: string;
  kind: StaffMatterKind;
  due_on: string;
  status: 'pending' | 'kept' | 'destroyed';
  raised_at: Date;
  subject_kind: SubjectKind;
  subject_user_id: string | null;
  subject_user_name: string | null;
  subject_name: Buffer | null;
  routed_to: RoutedTo;
  classification: Classification | null;
  outcome: Outcome | null;
  approvals: { approverId: string; name: string; at: string }[] | null;
};

const SELECT = `
  SELECT r.id, r.staff_concern_id, r.kind, r.due_on::text AS due_on, r.status, s.raised_at,
    s.subject_kind, s.subject_user_id, su.name AS subject_user_name, s.subject_name, s.routed_to,
    s.classification, s.outcome,
    (SELECT json_agg(json_build_object('approverId', a.approver_id, 'name', u.name,
       'at', a.approved_at) ORDER BY a.approved_at, a.approver_id)
       FROM staff_concern_review_approvals a JOIN users u ON u.id = a.approver_id
      WHERE a.school_id = r.school_id AND a.review_id = r.id) AS approvals
  FROM staff_concern_reviews r
  JOIN staff_concerns s ON s.school_id = r.school_id AND s.id = r.staff_concern_id
  LEFT JOIN users su ON su.id = s.subject_user_id`;

/** The keyed digest a tombstone keeps of the person named (and a reader's own, to compare). */
const subjectDigest = async (t: Tx, userId: string) =>
  (await t.sealer()).digest('destruction-subject', userId);

/** The matters waiting for their decision, soonest first, and the tombstones, newest first. */
export async function listStaffRetention(t: Tx): Promise<StaffRetentionReview> {
  const teams = await teamsOf(t.db, t.actor.userId);
  const where = visibleMatterSql(t.actor, teams, 1);
  const rows = await t.q<ReviewRow>(
    `${SELECT} WHERE r.status = 'pending' AND ${where.sql} ORDER BY r.due_on, r.id LIMIT 500`,
    where.params,
  );
  const gone = visibleTombstoneSql(t.actor, teams, await subjectDigest(t, t.actor.userId), 1);
  const tombstones = await t.q<{
    staff_concern_id: string;
    destroyed_at: Date;
    name: string | null;
    kind: StaffMatterKind;
    rule_trigger: string;
    rule_years: number;
    due_on: string;
  }>(
    `SELECT d.staff_concern_id, d.destroyed_at, u.name, d.kind, d.rule_trigger, d.rule_years,
       d.due_on::text AS due_on
     FROM staff_concern_tombstones d LEFT JOIN users u ON u.id = d.destroyed_by
     WHERE ${gone.sql} ORDER BY d.destroyed_at DESC, d.staff_concern_id LIMIT 200`,
    gone.params,
  );
  await t.audit({
    action: 'staff_concerns.retention_viewed',
    details: { reviews: rows.map((r) => r.id) },
  });
  const schedule = await schoolSchedule(t.db);
  const items = [];
  for (const r of rows) {
    const approvals = r.approvals ?? [];
    items.push({
      id: r.id,
      matterId: r.staff_concern_id,
      subjectName: await subjectNameOf(t, { ...r, id: r.staff_concern_id }),
      subjectKind: r.subject_kind,
      raisedAt: r.raised_at.toISOString(),
      classification: r.classification,
      outcome: r.outcome,
      kind: r.kind,
      rule: staffMatterRuleWords(r.kind, schedule[r.kind]),
      dueOn: r.due_on,
      approvals: approvals.map((a) => ({ name: a.name, at: new Date(a.at).toISOString() })),
      allowed: staffReviewActions(
        t.actor,
        teams,
        factsOf(r),
        approvals.map((a) => a.approverId),
      ),
    });
  }
  return {
    items,
    destroyed: tombstones.map((d) => ({
      matterId: d.staff_concern_id,
      destroyedAt: d.destroyed_at.toISOString(),
      destroyedBy: d.name ?? 'Unknown',
      kind: d.kind,
      rule: `${staffMatterRuleWords(d.kind, { years: d.rule_years })} (counted from ${d.rule_trigger.replaceAll('_', ' ')}, ${d.rule_years} years)`,
      dueOn: d.due_on,
    })),
  };
}

/** The review, if the member may decide it (else 404, as for a matter they may not read), locked. */
async function reviewForDecision(t: Tx, id: string) {
  const teams = await teamsOf(t.db, t.actor.userId);
  const where = visibleMatterSql(t.actor, teams, 2);
  const [r] = await t.q<ReviewRow>(
    `${SELECT} WHERE r.id = $1 AND ${where.sql} FOR UPDATE OF r, s`,
    [id, ...where.params],
  );
  if (!r) throw notFound('That review');
  if (r.status !== 'pending')
    throw new DomainError('conflict', 'already_decided', 'That matter has already been decided.');
  return { r, teams };
}

/** Keeps the matter until a new date, for a reason (sealed). The sweep brings it back then. */
export async function keepStaffMatter(t: Tx, id: string, body: KeepMatter): Promise<void> {
  const { r, teams } = await reviewForDecision(t, id);
  const approvers = (r.approvals ?? []).map((a) => a.approverId);
  if (!staffReviewActions(t.actor, teams, factsOf(r), approvers).includes('keep'))
    throw new DomainError('forbidden', 'forbidden', 'You may not decide this matter.');
  const reason = body.reason.trim();
  if (reason === '')
    throw badRequest('Say why the matter is kept past its date.', 'reason_required');
  const today = localDate(t.now, (await settingsOf(t)).timeZone);
  if (body.until <= today) throw badRequest('The new review date must be after today.', 'bad_date');
  if (body.until > addYears(today, 100))
    throw badRequest('The new review date is more than 100 years away.', 'bad_date');
  const sealer = await t.sealer();
  await t.q(
    `UPDATE staff_concern_reviews SET status = 'kept', kept_until = $2, keep_reason = $3,
       decided_by = $4, decided_at = $5 WHERE id = $1`,
    [
      id,
      body.until,
      sealer.seal('staff_concern_reviews.keep_reason', id, reason),
      t.actor.userId,
      t.now,
    ],
  );
  await t.audit({
    action: 'staff_concerns.retention_kept',
    targetType: 'staff_concern',
    targetId: r.staff_concern_id,
    details: { review: id, until: body.until },
  });
}

/**
 * One approval of the matter's destruction. The second, from another of its case managers,
 * destroys it in the same transaction. Refused: the same person twice (409 `same_approver`).
 */
export async function approveStaffDestruction(t: Tx, id: string): Promise<{ destroyed: boolean }> {
  const { r, teams } = await reviewForDecision(t, id);
  const approvers = (r.approvals ?? []).map((a) => a.approverId);
  if (approvers.includes(t.actor.userId))
    throw new DomainError(
      'conflict',
      'same_approver',
      'You have already approved this. The second approval must come from another of the matter’s case managers.',
    );
  const allowed = staffReviewActions(t.actor, teams, factsOf(r), approvers);
  if (!allowed.includes('approve') && !allowed.includes('destroy'))
    throw new DomainError('forbidden', 'forbidden', 'You may not decide this matter.');
  await t.q(
    `INSERT INTO staff_concern_review_approvals (school_id, review_id, approver_id, capacity,
       approved_at) VALUES ($1, $2, $3, 'case_manager', $4)`,
    [t.schoolId, id, t.actor.userId, t.now],
  );
  // Counted afresh: an approval committed while this one waited for the review's lock counts.
  const all = await t.q<{ approver_id: string }>(
    `SELECT approver_id FROM staff_concern_review_approvals WHERE review_id = $1
     ORDER BY approved_at, approver_id`,
    [id],
  );
  const complete = approvalsComplete(
    STAFF_DESTRUCTION,
    all.map(() => 'case_manager' as const),
  );
  await t.audit({
    action: 'staff_concerns.destruction_approved',
    targetType: 'staff_concern',
    targetId: r.staff_concern_id,
    details: { review: id, complete },
  });
  if (complete)
    await destroyMatter(
      t,
      r,
      all.map((a) => a.approver_id),
    );
  return { destroyed: complete };
}

/** The tombstone, then the database function that removes the matter (and checks again). */
async function destroyMatter(t: Tx, r: ReviewRow, approvers: string[]): Promise<void> {
  const rule = (await schoolSchedule(t.db))[r.kind];
  await t.q(
    `INSERT INTO staff_concern_tombstones (school_id, staff_concern_id, review_id, routed_to,
       subject_digest, kind, rule_trigger, rule_years, due_on, destroyed_at, destroyed_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [
      t.schoolId,
      r.staff_concern_id,
      r.id,
      r.routed_to,
      r.subject_user_id === null ? null : await subjectDigest(t, r.subject_user_id),
      r.kind,
      rule.trigger,
      rule.years,
      r.due_on,
      t.now,
      t.actor.userId,
    ],
  );
  await t.q('SELECT lantern_destroy_staff_matter($1, $2, $3)', [r.id, t.actor.userId, t.now]);
  await t.audit({
    action: 'staff_concerns.destroyed',
    targetType: 'staff_concern',
    targetId: r.staff_concern_id,
    details: { review: r.id, kind: r.kind, approvers },
  });
}

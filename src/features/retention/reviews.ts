// The review queue (issue 15): records whose retention date is near, each waiting for a decision
// — destroy (approved by a DSL-team member and then the headteacher or the DPO, two people), keep
// until a new date with a reason (sealed), or hold. Shows no record content: the record's date,
// its pupils and categories, and any hold with who placed it. Every refusal changes nothing and is
// audited by the route (refusals.ts). Destroying an approved record is not built yet
// (docs/RETENTION.md): an approved review waits, and can still be kept or held.
import { randomUUID } from 'node:crypto';
import type { Tx } from '../../core/context.ts';
import { badRequest, conflict, DomainError, notFound } from '../../core/errors.ts';
import type { RetentionAction, RetentionKind } from '../../shared/retention.ts';
import type { HoldReview, KeepReview, Review } from '../../shared/schemas/retention.ts';
import { ensureStandingHolds, heldRecords, type HoldOnRecord } from './holds.ts';
import { addYears } from './rules.ts';
import { approvalsComplete } from './two-person.ts';
import {
  approvalCapacity,
  CP_DESTRUCTION,
  retentionDecidersOf,
  reviewActions,
  type ApprovalCapacity,
  type ReviewFacts,
} from './policy.ts';

type Row = {
  id: string;
  concern_id: string;
  kind: RetentionKind;
  action: RetentionAction;
  due_on: string;
  status: ReviewFacts['status'];
  happened_on: string;
  pupils: string[] | null;
  categories: string[] | null;
  approvals: { approverId: string; name: string; capacity: ApprovalCapacity; at: string }[] | null;
};

const SELECT = `
  SELECT r.id, r.concern_id, r.kind, r.action, r.due_on::text AS due_on, r.status,
    k.happened_at::date::text AS happened_on,
    (SELECT array_agg(p.first_name || ' ' || p.last_name ORDER BY p.last_name, p.first_name)
       FROM concern_pupils cp JOIN pupils p ON p.id = cp.pupil_id
      WHERE cp.concern_id = r.concern_id) AS pupils,
    (SELECT array_agg(c.name ORDER BY c.name) FROM concern_categories cc
       JOIN categories c ON c.id = cc.category_id WHERE cc.concern_id = r.concern_id) AS categories,
    (SELECT json_agg(json_build_object('approverId', a.approver_id, 'name', u.name,
       'capacity', a.capacity, 'at', a.approved_at) ORDER BY a.approved_at)
       FROM retention_approvals a JOIN users u ON u.id = a.approver_id
      WHERE a.review_id = r.id) AS approvals
  FROM retention_reviews r JOIN concerns k ON k.id = r.concern_id`;

function facts(r: Row, holds: readonly HoldOnRecord[]): ReviewFacts {
  return {
    status: r.status,
    held: holds.length > 0,
    approvals: (r.approvals ?? []).map((a) => ({ approverId: a.approverId, capacity: a.capacity })),
  };
}

/** The queue: reviews waiting for a decision or for destruction, soonest first. */
export async function listReviews(t: Tx): Promise<Review[]> {
  await ensureStandingHolds(t);
  const rows = await t.q<Row>(
    `${SELECT} WHERE r.status IN ('pending', 'approved') ORDER BY r.due_on, r.id LIMIT 500`,
  );
  const holds = await heldRecords(
    t.db,
    rows.map((r) => r.concern_id),
  );
  const deciders = await retentionDecidersOf(t.db, t.actor.userId);
  await t.audit({ action: 'retention.queue_viewed', details: { reviews: rows.map((r) => r.id) } });
  return rows.map((r) => {
    const on = holds.get(r.concern_id) ?? [];
    return {
      id: r.id,
      concernId: r.concern_id,
      kind: r.kind,
      action: r.action,
      dueOn: r.due_on,
      status: r.status,
      happenedOn: r.happened_on,
      pupils: r.pupils ?? [],
      categories: r.categories ?? [],
      holds: on.map((h) => ({ holdId: h.holdId, matter: h.matter, placedBy: h.placedBy })),
      approvals: (r.approvals ?? []).map((a) => ({
        name: a.name,
        capacity: a.capacity,
        at: new Date(a.at).toISOString(),
      })),
      allowed: reviewActions(t.actor, deciders, facts(r, on)),
    };
  });
}

/** One review, locked for the decision, with its holds. */
async function reviewForDecision(t: Tx, id: string) {
  await ensureStandingHolds(t);
  const [r] = await t.q<Row>(`${SELECT} WHERE r.id = $1 FOR UPDATE OF r`, [id]);
  if (!r) throw notFound('That review');
  const holds = (await heldRecords(t.db, [r.concern_id])).get(r.concern_id) ?? [];
  return { r, holds };
}

const undecidable = () => conflict('That record has already been decided.');
const today = (t: Tx) => t.now.toISOString().slice(0, 10);

export async function keepReview(t: Tx, id: string, body: KeepReview): Promise<void> {
  const { r } = await reviewForDecision(t, id);
  if (r.status !== 'pending' && r.status !== 'approved') throw undecidable();
  const reason = body.reason?.trim() ?? '';
  if (!reason)
    throw badRequest(
      'The body is missing "reason": say why the record is kept past its date.',
      'reason_required',
    );
  if (body.until <= today(t))
    throw badRequest('The body field "until" must be a date after today.', 'bad_date');
  if (body.until > addYears(today(t), 100))
    throw badRequest('The body field "until" is more than 100 years away.', 'bad_date');
  const sealer = await t.sealer();
  await t.q(
    `UPDATE retention_reviews SET status = 'kept', kept_until = $2, keep_reason = $3,
       decided_by = $4, decided_at = $5 WHERE id = $1`,
    [
      id,
      body.until,
      sealer.seal('retention_reviews.keep_reason', id, reason),
      t.actor.userId,
      t.now,
    ],
  );
  await t.audit({
    action: 'retention.review_kept',
    targetType: 'retention_review',
    targetId: id,
    details: { concern: r.concern_id, until: body.until },
  });
}

export async function holdReview(t: Tx, id: string, body: HoldReview): Promise<{ id: string }> {
  const { r } = await reviewForDecision(t, id);
  if (r.status !== 'pending' && r.status !== 'approved') throw undecidable();
  const holdId = randomUUID();
  const sealer = await t.sealer();
  await t.q(
    `INSERT INTO retention_holds (id, school_id, scope, concern_id, matter, reason, placed_by,
       placed_at)
     VALUES ($1, $2, 'record', $3, $4, $5, $6, $7)`,
    [
      holdId,
      t.schoolId,
      r.concern_id,
      body.matter,
      sealer.seal('retention_holds.reason', holdId, body.reason),
      t.actor.userId,
      t.now,
    ],
  );
  await t.q(
    `UPDATE retention_reviews SET status = 'held', hold_id = $2, decided_by = $3, decided_at = $4
     WHERE id = $1`,
    [id, holdId, t.actor.userId, t.now],
  );
  await t.audit({
    action: 'retention.review_held',
    targetType: 'retention_review',
    targetId: id,
    details: { concern: r.concern_id, holdId, matter: body.matter },
  });
  return { id: holdId };
}

/**
 * One approval of a record's destruction. Refused: a held record (naming the hold and who placed
 * it), the same person twice, and an approval that is not the one still needed (a second DSL-team
 * approval, say). The review is approved once it has both.
 */
export async function approveDestruction(t: Tx, id: string): Promise<{ complete: boolean }> {
  const { r, holds } = await reviewForDecision(t, id);
  if (r.status !== 'pending') throw undecidable();
  const [hold] = holds;
  if (hold)
    throw new DomainError(
      'conflict',
      'held',
      `This record is under a legal hold (${hold.matter.replace('_', ' ')}, placed by ${
        hold.placedBy ?? 'Lantern as a standing hold'
      }): it cannot be destroyed while the hold lasts.`,
    );
  const approvals = r.approvals ?? [];
  if (approvals.some((a) => a.approverId === t.actor.userId))
    throw new DomainError(
      'conflict',
      'same_approver',
      'You have already approved this. The second approval must come from someone else.',
    );
  const deciders = await retentionDecidersOf(t.db, t.actor.userId);
  const given = approvals.map((a) => a.capacity);
  const capacity = approvalCapacity(deciders, given);
  if (capacity === null)
    throw new DomainError(
      'forbidden',
      'not_the_approver_needed',
      given.includes('dsl_team')
        ? 'The DSL team has approved; the second approval must come from the headteacher or the data-protection officer.'
        : 'Destroying a child-protection record needs the DSL team’s approval and the headteacher’s or the data-protection officer’s; yours is not the one still needed.',
    );
  await t.q(
    `INSERT INTO retention_approvals (school_id, review_id, approver_id, capacity, approved_at)
     VALUES ($1, $2, $3, $4, $5)`,
    [t.schoolId, id, t.actor.userId, capacity, t.now],
  );
  // Counted afresh, in a statement of its own: an approval committed by someone else while this
  // one waited for the review's lock is seen here, so the second of two simultaneous approvals
  // still completes the review.
  const all = await t.q<{ capacity: ApprovalCapacity }>(
    'SELECT capacity FROM retention_approvals WHERE review_id = $1',
    [id],
  );
  const complete = approvalsComplete(
    CP_DESTRUCTION,
    all.map((a) => a.capacity),
  );
  if (complete)
    await t.q(
      `UPDATE retention_reviews SET status = 'approved', decided_by = $2, decided_at = $3
       WHERE id = $1`,
      [id, t.actor.userId, t.now],
    );
  await t.audit({
    action: 'retention.destruction_approved',
    targetType: 'retention_review',
    targetId: id,
    details: { concern: r.concern_id, capacity, complete },
  });
  return { complete };
}

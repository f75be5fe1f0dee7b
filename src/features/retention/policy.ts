// Who may do what with the retention schedule and legal holds (issue 15), decided here only.
// The `retention` ability (the school's `retention` capability, held by the DPO's, the DSL team's
// and the headteacher's default groups, with a second factor) opens the schedule and the holds;
// it grants no record content. Two acts are narrower, decided by the fixed keys of the default
// groups as core/access/approvers.ts decides access approvers (a group can be renamed, not re-keyed,
// and joining the DSL team or the headteacher's group itself needs approval):
// - a standing hold (the one every sexual-abuse category is under by default, because the public
//   inquiry into child sexual abuse asked that such records be kept) is lifted only by a member of
//   the `dpo` group, deliberately, with a reason;
// - destroying a child-protection record (later in issue 15) needs the DSL team and then the
//   headteacher or the DPO.
// To change safely: keep every retention route asking this file, and retention.test.ts passing.
import type { Queryable } from '../../platform/db/engine.ts';
import { can, type Actor } from '../../core/access/actor.ts';
import { requireAbility } from '../../core/access/step-up.ts';
import { DomainError } from '../../core/errors.ts';
import { DPO_GROUP_KEY, DSL_TEAM_GROUP_KEYS } from '../../core/access/approvers.ts';
import { ALERT_TEAM_GROUPS } from '../../shared/alert-teams.ts';
import { nextApproval, type TwoPersonRule } from './two-person.ts';

export { DPO_GROUP_KEY };

/** Which of the retention deciders the member is, by their active membership of default groups. */
export type RetentionDeciders = { dpo: boolean; dslTeam: boolean; headteacher: boolean };

export async function retentionDecidersOf(
  q: Queryable,
  userId: string,
): Promise<RetentionDeciders> {
  const rows = await q.query<{ key: string }>(
    `SELECT g.key FROM staff_group_members m JOIN staff_groups g ON g.id = m.group_id
     JOIN users u ON u.id = m.user_id
     WHERE m.user_id = $1 AND u.disabled_at IS NULL`,
    [userId],
  );
  const keys = new Set(rows.map((r) => r.key));
  return {
    dpo: keys.has(DPO_GROUP_KEY),
    dslTeam: DSL_TEAM_GROUP_KEYS.some((k) => keys.has(k)),
    headteacher: ALERT_TEAM_GROUPS.headteacher.some((k) => keys.has(k)),
  };
}

/** The schedule, holds and (later) the queue: asked of every retention route first. */
export function requireRetention(actor: Actor): void {
  requireAbility(actor, 'retention');
}

export function scheduleActions(actor: Actor): 'edit'[] {
  return can(actor, 'retention') ? ['edit'] : [];
}

export function holdListActions(actor: Actor): 'place'[] {
  return can(actor, 'retention') ? ['place'] : [];
}

/** May the member lift this hold? A standing hold only by the DPO; any lifted hold by no one. */
export function holdActions(
  actor: Actor,
  deciders: RetentionDeciders,
  hold: { standing: boolean; lifted: boolean },
): 'lift'[] {
  if (!can(actor, 'retention') || hold.lifted) return [];
  if (hold.standing && !deciders.dpo) return [];
  return ['lift'];
}

export const standingHoldRefusal = () =>
  new DomainError(
    'forbidden',
    'dpo_only',
    'Only the data-protection officer may lift the standing hold on sexual-abuse records.',
  );

export type ApprovalCapacity = 'dsl_team' | 'headteacher' | 'dpo';

/** A child-protection record's destruction: the DSL team, then the headteacher or the DPO. */
export const CP_DESTRUCTION: TwoPersonRule<ApprovalCapacity> = [
  ['dsl_team'],
  ['headteacher', 'dpo'],
];

/**
 * The capacity this member would approve a destruction in, given the approvals already given, or
 * null if theirs is not the approval still needed. What this protects: nothing is destroyed
 * without both a DSL-team approval and a headteacher-or-DPO approval, by two different people
 * (the same person is refused before this is asked; the table's key forbids it too). The rule
 * itself is two-person.ts's, shared with the staff area's own review.
 */
export function approvalCapacity(
  deciders: RetentionDeciders,
  given: readonly ApprovalCapacity[],
): ApprovalCapacity | null {
  const mine: ApprovalCapacity[] = [];
  if (deciders.dslTeam) mine.push('dsl_team');
  if (deciders.headteacher) mine.push('headteacher');
  if (deciders.dpo) mine.push('dpo');
  return nextApproval(CP_DESTRUCTION, mine, given);
}

export type ReviewFacts = {
  status: 'pending' | 'approved' | 'kept' | 'held' | 'destroyed';
  held: boolean;
  approvals: readonly { approverId: string; capacity: ApprovalCapacity }[];
};

/**
 * Who may destroy an approved batch: a member who may approve destruction — the DSL team, the
 * headteacher or the DPO — holding the `retention` ability (asked by the route first, so with a
 * second factor). The two approvals were the decision; destroying carries it out.
 */
export function mayDestroy(deciders: RetentionDeciders): boolean {
  return deciders.dslTeam || deciders.headteacher || deciders.dpo;
}

export const notADestroyer = () =>
  new DomainError(
    'forbidden',
    'not_a_decider',
    'Only the DSL team, the headteacher or the data-protection officer may destroy records.',
  );

type ReviewAction = 'approve' | 'destroy' | 'keep' | 'hold';

/** What the member may do with a review in the queue, as sent in `allowed`. */
export function reviewActions(
  actor: Actor,
  deciders: RetentionDeciders,
  review: ReviewFacts,
): ReviewAction[] {
  if (!can(actor, 'retention')) return [];
  if (review.status !== 'pending' && review.status !== 'approved') return [];
  const out: ReviewAction[] = ['keep', 'hold'];
  if (review.status === 'approved' && !review.held && mayDestroy(deciders)) out.unshift('destroy');
  if (
    review.status === 'pending' &&
    !review.held &&
    !review.approvals.some((a) => a.approverId === actor.userId) &&
    approvalCapacity(
      deciders,
      review.approvals.map((a) => a.capacity),
    ) !== null
  )
    out.unshift('approve');
  return out;
}

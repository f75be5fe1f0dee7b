// Who may see and handle a concern about an adult (issue 19), decided here only. What this
// protects: a worry about a member of staff must never reach that member, whatever their role.
// - Raising one (`staff_concerns.write`) is open to every member with a password alone.
// - Reading and triage (`staff_concerns.read` / `.triage`, from the `staff_concerns` capability,
//   elevated) reach only matters routed to a team the member belongs to (the headteacher's group
//   for `headteacher`, the chair of governors' group for `chair`), and NEVER a matter that names
//   the member as its subject: such a matter answers 404, as if it did not exist. The same rule is
//   the SQL filter of every list (`visibleMatterSql`), so a list can never show what a read refuses.
// To change safely: keep every route asking `requireMatterReader`/`loadVisibleMatter` first, keep
// `visibleMatterSql` and `mayRead` saying the same thing, and keep policy.test.ts passing.
import type { Queryable } from '../../platform/db/engine.ts';
import { can, type Actor } from '../../core/access/actor.ts';
import { requireAbility } from '../../core/access/step-up.ts';
import { DomainError } from '../../core/errors.ts';
import { approvalsComplete, nextApproval, type TwoPersonRule } from '../retention/two-person.ts';
import type {
  Classification,
  MatterAction,
  RoutedTo,
} from '../../shared/schemas/staff-concerns.ts';

/** The staff groups (by fixed key) whose members are each case-manager team. */
export const TEAM_GROUPS: Readonly<Record<RoutedTo, string>> = {
  headteacher: 'headteacher',
  chair: 'chair_of_governors',
};

/** The teams the member belongs to (active accounts only). */
export async function teamsOf(q: Queryable, userId: string): Promise<RoutedTo[]> {
  const rows = await q.query<{ key: string }>(
    `SELECT g.key FROM staff_group_members m JOIN staff_groups g ON g.id = m.group_id
     JOIN users u ON u.id = m.user_id
     WHERE m.user_id = $1 AND u.disabled_at IS NULL`,
    [userId],
  );
  const keys = new Set(rows.map((r) => r.key));
  return (Object.keys(TEAM_GROUPS) as RoutedTo[]).filter((t) => keys.has(TEAM_GROUPS[t]));
}

/** Routing (KCSIE): about the headteacher → the chair; everyone else (the DSL too) → the head. */
export function routeFor(subjectRole: string | null): RoutedTo {
  return subjectRole === 'headteacher' ? 'chair' : 'headteacher';
}

export type MatterFacts = {
  routedTo: RoutedTo;
  subjectUserId: string | null;
  classification: Classification | null;
  outcome: string | null;
  removed: boolean;
};

/** Whether the member may read the matter: its team's reader, and not the person it names. */
export function mayRead(actor: Actor, teams: readonly RoutedTo[], m: MatterFacts): boolean {
  return (
    can(actor, 'staff_concerns.read') &&
    teams.includes(m.routedTo) &&
    m.subjectUserId !== actor.userId &&
    !m.removed
  );
}

/**
 * The same rule as `mayRead`, as an SQL condition on `staff_concerns s`, with its parameters
 * numbered from `from`. The subject test is `IS DISTINCT FROM` so a NULL never lets a row through
 * by accident and a matched id always keeps it out.
 */
export function visibleMatterSql(
  actor: Actor,
  teams: readonly RoutedTo[],
  from: number,
): { sql: string; params: unknown[] } {
  if (!can(actor, 'staff_concerns.read') || teams.length === 0) return { sql: 'false', params: [] };
  return {
    sql: `(s.routed_to = ANY($${from}::text[]) AND s.subject_user_id IS DISTINCT FROM $${from + 1}::uuid
           AND s.removed_at IS NULL)`,
    params: [[...teams], actor.userId],
  };
}

/** What the reader may do with the matter now, as sent in `allowed`. */
export function matterActions(actor: Actor, teams: readonly RoutedTo[], m: MatterFacts) {
  const out: MatterAction[] = [];
  if (!mayRead(actor, teams, m) || !can(actor, 'staff_concerns.triage')) return out;
  if (m.outcome === null) out.push('triage');
  if (m.classification === 'possibly_meets_threshold') {
    out.push('record_lado');
    if (m.outcome === null) out.push('record_outcome');
  }
  out.push('record_copy', 'link_pupil', 'record_leaving');
  return out;
}

/**
 * A matter's retention review (finishing issue 19). Decided by the same rule as every read: the
 * matter's own case managers (`mayRead` and `.triage`), never the person it names, so the
 * school-wide retention queue and its reviewers never learn a matter exists. Destroying needs two
 * of them (retention/two-person.ts's rule, as the school's own destruction does): the first
 * approves, the second approves and destroys; the same person cannot be both. Keeping (with a
 * reason and a new date) is one case manager's decision.
 */
export const STAFF_DESTRUCTION: TwoPersonRule<'case_manager'> = [
  ['case_manager'],
  ['case_manager'],
];

export type StaffReviewAction = 'keep' | 'approve' | 'destroy';

export function staffReviewActions(
  actor: Actor,
  teams: readonly RoutedTo[],
  m: MatterFacts,
  approvers: readonly string[],
): StaffReviewAction[] {
  if (!mayRead(actor, teams, m) || !can(actor, 'staff_concerns.triage')) return [];
  const out: StaffReviewAction[] = ['keep'];
  if (approvers.includes(actor.userId)) return out;
  const given = approvers.map(() => 'case_manager' as const);
  if (nextApproval(STAFF_DESTRUCTION, ['case_manager'], given) === null) return out;
  // The approval that completes the rule destroys the matter in the same step.
  const last = approvalsComplete(STAFF_DESTRUCTION, [...given, 'case_manager']);
  out.unshift(last ? 'destroy' : 'approve');
  return out;
}

/**
 * Which tombstones of destroyed matters the reader may see: a case manager of the matter's team,
 * and not the person it named (`subjectDigest`: the keyed digest of the reader's own id, the same
 * the tombstone keeps). As an SQL condition on `staff_concern_tombstones d`, parameters from `from`.
 */
export function visibleTombstoneSql(
  actor: Actor,
  teams: readonly RoutedTo[],
  readerDigest: string,
  from: number,
): { sql: string; params: unknown[] } {
  if (!can(actor, 'staff_concerns.read') || teams.length === 0) return { sql: 'false', params: [] };
  return {
    sql: `(d.routed_to = ANY($${from}::text[]) AND d.subject_digest IS DISTINCT FROM $${from + 1}::text)`,
    params: [[...teams], readerDigest],
  };
}

export function requireReader(actor: Actor): void {
  requireAbility(actor, 'staff_concerns.read');
}

export function requireTriager(actor: Actor): void {
  requireAbility(actor, 'staff_concerns.triage');
}

export function requireRaiser(actor: Actor): void {
  requireAbility(actor, 'staff_concerns.write');
}

export const notAllowedNow = (what: string) => new DomainError('conflict', 'not_allowed_now', what);

// Who may do what with an action, decided here and nowhere else: the same rule is a SQL filter for
// lists (actionsVisibleWhere) and, per action, the `allowed` list sent to the UI. Seeing an action
// at all (pupil name, sealed text) needs the `actions.assigned` ability, which — like every record —
// waits for a second factor (src/core/access/step-up.ts). Then the DSL team (case.manage) sees and
// completes every action; anyone else only those assigned to them. Either way an action on a
// restricted matter (its concern, or any concern of its case, filed in a restricted category) is
// seen only by those granted every such category (restrictedTouchSql, issue 11): to anyone else it
// is not there — not in a list, the dashboard, search or a chronology, and not to complete, even
// when it is assigned to them. To change safely: widen actionsVisibleWhere and actionAllowed
// together, never one alone.
import { can, type Actor } from '../../core/access/actor.ts';
import { restrictedTouchSql } from '../../core/access/record-filter.ts';
import type { ActionAbility } from '../../shared/schemas/actions.ts';

/** The restricted matters an action over alias `a` touches: its concern and its case. */
export function actionTouchesGranted(
  t: { actor: Actor },
  from: number,
): { sql: string; params: unknown[] } {
  return restrictedTouchSql(t.actor, from, { concern: 'a.concern_id', case: 'a.case_id' });
}

/** Which actions a viewer may see, as SQL over alias `a` (the same rule for one and for many). */
export function actionsVisibleWhere(
  t: { actor: Actor },
  from: number,
): { sql: string; params: unknown[] } {
  if (!can(t.actor, 'actions.assigned')) return { sql: 'false', params: [] };
  const manager = can(t.actor, 'case.manage');
  const mine = manager ? [] : [t.actor.userId];
  const touch = actionTouchesGranted(t, from + mine.length);
  return {
    sql: manager ? touch.sql : `(a.assignee_id = $${from} AND ${touch.sql})`,
    params: [...mine, ...touch.params],
  };
}

/** What this actor may do with one action they can see. */
export function actionAllowed(
  actor: Actor,
  a: { assigneeId: string; completedAt: Date | null },
): ActionAbility[] {
  if (!can(actor, 'actions.assigned') || a.completedAt) return [];
  return a.assigneeId === actor.userId || can(actor, 'case.manage') ? ['complete'] : [];
}

// Who may do what with an action, decided here and nowhere else: the same rule is a SQL filter for
// lists (actionsVisibleWhere) and, per action, the `allowed` list sent to the UI. Seeing an action
// at all (pupil name, sealed text) needs the `actions.assigned` ability, which — like every record —
// waits for a second factor (src/core/access/step-up.ts). Then the DSL team (case.manage) sees and
// completes every action; anyone else only those assigned to them. To change safely: widen
// actionsVisibleWhere and actionAllowed together, never one alone.
import { can, type Actor } from '../../core/access/actor.ts';
import type { ActionAbility } from '../../shared/schemas/actions.ts';

/** Which actions a viewer may see, as SQL over alias `a` (the same rule for one and for many). */
export function actionsVisibleWhere(
  t: { actor: Actor },
  from: number,
): { sql: string; params: unknown[] } {
  if (!can(t.actor, 'actions.assigned')) return { sql: 'false', params: [] };
  if (can(t.actor, 'case.manage')) return { sql: 'true', params: [] };
  return { sql: `a.assignee_id = $${from}`, params: [t.actor.userId] };
}

/** What this actor may do with one action they can see. */
export function actionAllowed(
  actor: Actor,
  a: { assigneeId: string; completedAt: Date | null },
): ActionAbility[] {
  if (!can(actor, 'actions.assigned') || a.completedAt) return [];
  return a.assigneeId === actor.userId || can(actor, 'case.manage') ? ['complete'] : [];
}

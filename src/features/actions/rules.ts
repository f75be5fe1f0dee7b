// An action's state at a moment, and the order of "my actions": pure and unit-tested
// (rules.test.ts), so every list of actions states and sorts them the same way.
import type { ActionState } from '../../shared/schemas/actions.ts';

export interface ActionTiming {
  id: string;
  dueAt: Date | null;
  completedAt: Date | null;
  createdAt: Date;
  /** Cancelled (issue 14: when its case closed); absent on timings that predate it. */
  cancelledAt?: Date | null;
}

export function actionState(action: ActionTiming, now: Date): ActionState {
  if (action.completedAt !== null) return 'completed';
  if (action.cancelledAt) return 'cancelled';
  if (action.dueAt === null) return 'no_due_date';
  return action.dueAt.getTime() < now.getTime() ? 'overdue' : 'due';
}

const STATE_ORDER: Record<ActionState, number> = {
  overdue: 0,
  due: 1,
  no_due_date: 2,
  completed: 3,
  cancelled: 4,
};

/**
 * "My actions": overdue first (most overdue at the top), then due soonest, then those without a
 * due date (oldest first), then completed (most recently completed first). Ties break on id so
 * the order is stable across requests.
 */
export function sortActionsForDashboard<T extends ActionTiming>(
  actions: readonly T[],
  now: Date,
): T[] {
  const key = (a: T): [number, number] => {
    const state = actionState(a, now);
    switch (state) {
      case 'overdue':
      case 'due':
        return [STATE_ORDER[state], a.dueAt?.getTime() ?? 0];
      case 'no_due_date':
        return [STATE_ORDER[state], a.createdAt.getTime()];
      case 'completed':
        return [STATE_ORDER[state], -(a.completedAt?.getTime() ?? 0)];
      case 'cancelled':
        return [STATE_ORDER[state], -(a.cancelledAt?.getTime() ?? 0)];
    }
  };
  return [...actions].sort((a, b) => {
    const [sa, ta] = key(a);
    const [sb, tb] = key(b);
    return sa - sb || ta - tb || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  });
}

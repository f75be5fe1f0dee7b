import { describe, it, expect } from 'vitest';
import { actionState, sortActionsForDashboard, type ActionTiming } from './rules.ts';

const now = new Date('2025-03-10T10:00:00Z');

describe('my actions ordering', () => {
  const day = 86_400_000;
  const action = (id: string, due: number | null, done: number | null = null): ActionTiming => ({
    id,
    dueAt: due === null ? null : new Date(now.getTime() + due * day),
    completedAt: done === null ? null : new Date(now.getTime() + done * day),
    createdAt: new Date(now.getTime() - 10 * day + id.charCodeAt(0)),
  });

  it('states each action', () => {
    expect(actionState(action('a', -1), now)).toBe('overdue');
    expect(actionState(action('a', 1), now)).toBe('due');
    expect(actionState(action('a', null), now)).toBe('no_due_date');
    expect(actionState(action('a', -1, -2), now)).toBe('completed');
  });

  it('puts overdue first (most overdue on top), then soonest due, undated, completed', () => {
    const sorted = sortActionsForDashboard(
      [
        action('done-old', -5, -4),
        action('due-later', 5),
        action('undated', null),
        action('overdue-1', -1),
        action('done-new', -5, -1),
        action('due-soon', 1),
        action('overdue-3', -3),
      ],
      now,
    );
    expect(sorted.map((a) => a.id)).toEqual([
      'overdue-3',
      'overdue-1',
      'due-soon',
      'due-later',
      'undated',
      'done-new',
      'done-old',
    ]);
  });

  it('breaks ties on id and does not mutate the input', () => {
    const input = [action('b', 1), action('a', 1)];
    expect(sortActionsForDashboard(input, now).map((a) => a.id)).toEqual(['a', 'b']);
    expect(input.map((a) => a.id)).toEqual(['b', 'a']);
  });
});

// The two-person rule both retention queues share (issues 15 and 19): slots filled in order, each
// by one of its capacities; the same capacity may fill both slots when the rule says so.
import { describe, expect, it } from 'vitest';
import { approvalsComplete, nextApproval, type TwoPersonRule } from './two-person.ts';
import { CP_DESTRUCTION } from './policy.ts';

const CASE_MANAGERS: TwoPersonRule<'case_manager'> = [['case_manager'], ['case_manager']];

describe('the two-person rule', () => {
  it('takes two case managers for a staff matter: a first, a second, then no one', () => {
    expect(nextApproval(CASE_MANAGERS, ['case_manager'], [])).toBe('case_manager');
    expect(nextApproval(CASE_MANAGERS, ['case_manager'], ['case_manager'])).toBe('case_manager');
    expect(nextApproval(CASE_MANAGERS, ['case_manager'], ['case_manager', 'case_manager'])).toBe(
      null,
    );
    expect(nextApproval(CASE_MANAGERS, [], [])).toBeNull();
    expect(approvalsComplete(CASE_MANAGERS, ['case_manager'])).toBe(false);
    expect(approvalsComplete(CASE_MANAGERS, ['case_manager', 'case_manager'])).toBe(true);
  });

  it("fills the school's slots in either order, never one slot twice", () => {
    expect(nextApproval(CP_DESTRUCTION, ['dsl_team'], ['dpo'])).toBe('dsl_team');
    expect(nextApproval(CP_DESTRUCTION, ['headteacher', 'dpo'], ['dsl_team'])).toBe('headteacher');
    expect(nextApproval(CP_DESTRUCTION, ['dsl_team'], ['dsl_team'])).toBeNull();
    expect(approvalsComplete(CP_DESTRUCTION, ['dsl_team', 'dsl_team'])).toBe(false);
    expect(approvalsComplete(CP_DESTRUCTION, ['dpo', 'dsl_team'])).toBe(true);
  });
});

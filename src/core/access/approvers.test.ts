// Who must approve a new member of a group (approvers.ts): the groups whose members decide —
// access (the DSL team, the headteacher) and the destruction of records (the DPO's group, and any
// group given the retention capability) — always need a second person; an ordinary group does not.
import { describe, expect, it } from 'vitest';
import { membershipNeedsApproval } from './approvers.ts';
import type { GroupGrant } from './permissions.ts';

const plain: Omit<GroupGrant, 'groupId'> = {
  nonRestrictedDefault: 'view',
  restrictedDefault: 'none',
  categories: {},
  scope: { kind: 'school' },
  capabilities: [],
};

describe('joining a group that decides', () => {
  it('needs approval for the DSL team, the headteacher, the DPO and any retention group', () => {
    expect(membershipNeedsApproval({ key: 'dsl', grant: plain }, [])).toBe('dsl_team');
    expect(membershipNeedsApproval({ key: 'headteacher', grant: plain }, [])).toBe('approvers');
    expect(membershipNeedsApproval({ key: 'dpo', grant: plain }, [])).toBe('approvers');
    const keeper = { ...plain, capabilities: ['retention' as const] };
    expect(membershipNeedsApproval({ key: 'records_panel', grant: keeper }, [])).toBe('approvers');
  });

  it('does not for an ordinary group, unless it sees restricted records', () => {
    expect(membershipNeedsApproval({ key: 'class_teachers', grant: plain }, [])).toBeNull();
    const sees = { ...plain, restrictedDefault: 'view' as const };
    expect(membershipNeedsApproval({ key: 'pastoral', grant: sees }, [])).toBe('restricted');
  });
});

// Who approves a destruction (issue 15), as a pure rule: a DSL-team approval and a headteacher-or-
// DPO approval, whoever comes first; never a second of the same kind.
import { describe, expect, it } from 'vitest';
import { approvalCapacity, type RetentionDeciders } from './policy.ts';

const who = (d: Partial<RetentionDeciders>): RetentionDeciders => ({
  dpo: false,
  dslTeam: false,
  headteacher: false,
  ...d,
});

describe('approvalCapacity', () => {
  it('gives the DSL team and the headteacher or DPO one approval each, in either order', () => {
    expect(approvalCapacity(who({ dslTeam: true }), [])).toBe('dsl_team');
    expect(approvalCapacity(who({ headteacher: true }), [])).toBe('headteacher');
    expect(approvalCapacity(who({ dpo: true }), [])).toBe('dpo');
    expect(approvalCapacity(who({ dslTeam: true }), ['dpo'])).toBe('dsl_team');
    expect(approvalCapacity(who({ dpo: true }), ['dsl_team'])).toBe('dpo');
  });

  it('refuses an approval that is not the one still needed', () => {
    expect(approvalCapacity(who({ dslTeam: true }), ['dsl_team'])).toBeNull();
    expect(approvalCapacity(who({ headteacher: true }), ['dpo'])).toBeNull();
    expect(approvalCapacity(who({ dpo: true }), ['headteacher'])).toBeNull();
    expect(approvalCapacity(who({}), [])).toBeNull();
    // A headteacher who is also in the DSL team approves in one capacity at a time.
    expect(approvalCapacity(who({ dslTeam: true, headteacher: true }), [])).toBe('dsl_team');
    expect(approvalCapacity(who({ dslTeam: true, headteacher: true }), ['dsl_team'])).toBe(
      'headteacher',
    );
    const all = who({ dslTeam: true, headteacher: true, dpo: true });
    expect(approvalCapacity(all, ['dsl_team', 'headteacher'])).toBeNull();
  });
});

import { describe, it, expect } from 'vitest';
import { closeCase, markNoFurtherAction, reopenCase, type CaseState } from './rules.ts';

const now = new Date('2025-03-10T10:00:00Z');
const fields = (r: { ok: boolean; errors?: { field: string }[] }): string[] =>
  r.ok ? [] : (r.errors ?? []).map((e) => e.field);

describe('cases', () => {
  const open: CaseState = { status: 'open', outcome: null, rationale: null, events: [] };
  const closure = {
    outcome: 'Early help plan in place',
    rationale: 'Family engaged with early help; no further concerns in six weeks.',
    by: 'dsl-1',
    at: now,
  };

  it('closes only with an outcome and a rationale of real length', () => {
    expect(fields(closeCase(open, { ...closure, outcome: ' ', rationale: 'ok' }))).toEqual([
      'outcome',
      'rationale',
    ]);
    const closed = closeCase(open, closure);
    expect(closed.ok && closed.value).toMatchObject({
      status: 'closed',
      outcome: closure.outcome,
      events: [{ kind: 'closed', by: 'dsl-1', rationale: closure.rationale }],
    });
  });

  it('applies the same rule to no further action', () => {
    expect(fields(markNoFurtherAction(open, { ...closure, rationale: '' }))).toEqual(['rationale']);
    const nfa = markNoFurtherAction(open, closure);
    expect(nfa.ok && nfa.value.status).toBe('no_further_action');
  });

  it('cannot close a case that is not open', () => {
    const closed = closeCase(open, closure);
    if (!closed.ok) throw new Error('expected closed');
    expect(fields(closeCase(closed.value, closure))).toEqual(['status']);
  });

  it('records a reopen with its reason and keeps the earlier closure', () => {
    const closed = closeCase(open, closure);
    if (!closed.ok) throw new Error('expected closed');
    expect(fields(reopenCase(closed.value, { reason: ' ', by: 'dsl-2', at: now }))).toEqual([
      'reason',
    ]);
    expect(fields(reopenCase(open, { reason: 'x', by: 'dsl-2', at: now }))).toEqual(['status']);
    const reopened = reopenCase(closed.value, { reason: 'New disclosure', by: 'dsl-2', at: now });
    expect(reopened.ok && reopened.value).toMatchObject({
      status: 'open',
      outcome: null,
      events: [{ kind: 'closed' }, { kind: 'reopened', by: 'dsl-2', rationale: 'New disclosure' }],
    });
  });
});

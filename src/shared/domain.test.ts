import { describe, it, expect } from 'vitest';
import {
  actionState,
  closeCase,
  markNoFurtherAction,
  referralDueAt,
  referralStatus,
  reopenCase,
  sortActionsForDashboard,
  validateConcernInput,
  validateLinkedPupils,
  type ActionTiming,
  type CaseState,
  type ConcernInput,
} from './domain.ts';
import { CLOCK_SKEW_MS, MAX_CONCERN_TEXT } from './limits.ts';

const now = new Date('2025-03-10T10:00:00Z');
const context = { now, knownCategoryIds: new Set(['cat-bullying', 'cat-cp']) };
const concern: ConcernInput = {
  pupils: [{ pupilId: 'p1', role: 'victim' }],
  text: '  Said "he pushed me" at break.  ',
  happenedAt: new Date('2025-03-10T09:30:00Z'),
  categoryIds: ['cat-bullying'],
};
const fields = (r: { ok: boolean; errors?: { field: string }[] }): string[] =>
  r.ok ? [] : (r.errors ?? []).map((e) => e.field);

describe('validateLinkedPupils', () => {
  it('keeps each pupil’s own role', () => {
    const result = validateLinkedPupils([
      { pupilId: 'p1', role: 'victim' },
      { pupilId: 'p2', role: 'alleged_perpetrator' },
      { pupilId: 'p3', role: 'witness' },
    ]);
    expect(result).toEqual({
      ok: true,
      value: [
        { pupilId: 'p1', role: 'victim' },
        { pupilId: 'p2', role: 'alleged_perpetrator' },
        { pupilId: 'p3', role: 'witness' },
      ],
    });
  });

  it('never copies one pupil’s role to another: a missing role is an error, not inherited', () => {
    const result = validateLinkedPupils([{ pupilId: 'p1', role: 'victim' }, { pupilId: 'p2' }]);
    expect(result.ok).toBe(false);
    expect(fields(result)).toEqual(['pupils[1].role']);
  });

  it('returns fresh objects, so a shared input object cannot tie two pupils together', () => {
    const shared = { pupilId: 'p1', role: 'victim' };
    const result = validateLinkedPupils([shared]);
    shared.role = 'witness';
    expect(result.ok && result.value[0]?.role).toBe('victim');
  });

  it('rejects duplicate pupils, unknown roles, no pupils and too many', () => {
    expect(
      fields(
        validateLinkedPupils([
          { pupilId: 'p1', role: 'victim' },
          { pupilId: 'p1', role: 'witness' },
        ]),
      ),
    ).toEqual(['pupils[1].pupilId']);
    expect(fields(validateLinkedPupils([{ pupilId: 'p1', role: 'bully' }]))).toEqual([
      'pupils[0].role',
    ]);
    expect(fields(validateLinkedPupils([]))).toEqual(['pupils']);
    const many = Array.from({ length: 31 }, (_, i) => ({ pupilId: `p${i}`, role: 'witness' }));
    expect(fields(validateLinkedPupils(many))).toEqual(['pupils']);
  });

  it('refuses a pupil the school does not have, when the school’s pupils are given', () => {
    const known = new Set(['p1']);
    const links = [
      { pupilId: 'p1', role: 'victim' },
      { pupilId: 'p9', role: 'witness' },
    ];
    expect(fields(validateLinkedPupils(links, known))).toEqual(['pupils[1].pupilId']);
    expect(validateLinkedPupils(links).ok).toBe(true);
  });
});

describe('validateConcernInput', () => {
  it('accepts a valid concern and trims its text and dedupes categories', () => {
    const result = validateConcernInput(
      { ...concern, categoryIds: ['cat-bullying', 'cat-bullying', 'cat-cp'] },
      context,
    );
    expect(result).toEqual({
      ok: true,
      value: {
        pupils: [{ pupilId: 'p1', role: 'victim' }],
        text: 'Said "he pushed me" at break.',
        happenedAt: concern.happenedAt,
        categoryIds: ['cat-bullying', 'cat-cp'],
      },
    });
  });

  it('refuses no pupil, no text, no category, an unknown category — all at once', () => {
    const result = validateConcernInput(
      { ...concern, pupils: [], text: '   ', categoryIds: ['cat-nope'] },
      context,
    );
    expect(fields(result)).toEqual(['pupils', 'text', 'categoryIds']);
    expect(fields(validateConcernInput({ ...concern, categoryIds: [] }, context))).toEqual([
      'categoryIds',
    ]);
  });

  it('says what is wrong in words a person understands, never echoing an id', () => {
    const result = validateConcernInput(
      {
        ...concern,
        pupils: [{ pupilId: 'p-gone', role: 'victim' }],
        text: ' ',
        happenedAt: new Date(now.getTime() + 86_400_000),
        categoryIds: ['cat-nope'],
      },
      { ...context, knownPupilIds: new Set(['p1']) },
    );
    expect(result.ok ? [] : result.errors.map((e) => e.message)).toEqual([
      'One of the pupils was not found',
      '"What happened" cannot be empty',
      '"When it happened" cannot be in the future',
      'That category does not exist',
    ]);
    expect(JSON.stringify(result)).not.toContain('cat-nope');
  });

  it('refuses text over the limit', () => {
    const text = 'x'.repeat(MAX_CONCERN_TEXT + 1);
    expect(fields(validateConcernInput({ ...concern, text }, context))).toEqual(['text']);
  });

  it('allows backdating and a little clock skew, but not the future or an invalid date', () => {
    const at = (ms: number) =>
      validateConcernInput({ ...concern, happenedAt: new Date(ms) }, context);
    expect(at(new Date('2024-01-01T00:00:00Z').getTime()).ok).toBe(true);
    expect(at(now.getTime() + CLOCK_SKEW_MS).ok).toBe(true);
    expect(fields(at(now.getTime() + CLOCK_SKEW_MS + 1))).toEqual(['happenedAt']);
    expect(fields(at(Number.NaN))).toEqual(['happenedAt']);
  });
});

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

describe('referralStatus', () => {
  const referredAt = new Date('2025-03-10T09:00:00Z');
  const base = { referredAt, respondedAt: null, closedAt: null };
  const hoursLater = (h: number) => new Date(referredAt.getTime() + h * 3600_000);

  it('is awaiting until the expected response time, then overdue', () => {
    expect(referralStatus(base, hoursLater(23.9), 24)).toBe('awaiting');
    expect(referralStatus(base, hoursLater(24), 24)).toBe('overdue');
    expect(referralDueAt(base, 24)).toEqual(hoursLater(24));
  });

  it('is responded once a response is recorded, even late, and closed wins', () => {
    expect(referralStatus({ ...base, respondedAt: hoursLater(30) }, hoursLater(40), 24)).toBe(
      'responded',
    );
    const closed = { ...base, respondedAt: hoursLater(2), closedAt: hoursLater(5) };
    expect(referralStatus(closed, hoursLater(40), 24)).toBe('closed');
  });

  it('never goes overdue when the agency has no expected time', () => {
    expect(referralStatus(base, hoursLater(10_000), null)).toBe('awaiting');
    expect(referralDueAt(base, null)).toBeNull();
  });
});

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

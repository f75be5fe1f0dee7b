// The rule of who reads a concern about an adult (issue 19), as a pure function and as the SQL
// filter lists use: the two must agree, and the person named is kept out either way.
import { describe, expect, it } from 'vitest';
import { resolvePermissions } from '../../core/access/permissions.ts';
import type { Actor } from '../../core/access/actor.ts';
import {
  matterActions,
  mayRead,
  routeFor,
  staffReviewActions,
  visibleMatterSql,
  type MatterFacts,
} from './policy.ts';

const grant = (capabilities: ('staff_concerns' | 'search')[]) =>
  resolvePermissions([
    {
      groupId: 'g',
      nonRestrictedDefault: 'none',
      restrictedDefault: 'none',
      categories: {},
      scope: { kind: 'school' },
      capabilities,
    },
  ]);
const actor = (caps: ('staff_concerns' | 'search')[], elevated = true): Actor => ({
  userId: 'me',
  schoolId: 's',
  name: 'Me',
  role: 'headteacher',
  permissions: grant(caps),
  elevated,
});
const matter = (m: Partial<MatterFacts> = {}): MatterFacts => ({
  routedTo: 'headteacher',
  subjectUserId: 'someone',
  classification: null,
  outcome: null,
  removed: false,
  ...m,
});

describe('reading a concern about an adult', () => {
  it('routes the head to the chair, everyone else (the DSL too) to the head', () => {
    expect(routeFor('headteacher')).toBe('chair');
    for (const role of ['dsl', 'deputy_dsl', 'teacher', null])
      expect(routeFor(role)).toBe('headteacher');
  });

  it("is for the routed team's case managers, elevated, and never for the person named", () => {
    const head = actor(['staff_concerns']);
    expect(mayRead(head, ['headteacher'], matter())).toBe(true);
    expect(mayRead(head, ['chair'], matter())).toBe(false);
    expect(mayRead(head, ['headteacher'], matter({ subjectUserId: 'me' }))).toBe(false);
    expect(mayRead(head, ['headteacher'], matter({ removed: true }))).toBe(false);
    expect(mayRead(actor(['staff_concerns'], false), ['headteacher'], matter())).toBe(false);
    expect(mayRead(actor(['search']), ['headteacher'], matter())).toBe(false);
    expect(matterActions(head, ['headteacher'], matter({ subjectUserId: 'me' }))).toEqual([]);
  });

  it('filters lists by the same rule in SQL', () => {
    const head = actor(['staff_concerns']);
    const f = visibleMatterSql(head, ['headteacher'], 3);
    expect(f.sql).toContain('s.subject_user_id IS DISTINCT FROM $4::uuid');
    expect(f.sql).toContain('s.routed_to = ANY($3::text[])');
    expect(f.params).toEqual([['headteacher'], 'me']);
    expect(visibleMatterSql(actor(['search']), ['headteacher'], 1).sql).toBe('false');
    expect(visibleMatterSql(head, [], 1).sql).toBe('false');
  });

  it('offers the LADO record and the outcome only for a possible allegation', () => {
    const head = actor(['staff_concerns']);
    expect(matterActions(head, ['headteacher'], matter({ classification: 'low_level' }))).toEqual([
      'triage',
      'record_copy',
      'link_pupil',
      'record_leaving',
    ]);
    expect(
      matterActions(head, ['headteacher'], matter({ classification: 'possibly_meets_threshold' })),
    ).toEqual([
      'triage',
      'record_lado',
      'record_outcome',
      'record_copy',
      'link_pupil',
      'record_leaving',
    ]);
  });

  it('offers destruction to two different case managers, and keeping to each', () => {
    const head = actor(['staff_concerns']);
    const facts = matter({ classification: 'low_level' });
    expect(staffReviewActions(head, ['headteacher'], facts, [])).toEqual(['approve', 'keep']);
    // Another approved first: this approval destroys.
    expect(staffReviewActions(head, ['headteacher'], facts, ['someone-else'])).toEqual([
      'destroy',
      'keep',
    ]);
    // Approved already by this member: only keeping is left to them.
    expect(staffReviewActions(head, ['headteacher'], facts, [head.userId])).toEqual(['keep']);
    // Not this matter's team, or no triage: nothing.
    expect(staffReviewActions(head, ['chair'], facts, [])).toEqual([]);
    expect(staffReviewActions(actor(['search']), ['headteacher'], facts, [])).toEqual([]);
  });
});

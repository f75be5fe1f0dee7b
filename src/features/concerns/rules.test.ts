import { describe, it, expect } from 'vitest';
import { validateConcernInput, validateLinkedPupils, type ConcernInput } from './rules.ts';
import { CLOCK_SKEW_MS, MAX_CONCERN_TEXT } from '../../shared/limits.ts';

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

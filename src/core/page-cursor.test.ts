import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Sealer } from '../platform/crypto/school-keys.ts';
import { DomainError } from './errors.ts';
import { pageCursor, readPageCursor, timeAndId } from './page-cursor.ts';

const sealerFor = (schoolId: string) => {
  const key = randomBytes(32);
  return new Sealer(schoolId, {
    data: new Map([[1, key]]),
    currentData: { version: 1, key },
    search: randomBytes(32),
  });
};

const refusedWith400 = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    expect((e as DomainError).kind).toBe('invalid');
    expect((e as DomainError).code).toBe('bad_cursor');
    return;
  }
  throw new Error('the cursor was accepted');
};

describe('page cursors', () => {
  const school = sealerFor('s1');
  const list = { kind: 'chronology', subject: 'pupil-1' };
  const at = '2026-11-30T10:00:00.000Z';
  const cursor = pageCursor(school, list, { at, id: 'c-9' });

  it('reads back the position it was made with', () => {
    expect(readPageCursor(school, list, cursor, timeAndId)).toEqual({ at, id: 'c-9' });
  });

  it('refuses a cursor made for another pupil, another kind of list or another school', () => {
    refusedWith400(() =>
      readPageCursor(school, { ...list, subject: 'pupil-2' }, cursor, timeAndId),
    );
    refusedWith400(() => readPageCursor(school, { ...list, kind: 'search' }, cursor, timeAndId));
    refusedWith400(() => readPageCursor(sealerFor('s2'), list, cursor, timeAndId));
  });

  it('refuses a cursor altered in any byte, truncated, or not a cursor at all', () => {
    const [payload, sig] = cursor.split('.') as [string, string];
    const other = Buffer.from(JSON.stringify({ at, id: 'c-1' })).toString('base64url');
    refusedWith400(() => readPageCursor(school, list, `${other}.${sig}`, timeAndId));
    const flipped = sig.slice(0, -1) + (sig.endsWith('A') ? 'B' : 'A');
    refusedWith400(() => readPageCursor(school, list, `${payload}.${flipped}`, timeAndId));
    refusedWith400(() => readPageCursor(school, list, payload, timeAndId));
    refusedWith400(() => readPageCursor(school, list, '', timeAndId));
    refusedWith400(() => readPageCursor(school, list, 'x'.repeat(600), timeAndId));
  });

  it('refuses a signed position of the wrong shape', () => {
    const odd = pageCursor(school, list, { at: 'not a time', id: 'c-1' });
    refusedWith400(() => readPageCursor(school, list, odd, timeAndId));
  });
});

// The database hashes an entry from the canonical JSON made here, split around its sequence
// number (migration 0024); verify.ts recomputes the hash from the whole entry. The two halves with
// the number between them must be the whole canonical form, byte for byte, for any details.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalAroundSeq, entryHash } from './chain.ts';

const row = {
  school_id: '3dc246aa-1a06-41aa-83fe-355317544fe1',
  at: new Date('2026-12-06T15:04:05.123Z'),
  actor_id: null,
  actor_label: 'Tom "the" Teacher \\ école 🙂',
  action: 'concern.created',
  target_type: 'concern',
  target_id: 'b7f0c1de-0000-4000-8000-000000000001',
  ip: '127.0.0.1',
  user_agent: 'Mozilla/5.0 ,"seq":0,"targetId":"x"',
  details: { seq: 0, nested: { seq: 7, list: [1, 'two', null] }, zebra: true, alpha: 'a' },
};

describe('the audit chain canonical form around the sequence number', () => {
  it('is the whole canonical form with the number put in, whatever the details hold', () => {
    const prev = createHash('sha256').update('previous').digest();
    for (const seq of [1, 9, 10, 12_345_678]) {
      const [before, after] = canonicalAroundSeq(row);
      const hash = createHash('sha256')
        .update(prev)
        .update(`${before}${seq}${after}`, 'utf8')
        .digest();
      expect(hash.equals(entryHash(prev, { ...row, seq }))).toBe(true);
    }
  });

  it('changes the hash when any field changes', () => {
    const prev = Buffer.alloc(32);
    const base = entryHash(prev, { ...row, seq: 3 });
    expect(entryHash(prev, { ...row, seq: 4 }).equals(base)).toBe(false);
    expect(
      entryHash(prev, { ...row, seq: 3, details: { ...row.details, alpha: 'b' } }).equals(base),
    ).toBe(false);
  });
});

// Redactions as pure functions: a span is found again when the record's text moves and is stale
// when its words are gone; removed text leaves only its marker; the last check finds a redacted
// span that still stands elsewhere as a whole word.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { applyRedactions, leaks, locate, placesOf, spanDigest } from './redact.ts';

const key = randomBytes(32);
const text = 'Ava said Jordan Kestrel pushed her.';
const at = text.indexOf('Jordan Kestrel');
const stored = { start: at, end: at + 14, digest: spanDigest(key, 'Jordan Kestrel') };

describe('redactions', () => {
  it('keep the occurrence chosen: the second of two stays the second, the first unredacted', () => {
    const twice = 'Jordan was kind. Later Jordan left.';
    const second = twice.lastIndexOf('Jordan');
    const span = { start: second, end: second + 6, digest: spanDigest(key, 'Jordan') };
    expect(locate(key, twice, span)).toEqual({ start: second, end: second + 6 });
    expect(applyRedactions(twice, [{ start: second, end: second + 6, reason: 'crime' }])).toBe(
      'Jordan was kind. Later [redacted: crime] left.',
    );
    // Text added before both moves it: the nearest match to where it was is still the second.
    const moved = `Note. ${twice}`;
    expect(locate(key, moved, span)).toEqual({ start: second + 6, end: second + 12 });
  });

  it('are found where they were, again where the text moved, and stale when it changed', () => {
    expect(locate(key, text, stored)).toEqual({ start: at, end: at + 14 });
    const moved = `Earlier that day: ${text}`;
    expect(locate(key, moved, stored)).toEqual({ start: at + 18, end: at + 32 });
    expect(locate(key, 'Ava said Jordan K. pushed her.', stored)).toBeNull();
    // Another key cannot test a guessed name against the stored digest.
    expect(locate(randomBytes(32), text, stored)).toBeNull();
  });

  it('remove the text and leave the reason’s marker, overlapping spans as one', () => {
    expect(applyRedactions(text, [{ start: at, end: at + 14, reason: 'third_party' }])).toBe(
      'Ava said [redacted: third party] pushed her.',
    );
    expect(
      applyRedactions(text, [
        { start: at, end: at + 6, reason: 'crime' },
        { start: at + 3, end: at + 14, reason: 'third_party' },
      ]),
    ).toBe('Ava said [redacted: crime] pushed her.');
  });

  it('find a redacted span still standing as a whole word, and every place it stands', () => {
    expect(leaks('Later JORDAN\nkestrel left.', ['Jordan Kestrel'])).toEqual(['Jordan Kestrel']);
    expect(leaks('Jordanstown is far.', ['Jordan'])).toEqual([]);
    expect(leaks('He left.', ['he'])).toEqual([]); // too short to check
    expect(placesOf('Jordan and jordan', 'Jordan')).toEqual([
      { start: 0, end: 6 },
      { start: 11, end: 17 },
    ]);
  });
});

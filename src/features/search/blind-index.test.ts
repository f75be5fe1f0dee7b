import { randomBytes } from 'node:crypto';
import { describe, it, expect } from 'vitest';
import {
  BLIND_TOKEN_BYTES,
  MAX_QUERY_TOKENS,
  MAX_TOKENS_PER_DOCUMENT,
  blindDocument,
  blindQuery,
  blindTokens,
  tokenize,
} from './blind-index.ts';

const schoolA = Buffer.alloc(32, 1);
const schoolB = Buffer.alloc(32, 2);

function matches(documentTokens: readonly string[], queryTokens: readonly string[]): boolean {
  const set = new Set(documentTokens);
  return queryTokens.length > 0 && queryTokens.every((t) => set.has(t));
}

describe('tokenize', () => {
  it('lower-cases, strips diacritics and splits on non-word characters', () => {
    expect(tokenize('Zoë said: "Café—BRUISE on arm!"')).toEqual([
      'zoe',
      'said',
      'cafe',
      'bruise',
      'arm',
    ]);
  });

  it('folds compatibility forms (NFKD), e.g. ligatures and full-width letters', () => {
    expect(tokenize('ﬁnger Ｂｒｕｉｓｅ')).toEqual(['finger', 'bruise']);
  });

  it('drops one-letter words and stop words but keeps words that matter here', () => {
    expect(tokenize('I said the child was not at home and a mum')).toEqual([
      'said',
      'child',
      'not',
      'home',
      'mum',
    ]);
  });

  it('joins apostrophes rather than splitting on them', () => {
    expect(tokenize("didn’t want to go home, didn't")).toEqual(['didnt', 'want', 'go', 'home']);
  });

  it('dedupes, keeping first-seen order, and keeps digits', () => {
    expect(tokenize('Room 12 room 12 ROOM')).toEqual(['room', '12']);
  });

  it('keeps non-Latin scripts as words', () => {
    expect(tokenize('Мама сказала')).toEqual(['мама', 'сказала']);
  });

  it('caps the number of distinct tokens per document', () => {
    const text = Array.from({ length: MAX_TOKENS_PER_DOCUMENT + 500 }, (_, i) => `w${i}`).join(' ');
    const tokens = tokenize(text);
    expect(tokens).toHaveLength(MAX_TOKENS_PER_DOCUMENT);
    expect(tokens[0]).toBe('w0');
  });

  it('cuts very long words', () => {
    expect(tokenize('a'.repeat(200))[0]).toHaveLength(64);
  });
});

describe('blind index', () => {
  it('produces fixed-length, deterministic tokens that hide the words', () => {
    const [token] = blindTokens(schoolA, ['bruise']);
    expect(token).toBeDefined();
    expect(Buffer.from(token ?? '', 'base64url')).toHaveLength(BLIND_TOKEN_BYTES);
    expect(blindTokens(schoolA, ['bruise'])).toEqual([token]);
    expect(token).not.toContain('bruise');
  });

  it('finds a document by any subset of its words, in any case or accent', () => {
    const doc = blindDocument(schoolA, 'Zoë disclosed a bruise on her left arm at lunchtime.');
    expect(matches(doc, blindQuery(schoolA, 'BRUISE'))).toBe(true);
    expect(matches(doc, blindQuery(schoolA, 'zoe arm'))).toBe(true);
    expect(matches(doc, blindQuery(schoolA, 'bruise leg'))).toBe(false);
  });

  it('is per school: the same word blinds differently under another key', () => {
    const docA = blindDocument(schoolA, 'bruise');
    expect(matches(docA, blindQuery(schoolB, 'bruise'))).toBe(false);
    expect(blindTokens(schoolA, ['bruise'])).not.toEqual(blindTokens(schoolB, ['bruise']));
  });

  it('returns no tokens for a query of only stop words, so callers cannot match everything', () => {
    expect(blindQuery(schoolA, 'the and a I')).toEqual([]);
  });

  it('caps query words', () => {
    const query = Array.from({ length: 40 }, (_, i) => `q${i}`).join(' ');
    expect(blindQuery(schoolA, query)).toHaveLength(MAX_QUERY_TOKENS);
  });

  it('refuses a short key', () => {
    expect(() => blindTokens(randomBytes(16), ['x1'])).toThrow(/at least 32 bytes/);
  });
});

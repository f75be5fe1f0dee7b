import { randomBytes } from 'node:crypto';
import { describe, it, expect } from 'vitest';
import {
  BLIND_TOKEN_BYTES,
  MAX_QUERY_TOKENS,
  MAX_TOKENS_PER_DOCUMENT,
  blindDocument,
  blindQuery,
  blindTokens,
  matchedWords,
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
      'bruis',
      'arm',
    ]);
  });

  it('folds compatibility forms (NFKD), e.g. ligatures and full-width letters', () => {
    expect(tokenize('ﬁnger Ｂｒｕｉｓｅ')).toEqual(['finger', 'bruis']);
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

describe('word forms (issue 14: English stems)', () => {
  it('gives the forms of a word one token, so a search for one finds the others', () => {
    const forms = ['bruise', 'bruises', 'bruised', 'bruising', 'Bruised'];
    expect(new Set(forms.flatMap((w) => tokenize(w))).size).toBe(1);
    expect(new Set(['neglect', 'neglected', 'neglectful'].flatMap((w) => tokenize(w))).size).toBe(
      1,
    );
    const doc = blindDocument(schoolA, 'He had bruises on both arms and was crying.');
    expect(matches(doc, blindQuery(schoolA, 'bruised arm'))).toBe(true);
    expect(matches(doc, blindQuery(schoolA, 'bruising'))).toBe(true);
    expect(matches(doc, blindQuery(schoolA, 'kicked'))).toBe(false);
    // Different words stay apart.
    expect(tokenize('hit')).not.toEqual(tokenize('hurt'));
  });

  it('stems after dropping stop words, so a stop word never becomes searchable by its stem', () => {
    expect(tokenize('was is been the')).toEqual([]);
  });

  it('says which words of a text a search matched, as written, each once', () => {
    expect(
      matchedWords(
        'Bruised arm; he said the bruises came from football. Bruising again, didn’t say.',
        "bruise didn't",
      ),
    ).toEqual({ words: ['Bruised', 'bruises', 'Bruising', 'didn’t'], firstAt: 0 });
    expect(matchedWords('Nothing to see here.', 'bruise')).toEqual({ words: [], firstAt: -1 });
    expect(matchedWords('Anything at all.', 'the')).toEqual({ words: [], firstAt: -1 });
    const later = matchedWords('Kit was quiet all morning. Later a bruise.', 'bruises');
    expect(later.words).toEqual(['bruise']);
    expect(later.firstAt).toBe('Kit was quiet all morning. Later a '.length);
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

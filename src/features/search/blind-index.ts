// Keyed blind index for searching encrypted record text.
//
// What this protects: record text is encrypted at rest, so the database cannot search it. Instead
// each document is stored with a set of blinded tokens, HMAC-SHA-256(searchKey, word), and a query
// is blinded the same way and matched by set containment. Without the school's search key the
// tokens reveal nothing about the words; with it, anyone can test a guessed word, so the key is held
// and wrapped exactly like the school's data keys (see docs/SEARCH.md).
//
// Changing this safely: any change to tokenize() (normalisation, stop words, lengths) or to the
// token encoding changes every token, so it needs INDEX_VERSION bumped and a re-index of the school.
// Never use the record-encryption key here: the search key must be a separate key.

import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';

/** Stored next to each document's tokens; bump when tokens would change for the same text. */
export const INDEX_VERSION = 1;
/** Distinct tokens kept per document; bounds index size and what a long document leaks. */
export const MAX_TOKENS_PER_DOCUMENT = 1000;
/** Words longer than this are cut; nobody searches for 65-letter words, and it bounds HMAC input. */
export const MAX_TOKEN_LENGTH = 64;
export const MIN_TOKEN_LENGTH = 2;
/** Query words beyond this are ignored, so a pasted paragraph cannot become a huge query. */
export const MAX_QUERY_TOKENS = 16;
/**
 * 16 bytes (128 bits) of the 32-byte HMAC. Collisions would make a search return an unrelated
 * record; at 128 bits the chance of any collision among even 10^9 distinct words in one school is
 * about 10^-21, and a guess without the key succeeds with probability 2^-128. Halving the length
 * halves index storage and the size of the GIN index that answers the query.
 */
export const BLIND_TOKEN_BYTES = 16;
export const MIN_SEARCH_KEY_BYTES = 32;

// Domain separation: the same key could never produce a token that equals another use's MAC.
const TOKEN_CONTEXT = `lantern/search/v${INDEX_VERSION}/word\0`;

/**
 * A small English stop-word list. Kept short on purpose: every word dropped is a word nobody can
 * search for, and in safeguarding records words such as "no", "not", "mum" or "home" matter.
 */
export const STOP_WORDS: ReadonlySet<string> = new Set([
  'an',
  'and',
  'are',
  'as',
  'at',
  'be',
  'been',
  'but',
  'by',
  'did',
  'do',
  'for',
  'from',
  'had',
  'has',
  'have',
  'he',
  'her',
  'him',
  'his',
  'if',
  'in',
  'into',
  'is',
  'it',
  'its',
  'me',
  'my',
  'of',
  'on',
  'or',
  'our',
  'she',
  'so',
  'that',
  'the',
  'their',
  'them',
  'then',
  'there',
  'these',
  'they',
  'this',
  'to',
  'us',
  'was',
  'we',
  'were',
  'what',
  'when',
  'which',
  'who',
  'will',
  'with',
  'you',
  'your',
]);

const COMBINING_MARKS = /\p{M}+/gu;
// Apostrophes inside words are removed rather than split on, so "didn't" and "didnt" match.
const APOSTROPHES = /['\u2018\u2019\u02bc]/g;
const WORD = /[\p{L}\p{N}]+/gu;

/** Normalises one string the way documents and queries are both normalised. */
export function normalise(text: string): string {
  return text.normalize('NFKD').replace(COMBINING_MARKS, '').toLowerCase().replace(APOSTROPHES, '');
}

/**
 * Splits text into distinct search words in first-seen order: NFKD with diacritics stripped,
 * lower-cased, words of letters and digits, at least MIN_TOKEN_LENGTH long, stop words dropped,
 * at most `maxTokens` distinct words.
 */
export function tokenize(text: string, maxTokens: number = MAX_TOKENS_PER_DOCUMENT): string[] {
  const seen = new Set<string>();
  for (const match of normalise(text).matchAll(WORD)) {
    const word = match[0].slice(0, MAX_TOKEN_LENGTH);
    if (word.length < MIN_TOKEN_LENGTH || STOP_WORDS.has(word) || seen.has(word)) continue;
    seen.add(word);
    if (seen.size >= maxTokens) break;
  }
  return [...seen];
}

function assertSearchKey(key: Buffer): void {
  if (key.length < MIN_SEARCH_KEY_BYTES) {
    throw new Error(`search key must be at least ${MIN_SEARCH_KEY_BYTES} bytes`);
  }
}

function blind(key: KeyObject, token: string): string {
  return createHmac('sha256', key)
    .update(TOKEN_CONTEXT)
    .update(token, 'utf8')
    .digest()
    .subarray(0, BLIND_TOKEN_BYTES)
    .toString('base64url');
}

/**
 * Blinds already-tokenised words with the school's search key. Each result is a 22-character
 * base64url string (16 bytes), suitable for a text[] column with a GIN index.
 */
export function blindTokens(key: Buffer, tokens: readonly string[]): string[] {
  assertSearchKey(key);
  // One key object for the document: an HMAC keyed by a KeyObject costs a sixth of one keyed by
  // a Buffer, which Node checks and copies into a new key each time (issue 12's CPU profile).
  const keyObject = createSecretKey(key);
  return [...new Set(tokens.map((token) => blind(keyObject, token)))];
}

/** The blinded tokens to store for one document's text (tokenize then blind). */
export function blindDocument(key: Buffer, text: string): string[] {
  return blindTokens(key, tokenize(text));
}

/**
 * The blinded tokens a document must ALL contain to match `query` (AND semantics; in PostgreSQL
 * `search_tokens @> $1`). An empty array means the query had no searchable words (only stop words
 * or one-letter words): the caller must treat that as "no text criterion" or refuse it, never as
 * "match everything" by accident.
 */
export function blindQuery(key: Buffer, query: string): string[] {
  return blindTokens(key, tokenize(query, MAX_QUERY_TOKENS));
}
